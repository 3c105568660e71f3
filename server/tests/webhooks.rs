//! Webhooks: admin-only endpoints scoped to the organization, URL rules, signed deliveries to a
//! real receiver on a loopback socket, retries with backoff, and the deliveries log.

mod support;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use hmac::{Hmac, Mac};
use kycard_core::wire::Role;
use kycard_server::store::{Change, Committed, Step, now};
use kycard_server::webhooks::Dispatcher;
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use support::{TestApp, contact_only};

/// A webhook receiver on 127.0.0.1 that answers 503 to its first `failures` requests.
#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    failures: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(failures: usize) -> (Self, String) {
        let receiver = Self { failures: Arc::new(AtomicUsize::new(failures)), ..Self::default() };
        let app = axum::Router::new()
            .route(
                "/hook",
                axum::routing::post(|State(r): State<Receiver>, headers: HeaderMap, body: String| async move {
                    r.seen.lock().unwrap().push((headers, body));
                    let fail =
                        r.failures.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
                    if fail { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::NO_CONTENT }
                }),
            )
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (receiver, url)
    }

    fn requests(&self) -> Vec<(HeaderMap, String)> {
        self.seen.lock().unwrap().clone()
    }
}

/// A sandbox organization with an admin and an operator key.
async fn sandbox(app: &TestApp) -> (String, String) {
    let org = app.store.create_organization("play", "Play", true).await.unwrap();
    let admin = app.store.create_api_key(org.id, Role::Admin, "test").await.unwrap().secret;
    let operator = app.store.create_api_key(org.id, Role::Operator, "test").await.unwrap().secret;
    (admin, operator)
}

fn verify(secret: &str, headers: &HeaderMap, body: &str) {
    let header = headers["kycard-signature"].to_str().unwrap();
    let (t, v1) = header.split_once(',').unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let v1 = v1.strip_prefix("v1=").unwrap();
    let age = now().timestamp() - t.parse::<i64>().unwrap();
    assert!((0..300).contains(&age), "timestamp is current");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    assert_eq!(v1, hex::encode(mac.finalize().into_bytes()), "signature");
}

