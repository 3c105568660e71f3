//! `PostgreSQL`, for scale-out: several kycard instances on one database.
//!
//! Native types (uuid, timestamptz, jsonb), a connection pool, and what sharing the database
//! needs: queued work claimed with leases ([`crate::store::DocumentStorage::claim_review_job`]),
//! event numbers given to history lines once committed ([`sequencer`]), and a
//! `LISTEN`/`NOTIFY` channel that tells every instance about every numbered change, so event
//! streams on any instance hear of it at once.

mod cards;
mod commit;
mod credentials;
mod customers;
mod documents;
mod events;
mod idempotency;
mod sequencer;
mod sessions;
mod sign_in;
mod webhooks;

use super::{Backlog, Storage, StoreError};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, broadcast};
use uuid::Uuid;

/// The channel committed changes are announced on (the payload is the organization id).
const CHANGES_CHANNEL: &str = "kycard_changes";

/// `PostgreSQL` through sqlx, over one pool.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    changes: broadcast::Sender<Uuid>,
    /// Wakes this instance's sequencer.
    sequence: Arc<Notify>,
    /// This instance, as its reservations name it.
    instance: Uuid,
}

/// How often an instance says it is alive.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// An instance silent this long is dead: what it held is free.
pub(super) const DEAD_AFTER_SECONDS: i64 = 10;

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db`), brings its schema
    /// up to date and starts listening for the changes other instances commit.
    ///
    /// # Errors
    ///
    /// A database that cannot be reached or migrated.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?.application_name("kycard");
        let pool = PgPoolOptions::new()
            .max_connections(32)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let (changes, _) = broadcast::channel(1024);
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        let sender = changes.clone();
        let sequence = Arc::new(Notify::new());
        sequencer::spawn(pool.clone(), sequence.clone());
        tokio::spawn(async move {
            loop {
                // `recv` reconnects by itself after a lost connection; notifications sent
                // meanwhile are lost, which the streams' regular reads cover.
                match listener.recv().await {
                    Ok(notification) => {
                        if let Ok(organization_id) = Uuid::parse_str(notification.payload()) {
                            let _ = sender.send(organization_id);
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "lost the change notifications; listening again");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        let instance = Uuid::now_v7();
        sqlx::query("INSERT INTO instances (id, started_at, seen_at) VALUES ($1, now(), now())")
            .bind(instance)
            .execute(&pool)
            .await?;
        let beating = pool.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT).await;
                let beat = sqlx::query("UPDATE instances SET seen_at = now() WHERE id = $1").bind(instance);
                if let Err(error) = beat.execute(&beating).await {
                    tracing::warn!(%error, "cannot tell the database this instance is alive");
                }
                // Instances gone for a day are forgotten (their reservations died long ago).
                let _ = sqlx::query("DELETE FROM instances WHERE seen_at < now() - interval '1 day'")
                    .execute(&beating)
                    .await;
            }
        });
        Ok(Self { pool, changes, sequence, instance })
    }

    /// Has this instance's sequencer number committed history lines now.
    pub(crate) fn sequence_soon(&self) {
        self.sequence.notify_one();
    }

    /// This instance's id.
    pub(crate) fn instance(&self) -> Uuid {
        self.instance
    }

    /// The pool.
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }
}

#[async_trait]
impl Storage for PostgresStore {
    fn shared(&self) -> bool {
        true
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

    async fn backup_to(&self, _target: &std::path::Path) -> Result<u64, StoreError> {
        Err(StoreError::Unsupported("`kycard backup` copies SQLite databases; back PostgreSQL up with pg_dump"))
    }

    fn changes(&self) -> broadcast::Receiver<Uuid> {
        self.changes.subscribe()
    }
}

/// Whether a database error is a unique-constraint violation.
fn is_unique_violation(error: &sqlx::Error) -> bool {
    error.as_database_error().is_some_and(sqlx::error::DatabaseError::is_unique_violation)
}
