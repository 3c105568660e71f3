//! Organizations and API keys.

use super::writer::ExecuteWrite;
use super::{SqliteStore, StoreError, is_unique_violation, now, parse_id, parse_time};
use async_trait::async_trait;
use kycard_core::wire::{Actor, ActorKind, ApiKeyInfo, Role};
use sha2::{Digest, Sha256};
use sqlx::Row;
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

fn parse_role(raw: &str) -> Result<Role, StoreError> {
    Role::parse(raw).ok_or(StoreError::Corrupt("role"))
}

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

#[async_trait]
impl CredentialStorage for SqliteStore {
    async fn create_organization(&self, slug: &str, name: &str, sandbox: bool) -> Result<Organization, StoreError> {
        let id = Uuid::now_v7();
        let result =
            sqlx::query("INSERT INTO organizations (id, slug, name, sandbox, created_at) VALUES (?, ?, ?, ?, ?)")
                .bind(id.to_string())
                .bind(slug)
                .bind(name)
                .bind(sandbox)
                .bind(now().to_rfc3339())
                .execute_write(self.writer())
                .await;
        match result {
            Ok(_) => Ok(Organization { id, slug: slug.to_owned(), name: name.to_owned(), sandbox }),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Duplicate("an organization with this slug")),
            Err(e) => Err(e),
        }
    }

    async fn organization_by_slug(&self, slug: &str) -> Result<Option<Organization>, StoreError> {
        let row = sqlx::query("SELECT id, slug, name, sandbox FROM organizations WHERE slug = ?")
            .bind(slug)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            Ok(Organization {
                id: parse_id(r.get("id"), "organizations")?,
                slug: r.get("slug"),
                name: r.get("name"),
                sandbox: r.get("sandbox"),
            })
        })
        .transpose()
    }

    async fn attempt_cap(&self, organization_id: Uuid) -> Result<Option<u32>, StoreError> {
        let row: Option<(Option<i64>,)> = sqlx::query_as("SELECT attempt_cap FROM organizations WHERE id = ?")
            .bind(organization_id.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.and_then(|(cap,)| cap)
            .map(|cap| u32::try_from(cap).map_err(|_| StoreError::Corrupt("organizations")))
            .transpose()
    }

    async fn set_attempt_cap(&self, organization_id: Uuid, cap: Option<u32>) -> Result<(), StoreError> {
        sqlx::query("UPDATE organizations SET attempt_cap = ? WHERE id = ?")
            .bind(cap)
            .bind(organization_id.to_string())
            .execute_write(self.writer())
            .await?;
        Ok(())
    }

    async fn organization_is_sandbox(&self, organization_id: Uuid) -> Result<bool, StoreError> {
        let row: Option<(bool,)> = sqlx::query_as("SELECT sandbox FROM organizations WHERE id = ?")
            .bind(organization_id.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some_and(|(sandbox,)| sandbox))
    }

    async fn create_api_key(&self, organization_id: Uuid, role: Role, label: &str) -> Result<NewApiKey, StoreError> {
        let id = Uuid::now_v7();
        let prefix = random_hex(4);
        let secret = format!("kyc_{prefix}_{}", random_hex(32));
        sqlx::query(
            "INSERT INTO api_keys (id, organization_id, role, prefix, secret_sha256, created_at, label) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(organization_id.to_string())
        .bind(role.as_str())
        .bind(&prefix)
        .bind(key_digest(&secret))
        .bind(now().to_rfc3339())
        .bind(label)
        .execute_write(self.writer())
        .await?;
        Ok(NewApiKey { id, secret })
    }

    async fn caller_for_api_key(&self, key: &str) -> Result<Option<Caller>, StoreError> {
        let row = sqlx::query(
            "SELECT k.id, k.role, k.organization_id, k.last_used_at, o.sandbox FROM api_keys k \
             JOIN organizations o ON o.id = k.organization_id \
             WHERE k.secret_sha256 = ? AND k.revoked_at IS NULL",
        )
        .bind(key_digest(key))
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let id = parse_id(r.get("id"), "api_keys")?;
        let at = now();
        let last_used: Option<String> = r.get("last_used_at");
        let stale = last_used
            .as_deref()
            .map(|t| parse_time(t, "api_keys"))
            .transpose()?
            .is_none_or(|last| at - last >= chrono::Duration::minutes(KEY_USE_PRECISION_MINUTES));
        if stale {
            sqlx::query("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
                .bind(at.to_rfc3339())
                .bind(id.to_string())
                .execute_write(self.writer())
                .await?;
        }
        Ok(Some(Caller {
            organization_id: parse_id(r.get("organization_id"), "api_keys")?,
            sandbox: r.get("sandbox"),
            role: parse_role(r.get("role"))?,
            actor: Actor { kind: ActorKind::ApiKey, id: Some(id) },
        }))
    }

    async fn api_keys(&self, organization_id: Uuid) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, prefix, role, label, created_at, last_used_at, revoked_at FROM api_keys \
             WHERE organization_id = ? ORDER BY id",
        )
        .bind(organization_id.to_string())
        .fetch_all(self.pool())
        .await?;
        let time = |raw: Option<String>| raw.map(|t| parse_time(&t, "api_keys")).transpose();
        rows.into_iter()
            .map(|r| {
                Ok(ApiKeyInfo {
                    id: parse_id(r.get("id"), "api_keys")?,
                    prefix: format!("kyc_{}", r.get::<String, _>("prefix")),
                    role: parse_role(r.get("role"))?,
                    label: r.get("label"),
                    created_at: parse_time(r.get("created_at"), "api_keys")?,
                    last_used_at: time(r.get("last_used_at"))?,
                    revoked_at: time(r.get("revoked_at"))?,
                })
            })
            .collect()
    }

    async fn revoke_api_key(&self, organization_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let found = sqlx::query(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND organization_id = ?",
        )
        .bind(now().to_rfc3339())
        .bind(id.to_string())
        .bind(organization_id.to_string())
        .execute_write(self.writer())
        .await?
        .rows_affected();
        Ok(found == 1)
    }

    async fn revoke_labelled_api_keys(&self, organization_id: Uuid, label: &str) -> Result<u64, StoreError> {
        let revoked = sqlx::query(
            "UPDATE api_keys SET revoked_at = ? WHERE organization_id = ? AND label = ? AND revoked_at IS NULL",
        )
        .bind(now().to_rfc3339())
        .bind(organization_id.to_string())
        .bind(label)
        .execute_write(self.writer())
        .await?
        .rows_affected();
        Ok(revoked)
    }

    async fn create_user(
        &self,
        organization_id: Uuid,
        email: &str,
        role: Role,
        password_hash: &str,
    ) -> Result<Uuid, StoreError> {
        let id = Uuid::now_v7();
        let result = sqlx::query(
            "INSERT INTO users (id, organization_id, email, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id.to_string())
        .bind(organization_id.to_string())
        .bind(email)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now().to_rfc3339())
        .execute_write(self.writer())
        .await;
        match result {
            Ok(_) => Ok(id),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Duplicate("a user with this email")),
            Err(e) => Err(e),
        }
    }
}
