//! The sign-in guard: slows password guessing without handing a guesser the power to lock the
//! real user out, and keeps argon2 off the async workers.
//!
//! Sign-in attempts are counted in three windows of [`WINDOW`]:
//! * per account and client address ([`PER_ACCOUNT_AND_ADDRESS`]): the guesser at one address
//!   is stopped after a few tries, while the account's owner at another address is not;
//! * per client address ([`PER_ADDRESS`]): one address cannot spray many accounts;
//! * per account ([`PER_ACCOUNT`]): guesses spread over many addresses stay bounded.
//!
//! An attempt is counted *before* its password is checked, so concurrent guesses cannot all
//! slip through between a read and a write of the count; a successful sign-in takes its own
//! attempt back. The counts live in the database ([`crate::store::SignInStorage`]): every
//! instance sharing it counts the same attempts, a restart forgets none, and the clean-up
//! deletes ended windows, so random emails cannot grow anything without bound. IPv6 clients
//! are counted per /64, the block one subscriber usually holds.

use crate::error::AppError;
use crate::store::{Limit, Store, now};
use argon2::PasswordVerifier;
use argon2::password_hash::PasswordHash;
use chrono::TimeDelta;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use tokio::sync::Semaphore;

/// How long attempts are remembered, from the first one of a window.
pub const WINDOW: TimeDelta = TimeDelta::minutes(15);
/// Attempts allowed for one account from one client address per window.
pub const PER_ACCOUNT_AND_ADDRESS: u32 = 5;
/// Attempts allowed from one client address, over all accounts, per window.
pub const PER_ADDRESS: u32 = 20;
/// Attempts allowed for one account, over all addresses, per window.
pub const PER_ACCOUNT: u32 = 50;

/// Counts sign-in attempts and runs password checks on a bounded number of blocking threads.
#[derive(Debug)]
pub struct SignInGuard {
    store: Store,
    verifiers: Semaphore,
    /// A hash of a random password with the same parameters as users' hashes: unknown
    /// emails are checked against it, so they cost what a wrong password costs.
    decoy: String,
}

/// The limited keys of one attempt, as stored (SHA-256: no email or address is kept).
#[derive(Debug, Clone)]
struct Keys {
    pair: String,
    address: String,
    account: String,
}

impl Keys {
    fn of(email: &str, client: IpAddr) -> Self {
        let digest = |text: String| hex::encode(Sha256::digest(text.as_bytes()));
        Self {
            pair: digest(format!("pair\n{email}\n{client}")),
            address: digest(format!("address\n{client}")),
            account: digest(format!("account\n{email}")),
        }
    }

    fn limits(&self) -> [Limit; 3] {
        [
            Limit { key: self.pair.clone(), most: PER_ACCOUNT_AND_ADDRESS },
            Limit { key: self.address.clone(), most: PER_ADDRESS },
            Limit { key: self.account.clone(), most: PER_ACCOUNT },
        ]
    }
}

impl SignInGuard {
    /// A guard counting in `store`, checking at most one password per core but one at once,
    /// so that a core stays free for every other request.
    ///
    /// # Panics
    /// When argon2 cannot hash (it can with its default parameters).
    pub fn new(store: Store) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        let decoy = crate::admin::hash_password(&crate::store::random_password())
            .expect("argon2 hashes with its default parameters");
        Self { store, verifiers: Semaphore::new(cores.saturating_sub(1).max(1)), decoy }
    }

    /// Counts an attempt to sign in as `email` from `client`, or refuses it with the wait
    /// when one of its windows is full. Dropping the attempt leaves it counted as a failure.
    ///
    /// # Errors
    /// `429` with the wait when a window is full; a database failure.
    pub async fn begin(&self, email: &str, client: IpAddr) -> Result<Attempt<'_>, AppError> {
        let keys = Keys::of(email, counted_address(client));
        match self.store.count_sign_in_attempt(&keys.limits(), now(), WINDOW).await? {
            Some(wait) => Err(AppError::RateLimited {
                retry_after_seconds: u64::try_from(wait.num_seconds()).unwrap_or(0).max(1),
            }),
            None => Ok(Attempt { guard: self, keys }),
        }
    }

    /// Whether `password` matches `hash` (`None`: an unknown email, checked against the decoy
    /// at the same cost and never matching). Runs on the blocking pool, a bounded number at once.
    ///
    /// # Errors
    /// When the blocking pool is gone.
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
}

/// One counted sign-in attempt.
#[derive(Debug)]
pub struct Attempt<'a> {
    guard: &'a SignInGuard,
    keys: Keys,
}

