//! Organizations and API keys.

use super::StoreError;
use async_trait::async_trait;
use kycard_core::wire::{Actor, ApiKeyInfo, Role};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// An organization (a card program client): the boundary of everything a caller sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Id.
    pub id: Uuid,
    /// Short unique name used on the command line.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Sandbox organizations are for integration testing.
    pub sandbox: bool,
}

/// Who is calling: resolved from credentials on every request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's organization; every query is scoped to it.
    pub organization_id: Uuid,
    /// Whether the organization is a sandbox.
    pub sandbox: bool,
    /// What the caller may do.
    pub role: Role,
    /// For the history.
    pub actor: Actor,
}

/// A freshly made key: the secret is shown once and never stored.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// Key id.
    pub id: Uuid,
    /// The whole key, `kyc_<prefix>_<secret>`.
    pub secret: String,
}

/// SHA-256 of a key, hex. Keys are 256-bit random values, so a fast hash is enough: there is
/// nothing to brute-force, unlike passwords.
pub(crate) fn key_digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// `n` random bytes, hex-encoded.
pub(crate) fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    hex::encode(bytes)
}

/// A random password for demo users: 16 characters from an unambiguous alphabet.
///
/// # Panics
/// When the operating system has no random source, which no supported platform lacks.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect()
}

/// A key's last use is written at most this often, so that reads stay reads.
pub const KEY_USE_PRECISION_MINUTES: i64 = 5;

/// Organizations, API keys and users.
#[async_trait]
pub trait CredentialStorage: Send + Sync {
    /// Creates an organization; `Duplicate` when the slug is taken.
    async fn create_organization(&self, slug: &str, name: &str, sandbox: bool) -> Result<Organization, StoreError>;

    /// Finds an organization by slug.
    async fn organization_by_slug(&self, slug: &str) -> Result<Option<Organization>, StoreError>;

    /// Whether an organization is a sandbox.
    async fn organization_is_sandbox(&self, organization_id: Uuid) -> Result<bool, StoreError>;

    /// The organization's own cap of review attempts, if it set one.
    async fn attempt_cap(&self, organization_id: Uuid) -> Result<Option<u32>, StoreError>;

    /// Sets an organization's cap of review attempts (`None`: core's default).
    async fn set_attempt_cap(&self, organization_id: Uuid, cap: Option<u32>) -> Result<(), StoreError>;

    /// Makes a new API key for an organization; `label` says what it is for.
    async fn create_api_key(&self, organization_id: Uuid, role: Role, label: &str) -> Result<NewApiKey, StoreError>;

    /// Resolves a presented API key; `None` for unknown or revoked keys. Notes the use when
    /// the last one noted is older than [`KEY_USE_PRECISION_MINUTES`].
    async fn caller_for_api_key(&self, key: &str) -> Result<Option<Caller>, StoreError>;

    /// The organization's keys, revoked ones included, oldest first; never a secret.
    async fn api_keys(&self, organization_id: Uuid) -> Result<Vec<ApiKeyInfo>, StoreError>;

    /// Revokes one of the organization's keys; `false` when it has no such key. Revoking a
    /// revoked key changes nothing (and answers `true`).
    async fn revoke_api_key(&self, organization_id: Uuid, id: Uuid) -> Result<bool, StoreError>;

    /// Revokes every working key of the organization with this label; returns how many.
    async fn revoke_labelled_api_keys(&self, organization_id: Uuid, label: &str) -> Result<u64, StoreError>;

    /// Creates a user with an argon2 password hash; `Duplicate` when the email is taken.
    async fn create_user(
        &self,
        organization_id: Uuid,
        email: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<Uuid, StoreError>;
}
