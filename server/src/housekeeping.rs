//! Clears what has outlived its use: sessions that expired or went idle, idempotency keys
//! past their retention, and sign-in windows that ended. Runs at start and every [`EVERY`].

use crate::store::{Store, StoreError};
use std::time::Duration;

/// How often the clean-up runs.
pub const EVERY: Duration = Duration::from_mins(10);

/// What one clean-up removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Sessions past their lifetime or idle timeout.
    pub sessions: u64,
    /// Idempotency keys past their retention, or reservations past their lease.
    pub idempotency_keys: u64,
    /// Sign-in windows that ended.
    pub sign_in_windows: u64,
}

/// One clean-up.
pub async fn purge(store: &Store) -> Result<Purged, StoreError> {
    Ok(Purged {
        sessions: store.purge_sessions().await?,
        idempotency_keys: store.purge_idempotency().await?,
        sign_in_windows: store.purge_sign_in_attempts(crate::store::now() - crate::sign_in::WINDOW).await?,
    })
}

/// Runs [`purge`] now and every [`EVERY`].
pub fn spawn(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match purge(&store).await {
                Ok(Purged { sessions: 0, idempotency_keys: 0, sign_in_windows: 0 }) => {}
                Ok(purged) => tracing::info!(
                    sessions = purged.sessions,
                    idempotency_keys = purged.idempotency_keys,
                    sign_in_windows = purged.sign_in_windows,
                    "purged expired sessions, idempotency keys and sign-in windows"
                ),
                Err(error) => {
                    tracing::error!(%error, "cannot purge expired sessions, idempotency keys and sign-in windows");
                }
            }
            tokio::time::sleep(EVERY).await;
        }
    })
}
