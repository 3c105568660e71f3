//! The one place where a use case's change is committed.
//!
//! A service reads what it needs from the store, decides with core, and describes its change
//! as a [`Change`]. It hands the change to its [`UnitOfWork`] with the result the caller will
//! get. The unit adds the answer a retry with the request's idempotency key must replay (a
//! secret in it sealed), commits both in one transaction, and wakes the automatic review when
//! the change queued one. Services never see keys, HTTP statuses or stored responses; storage
//! never sees use cases.

use crate::card_vault::CardVault;
use crate::error::AppError;
use crate::http::idempotent::{Success, sealed_body};
use crate::store::{Change, Committed, KeyAnswer, Store, StoredResponse};
use std::sync::Arc;
use tokio::sync::Notify;

/// How a request answers a result of type `T`.
pub type Answer<T> = fn(&T) -> Success;

/// Commits the changes of one use case producing a `T`.
pub struct UnitOfWork<T> {
    store: Store,
    keyed: Option<Keyed<T>>,
    review_wake: Option<Arc<Notify>>,
}

/// The idempotency key of the request and how to answer it.
struct Keyed<T> {
    key: String,
    answer: Answer<T>,
    vault: Arc<CardVault>,
}

impl<T> Clone for UnitOfWork<T> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            keyed: self.keyed.as_ref().map(|k| Keyed { key: k.key.clone(), answer: k.answer, vault: k.vault.clone() }),
            review_wake: self.review_wake.clone(),
        }
    }
}

impl<T> UnitOfWork<T> {
    /// A unit whose changes answer nobody (background work, requests without a key).
    pub fn new(store: Store, review_wake: Option<Arc<Notify>>) -> Self {
        Self { store, keyed: None, review_wake }
    }

    /// A unit whose committed change records `answer` of its result under `key`.
    #[must_use]
    pub fn keyed(self, key: String, answer: Answer<T>, vault: Arc<CardVault>) -> Self {
        Self { keyed: Some(Keyed { key, answer, vault }), ..self }
    }

    /// The same store for an intermediate change of another result: it answers nobody and
    /// wakes nobody (the use case's last change does, so the review worker cannot race it).
    pub fn intermediate<U>(&self) -> UnitOfWork<U> {
        UnitOfWork { store: self.store.clone(), keyed: None, review_wake: None }
    }

    /// The store, for reads.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Commits `change`, producing `result`, with the request's answer of it, in one
    /// transaction.
    ///
    /// # Errors
    ///
    /// A storage failure (nothing was stored), or a secret that cannot be sealed.
    pub async fn commit(&self, mut change: Change, result: &T) -> Result<Committed, AppError> {
        if let Some(keyed) = &self.keyed {
            let success = (keyed.answer)(result);
            let body = if success.secret {
                sealed_body(&keyed.vault, change.organization_id, &keyed.key, &success.body)?
            } else {
                success.body
            };
            let response = StoredResponse { status: success.status.as_u16(), body };
            change.answer = Some(KeyAnswer { key: keyed.key.clone(), response });
        }
        let committed = self.store.commit(&change).await?;
        if committed == Committed::Done
            && change.queues_review()
            && let Some(wake) = &self.review_wake
        {
            wake.notify_one();
        }
        Ok(committed)
    }
}
