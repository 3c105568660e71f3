//! Two `kycard serve` processes on one `PostgreSQL` database, driven alternately, one killed
//! mid-way: idempotency keys, card limits, review jobs and webhook deliveries hold across
//! instances, and an event stream on one instance hears of changes made on the other at once.
//!
//! Runs when `KYCARD_TEST_POSTGRES_URL` names a server (the README's test command starts one).

use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[allow(dead_code)] // not every user of the helper reads every key it noted
#[path = "support/demo.rs"]
mod demo;

#[path = "support/files.rs"]
#[allow(dead_code)]
mod files;

#[allow(dead_code)] // this test writes its own profiles
#[path = "support/onboarding.rs"]
mod onboarding;

#[allow(dead_code)] // the suite-wide choice of backend is not used here
#[path = "support/database.rs"]
mod database;

/// A kycard process, killed when dropped.
struct Instance(demo::Demo);

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.0.child.kill();
        let _ = self.0.child.wait();
    }
}

impl Instance {
    fn start(database_url: &str, data: &std::path::Path, demo_keys: bool) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kycard"));
        command
            .args(["serve", "--addr", "127.0.0.1:0", "--database-url", database_url, "--max-cards-per-customer", "1"])
            .env("KYCARD_DATA_DIR", data)
            .env("RUST_LOG", "warn");
        if demo_keys {
            command.arg("--demo");
        }
        Self(demo::serve(command))
    }

    fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.0.base)
    }
}

/// A Spanish national ID number with its check letter.
fn dni(n: usize) -> String {
    const LETTERS: &[u8] = b"TRWAGMYFPDXBNJZSQVHLCKE";
    let number = 10_000_000 + n;
    format!("{number}{}", char::from(LETTERS[number % 23]))
}

/// A surname made of letters only, different for each `n`.
fn surname(n: usize) -> String {
    let letter = |k: usize| char::from(b'a' + u8::try_from(k % 26).unwrap());
    format!("Gar{}{}{}", letter(n / 676), letter(n / 26), letter(n))
}

fn person(n: usize) -> Value {
    json!({
      "contact": {"email": format!("p{n}+review_approve@example.com"), "phone": format!("+346001{n:05}")},
      "individual_cards": true,
      "individual": {
        "personal": {"full_name": format!("Ana {}", surname(n)), "date_of_birth": "1990-04-01", "gender": "female",
          "address": {"line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013", "country": "ES"}},
        "official_id": {"type": "national_id", "number": dni(n), "issuing_country": "ES",
                        "expires_on": "2031-05-20"},
        "financial": {"occupation": "engineer", "annual_salary_range": "50k_100k",
                      "account_purpose": "everyday_spending", "expected_monthly_volume": "1k_5k"}}})
}

