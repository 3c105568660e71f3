//! `/customers`: create, list, read, patch.

use crate::error::AppError;
use crate::http::extract::{ApiJson, ApiQuery, IdempotencyKey, IfMatch, bad_cursor, page_limit, require};
use crate::http::idempotent::{self, Success};
use crate::http::{AppState, PathId};
use crate::onboarding;
use crate::store::{Caller, CustomerRecord, ListFilter};
use crate::unit_of_work::UnitOfWork;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kycard_core::status::CustomerStatus;
use kycard_core::wire::ErrorResponse;
use kycard_core::wire::{Customer, CustomerData, Page, Role};
use serde::Deserialize;
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/customers", get(list).post(create)).route("/customers/{id}", get(read).patch(patch))
}

/// Largest page.
const DEFAULT_LIMIT: u32 = 20;

fn with_etag(status: StatusCode, customer: &Customer) -> Response {
    let etag = HeaderValue::from_str(&format!("\"{}\"", customer.version)).expect("digits are a valid header");
    (status, [(header::ETAG, etag)], Json(customer)).into_response()
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = CustomerData, params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same request")), responses((status = 201, description = "Created", body = Customer), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 409, description = "Idempotency key reused", body = ErrorResponse), (status = 422, description = "Invalid fields, all listed", body = ErrorResponse)))]
pub(super) async fn create(
    State(state): State<AppState>,
    caller: Caller,
    IdempotencyKey(key): IdempotencyKey,
    ApiJson(data): ApiJson<CustomerData>,
) -> Result<Response, AppError> {
    require(&caller, Role::Operator)?;
    let body = serde_json::to_string(&data).map_err(|_| AppError::Internal)?;
    let who = caller.clone();
    let answer = |record: &CustomerRecord| Success::json(StatusCode::CREATED, &record.to_wire());
    idempotent::run(&state, &caller, key, ("POST", "/customers", &body), answer, move |unit| async move {
        let record = onboarding::create_customer(&unit, &who, &data).await?;
        tracing::info!(customer_id = %record.id, "customer created");
        Ok(record)
    })
    .await
}

/// Query of `GET /customers`, as text so every problem gets a clear message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    limit: Option<String>,
    cursor: Option<String>,
}

fn list_filter(query: ListQuery) -> Result<ListFilter, AppError> {
    let bad = |m: &str| AppError::MalformedRequest(m.to_owned());
    let status = query
        .status
        .filter(|s| !s.is_empty())
        .map(|s| CustomerStatus::parse(&s).ok_or_else(|| bad("`status` must be pending, active or rejected.")))
        .transpose()?;
    let limit = page_limit(query.limit.as_deref(), DEFAULT_LIMIT)?;
    let before =
        query.cursor.filter(|c| !c.is_empty()).map(|c| Uuid::parse_str(&c).map_err(|_| bad_cursor())).transpose()?;
    let query_text = query.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
    if query_text.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(bad("`q` must be at most 200 characters."));
    }
    let search = query_text.map(|q| kycard_core::search::query_tokens(&q));
    Ok(ListFilter { status, search, limit, before })
}

#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(("status" = Option<String>, Query, description = "pending, active or rejected"), ("q" = Option<String>, Query, description = "Words found in the name (accents ignored), email or phone (by its digits), in any order"), ("limit" = Option<u32>, Query, description = "1 to 100, default 20"), ("cursor" = Option<String>, Query, description = "next_cursor of the previous page")), responses((status = 200, description = "Newest first", body = Page<Customer>), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse)))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> Result<Json<Page<Customer>>, AppError> {
    let filter = list_filter(query)?;
    let (records, more) = state.store.list_customers(caller.organization_id, &filter).await?;
    let next_cursor = if more { records.last().map(|r| r.id.to_string()) } else { None };
    Ok(Json(Page { data: records.iter().map(CustomerRecord::to_wire).collect(), next_cursor }))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", params(("id" = Uuid, Path)), responses((status = 200, description = "The customer; ETag holds the version", body = Customer), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse)))]
pub(super) async fn read(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    let record = state.store.customer(caller.organization_id, id).await?.ok_or(AppError::NotFound)?;
    Ok(with_etag(StatusCode::OK, &record.to_wire()))
}

#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers", request_body = CustomerData, params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The version read, e.g. \"3\"")), responses((status = 200, description = "Updated", body = Customer), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse), (status = 409, description = "State forbids it", body = ErrorResponse), (status = 412, description = "Version mismatch", body = ErrorResponse), (status = 422, description = "Invalid fields", body = ErrorResponse), (status = 428, description = "If-Match missing", body = ErrorResponse)))]
pub(super) async fn patch(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    IfMatch(version): IfMatch,
    ApiJson(data): ApiJson<CustomerData>,
) -> Result<Response, AppError> {
    require(&caller, Role::Operator)?;
    let unit = UnitOfWork::new(state.store.clone(), Some(state.review_wake.clone()));
    let record = onboarding::update_customer(&unit, &caller, id, version, &data).await?;
    Ok(with_etag(StatusCode::OK, &record.to_wire()))
}
