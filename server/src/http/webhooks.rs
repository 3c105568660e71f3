//! Webhooks (admin only): subscribe, list, delete, and see each delivery's attempts.

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery, IdempotencyKey, require};
use crate::http::idempotent::{self, Success};
use crate::http::{AppState, PathId};
use crate::store::Caller;
use crate::webhooks;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{delete, get};
use axum::{Json, Router};
use kycard_core::wire::{CreateWebhookRequest, ErrorResponse, Page, Role, Webhook, WebhookDelivery};
use serde::Deserialize;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(create))
        .route("/webhooks/{id}", delete(remove))
        .route("/webhooks/{id}/deliveries", get(deliveries))
}

/// Largest deliveries page.
const DELIVERIES_LIMIT: u32 = 100;

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", request_body = CreateWebhookRequest, params(("Idempotency-Key" = Option<String>, Header)), responses((status = 201, description = "Subscribed; `secret` is shown only here", body = Webhook), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 422, description = "Bad URL or event types", body = ErrorResponse)))]
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<CreateWebhookRequest>,
) -> Result<Response, AppError> {
    require(&caller, Role::Admin)?;
    let body = serde_json::to_string(&request).map_err(|_| AppError::Internal)?;
    let (vault, who, cap) = (state.vault.clone(), caller.clone(), state.limits.webhooks_per_organization);
    let answer = |webhook: &Webhook| Success::secret_json(StatusCode::CREATED, webhook);
    idempotent::run(&state, &caller, key, ("POST", "/webhooks", &body), answer, move |unit| async move {
        webhooks::create_webhook(&unit, &vault, &who, &request, cap).await
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", responses((status = 200, description = "The organization's webhooks, oldest first, without secrets", body = Page<Webhook>), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse)))]
pub(super) async fn list(State(state): State<AppState>, caller: Caller) -> Result<Json<Page<Webhook>>, AppError> {
    require(&caller, Role::Admin)?;
    Ok(Json(Page { data: state.store.webhooks(caller.organization_id).await?, next_cursor: None }))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path)), responses((status = 204, description = "Deleted with its deliveries; nothing more is sent"), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse)))]
pub(super) async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<StatusCode, AppError> {
    require(&caller, Role::Admin)?;
    if state.store.delete_webhook(caller.organization_id, id).await? {
        tracing::info!(webhook_id = %id, "webhook deleted");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeliveriesQuery {
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = Uuid, Path), ("limit" = Option<u32>, Query, description = "1–100, default 100")), responses((status = 200, description = "Deliveries, newest event first, each with its attempts and status codes", body = Page<WebhookDelivery>), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse)))]
pub(super) async fn deliveries(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiQuery(query): ApiQuery<DeliveriesQuery>,
) -> Result<Json<Page<WebhookDelivery>>, AppError> {
    require(&caller, Role::Admin)?;
    let limit = query.limit.unwrap_or(DELIVERIES_LIMIT);
    if !(1..=DELIVERIES_LIMIT).contains(&limit) {
        return Err(AppError::MalformedRequest("`limit` must be between 1 and 100.".to_owned()));
    }
    let data = state.store.deliveries(caller.organization_id, id, limit).await?.ok_or(AppError::NotFound)?;
    Ok(Json(Page { data, next_cursor: None }))
}
