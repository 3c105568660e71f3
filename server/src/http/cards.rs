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
use kycard_core::wire::{Card, IssueCardRequest, Page, Role};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}/cards", get(list).post(issue))
        .route("/cards/{id}", get(read))
        .route("/cards/{id}/freeze", post(freeze))
        .route("/cards/{id}/unfreeze", post(unfreeze))
        .route("/cards/{id}/cancel", post(cancel))
}

async fn issue(
    State(state): State<AppState>,
    caller: Caller,
    PathId(customer_id): PathId,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(request): ApiJson<IssueCardRequest>,
) -> Result<Response, AppError> {
    require(&caller, Role::Operator)?;
    let body = serde_json::to_string(&request).map_err(|_| AppError::Internal)?;
    let path = format!("/customers/{customer_id}/cards");
    idempotent::run(&state, &caller, key, ("POST", &path, &body), || async {
        let card = cards::issue_card(&state.store, &state.vault, &caller, customer_id, request.card_type).await?;
        Ok(Success::json(StatusCode::CREATED, &card))
    })
    .await
}

async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(customer_id): PathId,
) -> Result<Json<Page<Card>>, AppError> {
    state.store.customer(caller.organization_id, customer_id).await?.ok_or(AppError::NotFound)?;
    let cards = state.store.customer_cards(caller.organization_id, customer_id).await?;
    Ok(Json(Page { data: cards.into_iter().map(|c| c.card).collect(), next_cursor: None }))
}

async fn read(State(state): State<AppState>, caller: Caller, PathId(id): PathId) -> Result<Json<Card>, AppError> {
    let card = state.store.card(caller.organization_id, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(card.card))
}

async fn change(state: &AppState, caller: &Caller, id: uuid::Uuid, action: CardAction) -> Result<Json<Card>, AppError> {
    require(caller, Role::Operator)?;
    let card = cards::change_card(&state.store, caller, id, action).await?;
    tracing::info!(card_id = %id, action = %action, "card status changed");
    Ok(Json(card))
}

async fn freeze(State(state): State<AppState>, caller: Caller, PathId(id): PathId) -> Result<Json<Card>, AppError> {
    change(&state, &caller, id, CardAction::Freeze).await
}

async fn unfreeze(State(state): State<AppState>, caller: Caller, PathId(id): PathId) -> Result<Json<Card>, AppError> {
    change(&state, &caller, id, CardAction::Unfreeze).await
}

async fn cancel(State(state): State<AppState>, caller: Caller, PathId(id): PathId) -> Result<Json<Card>, AppError> {
    change(&state, &caller, id, CardAction::Cancel).await
}
