//! Runs a `POST` under its `Idempotency-Key`, when it has one.

use crate::card_vault::CardVault;
use crate::error::AppError;
use crate::http::AppState;
use crate::store::{Caller, IdempotencyOutcome, Store, StoredResponse};
use crate::unit_of_work::{Answer, UnitOfWork};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kycard_core::api_error::ApiErrorCode;
use sha2::{Digest, Sha256};
use std::time::Duration;
use uuid::Uuid;

/// How long a request waits for another one holding the same key.
const WAIT_FOR_OTHER: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(20);

/// A successful result to send (and keep for replays).
pub struct Success {
    /// Status, e.g. `201`.
    pub status: StatusCode,
    /// JSON body.
    pub body: String,
    /// The body holds a secret shown once (a webhook's signing secret): it is kept for
    /// replays only sealed with the server key.
    pub secret: bool,
}

impl Success {
    /// A success with `value` as JSON.
    ///
    /// # Panics
    ///
    /// When `value` cannot be serialised, which no wire type does.
    pub fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> Self {
        Self { status, body: serde_json::to_string(value).expect("wire types serialise"), secret: false }
    }

    /// A success whose JSON carries a secret.
    pub fn secret_json<T: serde::Serialize>(status: StatusCode, value: &T) -> Self {
        Self { secret: true, ..Self::json(status, value) }
    }
}

/// Marks a stored body that is sealed.
const SEALED: &str = "sealed:";

/// What a sealed body is bound to: its organization and key, so it opens for no other.
fn binding(organization_id: Uuid, key: &str) -> Uuid {
    let digest = Sha256::digest(format!("{organization_id}\n{key}").as_bytes());
    Uuid::from_slice(&digest[..16]).unwrap_or_default()
}

/// The stored form of a response body that carries a secret.
pub fn sealed_body(vault: &CardVault, organization_id: Uuid, key: &str, body: &str) -> Result<String, AppError> {
    let sealed = vault.seal(body.as_bytes(), binding(organization_id, key)).map_err(|_| AppError::Internal)?;
    Ok(format!("{SEALED}{}", hex::encode(sealed)))
}

fn opened_body(vault: &CardVault, organization_id: Uuid, key: &str, stored: String) -> Result<String, AppError> {
    let Some(sealed) = stored.strip_prefix(SEALED) else { return Ok(stored) };
    let bytes = hex::decode(sealed).map_err(|_| AppError::Internal)?;
    let plain = vault.unseal(&bytes, binding(organization_id, key)).map_err(|_| AppError::Internal)?;
    String::from_utf8(plain).map_err(|_| AppError::Internal)
}

fn respond(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// A reserved key, freed if its request ends without an answer: the client went away, the
/// time limit struck, or the handler panicked. Freeing only ever removes a reservation that
/// is still unanswered, so one answered in its change's transaction stays.
struct Reservation {
    store: Store,
    organization_id: Uuid,
    key: Option<String>,
}

impl Reservation {
    /// The request answered (or freed the key itself): nothing to do on drop.
    fn settled(mut self) {
        self.key = None;
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let Some(key) = self.key.take() else { return };
        let (store, organization_id) = (self.store.clone(), self.organization_id);
        // Dropped inside a request, so on the runtime; a failed release is still covered by
        // the reservation's lease.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = store.release_idempotency(organization_id, &key).await {
                    tracing::warn!(%error, "could not free the idempotency key of an interrupted request");
                }
            });
        }
    }
}

/// Runs `work` once per (organization, key); replays its stored result for the same request
/// and refuses the key for a different one. Server-side failures free the key for a retry.
///
/// `work` receives the [`UnitOfWork`] that commits its change together with `answer` of its
/// result, so a change is never committed without the answer a retry replays; the answer
/// is recorded here again after the work returns, which covers refusals that change nothing.
///
/// A keyed request runs in its own task, its work bounded by [`super::REQUEST_TIMEOUT`]: a
/// request dropped on the way (the client went away, the time limit struck) stops neither
/// the reservation nor the work half-way, so its key is never left held. The work ends, its
/// answer is kept, and the retry replays it.
pub async fn run<T, F, Fut>(
    state: &AppState,
    caller: &Caller,
    key: Option<String>,
    request: (&str, &str, &str),
    answer: Answer<T>,
    work: F,
) -> Result<Response, AppError>
where
    T: Send + 'static,
    F: FnOnce(UnitOfWork<T>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    let unit = UnitOfWork::new(state.store.clone(), Some(state.review_wake.clone()));
    let Some(key) = key else {
        let success = answer(&work(unit).await?);
        return Ok(respond(success.status, success.body));
    };
    let (method, path, body) = request;
    let fingerprint = hex::encode(Sha256::digest(format!("{method} {path}\n{body}").as_bytes()));
    let keyed = Keyed { store: state.store.clone(), vault: state.vault.clone(), org: caller.organization_id, key };
    let vault = state.vault.clone();
    let work = move |key| async move { work(unit.keyed(key, answer, vault)).await.map(|result| answer(&result)) };
    // A panic in the work ends the task, whose reservation guard frees the key.
    tokio::spawn(keyed.run(fingerprint, work)).await.map_err(|_| AppError::Internal)?
}

/// A request under its idempotency key, owning what it needs to finish on its own.
struct Keyed {
    store: Store,
    vault: std::sync::Arc<CardVault>,
    org: Uuid,
    key: String,
}

