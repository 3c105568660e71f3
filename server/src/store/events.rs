//! The event log behind `GET /events`: the customer history, which every change already
//! writes in its own transaction, read back in order. An event exists exactly when its change
//! committed, and `Last-Event-ID` is a history sequence number.

use super::{SqliteStore, StoreError, parse_id, parse_time};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
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

#[async_trait]
impl EventStorage for SqliteStore {
    async fn changes_after(
        &self,
        organization_id: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<LoggedChange>, StoreError> {
        let rows = sqlx::query(
            "SELECT h.seq, h.at, h.event, h.from_state, h.to_state, h.customer_id, h.card_id FROM customer_history h \
             JOIN customers c ON c.id = h.customer_id \
             WHERE c.organization_id = ? AND h.seq > ? ORDER BY h.seq LIMIT ?",
        )
        .bind(organization_id.to_string())
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let card_id: Option<String> = r.get("card_id");
                Ok(LoggedChange {
                    seq: r.get("seq"),
                    at: parse_time(r.get("at"), "customer_history")?,
                    event: r.get("event"),
                    from: r.get("from_state"),
                    to: r.get("to_state"),
                    customer_id: parse_id(r.get("customer_id"), "customer_history")?,
                    card_id: card_id.map(|id| parse_id(&id, "customer_history")).transpose()?,
                })
            })
            .collect()
    }

    async fn latest_change(&self, organization_id: Uuid) -> Result<i64, StoreError> {
        let (seq,): (Option<i64>,) = sqlx::query_as(
            "SELECT MAX(h.seq) FROM customer_history h JOIN customers c ON c.id = h.customer_id WHERE c.organization_id = ?",
        )
        .bind(organization_id.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(seq.unwrap_or(0))
    }
}
