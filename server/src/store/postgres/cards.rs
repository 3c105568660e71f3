//! Cards on `PostgreSQL`. The full number is stored only encrypted; nothing here ever returns it.

use super::PostgresStore;
use crate::store::{CardRecord, CardStorage, StoreError};
use async_trait::async_trait;
use kycard_core::card::{CardStatus, CardType};
use kycard_core::wire::Card;
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

fn from_row(row: &PgRow) -> Result<CardRecord, StoreError> {
    let corrupt = || StoreError::Corrupt("cards");
    let exp_month: i32 = row.try_get("exp_month")?;
    Ok(CardRecord {
        card: Card {
            id: row.try_get("id")?,
            customer_id: row.try_get("customer_id")?,
            card_type: CardType::parse(row.try_get("type")?).ok_or_else(corrupt)?,
            status: CardStatus::parse(row.try_get("status")?).ok_or_else(corrupt)?,
            last4: row.try_get("last4")?,
            exp_month: u32::try_from(exp_month).map_err(|_| corrupt())?,
            exp_year: row.try_get("exp_year")?,
            cardholder_name: row.try_get("cardholder_name")?,
            created_at: row.try_get("created_at")?,
        },
    })
}

const SELECT: &str =
    "SELECT id, customer_id, type, status, last4, exp_month, exp_year, cardholder_name, created_at FROM cards";

#[async_trait]
impl CardStorage for PostgresStore {
    async fn card(&self, organization_id: Uuid, id: Uuid) -> Result<Option<CardRecord>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1 AND organization_id = $2")))
            .bind(id)
            .bind(organization_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    async fn customer_cards(&self, organization_id: Uuid, customer_id: Uuid) -> Result<Vec<CardRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE customer_id = $1 AND organization_id = $2 ORDER BY id"
        )))
        .bind(customer_id)
        .bind(organization_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }
}
