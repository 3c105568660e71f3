//! Prometheus metrics at `GET /metrics`: requests and their latencies per route (the route's
//! pattern, never an id), the automatic review queue, the webhook backlog and the uploads in
//! flight. Counts only: no personal data, no organization names.

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

/// Requests answered, by method, route and status.
pub const REQUESTS: &str = "kycard_http_requests_total";
/// Time to answer, by method and route.
pub const DURATION: &str = "kycard_http_request_duration_seconds";
/// Automatic reviews queued.
pub const REVIEW_QUEUE: &str = "kycard_review_queue_depth";
/// Webhook deliveries pending.
pub const WEBHOOK_BACKLOG: &str = "kycard_webhook_backlog";
/// Uploads being received or stored.
pub const UPLOADS_IN_FLIGHT: &str = "kycard_uploads_in_flight";

/// Writes per database commit (group commit).
pub const WRITE_BATCH: &str = "kycard_db_writes_per_commit";

/// Latency buckets, in seconds.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// The process's recorder, installed on first use.
///
/// # Panics
/// When another metrics recorder was installed first (kycard installs none other).
pub fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), BUCKETS)
            .expect("the buckets are not empty")
            .install_recorder()
            .expect("kycard installs one metrics recorder");
        metrics::describe_counter!(REQUESTS, "HTTP requests answered, by method, route and status");
        metrics::describe_histogram!(DURATION, metrics::Unit::Seconds, "Time to answer an HTTP request");
        metrics::describe_gauge!(REVIEW_QUEUE, "Automatic reviews queued");
        metrics::describe_gauge!(WEBHOOK_BACKLOG, "Webhook deliveries not yet delivered or given up");
        metrics::describe_gauge!(UPLOADS_IN_FLIGHT, "Document uploads being received or stored");
        metrics::describe_histogram!(WRITE_BATCH, "Writes made durable by one database commit");
        handle
    })
}

/// Counts and times every request by its route's pattern (`/api/v1/customers/{id}`).
pub async fn record(request: Request, next: Next) -> Response {
    handle();
    let method = request.method().as_str().to_owned();
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!(DURATION, "method" => method, "route" => route).record(started.elapsed().as_secs_f64());
    response
}

/// An upload in flight, counted until dropped.
#[derive(Debug)]
pub struct UploadInFlight(());

impl UploadInFlight {
    /// Counts one more upload in flight.
    pub fn start() -> Self {
        handle();
        metrics::gauge!(UPLOADS_IN_FLIGHT).increment(1.0);
        Self(())
    }
}

impl Drop for UploadInFlight {
    fn drop(&mut self) {
        metrics::gauge!(UPLOADS_IN_FLIGHT).decrement(1.0);
    }
}

/// The text exposition, with the queue gauges read now.
pub async fn render(store: &crate::store::Store) -> Response {
    let handle = handle();
    match store.backlog().await {
        #[allow(clippy::cast_precision_loss)] // counts far below 2^52
        Ok(backlog) => {
            metrics::gauge!(REVIEW_QUEUE).set(backlog.reviews as f64);
            metrics::gauge!(WEBHOOK_BACKLOG).set(backlog.webhook_deliveries as f64);
        }
        Err(error) => tracing::warn!(%error, "cannot read the queues for metrics"),
    }
    let mut response = handle.render().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    response
}
