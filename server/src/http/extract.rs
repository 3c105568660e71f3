//! Extractors whose rejections use the one error shape: JSON bodies, query strings, the
//! caller's credentials, `If-Match` and `Idempotency-Key`.

use crate::error::AppError;
use crate::http::AppState;
use crate::store::Caller;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use kycard_core::wire::Role;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// A JSON request body. Bad bodies answer `malformed_json` (not JSON), `malformed_request`
/// (JSON of the wrong shape: not an object, a wrong type, an unknown field), `413` (over
/// [`super::JSON_BODY_LIMIT`]) or `415` (not `application/json`).
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim)
            .is_some_and(|mime| mime.eq_ignore_ascii_case("application/json") || mime.ends_with("+json"));
        if !is_json {
            return Err(AppError::UnsupportedMediaType("Send JSON with `Content-Type: application/json`.".to_owned()));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge("JSON bodies are limited to 1 MiB.".to_owned())
            } else {
                AppError::MalformedRequest(rejection.body_text())
            }
        })?;
        // serde accepts arrays for structs (positional fields); the API only speaks objects.
        let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
        if first.is_some_and(|b| *b != b'{') {
            return Err(AppError::MalformedRequest("The body must be a JSON object.".to_owned()));
        }
        serde_json::from_slice(&bytes).map(Self).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => AppError::MalformedRequest(format!("The JSON does not fit: {e}")),
            _ => AppError::MalformedJson(e.to_string()),
        })
    }
}

/// `axum::extract::Query`, answering bad query strings with `malformed_request`.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| Self(q.0))
            .map_err(|e: QueryRejection| AppError::MalformedRequest(e.body_text()))
    }
}

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "kycard_session";
/// The readable cookie holding the CSRF token.
pub const CSRF_COOKIE: &str = "kycard_csrf";

/// A cookie's value from the `Cookie` header.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// The credential a request presents: an API key in `Authorization: Bearer`, or else a
/// session cookie. Kept by long requests (event streams) to check it again later.
#[derive(Clone)]
pub enum Credential {
    /// An API key.
    ApiKey(String),
    /// A session cookie's value.
    Session(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::ApiKey(_) => "Credential::ApiKey(..)",
            Self::Session(_) => "Credential::Session(..)",
        })
    }
}

impl Credential {
    fn from_parts(parts: &Parts) -> Result<Self, AppError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let key = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .ok_or(AppError::Unauthenticated)?;
            return Ok(Self::ApiKey(key.to_owned()));
        }
        let token = cookie(parts, SESSION_COOKIE).filter(|t| t.len() <= 200).ok_or(AppError::Unauthenticated)?;
        Ok(Self::Session(token.to_owned()))
    }

    /// Whether the credential still works: the key is not revoked; the session was not
    /// ended, has not expired and is not idle. Checking does not count as using a session.
    pub async fn is_valid(&self, store: &crate::store::Store) -> Result<bool, AppError> {
        Ok(match self {
            Self::ApiKey(key) => store.caller_for_api_key(key).await?.is_some(),
            Self::Session(token) => store.session_is_live(token).await?,
        })
    }

    /// A digest naming this credential (for counting what it holds open), not the secret.
    pub fn digest(&self) -> String {
        match self {
            Self::ApiKey(secret) | Self::Session(secret) => crate::store::key_digest(secret),
        }
    }
}

impl FromRequestParts<AppState> for Credential {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Self::from_parts(parts)
    }
}

/// Who is calling, from the [`Credential`]; with a session cookie, unsafe methods must also
/// carry `X-CSRF-Token`.
impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Credential::from_parts(parts)? {
            Credential::ApiKey(key) => state.store.caller_for_api_key(&key).await?.ok_or(AppError::Unauthenticated),
            Credential::Session(token) => {
                let session = state.store.session(&token).await?.ok_or(AppError::Unauthenticated)?;
                if !parts.method.is_safe() {
                    let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
                    if !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes()) {
                        return Err(AppError::CsrfFailed);
                    }
                }
                Ok(session.caller)
            }
        }
    }
}

/// Compares secrets without leaking, through timing, how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Refuses callers whose role does not cover `needed`.
pub fn require(caller: &Caller, needed: Role) -> Result<(), AppError> {
    if caller.role.covers(needed) { Ok(()) } else { Err(AppError::Forbidden) }
}

/// The version in `If-Match`: `"3"`, `W/"3"` or a bare `3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(header::IF_MATCH).ok_or(AppError::PreconditionRequired)?;
        let text = value.to_str().unwrap_or("").trim();
        let unquoted = text.trim_start_matches("W/").trim_matches('"');
        unquoted.parse::<i64>().map(Self).map_err(|_| {
            AppError::MalformedRequest(format!("`If-Match` must hold a version number such as \"3\", not `{text}`."))
        })
    }
}

/// The longest `Idempotency-Key`.
pub const IDEMPOTENCY_KEY_MAX: usize = 255;

/// The optional `Idempotency-Key` header, 1–255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        let key = value
            .to_str()
            .ok()
            .filter(|k| (1..=IDEMPOTENCY_KEY_MAX).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()));
        key.map(|k| Self(Some(k.to_owned()))).ok_or_else(|| {
            AppError::MalformedRequest("`Idempotency-Key` must be 1 to 255 visible ASCII characters.".to_owned())
        })
    }
}

/// The client's address: the connection's peer or, with `--behind-proxy`, the last address
/// in `X-Forwarded-For` (the one the proxy appended; earlier ones are the client's to forge).
/// `0.0.0.0` when neither is known (a router called without a socket, as in tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .behind_proxy
            .then(|| {
                parts
                    .headers
                    .get_all("x-forwarded-for")
                    .iter()
                    .next_back()
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit(',').next())
                    .and_then(|last| last.trim().parse::<IpAddr>().ok())
            })
            .flatten();
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        Ok(Self(forwarded.or(peer).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))))
    }
}

/// Most items a page may hold.
pub const MAX_PAGE_LIMIT: u32 = 100;

/// A page's `limit` query value: 1 to [`MAX_PAGE_LIMIT`], `default` when absent.
pub fn page_limit(raw: Option<&str>, default: u32) -> Result<u32, AppError> {
    match raw {
        None => Ok(default),
        Some(raw) => raw.parse::<u32>().ok().filter(|n| (1..=MAX_PAGE_LIMIT).contains(n)).ok_or_else(|| {
            AppError::MalformedRequest(format!("`limit` must be a whole number from 1 to {MAX_PAGE_LIMIT}."))
        }),
    }
}

/// The refusal of a `cursor` that no page handed out.
pub fn bad_cursor() -> AppError {
    AppError::MalformedRequest("`cursor` must be a `next_cursor` from a previous page.".to_owned())
}
