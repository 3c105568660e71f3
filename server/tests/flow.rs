//! The built `kycard` binary over real TCP: the whole onboarding with the background review
//! worker, logs that carry no personal data, and SIGKILLs in the middle of writes that leave
//! no half-written state behind.

mod support;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Server {
    child: Child,
    base: String,
    operator: String,
    reviewer: String,
    admin: String,
    log: std::sync::Arc<std::sync::Mutex<String>>,
}

fn start(data_dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kycard"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--log-format", "json", "--max-cards-per-customer", "20"])
        .arg("--web-dir")
        .arg(data_dir)
        .env("KYCARD_DATA_DIR", data_dir)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kycard serve");
    let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let stderr = child.stderr.take().expect("stderr");
    let sink = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            sink.lock().expect("log").push_str(&(line + "\n"));
        }
    });
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let (mut operator, mut reviewer, mut admin, mut base) =
        (String::new(), String::new(), String::new(), String::new());
    for line in stdout.by_ref() {
        let line = line.expect("line");
        match line.split_whitespace().collect::<Vec<_>>().as_slice() {
            ["operator", key] if key.starts_with("kyc_") => (*key).clone_into(&mut operator),
            ["reviewer", key] if key.starts_with("kyc_") => (*key).clone_into(&mut reviewer),
            ["admin", key] if key.starts_with("kyc_") => (*key).clone_into(&mut admin),
            _ => {}
        }
        if let Some(rest) = line.strip_prefix("kycard is serving on ") {
            rest.split_whitespace().next().unwrap_or("").trim_end_matches('/').clone_into(&mut base);
            break;
        }
    }
    std::thread::spawn(move || for _ in stdout {});
    assert!(!base.is_empty() && !operator.is_empty(), "server did not start:\n{}", log.lock().unwrap());
    Server { child, base, operator, reviewer, admin, log }
}

