//! Customers, their history and search on `SQLite`.

use super::{SqliteStore, parse_id, parse_time};
use crate::store::CustomerRecord;
use crate::store::CustomerStorage;
use crate::store::HistoryLine;
use crate::store::HistoryPage;
use crate::store::ListFilter;
use crate::store::StoreError;
use crate::store::customers::{attach_documents, state_from_columns};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::status::{CustomerState, CustomerStatus};
use kycard_core::wire::{Actor, CustomerData};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

fn from_row(row: &SqliteRow) -> Result<CustomerRecord, StoreError> {
    let corrupt = || StoreError::Corrupt("customers");
    let stored_status: Option<String> = row.get("status");
    let stored_stage: Option<String> = row.get("stage");
    let state = state_from_columns(stored_status.as_deref(), stored_stage.as_deref(), row.get("resubmittable"))?;
    let decided_at: Option<String> = row.get("decided_at");
    Ok(CustomerRecord {
        id: parse_id(row.get("id"), "customers")?,
        version: row.get("version"),
        created_at: parse_time(row.get("created_at"), "customers")?,
        updated_at: parse_time(row.get("updated_at"), "customers")?,
        data: serde_json::from_str(row.get("data")).map_err(|_| corrupt())?,
        state,
        decided_at: decided_at.map(|t| parse_time(&t, "customers")).transpose()?,
        required_documents: serde_json::from_str(row.get("required_documents")).map_err(|_| corrupt())?,
        flags: serde_json::from_str(row.get("flags")).map_err(|_| corrupt())?,
        documents: Vec::new(),
    })
}

/// The customer's searchable terms, as core defines them.
fn search_text(data: &CustomerData) -> String {
    kycard_core::search::terms(data)
}

/// Tokens of at least this many characters are looked up in the trigram index; shorter ones
/// are matched against the stored terms of the customers the rest of the query selects.
const TRIGRAM: usize = 3;

/// A search whose long tokens match at most this many customers (in every organization)
/// reads them through the index; past it, the newest customers are checked in turn.
const INDEXED_AT_MOST: usize = 2_000;

/// Digits looked up in the index for a longer run of digits: its end, where phone numbers
/// differ (their starts, country and carrier codes, are shared by most customers and make
/// slow lookups).
const DIGITS_LOOKED_UP: usize = 6;

/// The part of a search token looked up in the trigram index: the token itself, the end of a
/// long run of digits, or nothing for a token too short for trigrams.
fn indexed_part(token: &str) -> Option<&str> {
    if token.chars().count() < TRIGRAM {
        None
    } else if token.len() > DIGITS_LOOKED_UP && token.bytes().all(|b| b.is_ascii_digit()) {
        Some(&token[token.len() - DIGITS_LOOKED_UP..])
    } else {
        Some(token)
    }
}

/// `token` as an FTS5 string (double quotes doubled): matched as a substring, not parsed.
fn fts_phrase(token: &str) -> String {
    format!("\"{}\"", token.replace('"', "\"\""))
}

