//! [`ChangeStorage`] on `SQLite`: a change is one write of the group writer (a savepoint of
//! the shared transaction), so it commits whole, with its answer, or not at all.

use super::SqliteStore;
use super::customers::{insert_customer_in, update_customer_in, write_history};
use super::writer::Write;
use crate::store::change::{Change, ChangeStorage, Committed, DocumentVerdict, Step};
use crate::store::now;
use crate::store::{DocumentRecord, NewCard, StoreError};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::card::CardStatus;
use kycard_core::documents::DocumentKind;
use kycard_core::wire::{Card, Webhook};
use uuid::Uuid;

#[async_trait]
impl ChangeStorage for SqliteStore {
    async fn commit(&self, change: &Change) -> Result<Committed, StoreError> {
        let mut tx = self.writer().begin().await?;
        let organization_id = change.organization_id;
        for step in &change.steps {
            let held = match step {
                Step::InsertCustomer(record) => {
                    insert_customer_in(&mut tx, organization_id, record).await?;
                    true
                }
                Step::UpdateCustomer { expected_version, record } => {
                    update_customer_in(&mut tx, organization_id, *expected_version, record).await?
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
                    write_history(&mut tx, *customer_id, *at, line).await?;
                    true
                }
            };
            if !held {
                // Dropping the write rolls its savepoint back: nothing of the change stays.
                return Ok(Committed::Stale);
            }
        }
        if let Some(answer) = &change.answer {
            super::idempotency::complete_in(&mut tx, organization_id, answer).await?;
        }
        tx.commit().await?;
        if change.steps.iter().any(|step| matches!(step, Step::History { .. })) {
            self.announce(organization_id);
        }
        Ok(Committed::Done)
    }
}

async fn supersede(
    tx: &mut Write,
    customer_id: Uuid,
    kinds: &[DocumentKind],
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let kinds = serde_json::to_string(&kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>())
        .map_err(|_| StoreError::Corrupt("documents"))?;
    sqlx::query(
        "UPDATE documents SET superseded_at = ? WHERE customer_id = ? AND superseded_at IS NULL \
         AND kind IN (SELECT value FROM json_each(?))",
    )
    .bind(at.to_rfc3339())
    .bind(customer_id.to_string())
    .bind(kinds)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

async fn insert_document(tx: &mut Write, organization_id: Uuid, document: &DocumentRecord) -> Result<bool, StoreError> {
    supersede(tx, document.customer_id, &[document.kind], document.uploaded_at).await?;
    sqlx::query(
        "INSERT INTO documents (id, organization_id, customer_id, kind, content_type, size, sha256, content, \
         has_preview, issued_on, state, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(document.id.to_string())
    .bind(organization_id.to_string())
    .bind(document.customer_id.to_string())
    .bind(document.kind.as_str())
    .bind(document.content_type.as_str())
    .bind(i64::try_from(document.size).unwrap_or(i64::MAX))
    .bind(&document.sha256)
    .bind(document.content.as_ref().map(|c| serde_json::to_string(c).expect("core types serialise")))
    .bind(document.has_preview)
    .bind(document.issued_on.map(|d| d.to_string()))
    .bind(document.state.as_str())
    .bind(document.uploaded_at.to_rfc3339())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

async fn set_verdict(tx: &mut Write, organization_id: Uuid, verdict: &DocumentVerdict) -> Result<bool, StoreError> {
    sqlx::query("UPDATE documents SET state = ?, flag_code = ?, flag_message = ? WHERE id = ? AND organization_id = ?")
        .bind(verdict.state.as_str())
        .bind(verdict.flag.as_ref().map(|f| f.0.as_str()))
        .bind(verdict.flag.as_ref().map(|f| f.1.clone()))
        .bind(verdict.id.to_string())
        .bind(organization_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(true)
}

async fn insert_card(
    tx: &mut Write,
    organization_id: Uuid,
    card: &NewCard,
    max_cards: u32,
) -> Result<bool, StoreError> {
    let at = card.created_at.to_rfc3339();
    let inserted = sqlx::query(
        "INSERT INTO cards (id, organization_id, customer_id, type, status, last4, number_encrypted, exp_month, \
         exp_year, cardholder_name, created_at, updated_at) \
         SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? \
         WHERE EXISTS (SELECT 1 FROM customers WHERE id = ? AND organization_id = ? AND status = 'active' \
                       AND version = ?) \
           AND (SELECT COUNT(*) FROM cards WHERE customer_id = ? AND status != 'canceled') < ?",
    )
    .bind(card.id.to_string())
    .bind(organization_id.to_string())
    .bind(card.customer_id.to_string())
    .bind(card.card_type.as_str())
    .bind(CardStatus::Active.as_str())
    .bind(&card.last4)
    .bind(&card.number_encrypted)
    .bind(card.exp_month)
    .bind(card.exp_year)
    .bind(&card.cardholder_name)
    .bind(&at)
    .bind(&at)
    .bind(card.customer_id.to_string())
    .bind(organization_id.to_string())
    .bind(card.checked_customer_version)
    .bind(card.customer_id.to_string())
    .bind(max_cards)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}

async fn set_card_status(
    tx: &mut Write,
    organization_id: Uuid,
    card: &Card,
    to: CardStatus,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let changed =
        sqlx::query("UPDATE cards SET status = ?, updated_at = ? WHERE id = ? AND organization_id = ? AND status = ?")
            .bind(to.as_str())
            .bind(at.to_rfc3339())
            .bind(card.id.to_string())
            .bind(organization_id.to_string())
            .bind(card.status.as_str())
            .execute(&mut **tx)
            .await?
            .rows_affected();
    Ok(changed == 1)
}

async fn insert_webhook(
    tx: &mut Write,
    organization_id: Uuid,
    webhook: &Webhook,
    secret_sealed: &[u8],
) -> Result<bool, StoreError> {
    let events = serde_json::to_string(&webhook.events).map_err(|_| StoreError::Corrupt("webhooks"))?;
    sqlx::query(
        "INSERT INTO webhooks (id, organization_id, url, events, secret_sealed, cursor_seq, created_at) \
         VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(h.seq), 0) FROM customer_history h \
             JOIN customers c ON c.id = h.customer_id WHERE c.organization_id = ?), ?)",
    )
    .bind(webhook.id.to_string())
    .bind(organization_id.to_string())
    .bind(&webhook.url)
    .bind(&events)
    .bind(secret_sealed)
    .bind(organization_id.to_string())
    .bind(webhook.created_at.to_rfc3339())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

async fn renewal_notice(
    tx: &mut Write,
    customer_id: Uuid,
    expires_on: chrono::NaiveDate,
    kind: &str,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO renewal_notices (customer_id, expires_on, kind, noticed_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT DO NOTHING",
    )
    .bind(customer_id.to_string())
    .bind(expires_on.to_string())
    .bind(kind)
    .bind(now().to_rfc3339())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    Ok(inserted == 1)
}
