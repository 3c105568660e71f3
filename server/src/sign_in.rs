//! The sign-in guard: slows password guessing without handing a guesser the power to lock the
//! real user out, and keeps argon2 off the async workers.
//!
//! Failed sign-ins are counted in three windows of [`WINDOW`]:
//! * per account and client address ([`PER_ACCOUNT_AND_ADDRESS`]): the guesser at one address
//!   is stopped after a few tries, while the account's owner at another address is not;
//! * per client address ([`PER_ADDRESS`]): one address cannot spray many accounts;
//! * per account ([`PER_ACCOUNT`]): guesses spread over many addresses stay bounded.
//!
//! An attempt is counted *before* its password is checked, so concurrent guesses cannot all
//! slip through between a read and a write of the count; a successful sign-in takes its own
//! attempt back. Each window holds at most [`CAPACITY`] entries, so random emails cannot grow
//! it without bound. IPv6 clients are counted per /64, the block one subscriber usually holds.

use crate::error::AppError;
use argon2::PasswordVerifier;
use argon2::password_hash::PasswordHash;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// How long failures are remembered, from the first one.
pub const WINDOW: Duration = Duration::from_mins(15);
/// Failures allowed for one account from one client address per window.
pub const PER_ACCOUNT_AND_ADDRESS: u32 = 5;
/// Failures allowed from one client address, over all accounts, per window.
pub const PER_ADDRESS: u32 = 20;
/// Failures allowed for one account, over all addresses, per window.
pub const PER_ACCOUNT: u32 = 50;
/// Entries each window keeps at most; past it, expired entries go first, then the oldest.
pub const CAPACITY: usize = 20_000;

/// Counts sign-in failures and runs password checks on a bounded number of blocking threads.
#[derive(Debug)]
pub struct SignInGuard {
    windows: Mutex<Windows>,
    verifiers: Semaphore,
    /// A hash of a random password with the same parameters as users' hashes: unknown
    /// emails are checked against it, so they cost what a wrong password costs.
    decoy: String,
}

#[derive(Debug)]
struct Windows {
    pair: Window<(String, IpAddr)>,
    address: Window<IpAddr>,
    account: Window<String>,
}

impl Default for SignInGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl SignInGuard {
    /// A guard with empty counts, checking at most one password per core but one at once,
    /// so that a core stays free for every other request.
    ///
    /// # Panics
    /// When argon2 cannot hash (it can with its default parameters).
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let decoy = crate::admin::hash_password(&crate::store::random_password())
            .expect("argon2 hashes with its default parameters");
        Self {
            windows: Mutex::new(Windows {
                pair: Window::new(PER_ACCOUNT_AND_ADDRESS),
                address: Window::new(PER_ADDRESS),
                account: Window::new(PER_ACCOUNT),
            }),
            verifiers: Semaphore::new(cores.saturating_sub(1).max(1)),
            decoy,
        }
    }

    /// Counts an attempt to sign in as `email` from `client`, or refuses it with the wait
    /// when one of its windows is full. Dropping the attempt leaves it counted as a failure.
    pub fn begin(&self, email: &str, client: IpAddr) -> Result<Attempt<'_>, AppError> {
        let client = counted_address(client);
        let pair = (email.to_owned(), client);
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let wait =
            [windows.pair.wait(&pair, now), windows.address.wait(&client, now), windows.account.wait(email, now)]
                .into_iter()
                .flatten()
                .max();
        if let Some(wait) = wait {
            return Err(AppError::RateLimited { retry_after_seconds: wait.as_secs().max(1) });
        }
        windows.pair.add(pair.clone(), now);
        windows.address.add(client, now);
        windows.account.add(email.to_owned(), now);
        Ok(Attempt { guard: self, pair })
    }

    /// Whether `password` matches `hash` (`None`: an unknown email, checked against the decoy
    /// at the same cost and never matching). Runs on the blocking pool, a bounded number at once.
    pub async fn verify(&self, hash: Option<&str>, password: String) -> Result<bool, AppError> {
        let known = hash.is_some();
        let hash = hash.unwrap_or(&self.decoy).to_owned();
        let _permit = self.verifiers.acquire().await.map_err(|_| AppError::Internal)?;
        let matches = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .is_ok_and(|hash| argon2::Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
        })
        .await
        .map_err(|_| AppError::Internal)?;
        Ok(known && matches)
    }

    /// Entries held by the largest window (for tests of the memory bound).
    pub fn entries(&self) -> usize {
        let windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        windows.pair.entries.len().max(windows.address.entries.len()).max(windows.account.entries.len())
    }
}

/// One counted sign-in attempt.
#[derive(Debug)]
pub struct Attempt<'a> {
    guard: &'a SignInGuard,
    pair: (String, IpAddr),
}

impl Attempt<'_> {
    /// The password was right: this account's failures from this address are forgotten, and
    /// the attempt no longer counts against the address or the account.
    pub fn succeeded(self) {
        let mut windows = self.guard.windows.lock().unwrap_or_else(PoisonError::into_inner);
        windows.pair.entries.remove(&self.pair);
        windows.address.undo(&self.pair.1);
        windows.account.undo(&self.pair.0);
    }
}