impl Keyed {
    async fn run<F, Fut>(self, fingerprint: String, work: F) -> Result<Response, AppError>
    where
        F: FnOnce(String) -> Fut,
        Fut: std::future::Future<Output = Result<Success, AppError>>,
    {
        let Self { store, vault, org, key } = self;
        let waited = tokio::time::Instant::now();
        let reservation = loop {
            match store.reserve_idempotency(org, &key, &fingerprint).await? {
                IdempotencyOutcome::Reserved => {
                    break Reservation { store: store.clone(), organization_id: org, key: Some(key.clone()) };
                }
                IdempotencyOutcome::Replay(stored) => {
                    let status = StatusCode::from_u16(stored.status).map_err(|_| AppError::Internal)?;
                    return Ok(respond(status, opened_body(&vault, org, &key, stored.body)?));
                }
                IdempotencyOutcome::Mismatch => {
                    return Err(AppError::conflict(
                        ApiErrorCode::IdempotencyKeyReused,
                        "This Idempotency-Key was used for a different request; use a new key.",
                    ));
                }
                IdempotencyOutcome::InProgress if waited.elapsed() < WAIT_FOR_OTHER => {
                    tokio::time::sleep(POLL).await;
                }
                IdempotencyOutcome::InProgress => {
                    return Err(AppError::conflict(
                        ApiErrorCode::IdempotencyKeyInUse,
                        "A request with this Idempotency-Key is still running; retry shortly.",
                    ));
                }
            }
        };
        let outcome =
            tokio::time::timeout(super::REQUEST_TIMEOUT, work(key.clone())).await.unwrap_or(Err(AppError::Timeout));
        let stored = match &outcome {
            Ok(success) => Some(StoredResponse {
                status: success.status.as_u16(),
                body: if success.secret {
                    sealed_body(&vault, org, &key, &success.body)?
                } else {
                    success.body.clone()
                },
            }),
            Err(error) if error.status().is_client_error() && !matches!(error, AppError::Timeout) => {
                Some(StoredResponse {
                    status: error.status().as_u16(),
                    body: serde_json::to_string(&error.body()).expect("errors serialise"),
                })
            }
            Err(_) => None,
        };
        match stored {
            Some(stored) => store.complete_idempotency(org, &key, &stored).await?,
            None => store.release_idempotency(org, &key).await?,
        }
        reservation.settled();
        outcome.map(|s| respond(s.status, s.body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign_in::SignInGuard;
    use kycard_core::wire::{Actor, ActorKind, Role};
    use std::sync::Arc;

    async fn state(dir: &std::path::Path) -> (AppState, Caller) {
        let store = crate::store::open(&format!("sqlite://{}", dir.join("kycard.db").display())).await.expect("db");
        let org = store.create_organization("acme", "Acme", false).await.expect("org");
        let state = AppState {
            sign_in: Arc::new(SignInGuard::new(store.clone())),
            store,
            vault: Arc::new(CardVault::open(&dir.join("card.key"), true).expect("vault")),
            files: crate::uploads::DocumentFiles::new(dir).expect("files"),
            review_wake: Arc::default(),
            streams: Arc::default(),
            behind_proxy: false,
            limits: crate::config::Limits::default(),
        };
        let caller = Caller {
            organization_id: org.id,
            sandbox: false,
            role: Role::Operator,
            actor: Actor { kind: ActorKind::ApiKey, id: None },
        };
        (state, caller)
    }

    #[tokio::test]
    async fn a_request_dropped_mid_way_still_finishes_and_its_retry_replays_the_answer() {
        use std::sync::atomic::{AtomicU32, Ordering};
        let dir = tempfile::tempdir().expect("dir");
        let (state, caller) = state(dir.path()).await;
        let request = ("POST", "/customers", "{}");
        let key = || Some("dropped-1".to_owned());
        let runs = Arc::new(AtomicU32::new(0));
        let work = |runs: Arc<AtomicU32>| {
            move |_| async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok(runs.fetch_add(1, Ordering::SeqCst) + 1)
            }
        };
        let answer: Answer<u32> = |run| Success::json(StatusCode::CREATED, run);
        // The client goes away (or the time limit strikes) while the work runs.
        let dropped = run(&state, &caller, key(), request, answer, work(runs.clone()));
        assert!(tokio::time::timeout(Duration::from_millis(100), dropped).await.is_err());

        let retry = run(&state, &caller, key(), request, answer, work(runs.clone()));
        let answer = tokio::time::timeout(Duration::from_secs(5), retry).await.expect("not held for 15 s").expect("ok");
        assert_eq!(answer.status(), StatusCode::CREATED, "the retry replays instead of meeting idempotency_key_in_use");
        let body = axum::body::to_bytes(answer.into_body(), 64).await.expect("body");
        assert_eq!(&body[..], b"1", "the first request's answer");
        assert_eq!(runs.load(Ordering::SeqCst), 1, "the work ran once");
    }

    #[tokio::test]
    async fn a_panic_in_the_work_frees_the_key() {
        let dir = tempfile::tempdir().expect("dir");
        let (state, caller) = state(dir.path()).await;
        let request = ("POST", "/customers", "{}");
        let key = || Some("panics-1".to_owned());
        let answer: Answer<&str> = |done| Success::json(StatusCode::CREATED, done);
        let failed = run(&state, &caller, key(), request, answer, |_| async { panic!("a bug in the work") }).await;
        assert!(matches!(failed, Err(AppError::Internal)));
        let retry = run(&state, &caller, key(), request, answer, |_| async { Ok("done") });
        let answer = tokio::time::timeout(Duration::from_secs(5), retry).await.expect("not held for 15 s").expect("ok");
        assert_eq!(answer.status(), StatusCode::CREATED);
    }
}
