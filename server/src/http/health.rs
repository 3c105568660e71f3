//! `GET /health`: whether the server and its database answer.

use crate::error::AppError;
use crate::http::AppState;
use axum::extract::State;
use axum::{Json, Router, routing::get};
use kycard_core::wire::Health;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

#[utoipa::path(get, path = "/api/v1/health", tag = "health", responses((status = 200, description = "The server and its database answer", body = Health)))]
pub(super) async fn health(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    state.store.ping().await?;
    Ok(Json(Health { status: "ok".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }))
}
