//! Webhook subscriptions and the delivery outbox.
//!
//! The dispatcher reads the history log from each webhook's cursor and turns subscribed
//! changes into delivery rows, moving the cursor in the same transaction, so every committed
//! change is queued exactly once even across crashes. Attempts are appended to their delivery.

use super::StoreError;
use crate::events::EventSource;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::wire::{DeliveryAttempt, DeliveryStatus, EventType, Webhook, WebhookDelivery};
use uuid::Uuid;

/// A subscription as the dispatcher needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The webhook.
    pub id: Uuid,
    /// Its organization.
    pub organization_id: Uuid,
    /// Subscribed types.
    pub events: Vec<EventType>,
    /// Last history seq already queued.
    pub cursor: i64,
}

/// A delivery whose next attempt is due, with what sending it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueDelivery {
    /// Delivery id.
    pub id: Uuid,
    /// The webhook.
    pub webhook_id: Uuid,
    /// The webhook's organization.
    pub organization_id: Uuid,
    /// Whether that organization is a sandbox.
    pub sandbox: bool,
    /// Target.
    pub url: String,
    /// The sealed signing secret.
    pub secret_sealed: Vec<u8>,
    /// The change.
    pub change: EventSource,
    /// Attempts so far.
    pub attempts: Vec<DeliveryAttempt>,
    /// When it was queued (retries stop 24 hours later).
    pub created_at: DateTime<Utc>,
}

/// Webhook subscriptions and the delivery outbox.
#[async_trait]
pub trait WebhookStorage: Send + Sync {
    /// The organization's webhooks, oldest first (without secrets).
    async fn webhooks(&self, organization_id: Uuid) -> Result<Vec<Webhook>, StoreError>;

    /// One webhook of the organization.
    async fn webhook(&self, organization_id: Uuid, id: Uuid) -> Result<Option<Webhook>, StoreError>;

    /// Deletes a webhook and its deliveries; false when the organization has no such webhook.
    async fn delete_webhook(&self, organization_id: Uuid, id: Uuid) -> Result<bool, StoreError>;

    /// Every subscription of every organization, for the dispatcher.
    async fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError>;

    /// Queues `deliveries` for a webhook and moves its cursor to `cursor`, in one transaction.
    /// A cursor that already moved past (another dispatcher) leaves everything as it was.
    async fn queue_deliveries(
        &self,
        subscription: &Subscription,
        cursor: i64,
        deliveries: &[EventSource],
    ) -> Result<(), StoreError>;

    /// Pending deliveries due at `at` that no dispatcher holds: at most `per_webhook` of each webhook (its oldest
    /// events), interleaved so that every webhook's first comes before any webhook's second;
    /// at most `limit` in all. A webhook with a large backlog cannot crowd the others out.
    async fn due_deliveries(
        &self,
        at: DateTime<Utc>,
        per_webhook: u32,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError>;

    /// Claims a pending delivery until `until`, unless another dispatcher holds it: whoever
    /// gets `true` sends it. Recording its attempt ends the claim.
    async fn claim_delivery(&self, id: Uuid, at: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool, StoreError>;

    /// Stores the attempts of a delivery, its new status and when to try next.
    async fn record_delivery_attempt(
        &self,
        id: Uuid,
        attempts: &[DeliveryAttempt],
        status: DeliveryStatus,
        next_attempt_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;

    /// The webhook's deliveries, newest first, at most `limit`; `None` when the organization
    /// has no such webhook.
    async fn deliveries(
        &self,
        organization_id: Uuid,
        webhook_id: Uuid,
        limit: u32,
    ) -> Result<Option<Vec<WebhookDelivery>>, StoreError>;
}
