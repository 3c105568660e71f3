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

#[tokio::test]
async fn errors_speak_the_language_accept_language_asks_for() {
    let app = TestApp::new().await;
    let mut body = support::enrolled();
    body["contact"]["email"] = serde_json::json!("not an email");
    body["individual"]["personal"]["address"]["postal_code"] = serde_json::json!("ABC");
    let send = |language: &'static str| {
        let body = body.clone();
        let app = &app;
        async move {
            app.send(
                axum::http::Method::POST,
                "/api/v1/customers",
                &app.operator,
                Some(&body),
                &[("accept-language", language)],
            )
            .await
        }
    };

    let spanish = send("fr-FR, es-ES;q=0.9, en;q=0.5").await;
    assert_eq!(spanish.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(spanish.headers[header::CONTENT_LANGUAGE], "es");
    assert_eq!(spanish.headers[header::VARY], "Accept-Language");
    assert_eq!(spanish.body["error"]["message"], "Algunos campos no son válidos; mira `fields`.");
    let field = |reply: &support::Reply, path: &str| {
        reply.body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| (f["code"].as_str().unwrap().to_owned(), f["message"].as_str().unwrap().to_owned()))
            .unwrap()
    };
    assert_eq!(
        field(&spanish, "contact.email"),
        ("invalid_email".to_owned(), "Escribe una dirección de correo como nombre@example.com.".to_owned())
    );
    let (code, message) = field(&spanish, "individual.personal.address.postal_code");
    assert_eq!(code, "invalid_postal_code");
    assert!(message.starts_with("No es un código postal válido de España"), "{message}");

    // The same request in English, and for a language kycard does not speak: the codes and
    // paths do not change, only the words.
    for language in ["en-GB", "fr", "", "es;q=0"] {
        let english = send(language).await;
        assert_eq!(english.headers[header::CONTENT_LANGUAGE], "en", "{language}");
        assert_eq!(english.body["error"]["message"], "Some fields are invalid; see `fields`.");
        assert_eq!(field(&english, "contact.email").0, "invalid_email");
        assert_eq!(field(&english, "contact.email").1, "Enter an email address like name@example.com.");
    }

    // Errors outside handlers (an unknown route) speak it too.
    let reply = app
        .raw(Request::get("/api/v1/nothing-here").header("accept-language", "es").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.body["error"]["message"], "El recurso solicitado no existe.");
}
