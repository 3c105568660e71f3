//! Reviews: the manual queue, reviewers' decisions, and every customer's history.

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery, IdempotencyKey, bad_cursor, page_limit, require};
use crate::http::idempotent::{self, Success};
use crate::http::{AppState, PathId};
use crate::review;
use crate::store::{Caller, CustomerRecord};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use kycard_core::wire::ErrorResponse;
use kycard_core::wire::{Customer, HistoryEntry, Page, ReviewDecisionRequest, Role};
use serde::{Deserialize, Serialize};

/// The answer of a review decision (`200` with the customer after it), also what its
/// idempotency key replays.
pub fn answer_customer(record: &CustomerRecord) -> Success {
    Success::json(StatusCode::OK, &record.to_wire())
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/reviews", get(queue))
        .route("/customers/{id}/review", post(decide))
        .route("/customers/{id}/history", get(history))
}

/// Largest queue page.
const QUEUE_LIMIT: u32 = 100;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct QueueQuery {
    stage: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reviews", tag = "reviews", params(("stage" = Option<String>, Query, description = "manual")), responses((status = 200, description = "Customers waiting for a reviewer, oldest first", body = Page<Customer>), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse)))]
pub(super) async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    crate::http::extract::ApiQuery(query): crate::http::extract::ApiQuery<QueueQuery>,
) -> Result<Json<Page<Customer>>, AppError> {
    require(&caller, Role::Reviewer)?;
    if query.stage.as_deref().is_some_and(|s| s != "manual") {
        return Err(AppError::MalformedRequest("Only `stage=manual` has a queue.".to_owned()));
    }
    let records = state.store.manual_queue(caller.organization_id, QUEUE_LIMIT).await?;
    Ok(Json(Page { data: records.iter().map(CustomerRecord::to_wire).collect(), next_cursor: None }))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/review", tag = "reviews", request_body = ReviewDecisionRequest, params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)), responses((status = 200, description = "Decided", body = Customer), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse), (status = 409, description = "Not in manual review", body = ErrorResponse), (status = 422, description = "A rejection needs flags", body = ErrorResponse)))]
pub(super) async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<ReviewDecisionRequest>,
) -> Result<Response, AppError> {
    require(&caller, Role::Reviewer)?;
    let body = serde_json::to_string(&request).map_err(|_| AppError::Internal)?;
    let path = format!("/customers/{id}/review");
    let who = caller.clone();
    idempotent::run(&state, &caller, key, ("POST", &path, &body), answer_customer, move |unit| async move {
        let record = review::manual_decision(&unit, &who, id, &request).await?;
        tracing::info!(customer_id = %id, decision = %request.decision, "manual review decided");
        Ok(record)
    })
    .await
}

/// Query of `GET /customers/{id}/history`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HistoryQuery {
    limit: Option<String>,
    cursor: Option<String>,
}

/// History entries per page unless `limit` says otherwise.
const HISTORY_LIMIT: u32 = 100;

#[utoipa::path(get, path = "/api/v1/customers/{id}/history", tag = "reviews", params(("id" = Uuid, Path), ("limit" = Option<u32>, Query, description = "1 to 100, default 100"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")), responses((status = 200, description = "Every change, oldest first, a page at a time", body = Page<HistoryEntry>), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse)))]
pub(super) async fn history(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> Result<Json<Page<HistoryEntry>>, AppError> {
    let limit = page_limit(query.limit.as_deref(), HISTORY_LIMIT)?;
    let after = query
        .cursor
        .filter(|c| !c.is_empty())
        .map(|c| c.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(bad_cursor))
        .transpose()?;
    let page = state.store.history(caller.organization_id, id, after, limit).await?.ok_or(AppError::NotFound)?;
    Ok(Json(Page { data: page.entries, next_cursor: page.next.map(|n| n.to_string()) }))
}

/// Body of `POST /simulate/customers/{id}/review`.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SimulateRequest {
    /// `approve`, `reject` or `manual`.
    outcome: SimulatedOutcome,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum SimulatedOutcome {
    Approve,
    Reject,
    Manual,
}

pub(super) fn sandbox_routes() -> Router<AppState> {
    Router::new().route("/simulate/customers/{id}/review", post(simulate))
}

#[utoipa::path(post, path = "/api/v1/simulate/customers/{id}/review", tag = "sandbox", request_body = SimulateRequest,
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, description = "Decided (sandbox organizations only)", body = Customer),
              (status = 404, description = "No such customer, or not a sandbox organization", body = kycard_core::wire::ErrorResponse),
              (status = 409, description = "The customer is not pending", body = kycard_core::wire::ErrorResponse)))]
pub(super) async fn simulate(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<SimulateRequest>,
) -> Result<Response, AppError> {
    require(&caller, Role::Operator)?;
    let outcome = match request.outcome {
        SimulatedOutcome::Approve => kycard_core::status::AutomaticOutcome::Approve,
        SimulatedOutcome::Reject => kycard_core::status::AutomaticOutcome::Reject { is_final: false },
        SimulatedOutcome::Manual => kycard_core::status::AutomaticOutcome::Refer,
    };
    let body = serde_json::to_string(&request).map_err(|_| AppError::Internal)?;
    let path = format!("/simulate/customers/{id}/review");
    let who = caller.clone();
    idempotent::run(&state, &caller, key, ("POST", &path, &body), answer_customer, move |unit| async move {
        review::simulate(&unit, &who, id, outcome).await
    })
    .await
}
