//! Assembles the router: the API under `/api/v1`, the single-page app everywhere else, and
//! the layers every response goes through.

mod cards;
mod customers;
mod documents;
pub mod events;
mod extract;
mod health;
pub mod idempotent;
mod keys;
pub mod openapi;
mod reviews;
pub mod schemas;
mod session;
mod web_app;
mod webhooks;

pub use reviews::answer_customer;

pub use web_app::WebApp;

use crate::card_vault::CardVault;
use crate::error::AppError;
use crate::store::Store;
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use uuid::Uuid;

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Card number encryption.
    pub vault: Arc<CardVault>,
    /// Where document files live.
    pub files: crate::uploads::DocumentFiles,
    /// Wakes the automatic review worker.
    pub review_wake: Arc<tokio::sync::Notify>,
    /// Slows password guessing and checks passwords off the async workers.
    pub sign_in: Arc<crate::sign_in::SignInGuard>,
    /// Event streams open per credential.
    pub streams: Arc<events::StreamSlots>,
    /// Whether a reverse proxy fronts the server: the client address is then the last one in
    /// `X-Forwarded-For`, not the connection's peer.
    pub behind_proxy: bool,
    /// Caps on cards and webhooks.
    pub limits: crate::config::Limits,
}

/// The content security policy: only our own scripts, plus `'wasm-unsafe-eval'` so the
/// browser may compile the app's WebAssembly; nothing inline, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of the API docs pages: as strict, except that Swagger UI may set inline styles.
pub const DOCS_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
     base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Level for answers compressed per request (API JSON, a web file built without its
/// precompressed copies). Brotli's default is its slowest level, 11; measured on 2 cores it
/// spends 2.2 s on the 700 KB wasm and 3.8 ms on a 4 KB JSON answer, where level 4 spends
/// 14 ms and 0.1 ms for output 6-20 % larger.
const DYNAMIC_COMPRESSION: CompressionLevel = CompressionLevel::Precise(4);

/// Largest JSON body.
pub const JSON_BODY_LIMIT: usize = 1024 * 1024;
/// Longest a request may run.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
// An idempotency key's reservation must outlive every request that could still answer it.
const _: () = assert!(REQUEST_TIMEOUT.as_secs() * 2 <= crate::store::RESERVATION_LEASE_SECONDS.unsigned_abs());

/// A resource id from the path. Text that is not a UUID names nothing, so it answers `404`
/// like any id that does not exist.
#[derive(Debug, Clone, Copy)]
pub struct PathId(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        Uuid::parse_str(&raw).map(Self).map_err(|_| AppError::NotFound)
    }
}

async fn time_limit(request: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout.into_response(),
    }
}

/// The whole application.
pub fn router(state: AppState, web: &WebApp) -> Router {
    let api = Router::new()
        .merge(health::routes())
        .merge(customers::routes())
        .merge(cards::routes())
        .merge(documents::routes())
        .merge(reviews::routes())
        .merge(reviews::sandbox_routes())
        .merge(session::routes())
        .merge(events::routes())
        .merge(webhooks::routes())
        .merge(keys::routes())
        .merge(schemas::routes())
        .fallback(|| async { AppError::NotFound })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .layer(DefaultBodyLimit::max(JSON_BODY_LIMIT))
        .layer(middleware::from_fn(time_limit))
        .layer(middleware::from_fn(crate::metrics::record))
        .with_state(state.clone());
    let request_id = HeaderName::from_static("x-request-id");
    // Swagger UI sets inline styles from its script; only its pages allow that.
    let docs = Router::from(
        utoipa_swagger_ui::SwaggerUi::new("/api/docs")
            .external_url_unchecked("/api/v1/openapi.json", openapi::document().clone()),
    )
    .layer(SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DOCS_CONTENT_SECURITY_POLICY),
    ));
    let metrics = Router::new()
        .route(
            "/metrics",
            axum::routing::get(
                |State(state): State<AppState>| async move { crate::metrics::render(&state.store).await },
            ),
        )
        .with_state(state);
    Router::new()
        .merge(docs)
        .merge(metrics)
        .nest("/api/v1", api)
        .fallback_service(web.service())
        .layer(CompressionLayer::new().quality(DYNAMIC_COMPRESSION))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(CatchPanicLayer::custom(|_: Box<dyn std::any::Any + Send>| AppError::Internal.into_response()))
        // Spans name the method and path only: query strings (`q=` searches) may hold names.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let id = request.extensions().get::<RequestId>().and_then(|id| id.header_value().to_str().ok());
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), request_id = id.unwrap_or(""))
        }))
        .layer(middleware::from_fn(crate::error::with_locale))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
