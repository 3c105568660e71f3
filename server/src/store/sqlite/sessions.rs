//! Sign-in sessions on `SQLite`.

use super::writer::ExecuteWrite;
use super::{SqliteStore, parse_id, parse_time};
use crate::store::SESSION_HOURS;
use crate::store::SESSION_IDLE_MINUTES;
use crate::store::Session;
use crate::store::SessionStorage;
use crate::store::UserLogin;
use crate::store::credentials::{key_digest, random_hex};
use crate::store::sessions::SEEN_PRECISION_MINUTES;
use crate::store::{Caller, StoreError, now};
use async_trait::async_trait;
use chrono::Duration;
use kycard_core::wire::{Actor, ActorKind, Role, SessionInfo, SessionUser};
use sqlx::Row;
use uuid::Uuid;

#[async_trait]
impl SessionStorage for SqliteStore {
    async fn user_login(&self, email: &str) -> Result<Option<UserLogin>, StoreError> {
        let row = sqlx::query(
            "SELECT u.id, u.email, u.role, u.password_hash, o.id AS org_id, o.slug, o.sandbox FROM users u \
             JOIN organizations o ON o.id = u.organization_id WHERE u.email = ?",
        )
        .bind(email)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(UserLogin {
                user: SessionUser {
                    id: parse_id(r.get("id"), "users")?,
                    email: r.get("email"),
                    role: Role::parse(r.get("role")).ok_or(StoreError::Corrupt("users"))?,
                    organization: r.get("slug"),
                },
                organization_id: parse_id(r.get("org_id"), "users")?,
                sandbox: r.get("sandbox"),
                password_hash: r.get("password_hash"),
            })
        })
        .transpose()
    }

    async fn set_password(&self, user_id: Uuid, password_hash: &str) -> Result<u64, StoreError> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?;
        let ended = sqlx::query("DELETE FROM sessions WHERE user_id = ?")
            .bind(user_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(ended)
    }

    async fn create_session(&self, login: &UserLogin) -> Result<(String, SessionInfo), StoreError> {
        let token = random_hex(32);
        let csrf_token = random_hex(16);
        let at = now();
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(key_digest(&token))
        .bind(login.user.id.to_string())
        .bind(&csrf_token)
        .bind(at.to_rfc3339())
        .bind((at + Duration::hours(SESSION_HOURS)).to_rfc3339())
        .execute_write(self.writer())
        .await?;
        Ok((token, SessionInfo { user: login.user.clone(), csrf_token }))
    }

    async fn session(&self, token: &str) -> Result<Option<Session>, StoreError> {
        let row = sqlx::query(
            "SELECT s.csrf_token, s.expires_at, COALESCE(s.last_seen_at, s.created_at) AS seen, \
             u.id, u.email, u.role, o.id AS org_id, o.slug, o.sandbox \
             FROM sessions s JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.organization_id \
             WHERE s.token_sha256 = ?",
        )
        .bind(key_digest(token))
        .fetch_optional(self.pool())
        .await?;
        let Some(r) = row else { return Ok(None) };
        let at = now();
        let seen = parse_time(r.get("seen"), "sessions")?;
        if parse_time(r.get("expires_at"), "sessions")? <= at || at - seen >= Duration::minutes(SESSION_IDLE_MINUTES) {
            return Ok(None);
        }
        if at - seen >= Duration::minutes(SEEN_PRECISION_MINUTES) {
            sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE token_sha256 = ?")
                .bind(at.to_rfc3339())
                .bind(key_digest(token))
                .execute_write(self.writer())
                .await?;
        }
        let user_id = parse_id(r.get("id"), "sessions")?;
        let role = Role::parse(r.get("role")).ok_or(StoreError::Corrupt("users"))?;
        Ok(Some(Session {
            caller: Caller {
                organization_id: parse_id(r.get("org_id"), "sessions")?,
                sandbox: r.get("sandbox"),
                role,
                actor: Actor { kind: ActorKind::User, id: Some(user_id) },
            },
            user: SessionUser { id: user_id, email: r.get("email"), role, organization: r.get("slug") },
            csrf_token: r.get("csrf_token"),
        }))
    }

    async fn session_is_live(&self, token: &str) -> Result<bool, StoreError> {
        let at = now();
        let live: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM sessions WHERE token_sha256 = ? AND expires_at > ? AND COALESCE(last_seen_at, created_at) > ?",
        )
        .bind(key_digest(token))
        .bind(at.to_rfc3339())
        .bind((at - Duration::minutes(SESSION_IDLE_MINUTES)).to_rfc3339())
        .fetch_optional(self.pool())
        .await?;
        Ok(live.is_some())
    }

    async fn purge_sessions(&self) -> Result<u64, StoreError> {
        let at = now();
        let purged =
            sqlx::query("DELETE FROM sessions WHERE expires_at <= ? OR COALESCE(last_seen_at, created_at) <= ?")
                .bind(at.to_rfc3339())
                .bind((at - Duration::minutes(SESSION_IDLE_MINUTES)).to_rfc3339())
                .execute_write(self.writer())
                .await?
                .rows_affected();
        Ok(purged)
    }

    async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = ?")
            .bind(key_digest(token))
            .execute_write(self.writer())
            .await?;
        Ok(())
    }
}
