//! Webhooks: subscriptions, signed deliveries and retries.
//!
//! Delivery is at least once: the dispatcher queues every subscribed change from the history
//! log (see [`crate::store::Subscription`]), then `POST`s each due delivery with a
//! `Kycard-Signature` header. A 2xx answer ends it; anything else (or no answer within
//! [`ATTEMPT_TIMEOUT`]) schedules a retry after 5 s, 10 s, 20 s, … capped at one hour, until
//! 24 hours after the event was queued. A crash between sending and recording sends the event
//! again, so receivers deduplicate on the event `id`. Deliveries of one webhook may arrive out
//! of order; the event `id` orders them.
//!
//! Sending is fair: each webhook has at most [`PER_WEBHOOK`] attempts in flight and each
//! organization at most [`PER_ORGANIZATION`], out of [`IN_FLIGHT`] in all, and free slots go
//! round-robin across organizations. Attempts run side by side, each freeing its slot when it
//! ends, so endpoints that never answer hold up only their own deliveries.
//!
//! Outbound requests never follow redirects, use no proxy, and connect only to public
//! addresses (plus loopback for sandbox organizations): a host name is checked again after it
//! is resolved, so a webhook cannot be pointed at the server's own network.

use crate::card_vault::CardVault;
use crate::error::AppError;
use crate::events::{EventSource, public_event};
use crate::store::{Caller, Change, Committed, DueDelivery, Step, Store, StoreError, Subscription, now};
use crate::unit_of_work::UnitOfWork;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use kycard_core::api_error::ApiErrorCode;
use kycard_core::webhook::{deliverable_address, validate_webhook};
use kycard_core::wire::{CreateWebhookRequest, DeliveryAttempt, DeliveryStatus, Webhook};
use sha2::Sha256;
use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;
use uuid::Uuid;

/// The first retry waits this long; each next one twice as long.
pub const FIRST_RETRY: Duration = Duration::from_secs(5);
/// The longest wait between two attempts.
pub const MAX_RETRY: Duration = Duration::from_hours(1);
/// No attempt starts later than this after the delivery was queued.
pub const GIVE_UP_AFTER: Duration = Duration::from_hours(24);
/// How long a receiver has to answer.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a dispatcher holds a delivery it is sending: well over an attempt, so only a
/// dispatcher that died lets it go to another.
const DELIVERY_LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(1);
/// How often the dispatcher looks for new changes and due retries.
const POLL_EVERY: Duration = Duration::from_secs(1);
/// Attempts in flight at once, in all.
pub const IN_FLIGHT: usize = 32;
/// Attempts in flight at once for one organization.
pub const PER_ORGANIZATION: usize = 8;
/// Attempts in flight at once for one webhook.
pub const PER_WEBHOOK: usize = 2;
/// Due deliveries of one webhook looked at per round (a few more than can be in flight).
const LOOK_AHEAD_PER_WEBHOOK: u32 = 8;
/// Due deliveries looked at per round, in all.
const LOOK_AHEAD: u32 = 512;
/// Changes read per subscription and round.
const BATCH: u32 = 100;

/// The `Kycard-Signature` value for `body` sent at unix time `timestamp`:
/// `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
///
/// # Panics
///
/// Never: HMAC accepts keys of any length.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// How long to wait after the `failures`-th failed attempt (1-based): 5 s, 10 s, 20 s, …, 1 h.
pub fn retry_delay(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    (FIRST_RETRY * 2u32.pow(doublings)).min(MAX_RETRY)
}

/// When to try again after `failures` failed attempts, the last at `at`; `None` when the
/// 24 hours are over and the delivery has failed for good.
pub fn next_attempt(queued_at: DateTime<Utc>, at: DateTime<Utc>, failures: u32) -> Option<DateTime<Utc>> {
    let next = at + chrono::Duration::from_std(retry_delay(failures)).ok()?;
    let deadline = queued_at + chrono::Duration::from_std(GIVE_UP_AFTER).ok()?;
    (next <= deadline).then_some(next)
}

