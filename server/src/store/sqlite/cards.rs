//! Cards on `SQLite`. The full number is stored only encrypted; nothing here ever returns it.

use super::{SqliteStore, parse_id, parse_time};
use crate::store::CardRecord;
use crate::store::CardStorage;
use crate::store::StoreError;
use async_trait::async_trait;
use kycard_core::card::{CardStatus, CardType};
use kycard_core::wire::Card;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

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
