//! Organizations, users and API keys on `SQLite`.

use super::writer::ExecuteWrite;
use super::{SqliteStore, is_unique_violation, parse_id, parse_time};
use crate::store::Caller;
use crate::store::CredentialStorage;
use crate::store::NewApiKey;
use crate::store::Organization;
use crate::store::credentials::KEY_USE_PRECISION_MINUTES;
use crate::store::credentials::random_hex;
use crate::store::key_digest;
use crate::store::{StoreError, now};
use async_trait::async_trait;
use kycard_core::wire::{Actor, ActorKind, ApiKeyInfo, Role};
use sqlx::Row;
use uuid::Uuid;

fn parse_role(raw: &str) -> Result<Role, StoreError> {
    Role::parse(raw).ok_or(StoreError::Corrupt("role"))
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
