//! Sandbox organizations: magic email tags force review outcomes, and `/simulate` decides a
//! pending customer on demand. Neither works outside a sandbox.

mod support;

use axum::http::{Method, StatusCode};
use kycard_core::wire::Role;
use serde_json::json;
use support::{TestApp, enrolled, picture};

async fn sandbox_key(app: &TestApp) -> String {
    let org = app.store.create_organization("playground", "Playground", true).await.unwrap();
    app.store.create_api_key(org.id, Role::Operator, "test").await.unwrap().secret
}

async fn create(app: &TestApp, key: &str, email: &str) -> String {
    let mut body = enrolled();
    body["contact"]["email"] = json!(email);
    let reply = app.post("/api/v1/customers", key, &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body["id"].as_str().unwrap().to_owned()
}

async fn upload_all(app: &TestApp, key: &str, id: &str) {
    let recent = (chrono::Utc::now().date_naive() - chrono::Duration::days(5)).to_string();
    for (kind, date) in
        [("government_id_front", None), ("government_id_back", None), ("proof_of_address", Some(recent.as_str()))]
    {
        let mut fields = vec![("kind", kind)];
        if let Some(d) = date {
            fields.push(("issued_on", d));
        }
        let (content_type, body) = support::multipart(&fields, Some(("scan.png", &picture())));
        let request = axum::http::Request::post(format!("/api/v1/customers/{id}/documents"))
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", content_type)
            .body(axum::body::Body::from(body))
            .unwrap();
        assert_eq!(app.raw(request).await.status, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn simulate_decides_a_pending_customer_in_a_sandbox_only() {
    let app = TestApp::new().await;
    let key = sandbox_key(&app).await;
    let id = create(&app, &key, "ana@example.com").await;
    let approved =
        app.post(&format!("/api/v1/simulate/customers/{id}/review"), &key, &json!({"outcome": "approve"})).await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["status"], "active");
    let card = app.post(&format!("/api/v1/customers/{id}/cards"), &key, &json!({"type": "virtual"})).await;
    assert_eq!(card.status, StatusCode::CREATED);
    let again = app.post(&format!("/api/v1/simulate/customers/{id}/review"), &key, &json!({"outcome": "reject"})).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "invalid_transition"));
    let bad = app.post(&format!("/api/v1/simulate/customers/{id}/review"), &key, &json!({"outcome": "maybe"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let live = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let refused = app
        .post(&format!("/api/v1/simulate/customers/{live}/review"), &app.operator, &json!({"outcome": "approve"}))
        .await;
    assert_eq!((refused.status, refused.code()), (StatusCode::NOT_FOUND, "not_found"), "not in a live organization");
}

#[tokio::test]
async fn magic_email_tags_force_the_automatic_outcome() {
    let app = TestApp::new().await;
    let key = sandbox_key(&app).await;
    let manual = create(&app, &key, "ana+review_manual@example.com").await;
    let rejected = create(&app, &key, "ana+review_reject@example.com").await;
    upload_all(&app, &key, &manual).await;
    upload_all(&app, &key, &rejected).await;
    app.run_reviews().await;
    let m = app.get(&format!("/api/v1/customers/{manual}"), &key).await.body;
    assert_eq!(m["review"]["stage"], "manual");
    let r = app.get(&format!("/api/v1/customers/{rejected}"), &key).await.body;
    assert_eq!(r["status"], "rejected");
    assert_eq!(r["review"]["flags"][0]["target"], "field:individual.personal.full_name");
    let version = r["version"].to_string();
    let fix = json!({"individual": {"personal": {"full_name": "Ana García"}}});
    let fixed = app
        .send(Method::PATCH, &format!("/api/v1/customers/{rejected}"), &key, Some(&fix), &[("if-match", &version)])
        .await;
    assert_eq!(fixed.body["review"]["stage"], "automatic", "{}", fixed.body);

    // The same tag means nothing in a live organization.
    let mut body = enrolled();
    body["contact"]["email"] = json!("ana+review_reject@example.com");
    let live = app.create(&body).await["id"].as_str().unwrap().to_owned();
    let recent = (chrono::Utc::now().date_naive() - chrono::Duration::days(5)).to_string();
    app.upload(&live, &[("kind", "government_id_front")], Some(("a.png", &picture()))).await;
    app.upload(&live, &[("kind", "government_id_back")], Some(("b.png", &picture()))).await;
    app.upload(&live, &[("kind", "proof_of_address"), ("issued_on", &recent)], Some(("c.png", &picture()))).await;
    app.run_reviews().await;
    assert_eq!(app.get(&format!("/api/v1/customers/{live}"), &app.operator).await.body["status"], "active");
}

#[tokio::test]
async fn decisions_on_a_customer_outside_the_program_are_refused_not_failed() {
    // Found by the API fuzzer: both answered 500.
    let app = TestApp::new().await;
    let key = sandbox_key(&app).await;
    let customer = app.post("/api/v1/customers", &key, &support::contact_only()).await;
    assert_eq!(customer.status, StatusCode::CREATED, "{}", customer.body);
    let id = customer.body["id"].as_str().unwrap().to_owned();

    let simulated =
        app.post(&format!("/api/v1/simulate/customers/{id}/review"), &key, &json!({"outcome": "manual"})).await;
    assert_eq!((simulated.status, simulated.code()), (StatusCode::CONFLICT, "individual_cards_not_enabled"));
    let decided =
        app.post(&format!("/api/v1/customers/{id}/review"), &app.admin, &json!({"decision": "approve"})).await;
    assert_eq!(decided.status, StatusCode::NOT_FOUND, "another organization's customer");
    let own = app.create(&support::contact_only()).await;
    let own_id = own["id"].as_str().unwrap();
    let decided =
        app.post(&format!("/api/v1/customers/{own_id}/review"), &app.reviewer, &json!({"decision": "approve"})).await;
    assert_eq!((decided.status, decided.code()), (StatusCode::CONFLICT, "individual_cards_not_enabled"));

    // A flag as an array of its fields is not a flag (serde would read it so).
    let positional = json!({"decision": "reject", "flags": [["document:passport", "document_expired", "", false]]});
    let decided = app.post(&format!("/api/v1/customers/{own_id}/review"), &app.reviewer, &positional).await;
    assert_eq!((decided.status, decided.code()), (StatusCode::BAD_REQUEST, "malformed_request"));

    // Nothing changed: still version 1, no status, nothing in the history but its creation.
    let after = app.get(&format!("/api/v1/customers/{own_id}"), &app.operator).await;
    assert_eq!(after.body["version"], 1);
    assert!(after.body.get("status").is_none());
    let history = app.get(&format!("/api/v1/customers/{own_id}/history"), &app.operator).await;
    assert_eq!(history.body["data"].as_array().unwrap().len(), 1, "{}", history.body);
}