/// The address as counted: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64.
fn counted_address(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// Failures per key within [`WINDOW`] of the first one.
#[derive(Debug)]
struct Window<K> {
    entries: HashMap<K, (u32, Instant)>,
    limit: u32,
}

impl<K: Hash + Eq> Window<K> {
    fn new(limit: u32) -> Self {
        Self { entries: HashMap::new(), limit }
    }

    /// How long `key` must wait, if its window is full.
    fn wait<Q>(&self, key: &Q, now: Instant) -> Option<Duration>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (failures, since) = self.entries.get(key)?;
        let left = WINDOW.checked_sub(now.duration_since(*since))?;
        (*failures >= self.limit && !left.is_zero()).then_some(left)
    }

    fn add(&mut self, key: K, now: Instant) {
        if !self.entries.contains_key(&key) && self.entries.len() >= CAPACITY {
            self.make_room(now);
        }
        let entry = self.entries.entry(key).or_insert((0, now));
        if now.duration_since(entry.1) >= WINDOW {
            *entry = (0, now);
        }
        entry.0 += 1;
    }

    fn undo<Q>(&mut self, key: &Q)
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.0 = entry.0.saturating_sub(1);
            if entry.0 == 0 {
                self.entries.remove(key);
            }
        }
    }

    /// Drops expired entries, then, if that freed too little, the oldest tenth.
    fn make_room(&mut self, now: Instant) {
        self.entries.retain(|_, (_, since)| now.duration_since(*since) < WINDOW);
        if self.entries.len() >= CAPACITY {
            let mut starts: Vec<Instant> = self.entries.values().map(|(_, since)| *since).collect();
            let cut = CAPACITY / 10;
            let (_, oldest_kept, _) = starts.select_nth_unstable(cut);
            let oldest_kept = *oldest_kept;
            self.entries.retain(|_, (_, since)| *since >= oldest_kept);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(n))
    }

    #[test]
    fn the_sixth_failure_from_one_address_waits_but_another_address_may_still_try() {
        let guard = SignInGuard::new();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            drop(guard.begin("a@x.example", v4(1)).expect("allowed"));
        }
        assert!(matches!(guard.begin("a@x.example", v4(1)), Err(AppError::RateLimited { retry_after_seconds: 1.. })));
        guard.begin("a@x.example", v4(2)).expect("the owner elsewhere is not locked out").succeeded();
    }

    #[test]
    fn one_address_cannot_spray_many_accounts() {
        let guard = SignInGuard::new();
        for n in 0..PER_ADDRESS {
            drop(guard.begin(&format!("user{n}@x.example"), v4(7)).expect("allowed"));
        }
        assert!(guard.begin("another@x.example", v4(7)).is_err());
    }

    #[test]
    fn guesses_from_many_addresses_stay_bounded_per_account() {
        let guard = SignInGuard::new();
        for n in 0..PER_ACCOUNT {
            drop(guard.begin("a@x.example", v4(n)).expect("allowed"));
        }
        assert!(guard.begin("a@x.example", v4(10_000)).is_err());
    }

    #[test]
    fn a_success_forgets_its_failures_and_its_own_attempt() {
        let guard = SignInGuard::new();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS - 1 {
            drop(guard.begin("a@x.example", v4(1)).expect("allowed"));
        }
        guard.begin("a@x.example", v4(1)).expect("allowed").succeeded();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            drop(guard.begin("a@x.example", v4(1)).expect("counting starts again"));
        }
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_block() {
        let guard = SignInGuard::new();
        let base = u128::from(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, 0));
        for n in 0..PER_ACCOUNT_AND_ADDRESS {
            drop(guard.begin("a@x.example", IpAddr::V6((base + u128::from(n)).into())).expect("allowed"));
        }
        assert!(guard.begin("a@x.example", IpAddr::V6((base + 999).into())).is_err(), "same /64");
        let mapped = IpAddr::V6(Ipv4Addr::new(10, 0, 0, 1).to_ipv6_mapped());
        assert_eq!(counted_address(mapped), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    }

    #[test]
    fn random_emails_do_not_grow_memory_without_bound() {
        let guard = SignInGuard::new();
        for n in 0..(u32::try_from(CAPACITY).expect("fits") * 3 / 2) {
            let _ = guard.begin(&format!("random{n}@x.example"), v4(n));
        }
        assert!(guard.entries() <= CAPACITY, "{} entries", guard.entries());
        let recent = "random29999@x.example";
        for _ in 1..PER_ACCOUNT_AND_ADDRESS {
            drop(guard.begin(recent, v4(29_999)).expect("allowed"));
        }
        assert!(guard.begin(recent, v4(29_999)).is_err(), "the newest entries survive the clean-up");
    }

    #[tokio::test]
    async fn unknown_emails_are_checked_against_the_decoy_and_never_match() {
        let guard = SignInGuard::new();
        let hash = crate::admin::hash_password("right").expect("hash");
        assert!(guard.verify(Some(&hash), "right".to_owned()).await.expect("verified"));
        assert!(!guard.verify(Some(&hash), "wrong".to_owned()).await.expect("verified"));
        assert!(!guard.verify(None, "right".to_owned()).await.expect("verified"));
    }
}
