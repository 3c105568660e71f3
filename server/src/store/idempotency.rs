//! Idempotency keys: the same key with the same request replays the first response; with a
//! different request it is refused. A key is reserved before the work starts, so concurrent
//! requests with one key do the work once (the others wait for the first to finish).

use super::StoreError;
use async_trait::async_trait;
use uuid::Uuid;

/// How long keys are kept (the API promises at least 24 hours).
pub const RETENTION_HOURS: i64 = 48;

/// How long a reservation holds its key without an answer. A request that ends without one
/// frees its key at once; this lease frees the key of a request whose server died (or whose
/// release was lost), so retries are not refused until the next start. It is well over the
/// longest a request may run ([`crate::http::REQUEST_TIMEOUT`]).
pub const RESERVATION_LEASE_SECONDS: i64 = 120;

/// A response kept for replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
}

/// What reserving a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyOutcome {
    /// New key, now reserved: do the work, then [`Store::complete_idempotency`].
    Reserved,
    /// Done before with the same request: answer this.
    Replay(StoredResponse),
    /// Used before with a different request.
    Mismatch,
    /// Another request with this key is still running.
    InProgress,
}

/// Status stored while the first request runs.
pub(super) const IN_PROGRESS: i32 = 0;

/// What a live key's row (its request's fingerprint, the response status or [`IN_PROGRESS`],
/// the body) means for a request with `fingerprint`.
pub(super) fn outcome(
    stored: &str,
    status: i32,
    body: String,
    fingerprint: &str,
) -> Result<IdempotencyOutcome, StoreError> {
    Ok(match status {
        IN_PROGRESS => IdempotencyOutcome::InProgress,
        _ if stored != fingerprint => IdempotencyOutcome::Mismatch,
        _ => IdempotencyOutcome::Replay(StoredResponse {
            status: u16::try_from(status).map_err(|_| StoreError::Corrupt("idempotency_keys"))?,
            body,
        }),
    })
}

/// Rows created before these times are dead: answers after the retention, reservations
/// after the lease. One rule for the lookup, the reservation and the purge.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cutoffs {
    /// Answers created before it are past their retention.
    pub retention: chrono::DateTime<chrono::Utc>,
    /// Reservations created before it are past their lease.
    pub lease: chrono::DateTime<chrono::Utc>,
}

impl Cutoffs {
    /// The cutoffs now.
    pub fn now() -> Self {
        let at = super::now();
        Self {
            retention: at - chrono::Duration::hours(RETENTION_HOURS),
            lease: at - chrono::Duration::seconds(RESERVATION_LEASE_SECONDS),
        }
    }
}

/// Idempotency key reservations and stored responses.
#[async_trait]
pub trait IdempotencyStorage: Send + Sync {
    /// Reserves `key` for a request with `fingerprint`, or says what it was used for.
    async fn reserve_idempotency(
        &self,
        organization_id: Uuid,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotencyOutcome, StoreError>;

    /// Records the response of a reserved key.
    async fn complete_idempotency(
        &self,
        organization_id: Uuid,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError>;

    /// Frees reservations whose request never finished, called at start. A backend that one
    /// instance alone uses frees them all (no request can be running); a shared one frees
    /// those past their lease. Returns how many were freed.
    async fn release_abandoned_idempotency(&self) -> Result<u64, StoreError>;

    /// Frees a reserved key whose request failed inside the server, so it can be retried.
    async fn release_idempotency(&self, organization_id: Uuid, key: &str) -> Result<(), StoreError>;

    /// Deletes keys past their retention and reservations past their lease; returns how many.
    async fn purge_idempotency(&self) -> Result<u64, StoreError>;
}