#[tokio::test]
async fn webhooks_are_for_admins_of_their_own_organization() {
    let app = TestApp::new().await;
    let body = json!({"url": "https://hooks.example.com/kycard", "events": ["customer.status_changed"]});
    assert_eq!(app.post("/api/v1/webhooks", &app.operator, &body).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/webhooks", &app.reviewer).await.status, StatusCode::FORBIDDEN);

    let created = app.post("/api/v1/webhooks", &app.admin, &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(created.body["url"], "https://hooks.example.com/kycard");
    let id = created.body["id"].as_str().unwrap().to_owned();

    let listed = app.get("/api/v1/webhooks", &app.admin).await;
    assert_eq!(listed.body["data"][0]["id"], id.as_str());
    assert!(listed.body["data"][0].get("secret").is_none(), "the secret is shown once");

    let other_org = app.store.organization_by_slug("globex").await.unwrap().unwrap();
    let other_admin = app.store.create_api_key(other_org.id, Role::Admin, "test").await.unwrap().secret;
    assert_eq!(app.get("/api/v1/webhooks", &other_admin).await.body["data"], json!([]));
    let deliveries = format!("/api/v1/webhooks/{id}/deliveries");
    assert_eq!(app.get(&deliveries, &other_admin).await.status, StatusCode::NOT_FOUND);
    let one = format!("/api/v1/webhooks/{id}");
    assert_eq!(app.send(Method::DELETE, &one, &other_admin, None, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.send(Method::DELETE, &one, &app.operator, None, &[]).await.status, StatusCode::FORBIDDEN);

    assert_eq!(app.get(&deliveries, &app.admin).await.body["data"], json!([]));
    assert_eq!(app.get(&format!("{deliveries}?limit=0"), &app.admin).await.code(), "malformed_request");
    assert_eq!(app.get(&format!("{deliveries}?limit=x"), &app.admin).await.code(), "malformed_request");
    assert_eq!(app.get(&format!("{deliveries}?limit=101"), &app.admin).await.code(), "malformed_request");
    assert_eq!(app.get(&format!("{deliveries}?page=2"), &app.admin).await.code(), "malformed_request");
    assert_eq!(app.send(Method::DELETE, &one, &app.admin, None, &[]).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.send(Method::DELETE, &one, &app.admin, None, &[]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&deliveries, &app.admin).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/v1/webhooks/not-a-uuid/deliveries", &app.admin).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_subscriptions_get_field_errors() {
    let app = TestApp::new().await;
    let cases = [
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY, vec![("url", "required"), ("events", "required")]),
        (
            json!({"url": "http://127.0.0.1:9/hook", "events": ["card.issued"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("url", "not_allowed")],
        ),
        (
            json!({"url": "https://169.254.169.254/latest/meta-data", "events": ["card.issued"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("url", "not_allowed")],
        ),
        (
            json!({"url": format!("https://example.com/{}", "é".repeat(500_000)), "events": ["card.issued"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("url", "too_long")],
        ),
        (
            json!({"url": "https://example.com/", "events": ["card.issued", "käse.🧀"]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("events.1", "invalid_choice")],
        ),
        (
            json!({"url": "https://example.com/", "events": []}),
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![("events", "required")],
        ),
        (json!({"url": 5, "events": ["card.issued"]}), StatusCode::BAD_REQUEST, vec![]),
        (json!({"url": "https://example.com/", "events": "card.issued"}), StatusCode::BAD_REQUEST, vec![]),
        (
            json!({"url": "https://example.com/", "events": ["card.issued"], "secret": "x"}),
            StatusCode::BAD_REQUEST,
            vec![],
        ),
    ];
    for (body, status, fields) in cases {
        let reply = app.post("/api/v1/webhooks", &app.admin, &body).await;
        assert_eq!(reply.status, status, "{}", reply.body);
        let got: Vec<(String, String)> = reply.body["error"]["fields"]
            .as_array()
            .map(|f| {
                f.iter().map(|e| (e["path"].as_str().unwrap().into(), e["code"].as_str().unwrap().into())).collect()
            })
            .unwrap_or_default();
        let want: Vec<(String, String)> = fields.iter().map(|(p, c)| ((*p).into(), (*c).into())).collect();
        assert_eq!(got, want, "{body}");
    }
    assert_eq!(app.get("/api/v1/webhooks", &app.admin).await.body["data"], json!([]), "nothing was stored");
}

#[tokio::test]
async fn deliveries_are_signed_retried_with_backoff_and_logged() {
    let app = TestApp::new().await;
    let (admin, operator) = sandbox(&app).await;
    let (receiver, url) = Receiver::start(1).await;
    let dispatcher = Dispatcher::new(app.store.clone(), app.vault.clone()).unwrap();

    let before = app.post("/api/v1/customers", &operator, &contact_only()).await;
    let created = app.post("/api/v1/webhooks", &admin, &json!({"url": url, "events": ["customer.created"]})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    let deliveries = format!("/api/v1/webhooks/{}/deliveries", created.body["id"].as_str().unwrap());

    let mut body = contact_only();
    body["contact"]["email"] = json!("bea@example.com");
    let customer = app.post("/api/v1/customers", &operator, &body).await.body;
    let patch = json!({"contact": {"phone": "+34600999888"}});
    let version = format!("\"{}\"", customer["version"]);
    let customer_path = format!("/api/v1/customers/{}", customer["id"].as_str().unwrap());
    let patched = app.send(Method::PATCH, &customer_path, &operator, Some(&patch), &[("if-match", &version)]).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);

    assert_eq!(dispatcher.queue_new_events().await.unwrap(), 1, "only the subscribed event after subscribing");
    assert_eq!(dispatcher.queue_new_events().await.unwrap(), 0, "queued once");
    let start = now();
    assert_eq!(dispatcher.send_due(start).await.unwrap(), 1);

    let log = app.get(&deliveries, &admin).await.body;
    let delivery = &log["data"][0];
    assert_eq!(delivery["status"], "pending");
    assert_eq!(delivery["event_type"], "customer.created");
    assert_eq!(delivery["attempts"][0]["status_code"], 503);
    let next = chrono::DateTime::parse_from_rfc3339(delivery["next_attempt_at"].as_str().unwrap()).unwrap();
    let wait = next.signed_duration_since(start).num_milliseconds();
    assert!((5_000..6_000).contains(&wait), "first retry after 5 s, was {wait} ms");

    assert_eq!(dispatcher.send_due(now()).await.unwrap(), 0, "not due yet");
    assert_eq!(dispatcher.send_due(start + chrono::Duration::seconds(6)).await.unwrap(), 1);
    let log = app.get(&deliveries, &admin).await.body;
    let delivery = &log["data"][0];
    assert_eq!(delivery["status"], "succeeded");
    assert_eq!(delivery["attempts"][1]["status_code"], 204);
    assert!(delivery.get("next_attempt_at").is_none());

    let requests = receiver.requests();
    assert_eq!(requests.len(), 2);
    for (headers, raw) in &requests {
        verify(&secret, headers, raw);
        let event: Value = serde_json::from_str(raw).unwrap();
        assert_eq!(event["type"], "customer.created");
        assert_eq!(event["id"], delivery["event_id"]);
        assert_eq!(event["data"]["id"], customer["id"]);
        assert_ne!(event["data"]["id"], before.body["id"]);
    }
    assert_eq!(dispatcher.send_due(start + chrono::Duration::hours(2)).await.unwrap(), 0, "delivered once");
}

#[tokio::test]
async fn unreachable_receivers_are_recorded_and_private_addresses_are_never_contacted() {
    let app = TestApp::new().await;
    let (admin, operator) = sandbox(&app).await;
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let created = app
        .post(
            "/api/v1/webhooks",
            &admin,
            &json!({"url": format!("http://localhost:{port}/"), "events": ["customer.created"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    // A production organization's webhook whose host name resolves to loopback: stored
    // directly, because the API refuses the URL; the dispatcher must refuse it too.
    let (receiver, url) = Receiver::start(0).await;
    let mut direct = Vec::new();
    for target in [url.replace("127.0.0.1", "localhost"), url.clone()] {
        let id = uuid::Uuid::now_v7();
        let webhook = kycard_core::wire::Webhook {
            id,
            url: target,
            events: vec![kycard_core::wire::EventType::CustomerCreated],
            secret: None,
            created_at: now(),
        };
        let step = Step::InsertWebhook { webhook, secret_sealed: app.vault.seal(b"whsec_x", id).unwrap() };
        assert_eq!(app.store.commit(&Change::new(app.org).with(step)).await.unwrap(), Committed::Done);
        direct.push(id);
    }

    app.post("/api/v1/customers", &operator, &contact_only()).await;
    app.create(&contact_only()).await;
    let dispatcher = Dispatcher::new(app.store.clone(), app.vault.clone()).unwrap();
    assert_eq!(dispatcher.queue_new_events().await.unwrap(), 3);
    assert_eq!(dispatcher.send_due(now()).await.unwrap(), 3);

    let log = app.get(&format!("/api/v1/webhooks/{}/deliveries", created.body["id"].as_str().unwrap()), &admin).await;
    let attempt = &log.body["data"][0]["attempts"][0];
    assert_eq!(attempt["error"], "could not connect", "{}", log.body);
    assert!(attempt.get("status_code").is_none());
    assert_eq!(log.body["data"][0]["status"], "pending");

    for id in direct {
        let log = app.get(&format!("/api/v1/webhooks/{id}/deliveries"), &app.admin).await;
        assert_eq!(log.body["data"][0]["status"], "pending", "{}", log.body);
        assert!(log.body["data"][0]["attempts"][0]["error"].is_string());
    }
    assert!(receiver.requests().is_empty(), "loopback was never contacted for a production organization");
}

#[tokio::test]
async fn an_organization_has_at_most_the_configured_webhooks() {
    let app = TestApp::new().await;
    let body = json!({"url": "https://hooks.example.com/kycard", "events": ["customer.status_changed"]});
    let mut ids = Vec::new();
    for _ in 0..3 {
        let created = app.post("/api/v1/webhooks", &app.admin, &body).await;
        assert_eq!(created.status, StatusCode::CREATED);
        ids.push(created.body["id"].as_str().unwrap().to_owned());
    }
    // The test server allows 3.
    let refused = app.post("/api/v1/webhooks", &app.admin, &body).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "webhook_limit_reached"));
    let one = format!("/api/v1/webhooks/{}", ids[0]);
    assert_eq!(app.send(Method::DELETE, &one, &app.admin, None, &[]).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.post("/api/v1/webhooks", &app.admin, &body).await.status, StatusCode::CREATED);
}

/// A receiver that accepts connections and never answers; returns its URL.
async fn silent_receiver() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endpoints_that_never_answer_do_not_delay_another_organizations_deliveries() {
    use kycard_core::wire::{Actor, ActorKind, CreateWebhookRequest};
    use kycard_server::store::Caller;

    let app = TestApp::new().await;
    // A sandbox organization with 20 endpoints that never answer, and a backlog for each.
    let noisy = app.store.create_organization("noisy", "Noisy", true).await.unwrap();
    let noisy_operator = app.store.create_api_key(noisy.id, Role::Operator, "test").await.unwrap().secret;
    let admin = |organization_id| Caller {
        organization_id,
        sandbox: true,
        role: Role::Admin,
        actor: Actor { kind: ActorKind::ApiKey, id: None },
    };
    let silent = silent_receiver().await;
    for _ in 0..20 {
        let request =
            CreateWebhookRequest { url: Some(silent.clone()), events: Some(vec!["customer.created".to_owned()]) };
        let unit = kycard_server::unit_of_work::UnitOfWork::new(app.store.clone(), None);
        kycard_server::webhooks::create_webhook(&unit, &app.vault, &admin(noisy.id), &request, 100).await.unwrap();
    }
    for n in 0..10 {
        let mut body = contact_only();
        body["contact"]["email"] = json!(format!("noisy{n}@example.com"));
        assert_eq!(app.post("/api/v1/customers", &noisy_operator, &body).await.status, StatusCode::CREATED);
    }
    // Another sandbox organization with one endpoint that answers at once.
    let (admin_key, operator) = sandbox(&app).await;
    let (receiver, url) = Receiver::start(0).await;
    let created = app.post("/api/v1/webhooks", &admin_key, &json!({"url": url, "events": ["customer.created"]})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);

    let dispatcher = Dispatcher::new(app.store.clone(), app.vault.clone()).unwrap().spawn();
    // Let the 200 silent deliveries start and hang.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let sent = std::time::Instant::now();
    assert_eq!(app.post("/api/v1/customers", &operator, &contact_only()).await.status, StatusCode::CREATED);
    while receiver.requests().is_empty() && sent.elapsed() < std::time::Duration::from_secs(15) {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let waited = sent.elapsed();
    dispatcher.abort();
    assert_eq!(receiver.requests().len(), 1, "the quiet organization's delivery arrived");
    assert!(
        waited < std::time::Duration::from_secs(5),
        "it waited {waited:?} behind another organization's silent endpoints"
    );
}

#[tokio::test]
async fn a_renewal_notice_reaches_a_subscribed_webhook() {
    use kycard_core::status::{AutomaticOutcome, ReviewEvent};
    use kycard_core::wire::{Actor, ActorKind};

    let app = TestApp::new().await;
    let (admin, operator) = sandbox(&app).await;
    let org = app.store.organization_by_slug("play").await.unwrap().unwrap().id;
    let (receiver, url) = Receiver::start(0).await;
    let created =
        app.post("/api/v1/webhooks", &admin, &json!({"url": url, "events": ["customer.renewal_required"]})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let secret = created.body["secret"].as_str().unwrap().to_owned();

    // An Active customer whose ID expires in 20 days.
    let today = chrono::Utc::now().date_naive();
    let mut profile = support::enrolled();
    profile["individual"]["official_id"]["expires_on"] = json!((today + chrono::Duration::days(20)).to_string());
    let customer = app.post("/api/v1/customers", &operator, &profile).await.body;
    let id = uuid::Uuid::parse_str(customer["id"].as_str().unwrap()).unwrap();
    let system = Actor { kind: ActorKind::System, id: None };
    let unit = kycard_server::unit_of_work::UnitOfWork::new(app.store.clone(), None);
    for event in [ReviewEvent::Submitted { complete: true }, ReviewEvent::AutomaticDecision(AutomaticOutcome::Approve)]
    {
        kycard_server::onboarding::apply_event(&unit, org, &system, id, event).await.unwrap();
    }

    assert_eq!(kycard_server::renewals::notify_due(&app.store, today).await.unwrap(), 1);
    let dispatcher = Dispatcher::new(app.store.clone(), app.vault.clone()).unwrap();
    assert_eq!(dispatcher.queue_new_events().await.unwrap(), 1, "only the renewal: the webhook wants nothing else");
    assert_eq!(dispatcher.send_due(now()).await.unwrap(), 1);
    let requests = receiver.requests();
    assert_eq!(requests.len(), 1);
    let (headers, body) = &requests[0];
    verify(&secret, headers, body);
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["type"], "customer.renewal_required");
    assert_eq!(event["data"]["id"], id.to_string());
    assert_eq!(event["data"]["renewal"]["expired"], false, "{event}");
}
