//! Cards. The full number is stored only encrypted; nothing here ever returns it.

use super::{SqliteStore, StoreError, now, parse_id, parse_time};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::card::{CardStatus, CardType};
use kycard_core::wire::Card;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

/// A card to store.
#[derive(Debug, Clone)]
pub struct NewCard {
    /// Id.
    pub id: Uuid,
    /// Holder.
    pub customer_id: Uuid,
    /// The customer version the eligibility check saw: the insert only happens if the
    /// customer is still active at exactly that version.
    pub checked_customer_version: i64,
    /// Form.
    pub card_type: CardType,
    /// AES-256-GCM nonce and ciphertext of the number.
    pub number_encrypted: Vec<u8>,
    /// Last four digits.
    pub last4: String,
    /// Expiry month.
    pub exp_month: u32,
    /// Expiry year.
    pub exp_year: i32,
    /// Printed name.
    pub cardholder_name: String,
    /// When it is issued.
    pub created_at: DateTime<Utc>,
}

impl NewCard {
    /// The API view of the card once stored (it is issued `active`).
    pub fn to_wire(&self) -> Card {
        Card {
            id: self.id,
            customer_id: self.customer_id,
            card_type: self.card_type,
            status: CardStatus::Active,
            last4: self.last4.clone(),
            exp_month: self.exp_month,
            exp_year: self.exp_year,
            cardholder_name: self.cardholder_name.clone(),
            created_at: self.created_at,
        }
    }
}

/// A stored card (without its number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardRecord {
    /// The API view.
    pub card: Card,
}

fn from_row(row: &SqliteRow) -> Result<CardRecord, StoreError> {
    let corrupt = || StoreError::Corrupt("cards");
    let exp_month: i64 = row.get("exp_month");
    let exp_year: i64 = row.get("exp_year");
    Ok(CardRecord {
        card: Card {
            id: parse_id(row.get("id"), "cards")?,
            customer_id: parse_id(row.get("customer_id"), "cards")?,
            card_type: CardType::parse(row.get("type")).ok_or_else(corrupt)?,
            status: CardStatus::parse(row.get("status")).ok_or_else(corrupt)?,
            last4: row.get("last4"),
            exp_month: u32::try_from(exp_month).map_err(|_| corrupt())?,
            exp_year: i32::try_from(exp_year).map_err(|_| corrupt())?,
            cardholder_name: row.get("cardholder_name"),
            created_at: parse_time(row.get("created_at"), "cards")?,
        },
    })
}

/// Cards: issue, read, list, status changes.
#[async_trait]
pub trait CardStorage: Send + Sync {
    /// Stores a card with its history line, only if the customer is still active at the
    /// version that was checked and holds fewer than `max_cards` cards that are not canceled.
    /// `Ok(None)` when not (the caller checks again).
    async fn insert_card(
        &self,
        organization_id: Uuid,
        card: &NewCard,
        max_cards: u32,
        actor: &kycard_core::wire::Actor,
        completion: Option<&super::Completion>,
    ) -> Result<Option<CardRecord>, StoreError>;

    /// One card of the organization.
    async fn card(&self, organization_id: Uuid, id: Uuid) -> Result<Option<CardRecord>, StoreError>;

    /// The customer's cards, oldest first.
    async fn customer_cards(&self, organization_id: Uuid, customer_id: Uuid) -> Result<Vec<CardRecord>, StoreError>;

    /// Moves a card from `from` to `to` with its history line; false when its status was no
    /// longer `from`.
    async fn set_card_status(
        &self,
        organization_id: Uuid,
        card: &Card,
        to: CardStatus,
        actor: &kycard_core::wire::Actor,
        completion: Option<&super::Completion>,
    ) -> Result<bool, StoreError>;
}

