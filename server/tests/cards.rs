//! Cards: refused unless the customer is Active, never showing the number, status changes,
//! and one card for 50 concurrent requests with one idempotency key.

mod support;

use axum::http::{Method, StatusCode};
use serde_json::json;
use support::{TestApp, contact_only, enrolled};

#[tokio::test]
async fn a_pending_customer_gets_no_card_and_is_told_why() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let reply = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!((reply.status, reply.code()), (StatusCode::CONFLICT, "customer_not_active"));
    assert_eq!(reply.body["error"]["details"]["status"], "pending");
    assert_eq!(
        reply.body["error"]["details"]["blocked_by"],
        json!(["document:government_id_front", "document:government_id_back", "document:proof_of_address"])
    );
    let cards = app.get(&format!("/api/v1/customers/{id}/cards"), &app.operator).await;
    assert_eq!(cards.body["data"], json!([]));
}

#[tokio::test]
async fn a_customer_outside_the_program_gets_no_card() {
    let app = TestApp::new().await;
    let id = app.create(&contact_only()).await["id"].as_str().unwrap().to_owned();
    let reply = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!((reply.status, reply.code()), (StatusCode::CONFLICT, "individual_cards_not_enabled"));
}

#[tokio::test]
async fn an_active_customer_gets_a_masked_card_that_can_be_frozen_and_canceled() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    app.activate(&id).await;
    let issued = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    let card = issued.body;
    assert_eq!(card["customer_id"], id.as_str());
    assert_eq!(card["status"], "active");
    assert_eq!(card["cardholder_name"], "Ana María García López");
    let last4 = card["last4"].as_str().unwrap();
    assert_eq!(last4.len(), 4);
    let text = card.to_string();
    assert!(!text.contains("400000"), "the full number must never be returned: {text}");
    for field in ["number", "pan", "card_number"] {
        assert!(card.get(field).is_none());
    }

    let card_uri = format!("/api/v1/cards/{}", card["id"].as_str().unwrap());
    let reviewer_freeze = app.post(&format!("{card_uri}/freeze"), &app.reviewer, &json!({})).await;
    assert_eq!(reviewer_freeze.status, StatusCode::FORBIDDEN);
    let frozen = app.send(Method::POST, &format!("{card_uri}/freeze"), &app.operator, None, &[]).await;
    assert_eq!(frozen.body["status"], "frozen");
    let twice = app.send(Method::POST, &format!("{card_uri}/freeze"), &app.operator, None, &[]).await;
    assert_eq!((twice.status, twice.code()), (StatusCode::CONFLICT, "invalid_transition"));
    let unfrozen = app.send(Method::POST, &format!("{card_uri}/unfreeze"), &app.operator, None, &[]).await;
    assert_eq!(unfrozen.body["status"], "active");
    let canceled = app.send(Method::POST, &format!("{card_uri}/cancel"), &app.operator, None, &[]).await;
    assert_eq!(canceled.body["status"], "canceled");
    for action in ["freeze", "unfreeze", "cancel"] {
        let after = app.send(Method::POST, &format!("{card_uri}/{action}"), &app.operator, None, &[]).await;
        assert_eq!(after.code(), "invalid_transition", "{action} after cancel");
    }
    let read = app.get(&card_uri, &app.reviewer).await;
    assert_eq!(read.body["status"], "canceled");
    let other = app.get(&card_uri, &app.other_operator).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);

    // The number is stored encrypted, never in clear.
    let db = std::fs::read(app.dir.path().join("kycard.db")).unwrap_or_default();
    let wal = std::fs::read(app.dir.path().join("kycard.db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(!bytes.windows(6).any(|w| w == b"400000"), "a card number prefix appears in clear in the database");
    }
}

#[tokio::test]
async fn bad_card_requests_are_refused_clearly() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let uri = format!("/api/v1/customers/{id}/cards");
    let physical = app.post(&uri, &app.operator, &json!({"type": "physical"})).await;
    assert_eq!((physical.status, physical.code()), (StatusCode::BAD_REQUEST, "malformed_request"));
    let missing = app.post(&uri, &app.operator, &json!({})).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let unknown_customer = app
        .post(
            "/api/v1/customers/0193a000-0000-7000-8000-000000000000/cards",
            &app.operator,
            &json!({"type": "virtual"}),
        )
        .await;
    assert_eq!(unknown_customer.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn fifty_concurrent_requests_with_one_key_issue_exactly_one_card() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    app.activate(&id).await;
    let uri = format!("/api/v1/customers/{id}/cards");
    let body = json!({"type": "virtual"});
    let requests =
        (0..50).map(|_| app.send(Method::POST, &uri, &app.operator, Some(&body), &[("idempotency-key", "card-once")]));
    let replies = futures_util::future::join_all(requests).await;
    let first = &replies[0];
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    for reply in &replies {
        assert_eq!((reply.status, &reply.body), (first.status, &first.body));
    }
    let cards = app.get(&uri, &app.operator).await;
    assert_eq!(cards.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_customer_holds_at_most_the_configured_cards_and_canceled_ones_do_not_count() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    app.activate(&id).await;
    let uri = format!("/api/v1/customers/{id}/cards");
    let mut issued = Vec::new();
    for _ in 0..3 {
        let card = app.post(&uri, &app.operator, &json!({"type": "virtual"})).await;
        assert_eq!(card.status, StatusCode::CREATED);
        issued.push(card.body["id"].as_str().unwrap().to_owned());
    }
    // The test server allows 3.
    let refused = app.post(&uri, &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "card_limit_reached"));
    assert!(refused.body["error"]["message"].as_str().unwrap().contains("cancel one first"));
    let canceled = app.post(&format!("/api/v1/cards/{}/cancel", issued[0]), &app.operator, &json!({})).await;
    assert_eq!(canceled.body["status"], "canceled");
    assert_eq!(app.post(&uri, &app.operator, &json!({"type": "virtual"})).await.status, StatusCode::CREATED);
    let cards = app.get(&uri, &app.operator).await.body;
    assert_eq!(cards["data"].as_array().unwrap().len(), 4, "three in use and one canceled");
}
