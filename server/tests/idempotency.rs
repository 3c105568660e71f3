//! `Idempotency-Key` on every `POST` besides creation and card issue (covered in their own
//! files): a retry replays the first answer and changes nothing; a different request with the
//! same key is refused.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;
use support::{Reply, TestApp, enrolled, multipart, picture};

async fn upload_with_key(app: &TestApp, id: &str, kind: &str, file: &[u8], key: &str) -> Reply {
    let (content_type, body) = multipart(&[("kind", kind)], Some(("scan.png", file)));
    let request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/customers/{id}/documents"))
        .header("authorization", format!("Bearer {}", app.operator))
        .header("content-type", content_type)
        .header("idempotency-key", key)
        .body(Body::from(body))
        .unwrap();
    app.raw(request).await
}

/// Uploaded files kept (previews, written beside them, not counted).
fn stored_files(app: &TestApp) -> usize {
    std::fs::read_dir(app.dir.path().join("documents"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_file() && !e.file_name().to_string_lossy().ends_with(".preview.jpg"))
        .count()
}

#[tokio::test]
async fn a_retried_upload_stores_one_document() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let image = picture();
    let first = upload_with_key(&app, &id, "government_id_front", &image, "upload-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let again = upload_with_key(&app, &id, "government_id_front", &image, "upload-1").await;
    assert_eq!((again.status, &again.body), (StatusCode::CREATED, &first.body), "replayed");
    assert_eq!(stored_files(&app), 1, "the retry's bytes were not kept");
    let history = app.get(&format!("/api/v1/customers/{id}/history"), &app.operator).await;
    let uploads = history.body["data"].as_array().unwrap().iter().filter(|e| e["event"] == "document.uploaded").count();
    assert_eq!(uploads, 1);

    let other = picture();
    let reused = upload_with_key(&app, &id, "government_id_front", &other, "upload-1").await;
    assert_eq!((reused.status, reused.code()), (StatusCode::CONFLICT, "idempotency_key_reused"));
    let reused = upload_with_key(&app, &id, "government_id_back", &image, "upload-1").await;
    assert_eq!(reused.code(), "idempotency_key_reused");
    assert_eq!(stored_files(&app), 1);
    let incoming = std::fs::read_dir(app.dir.path().join("documents/.incoming")).unwrap().count();
    assert_eq!(incoming, 0, "refused retries leave no temporary file");
}

#[tokio::test]
async fn retried_decisions_card_actions_and_subscriptions_replay() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    app.activate(&id).await;
    let card = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    let freeze = format!("/api/v1/cards/{}/freeze", card.body["id"].as_str().unwrap());
    let key = [("idempotency-key", "freeze-1")];
    let first = app.send(Method::POST, &freeze, &app.operator, None, &key).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let again = app.send(Method::POST, &freeze, &app.operator, None, &key).await;
    assert_eq!((again.status, &again.body), (StatusCode::OK, &first.body), "a retry is not an invalid transition");
    let unkeyed = app.send(Method::POST, &freeze, &app.operator, None, &[]).await;
    assert_eq!(unkeyed.code(), "invalid_transition");
    let cancel = freeze.replace("freeze", "cancel");
    assert_eq!(app.send(Method::POST, &cancel, &app.operator, None, &key).await.code(), "idempotency_key_reused");

    let hook = json!({"url": "https://hooks.example.com/k", "events": ["card.issued"]});
    let key = [("idempotency-key", "hook-1")];
    let first = app.send(Method::POST, "/api/v1/webhooks", &app.admin, Some(&hook), &key).await;
    let again = app.send(Method::POST, "/api/v1/webhooks", &app.admin, Some(&hook), &key).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.body, first.body, "the replay shows the same secret");
    assert_eq!(app.get("/api/v1/webhooks", &app.admin).await.body["data"].as_array().unwrap().len(), 1);

    // Nothing stored holds the secret in clear: not the webhook row, not the kept response.
    let secret = first.body["secret"].as_str().unwrap();
    if app.db_url.starts_with("sqlite:") {
        let db = std::fs::read(app.dir.path().join("kycard.db")).unwrap();
        let wal = std::fs::read(app.dir.path().join("kycard.db-wal")).unwrap_or_default();
        for bytes in [&db, &wal] {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "secret stored in clear");
        }
    } else {
        let hex = hex::encode(secret);
        for table in ["webhooks", "idempotency_keys"] {
            let clear = format!(
                "SELECT COUNT(*) FROM {table} t WHERE strpos(t::text, '{secret}') > 0 OR strpos(t::text, '{hex}') > 0"
            );
            assert_eq!(app.count(&clear).await, 0, "secret stored in clear in {table}");
        }
    }
}

#[tokio::test]
async fn a_retried_upload_replays_even_after_the_upload_led_to_approval() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    for kind in ["government_id_front", "government_id_back"] {
        app.upload(&id, &[("kind", kind)], Some(("scan.png", &picture()))).await;
    }
    let image = picture();
    let issued = (chrono::Utc::now().date_naive() - chrono::Duration::days(10)).to_string();
    let (content_type, body) =
        multipart(&[("kind", "proof_of_address"), ("issued_on", &issued)], Some(("bill.png", &image)));
    let request = || {
        Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/customers/{id}/documents"))
            .header("authorization", format!("Bearer {}", app.operator))
            .header("content-type", content_type.clone())
            .header("idempotency-key", "last-document")
            .body(Body::from(body.clone()))
            .unwrap()
    };
    let first = app.raw(request()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    app.run_reviews().await;
    assert_eq!(app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body["status"], "active");
    let again = app.raw(request()).await;
    assert_eq!((again.status, &again.body), (StatusCode::CREATED, &first.body), "replayed, not refused");
}

