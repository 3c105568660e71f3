//! Documents: upload (multipart), list the current ones, download the bytes or the preview.

use crate::error::AppError;
use crate::http::extract::{ApiQuery, IdempotencyKey, require};
use crate::http::idempotent::{self, Success};
use crate::http::{AppState, PathId};
use crate::store::{Caller, DocumentRecord};
use crate::uploads;
use crate::uploads::DocumentFiles;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use kycard_core::documents::MAX_DOCUMENT_BYTES;
use kycard_core::wire::ErrorResponse;
use kycard_core::wire::{Document, Page, Role};
use serde::Deserialize;

/// Multipart overhead allowed beyond the largest file.
const MULTIPART_OVERHEAD: usize = 64 * 1024;

pub(super) fn routes() -> Router<AppState> {
    let body_limit = usize::try_from(MAX_DOCUMENT_BYTES).unwrap_or(usize::MAX) + MULTIPART_OVERHEAD;
    Router::new()
        .route("/customers/{id}/documents", get(list).post(upload).layer(DefaultBodyLimit::max(body_limit)))
        .route("/documents/{id}/content", get(content))
        .route("/documents/{id}/preview", get(preview))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/documents", tag = "documents", params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)), request_body(content_type = "multipart/form-data", description = "Fields `kind`, `file` and, for a proof of address, `issued_on` (YYYY-MM-DD). JPEG, PNG, WebP or PDF, recognised from the bytes; at most 10 MiB."), responses((status = 201, description = "Stored", body = Document), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse), (status = 409, description = "State forbids uploads", body = ErrorResponse), (status = 413, description = "Over 10 MiB", body = ErrorResponse), (status = 415, description = "Not an accepted file type", body = ErrorResponse), (status = 422, description = "Missing or invalid fields", body = ErrorResponse)))]
pub(super) async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    PathId(customer_id): PathId,
    IdempotencyKey(key): IdempotencyKey,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    require(&caller, Role::Operator)?;
    let _in_flight = crate::metrics::UploadInFlight::start();
    let multipart = multipart.map_err(|_| {
        AppError::UnsupportedMediaType("Send the document as `multipart/form-data` with `kind` and `file`.".to_owned())
    })?;
    let incoming = uploads::receive(&state.store, &state.files, &caller, customer_id, multipart).await?;
    let path = format!("/customers/{customer_id}/documents");
    let fingerprint = incoming.fingerprint();
    let (files, who) = (state.files.clone(), caller.clone());
    let answer = |document: &DocumentRecord| Success::json(StatusCode::CREATED, &document.to_wire());
    idempotent::run(&state, &caller, key, ("POST", &path, &fingerprint), answer, move |unit| async move {
        uploads::record_upload(&unit, &files, &who, incoming).await
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/documents", tag = "documents", params(("id" = Uuid, Path)), responses((status = 200, description = "Current documents", body = Page<Document>), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse)))]
pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    PathId(customer_id): PathId,
) -> Result<Json<Page<Document>>, AppError> {
    state.store.customer(caller.organization_id, customer_id).await?.ok_or(AppError::NotFound)?;
    let documents = state.store.current_documents(caller.organization_id, customer_id).await?;
    Ok(Json(Page { data: documents.iter().map(DocumentRecord::to_wire).collect(), next_cursor: None }))
}

/// `?disposition=` of a download.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ContentQuery {
    disposition: Option<String>,
}

/// The policy of a document shown inline: nothing runs, nothing loads, and only our own pages
/// may frame it (a reviewer's PDF viewer).
const INLINE_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; frame-ancestors 'self'";

#[utoipa::path(get, path = "/api/v1/documents/{id}/content", tag = "documents", params(("id" = Uuid, Path), ("disposition" = Option<String>, Query, description = "`attachment` (default) or `inline` (to view in the browser)")), responses((status = 200, description = "The bytes, as an attachment or inline"), (status = 400, description = "Malformed request", body = ErrorResponse), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such resource in your organization", body = ErrorResponse)))]
pub(super) async fn content(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiQuery(query): ApiQuery<ContentQuery>,
) -> Result<Response, AppError> {
    let inline = match query.disposition.as_deref() {
        None | Some("attachment") => false,
        Some("inline") => true,
        Some(_) => {
            return Err(AppError::MalformedRequest("`disposition` must be `attachment` or `inline`.".to_owned()));
        }
    };
    let document = state.store.document(caller.organization_id, id).await?.ok_or(AppError::NotFound)?;
    let (length, body) = file_body(&state.files, id, false).await?;
    let extension = match document.content_type {
        kycard_core::documents::ContentType::Jpeg => "jpg",
        kycard_core::documents::ContentType::Png => "png",
        kycard_core::documents::ContentType::Webp => "webp",
        kycard_core::documents::ContentType::Pdf => "pdf",
    };
    let kind = if inline { "inline" } else { "attachment" };
    let disposition = format!("{kind}; filename=\"{}-{}.{extension}\"", document.kind, document.id);
    let policy = if inline { INLINE_CONTENT_SECURITY_POLICY } else { crate::http::CONTENT_SECURITY_POLICY };
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(document.content_type.as_str())),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&disposition).map_err(|_| AppError::Internal)?),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy)),
            (header::CONTENT_LENGTH, HeaderValue::from(length)),
        ],
        body,
    )
        .into_response())
}

/// A stored file (or its preview) as a streamed body, never read whole into memory, with
/// its length.
async fn file_body(files: &DocumentFiles, id: uuid::Uuid, preview: bool) -> Result<(u64, Body), AppError> {
    let (length, stream) = files.open(id, preview).await.map_err(|error| {
        tracing::error!(document_id = %id, %error, "document file missing");
        AppError::Internal
    })?;
    Ok((length, Body::from_stream(stream)))
}

#[utoipa::path(get, path = "/api/v1/documents/{id}/preview", tag = "documents", params(("id" = Uuid, Path)), responses((status = 200, description = "A JPEG at most 1024 px a side, re-encoded from the decoded picture without the original's metadata (EXIF, GPS), upright", content_type = "image/jpeg"), (status = 401, description = "No or bad credentials", body = ErrorResponse), (status = 403, description = "Role may not", body = ErrorResponse), (status = 404, description = "No such document in your organization, or it has no picture (`preview` is false)", body = ErrorResponse)))]
pub(super) async fn preview(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
) -> Result<Response, AppError> {
    let document = state.store.document(caller.organization_id, id).await?.ok_or(AppError::NotFound)?;
    if !document.has_preview {
        return Err(AppError::NotFound);
    }
    let (length, body) = file_body(&state.files, id, true).await?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(INLINE_CONTENT_SECURITY_POLICY)),
            (header::CONTENT_LENGTH, HeaderValue::from(length)),
        ],
        body,
    )
        .into_response())
}
