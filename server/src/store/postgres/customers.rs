//! Customers, their history and search on `PostgreSQL`. Search reads a `pg_trgm` GIN index of
//! the terms core computes, so any substring of three characters or more is found without
//! reading the whole organization.

use super::PostgresStore;
use crate::store::customers::{attach_documents, state_from_columns};
use crate::store::documents::current_from_json;
use crate::store::{CustomerRecord, CustomerStorage, HistoryPage, ListFilter, StoreError};
use async_trait::async_trait;
use kycard_core::documents::DocumentKind;
use kycard_core::review::Flag;
use kycard_core::status::CustomerStatus;
use kycard_core::wire::{Actor, CustomerData};
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use std::fmt::Write;
use uuid::Uuid;

/// The columns [`from_row`] reads.
pub(super) const COLUMNS: &str = "c.id, c.version, c.created_at, c.updated_at, c.data, c.status, c.stage, \
                                  c.resubmittable, c.decided_at, c.required_documents, c.flags";

pub(super) fn from_row(row: &PgRow) -> Result<CustomerRecord, StoreError> {
    let status: Option<String> = row.try_get("status")?;
    let stage: Option<String> = row.try_get("stage")?;
    let Json(data): Json<CustomerData> = row.try_get("data")?;
    let Json(required_documents): Json<Vec<DocumentKind>> = row.try_get("required_documents")?;
    let Json(flags): Json<Vec<Flag>> = row.try_get("flags")?;
    Ok(CustomerRecord {
        id: row.try_get("id")?,
        version: row.try_get("version")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        data,
        state: state_from_columns(status.as_deref(), stage.as_deref(), row.try_get("resubmittable")?)?,
        decided_at: row.try_get("decided_at")?,
        required_documents,
        flags,
        documents: Vec::new(),
    })
}