/// Makes a subscription for the caller's organization; the answer carries the signing secret,
/// the only time it is shown.
///
/// # Errors
///
/// `422` with field errors from core; database or key failures.
pub async fn create_webhook(
    unit: &UnitOfWork<Webhook>,
    vault: &CardVault,
    caller: &Caller,
    request: &CreateWebhookRequest,
    max_webhooks: u32,
) -> Result<Webhook, AppError> {
    let valid = validate_webhook(request, caller.sandbox)?;
    let existing = unit.store().webhooks(caller.organization_id).await?.len();
    if existing >= max_webhooks as usize {
        return Err(AppError::conflict(
            ApiErrorCode::WebhookLimitReached,
            format!("The organization already has {existing} webhooks, the most allowed; delete one first."),
        ));
    }
    let id = Uuid::now_v7();
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|_| AppError::Internal)?;
    let secret = format!("whsec_{}", hex::encode(random));
    let sealed = vault.seal(secret.as_bytes(), id).map_err(|_| AppError::Internal)?;
    let answer = Webhook {
        id,
        url: valid.url.clone(),
        events: valid.events.clone(),
        secret: Some(secret),
        created_at: crate::store::now(),
    };
    let step = Step::InsertWebhook { webhook: Webhook { secret: None, ..answer.clone() }, secret_sealed: sealed };
    match unit.commit(Change::new(caller.organization_id).with(step), &answer).await? {
        Committed::Done => {}
        // A new id cannot be taken; nothing else can make the insert stale.
        Committed::Stale => return Err(AppError::Internal),
    }
    tracing::info!(webhook_id = %id, events = valid.events.len(), "webhook created");
    Ok(answer)
}

