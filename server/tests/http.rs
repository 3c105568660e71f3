//! Health, the single-page app fallback and the headers every response carries.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use kycard_server::http::CONTENT_SECURITY_POLICY;
use support::TestApp;

#[tokio::test]
async fn health_answers_without_credentials() {
    let app = TestApp::new().await;
    let reply = app.raw(Request::get("/api/v1/health").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], "ok");
    assert_eq!(reply.headers[header::CONTENT_SECURITY_POLICY], CONTENT_SECURITY_POLICY);
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe-inline"));
    assert!(CONTENT_SECURITY_POLICY.contains("frame-ancestors 'none'"));
}

#[tokio::test]
async fn page_paths_get_the_app() {
    let app = TestApp::new().await;
    let request = Request::get("/customers/new").body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&bytes).contains("<title>kycard</title>"));
}
