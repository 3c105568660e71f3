//! Cards. The full number is stored only encrypted; nothing here ever returns it.

use super::{SqliteStore, StoreError, parse_id, parse_time};
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
    /// One card of the organization.
    async fn card(&self, organization_id: Uuid, id: Uuid) -> Result<Option<CardRecord>, StoreError>;

    /// The customer's cards, oldest first.
    async fn customer_cards(&self, organization_id: Uuid, customer_id: Uuid) -> Result<Vec<CardRecord>, StoreError>;
}

#[async_trait]
impl CardStorage for SqliteStore {
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
}