/// `token` as a `LIKE` substring pattern (`\` escapes).
fn like_pattern(token: &str) -> String {
    format!("%{}%", token.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

#[async_trait]
impl CustomerStorage for PostgresStore {
    async fn customer(&self, organization_id: Uuid, id: Uuid) -> Result<Option<CustomerRecord>, StoreError> {
        // The customer and its checklist in one round trip.
        let sql = format!(
            "SELECT {COLUMNS}, (SELECT COALESCE(json_agg(json_build_array(d.kind, d.state, d.flag_code, \
             d.flag_message) ORDER BY d.id), '[]') FROM documents d WHERE d.customer_id = c.id \
             AND d.organization_id = c.organization_id AND d.superseded_at IS NULL)::text AS current_documents \
             FROM customers c WHERE c.id = $1 AND c.organization_id = $2"
        );
        let row =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).bind(organization_id).fetch_optional(self.pool()).await?;
        let Some(row) = row else { return Ok(None) };
        let mut record = from_row(&row)?;
        record.documents = current_from_json(row.try_get("current_documents")?)?;
        Ok(Some(record))
    }

    async fn list_customers(
        &self,
        organization_id: Uuid,
        filter: &ListFilter,
    ) -> Result<(Vec<CustomerRecord>, bool), StoreError> {
        let tokens = filter.search.as_deref().unwrap_or(&[]);
        if filter.search.as_ref().is_some_and(Vec::is_empty) {
            return Ok((Vec::new(), false));
        }
        let mut sql = format!(
            "SELECT {COLUMNS} FROM customers c WHERE c.organization_id = $1 \
             AND ($2::text IS NULL OR c.status = $2) AND ($3::uuid IS NULL OR c.id < $3)"
        );
        for n in 0..tokens.len() {
            let _ = write!(sql, " AND c.search LIKE ${}", n + 4);
        }
        let _ = write!(sql, " ORDER BY c.id DESC LIMIT ${}", tokens.len() + 4);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(filter.status.map(CustomerStatus::as_str))
            .bind(filter.before);
        for token in tokens {
            query = query.bind(like_pattern(token));
        }
        let rows = query.bind(i64::from(filter.limit) + 1).fetch_all(self.pool()).await?;
        let more = rows.len() > filter.limit as usize;
        let mut records = rows.iter().take(filter.limit as usize).map(from_row).collect::<Result<Vec<_>, _>>()?;
        attach_documents(self, organization_id, &mut records).await?;
        Ok((records, more))
    }

    async fn refresh_search_terms(&self) -> Result<u64, StoreError> {
        const KEY: &str = "search_terms_version";
        const BATCH: i64 = 500;
        let version = kycard_core::search::TERMS_VERSION.to_string();
        let stored: Option<(String,)> =
            sqlx::query_as("SELECT value FROM settings WHERE key = $1").bind(KEY).fetch_optional(self.pool()).await?;
        if stored.is_some_and(|(v,)| v == version) {
            return Ok(0);
        }
        let mut updated = 0;
        let mut after = Uuid::nil();
        loop {
            let mut tx = self.pool().begin().await?;
            let rows: Vec<(Uuid, Json<CustomerData>)> =
                sqlx::query_as("SELECT id, data FROM customers WHERE id > $1 ORDER BY id LIMIT $2")
                    .bind(after)
                    .bind(BATCH)
                    .fetch_all(&mut *tx)
                    .await?;
            let Some((last, _)) = rows.last() else {
                sqlx::query(
                    "INSERT INTO settings (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                )
                .bind(KEY)
                .bind(&version)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                return Ok(updated);
            };
            after = *last;
            for (id, Json(data)) in &rows {
                updated += sqlx::query("UPDATE customers SET search = $1 WHERE id = $2")
                    .bind(kycard_core::search::terms(data))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
        }
    }

    async fn manual_queue(&self, organization_id: Uuid, limit: u32) -> Result<Vec<CustomerRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM customers c WHERE c.organization_id = $1 AND c.stage = 'manual' \
             ORDER BY c.updated_at, c.id LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        let mut records = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        attach_documents(self, organization_id, &mut records).await?;
        Ok(records)
    }

    async fn active_with_id_expiring(&self, until: chrono::NaiveDate) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT organization_id, id FROM customers WHERE status = 'active' \
             AND data #>> '{individual,official_id,expires_on}' <= $1 ORDER BY id",
        )
        .bind(until.to_string())
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    async fn rejections(&self, customer_id: Uuid) -> Result<u32, StoreError> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM customer_history WHERE customer_id = $1 AND to_state LIKE 'rejected/%' \
             AND (from_state IS NULL OR from_state NOT LIKE 'rejected/%')",
        )
        .bind(customer_id)
        .fetch_one(self.pool())
        .await?;
        u32::try_from(count).map_err(|_| StoreError::Corrupt("customer_history"))
    }

    async fn other_customer_with_official_id(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
        id: &kycard_core::wire::OfficialIdData,
    ) -> Result<Option<Uuid>, StoreError> {
        let row: Option<(Uuid,)> = sqlx::query_as(
            "SELECT id FROM customers WHERE organization_id = $1 AND id != $2 \
             AND data #>> '{individual,official_id,number}' = $3 \
             AND data #>> '{individual,official_id,type}' = $4 \
             AND data #>> '{individual,official_id,issuing_country}' = $5 ORDER BY id LIMIT 1",
        )
        .bind(organization_id)
        .bind(customer_id)
        .bind(&id.number)
        .bind(&id.id_type)
        .bind(&id.issuing_country)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(id,)| id))
    }

    async fn history(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Option<HistoryPage>, StoreError> {
        let owned: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM customers WHERE id = $1 AND organization_id = $2")
            .bind(customer_id)
            .bind(organization_id)
            .fetch_optional(self.pool())
            .await?;
        if owned.is_none() {
            return Ok(None);
        }
        let mut rows = sqlx::query(
            "SELECT id, at, actor_kind, actor_id, event, from_state, to_state, reason, checks::text AS checks \
             FROM customer_history WHERE customer_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(customer_id)
        .bind(after.unwrap_or(-1))
        .bind(i64::from(limit) + 1)
        .fetch_all(self.pool())
        .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        // Paged by the line's own id: a line shows in its customer's history as soon as its change
        // committed, before the sequencer numbers it as an event.
        let next = if more { rows.last().map(|r| r.try_get::<i64, _>("id")).transpose()? } else { None };
        let corrupt = || StoreError::Corrupt("customer_history");
        rows.iter()
            .map(|r| {
                let checks: Option<String> = r.try_get("checks")?;
                Ok(kycard_core::wire::HistoryEntry {
                    at: r.try_get("at")?,
                    actor: Actor {
                        kind: kycard_core::wire::ActorKind::parse(r.try_get("actor_kind")?).ok_or_else(corrupt)?,
                        id: r.try_get("actor_id")?,
                    },
                    event: r.try_get("event")?,
                    from: r.try_get("from_state")?,
                    to: r.try_get("to_state")?,
                    reason: r.try_get("reason")?,
                    checks: checks.map(|c| serde_json::from_str(&c).map_err(|_| corrupt())).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|entries| Some(HistoryPage { entries, next }))
    }
}
