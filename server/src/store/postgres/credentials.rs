//! Organizations, users and API keys on `PostgreSQL`.

use super::{PostgresStore, is_unique_violation};
use crate::store::credentials::{KEY_USE_PRECISION_MINUTES, random_hex};
use crate::store::{Caller, CredentialStorage, NewApiKey, Organization, StoreError, key_digest, now};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::wire::{Actor, ActorKind, ApiKeyInfo, Role};
use sqlx::Row;
use uuid::Uuid;

fn parse_role(raw: &str) -> Result<Role, StoreError> {
    Role::parse(raw).ok_or(StoreError::Corrupt("role"))
}

#[async_trait]
impl CredentialStorage for PostgresStore {
    async fn create_organization(&self, slug: &str, name: &str, sandbox: bool) -> Result<Organization, StoreError> {
        let id = Uuid::now_v7();
        let result =
            sqlx::query("INSERT INTO organizations (id, slug, name, sandbox, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(slug)
                .bind(name)
                .bind(sandbox)
                .bind(now())
                .execute(self.pool())
                .await;
        match result {
            Ok(_) => Ok(Organization { id, slug: slug.to_owned(), name: name.to_owned(), sandbox }),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Duplicate("an organization with this slug")),
            Err(e) => Err(e.into()),
        }
    }

    async fn organization_by_slug(&self, slug: &str) -> Result<Option<Organization>, StoreError> {
        let row: Option<(Uuid, String, String, bool)> =
            sqlx::query_as("SELECT id, slug, name, sandbox FROM organizations WHERE slug = $1")
                .bind(slug)
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(id, slug, name, sandbox)| Organization { id, slug, name, sandbox }))
    }

    async fn attempt_cap(&self, organization_id: Uuid) -> Result<Option<u32>, StoreError> {
        let row: Option<(Option<i32>,)> = sqlx::query_as("SELECT attempt_cap FROM organizations WHERE id = $1")
            .bind(organization_id)
            .fetch_optional(self.pool())
            .await?;
        row.and_then(|(cap,)| cap)
            .map(|cap| u32::try_from(cap).map_err(|_| StoreError::Corrupt("organizations")))
            .transpose()
    }

    async fn set_attempt_cap(&self, organization_id: Uuid, cap: Option<u32>) -> Result<(), StoreError> {
        let cap = cap.map(|c| i32::try_from(c).map_err(|_| StoreError::Corrupt("organizations"))).transpose()?;
        sqlx::query("UPDATE organizations SET attempt_cap = $1 WHERE id = $2")
            .bind(cap)
            .bind(organization_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn organization_is_sandbox(&self, organization_id: Uuid) -> Result<bool, StoreError> {
        let row: Option<(bool,)> = sqlx::query_as("SELECT sandbox FROM organizations WHERE id = $1")
            .bind(organization_id)
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
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(organization_id)
        .bind(role.as_str())
        .bind(&prefix)
        .bind(key_digest(&secret))
        .bind(now())
        .bind(label)
        .execute(self.pool())
        .await?;
        Ok(NewApiKey { id, secret })
    }

    async fn caller_for_api_key(&self, key: &str) -> Result<Option<Caller>, StoreError> {
        let row = sqlx::query(
            "SELECT k.id, k.role, k.organization_id, k.last_used_at, o.sandbox FROM api_keys k \
             JOIN organizations o ON o.id = k.organization_id \
             WHERE k.secret_sha256 = $1 AND k.revoked_at IS NULL",
        )
        .bind(key_digest(key))
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let id: Uuid = r.get("id");
        let at = now();
        let last_used: Option<DateTime<Utc>> = r.get("last_used_at");
        if last_used.is_none_or(|last| at - last >= chrono::Duration::minutes(KEY_USE_PRECISION_MINUTES)) {
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                .bind(at)
                .bind(id)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(Caller {
            organization_id: r.get("organization_id"),
            sandbox: r.get("sandbox"),
            role: parse_role(r.get("role"))?,
            actor: Actor { kind: ActorKind::ApiKey, id: Some(id) },
        }))
    }

    async fn api_keys(&self, organization_id: Uuid) -> Result<Vec<ApiKeyInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, prefix, role, label, created_at, last_used_at, revoked_at FROM api_keys \
             WHERE organization_id = $1 ORDER BY id",
        )
        .bind(organization_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(ApiKeyInfo {
                    id: r.get("id"),
                    prefix: format!("kyc_{}", r.get::<String, _>("prefix")),
                    role: parse_role(r.get("role"))?,
                    label: r.get("label"),
                    created_at: r.get("created_at"),
                    last_used_at: r.get("last_used_at"),
                    revoked_at: r.get("revoked_at"),
                })
            })
            .collect()
    }

    async fn revoke_api_key(&self, organization_id: Uuid, id: Uuid) -> Result<bool, StoreError> {
        let found = sqlx::query(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND organization_id = $3",
        )
        .bind(now())
        .bind(id)
        .bind(organization_id)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(found == 1)
    }

    async fn revoke_labelled_api_keys(&self, organization_id: Uuid, label: &str) -> Result<u64, StoreError> {
        let revoked = sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE organization_id = $2 AND label = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(organization_id)
        .bind(label)
        .execute(self.pool())
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
            "INSERT INTO users (id, organization_id, email, role, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(organization_id)
        .bind(email)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now())
        .execute(self.pool())
        .await;
        match result {
            Ok(_) => Ok(id),
            Err(e) if is_unique_violation(&e) => Err(StoreError::Duplicate("a user with this email")),
            Err(e) => Err(e.into()),
        }
    }
}
