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

/// The body and `Content-Encoding` of `GET path` sent with `accept_encoding`.
async fn fetch(app: &TestApp, path: &str, accept_encoding: &str) -> (Option<String>, Vec<u8>) {
    let request = Request::get(path).header(header::ACCEPT_ENCODING, accept_encoding).body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let encoding = response.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    (encoding, bytes.to_vec())
}

#[tokio::test]
async fn web_files_are_sent_as_precompressed_by_the_build() {
    let app = TestApp::new().await;
    let dir = app.dir.path();
    std::fs::write(dir.join("app.wasm"), b"\0asm the app").unwrap();
    // Marker bytes instead of real brotli: the server must send the file as it is.
    std::fs::write(dir.join("app.wasm.br"), b"brotli copy").unwrap();
    std::fs::write(dir.join("app.wasm.gz"), b"gzip copy").unwrap();
    std::fs::write(dir.join("index.html.br"), b"brotli index").unwrap();

    assert_eq!(fetch(&app, "/app.wasm", "br, gzip").await, (Some("br".to_owned()), b"brotli copy".to_vec()));
    assert_eq!(fetch(&app, "/app.wasm", "gzip").await, (Some("gzip".to_owned()), b"gzip copy".to_vec()));
    assert_eq!(fetch(&app, "/app.wasm", "identity").await, (None, b"\0asm the app".to_vec()));
    // Deep links get the precompressed index too.
    assert_eq!(fetch(&app, "/customers/new", "br").await, (Some("br".to_owned()), b"brotli index".to_vec()));
}

#[tokio::test]
async fn files_without_copies_are_compressed_on_the_fly() {
    let app = TestApp::new().await;
    let text = "kycard ".repeat(1000);
    std::fs::write(app.dir.path().join("big.js"), &text).unwrap();
    let (encoding, bytes) = fetch(&app, "/big.js", "br").await;
    assert_eq!(encoding.as_deref(), Some("br"));
    assert!(bytes.len() < text.len() / 10, "compressed to {} bytes", bytes.len());
}
