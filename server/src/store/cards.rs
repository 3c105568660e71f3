//! Cards. The full number is stored only encrypted; nothing here ever returns it.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::card::{CardStatus, CardType};
use kycard_core::wire::Card;
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

/// Cards: issue, read, list, status changes.
#[async_trait]
pub trait CardStorage: Send + Sync {
    /// One card of the organization.
    async fn card(&self, organization_id: Uuid, id: Uuid) -> Result<Option<CardRecord>, StoreError>;

    /// The customer's cards, oldest first.
    async fn customer_cards(&self, organization_id: Uuid, customer_id: Uuid) -> Result<Vec<CardRecord>, StoreError>;
}
