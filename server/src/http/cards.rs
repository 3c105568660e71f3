//! Cards: issue for a customer, list, read, freeze, unfreeze, cancel.

use crate::cards;
use crate::error::AppError;
use crate::http::extract::{ApiJson, IdempotencyKey, require};
use crate::http::idempotent::{self, Success};
use crate::http::{AppState, PathId};
use crate::store::Caller;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use kycard_core::card::CardAction;
use kycard_core::wire::ErrorResponse;
use kycard_core::wire::{Card, IssueCardRequest, Page, Role};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/cards", get(list).post(issue))
        .route("/cards/{id}", get(read))
        .route("/cards/{id}/freeze", post(freeze))
        .route("/cards/{id}/unfreeze", post(unfreeze))
        .route("/cards/{id}/cancel", post(cancel))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/cards", tag = "cards", request_body = IssueCardRequest, params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)), responses((status = 201, description = "Issued; only last4 of the number", body = Card), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse), (status = 409, description = "customer_not_active (with details) or individual_cards_not_enabled", body = ErrorResponse)))]
pub(super) async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    PathId(customer_id): PathId,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<IssueCardRequest>,
) -> Result<Response, AppError> {
    require(&caller, Role::Operator)?;
    let body = serde_json::to_string(&request).map_err(|_| AppError::Internal)?;
    let path = format!("/customers/{customer_id}/cards");
    let (vault, who, cap) = (state.vault.clone(), caller.clone(), state.limits.cards_per_customer);
    let answer = |card: &Card| Success::json(StatusCode::CREATED, card);
    idempotent::run(&state, &caller, key, ("POST", &path, &body), answer, move |unit| async move {
        cards::issue_card(&unit, &vault, &who, customer_id, request.card_type, cap).await
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/cards", tag = "cards", params(("id" = Uuid, Path)), responses((status = 200, description = "The customer's cards", body = Page<Card>), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse)))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(customer_id): PathId,
) -> Result<Json<Page<Card>>, AppError> {
    state.store.customer(caller.organization_id, customer_id).await?.ok_or(AppError::NotFound)?;
    let cards = state.store.customer_cards(caller.organization_id, customer_id).await?;
    Ok(Json(Page { data: cards.into_iter().map(|c| c.card).collect(), next_cursor: None }))
}

#[utoipa::path(get, path = "/api/v1/cards/{id}", tag = "cards", params(("id" = Uuid, Path)), responses((status = 200, description = "The card", body = Card), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse)))]
pub(super) async fn read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<Json<Card>, AppError> {
    let card = state.store.card(caller.organization_id, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(card.card))
}

async fn change(
    state: &AppState,
    caller: &Caller,
    id: uuid::Uuid,
    action: CardAction,
    key: Option<String>,
) -> Result<Response, AppError> {
    require(caller, Role::Operator)?;
    let path = format!("/cards/{id}/{action}");
    let who = caller.clone();
    let answer = |card: &Card| Success::json(StatusCode::OK, card);
    idempotent::run(state, caller, key, ("POST", &path, ""), answer, move |unit| async move {
        let card = cards::change_card(&unit, &who, id, action).await?;
        tracing::info!(card_id = %id, action = %action, "card status changed");
        Ok(card)
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/cards/{id}/freeze", tag = "cards", params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)), responses((status = 200, description = "Frozen", body = Card), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse), (status = 409, description = "invalid_transition", body = ErrorResponse)))]
pub(super) async fn freeze(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    IdempotencyKey(key): IdempotencyKey,
) -> Result<Response, AppError> {
    change(&state, &caller, id, CardAction::Freeze, key).await
}

#[utoipa::path(post, path = "/api/v1/cards/{id}/unfreeze", tag = "cards", params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)), responses((status = 200, description = "Active again", body = Card), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse), (status = 409, description = "invalid_transition", body = ErrorResponse)))]
pub(super) async fn unfreeze(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    IdempotencyKey(key): IdempotencyKey,
) -> Result<Response, AppError> {
    change(&state, &caller, id, CardAction::Unfreeze, key).await
}

#[utoipa::path(post, path = "/api/v1/cards/{id}/cancel", tag = "cards", params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)), responses((status = 200, description = "Canceled for good", body = Card), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse), (status = 409, description = "invalid_transition", body = ErrorResponse)))]
pub(super) async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    IdempotencyKey(key): IdempotencyKey,
) -> Result<Response, AppError> {
    change(&state, &caller, id, CardAction::Cancel, key).await
}
