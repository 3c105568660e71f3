//! `GET /events`: Server-Sent Events of the caller's organization, resumable with
//! `Last-Event-ID`. The payload is the customer or card as the API returns it when the event
//! is sent (so a client always sees current state).
//!
//! A credential holds at most `--max-streams-per-credential` streams at once (`429
//! too_many_streams` beyond), and a stream ends within [`RECHECK`] of its credential ending
//! (a revoked key, a signed-out, expired or idle session).

use crate::error::AppError;
use crate::events::{EventSource, public_event};
use crate::http::AppState;
use crate::http::extract::Credential;
use crate::store::{Caller, LoggedChange, Store};
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::Stream;
use kycard_core::wire::ErrorResponse;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/events", get(events))
}

/// How long a stream waits after a failed read before reading again.
const RETRY_READ: Duration = Duration::from_secs(1);
/// Changes read per query.
const BATCH: u32 = 100;
/// How often a stream checks that its credential still works.
pub const RECHECK: Duration = Duration::from_secs(5);

/// Event streams open per credential (by the credential's digest; an entry goes when its
/// last stream closes, so memory follows the open streams).
#[derive(Debug, Default)]
pub struct StreamSlots {
    open: Mutex<HashMap<String, u32>>,
}

impl StreamSlots {
    /// Takes a slot for `credential`, or refuses past `limit`.
    fn take(self: &Arc<Self>, credential: &Credential, limit: u32) -> Result<StreamSlot, AppError> {
        let digest = credential.digest();
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(digest.clone()).or_insert(0);
        if *count >= limit {
            return Err(AppError::TooManyStreams { limit });
        }
        *count += 1;
        Ok(StreamSlot { slots: self.clone(), digest })
    }
}

/// One open stream's slot, given back when the stream is dropped (the client left, or the
/// stream ended).
#[derive(Debug)]
struct StreamSlot {
    slots: Arc<StreamSlots>,
    digest: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.digest) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                open.remove(&self.digest);
            }
        }
    }
}

/// What a stream carries between events.
struct Cursor {
    store: Store,
    /// Organizations whose changes commit (on any instance), to wake up on.
    changes: tokio::sync::broadcast::Receiver<Uuid>,
    last: i64,
    queue: VecDeque<LoggedChange>,
    credential: Credential,
    checked: Instant,
    _slot: StreamSlot,
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(("Last-Event-ID" = Option<String>, Header, description = "Resume after this event")), responses((status = 200, description = "text/event-stream of {id, type, created_at, data}; ends when the credential stops working", content_type = "text/event-stream"), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 429, description = "too_many_streams: this credential holds as many streams as it may", body = ErrorResponse)))]
pub(super) async fn events(
    State(state): State<AppState>,
    caller: Caller,
    credential: Credential,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    // Listening before the first read: a change committed in between still wakes the stream.
    let changes = state.store.changes();
    let start = match headers.get("last-event-id") {
        Some(value) => {
            value.to_str().ok().and_then(|v| v.trim().parse::<i64>().ok()).filter(|n| *n >= 0).ok_or_else(|| {
                AppError::MalformedRequest("`Last-Event-ID` must be the `id` of an event you received.".to_owned())
            })?
        }
        None => state.store.latest_change(caller.organization_id).await?,
    };
    let slot = state.streams.take(&credential, state.limits.streams_per_credential)?;
    let org = caller.organization_id;
    let cursor = Cursor {
        store: state.store.clone(),
        changes,
        last: start,
        queue: VecDeque::new(),
        credential,
        checked: Instant::now(),
        _slot: slot,
    };
    let stream = futures_util::stream::unfold(cursor, move |mut cursor| async move {
        loop {
            if cursor.checked.elapsed() >= RECHECK {
                // An unreachable database keeps the stream: it asks again at the next check.
                if let Ok(false) = cursor.credential.is_valid(&cursor.store).await {
                    return None;
                }
                cursor.checked = Instant::now();
            }
            if let Some(change) = cursor.queue.pop_front() {
                cursor.last = change.seq;
                if let Some(event) = to_event(&cursor.store, org, &change).await {
                    return Some((Ok(event), cursor));
                }
                continue;
            }
            match cursor.store.changes_after(org, cursor.last, BATCH).await {
                Ok(changes) if !changes.is_empty() => cursor.queue.extend(changes),
                Ok(_) => cursor.wait_for_change(org).await,
                Err(error) => {
                    tracing::error!(%error, "event stream cannot read changes");
                    tokio::time::sleep(RETRY_READ).await;
                }
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

impl Cursor {
    /// Waits until a change of `org` commits (announced by the store, whichever instance
    /// made it), or at most [`RECHECK`]: a missed announcement costs a delay, never an
    /// event, since the stream reads the log again either way.
    async fn wait_for_change(&mut self, org: Uuid) {
        let changes = &mut self.changes;
        let announced = async {
            loop {
                match changes.recv().await {
                    Ok(organization) if organization == org => return,
                    Ok(_) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => return,
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
                }
            }
        };
        let _ = tokio::time::timeout(RECHECK, announced).await;
    }
}

/// The SSE event for a logged change; `None` when it has no public form.
async fn to_event(store: &Store, org: Uuid, change: &LoggedChange) -> Option<Event> {
    let event = public_event(store, org, &EventSource::from(change)).await.ok()??;
    Some(Event::default().id(&event.id).event(&event.event_type).data(serde_json::to_string(&event).ok()?))
}
