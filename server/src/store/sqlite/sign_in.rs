//! Sign-in attempts on `SQLite`: counted in one write of the group writer, so concurrent
//! attempts are counted one after the other.

use super::writer::ExecuteWrite;
use super::{SqliteStore, parse_time};
use crate::store::StoreError;
use crate::store::sign_in::{Limit, SignInStorage, Window, count_attempt};
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

#[async_trait]
impl SignInStorage for SqliteStore {
    async fn count_sign_in_attempt(
        &self,
        limits: &[Limit],
        at: DateTime<Utc>,
        length: TimeDelta,
    ) -> Result<Option<TimeDelta>, StoreError> {
        let mut tx = self.writer().begin().await?;
        let mut stored = Vec::with_capacity(limits.len());
        for limit in limits {
            let row: Option<(String, i64)> =
                sqlx::query_as("SELECT first_at, attempts FROM sign_in_attempts WHERE key_sha256 = ?")
                    .bind(&limit.key)
                    .fetch_optional(&mut *tx)
                    .await?;
            stored.push(
                row.map(|(first_at, attempts)| {
                    Ok::<_, StoreError>(Window {
                        first_at: parse_time(&first_at, "sign_in_attempts")?,
                        attempts: u32::try_from(attempts).map_err(|_| StoreError::Corrupt("sign_in_attempts"))?,
                    })
                })
                .transpose()?,
            );
        }
        let windows = match count_attempt(limits, &stored, at, length) {
            Ok(windows) => windows,
            // Dropping the write leaves everything as it was.
            Err(wait) => return Ok(Some(wait)),
        };
        for (limit, window) in limits.iter().zip(windows) {
            sqlx::query(
                "INSERT INTO sign_in_attempts (key_sha256, first_at, attempts) VALUES (?, ?, ?) \
                 ON CONFLICT (key_sha256) DO UPDATE SET first_at = excluded.first_at, attempts = excluded.attempts",
            )
            .bind(&limit.key)
            .bind(window.first_at.to_rfc3339())
            .bind(i64::from(window.attempts))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(None)
    }

    async fn undo_sign_in_attempt(&self, forget: &str, undo: &[String]) -> Result<(), StoreError> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("DELETE FROM sign_in_attempts WHERE key_sha256 = ?").bind(forget).execute(&mut *tx).await?;
        for key in undo {
            sqlx::query("UPDATE sign_in_attempts SET attempts = attempts - 1 WHERE key_sha256 = ?")
                .bind(key)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sign_in_attempts WHERE key_sha256 = ? AND attempts <= 0")
                .bind(key)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn purge_sign_in_attempts(&self, before: DateTime<Utc>) -> Result<u64, StoreError> {
        let purged = sqlx::query("DELETE FROM sign_in_attempts WHERE first_at < ?")
            .bind(before.to_rfc3339())
            .execute_write(self.writer())
            .await?
            .rows_affected();
        Ok(purged)
    }
}
