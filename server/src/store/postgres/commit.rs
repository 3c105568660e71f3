//! [`ChangeStorage`] on `PostgreSQL`: a change is one transaction.
//!
//! Steps with a condition are written so that two instances racing for the same record meet
//! in the database: a customer update matches only its version (a second update waits for the
//! first's row lock, then finds the version moved), a card is issued only under the
//! customer's row lock (so two issues cannot both count the cards below the limit).
//!
//! History lines are written without their event number: the sequencer numbers them once
//! committed (see [`super::sequencer`]); the commit wakes this instance's.

use super::PostgresStore;
use super::sequencer::{Turn, sequence};
use crate::store::change::{Change, ChangeStorage, Committed, DocumentVerdict, Step};
use crate::store::{CustomerRecord, DocumentRecord, HistoryLine, NewCard, StoreError, now};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::card::CardStatus;
use kycard_core::documents::DocumentKind;
use kycard_core::status::CustomerState;
use kycard_core::wire::{Card, Webhook};
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

#[async_trait]
impl ChangeStorage for PostgresStore {
    async fn commit(&self, change: &Change) -> Result<Committed, StoreError> {
        if change.steps.iter().any(|step| matches!(step, Step::InsertWebhook { .. })) {
            // A subscription starts after the newest change committed so far: number them all.
            sequence(self.pool(), Turn::Wait).await?;
        }
        let mut tx = self.pool().begin().await?;
        let organization_id = change.organization_id;
        for step in &change.steps {
            let held = match step {
                Step::InsertCustomer(record) => insert_customer(&mut tx, organization_id, record).await?,
                Step::UpdateCustomer { expected_version, record } => {
                    update_customer(&mut tx, organization_id, *expected_version, record).await?
                }
                Step::SupersedeDocuments { customer_id, kinds, at } => {
                    supersede(&mut tx, *customer_id, kinds, *at).await?
                }
                Step::InsertDocument(document) => insert_document(&mut tx, organization_id, document).await?,
                Step::DocumentVerdict(verdict) => set_verdict(&mut tx, organization_id, verdict).await?,
                Step::InsertCard { card, max_cards } => insert_card(&mut tx, organization_id, card, *max_cards).await?,
                Step::CardStatus { card, to, at } => set_card_status(&mut tx, organization_id, card, *to, *at).await?,
                Step::InsertWebhook { webhook, secret_sealed } => {
                    insert_webhook(&mut tx, organization_id, webhook, secret_sealed).await?
                }
                Step::RenewalNotice { customer_id, expires_on, kind } => {
                    renewal_notice(&mut tx, *customer_id, *expires_on, kind).await?
                }
                Step::History { customer_id, at, line } => {
                    write_history(&mut tx, organization_id, *customer_id, *at, line).await?;
                    true
                }
            };
            if !held {
                // Dropping the transaction rolls it back: nothing of the change stays.
                return Ok(Committed::Stale);
            }
        }
        if let Some(answer) = &change.answer {
            super::idempotency::complete_in(&mut tx, organization_id, answer).await?;
        }
        tx.commit().await?;
        if change.steps.iter().any(|step| matches!(step, Step::History { .. })) {
            // This instance's sequencer numbers the new lines (no notification in the
            // transaction: committing one would wait for every other notifying commit).
            self.sequence_soon();
        }
        Ok(Committed::Done)
    }
}

async fn write_history(
    tx: &mut PgConnection,
    organization_id: Uuid,
    customer_id: Uuid,
    at: DateTime<Utc>,
    line: &HistoryLine,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO customer_history (organization_id, customer_id, at, actor_kind, actor_id, event, from_state, \
         to_state, reason, checks, card_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11)",
    )
    .bind(organization_id)
    .bind(customer_id)
    .bind(at)
    .bind(line.actor.kind.as_str())
    .bind(line.actor.id)
    .bind(line.event)
    .bind(&line.from)
    .bind(&line.to)
    .bind(&line.reason)
    .bind(&line.checks)
    .bind(line.card_id)
    .execute(tx)
    .await?;
    Ok(())
}

