//! Idempotency keys on `PostgreSQL`, shared by every instance: a key reserved on one is in
//! progress on all.

use super::{DEAD_AFTER_SECONDS, PostgresStore};
use crate::store::idempotency::{Cutoffs, IN_PROGRESS, outcome};
use crate::store::{IdempotencyOutcome, IdempotencyStorage, KeyAnswer, StoreError, StoredResponse, now};
use async_trait::async_trait;
use sqlx::PgConnection;
use uuid::Uuid;

/// Records the answer of a reserved key inside the transaction of its change. A key already
/// answered matches nothing, so an answer is never rewritten.
pub(super) async fn complete_in(
    connection: &mut PgConnection,
    organization_id: Uuid,
    answer: &KeyAnswer,
) -> Result<(), StoreError> {
    complete(organization_id, &answer.key, &answer.response).execute(connection).await?;
    Ok(())
}

fn complete<'q>(
    organization_id: Uuid,
    key: &'q str,
    response: &'q StoredResponse,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $1, body = $2 WHERE organization_id = $3 AND key = $4 AND status = $5",
    )
    .bind(i32::from(response.status))
    .bind(&response.body)
    .bind(organization_id)
    .bind(key)
    .bind(IN_PROGRESS)
}

/// Whether the instance that reserved the key (`instance_id` of the row) still runs.
fn holder_alive(row: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM instances i WHERE i.id = {row}.instance_id \
         AND i.seen_at > now() - make_interval(secs => {DEAD_AFTER_SECONDS}))"
    )
}

impl PostgresStore {
    /// What the key's live row (answered within the retention, or reserved within the lease)
    /// means for this request.
    async fn idempotency_record(
        &self,
        organization_id: Uuid,
        key: &str,
        cutoffs: &Cutoffs,
        fingerprint: &str,
    ) -> Result<Option<IdempotencyOutcome>, StoreError> {
        let sql = format!(
            "SELECT fingerprint, status, body FROM idempotency_keys k WHERE organization_id = $1 AND key = $2 \
             AND created_at >= $3 AND (status <> $4 OR (created_at >= $5 AND {}))",
            holder_alive("k")
        );
        let row: Option<(String, i32, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(key)
            .bind(cutoffs.retention)
            .bind(IN_PROGRESS)
            .bind(cutoffs.lease)
            .fetch_optional(self.pool())
            .await?;
        row.map(|(stored, status, body)| outcome(&stored, status, body, fingerprint)).transpose()
    }
}

#[async_trait]
impl IdempotencyStorage for PostgresStore {
    async fn reserve_idempotency(
        &self,
        organization_id: Uuid,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotencyOutcome, StoreError> {
        let cutoffs = Cutoffs::now();
        if let Some(found) = self.idempotency_record(organization_id, key, &cutoffs, fingerprint).await? {
            return Ok(found);
        }
        // A dead row (past its retention, or a reservation past its lease or whose instance
        // died) gives way; a live one wins the conflict.
        let sql = format!(
            "INSERT INTO idempotency_keys (organization_id, key, fingerprint, status, body, created_at, instance_id) \
             VALUES ($1, $2, $3, $4, '', $5, $8) \
             ON CONFLICT (organization_id, key) DO UPDATE \
             SET fingerprint = excluded.fingerprint, status = excluded.status, body = '', \
                 created_at = excluded.created_at, instance_id = excluded.instance_id \
             WHERE idempotency_keys.created_at < $6 OR (idempotency_keys.status = $4 \
                 AND (idempotency_keys.created_at < $7 OR NOT {}))",
            holder_alive("idempotency_keys")
        );
        let reserved = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(organization_id)
            .bind(key)
            .bind(fingerprint)
            .bind(IN_PROGRESS)
            .bind(now())
            .bind(cutoffs.retention)
            .bind(cutoffs.lease)
            .bind(self.instance())
            .execute(self.pool())
            .await?
            .rows_affected();
        if reserved == 1 {
            return Ok(IdempotencyOutcome::Reserved);
        }
        match self.idempotency_record(organization_id, key, &cutoffs, fingerprint).await? {
            Some(found) => Ok(found),
            None => Ok(IdempotencyOutcome::InProgress),
        }
    }

    async fn complete_idempotency(
        &self,
        organization_id: Uuid,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError> {
        complete(organization_id, key, response).execute(self.pool()).await?;
        Ok(())
    }

    async fn release_abandoned_idempotency(&self) -> Result<u64, StoreError> {
        // Other instances may be running requests: only reservations that died.
        let sql = format!(
            "DELETE FROM idempotency_keys k WHERE status = $1 AND (created_at < $2 OR NOT {})",
            holder_alive("k")
        );
        let freed = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(IN_PROGRESS)
            .bind(Cutoffs::now().lease)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(freed)
    }

    async fn release_idempotency(&self, organization_id: Uuid, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM idempotency_keys WHERE organization_id = $1 AND key = $2 AND status = $3")
            .bind(organization_id)
            .bind(key)
            .bind(IN_PROGRESS)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn purge_idempotency(&self) -> Result<u64, StoreError> {
        let cutoffs = Cutoffs::now();
        let sql = format!(
            "DELETE FROM idempotency_keys k WHERE created_at < $1 OR (status = $2 AND (created_at < $3 OR NOT {}))",
            holder_alive("k")
        );
        let purged = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(cutoffs.retention)
            .bind(IN_PROGRESS)
            .bind(cutoffs.lease)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(purged)
    }
}