/// Resolves host names and keeps only addresses deliveries may go to.
#[derive(Debug, Clone, Copy)]
struct GuardedResolver {
    sandbox: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let sandbox = self.sandbox;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> =
                found.into_iter().filter(|addr| deliverable_address(addr.ip(), sandbox)).collect();
            if allowed.is_empty() {
                return Err("the host resolves to no address webhooks may reach".into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

fn client(sandbox: bool) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .user_agent(concat!("kycard-webhooks/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(ATTEMPT_TIMEOUT / 2)
        .timeout(ATTEMPT_TIMEOUT)
        .dns_resolver(Arc::new(GuardedResolver { sandbox }))
        .build()
}

/// Queues and sends webhook deliveries.
#[derive(Debug, Clone)]
pub struct Dispatcher {
    store: Store,
    vault: Arc<CardVault>,
    production: reqwest::Client,
    sandbox: reqwest::Client,
}

impl Dispatcher {
    /// A dispatcher with its HTTPS clients (system root certificates, TLS by rustls).
    ///
    /// # Errors
    ///
    /// When the TLS set-up fails (no usable root certificates).
    pub fn new(store: Store, vault: Arc<CardVault>) -> Result<Self, reqwest::Error> {
        // Several callers (tests, `serve`) may get here; the first install wins and is the same.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Ok(Self { store, vault, production: client(false)?, sandbox: client(true)? })
    }

    /// Runs forever: every second, queue new changes and start what is due and fits in the
    /// free slots; attempts end on their own time and free their slots.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            let mut lanes = Lanes::default();
            let mut running = JoinSet::new();
            let mut tick = tokio::time::interval(POLL_EVERY);
            loop {
                tokio::select! {
                    Some(ended) = running.join_next_with_id() => lanes.end(&ended),
                    _ = tick.tick() => {
                        if let Err(error) = self.queue_new_events().await {
                            tracing::error!(%error, "cannot queue webhook deliveries");
                        }
                        if let Err(error) = self.start_due(now(), &mut lanes, &mut running, &HashSet::new()).await {
                            tracing::error!(%error, "cannot send webhook deliveries");
                        }
                    }
                }
            }
        })
    }

    /// Attempts every delivery due at `at` once, fairly (as the running dispatcher does), and
    /// waits for the attempts; returns how many were made.
    ///
    /// # Errors
    ///
    /// When the database fails.
    pub async fn send_due(&self, at: DateTime<Utc>) -> Result<usize, StoreError> {
        let mut lanes = Lanes::default();
        let mut running = JoinSet::new();
        let mut attempted = HashSet::new();
        loop {
            let started = self.start_due(at, &mut lanes, &mut running, &attempted).await?;
            attempted.extend(lanes.running.iter().copied());
            let Some(ended) = running.join_next_with_id().await else {
                if started.is_empty() {
                    return Ok(attempted.len());
                }
                continue;
            };
            lanes.end(&ended);
        }
    }

    /// Starts the deliveries due at `at` that fit in the free slots, round-robin across
    /// organizations, skipping those in `skip`; returns the ids started.
    async fn start_due(
        &self,
        at: DateTime<Utc>,
        lanes: &mut Lanes,
        running: &mut JoinSet<()>,
        skip: &HashSet<Uuid>,
    ) -> Result<Vec<Uuid>, StoreError> {
        if lanes.running.len() >= IN_FLIGHT {
            return Ok(Vec::new());
        }
        let due = self.store.due_deliveries(at, LOOK_AHEAD_PER_WEBHOOK, LOOK_AHEAD).await?;
        let mut by_organization: Vec<(Uuid, VecDeque<DueDelivery>)> = Vec::new();
        for delivery in due {
            if lanes.running.contains(&delivery.id) || skip.contains(&delivery.id) {
                continue;
            }
            match by_organization.iter_mut().find(|(org, _)| *org == delivery.organization_id) {
                Some((_, queue)) => queue.push_back(delivery),
                None => by_organization.push((delivery.organization_id, VecDeque::from([delivery]))),
            }
        }
        // Within an organization, deliveries that never failed go before retries: an endpoint
        // that keeps timing out waits behind its healthy neighbours, not the other way round.
        for (_, queue) in &mut by_organization {
            queue.make_contiguous().sort_by_key(|delivery| delivery.attempts.len());
        }
        let mut started = Vec::new();
        // One delivery per organization per turn, while anyone has one that fits.
        while lanes.running.len() < IN_FLIGHT && !by_organization.is_empty() {
            by_organization.retain_mut(|(_, queue)| {
                while let Some(delivery) = queue.pop_front() {
                    if !lanes.fits(&delivery) {
                        continue;
                    }
                    if lanes.running.len() >= IN_FLIGHT {
                        return false;
                    }
                    started.push(delivery.id);
                    let slot = Slot {
                        delivery: delivery.id,
                        webhook: delivery.webhook_id,
                        organization: delivery.organization_id,
                    };
                    let dispatcher = self.clone();
                    let task = running.spawn(async move {
                        if let Err(error) = dispatcher.attempt(delivery).await {
                            tracing::error!(%error, "cannot record a webhook delivery attempt");
                        }
                    });
                    lanes.start(task.id(), slot);
                    return !queue.is_empty();
                }
                false
            });
        }
        Ok(started)
    }

    /// Turns changes committed since each webhook's cursor into deliveries; returns how many
    /// were queued.
    ///
    /// # Errors
    ///
    /// When the database fails (nothing is half-queued: each webhook moves in one transaction).
    pub async fn queue_new_events(&self) -> Result<usize, StoreError> {
        let mut queued = 0;
        for subscription in self.store.subscriptions().await? {
            queued += self.queue_for(&subscription).await?;
        }
        Ok(queued)
    }

    async fn queue_for(&self, subscription: &Subscription) -> Result<usize, StoreError> {
        let mut subscription = subscription.clone();
        let mut queued = 0;
        loop {
            let changes = self.store.changes_after(subscription.organization_id, subscription.cursor, BATCH).await?;
            let Some(last) = changes.last().map(|c| c.seq) else { return Ok(queued) };
            let deliveries: Vec<EventSource> = changes
                .iter()
                .map(EventSource::from)
                .filter(|source| subscription.events.contains(&source.event_type))
                .collect();
            self.store.queue_deliveries(&subscription, last, &deliveries).await?;
            queued += deliveries.len();
            subscription.cursor = last;
        }
    }

    async fn attempt(&self, delivery: DueDelivery) -> Result<(), StoreError> {
        let source = delivery.change;
        let started_at = now();
        // Another dispatcher (another instance) may have taken it since it was read.
        if !self.store.claim_delivery(delivery.id, started_at, started_at + DELIVERY_LEASE).await? {
            return Ok(());
        }
        let started = Instant::now();
        let Some(event) = public_event(&self.store, delivery.organization_id, &source).await? else {
            // Nothing to describe any more: retrying cannot help.
            let mut attempts = delivery.attempts;
            attempts.push(DeliveryAttempt {
                at: started_at,
                status_code: None,
                error: Some("the customer or card no longer exists".to_owned()),
                duration_ms: 0,
            });
            return self.store.record_delivery_attempt(delivery.id, &attempts, DeliveryStatus::Failed, None).await;
        };
        let outcome = self.post(&delivery, &event).await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (status_code, error) = match outcome {
            Ok(code) => (Some(code), None),
            Err(error) => (None, Some(error)),
        };
        let mut attempts = delivery.attempts;
        attempts.push(DeliveryAttempt { at: started_at, status_code, error, duration_ms });
        let succeeded = status_code.is_some_and(|code| (200..300).contains(&code));
        let failures = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
        let (status, next) = if succeeded {
            (DeliveryStatus::Succeeded, None)
        } else {
            match next_attempt(delivery.created_at, started_at, failures) {
                Some(next) => (DeliveryStatus::Pending, Some(next)),
                None => (DeliveryStatus::Failed, None),
            }
        };
        tracing::info!(
            webhook_id = %delivery.webhook_id, delivery_id = %delivery.id, attempt = failures,
            status_code, status = %status, "webhook delivery attempted"
        );
        self.store.record_delivery_attempt(delivery.id, &attempts, status, next).await
    }

    /// One signed `POST`; the receiver's status code, or why there was none.
    async fn post(
        &self,
        delivery: &DueDelivery,
        event: &kycard_core::wire::ApiEvent<serde_json::Value>,
    ) -> Result<u16, String> {
        // Host names are checked after resolution (GuardedResolver); literal addresses here.
        let literal = url::Url::parse(&delivery.url).ok().and_then(|u| match u.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        });
        if literal.is_some_and(|ip| !deliverable_address(ip, delivery.sandbox)) {
            return Err("the address is not one webhooks may reach".to_owned());
        }
        let secret =
            self.vault.unseal(&delivery.secret_sealed, delivery.webhook_id).map_err(|_| "cannot read the secret")?;
        let body = serde_json::to_vec(event).map_err(|_| "cannot encode the event")?;
        let client = if delivery.sandbox { &self.sandbox } else { &self.production };
        let response = client
            .post(&delivery.url)
            .header("content-type", "application/json")
            .header("kycard-signature", signature(&secret, now().timestamp(), &body))
            .header("kycard-delivery", delivery.id.to_string())
            .body(body)
            .send()
            .await
            .map_err(|error| describe(&error))?;
        Ok(response.status().as_u16())
    }
}

