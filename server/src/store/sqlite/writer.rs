//! Group commit for the one connection that writes: each write runs in a savepoint of a shared
//! transaction, and one `COMMIT` (one fsync) makes a whole batch durable. A write's caller
//! hears back only once its batch committed, so the durability of each answer is unchanged;
//! under load, many writes share an fsync instead of queueing for one each.
//!
//! [`GroupWriter::begin`] takes the connection (writes run one after another, in arrival
//! order: the lock is fair), opens a savepoint and hands it out as a [`Write`].
//! [`Write::commit`] releases the savepoint, asks the flusher for a commit and waits for it.
//! A `Write` dropped without `commit` (an error, a refusal, a cancelled request) is rolled
//! back to its savepoint by whoever takes the connection next, so no write is ever half in a
//! batch. The flusher queues for the connection like any write: every write waiting before it
//! joins the batch it commits.

use super::StoreError;
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use tokio::sync::{Mutex, Notify, OwnedMutexGuard, oneshot};

/// The writing connection, shared by all writes.
#[derive(Debug, Clone)]
pub(crate) struct GroupWriter {
    batch: Arc<Mutex<Batch>>,
    flush: Arc<Notify>,
    /// Commits made, for tests and metrics.
    commits: Arc<std::sync::atomic::AtomicU64>,
}

/// The open transaction and what waits for its commit.
#[derive(Debug)]
struct Batch {
    pool: SqlitePool,
    tx: Option<Transaction<'static, Sqlite>>,
    /// A savepoint left by a write dropped without commit: rolled back before anything else.
    undo: Option<u64>,
    next_savepoint: u64,
    /// Writes released into the open transaction, each waiting for its commit.
    waiting: Vec<oneshot::Sender<Result<(), String>>>,
}

impl Batch {
    /// Rolls back a savepoint left by an abandoned write. When even that fails, the whole
    /// open transaction is rolled back and the writes waiting on it hear so.
    async fn settle(&mut self) {
        let Some(savepoint) = self.undo.take() else { return };
        let Some(tx) = self.tx.as_mut() else { return };
        let undone = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ROLLBACK TO kycard_sp{savepoint}; RELEASE kycard_sp{savepoint}"
        )))
        .execute(&mut **tx)
        .await;
        if let Err(error) = undone {
            tracing::error!(%error, "cannot roll back an abandoned write; dropping its batch");
            if let Some(tx) = self.tx.take() {
                let _ = tx.rollback().await;
            }
            for waiter in self.waiting.drain(..) {
                let _ = waiter.send(Err("the batch was rolled back".to_owned()));
            }
        }
    }
}

impl GroupWriter {
    /// Takes over `pool` (one connection) and starts the flusher.
    pub(crate) fn new(pool: SqlitePool) -> Self {
        let writer = Self {
            batch: Arc::new(Mutex::new(Batch { pool, tx: None, undo: None, next_savepoint: 0, waiting: Vec::new() })),
            flush: Arc::new(Notify::new()),
            commits: Arc::default(),
        };
        let (batch, flush, commits) = (writer.batch.clone(), writer.flush.clone(), writer.commits.clone());
        tokio::spawn(async move {
            loop {
                flush.notified().await;
                let mut batch = batch.clone().lock_owned().await;
                batch.settle().await;
                let waiting = std::mem::take(&mut batch.waiting);
                let committed = match batch.tx.take() {
                    Some(tx) => tx.commit().await.map_err(|e| e.to_string()),
                    None => Ok(()),
                };
                commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                #[allow(clippy::cast_precision_loss)] // a batch is far below 2^52 writes
                metrics::histogram!(crate::metrics::WRITE_BATCH).record(waiting.len() as f64);
                if let Err(error) = &committed {
                    tracing::error!(%error, writes = waiting.len(), "a group commit failed");
                }
                for waiter in waiting {
                    let _ = waiter.send(committed.clone());
                }
            }
        });
        writer
    }

    /// Commits made so far.
    #[cfg(test)]
    fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Starts a write: a savepoint of the shared transaction, for this caller alone until it
    /// commits or is dropped.
    pub(crate) async fn begin(&self) -> Result<Write, StoreError> {
        let mut batch = self.batch.clone().lock_owned().await;
        batch.settle().await;
        if batch.tx.is_none() {
            let tx = batch.pool.begin().await?;
            batch.tx = Some(tx);
        }
        batch.next_savepoint = batch.next_savepoint.wrapping_add(1);
        let savepoint = batch.next_savepoint;
        let tx = batch.tx.as_mut().ok_or(StoreError::Corrupt("writer"))?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("SAVEPOINT kycard_sp{savepoint}"))).execute(&mut **tx).await?;
        Ok(Write { batch: Some(batch), savepoint, flush: self.flush.clone() })
    }
}

/// One write in progress: derefs to the connection, inside its savepoint.
#[derive(Debug)]
pub(crate) struct Write {
    batch: Option<OwnedMutexGuard<Batch>>,
    savepoint: u64,
    flush: Arc<Notify>,
}

impl Write {
    fn batch(&mut self) -> &mut Batch {
        self.batch.as_mut().expect("a write holds the batch until it ends")
    }