impl Server {
    fn kill(mut self) -> String {
        let _ = Command::new("kill").args(["-KILL", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        self.log.lock().expect("log").clone()
    }

    fn stop(mut self) -> String {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
        self.log.lock().expect("log").clone()
    }
}

fn client() -> reqwest::Client {
    // The server's reqwest (webhooks) leaves the choice of TLS provider to the program.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("client")
}

const NAME: &str = "Zoë Þórunn Ægisdóttir";
const BIRTH: &str = "1987-03-14";
const ID_NUMBER: &str = "87654321X";
const STREET: &str = "Calle Secreta 42";
const EMAIL: &str = "zoe.private@example.com";

fn profile() -> Value {
    json!({
      "contact": {"email": EMAIL, "phone": "+34611222333"},
      "individual_cards": true,
      "individual": {
        "personal": {"full_name": NAME, "date_of_birth": BIRTH, "gender": "female",
          "address": {"line1": STREET, "city": "Madrid", "postal_code": "28013", "country": "ES"}},
        "official_id": {"type": "national_id", "number": ID_NUMBER, "issuing_country": "ES", "expires_on": "2033-01-31"},
        "financial": {"occupation": "engineer", "annual_salary_range": "50k_100k",
                      "account_purpose": "travel", "expected_monthly_volume": "1k_5k"}
      }
    })
}

async fn upload(http: &reqwest::Client, server: &Server, id: &str, kind: &str) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new()
        .text("kind", kind.to_owned())
        .part("file", reqwest::multipart::Part::bytes(support::picture()).file_name("scan.png"));
    if kind == "proof_of_address" {
        form = form.text("issued_on", (chrono::Utc::now().date_naive() - chrono::Duration::days(3)).to_string());
    }
    http.post(format!("{}/api/v1/customers/{id}/documents", server.base))
        .bearer_auth(&server.operator)
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

/// `GET /api/v1{path}` as the reviewer (who may read everything), parsed.
async fn get_json(http: &reqwest::Client, server: &Server, path: &str) -> Value {
    http.get(format!("{}/api/v1{path}", server.base))
        .bearer_auth(&server.reviewer)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json")
}

async fn customer(http: &reqwest::Client, server: &Server, id: &str) -> Value {
    get_json(http, server, &format!("/customers/{id}")).await
}

/// `POST /customers/{id}/cards` as the operator, with an optional idempotency key.
fn issue_card(http: &reqwest::Client, server: &Server, id: &str, key: Option<String>) -> reqwest::RequestBuilder {
    let request = http
        .post(format!("{}/api/v1/customers/{id}/cards", server.base))
        .bearer_auth(&server.operator)
        .json(&json!({"type": "virtual"}));
    match key {
        Some(key) => request.header("idempotency-key", key),
        None => request,
    }
}

/// A webhook receiver on loopback that keeps every event it is sent.
async fn webhook_receiver() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(event): axum::Json<Value>| async move {
            sink.lock().unwrap().push(event);
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://127.0.0.1:{}/hook", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test]
async fn full_onboarding_over_tcp_with_logs_free_of_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let http = client();
    let (hook_url, received) = webhook_receiver().await;
    let hook = http
        .post(format!("{}/api/v1/webhooks", server.base))
        .bearer_auth(&server.admin)
        .json(&json!({"url": hook_url, "events": ["customer.status_changed", "card.issued"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), 201, "the demo organization is a sandbox: loopback http is allowed");
    let created: Value = http
        .post(format!("{}/api/v1/customers", server.base))
        .bearer_auth(&server.operator)
        .json(&profile())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().expect("created").to_owned();
    // A search by name goes through the query string, which must not reach the logs either.
    let query: String = NAME
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
        .collect();
    let found = http
        .get(format!("{}/api/v1/customers?q={query}", server.base))
        .bearer_auth(&server.operator)
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), 200);
    for kind in ["government_id_front", "government_id_back", "proof_of_address"] {
        assert_eq!(upload(&http, &server, &id, kind).await.status(), 201);
    }
    // The worker decides within a second or two, with no request to wake it beyond the upload.
    let mut status = Value::Null;
    for _ in 0..100 {
        status = customer(&http, &server, &id).await["status"].clone();
        if status != "pending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, "active");
    let card: Value = issue_card(&http, &server, &id, None).send().await.unwrap().json().await.unwrap();
    let last4 = card["last4"].as_str().expect("card issued").to_owned();
    // The server's dispatcher delivers within a few seconds: pending → active, then the card.
    let mut types = Vec::new();
    for _ in 0..100 {
        types = received.lock().unwrap().iter().map(|e| e["type"].as_str().unwrap_or("").to_owned()).collect();
        if types.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(types.contains(&"card.issued".to_owned()), "webhook deliveries: {types:?}");
    assert!(types.contains(&"customer.status_changed".to_owned()), "webhook deliveries: {types:?}");

    let log = server.stop();
    assert!(log.contains("card issued"), "the flow is logged:\n{log}");
    for secret in [NAME, "Zo%C3%AB", BIRTH, ID_NUMBER, STREET, EMAIL, "Calle", "400000"] {
        assert!(!log.contains(secret), "`{secret}` appears in the logs");
    }
    assert!(!log.contains(&format!("\"{last4}\"")) || last4.chars().all(|c| c == '0'), "card digits logged");
}

#[tokio::test]
async fn a_kill_during_an_upload_or_card_issue_leaves_consistent_state() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let http = client();
    let create = |server: &Server| {
        http.post(format!("{}/api/v1/customers", server.base)).bearer_auth(&server.operator).json(&profile()).send()
    };
    let id = create(&server).await.unwrap().json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();

    // A slow upload: half of the file is sent, then the server is killed.
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let stream = tokio_stream_from(rx);
    let part = reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(stream)).file_name("front.png");
    let form = reqwest::multipart::Form::new().text("kind", "government_id_front").part("file", part);
    let url = format!("{}/api/v1/customers/{id}/documents", server.base);
    let key = server.operator.clone();
    let pending = tokio::spawn(async move { client().post(url).bearer_auth(key).multipart(form).send().await });
    tx.send(Ok(support::files::padded(support::picture(), 300_000))).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let incoming = dir.path().join("documents/.incoming");
    assert_eq!(std::fs::read_dir(&incoming).unwrap().count(), 1, "the upload is being written to a temporary file");
    server.kill();
    drop(tx);
    assert!(pending.await.unwrap().is_err(), "the client sees the connection drop");

    let server = start(dir.path());
    assert_eq!(std::fs::read_dir(&incoming).unwrap().count(), 0, "the partial upload is swept at start");
    let stored: Vec<_> =
        std::fs::read_dir(dir.path().join("documents")).unwrap().flatten().filter(|e| e.path().is_file()).collect();
    assert!(stored.is_empty(), "no orphan file");
    let after = customer(&http, &server, &id).await;
    assert_eq!(after["version"], 1, "no half-applied change");
    assert!(after["requirements"].as_array().unwrap().iter().all(|r| r["state"] == "missing"));

    // Many card requests, then a kill: every card that exists has its history line.
    for kind in ["government_id_front", "government_id_back", "proof_of_address"] {
        assert_eq!(upload(&http, &server, &id, kind).await.status(), 201);
    }
    for _ in 0..100 {
        if customer(&http, &server, &id).await["status"] == "active" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let requests: Vec<_> =
        (0..20).map(|i| issue_card(&http, &server, &id, Some(format!("kill-test-{i}"))).send()).collect();
    let racing = tokio::spawn(futures_util::future::join_all(requests));
    tokio::time::sleep(Duration::from_millis(15)).await;
    server.kill();
    let _ = racing.await;

    let server = start(dir.path());
    let cards = get_json(&http, &server, &format!("/customers/{id}/cards")).await;
    let history = get_json(&http, &server, &format!("/customers/{id}/history")).await;
    let issued_lines = history["data"].as_array().unwrap().iter().filter(|e| e["event"] == "card.issued").count();
    assert_eq!(cards["data"].as_array().unwrap().len(), issued_lines, "every stored card has its history line");
    // Retrying every key after the restart gives exactly one card per key: a card committed
    // before the kill is replayed, one that was not is issued now; no reservation is stuck.
    for i in 0..20 {
        let retry = issue_card(&http, &server, &id, Some(format!("kill-test-{i}"))).send().await.unwrap();
        assert_eq!(retry.status(), 201, "key {i}");
    }
    let cards = get_json(&http, &server, &format!("/customers/{id}/cards")).await;
    assert_eq!(cards["data"].as_array().unwrap().len(), 20, "one card per idempotency key");
    server.stop();
}

/// A stream of chunks fed through a channel.
fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