/// `token` as a `LIKE … ESCAPE '\\'` substring pattern.
fn like_pattern(token: &str) -> String {
    format!("%{}%", token.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

pub(super) async fn write_history(
    tx: &mut super::writer::Write,
    customer_id: Uuid,
    at: DateTime<Utc>,
    line: &HistoryLine,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO customer_history (customer_id, at, actor_kind, actor_id, event, from_state, to_state, reason, \
         checks, card_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(customer_id.to_string())
    .bind(at.to_rfc3339())
    .bind(line.actor.kind.as_str())
    .bind(line.actor.id.map(|id| id.to_string()))
    .bind(line.event)
    .bind(&line.from)
    .bind(&line.to)
    .bind(&line.reason)
    .bind(&line.checks)
    .bind(line.card_id.map(|id| id.to_string()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("wire types serialise")
}

/// The insert of a new customer row inside a transaction, with its review job.
pub(super) async fn insert_customer_in(
    tx: &mut super::writer::Write,
    organization_id: Uuid,
    record: &CustomerRecord,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO customers (id, organization_id, version, created_at, updated_at, data, individual_cards, \
         status, stage, resubmittable, decided_at, required_documents, flags, search) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(record.id.to_string())
    .bind(organization_id.to_string())
    .bind(record.version)
    .bind(record.created_at.to_rfc3339())
    .bind(record.updated_at.to_rfc3339())
    .bind(json(&record.data))
    .bind(record.data.individual_cards.unwrap_or(false))
    .bind(record.state.map(|s| s.status().as_str()))
    .bind(record.state.map(|s| s.stage().as_str()))
    .bind(record.state.is_none_or(CustomerState::resubmittable))
    .bind(record.decided_at.map(|t| t.to_rfc3339()))
    .bind(json(&record.required_documents))
    .bind(json(&record.flags))
    .bind(search_text(&record.data))
    .execute(&mut **tx)
    .await?;
    sync_review_job(tx, organization_id, record).await
}

/// The conditional update of a customer row inside a transaction.
pub(super) async fn update_customer_in(
    tx: &mut super::writer::Write,
    organization_id: Uuid,
    expected_version: i64,
    record: &CustomerRecord,
) -> Result<bool, StoreError> {
    let updated = sqlx::query(
        "UPDATE customers SET version = ?, updated_at = ?, data = ?, individual_cards = ?, status = ?, stage = ?, \
         resubmittable = ?, decided_at = ?, required_documents = ?, flags = ?, search = ? \
         WHERE id = ? AND organization_id = ? AND version = ?",
    )
    .bind(record.version)
    .bind(record.updated_at.to_rfc3339())
    .bind(json(&record.data))
    .bind(record.data.individual_cards.unwrap_or(false))
    .bind(record.state.map(|s| s.status().as_str()))
    .bind(record.state.map(|s| s.stage().as_str()))
    .bind(record.state.is_none_or(CustomerState::resubmittable))
    .bind(record.decided_at.map(|t| t.to_rfc3339()))
    .bind(json(&record.required_documents))
    .bind(json(&record.flags))
    .bind(search_text(&record.data))
    .bind(record.id.to_string())
    .bind(organization_id.to_string())
    .bind(expected_version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if updated != 1 {
        return Ok(false);
    }
    sync_review_job(tx, organization_id, record).await?;
    Ok(true)
}

/// Keeps the automatic review queue in step with the customer, in the transaction that
/// changes it: a customer entering the automatic stage gets a job, one leaving it loses its
/// job. Every way into the review (an upload, a correction, a simulation, anything later)
/// passes through here, so none can leave a customer waiting for a review that never runs.
async fn sync_review_job(
    tx: &mut super::writer::Write,
    organization_id: Uuid,
    record: &CustomerRecord,
) -> Result<(), StoreError> {
    if record.awaits_automatic_review() {
        sqlx::query(
            "INSERT INTO review_jobs (customer_id, organization_id, enqueued_at) VALUES (?, ?, ?) \
             ON CONFLICT (customer_id) DO NOTHING",
        )
        .bind(record.id.to_string())
        .bind(organization_id.to_string())
        .bind(record.updated_at.to_rfc3339())
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM review_jobs WHERE customer_id = ?")
            .bind(record.id.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

#[async_trait]
impl CustomerStorage for SqliteStore {
    async fn customer(&self, organization_id: Uuid, id: Uuid) -> Result<Option<CustomerRecord>, StoreError> {
        // The customer and its checklist in one round trip.
        let sql = format!(
            "SELECT c.id, c.version, c.created_at, c.updated_at, c.data, c.status, c.stage, c.resubmittable, \
             c.decided_at, c.required_documents, c.flags, {} AS current_documents \
             FROM customers c WHERE c.id = ? AND c.organization_id = ?",
            super::documents::CURRENT_AS_JSON
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .bind(organization_id.to_string())
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        let mut record = from_row(&row)?;
        record.documents = crate::store::documents::current_from_json(row.get("current_documents"))?;
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
        // Few customers have every long token: read them through the index. Many have (or a
        // token is too short for trigrams): go through the customers newest first, where
        // matches come soon, checking the stored terms.
        let looked_up: Vec<&str> = tokens.iter().filter_map(|t| indexed_part(t)).collect();
        // Tokens the index does not check whole, checked on the candidates' stored terms.
        let short: Vec<&String> = tokens.iter().filter(|t| indexed_part(t) != Some(t.as_str())).collect();
        let mut candidates = None;
        if !looked_up.is_empty() {
            let matches = looked_up.iter().map(|t| fts_phrase(t)).collect::<Vec<_>>().join(" AND ");
            let found: Vec<(i64,)> =
                sqlx::query_as("SELECT rowid FROM customers_search WHERE customers_search MATCH ? LIMIT ?")
                    .bind(matches)
                    .bind(i64::try_from(INDEXED_AT_MOST).unwrap_or(i64::MAX) + 1)
                    .fetch_all(self.pool())
                    .await?;
            if found.is_empty() {
                return Ok((Vec::new(), false));
            }
            if found.len() <= INDEXED_AT_MOST {
                candidates = Some(json(&found.iter().map(|(rowid,)| *rowid).collect::<Vec<_>>()));
            }
        }
        let checked: Vec<&String> = if candidates.is_some() { short } else { tokens.iter().collect() };
        // With candidates, they drive the query (CROSS JOIN keeps that order): the planner
        // would otherwise walk the organization's customers and test each against the list.
        let from = if candidates.is_some() {
            "FROM json_each(?) AS candidate CROSS JOIN customers ON customers.search_rowid = candidate.value"
        } else {
            "FROM customers"
        };
        let mut sql = format!(
            "SELECT customers.id, version, created_at, updated_at, data, status, stage, resubmittable, decided_at, \
             required_documents, flags {from} \
             WHERE organization_id = ? AND (? IS NULL OR status = ?) AND (? IS NULL OR customers.id < ?)",
        );
        for _ in &checked {
            sql.push_str(" AND search LIKE ? ESCAPE '\\'");
        }
        sql.push_str(" ORDER BY customers.id DESC LIMIT ?");
        let status = filter.status.map(CustomerStatus::as_str);
        let before = filter.before.map(|id| id.to_string());
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(candidates) = candidates {
            query = query.bind(candidates);
        }
        query = query.bind(organization_id.to_string()).bind(status).bind(status).bind(before.clone()).bind(before);
        for token in checked {
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
            sqlx::query_as("SELECT value FROM settings WHERE key = ?").bind(KEY).fetch_optional(self.pool()).await?;
        if stored.is_some_and(|(v,)| v == version) {
            return Ok(0);
        }
        let mut updated = 0;
        let mut after = String::new();
        loop {
            let mut tx = self.writer().begin().await?;
            let rows: Vec<(String, String)> =
                sqlx::query_as("SELECT id, data FROM customers WHERE id > ? ORDER BY id LIMIT ?")
                    .bind(&after)
                    .bind(BATCH)
                    .fetch_all(&mut *tx)
                    .await?;
            let Some((last, _)) = rows.last() else {
                sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                    .bind(KEY)
                    .bind(&version)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(updated);
            };
            after.clone_from(last);
            for (id, data) in &rows {
                let data: CustomerData = serde_json::from_str(data).map_err(|_| StoreError::Corrupt("customers"))?;
                updated += sqlx::query("UPDATE customers SET search = ? WHERE id = ?")
                    .bind(search_text(&data))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }
            tx.commit().await?;
        }
    }

    async fn manual_queue(&self, organization_id: Uuid, limit: u32) -> Result<Vec<CustomerRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, version, created_at, updated_at, data, status, stage, resubmittable, decided_at, \
             required_documents, flags FROM customers \
             WHERE organization_id = ? AND stage = 'manual' ORDER BY updated_at, id LIMIT ?",
        )
        .bind(organization_id.to_string())
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        let mut records = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
        attach_documents(self, organization_id, &mut records).await?;
        Ok(records)
    }

    async fn active_with_id_expiring(&self, until: chrono::NaiveDate) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT organization_id, id FROM customers WHERE status = 'active' \
             AND json_extract(data, '$.individual.official_id.expires_on') <= ? ORDER BY id",
        )
        .bind(until.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|(o, c)| Ok((parse_id(o, "customers")?, parse_id(c, "customers")?))).collect()
    }

    async fn rejections(&self, customer_id: Uuid) -> Result<u32, StoreError> {
        let (count,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM customer_history WHERE customer_id = ? AND to_state LIKE 'rejected/%' \
             AND (from_state IS NULL OR from_state NOT LIKE 'rejected/%')",
        )
        .bind(customer_id.to_string())
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
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM customers WHERE organization_id = ? AND id != ? \
             AND json_extract(data, '$.individual.official_id.number') = ? \
             AND json_extract(data, '$.individual.official_id.type') = ? \
             AND json_extract(data, '$.individual.official_id.issuing_country') = ? ORDER BY id LIMIT 1",
        )
        .bind(organization_id.to_string())
        .bind(customer_id.to_string())
        .bind(&id.number)
        .bind(&id.id_type)
        .bind(&id.issuing_country)
        .fetch_optional(self.pool())
        .await?;
        row.map(|(id,)| parse_id(&id, "customers")).transpose()
    }

    async fn history(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Option<HistoryPage>, StoreError> {
        if self.customer(organization_id, customer_id).await?.is_none() {
            return Ok(None);
        }
        let mut rows = sqlx::query(
            "SELECT seq, at, actor_kind, actor_id, event, from_state, to_state, reason, checks FROM customer_history \
             WHERE customer_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        )
        .bind(customer_id.to_string())
        .bind(after.unwrap_or(-1))
        .bind(i64::from(limit) + 1)
        .fetch_all(self.pool())
        .await?;
        let more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let next = if more { rows.last().map(|r| r.get::<i64, _>("seq")) } else { None };
        let corrupt = || StoreError::Corrupt("customer_history");
        rows.iter()
            .map(|r| {
                let actor_id: Option<String> = r.get("actor_id");
                let checks: Option<String> = r.get("checks");
                Ok(kycard_core::wire::HistoryEntry {
                    at: parse_time(r.get("at"), "customer_history")?,
                    actor: Actor {
                        kind: kycard_core::wire::ActorKind::parse(r.get("actor_kind")).ok_or_else(corrupt)?,
                        id: actor_id.map(|id| parse_id(&id, "customer_history")).transpose()?,
                    },
                    event: r.get("event"),
                    from: r.get("from_state"),
                    to: r.get("to_state"),
                    reason: r.get("reason"),
                    checks: checks.map(|c| serde_json::from_str(&c).map_err(|_| corrupt())).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(|entries| Some(HistoryPage { entries, next }))
    }
}
