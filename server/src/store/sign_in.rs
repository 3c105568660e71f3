//! Sign-in attempts, counted in the database so that every instance sharing it counts the
//! same attempts and a restart forgets none.
//!
//! A window belongs to one limited key (a SHA-256, never an email or address) and runs from
//! its first attempt for the window's length; a full window refuses attempts until it ends.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

/// One limited key and how many attempts its window allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limit {
    /// SHA-256 of what is limited (account and address, address, account).
    pub key: String,
    /// Attempts a window allows.
    pub most: u32,
}

/// A key's stored window: when it started, attempts in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window {
    /// The window's first attempt.
    pub first_at: DateTime<Utc>,
    /// Attempts counted in it.
    pub attempts: u32,
}

/// What counting one more attempt under each of `limits` at `at` does to their stored
/// windows (`None`: none yet): the windows after it, or the wait when one is full. The one
/// rule for every backend.
pub(super) fn count_attempt(
    limits: &[Limit],
    stored: &[Option<Window>],
    at: DateTime<Utc>,
    length: TimeDelta,
) -> Result<Vec<Window>, TimeDelta> {
    let current: Vec<Option<Window>> =
        stored.iter().map(|window| window.filter(|w| w.first_at + length > at)).collect();
    let wait = limits
        .iter()
        .zip(&current)
        .filter_map(|(limit, window)| window.filter(|w| w.attempts >= limit.most).map(|w| w.first_at + length - at))
        .max();
    if let Some(wait) = wait {
        return Err(wait);
    }
    Ok(current
        .iter()
        .map(|window| match window {
            Some(w) => Window { first_at: w.first_at, attempts: w.attempts + 1 },
            None => Window { first_at: at, attempts: 1 },
        })
        .collect())
}

/// Sign-in attempts.
#[async_trait]
pub trait SignInStorage: Send + Sync {
    /// Counts one attempt at `at` under every limit, in one transaction, unless one of their
    /// windows (of `length`, from its first attempt) is full: then nothing is counted and the
    /// longest wait is returned.
    async fn count_sign_in_attempt(
        &self,
        limits: &[Limit],
        at: DateTime<Utc>,
        length: TimeDelta,
    ) -> Result<Option<TimeDelta>, StoreError>;

    /// Takes a successful attempt back: the window of `forget` is dropped; the windows of
    /// `undo` count one attempt fewer.
    async fn undo_sign_in_attempt(&self, forget: &str, undo: &[String]) -> Result<(), StoreError>;

    /// Deletes the windows that started before `before`; returns how many.
    async fn purge_sign_in_attempts(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(most: u32) -> Limit {
        Limit { key: format!("k{most}"), most }
    }

    #[test]
    fn a_full_window_refuses_until_it_ends_and_counts_nothing() {
        let at = super::super::now();
        let length = TimeDelta::minutes(15);
        let full = Window { first_at: at - TimeDelta::minutes(5), attempts: 5 };
        let wait = count_attempt(&[limit(5), limit(20)], &[Some(full), None], at, length).unwrap_err();
        assert_eq!(wait, TimeDelta::minutes(10));
        let later = at + TimeDelta::minutes(10);
        let counted = count_attempt(&[limit(5), limit(20)], &[Some(full), None], later, length).unwrap();
        assert_eq!(counted, [Window { first_at: later, attempts: 1 }, Window { first_at: later, attempts: 1 }]);
    }

    #[test]
    fn attempts_add_up_within_a_window() {
        let at = super::super::now();
        let open = Window { first_at: at - TimeDelta::minutes(1), attempts: 3 };
        let counted = count_attempt(&[limit(5)], &[Some(open)], at, TimeDelta::minutes(15)).unwrap();
        assert_eq!(counted, [Window { first_at: open.first_at, attempts: 4 }]);
    }
}
