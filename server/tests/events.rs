//! `GET /events`: replay from `Last-Event-ID`, live delivery, and organization scoping.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::time::Duration;
use support::{TestApp, enrolled};

/// Reads SSE `data:` payloads until `count` arrived or two seconds passed.
async fn read_events(body: &mut Body, count: usize) -> Vec<Value> {
    let mut text = String::new();
    let mut events = Vec::new();
    while events.len() < count {
        let Ok(Some(Ok(frame))) = tokio::time::timeout(Duration::from_secs(2), body.frame()).await else { break };
        if let Ok(data) = frame.into_data() {
            text.push_str(&String::from_utf8_lossy(&data));
        }
        while let Some(end) = text.find("\n\n") {
            let block: String = text.drain(..end + 2).collect();
            for line in block.lines() {
                if let Some(json) = line.strip_prefix("data:") {
                    events.push(serde_json::from_str(json.trim()).expect("event JSON"));
                }
            }
        }
    }
    events
}

async fn open(app: &TestApp, key: &str, last_event_id: Option<&str>) -> (StatusCode, Body) {
    let mut builder = Request::get("/api/v1/events").header("authorization", format!("Bearer {key}"));
    if let Some(id) = last_event_id {
        builder = builder.header("last-event-id", id);
    }
    let response = tower::ServiceExt::oneshot(app.router.clone(), builder.body(Body::empty()).unwrap()).await.unwrap();
    (response.status(), response.into_body())
}

#[tokio::test]
async fn events_replay_from_last_event_id_and_arrive_live() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let (status, mut body) = open(&app, &app.reviewer, Some("0")).await;
    assert_eq!(status, StatusCode::OK);
    let replayed = read_events(&mut body, 1).await;
    assert_eq!(replayed[0]["type"], "customer.created");
    assert_eq!(replayed[0]["data"]["id"], id.as_str());
    let first_id = replayed[0]["id"].as_str().unwrap().to_owned();

    let image = support::picture();
    app.upload(&id, &[("kind", "government_id_front")], Some(("front.png", &image))).await;
    let live = read_events(&mut body, 1).await;
    assert_eq!(live[0]["type"], "customer.requirements_changed");
    assert_eq!(live[0]["data"]["requirements"][0]["state"], "uploaded");

    // Resuming after the first event skips it.
    let (_, mut resumed) = open(&app, &app.reviewer, Some(&first_id)).await;
    let again = read_events(&mut resumed, 1).await;
    assert_eq!(again[0]["type"], "customer.requirements_changed");

    // Another organization sees none of it.
    let (_, mut other) = open(&app, &app.other_operator, Some("0")).await;
    assert!(read_events(&mut other, 1).await.is_empty());
}

#[tokio::test]
async fn status_changes_and_cards_are_events_too() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let (_, mut body) = open(&app, &app.operator, None).await;
    app.activate(&id).await;
    let card = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(card.status, StatusCode::CREATED);
    let events = read_events(&mut body, 3).await;
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["customer.requirements_changed", "customer.status_changed", "card.issued"]);
    assert_eq!(events[2]["data"]["last4"], card.body["last4"]);

    let bad = Request::get("/api/v1/events")
        .header("authorization", format!("Bearer {}", app.operator))
        .header("last-event-id", "soon");
    let reply = app.raw(bad.body(Body::empty()).unwrap()).await;
    assert_eq!((reply.status, reply.code()), (StatusCode::BAD_REQUEST, "malformed_request"));
}

/// Reads the stream until it ends; `false` if it was still open after `within`.
async fn ends_within(body: &mut Body, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, body.frame()).await {
            Ok(None | Some(Err(_))) => return true,
            Ok(Some(Ok(_))) => {}
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn a_credential_holds_a_bounded_number_of_streams() {
    let app = TestApp::new().await;
    // The test server allows 3 per credential.
    let mut open_streams = Vec::new();
    for _ in 0..3 {
        let (status, body) = open(&app, &app.operator, None).await;
        assert_eq!(status, StatusCode::OK);
        open_streams.push(body);
    }
    let request = Request::get("/api/v1/events").header("authorization", format!("Bearer {}", app.operator));
    let refused = app.raw(request.body(Body::empty()).unwrap()).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::TOO_MANY_REQUESTS, "too_many_streams"));
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("3 event streams open"));
    let (status, _other) = open(&app, &app.reviewer, None).await;
    assert_eq!(status, StatusCode::OK, "another credential has its own slots");
    // Closing a stream (the client leaves) gives its slot back.
    drop(open_streams.pop());
    let (status, _again) = open(&app, &app.operator, None).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_stream_ends_when_its_key_is_revoked() {
    let app = TestApp::new().await;
    let (status, mut body) = open(&app, &app.operator, None).await;
    assert_eq!(status, StatusCode::OK);
    let keys = app.get("/api/v1/keys", &app.admin).await;
    let operator_key = keys.body["data"].as_array().unwrap().iter().find(|k| k["role"] == "operator").unwrap().clone();
    let revoked = app
        .send(
            axum::http::Method::DELETE,
            &format!("/api/v1/keys/{}", operator_key["id"].as_str().unwrap()),
            &app.admin,
            None,
            &[],
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let recheck = kycard_server::http::events::RECHECK;
    assert!(ends_within(&mut body, recheck * 3).await, "the stream outlived its revoked key");
}

#[tokio::test]
async fn a_stream_ends_when_its_session_signs_out() {
    let app = TestApp::new().await;
    let hash = kycard_server::admin::hash_password("correct horse battery staple").unwrap();
    app.store.create_user(app.org, "op@acme.example", kycard_core::wire::Role::Operator, &hash).await.unwrap();
    let body = json!({"email": "op@acme.example", "password": "correct horse battery staple"}).to_string();
    let signed_in = app
        .raw(
            Request::post("/api/v1/session").header("content-type", "application/json").body(Body::from(body)).unwrap(),
        )
        .await;
    let cookies: Vec<String> = signed_in
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    let cookies = cookies.join("; ");
    let csrf = signed_in.body["csrf_token"].as_str().unwrap().to_owned();
    let request = Request::get("/api/v1/events").header("cookie", &cookies).body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.into_body();
    let out = Request::delete("/api/v1/session").header("cookie", &cookies).header("x-csrf-token", &csrf);
    assert_eq!(app.raw(out.body(Body::empty()).unwrap()).await.status, StatusCode::NO_CONTENT);
    let recheck = kycard_server::http::events::RECHECK;
    assert!(ends_within(&mut stream, recheck * 3).await, "the stream outlived its session");
}