impl Attempt<'_> {
    /// The password was right: this account's attempts from this address are forgotten, and
    /// the attempt no longer counts against the address or the account.
    ///
    /// # Errors
    /// A database failure.
    pub async fn succeeded(self) -> Result<(), AppError> {
        let Keys { pair, address, account } = self.keys;
        self.guard.store.undo_sign_in_attempt(&pair, &[address, account]).await?;
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn v4(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(n))
    }

    async fn guard() -> (SignInGuard, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("dir");
        let store =
            crate::store::open(&format!("sqlite://{}", dir.path().join("kycard.db").display())).await.expect("db");
        (SignInGuard::new(store), dir)
    }

    #[tokio::test]
    async fn the_sixth_attempt_from_one_address_waits_but_another_address_may_still_try() {
        let (guard, _dir) = guard().await;
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            drop(guard.begin("a@x.example", v4(1)).await.expect("allowed"));
        }
        let refused = guard.begin("a@x.example", v4(1)).await;
        assert!(matches!(refused, Err(AppError::RateLimited { retry_after_seconds: 1.. })));
        guard
            .begin("a@x.example", v4(2))
            .await
            .expect("the owner elsewhere is not locked out")
            .succeeded()
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn one_address_cannot_spray_many_accounts() {
        let (guard, _dir) = guard().await;
        for n in 0..PER_ADDRESS {
            drop(guard.begin(&format!("user{n}@x.example"), v4(7)).await.expect("allowed"));
        }
        assert!(guard.begin("another@x.example", v4(7)).await.is_err());
    }

    #[tokio::test]
    async fn guesses_from_many_addresses_stay_bounded_per_account() {
        let (guard, _dir) = guard().await;
        for n in 0..PER_ACCOUNT {
            drop(guard.begin("a@x.example", v4(n)).await.expect("allowed"));
        }
        assert!(guard.begin("a@x.example", v4(10_000)).await.is_err());
    }

    #[tokio::test]
    async fn a_success_forgets_its_failures_and_its_own_attempt() {
        let (guard, _dir) = guard().await;
        for _ in 0..PER_ACCOUNT_AND_ADDRESS - 1 {
            drop(guard.begin("a@x.example", v4(1)).await.expect("allowed"));
        }
        guard.begin("a@x.example", v4(1)).await.expect("allowed").succeeded().await.unwrap();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            drop(guard.begin("a@x.example", v4(1)).await.expect("counting starts again"));
        }
    }

    #[tokio::test]
    async fn ipv6_clients_are_counted_per_64_block() {
        let (guard, _dir) = guard().await;
        let base = u128::from(Ipv6Addr::new(0x2001, 0xdb8, 1, 2, 0, 0, 0, 0));
        for n in 0..PER_ACCOUNT_AND_ADDRESS {
            drop(guard.begin("a@x.example", IpAddr::V6((base + u128::from(n)).into())).await.expect("allowed"));
        }
        assert!(guard.begin("a@x.example", IpAddr::V6((base + 999).into())).await.is_err(), "same /64");
        let mapped = IpAddr::V6(Ipv4Addr::new(10, 0, 0, 1).to_ipv6_mapped());
        assert_eq!(counted_address(mapped), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    }

    #[tokio::test]
    async fn counts_survive_a_restart_and_ended_windows_are_purged() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("kycard.db").display());
        let first = SignInGuard::new(crate::store::open(&url).await.expect("db"));
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            drop(first.begin("a@x.example", v4(1)).await.expect("allowed"));
        }
        drop(first);
        let store = crate::store::open(&url).await.expect("db");
        let restarted = SignInGuard::new(store.clone());
        assert!(restarted.begin("a@x.example", v4(1)).await.is_err(), "the count outlives the process");
        // Random emails leave rows that the clean-up removes once their windows ended.
        // What the clean-up does now, and what it does once a window's length has passed.
        assert_eq!(store.purge_sign_in_attempts(now() - WINDOW).await.unwrap(), 0, "windows still open");
        assert_eq!(store.purge_sign_in_attempts(now() + TimeDelta::seconds(1)).await.unwrap(), 3);
        restarted.begin("a@x.example", v4(1)).await.expect("counting starts again");
    }

    #[tokio::test]
    async fn unknown_emails_are_checked_against_the_decoy_and_never_match() {
        let (guard, _dir) = guard().await;
        let hash = crate::admin::hash_password("right").expect("hash");
        assert!(guard.verify(Some(&hash), "right".to_owned()).await.expect("verified"));
        assert!(!guard.verify(Some(&hash), "wrong".to_owned()).await.expect("verified"));
        assert!(!guard.verify(None, "right".to_owned()).await.expect("verified"));
    }
}
