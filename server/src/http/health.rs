//! `GET /health`: whether the server can answer.

use axum::{Json, Router, routing::get};
use kycard_core::wire::Health;

pub(super) fn routes() -> Router {
    Router::new().route("/health", get(health))
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}
