//! Users' sign-in and browser sessions.

use super::{Caller, StoreError};
use async_trait::async_trait;
use kycard_core::wire::{SessionInfo, SessionUser};
use uuid::Uuid;

/// How long a session lasts at most.
pub const SESSION_HOURS: i64 = 12;
/// A session unused for this long ends (the idle timeout).
pub const SESSION_IDLE_MINUTES: i64 = 30;
/// A session's last use is written at most this often, so that reads stay reads.
pub const SEEN_PRECISION_MINUTES: i64 = 1;

/// A user as sign-in needs it.
#[derive(Debug, Clone)]
pub struct UserLogin {
    /// The user.
    pub user: SessionUser,
    /// Organization id.
    pub organization_id: Uuid,
    /// Whether the organization is a sandbox.
    pub sandbox: bool,
    /// argon2 PHC string.
    pub password_hash: String,
}

/// A live session resolved from its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who, for authorization.
    pub caller: Caller,
    /// The user.
    pub user: SessionUser,
    /// The token unsafe requests must echo.
    pub csrf_token: String,
}

/// Browser sign-in: user logins and sessions.
#[async_trait]
pub trait SessionStorage: Send + Sync {
    /// A user by sign-in email (case-insensitive on the domain, as stored normalised).
    async fn user_login(&self, email: &str) -> Result<Option<UserLogin>, StoreError>;

    /// Replaces a user's password hash and, in the same transaction, ends every session of
    /// the user: whoever knew the old password is signed out. Returns the sessions ended.
    async fn set_password(&self, user_id: Uuid, password_hash: &str) -> Result<u64, StoreError>;

    /// Opens a session; returns the cookie value (shown once) and the session.
    async fn create_session(&self, login: &UserLogin) -> Result<(String, SessionInfo), StoreError>;

    /// The live session of a cookie value, if any: neither past its [`SESSION_HOURS`] nor
    /// idle for [`SESSION_IDLE_MINUTES`]. Notes the use (at most once a minute).
    async fn session(&self, token: &str) -> Result<Option<Session>, StoreError>;

    /// Whether a session is live, without counting the question as a use of it.
    async fn session_is_live(&self, token: &str) -> Result<bool, StoreError>;

    /// Deletes sessions that expired or went idle; returns how many.
    async fn purge_sessions(&self) -> Result<u64, StoreError>;

    /// Ends a session.
    async fn delete_session(&self, token: &str) -> Result<(), StoreError>;
}
