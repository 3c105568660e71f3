//! Event numbers for committed history lines.
//!
//! A change writes its history lines without a number. Once they are committed, the sequencer
//! gives them the next numbers of `customer_history_seq`, in the order they were written, in
//! one transaction that only one instance at a time runs (an advisory lock). Numbers are
//! therefore given in increasing order, and only to committed lines: a reader that resumes
//! after the last number it saw (an event stream, a webhook cursor) never skips a change,
//! however the writers' commits interleave. Writers take no lock to number their lines.
//!
//! Every instance runs a sequencer, woken by its own commits. The one that gets the lock
//! numbers everything waiting (any instance's lines), batch after batch until nothing is
//! left, then announces the organizations with new events to every instance (`NOTIFY`, once
//! per batch). One that finds the lock taken leaves the work to the holder, which looks again
//! before it stops; a look every second covers the rest. Readers of the log number what waits before they read
//! ([`Turn::Wait`]), so that a change committed before a read is in it.

use super::CHANGES_CHANNEL;
use crate::store::StoreError;
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use uuid::Uuid;

/// Lines numbered per transaction at most.
const BATCH: i64 = 1000;
/// How soon a sequencer that found the lock taken tries again.
const BUSY_AGAIN: Duration = Duration::from_millis(10);
/// How often a sequencer looks without being woken.
const LOOK_EVERY: Duration = Duration::from_secs(1);
/// The advisory lock only one sequencer holds at a time.
const LOCK: i64 = 0x6b79_6361_7264_0001;

/// Whether [`sequence`] waits for another sequencer to finish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Turn {
    /// Leave the work to a sequencer that holds the lock (the background task).
    IfFree,
    /// Wait for the lock: when the call returns, every line committed before it has its
    /// number (readers of the log, so that what they read is all there is so far).
    Wait,
}

/// What a call of [`sequence`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sequenced {
    /// Nothing is left to number (this many were).
    Done(u64),
    /// Another sequencer holds the lock ([`Turn::IfFree`] only).
    Busy,
}

/// Numbers the waiting lines, batch after batch (unless another sequencer holds the lock and
/// `turn` is [`Turn::IfFree`]).
///
/// # Errors
/// A database failure (the batch in progress is rolled back: its lines stay unnumbered).
pub(super) async fn sequence(pool: &PgPool, turn: Turn) -> Result<Sequenced, StoreError> {
    if turn == Turn::Wait {
        // Readers call this before every read: without waiting lines (committed ones, or
        // ones a sequencer is numbering), there is nothing to wait for and no lock to take.
        let (waiting,): (bool,) =
            sqlx::query_as("SELECT EXISTS (SELECT 1 FROM customer_history WHERE seq IS NULL)").fetch_one(pool).await?;
        if !waiting {
            return Ok(Sequenced::Done(0));
        }
    }
    let mut numbered = 0;
    loop {
        let mut tx = pool.begin().await?;
        if turn == Turn::Wait {
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(LOCK).execute(&mut *tx).await?;
        } else {
            let (locked,): (bool,) =
                sqlx::query_as("SELECT pg_try_advisory_xact_lock($1)").bind(LOCK).fetch_one(&mut *tx).await?;
            if !locked {
                return Ok(Sequenced::Busy);
            }
        }
        let waiting: Vec<(i64, Uuid)> =
            sqlx::query_as("SELECT id, organization_id FROM customer_history WHERE seq IS NULL ORDER BY id LIMIT $1")
                .bind(BATCH)
                .fetch_all(&mut *tx)
                .await?;
        if waiting.is_empty() {
            return Ok(Sequenced::Done(numbered));
        }
        let mut numbers: Vec<i64> =
            sqlx::query_scalar("SELECT nextval('customer_history_seq') FROM generate_series(1, $1)")
                .bind(i64::try_from(waiting.len()).unwrap_or(BATCH))
                .fetch_all(&mut *tx)
                .await?;
        numbers.sort_unstable();
        let ids: Vec<i64> = waiting.iter().map(|(id, _)| *id).collect();
        sqlx::query(
            "UPDATE customer_history h SET seq = n.seq FROM UNNEST($1::bigint[], $2::bigint[]) AS n(id, seq) \
             WHERE h.id = n.id",
        )
        .bind(&ids)
        .bind(&numbers)
        .execute(&mut *tx)
        .await?;
        let organizations: Vec<(i64, Uuid)> = waiting;
        numbered += organizations.len() as u64;
        let mut announced: Vec<Uuid> = organizations.into_iter().map(|(_, organization)| organization).collect();
        announced.sort_unstable();
        announced.dedup();
        for organization in announced {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANGES_CHANNEL)
                .bind(organization.to_string())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
    }
}

/// Runs [`sequence`] whenever `wake` is notified, and every [`LOOK_EVERY`].
pub(super) fn spawn(pool: PgPool, wake: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            match sequence(&pool, Turn::IfFree).await {
                Ok(Sequenced::Done(_)) => {
                    let _ = tokio::time::timeout(LOOK_EVERY, wake.notified()).await;
                }
                // The holder may have looked before this instance's last commit: soon again.
                Ok(Sequenced::Busy) => tokio::time::sleep(BUSY_AGAIN).await,
                Err(error) => {
                    tracing::error!(%error, "cannot number history lines; trying again");
                    tokio::time::sleep(LOOK_EVERY).await;
                }
            }
        }
    });
}
