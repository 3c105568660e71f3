//! Webhook subscriptions and the delivery outbox on `SQLite`.

use super::writer::ExecuteWrite;
use super::{SqliteStore, parse_id, parse_time};
use crate::events::EventSource;
use crate::store::DueDelivery;
use crate::store::Subscription;
use crate::store::WebhookStorage;
use crate::store::{StoreError, now};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::wire::{DeliveryAttempt, DeliveryStatus, EventType, Webhook, WebhookDelivery};
use sqlx::Row;
use uuid::Uuid;

fn corrupt() -> StoreError {
    StoreError::Corrupt("webhooks")
}

fn events_from(raw: &str) -> Result<Vec<EventType>, StoreError> {
    serde_json::from_str(raw).map_err(|_| corrupt())
}

fn webhook_from(row: &sqlx::sqlite::SqliteRow) -> Result<Webhook, StoreError> {
    Ok(Webhook {
        id: parse_id(row.get("id"), "webhooks")?,
        url: row.get("url"),
        events: events_from(row.get("events"))?,
        secret: None,
        created_at: parse_time(row.get("created_at"), "webhooks")?,
    })
}

fn change_from(row: &sqlx::sqlite::SqliteRow) -> Result<EventSource, StoreError> {
    let card_id: Option<String> = row.get("card_id");
    Ok(EventSource {
        seq: row.get("event_seq"),
        event_type: EventType::parse(row.get("event_type")).ok_or_else(corrupt)?,
        at: parse_time(row.get("event_at"), "webhook_deliveries")?,
        customer_id: parse_id(row.get("customer_id"), "webhook_deliveries")?,
        card_id: card_id.map(|id| parse_id(&id, "webhook_deliveries")).transpose()?,
    })
}

#[async_trait]
impl WebhookStorage for SqliteStore {
    async fn webhooks(&self, organization_id: Uuid) -> Result<Vec<Webhook>, StoreError> {
        let rows =
            sqlx::query("SELECT id, url, events, created_at FROM webhooks WHERE organization_id = ? ORDER BY id")
                .bind(organization_id.to_string())
                .fetch_all(self.pool())
                .await?;
        rows.iter().map(webhook_from).collect()
    }

    async fn webhook(&self, organization_id: Uuid, id: Uuid) -> Result<Option<Webhook>, StoreError> {
        let row = sqlx::query("SELECT id, url, events, created_at FROM webhooks WHERE id = ? AND organization_id = ?")
            .bind(id.to_string())
            .bind(organization_id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(webhook_from).transpose()
    }

    async fn delete_webhook(&self, organization_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM webhooks WHERE id = ? AND organization_id = ?")
            .bind(id.to_string())
            .bind(organization_id.to_string())
            .execute_write(self.writer())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn subscriptions(&self) -> Result<Vec<Subscription>, StoreError> {
        let rows = sqlx::query("SELECT id, organization_id, events, cursor_seq FROM webhooks ORDER BY id")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Subscription {
                    id: parse_id(row.get("id"), "webhooks")?,
                    organization_id: parse_id(row.get("organization_id"), "webhooks")?,
                    events: events_from(row.get("events"))?,
                    cursor: row.get("cursor_seq"),
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
        let at = now().to_rfc3339();
        let mut tx = self.writer().begin().await?;
        let moved = sqlx::query("UPDATE webhooks SET cursor_seq = ? WHERE id = ? AND cursor_seq = ?")
            .bind(cursor)
            .bind(subscription.id.to_string())
            .bind(subscription.cursor)
            .execute(&mut *tx)
            .await?;
        if moved.rows_affected() != 1 {
            return Ok(());
        }
        for delivery in deliveries {
            sqlx::query(
                "INSERT OR IGNORE INTO webhook_deliveries \
                 (id, webhook_id, event_seq, event_type, event_at, customer_id, card_id, status, next_attempt_at, created_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(subscription.id.to_string())
            .bind(delivery.seq)
            .bind(delivery.event_type.as_str())
            .bind(delivery.at.to_rfc3339())
            .bind(delivery.customer_id.to_string())
            .bind(delivery.card_id.map(|id| id.to_string()))
            .bind(&at)
            .bind(&at)
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
                   FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? \
                     AND (claimed_until IS NULL OR claimed_until <= ?)) d \
             JOIN webhooks w ON w.id = d.webhook_id \
             JOIN organizations o ON o.id = w.organization_id \
             WHERE d.lane_rank <= ? ORDER BY d.lane_rank, d.event_seq, d.id LIMIT ?",
        )
        .bind(at.to_rfc3339())
        .bind(at.to_rfc3339())
        .bind(i64::from(per_webhook))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DueDelivery {
                    id: parse_id(row.get("id"), "webhook_deliveries")?,
                    webhook_id: parse_id(row.get("webhook_id"), "webhook_deliveries")?,
                    organization_id: parse_id(row.get("organization_id"), "webhooks")?,
                    sandbox: row.get("sandbox"),
                    url: row.get("url"),
                    secret_sealed: row.get("secret_sealed"),
                    change: change_from(row)?,
                    attempts: serde_json::from_str(row.get("attempts")).map_err(|_| corrupt())?,
                    created_at: parse_time(row.get("created_at"), "webhook_deliveries")?,
                })
            })
            .collect()
    }

    async fn claim_delivery(&self, id: Uuid, at: DateTime<Utc>, until: DateTime<Utc>) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE webhook_deliveries SET claimed_until = ? WHERE id = ? AND status = 'pending' \
             AND (claimed_until IS NULL OR claimed_until <= ?)",
        )
        .bind(until.to_rfc3339())
        .bind(id.to_string())
        .bind(at.to_rfc3339())
        .execute_write(self.writer())
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
            "UPDATE webhook_deliveries SET attempts = ?, status = ?, next_attempt_at = ?, claimed_until = NULL \
                     WHERE id = ?",
        )
        .bind(serde_json::to_string(attempts).map_err(|_| corrupt())?)
        .bind(status.as_str())
        .bind(next_attempt_at.map(|t| t.to_rfc3339()))
        .bind(id.to_string())
        .execute_write(self.writer())
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
                    created_at FROM webhook_deliveries WHERE webhook_id = ? ORDER BY event_seq DESC LIMIT ?",
        )
        .bind(webhook_id.to_string())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let next: Option<String> = row.get("next_attempt_at");
                let status = DeliveryStatus::parse(row.get("status")).ok_or_else(corrupt)?;
                let change = change_from(row)?;
                Ok(WebhookDelivery {
                    id: parse_id(row.get("id"), "webhook_deliveries")?,
                    event_id: change.seq.to_string(),
                    event_type: change.event_type,
                    status,
                    attempts: serde_json::from_str(row.get("attempts")).map_err(|_| corrupt())?,
                    next_attempt_at: next
                        .filter(|_| status == DeliveryStatus::Pending)
                        .map(|t| parse_time(&t, "webhook_deliveries"))
                        .transpose()?,
                    created_at: parse_time(row.get("created_at"), "webhook_deliveries")?,
                })
            })
            .collect::<Result<_, _>>()
            .map(Some)
    }
}
