//! HTTP load benchmark: the real router on loopback, driven by 64 concurrent connections.
//!
//! Measures, in one run: `GET /health`, `GET /customers/{id}`, `POST /customers`, and a raw
//! single-row `SQLite` insert transaction with the same durability settings as the durable-write
//! baseline. Prints requests per second, p50 and p99, and the ratios the README reports.
//! Only 127.0.0.1 is contacted; every loop is bounded in time.
#![allow(missing_docs)]
// Rates and percentiles of at most millions of samples: float conversions are exact enough.
#![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]

use kycard_core::wire::Role;
use kycard_server::card_vault::CardVault;
use kycard_server::http::{AppState, WebApp, router};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 64;
const DURATION: Duration = Duration::from_secs(5);

struct Stats {
    requests: usize,
    rate: f64,
    p50: Duration,
    p99: Duration,
}

fn stats(mut latencies: Vec<Duration>, elapsed: Duration) -> Stats {
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Stats {
        requests: latencies.len(),
        rate: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// Runs `operation(worker, n)` from `CONNECTIONS` concurrent workers for `DURATION`, timing
/// each call.
async fn drive<F, Fut>(operation: F) -> Stats
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let operation = Arc::new(operation);
    let started = Instant::now();
    let workers: Vec<_> = (0..CONNECTIONS)
        .map(|worker| {
            let operation = operation.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while started.elapsed() < DURATION {
                    let t = Instant::now();
                    operation(worker, latencies.len()).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for worker in workers {
        all.extend(worker.await.expect("worker"));
    }
    stats(all, started.elapsed())
}

/// HTTP requests made by `make_request`; every answer must have status `expect`.
async fn load<F, Fut>(make_request: F, expect: u16) -> Stats
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send,
{
    let make_request = Arc::new(make_request);
    drive(move |_, _| {
        let make_request = make_request.clone();
        async move {
            let response = make_request().await.expect("request");
            assert_eq!(response.status().as_u16(), expect, "unexpected status");
            let _ = response.bytes().await;
        }
    })
    .await
}

/// The durable-write baseline: one-row insert transactions with kycard's `SQLite` settings.
async fn raw_insert_baseline(dir: &std::path::Path) -> Stats {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
    let options = SqliteConnectOptions::new()
        .filename(dir.join("baseline.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await.expect("baseline db");
    sqlx::query("CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT NOT NULL)").execute(&pool).await.expect("table");
    drive(move |worker, n| {
        let pool = pool.clone();
        async move {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query("INSERT INTO t (id, body) VALUES (?, ?)")
                .bind(format!("{worker}-{n}"))
                .bind("x".repeat(600))
                .execute(&mut *tx)
                .await
                .expect("insert");
            tx.commit().await.expect("commit");
        }
    })
    .await
}

fn print(name: &str, s: &Stats) {
    println!(
        "{name:<28} {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms   ({} requests)",
        s.rate,
        s.p50.as_secs_f64() * 1000.0,
        s.p99.as_secs_f64() * 1000.0,
        s.requests
    );
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store =
        kycard_server::store::open(&format!("sqlite://{}", dir.path().join("kycard.db").display())).await.expect("db");
    let org = store.create_organization("bench", "Bench", false).await.expect("org");
    let key = store.create_api_key(org.id, Role::Operator, "bench").await.expect("key").secret;
    let state = AppState {
        store: store.clone(),
        vault: Arc::new(CardVault::open(&dir.path().join("card.key"), true).expect("vault")),
        files: kycard_server::uploads::DocumentFiles::new(dir.path()).expect("files"),
        review_wake: Arc::default(),
        sign_in: Arc::default(),
        streams: Arc::default(),
        behind_proxy: false,
        limits: kycard_server::config::Limits::default(),
    };
    let app = router(state, &WebApp::new(dir.path().to_path_buf()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build().expect("client");
    let customer = json!({
      "contact": {"email": "ana@example.com", "phone": "+34600111222"}, "individual_cards": true,
      "individual": {
        "personal": {"full_name": "Ana María García López", "date_of_birth": "1990-04-01", "gender": "female",
          "address": {"line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013", "country": "ES"}},
        "official_id": {"type": "national_id", "number": "12345678Z", "issuing_country": "ES", "expires_on": "2031-05-20"},
        "financial": {"occupation": "engineer", "annual_salary_range": "50k_100k",
                      "account_purpose": "everyday_spending", "expected_monthly_volume": "1k_5k"}}});
    let created: serde_json::Value = http
        .post(format!("{base}/api/v1/customers"))
        .bearer_auth(&key)
        .json(&customer)
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id").to_owned();

    println!("load: {CONNECTIONS} connections, {} s per scenario, loopback only\n", DURATION.as_secs());
    let (h, b) = (http.clone(), base.clone());
    let health = load(move || h.get(format!("{b}/api/v1/health")).send(), 200).await;
    print("GET /health", &health);
    let (h, b, k) = (http.clone(), base.clone(), key.clone());
    let get = load(move || h.get(format!("{b}/api/v1/customers/{id}")).bearer_auth(&k).send(), 200).await;
    print("GET /customers/{id}", &get);
    let (h, b, k) = (http.clone(), base.clone(), key.clone());
    let post = load(move || h.post(format!("{b}/api/v1/customers")).bearer_auth(&k).json(&customer).send(), 201).await;
    print("POST /customers", &post);
    let raw = raw_insert_baseline(dir.path()).await;
    print("raw SQLite insert (FULL)", &raw);
    println!(
        "\ncreate vs raw durable insert: {:.0} %   (aim >= 20 %)\nget vs health:                {:.0} %   (aim >= 50 %)",
        100.0 * post.rate / raw.rate,
        100.0 * get.rate / health.rate
    );
}
