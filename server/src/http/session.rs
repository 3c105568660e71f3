//! `/session`: browser sign-in with an `HttpOnly; SameSite=Strict` cookie, and sign-out.

use crate::error::AppError;
use crate::http::AppState;
use crate::http::extract::{ApiJson, CSRF_COOKIE, ClientAddress, SESSION_COOKIE, cookie};
use crate::store::{Caller, SESSION_HOURS};
use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use kycard_core::contact::Email;
use kycard_core::wire::SignInRequest;
use kycard_core::wire::{ErrorResponse, SessionInfo};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/session", post(sign_in).get(current).delete(sign_out))
}

fn secure(headers: &HeaderMap) -> &'static str {
    let https = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|p| p == "https");
    if https { "; Secure" } else { "" }
}

/// Signs in. Failures are counted before the password is checked, per account and address,
/// per address and per account (see [`crate::sign_in`]); a full window answers `429` with
/// `Retry-After`.
#[utoipa::path(post, path = "/api/v1/session", tag = "session", request_body = SignInRequest, responses((status = 201, description = "Signed in; sets the session and CSRF cookies", body = SessionInfo), (status = 401, description = "Wrong email or password", body = ErrorResponse), (status = 429, description = "Too many attempts", body = ErrorResponse)))]
pub(super) async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SignInRequest>,
) -> Result<Response, AppError> {
    let email = Email::try_from(request.email.as_str()).map_err(|_| AppError::WrongCredentials)?;
    let attempt = state.sign_in.begin(email.as_str(), client).await?;
    let login = state.store.user_login(email.as_str()).await?;
    let hash = login.as_ref().map(|login| login.password_hash.as_str());
    let verified = state.sign_in.verify(hash, request.password).await?;
    let Some(login) = login.filter(|_| verified) else {
        return Err(AppError::WrongCredentials);
    };
    attempt.succeeded().await?;
    let (token, info) = state.store.create_session(&login).await?;
    let max_age = SESSION_HOURS * 3600;
    let secure = secure(&headers);
    let session_cookie =
        format!("{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}");
    let csrf_cookie = format!("{CSRF_COOKIE}={}; SameSite=Strict; Path=/; Max-Age={max_age}{secure}", info.csrf_token);
    let mut response = (StatusCode::CREATED, Json(info)).into_response();
    for value in [session_cookie, csrf_cookie] {
        response
            .headers_mut()
            .append(header::SET_COOKIE, HeaderValue::from_str(&value).map_err(|_| AppError::Internal)?);
    }
    tracing::info!(user_id = %login.user.id, "signed in");
    Ok(response)
}

#[utoipa::path(get, path = "/api/v1/session", tag = "session", responses((status = 200, description = "The signed-in user", body = SessionInfo), (status = 401, description = "Not signed in", body = ErrorResponse)))]
pub(super) async fn current(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<Json<kycard_core::wire::SessionInfo>, AppError> {
    let token = cookie(&parts, SESSION_COOKIE).ok_or(AppError::Unauthenticated)?;
    let session = state.store.session(token).await?.ok_or(AppError::Unauthenticated)?;
    Ok(Json(kycard_core::wire::SessionInfo { user: session.user, csrf_token: session.csrf_token }))
}

/// Signs out. Like every change made with a session cookie, it needs `X-CSRF-Token`.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", responses((status = 204, description = "Signed out"), (status = 401, description = "Not signed in", body = ErrorResponse), (status = 403, description = "csrf_failed", body = ErrorResponse)))]
pub(super) async fn sign_out(
    State(state): State<AppState>,
    _caller: Caller,
    parts: Parts,
) -> Result<Response, AppError> {
    if let Some(token) = cookie(&parts, SESSION_COOKIE) {
        state.store.delete_session(token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    for name in [SESSION_COOKIE, CSRF_COOKIE] {
        let value = format!("{name}=; Path=/; Max-Age=0; SameSite=Strict");
        response
            .headers_mut()
            .append(header::SET_COOKIE, HeaderValue::from_str(&value).map_err(|_| AppError::Internal)?);
    }
    Ok(response)
}