async fn insert_customer(
    tx: &mut PgConnection,
    organization_id: Uuid,
    record: &CustomerRecord,
) -> Result<bool, StoreError> {
    sqlx::query(
        "INSERT INTO customers (id, organization_id, version, created_at, updated_at, data, individual_cards, \
         status, stage, resubmittable, decided_at, required_documents, flags, search) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(record.id)
    .bind(organization_id)
    .bind(record.version)
    .bind(record.created_at)
    .bind(record.updated_at)
    .bind(Json(&record.data))
    .bind(record.data.individual_cards.unwrap_or(false))
    .bind(record.state.map(|s| s.status().as_str()))
    .bind(record.state.map(|s| s.stage().as_str()))
    .bind(record.state.is_none_or(CustomerState::resubmittable))
    .bind(record.decided_at)
    .bind(Json(&record.required_documents))
    .bind(Json(&record.flags))
    .bind(kycard_core::search::terms(&record.data))
    .execute(&mut *tx)
    .await?;
    sync_review_job(tx, organization_id, record).await?;
    Ok(true)
}

async fn update_customer(
    tx: &mut PgConnection,
    organization_id: Uuid,
    expected_version: i64,
    record: &CustomerRecord,
) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE customers SET version = $1, updated_at = $2, data = $3, individual_cards = $4, status = $5, \
         stage = $6, resubmittable = $7, decided_at = $8, required_documents = $9, flags = $10, search = $11 \
         WHERE id = $12 AND organization_id = $13 AND version = $14",
    )
    .bind(record.version)
    .bind(record.updated_at)
    .bind(Json(&record.data))
    .bind(record.data.individual_cards.unwrap_or(false))
    .bind(record.state.map(|s| s.status().as_str()))
    .bind(record.state.map(|s| s.stage().as_str()))
    .bind(record.state.is_none_or(CustomerState::resubmittable))
    .bind(record.decided_at)
    .bind(Json(&record.required_documents))
    .bind(Json(&record.flags))
    .bind(kycard_core::search::terms(&record.data))
    .bind(record.id)
    .bind(organization_id)
    .bind(expected_version)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Ok(false);
    }
    sync_review_job(tx, organization_id, record).await?;
    Ok(true)
}

