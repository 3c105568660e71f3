//! The event log behind `GET /events`: the customer history, which every change already
//! writes in its own transaction, read back in order. An event exists exactly when its change
//! committed, and `Last-Event-ID` is a history sequence number.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// One committed change, as the event stream needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedChange {
    /// Position in the log; the SSE `id`.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// History event name, e.g. `document.uploaded`.
    pub event: String,
    /// State before (`status/stage` for customers, status for cards).
    pub from: Option<String>,
    /// State after.
    pub to: Option<String>,
    /// The customer.
    pub customer_id: Uuid,
    /// The card, for card events.
    pub card_id: Option<Uuid>,
}

/// The event log (the customer history, read in commit order).
#[async_trait]
pub trait EventStorage: Send + Sync {
    /// Changes of the organization after `after_seq`, oldest first, at most `limit`.
    async fn changes_after(
        &self,
        organization_id: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<LoggedChange>, StoreError>;

    /// The newest position in the log (where a stream without `Last-Event-ID` starts).
    async fn latest_change(&self, organization_id: Uuid) -> Result<i64, StoreError>;
}
