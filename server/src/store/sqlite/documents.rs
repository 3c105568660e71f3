//! Documents and the automatic review queue on `SQLite`.

use super::writer::ExecuteWrite;
use super::{SqliteStore, parse_id, parse_time};
use crate::store::DocumentRecord;
use crate::store::DocumentStorage;
use crate::store::documents::stored_flag;
use crate::store::{StoreError, now};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kycard_core::documents::{ContentType, DocumentKind, RequirementState};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

fn from_row(row: &SqliteRow) -> Result<DocumentRecord, StoreError> {
    let corrupt = || StoreError::Corrupt("documents");
    let size: i64 = row.get("size");
    let content: Option<String> = row.get("content");
    let issued_on: Option<String> = row.get("issued_on");
    let flag_code: Option<String> = row.get("flag_code");
    let flag_message: Option<String> = row.get("flag_message");
    Ok(DocumentRecord {
        id: parse_id(row.get("id"), "documents")?,
        customer_id: parse_id(row.get("customer_id"), "documents")?,
        kind: DocumentKind::parse(row.get("kind")).ok_or_else(corrupt)?,
        content_type: ContentType::parse(row.get("content_type")).ok_or_else(corrupt)?,
        size: u64::try_from(size).map_err(|_| corrupt())?,
        sha256: row.get("sha256"),
        content: content.map(|c| serde_json::from_str(&c).map_err(|_| corrupt())).transpose()?,
        has_preview: row.get("has_preview"),
        issued_on: issued_on.map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| corrupt())).transpose()?,
        state: RequirementState::parse(row.get("state")).ok_or_else(corrupt)?,
        flag: stored_flag(flag_code, flag_message)?,
        uploaded_at: parse_time(row.get("uploaded_at"), "documents")?,
    })
}

/// The current documents of the customer row `c`, as a JSON array read by
/// [`crate::store::documents::current_from_json`]: the customer and its checklist in one query.
pub(super) const CURRENT_AS_JSON: &str = "(SELECT json_group_array(json_array(kind, state, flag_code, flag_message)) \
     FROM (SELECT kind, state, flag_code, flag_message FROM documents \
           WHERE customer_id = c.id AND organization_id = c.organization_id AND superseded_at IS NULL ORDER BY id))";

const SELECT: &str = "SELECT id, customer_id, kind, content_type, size, sha256, content, has_preview, issued_on, \
                      state, flag_code, flag_message, uploaded_at FROM documents";

#[async_trait]
impl DocumentStorage for SqliteStore {
    async fn current_documents(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
    ) -> Result<Vec<DocumentRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE customer_id = ? AND organization_id = ? AND superseded_at IS NULL ORDER BY id"
        )))
        .bind(customer_id.to_string())
        .bind(organization_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn current_documents_of(
        &self,
        organization_id: Uuid,
        customer_ids: &[Uuid],
    ) -> Result<Vec<DocumentRecord>, StoreError> {
        let ids = serde_json::to_string(&customer_ids.iter().map(Uuid::to_string).collect::<Vec<_>>())
            .map_err(|_| StoreError::Corrupt("documents"))?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE organization_id = ? AND superseded_at IS NULL \
             AND customer_id IN (SELECT value FROM json_each(?)) ORDER BY id"
        )))
        .bind(organization_id.to_string())
        .bind(ids)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn document(&self, organization_id: Uuid, id: Uuid) -> Result<Option<DocumentRecord>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = ? AND organization_id = ?")))
            .bind(id.to_string())
            .bind(organization_id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    async fn other_customer_with_file(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
        sha256: &str,
    ) -> Result<Option<Uuid>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT customer_id FROM documents WHERE organization_id = ? AND sha256 = ? AND customer_id != ? \
             ORDER BY id LIMIT 1",
        )
        .bind(organization_id.to_string())
        .bind(sha256)
        .bind(customer_id.to_string())
        .fetch_optional(self.pool())
        .await?;
        row.map(|(id,)| parse_id(&id, "documents")).transpose()
    }

    async fn all_document_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT id FROM documents").fetch_all(self.pool()).await?;
        rows.iter().map(|(id,)| parse_id(id, "documents")).collect()
    }

    async fn review_jobs(&self, at: DateTime<Utc>) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT organization_id, customer_id FROM review_jobs \
             WHERE claimed_until IS NULL OR claimed_until <= ? ORDER BY enqueued_at",
        )
        .bind(at.to_rfc3339())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|(o, c)| Ok((parse_id(o, "review_jobs")?, parse_id(c, "review_jobs")?))).collect()
    }

    async fn claim_review_job(
        &self,
        customer_id: Uuid,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE review_jobs SET claimed_until = ? WHERE customer_id = ? \
             AND (claimed_until IS NULL OR claimed_until <= ?)",
        )
        .bind(until.to_rfc3339())
        .bind(customer_id.to_string())
        .bind(at.to_rfc3339())
        .execute_write(self.writer())
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    async fn release_review_job(&self, customer_id: Uuid) -> Result<(), StoreError> {
        sqlx::query("UPDATE review_jobs SET claimed_until = NULL WHERE customer_id = ?")
            .bind(customer_id.to_string())
            .execute_write(self.writer())
            .await?;
        Ok(())
    }

    async fn requeue_automatic_reviews(&self) -> Result<u64, StoreError> {
        let queued = sqlx::query(
            "INSERT INTO review_jobs (customer_id, organization_id, enqueued_at) \
             SELECT id, organization_id, ? FROM customers WHERE stage = 'automatic' \
             ON CONFLICT (customer_id) DO NOTHING",
        )
        .bind(now().to_rfc3339())
        .execute_write(self.writer())
        .await?
        .rows_affected();
        Ok(queued)
    }

    async fn drop_review_job(&self, customer_id: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM review_jobs WHERE customer_id = ?")
            .bind(customer_id.to_string())
            .execute_write(self.writer())
            .await?;
        Ok(())
    }
}