#[tokio::test]
async fn a_retried_reviewer_decision_replays() {
    let app = TestApp::new().await;
    let id = app.in_manual_review().await;
    let uri = format!("/api/v1/customers/{id}/review");
    let key = [("idempotency-key", "decide-1")];
    let approve = json!({"decision": "approve"});
    let first = app.send(Method::POST, &uri, &app.reviewer, Some(&approve), &key).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let again = app.send(Method::POST, &uri, &app.reviewer, Some(&approve), &key).await;
    assert_eq!((again.status, &again.body), (StatusCode::OK, &first.body));
    let reject = json!({"decision": "reject", "flags": [{"target": "field:individual.personal.full_name", "code": "field_incorrect"}]});
    assert_eq!(app.send(Method::POST, &uri, &app.reviewer, Some(&reject), &key).await.code(), "idempotency_key_reused");
}

/// A crash right after a decision committed, before the request's own bookkeeping ran: the
/// retry must replay the decision's answer, not meet the changed state with a 409.
#[tokio::test]
async fn a_decision_interrupted_after_its_commit_replays() {
    use kycard_core::wire::{Actor, ActorKind, Decision, ReviewDecisionRequest, Role};
    use kycard_server::store::{Caller, IdempotencyOutcome};
    use sha2::Digest;

    let app = TestApp::new().await;
    let id = app.in_manual_review().await;
    let request = ReviewDecisionRequest { decision: Decision::Approve, flags: Vec::new() };
    // What the handler does before its work: reserve the key for this exact request.
    let body = serde_json::to_string(&request).unwrap();
    let fingerprint = hex::encode(sha2::Sha256::digest(format!("POST /customers/{id}/review\n{body}").as_bytes()));
    let reserved = app.store.reserve_idempotency(app.org, "decide-crash", &fingerprint).await.unwrap();
    assert!(matches!(reserved, IdempotencyOutcome::Reserved));
    // The work commits; the process dies before anything else.
    let caller = Caller {
        organization_id: app.org,
        sandbox: false,
        role: Role::Reviewer,
        actor: Actor { kind: ActorKind::ApiKey, id: None },
    };
    let unit = kycard_server::unit_of_work::UnitOfWork::new(app.store.clone(), None).keyed(
        "decide-crash".into(),
        kycard_server::http::answer_customer,
        app.vault.clone(),
    );
    let decided = kycard_server::review::manual_decision(&unit, &caller, id.parse().unwrap(), &request).await.unwrap();
    assert_eq!(decided.to_wire().status, Some(kycard_core::status::CustomerStatus::Active));

    let retry = app
        .send(
            Method::POST,
            &format!("/api/v1/customers/{id}/review"),
            &app.reviewer,
            Some(&json!({"decision": "approve"})),
            &[("idempotency-key", "decide-crash")],
        )
        .await;
    assert_eq!(retry.status, StatusCode::OK, "{}", retry.body);
    // The replayed answer is the customer exactly as stored.
    let now = app.get(&format!("/api/v1/customers/{id}"), &app.reviewer).await;
    assert_eq!(retry.body, now.body);
    assert_eq!(retry.body["status"], "active");
}

/// A reservation whose server died without an answer (so nothing freed it) stops holding its
/// key after the lease, instead of refusing every retry until the next start.
#[tokio::test]
async fn a_reservation_left_by_a_dead_server_expires_after_its_lease() {
    use kycard_server::store::{IdempotencyOutcome, RESERVATION_LEASE_SECONDS};

    let app = TestApp::new().await;
    let reserved = app.store.reserve_idempotency(app.org, "orphan", "fingerprint").await.unwrap();
    assert_eq!(reserved, IdempotencyOutcome::Reserved);
    assert_eq!(
        app.store.reserve_idempotency(app.org, "orphan", "fingerprint").await.unwrap(),
        IdempotencyOutcome::InProgress
    );

    // Age the reservation past its lease, as another instance's crash would leave it.
    let then = (chrono::Utc::now() - chrono::Duration::seconds(RESERVATION_LEASE_SECONDS + 1)).to_rfc3339();
    app.execute(&format!("UPDATE idempotency_keys SET created_at = '{then}' WHERE key = 'orphan'")).await;
    let retried = app.store.reserve_idempotency(app.org, "orphan", "fingerprint").await.unwrap();
    assert_eq!(retried, IdempotencyOutcome::Reserved, "the retry takes the key over");

    // An answered key is kept for the whole retention, however old its request.
    let answer = kycard_server::store::StoredResponse { status: 201, body: "{}".into() };
    app.store.complete_idempotency(app.org, "orphan", &answer).await.unwrap();
    let day_ago = (chrono::Utc::now() - chrono::Duration::hours(24)).to_rfc3339();
    app.execute(&format!("UPDATE idempotency_keys SET created_at = '{day_ago}' WHERE key = 'orphan'")).await;
    let replayed = app.store.reserve_idempotency(app.org, "orphan", "fingerprint").await.unwrap();
    assert_eq!(replayed, IdempotencyOutcome::Replay(answer));
}
