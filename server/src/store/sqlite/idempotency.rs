//! Idempotency keys on `SQLite`.

use super::SqliteStore;
use super::writer::ExecuteWrite;
use crate::store::IdempotencyOutcome;
use crate::store::IdempotencyStorage;
use crate::store::KeyAnswer;
use crate::store::StoredResponse;
use crate::store::idempotency::{Cutoffs, IN_PROGRESS, outcome};
use crate::store::{StoreError, now};
use async_trait::async_trait;
use uuid::Uuid;

/// Records the answer of a reserved key inside the transaction of its change.
pub(super) async fn complete_in(
    tx: &mut super::writer::Write,
    organization_id: Uuid,
    answer: &KeyAnswer,
) -> Result<(), StoreError> {
    complete(organization_id, &answer.key, &answer.response).execute(&mut **tx).await?;
    Ok(())
}

/// Records the response of a reserved key. A key already completed (in its change's
/// transaction) matches nothing, so the answer is never rewritten and no second commit
/// writes to disk.
fn complete<'q>(
    organization_id: Uuid,
    key: &'q str,
    response: &'q StoredResponse,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    sqlx::query("UPDATE idempotency_keys SET status = ?, body = ? WHERE organization_id = ? AND key = ? AND status = ?")
        .bind(i64::from(response.status))
        .bind(&response.body)
        .bind(organization_id.to_string())
        .bind(key)
        .bind(IN_PROGRESS)
}

impl SqliteStore {
    /// The key's row when it is live: answered within the retention, or reserved within the
    /// lease ([`Cutoffs`]).
    async fn idempotency_record(
        &self,
        organization_id: Uuid,
        key: &str,
        cutoffs: &Cutoffs,
        fingerprint: &str,
    ) -> Result<Option<IdempotencyOutcome>, StoreError> {
        let row: Option<(String, i32, String)> = sqlx::query_as(
            "SELECT fingerprint, status, body FROM idempotency_keys \
             WHERE organization_id = ? AND key = ? AND created_at >= ? AND (status <> ? OR created_at >= ?)",
        )
        .bind(organization_id.to_string())
        .bind(key)
        .bind(cutoffs.retention.to_rfc3339())
        .bind(IN_PROGRESS)
        .bind(cutoffs.lease.to_rfc3339())
        .fetch_optional(self.pool())
        .await?;
        row.map(|(stored, status, body)| outcome(&stored, status, body, fingerprint)).transpose()
    }
}

#[async_trait]
impl IdempotencyStorage for SqliteStore {
    async fn reserve_idempotency(
        &self,
        organization_id: Uuid,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotencyOutcome, StoreError> {
        let cutoffs = Cutoffs::now();
        // Read first (a reader connection): a retry, or a request waiting for the one that
        // holds its key, only writes when the key is free.
        if let Some(found) = self.idempotency_record(organization_id, key, &cutoffs, fingerprint).await? {
            return Ok(found);
        }
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE organization_id = ? AND key = ? \
             AND (created_at < ? OR (status = ? AND created_at < ?))",
        )
        .bind(organization_id.to_string())
        .bind(key)
        .bind(cutoffs.retention.to_rfc3339())
        .bind(IN_PROGRESS)
        .bind(cutoffs.lease.to_rfc3339())
        .execute_write(self.writer())
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (organization_id, key, fingerprint, status, body, created_at) \
             VALUES (?, ?, ?, ?, '', ?) ON CONFLICT (organization_id, key) DO NOTHING",
        )
        .bind(organization_id.to_string())
        .bind(key)
        .bind(fingerprint)
        .bind(IN_PROGRESS)
        .bind(now().to_rfc3339())
        .execute_write(self.writer())
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(IdempotencyOutcome::Reserved);
        }
        // Taken between the read and the insert.
        match self.idempotency_record(organization_id, key, &cutoffs, fingerprint).await? {
            Some(found) => Ok(found),
            // Freed again meanwhile by its owner: ask again.
            None => Ok(IdempotencyOutcome::InProgress),
        }
    }

    async fn complete_idempotency(
        &self,
        organization_id: Uuid,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        complete(organization_id, key, response).execute_write(self.writer()).await?;
        Ok(())
    }

    async fn release_abandoned_idempotency(&self) -> Result<u64, StoreError> {
        let freed = sqlx::query("DELETE FROM idempotency_keys WHERE status = ?")
            .bind(IN_PROGRESS)
            .execute_write(self.writer())
            .await?
            .rows_affected();
        Ok(freed)
    }

    async fn release_idempotency(&self, organization_id: Uuid, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE organization_id = ? AND key = ? AND status = ?")
            .bind(organization_id.to_string())
            .bind(key)
            .bind(IN_PROGRESS)
            .execute_write(self.writer())
            .await?;
        Ok(())
    }

    async fn purge_idempotency(&self) -> Result<u64, StoreError> {
        let cutoffs = Cutoffs::now();
        let purged =
            sqlx::query("DELETE FROM idempotency_keys WHERE created_at < ? OR (status = ? AND created_at < ?)")
                .bind(cutoffs.retention.to_rfc3339())
                .bind(IN_PROGRESS)
                .bind(cutoffs.lease.to_rfc3339())
                .execute_write(self.writer())
                .await?
                .rows_affected();
        Ok(purged)
    }
}
