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

    /// Frees every reservation whose request never finished: called at start, when no request
    /// can be running. Returns how many were freed.
    async fn release_abandoned_idempotency(&self) -> Result<u64, StoreError>;

    /// Frees a reserved key whose request failed inside the server, so it can be retried.
    async fn release_idempotency(&self, organization_id: Uuid, key: &str) -> Result<(), StoreError>;

    /// Deletes keys past their retention and reservations past their lease; returns how many.
    async fn purge_idempotency(&self) -> Result<u64, StoreError>;
}
