//! `SQLite`, the embedded backend: one file, WAL mode, `synchronous = FULL`; one connection
//! writes with group commit (the `writer` module), a pool of read-only connections reads.

mod cards;
mod commit;
mod credentials;
mod customers;
mod documents;
mod events;
mod idempotency;
mod sessions;
mod sign_in;
mod webhooks;
mod writer;

use super::{Backlog, Storage, StoreError};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// `SQLite` through sqlx: the queries of each resource over two pools.
///
/// Every write goes through one connection, so writers queue in order inside the process
/// instead of meeting `SQLite`'s file lock, whose busy handler sleeps and retries (the cause of
/// long tail latencies under concurrent writes). Reads use a pool of read-only connections,
/// which WAL lets run alongside the writer.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    writer: writer::GroupWriter,
    /// Organizations whose changes committed (one instance: announced in process).
    changes: tokio::sync::broadcast::Sender<uuid::Uuid>,
}

#[async_trait]
impl Storage for SqliteStore {
    fn shared(&self) -> bool {
        // One instance per data folder: the file is not shared.
        false
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn backlog(&self) -> Result<Backlog, StoreError> {
        let (reviews, webhook_deliveries): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM review_jobs), \
                    (SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending')",
        )
        .fetch_one(&self.pool)
        .await?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(Backlog { reviews: count(reviews), webhook_deliveries: count(webhook_deliveries) })
    }

    async fn backup_to(&self, target: &std::path::Path) -> Result<u64, StoreError> {
        // VACUUM INTO copies one read transaction's snapshot, so writers go on meanwhile. It
        // renumbers implicit rowids, which nothing relies on: the search index maps customers
        // through their own `search_rowid` column.
        let path = target.to_str().ok_or(StoreError::Corrupt("backup path"))?;
        sqlx::query("VACUUM INTO ?").bind(path).execute(&self.pool).await?;
        let copy = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(SqliteConnectOptions::new().filename(target).read_only(true))
            .await?;
        let (check,): (String,) = sqlx::query_as("PRAGMA integrity_check").fetch_one(&copy).await?;
        if check != "ok" {
            return Err(StoreError::Corrupt("backup"));
        }
        let (customers,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM customers").fetch_one(&copy).await?;
        copy.close().await;
        Ok(u64::try_from(customers).unwrap_or(0))
    }

    fn changes(&self) -> tokio::sync::broadcast::Receiver<uuid::Uuid> {
        self.changes.subscribe()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url`, e.g. `sqlite://./data/kycard.db`, and
    /// brings its schema up to date.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        sqlx::migrate!("./migrations/sqlite").run(&writer).await?;
        // The database holds personal data: this user alone may read it (and its WAL files).
        for suffix in ["", "-wal", "-shm"] {
            let mut path = options.get_filename().as_os_str().to_owned();
            path.push(suffix);
            if std::path::Path::new(&path).exists() {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
            }
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options.read_only(true)).await?;
        let (changes, _) = tokio::sync::broadcast::channel(1024);
        Ok(Self { pool, writer: writer::GroupWriter::new(writer), changes })
    }

    /// The read-only connections.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Announces a committed change of the organization to the event streams.
    pub(crate) fn announce(&self, organization_id: uuid::Uuid) {
        let _ = self.changes.send(organization_id);
    }

    /// The one connection that writes, with group commit.
    pub(crate) fn writer(&self) -> &writer::GroupWriter {
        &self.writer
    }
}

pub(crate) fn parse_time(raw: &str, table: &'static str) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| StoreError::Corrupt(table))
}

pub(crate) fn parse_id(raw: &str, table: &'static str) -> Result<uuid::Uuid, StoreError> {
    uuid::Uuid::parse_str(raw).map_err(|_| StoreError::Corrupt(table))
}

/// Whether a database error is a unique-constraint violation.
pub(crate) fn is_unique_violation(error: &StoreError) -> bool {
    matches!(error, StoreError::Database(e) if e.as_database_error().is_some_and(sqlx::error::DatabaseError::is_unique_violation))
}
