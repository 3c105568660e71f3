//! The event log on `PostgreSQL`: the numbered history lines of an organization, in `seq`
//! order (see [`super::sequencer`]).

use super::PostgresStore;
use super::sequencer::{Turn, sequence};
use crate::store::{EventStorage, LoggedChange, StoreError};
use async_trait::async_trait;
use sqlx::Row;
use uuid::Uuid;

#[async_trait]
impl EventStorage for PostgresStore {
    async fn changes_after(
        &self,
        organization_id: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<LoggedChange>, StoreError> {
        sequence(self.pool(), Turn::Wait).await?;
        let rows = sqlx::query(
            "SELECT seq, at, event, from_state, to_state, customer_id, card_id FROM customer_history \
             WHERE organization_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(organization_id)
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LoggedChange {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    event: r.try_get("event")?,
                    from: r.try_get("from_state")?,
                    to: r.try_get("to_state")?,
                    customer_id: r.try_get("customer_id")?,
                    card_id: r.try_get("card_id")?,
                })
            })
            .collect()
    }

    async fn latest_change(&self, organization_id: Uuid) -> Result<i64, StoreError> {
        sequence(self.pool(), Turn::Wait).await?;
        let (seq,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM customer_history WHERE organization_id = $1")
            .bind(organization_id)
            .fetch_one(self.pool())
            .await?;
        Ok(seq.unwrap_or(0))
    }
}
