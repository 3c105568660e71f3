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
