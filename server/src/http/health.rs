//! `GET /health` (the process and its database answer) and `GET /ready` (this instance can
//! take traffic: it can read the database and write documents), for load balancers and
//! orchestrators. Neither needs credentials; neither says more than ok or what failed.

use crate::error::AppError;
use crate::http::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::{Json, Router, routing::get};
use kycard_core::wire::{Health, Readiness, ReadinessCheck};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/health", get(health)).route("/ready", get(ready))
}

#[utoipa::path(get, path = "/api/v1/health", tag = "health", responses((status = 200, description = "The server and its database answer", body = Health)))]
pub(super) async fn health(State(state): State<AppState>) -> Result<Json<Health>, AppError> {
    state.store.ping().await?;
    Ok(Json(Health { status: "ok".to_owned(), version: env!("CARGO_PKG_VERSION").to_owned() }))
}

#[utoipa::path(get, path = "/api/v1/ready", tag = "health", responses((status = 200, description = "Ready: the database answers and documents can be written", body = Readiness), (status = 503, description = "Not ready: the failed checks say what", body = Readiness)))]
pub(super) async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let check = |name: &str, result: Result<(), String>| ReadinessCheck {
        name: name.to_owned(),
        ok: result.is_ok(),
        message: result.err(),
    };
    let database = state.store.ping().await.map_err(|_| "the database does not answer".to_owned());
    let documents = state.files.probe().await.map_err(|_| "documents cannot be written".to_owned());
    let checks = vec![check("database", database), check("documents", documents)];
    let ready = checks.iter().all(|c| c.ok);
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let word = if ready { "ready" } else { "not_ready" };
    (status, Json(Readiness { status: word.to_owned(), checks }))
}