/// A webhook receiver counting deliveries per event id.
async fn receiver() -> (String, Arc<Mutex<HashMap<String, u32>>>) {
    let seen: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    let counts = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: String| {
            let counts = counts.clone();
            async move {
                let event: Value = serde_json::from_str(&body).unwrap_or_default();
                let id = event["id"].as_str().unwrap_or("").to_owned();
                *counts.lock().unwrap().entry(id).or_default() += 1;
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

/// Reads an event stream, noting when each `customer.created` event's customer arrived.
fn listen(http: &reqwest::Client, url: String, key: &str) -> Arc<Mutex<HashMap<String, Instant>>> {
    let arrived: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let noted = arrived.clone();
    let request = http.get(url).bearer_auth(key);
    tokio::spawn(async move {
        use futures_util::StreamExt;
        let mut body = request.send().await.unwrap().bytes_stream();
        let mut text = String::new();
        while let Some(Ok(chunk)) = body.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = text.find("\n\n") {
                let frame: String = text.drain(..end + 2).collect();
                if let Some(data) = frame.lines().find_map(|l| l.strip_prefix("data:"))
                    && let Ok(event) = serde_json::from_str::<Value>(data.trim())
                    && event["type"] == "customer.created"
                {
                    let id = event["data"]["id"].as_str().unwrap_or("").to_owned();
                    noted.lock().unwrap().insert(id, Instant::now());
                }
            }
        }
    });
    arrived
}

async fn create(http: &reqwest::Client, on: &Instance, key: &str, idempotency: &str, body: &Value) -> (u16, Value) {
    let reply = http
        .post(on.api("/customers"))
        .bearer_auth(key)
        .header("idempotency-key", idempotency)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = reply.status().as_u16();
    (status, reply.json().await.unwrap_or_default())
}

async fn get(http: &reqwest::Client, on: &Instance, key: &str, path: &str) -> Value {
    http.get(on.api(path)).bearer_auth(key).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_database_and_survive_the_death_of_one() {
    let Some(server) = database::postgres_server() else {
        eprintln!("skipped: set KYCARD_TEST_POSTGRES_URL (the README's test command does)");
        return;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = database::fresh_postgres(&server).await;
    let dir = tempfile::tempdir().unwrap();
    // One card key and one documents folder for both, as a deployment shares them (the
    // documents would be in an object store).
    let a = Instance::start(&url, dir.path(), true);
    let b = Instance::start(&url, dir.path(), false);
    let operator = a.0.keys["operator"].clone();
    let admin = a.0.keys["admin"].clone();
    let http = reqwest::Client::new();
    let both = [&a, &b];

    // Each instance delivers webhooks; each event must arrive once.
    let (hook, delivered) = receiver().await;
    let created = http
        .post(b.api("/webhooks"))
        .bearer_auth(&admin)
        .json(&json!({"url": hook, "events": ["customer.created"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let stream = listen(&http, a.api("/events"), &operator);
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Created alternately, each retried on the other instance with its key: one customer each.
    let mut customers = Vec::new();
    let mut sent_at = HashMap::new();
    for n in 0..8 {
        let key = format!("create-{n}");
        let (status, first) = create(&http, both[n % 2], &operator, &key, &person(n)).await;
        assert_eq!(status, 201, "{first}");
        let id = first["id"].as_str().unwrap().to_owned();
        sent_at.insert(id.clone(), Instant::now());
        let (again, replayed) = create(&http, both[(n + 1) % 2], &operator, &key, &person(n)).await;
        assert_eq!((again, &replayed["id"]), (201, &first["id"]), "the other instance replays the answer");
        customers.push(id);
    }
    let listed = get(&http, &a, &operator, "/customers?limit=100").await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 8);

    // The stream on A heard of the customers made on B at once, not at its fallback read.
    let deadline = Instant::now() + Duration::from_secs(10);
    while stream.lock().unwrap().len() < customers.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let heard = stream.lock().unwrap().clone();
    let slowest = customers.iter().map(|id| heard[id].duration_since(sent_at[id])).max().unwrap();
    println!("event stream on instance A: slowest of 8 customers (half made on B) after {slowest:?}");
    assert!(slowest < Duration::from_secs(3), "{slowest:?}: announced across instances, not found by polling");

    sign_in_limits_are_shared(&http, [&a, &b]).await;
    reviewed_once_each(&http, [&a, &b], &operator, &customers[..4]).await;
    one_card_whoever_is_asked(&http, [&a, &b], &operator, &customers[..2]).await;

    // Every delivery arrived exactly once, whichever instance sent it.
    let deadline = Instant::now() + Duration::from_secs(20);
    while delivered.lock().unwrap().len() < 8 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let counts = delivered.lock().unwrap().clone();
    assert_eq!(counts.len(), 8, "{counts:?}");
    assert!(counts.values().all(|&n| n == 1), "delivered more than once: {counts:?}");

    the_survivor_completes_what_the_dead_one_left(&http, &a, b, &operator).await;
}

/// Wrong passwords spread over both instances count in one window: the sixth is refused on
/// either.
async fn sign_in_limits_are_shared(http: &reqwest::Client, both: [&Instance; 2]) {
    let attempt = |on: &Instance| {
        http.post(on.api("/session"))
            .json(&json!({"email": "reviewer@demo.kycard.test", "password": "not the password"}))
            .send()
    };
    for n in 0..5 {
        assert_eq!(attempt(both[n % 2]).await.unwrap().status(), 401);
    }
    for on in both {
        assert_eq!(attempt(on).await.unwrap().status(), 429, "the limit holds on both instances");
    }
}

/// Documents uploaded on alternate instances: both review workers compete; each customer is
/// reviewed once.
async fn reviewed_once_each(http: &reqwest::Client, both: [&Instance; 2], operator: &str, customers: &[String]) {
    let (a, b) = (both[0], both[1]);
    for (n, id) in customers.iter().enumerate() {
        onboarding::upload_documents(http, &both[n % 2].api(""), operator, id).await;
    }
    for id in customers {
        let mut status = Value::Null;
        for _ in 0..200 {
            status = get(http, a, operator, &format!("/customers/{id}")).await["status"].clone();
            if status != "pending" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(status, "active", "{id}");
        let history = get(http, b, operator, &format!("/customers/{id}/history")).await;
        let reviews = history["data"].as_array().unwrap().iter().filter(|e| e["event"] == "review.automatic").count();
        assert_eq!(reviews, 1, "one review of {id}: {history}");
    }
}

/// One card per customer at most (`--max-cards-per-customer 1`), asked of both at once.
async fn one_card_whoever_is_asked(http: &reqwest::Client, both: [&Instance; 2], operator: &str, customers: &[String]) {
    let (a, b) = (both[0], both[1]);
    let id = &customers[0];
    let issue = |on: &Instance, key: &str| {
        http.post(on.api(&format!("/customers/{id}/cards")))
            .bearer_auth(operator)
            .header("idempotency-key", key)
            .json(&json!({"type": "virtual"}))
            .send()
    };
    let (first, second) = tokio::join!(issue(a, "card-a"), issue(b, "card-b"));
    let mut statuses = [first.unwrap().status().as_u16(), second.unwrap().status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409], "exactly one card");
    // The same key on both at once: one card, one answer.
    let id = &customers[1];
    let (first, second) = tokio::join!(
        http.post(a.api(&format!("/customers/{id}/cards")))
            .bearer_auth(operator)
            .header("idempotency-key", "card-same")
            .json(&json!({"type": "virtual"}))
            .send(),
        http.post(b.api(&format!("/customers/{id}/cards")))
            .bearer_auth(operator)
            .header("idempotency-key", "card-same")
            .json(&json!({"type": "virtual"}))
            .send()
    );
    let (first, second): (Value, Value) = (first.unwrap().json().await.unwrap(), second.unwrap().json().await.unwrap());
    assert_eq!(first["id"], second["id"], "{first} {second}");
    assert_eq!(get(http, b, operator, &format!("/customers/{id}/cards")).await["data"].as_array().unwrap().len(), 1);
}

/// B dies in the middle of a burst. A serves on; a retry with the same key gives every
/// customer exactly once, whichever instance had it.
async fn the_survivor_completes_what_the_dead_one_left(
    http: &reqwest::Client,
    a: &Instance,
    b: Instance,
    operator: &str,
) {
    let answered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let burst: Vec<_> = (100..130)
        .map(|n| {
            let (http, url, operator) = (http.clone(), b.api("/customers"), operator.to_owned());
            let answered = answered.clone();
            tokio::spawn(async move {
                let reply = http
                    .post(url)
                    .bearer_auth(&operator)
                    .header("idempotency-key", format!("burst-{n}"))
                    .json(&person(n))
                    .send()
                    .await;
                let status = reply.map_or(0, |r| r.status().as_u16());
                answered.fetch_add(usize::from(status == 201), std::sync::atomic::Ordering::SeqCst);
                status
            })
        })
        .collect();
    // Killed once it has answered a few: the rest are in flight or not started.
    let deadline = Instant::now() + Duration::from_secs(10);
    while answered.load(std::sync::atomic::Ordering::SeqCst) < 5 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let mut b = b;
    b.0.child.kill().unwrap();
    b.0.child.wait().unwrap();
    let answered_by_b =
        futures_util::future::join_all(burst).await.into_iter().filter(|s| matches!(s, Ok(201))).count();
    for n in 100..130 {
        let (status, body) = create(http, a, operator, &format!("burst-{n}"), &person(n)).await;
        assert_eq!(status, 201, "burst-{n} after B died: {body}");
    }
    let listed = get(http, a, operator, "/customers?limit=100").await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 8 + 30, "B answered {answered_by_b} of 30 before it died");
    println!("B answered {answered_by_b} of 30 requests before it was killed; A completed the rest once each");
}