#[async_trait]
impl CardStorage for SqliteStore {
    async fn insert_card(
        &self,
        organization_id: Uuid,
        card: &NewCard,
        max_cards: u32,
        actor: &kycard_core::wire::Actor,
        completion: Option<&super::Completion>,
    ) -> Result<Option<CardRecord>, StoreError> {
        let at = card.created_at;
        let mut tx = self.writer().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO cards (id, organization_id, customer_id, type, status, last4, number_encrypted, exp_month, \
             exp_year, cardholder_name, created_at, updated_at) \
             SELECT ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, ?, ? \
             WHERE EXISTS (SELECT 1 FROM customers WHERE id = ? AND organization_id = ? AND status = 'active' \
                           AND version = ?) \
               AND (SELECT COUNT(*) FROM cards WHERE customer_id = ? AND status != 'canceled') < ?",
        )
        .bind(card.id.to_string())
        .bind(organization_id.to_string())
        .bind(card.customer_id.to_string())
        .bind(card.card_type.as_str())
        .bind(&card.last4)
        .bind(&card.number_encrypted)
        .bind(card.exp_month)
        .bind(card.exp_year)
        .bind(&card.cardholder_name)
        .bind(at.to_rfc3339())
        .bind(at.to_rfc3339())
        .bind(card.customer_id.to_string())
        .bind(organization_id.to_string())
        .bind(card.checked_customer_version)
        .bind(card.customer_id.to_string())
        .bind(max_cards)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO customer_history (customer_id, at, actor_kind, actor_id, event, to_state, card_id) \
             VALUES (?, ?, ?, ?, 'card.issued', 'active', ?)",
        )
        .bind(card.customer_id.to_string())
        .bind(at.to_rfc3339())
        .bind(actor.kind.as_str())
        .bind(actor.id.map(|id| id.to_string()))
        .bind(card.id.to_string())
        .execute(&mut *tx)
        .await?;
        if let Some(completion) = completion {
            super::idempotency::complete_in(&mut tx, completion).await?;
        }
        tx.commit().await?;
        self.card(organization_id, card.id).await
    }

    async fn card(&self, organization_id: Uuid, id: Uuid) -> Result<Option<CardRecord>, StoreError> {
        let sql = "SELECT id, customer_id, type, status, last4, exp_month, exp_year, cardholder_name, created_at \
                   FROM cards WHERE id = ? AND organization_id = ?";
        let row =
            sqlx::query(sql).bind(id.to_string()).bind(organization_id.to_string()).fetch_optional(self.pool()).await?;
        row.as_ref().map(from_row).transpose()
    }

    async fn customer_cards(&self, organization_id: Uuid, customer_id: Uuid) -> Result<Vec<CardRecord>, StoreError> {
        let sql = "SELECT id, customer_id, type, status, last4, exp_month, exp_year, cardholder_name, created_at \
                   FROM cards WHERE customer_id = ? AND organization_id = ? ORDER BY id";
        let rows = sqlx::query(sql)
            .bind(customer_id.to_string())
            .bind(organization_id.to_string())
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(from_row).collect()
    }

    async fn set_card_status(
        &self,
        organization_id: Uuid,
        card: &Card,
        to: CardStatus,
        actor: &kycard_core::wire::Actor,
        completion: Option<&super::Completion>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer().begin().await?;
        if !set_card_status_in(&mut tx, organization_id, card, to, actor).await? {
            return Ok(false);
        }
        if let Some(completion) = completion {
            super::idempotency::complete_in(&mut tx, completion).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// Moves a card from its status to `to` with its history line, inside a transaction; false
/// when its status changed meanwhile.
pub(super) async fn set_card_status_in(
    tx: &mut super::writer::Write,
    organization_id: Uuid,
    card: &Card,
    to: CardStatus,
    actor: &kycard_core::wire::Actor,
) -> Result<bool, StoreError> {
    let at = now();
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
    if changed != 1 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO customer_history (customer_id, at, actor_kind, actor_id, event, from_state, to_state, card_id) \
         VALUES (?, ?, ?, ?, 'card.status_changed', ?, ?, ?)",
    )
    .bind(card.customer_id.to_string())
    .bind(at.to_rfc3339())
    .bind(actor.kind.as_str())
    .bind(actor.id.map(|id| id.to_string()))
    .bind(card.status.as_str())
    .bind(to.as_str())
    .bind(card.id.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(true)
}
