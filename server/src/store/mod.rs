//! Durable state: organizations, credentials, customers and their history, documents, cards,
//! idempotency records, webhooks.
//!
//! The rest of the server sees only [`Storage`], the sum of one trait per resource
//! ([`CustomerStorage`], [`CardStorage`], …), behind the shared handle [`Store`]. Methods are
//! called on the trait object, so call sites need no imports.
//!
//! Layout: each resource's file here holds its records and its trait, with no SQL; every
//! change of a use case goes through one method, [`ChangeStorage::commit`] (see [`Change`]).
//! Each backend lives in its own folder and implements the traits, with its own migrations
//! (`server/migrations/<backend>`): [`sqlite`] (the default, embedded) and [`postgres`] (for
//! several instances).
//!
//! The contract every implementation keeps (tested in `server/tests/storage.rs`): a change
//! commits whole, with its history and its idempotent answer, or not at all; a committed change
//! survives a crash or a kill; queries bind their parameters (never string-built SQL).
//! Business rules stay out: storage asks core and the records, never restates them.

mod cards;
mod change;
mod credentials;
mod customers;
mod documents;
mod events;
mod idempotency;
mod sessions;
mod sign_in;
mod webhooks;

pub mod postgres;
pub mod sqlite;

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

pub use cards::CardStorage;
pub use change::ChangeStorage;
pub use credentials::CredentialStorage;
pub use customers::CustomerStorage;
pub use documents::DocumentStorage;
pub use events::EventStorage;
pub use idempotency::IdempotencyStorage;
pub use sessions::SessionStorage;
pub use sign_in::{Limit, SignInStorage};
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
use std::sync::Arc;

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
    #[error(
        "unsupported database URL: use sqlite://<path> (a file; in-memory databases are not supported) \
         or postgres://<user>@<host>:<port>/<database>"
    )]
    UnsupportedUrl,
    /// This backend cannot do that.
    #[error("{0}")]
    Unsupported(&'static str),
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
    + SignInStorage
    + WebhookStorage
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
    /// Whether other kycard instances may use this database at the same time (then nothing
    /// found at start can be assumed abandoned).
    fn shared(&self) -> bool;

    /// A cheap round trip, for health checks.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Work waiting, for metrics: queued automatic reviews and pending webhook deliveries.
    async fn backlog(&self) -> Result<Backlog, StoreError>;

    /// Writes a consistent copy of the whole database into `target`, an empty file, while
    /// the server keeps serving; returns how many customers the copy holds, counted in it
    /// after its integrity was checked.
    async fn backup_to(&self, target: &std::path::Path) -> Result<u64, StoreError>;

    /// The organizations whose changes commit from now on, as they commit (on any instance
    /// sharing the database): event streams wait on this instead of polling. A receiver that
    /// lags or misses one still finds the change at its next read.
    fn changes(&self) -> tokio::sync::broadcast::Receiver<uuid::Uuid>;
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

/// Opens the database named by `url` and brings its schema up to date: `sqlite://path`
/// (created if missing) or `postgres://…` (an existing database).
///
/// # Errors
///
/// An unsupported URL scheme, or a database that cannot be opened or migrated.
pub async fn open(url: &str) -> Result<Store, StoreError> {
    // An in-memory database would be a different one on each of the two pools.
    if url.starts_with("sqlite:") && !url.contains(":memory:") && !url.contains("mode=memory") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

/// Current time as stored: UTC, truncated to microseconds so it survives a round trip.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::Timelike;
    let now = chrono::Utc::now();
    now.with_nanosecond(now.timestamp_subsec_micros() * 1000).unwrap_or(now)
}