    /// Keeps the write: releases its savepoint, then waits until its batch is committed
    /// (durable) or has failed.
    pub(crate) async fn commit(mut self) -> Result<(), StoreError> {
        let savepoint = self.savepoint;
        let tx = self.batch().tx.as_mut().ok_or(StoreError::Corrupt("writer"))?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("RELEASE kycard_sp{savepoint}"))).execute(&mut **tx).await?;
        let (sender, committed) = oneshot::channel();
        let mut batch = self.batch.take().expect("a write holds the batch until it ends");
        batch.waiting.push(sender);
        drop(batch);
        self.flush.notify_one();
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(StoreError::Commit(error)),
            Err(_) => Err(StoreError::Commit("the writer stopped".to_owned())),
        }
    }
}

impl Deref for Write {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.batch.as_ref().and_then(|b| b.tx.as_deref()).expect("a write holds an open transaction")
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.batch.as_mut().and_then(|b| b.tx.as_deref_mut()).expect("a write holds an open transaction")
    }
}

impl Drop for Write {
    fn drop(&mut self) {
        // Not committed: the next to take the connection rolls this savepoint back first.
        if let Some(mut batch) = self.batch.take() {
            batch.undo = Some(self.savepoint);
            drop(batch);
            self.flush.notify_one();
        }
    }
}

/// One statement as a write of its own (its own savepoint, committed with its batch).
pub(crate) trait ExecuteWrite {
    /// Runs the statement through `writer` and waits until it is committed.
    async fn execute_write(self, writer: &GroupWriter) -> Result<sqlx::sqlite::SqliteQueryResult, StoreError>;
}

impl ExecuteWrite for sqlx::query::Query<'_, Sqlite, sqlx::sqlite::SqliteArguments> {
    async fn execute_write(self, writer: &GroupWriter) -> Result<sqlx::sqlite::SqliteQueryResult, StoreError> {
        let mut write = writer.begin().await?;
        let done = self.execute(&mut *write).await?;
        write.commit().await?;
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

    async fn writer(dir: &std::path::Path) -> (GroupWriter, SqlitePool) {
        let options = SqliteConnectOptions::new()
            .filename(dir.join("t.db"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await.expect("db");
        sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")
            .execute(&pool)
            .await
            .expect("table");
        let reader = SqlitePoolOptions::new().max_connections(2).connect_with(options).await.expect("reader");
        (GroupWriter::new(pool), reader)
    }

    async fn values(reader: &SqlitePool) -> Vec<String> {
        sqlx::query_as::<_, (String,)>("SELECT v FROM t ORDER BY v")
            .fetch_all(reader)
            .await
            .expect("read")
            .into_iter()
            .map(|(v,)| v)
            .collect()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_share_commits_and_each_hears_back_once_durable() {
        let dir = tempfile::tempdir().expect("dir");
        let (writer, reader) = writer(dir.path()).await;
        let inserts = (0..64).map(|n| {
            let writer = writer.clone();
            let reader = reader.clone();
            tokio::spawn(async move {
                sqlx::query("INSERT INTO t (v) VALUES (?)")
                    .bind(format!("{n:02}"))
                    .execute_write(&writer)
                    .await
                    .expect("write");
                // Answered only once committed: another connection sees it.
                let seen: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM t WHERE v = ?")
                    .bind(format!("{n:02}"))
                    .fetch_one(&reader)
                    .await
                    .expect("read");
                seen.0
            })
        });
        for insert in futures_util::future::join_all(inserts).await {
            assert_eq!(insert.expect("task"), 1);
        }
        assert_eq!(values(&reader).await.len(), 64);
        assert!(writer.commits() < 64, "64 writes in {} commits", writer.commits());
    }

    #[tokio::test]
    async fn a_write_dropped_or_failed_is_undone_alone() {
        let dir = tempfile::tempdir().expect("dir");
        let (writer, reader) = writer(dir.path()).await;
        let mut abandoned = writer.begin().await.expect("begin");
        sqlx::query("INSERT INTO t (v) VALUES ('abandoned')").execute(&mut *abandoned).await.expect("insert");
        drop(abandoned);
        let mut kept = writer.begin().await.expect("begin");
        sqlx::query("INSERT INTO t (v) VALUES ('kept')").execute(&mut *kept).await.expect("insert");
        let failing = {
            let writer = writer.clone();
            async move {
                let mut write = writer.begin().await?;
                sqlx::query("INSERT INTO t (v) VALUES ('half')").execute(&mut *write).await?;
                sqlx::query("INSERT INTO t (v) VALUES ('kept')").execute(&mut *write).await?; // a duplicate
                write.commit().await
            }
        };
        let (kept_result, failed) = tokio::join!(kept.commit(), failing);
        kept_result.expect("kept");
        assert!(failed.is_err(), "the duplicate fails its own write");
        sqlx::query("INSERT INTO t (v) VALUES ('after')").execute_write(&writer).await.expect("write");
        assert_eq!(values(&reader).await, ["after", "kept"], "neither the abandoned nor half of the failed write");
    }
}
