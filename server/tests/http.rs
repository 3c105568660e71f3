//! Router tests without a socket (`oneshot`): health, the error shape, the app fallback and
//! the security headers every response carries.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use kycard_core::wire::{ErrorResponse, Health};
use kycard_server::http::{CONTENT_SECURITY_POLICY, WebApp, router};
use tower::ServiceExt;

struct TestApp {
    _dir: tempfile::TempDir,
    router: axum::Router,
}

fn app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>kycard</title>",
    )
    .expect("index");
    std::fs::write(dir.path().join("app.js"), "console.log(1)").expect("asset");
    let router = router(&WebApp::new(dir.path().to_path_buf()));
    TestApp { _dir: dir, router }
}

async fn send(
    app: &TestApp,
    method: Method,
    uri: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::empty())
        .expect("request");
    let response = app
        .router
        .clone()
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

#[tokio::test]
async fn health_answers_ok_with_security_headers() {
    let app = app();
    let (status, headers, body) = send(&app, Method::GET, "/api/v1/health").await;
    assert_eq!(status, StatusCode::OK);
    let health: Health = serde_json::from_slice(&body).expect("health JSON");
    assert_eq!(health.status, "ok");
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        CONTENT_SECURITY_POLICY
    );
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
}

#[tokio::test]
async fn unknown_api_route_uses_the_error_shape() {
    let app = app();
    let (status, _, body) = send(&app, Method::GET, "/api/v1/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let error: ErrorResponse = serde_json::from_slice(&body).expect("error JSON");
    assert_eq!(error.error.code, "not_found");
    assert!(!error.error.message.is_empty());
}

#[tokio::test]
async fn wrong_method_uses_the_error_shape() {
    let app = app();
    let (status, _, body) = send(&app, Method::DELETE, "/api/v1/health").await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let error: ErrorResponse = serde_json::from_slice(&body).expect("error JSON");
    assert_eq!(error.error.code, "method_not_allowed");
}

#[tokio::test]
async fn page_paths_get_the_app_and_assets_are_served() {
    let app = app();
    let (status, headers, body) = send(&app, Method::GET, "/customers/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&body).contains("<title>kycard</title>"));
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let (status, _, body) = send(&app, Method::GET, "/app.js").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, b"console.log(1)");
}
