//! Durable state: organizations, credentials, customers and their history, documents, cards,
//! idempotency records, webhooks.
//!
//! The rest of the server sees only [`Storage`], the sum of one trait per resource
//! ([`CustomerStorage`], [`CardStorage`], …), behind the shared handle [`Store`]. Each
//! resource's file holds its records, its trait and the `SQLite` implementation
//! ([`SqliteStore`]); another backend implements the same traits. Methods are called on the
//! trait object, so call sites need no imports.
//!
//! The contract every implementation keeps: each state change and its history row commit in
//! one transaction, and a committed change survives a crash or a kill. On `SQLite` the database
//! runs in WAL mode with `synchronous = FULL`, and queries are plain `sqlx::query` with bound
//! parameters (never string-built SQL).

mod cards;
mod change;
mod commit;
mod credentials;
mod customers;
mod documents;
mod events;
mod idempotency;
mod sessions;
mod webhooks;
mod writer;

pub use cards::CardStorage;
pub use change::ChangeStorage;
pub use credentials::CredentialStorage;
pub use customers::CustomerStorage;
pub use documents::DocumentStorage;
pub use events::EventStorage;
pub use idempotency::IdempotencyStorage;
pub use sessions::SessionStorage;
pub use webhooks::WebhookStorage;

pub use cards::{CardRecord, NewCard};
pub use change::{Change, Committed, DocumentVerdict, KeyAnswer, Step};
pub(crate) use credentials::key_digest;
pub use credentials::{Caller, NewApiKey, Organization, random_password};
pub use customers::{CustomerRecord, HistoryLine, HistoryPage, ListFilter};
pub use documents::DocumentRecord;
pub use events::LoggedChange;
pub use idempotency::{IdempotencyOutcome, RESERVATION_LEASE_SECONDS, StoredResponse};
pub use sessions::{SESSION_HOURS, SESSION_IDLE_MINUTES, Session, UserLogin};
pub use webhooks::{DueDelivery, Subscription};

use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

/// Storage failures. Messages never carry row contents (personal data).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back.
    #[error("corrupt stored value in {0}")]
    Corrupt(&'static str),
    /// The database URL names no backend this build has.
    #[error("unsupported database URL: use sqlite://<path> (a file; in-memory databases are not supported)")]
    UnsupportedUrl,
    /// A unique value (slug, email) is taken.
    #[error("{0} already exists")]
    Duplicate(&'static str),
    /// The commit of a batch of writes failed: nothing of it was stored.
    #[error("commit failed: {0}")]
    Commit(String),
}

/// Everything the server stores, whatever the database.
#[async_trait]
pub trait Storage:
    ChangeStorage
    + CredentialStorage
    + CustomerStorage
    + DocumentStorage
    + CardStorage
    + EventStorage
    + IdempotencyStorage
    + SessionStorage
    + WebhookStorage
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
    /// A cheap round trip, for health checks.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Work waiting, for metrics: queued automatic reviews and pending webhook deliveries.
    async fn backlog(&self) -> Result<Backlog, StoreError>;

    /// Writes a consistent copy of the whole database into `target`, an empty file, while
    /// the server keeps serving; returns how many customers the copy holds, counted in it
    /// after its integrity was checked.
    async fn backup_to(&self, target: &std::path::Path) -> Result<u64, StoreError>;
}

/// Work waiting in the queues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backlog {
    /// Automatic reviews queued.
    pub reviews: u64,
    /// Webhook deliveries not yet delivered or given up.
    pub webhook_deliveries: u64,
}

/// The storage handle the server passes around (cheap to clone).
pub type Store = Arc<dyn Storage>;

/// Opens the database named by `url` and brings its schema up to date. `sqlite://path`
/// (created if missing) is the one backend built in.
///
/// # Errors
///
/// An unsupported URL scheme, or a database that cannot be opened or migrated.
pub async fn open(url: &str) -> Result<Store, StoreError> {
    // An in-memory database would be a different one on each of the two pools.
    if url.starts_with("sqlite:") && !url.contains(":memory:") && !url.contains("mode=memory") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

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
}

#[async_trait]
impl Storage for SqliteStore {
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
        Ok(Self { pool, writer: writer::GroupWriter::new(writer) })
    }

    /// The read-only connections.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The one connection that writes, with group commit.
    pub(crate) fn writer(&self) -> &writer::GroupWriter {
        &self.writer
    }
}

/// Current time as stored: UTC, truncated to microseconds so it survives a round trip.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::Timelike;
    let now = chrono::Utc::now();
    now.with_nanosecond(now.timestamp_subsec_micros() * 1000).unwrap_or(now)
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
