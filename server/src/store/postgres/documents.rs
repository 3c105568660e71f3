//! Documents and the automatic review queue on `PostgreSQL`.

use super::PostgresStore;
use crate::store::documents::stored_flag;
use crate::store::{DocumentRecord, DocumentStorage, StoreError, now};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::documents::{ContentType, DocumentKind, RequirementState};
use kycard_core::quality::DocumentContent;
use sqlx::Row;
use sqlx::postgres::PgRow;
use sqlx::types::Json;
use uuid::Uuid;

fn from_row(row: &PgRow) -> Result<DocumentRecord, StoreError> {
    let corrupt = || StoreError::Corrupt("documents");
    let size: i64 = row.try_get("size")?;
    let content: Option<Json<DocumentContent>> = row.try_get("content")?;
    Ok(DocumentRecord {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        kind: DocumentKind::parse(row.try_get("kind")?).ok_or_else(corrupt)?,
        content_type: ContentType::parse(row.try_get("content_type")?).ok_or_else(corrupt)?,
        size: u64::try_from(size).map_err(|_| corrupt())?,
        sha256: row.try_get("sha256")?,
        content: content.map(|Json(c)| c),
        has_preview: row.try_get("has_preview")?,
        issued_on: row.try_get("issued_on")?,
        state: RequirementState::parse(row.try_get("state")?).ok_or_else(corrupt)?,
        flag: stored_flag(row.try_get("flag_code")?, row.try_get("flag_message")?)?,
        uploaded_at: row.try_get("uploaded_at")?,
    })
}

const SELECT: &str = "SELECT id, customer_id, kind, content_type, size, sha256, content, has_preview, issued_on, \
                      state, flag_code, flag_message, uploaded_at FROM documents";

#[async_trait]
impl DocumentStorage for PostgresStore {
    async fn current_documents(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
    ) -> Result<Vec<DocumentRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE customer_id = $1 AND organization_id = $2 AND superseded_at IS NULL ORDER BY id"
        )))
        .bind(customer_id)
        .bind(organization_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn current_documents_of(
        &self,
        organization_id: Uuid,
        customer_ids: &[Uuid],
    ) -> Result<Vec<DocumentRecord>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE organization_id = $1 AND superseded_at IS NULL AND customer_id = ANY($2) ORDER BY id"
        )))
        .bind(organization_id)
        .bind(customer_ids)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(from_row).collect()
    }

    async fn document(&self, organization_id: Uuid, id: Uuid) -> Result<Option<DocumentRecord>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1 AND organization_id = $2")))
            .bind(id)
            .bind(organization_id)
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
        let row: Option<(Uuid,)> = sqlx::query_as(
            "SELECT customer_id FROM documents WHERE organization_id = $1 AND sha256 = $2 AND customer_id != $3 \
             ORDER BY id LIMIT 1",
        )
        .bind(organization_id)
        .bind(sha256)
        .bind(customer_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(id,)| id))
    }

    async fn all_document_ids(&self) -> Result<Vec<Uuid>, StoreError> {
        let rows: Vec<(Uuid,)> = sqlx::query_as("SELECT id FROM documents").fetch_all(self.pool()).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn review_jobs(&self, at: DateTime<Utc>) -> Result<Vec<(Uuid, Uuid)>, StoreError> {
        let rows: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT organization_id, customer_id FROM review_jobs \
             WHERE claimed_until IS NULL OR claimed_until <= $1 ORDER BY enqueued_at",
        )
        .bind(at)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    async fn claim_review_job(
        &self,
        customer_id: Uuid,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        // The row lock makes two instances' claims one after the other; the second finds the
        // first's claim and gets nothing.
        let claimed = sqlx::query(
            "UPDATE review_jobs SET claimed_until = $1 WHERE customer_id = $2 \
             AND (claimed_until IS NULL OR claimed_until <= $3)",
        )
        .bind(until)
        .bind(customer_id)
        .bind(at)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    async fn release_review_job(&self, customer_id: Uuid) -> Result<(), StoreError> {
        sqlx::query("UPDATE review_jobs SET claimed_until = NULL WHERE customer_id = $1")
            .bind(customer_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn requeue_automatic_reviews(&self) -> Result<u64, StoreError> {
        let queued = sqlx::query(
            "INSERT INTO review_jobs (customer_id, organization_id, enqueued_at) \
             SELECT id, organization_id, $1 FROM customers WHERE stage = 'automatic' \
             ON CONFLICT (customer_id) DO NOTHING",
        )
        .bind(now())
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(queued)
    }

    async fn drop_review_job(&self, customer_id: Uuid) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM review_jobs WHERE customer_id = $1").bind(customer_id).execute(self.pool()).await?;
        Ok(())
    }
}
