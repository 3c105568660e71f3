//! Sign-in attempts on `PostgreSQL`, shared by every instance: the rows of an attempt's keys
//! are locked (in key order, so two attempts never wait for each other in a circle) while it
//! is counted, so concurrent attempts on any instances are counted one after the other.

use super::PostgresStore;
use crate::store::StoreError;
use crate::store::sign_in::{Limit, SignInStorage, Window, count_attempt};
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

#[async_trait]
impl SignInStorage for PostgresStore {
    async fn count_sign_in_attempt(
        &self,
        limits: &[Limit],
        at: DateTime<Utc>,
        length: TimeDelta,
    ) -> Result<Option<TimeDelta>, StoreError> {
        let mut ordered: Vec<&Limit> = limits.iter().collect();
        ordered.sort_by(|a, b| a.key.cmp(&b.key));
        let mut tx = self.pool().begin().await?;
        let mut stored = Vec::with_capacity(ordered.len());
        for limit in &ordered {
            // A row to lock, even for a key never seen: a fresh window that counts nothing.
            sqlx::query(
                "INSERT INTO sign_in_attempts (key_sha256, first_at, attempts) VALUES ($1, $2, 0) \
                 ON CONFLICT (key_sha256) DO NOTHING",
            )
            .bind(&limit.key)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let (first_at, attempts): (DateTime<Utc>, i32) =
                sqlx::query_as("SELECT first_at, attempts FROM sign_in_attempts WHERE key_sha256 = $1 FOR UPDATE")
                    .bind(&limit.key)
                    .fetch_one(&mut *tx)
                    .await?;
            let attempts = u32::try_from(attempts).map_err(|_| StoreError::Corrupt("sign_in_attempts"))?;
            stored.push((attempts > 0).then_some(Window { first_at, attempts }));
        }
        let owned: Vec<Limit> = ordered.into_iter().cloned().collect();
        let windows = match count_attempt(&owned, &stored, at, length) {
            Ok(windows) => windows,
            // Rolled back when dropped: nothing counted.
            Err(wait) => return Ok(Some(wait)),
        };
        for (limit, window) in owned.iter().zip(windows) {
            sqlx::query("UPDATE sign_in_attempts SET first_at = $1, attempts = $2 WHERE key_sha256 = $3")
                .bind(window.first_at)
                .bind(i32::try_from(window.attempts).unwrap_or(i32::MAX))
                .bind(&limit.key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(None)
    }

    async fn undo_sign_in_attempt(&self, forget: &str, undo: &[String]) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sign_in_attempts WHERE key_sha256 = $1").bind(forget).execute(&mut *tx).await?;
        sqlx::query("UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE key_sha256 = ANY($1)")
            .bind(undo)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sign_in_attempts WHERE key_sha256 = ANY($1) AND attempts <= 0")
            .bind(undo)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn purge_sign_in_attempts(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let purged = sqlx::query("DELETE FROM sign_in_attempts WHERE first_at < $1")
            .bind(before)
            .execute(self.pool())
            .await?
            .rows_affected();
        Ok(purged)
    }
}
