//! Webhook subscriptions and the delivery outbox on `PostgreSQL`.

use super::PostgresStore;
use crate::events::EventSource;
use crate::store::{DueDelivery, StoreError, Subscription, WebhookStorage, now};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::wire::{DeliveryAttempt, DeliveryStatus, EventType, Webhook, WebhookDelivery};
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use uuid::Uuid;

fn corrupt() -> StoreError {
    StoreError::Corrupt("webhooks")
}

fn webhook_from(row: &PgRow) -> Result<Webhook, StoreError> {
    let Json(events): Json<Vec<EventType>> = row.try_get("events")?;
    Ok(Webhook {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        events,
        secret: None,
        created_at: row.try_get("created_at")?,
    })
}

fn change_from(row: &PgRow) -> Result<EventSource, StoreError> {
    Ok(EventSource {
        seq: row.try_get("event_seq")?,
        event_type: EventType::parse(row.try_get("event_type")?).ok_or_else(corrupt)?,
        at: row.try_get("event_at")?,
        customer_id: row.try_get("customer_id")?,
        card_id: row.try_get("card_id")?,
    })
}

#[async_trait]
impl WebhookStorage for PostgresStore {
    async fn webhooks(&self, organization_id: Uuid) -> Result<Vec<Webhook>, StoreError> {
        let rows =
            sqlx::query("SELECT id, url, events, created_at FROM webhooks WHERE organization_id = $1 ORDER BY id")
                .bind(organization_id)
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(webhook_from).collect()
    }

    async fn webhook(&self, organization_id: Uuid, id: Uuid) -> Result<Option<Webhook>, StoreError> {
        let row =
            sqlx::query("SELECT id, url, events, created_at FROM webhooks WHERE id = $1 AND organization_id = $2")
                .bind(id)
                .bind(organization_id)
                .fetch_optional(self.pool())
                .await?;
        row.as_ref().map(webhook_from).transpose()
    }

    async fn delete_webhook(&self, organization_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM webhooks WHERE id = $1 AND organization_id = $2")
            .bind(id)
            .bind(organization_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        let rows = sqlx::query("SELECT id, organization_id, events, cursor_seq FROM webhooks ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                let Json(events): Json<Vec<EventType>> = row.try_get("events")?;
                Ok(Subscription {
                    id: row.try_get("id")?,
                    organization_id: row.try_get("organization_id")?,
                    events,
                    cursor: row.try_get("cursor_seq")?,
                })
            })
            .collect()
    }

    async fn queue_deliveries(
        &self,
        subscription: &Subscription,
        cursor: i64,
        deliveries: &[EventSource],
    ) -> Result<(), StoreError> {
        let at = now();
        let mut tx = self.pool().begin().await?;
        // Another instance that moved the cursor first has queued these: leave everything.
        let moved = sqlx::query("UPDATE webhooks SET cursor_seq = $1 WHERE id = $2 AND cursor_seq = $3")
            .bind(cursor)
            .bind(subscription.id)
            .bind(subscription.cursor)
            .execute(&mut *tx)
            .await?;
        if moved.rows_affected() != 1 {
            return Ok(());
        }
        for delivery in deliveries {
            sqlx::query(
                "INSERT INTO webhook_deliveries (id, webhook_id, event_seq, event_type, event_at, customer_id, \
                 card_id, status, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8) \
                 ON CONFLICT (webhook_id, event_seq) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(subscription.id)
            .bind(delivery.seq)
            .bind(delivery.event_type.as_str())
            .bind(delivery.at)
            .bind(delivery.customer_id)
            .bind(delivery.card_id)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn due_deliveries(
        &self,
        at: DateTime<Utc>,
        per_webhook: u32,
        limit: u32,
    ) -> Result<Vec<DueDelivery>, StoreError> {
        let rows = sqlx::query(
            "SELECT d.id, d.webhook_id, w.organization_id, o.sandbox, w.url, w.secret_sealed, d.event_seq, \
                    d.event_type, d.event_at, d.customer_id, d.card_id, d.attempts, d.created_at \
             FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY webhook_id ORDER BY event_seq, id) AS lane_rank \
                   FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 \
                     AND (claimed_until IS NULL OR claimed_until <= $1)) d \
             JOIN webhooks w ON w.id = d.webhook_id \
             JOIN organizations o ON o.id = w.organization_id \
             WHERE d.lane_rank <= $2 ORDER BY d.lane_rank, d.event_seq, d.id LIMIT $3",
        )
        .bind(at)
        .bind(i64::from(per_webhook))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let Json(attempts): Json<Vec<DeliveryAttempt>> = row.try_get("attempts")?;
                Ok(DueDelivery {
                    id: row.try_get("id")?,
                    webhook_id: row.try_get("webhook_id")?,
                    organization_id: row.try_get("organization_id")?,
                    sandbox: row.try_get("sandbox")?,
                    url: row.try_get("url")?,
                    secret_sealed: row.try_get("secret_sealed")?,
                    change: change_from(row)?,
                    attempts,
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn claim_delivery(&self, id: Uuid, at: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id = $2 AND status = 'pending' \
             AND (claimed_until IS NULL OR claimed_until <= $3)",
        )
        .bind(until)
        .bind(id)
        .bind(at)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    async fn record_delivery_attempt(
        &self,
        id: Uuid,
        attempts: &[DeliveryAttempt],
        status: DeliveryStatus,
        next_attempt_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = $1, status = $2, next_attempt_at = $3, claimed_until = NULL \
             WHERE id = $4",
        )
        .bind(Json(attempts))
        .bind(status.as_str())
        .bind(next_attempt_at)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn deliveries(
        &self,
        organization_id: Uuid,
        webhook_id: Uuid,
        limit: u32,
    ) -> Result<Option<Vec<WebhookDelivery>>, StoreError> {
        if self.webhook(organization_id, webhook_id).await?.is_none() {
            return Ok(None);
        }
        let rows = sqlx::query(
            "SELECT id, event_seq, event_type, event_at, customer_id, card_id, status, attempts, next_attempt_at, \
                    created_at FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY event_seq DESC LIMIT $2",
        )
        .bind(webhook_id)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let status = DeliveryStatus::parse(row.try_get("status")?).ok_or_else(corrupt)?;
                let change = change_from(row)?;
                let Json(attempts): Json<Vec<DeliveryAttempt>> = row.try_get("attempts")?;
                let next: Option<DateTime<Utc>> = row.try_get("next_attempt_at")?;
                Ok(WebhookDelivery {
                    id: row.try_get("id")?,
                    event_id: change.seq.to_string(),
                    event_type: change.event_type,
                    status,
                    attempts,
                    next_attempt_at: next.filter(|_| status == DeliveryStatus::Pending),
                    created_at: row.try_get("created_at")?,
                })
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }
}
