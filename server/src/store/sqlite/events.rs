//! The event log on `SQLite`: the customer history in `seq` order.

use super::{SqliteStore, parse_id, parse_time};
use crate::store::EventStorage;
use crate::store::LoggedChange;
use crate::store::StoreError;
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

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