/// What an attempt in flight occupies.
#[derive(Debug, Clone, Copy)]
struct Slot {
    delivery: Uuid,
    webhook: Uuid,
    organization: Uuid,
}

/// Attempts in flight, by task, counted per webhook and per organization.
#[derive(Debug, Default)]
struct Lanes {
    tasks: HashMap<tokio::task::Id, Slot>,
    running: HashSet<Uuid>,
    per_webhook: HashMap<Uuid, usize>,
    per_organization: HashMap<Uuid, usize>,
}

impl Lanes {
    /// Whether `delivery` may start now: not already in flight, and its webhook and
    /// organization under their caps.
    fn fits(&self, delivery: &DueDelivery) -> bool {
        !self.running.contains(&delivery.id)
            && self.per_webhook.get(&delivery.webhook_id).copied().unwrap_or(0) < PER_WEBHOOK
            && self.per_organization.get(&delivery.organization_id).copied().unwrap_or(0) < PER_ORGANIZATION
    }

    fn start(&mut self, task: tokio::task::Id, slot: Slot) {
        self.running.insert(slot.delivery);
        *self.per_webhook.entry(slot.webhook).or_default() += 1;
        *self.per_organization.entry(slot.organization).or_default() += 1;
        self.tasks.insert(task, slot);
    }

    /// Frees the slots of an ended attempt, one that panicked too (its delivery stays pending
    /// and is tried again).
    fn end(&mut self, ended: &Result<(tokio::task::Id, ()), tokio::task::JoinError>) {
        let task = match ended {
            Ok((task, ())) => *task,
            Err(error) => {
                tracing::error!("a webhook delivery attempt panicked");
                error.id()
            }
        };
        let Some(slot) = self.tasks.remove(&task) else { return };
        self.running.remove(&slot.delivery);
        for (counts, key) in [(&mut self.per_webhook, slot.webhook), (&mut self.per_organization, slot.organization)] {
            if let Some(count) = counts.get_mut(&key) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(&key);
                }
            }
        }
    }
}

/// A short reason for a failed request, without the URL (it may carry tokens).
fn describe(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        "request failed".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_an_independent_hmac() {
        // Computed with Python: hmac.new(b"whsec_test", b"1700000000.{\"id\":\"1\"}", sha256).hexdigest()
        assert_eq!(
            signature(b"whsec_test", 1_700_000_000, br#"{"id":"1"}"#),
            "t=1700000000,v1=11bf4466ea17c3df3fd743af0b435368e16b7a05eb8eced85e8c4670767bdec5"
        );
    }

    #[test]
    fn retries_double_from_five_seconds_up_to_an_hour() {
        let waits: Vec<u64> = (1..=12).map(|n| retry_delay(n).as_secs()).collect();
        assert_eq!(waits, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]);
        assert_eq!(retry_delay(u32::MAX), MAX_RETRY);
    }

    #[test]
    fn retries_stop_after_24_hours() {
        let queued = now();
        let mut at = queued;
        let mut failures = 0;
        while let Some(next) = next_attempt(queued, at, failures + 1) {
            failures += 1;
            at = next;
        }
        assert!(at - queued <= chrono::Duration::hours(24));
        assert!(at - queued > chrono::Duration::hours(23), "retries keep going for most of the day");
        assert_eq!(failures, 32, "10 doublings to an hour, then hourly: 33 attempts in all");
    }
}
