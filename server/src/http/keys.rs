//! API keys (admin only): list the organization's keys and revoke one. Keys are made with
//! `kycard key create`; their secrets are never stored, so never listed.

use crate::error::AppError;
use crate::http::extract::require;
use crate::http::{AppState, PathId};
use crate::store::Caller;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use kycard_core::wire::{ApiKeyInfo, ErrorResponse, Page, Role};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/keys", get(list)).route("/keys/{id}", delete(revoke))
}

#[utoipa::path(get, path = "/api/v1/keys", tag = "keys", responses((status = 200, description = "The organization's API keys, oldest first, revoked ones included; never a secret", body = Page<ApiKeyInfo>), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse)))]
pub(super) async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Page<ApiKeyInfo>>, AppError> {
    require(&caller, Role::Admin)?;
    Ok(Json(Page { data: state.store.api_keys(caller.organization_id).await?, next_cursor: None }))
}

/// Revokes a key at once; revoking a revoked key answers `204` again.
#[utoipa::path(delete, path = "/api/v1/keys/{id}", tag = "keys", params(("id" = Uuid, Path)), responses((status = 204, description = "Revoked: requests with the key answer 401 from now on"), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse)))]
pub(super) async fn revoke(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<StatusCode, AppError> {
    require(&caller, Role::Admin)?;
    if state.store.revoke_api_key(caller.organization_id, id).await? {
        tracing::info!(key_id = %id, "API key revoked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}