/// Keeps the automatic review queue in step with the customer, in the change's transaction.
async fn sync_review_job(
    tx: &mut PgConnection,
    organization_id: Uuid,
    record: &CustomerRecord,
) -> Result<(), StoreError> {
    if record.awaits_automatic_review() {
        sqlx::query(
            "INSERT INTO review_jobs (customer_id, organization_id, enqueued_at) VALUES ($1, $2, $3) \
             ON CONFLICT (customer_id) DO NOTHING",
        )
        .bind(record.id)
        .bind(organization_id)
        .bind(record.updated_at)
        .execute(tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM review_jobs WHERE customer_id = $1").bind(record.id).execute(tx).await?;
    }
    Ok(())
}

async fn supersede(
    tx: &mut PgConnection,
    customer_id: Uuid,
    kinds: &[DocumentKind],
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
    sqlx::query(
        "UPDATE documents SET superseded_at = $1 WHERE customer_id = $2 AND superseded_at IS NULL AND kind = ANY($3)",
    )
    .bind(at)
    .bind(customer_id)
    .bind(kinds)
    .execute(tx)
    .await?;
    Ok(true)
}

async fn insert_document(
    tx: &mut PgConnection,
    organization_id: Uuid,
    document: &DocumentRecord,
) -> Result<bool, StoreError> {
    supersede(tx, document.customer_id, &[document.kind], document.uploaded_at).await?;
    sqlx::query(
        "INSERT INTO documents (id, organization_id, customer_id, kind, content_type, size, sha256, content, \
         has_preview, issued_on, state, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(document.id)
    .bind(organization_id)
    .bind(document.customer_id)
    .bind(document.kind.as_str())
    .bind(document.content_type.as_str())
    .bind(i64::try_from(document.size).unwrap_or(i64::MAX))
    .bind(&document.sha256)
    .bind(document.content.as_ref().map(Json))
    .bind(document.has_preview)
    .bind(document.issued_on)
    .bind(document.state.as_str())
    .bind(document.uploaded_at)
    .execute(tx)
    .await?;
    Ok(true)
}

async fn set_verdict(
    tx: &mut PgConnection,
    organization_id: Uuid,
    verdict: &DocumentVerdict,
) -> Result<bool, StoreError> {
    sqlx::query(
        "UPDATE documents SET state = $1, flag_code = $2, flag_message = $3 WHERE id = $4 AND organization_id = $5",
    )
    .bind(verdict.state.as_str())
    .bind(verdict.flag.as_ref().map(|f| f.0.as_str()))
    .bind(verdict.flag.as_ref().map(|f| f.1.clone()))
    .bind(verdict.id)
    .bind(organization_id)
    .execute(tx)
    .await?;
    Ok(true)
}

async fn insert_card(
    tx: &mut PgConnection,
    organization_id: Uuid,
    card: &NewCard,
    max_cards: u32,
) -> Result<bool, StoreError> {
    // The customer's row lock: a concurrent issue for the same customer waits here, then
    // counts this card.
    let holder: Option<(i32,)> = sqlx::query_as(
        "SELECT 1 FROM customers WHERE id = $1 AND organization_id = $2 AND status = 'active' AND version = $3 \
         FOR UPDATE",
    )
    .bind(card.customer_id)
    .bind(organization_id)
    .bind(card.checked_customer_version)
    .fetch_optional(&mut *tx)
    .await?;
    if holder.is_none() {
        return Ok(false);
    }
    let (held,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cards WHERE customer_id = $1 AND status != 'canceled'")
        .bind(card.customer_id)
        .fetch_one(&mut *tx)
        .await?;
    if held >= i64::from(max_cards) {
        return Ok(false);
    }
    let month = i32::try_from(card.exp_month).map_err(|_| StoreError::Corrupt("cards"))?;
    sqlx::query(
        "INSERT INTO cards (id, organization_id, customer_id, type, status, last4, number_encrypted, exp_month, \
         exp_year, cardholder_name, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
    )
    .bind(card.id)
    .bind(organization_id)
    .bind(card.customer_id)
    .bind(card.card_type.as_str())
    .bind(CardStatus::Active.as_str())
    .bind(&card.last4)
    .bind(&card.number_encrypted)
    .bind(month)
    .bind(card.exp_year)
    .bind(&card.cardholder_name)
    .bind(card.created_at)
    .execute(tx)
    .await?;
    Ok(true)
}

async fn set_card_status(
    tx: &mut PgConnection,
    organization_id: Uuid,
    card: &Card,
    to: CardStatus,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed = sqlx::query(
        "UPDATE cards SET status = $1, updated_at = $2 WHERE id = $3 AND organization_id = $4 AND status = $5",
    )
    .bind(to.as_str())
    .bind(at)
    .bind(card.id)
    .bind(organization_id)
    .bind(card.status.as_str())
    .execute(tx)
    .await?
    .rows_affected();
    Ok(changed == 1)
}

async fn insert_webhook(
    tx: &mut PgConnection,
    organization_id: Uuid,
    webhook: &Webhook,
    secret_sealed: &[u8],
) -> Result<bool, StoreError> {
    sqlx::query(
        "INSERT INTO webhooks (id, organization_id, url, events, secret_sealed, cursor_seq, created_at) \
         VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(seq), 0) FROM customer_history \
             WHERE organization_id = $2), $6)",
    )
    .bind(webhook.id)
    .bind(organization_id)
    .bind(&webhook.url)
    .bind(Json(&webhook.events))
    .bind(secret_sealed)
    .bind(webhook.created_at)
    .execute(tx)
    .await?;
    Ok(true)
}

async fn renewal_notice(
    tx: &mut PgConnection,
    customer_id: Uuid,
    expires_on: chrono::NaiveDate,
    kind: &str,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO renewal_notices (customer_id, expires_on, kind, noticed_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT DO NOTHING",
    )
    .bind(customer_id)
    .bind(expires_on)
    .bind(kind)
    .bind(now())
    .execute(tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}
