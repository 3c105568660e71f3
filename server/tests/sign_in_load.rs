//! Password checks run off the async workers: a burst of sign-ins does not hold up `/health`.
//! Alone in its file so that no other test competes for the cores while it measures.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use std::time::{Duration, Instant};
use support::TestApp;

async fn sign_in(app: &TestApp, n: u8) -> StatusCode {
    let body = json!({"email": format!("nobody{n}@acme.example"), "password": "guess"}).to_string();
    let peer = std::net::SocketAddr::from(([10, 0, 0, n], 40_000));
    let request = Request::post("/api/v1/session")
        .header("content-type", "application/json")
        .extension(axum::extract::ConnectInfo(peer))
        .body(Body::from(body))
        .unwrap();
    app.raw(request).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_while_passwords_are_checked() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let started = Instant::now();
    assert_eq!(sign_in(&app, 0).await, StatusCode::UNAUTHORIZED);
    let one_check = started.elapsed();

    let burst: Vec<_> = (1..=24)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move { sign_in(&app, n).await })
        })
        .collect();
    let probe = {
        let app = app.clone();
        tokio::spawn(async move {
            let mut slowest = Duration::ZERO;
            for _ in 0..20 {
                tokio::time::sleep(one_check / 4).await;
                let started = Instant::now();
                let reply = app.get("/api/v1/health", &app.operator).await;
                assert_eq!(reply.status, StatusCode::OK);
                slowest = slowest.max(started.elapsed());
            }
            slowest
        })
    };
    let slowest = probe.await.unwrap();
    for task in burst {
        assert_eq!(task.await.unwrap(), StatusCode::UNAUTHORIZED, "every unknown email was checked");
    }
    assert!(
        slowest < one_check / 2,
        "/health took up to {slowest:?} while 24 passwords were checked (one check: {one_check:?})"
    );
}
