//! HTTP load benchmark with an external load generator (Debian's `wrk`, 2 threads, 64
//! connections, 5 s per scenario) against the release `kycard` binary in its own process.
//!
//! Measures, in one run: a bare axum handler (the ceiling of HTTP on this machine, served
//! from this process), `GET /health`, `GET /customers/{id}` and `POST /customers` (`SQLite`),
//! and a raw single-row `SQLite` insert transaction with kycard's durability settings (the
//! durable-write floor, in process). Prints requests per second, p50 and p99, and the ratios
//! the README reports. Only 127.0.0.1 is contacted; every run is bounded in time.
#![allow(missing_docs)]
// Rates and percentiles of at most millions of samples: float conversions are exact enough.
#![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]

#[allow(dead_code)] // not every user of the helper reads every key it noted
#[path = "../tests/support/demo.rs"]
mod demo;

use serde_json::json;
use std::process::{Child, Command};
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

/// One `wrk` run: requests per second and latency percentiles.
struct Wrk {
    rate: f64,
    p50: Duration,
    p99: Duration,
    errors: u64,
}

fn duration(text: &str) -> Option<Duration> {
    let (number, unit) = text.split_at(text.find(|c: char| c.is_ascii_alphabetic())?);
    let value: f64 = number.parse().ok()?;
    let seconds = match unit {
        "us" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        "m" => value * 60.0,
        _ => return None,
    };
    Some(Duration::from_secs_f64(seconds))
}

/// Runs `wrk` on `url` with extra arguments; panics with its output when it fails.
fn wrk(url: &str, extra: &[&str]) -> Wrk {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{CONNECTIONS}"),
            &format!("-d{}s", DURATION.as_secs()),
            "--latency",
            "--timeout",
            "10s",
        ])
        .args(extra)
        .arg(url)
        .output()
        .expect("wrk runs (cargo xtask bench installs it)");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "wrk failed:\n{text}\n{}", String::from_utf8_lossy(&output.stderr));
    let field = |prefix: &str| text.lines().find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_owned()));
    Wrk {
        rate: field("Requests/sec:").and_then(|v| v.parse().ok()).expect("requests per second"),
        p50: field("50%").and_then(|v| duration(&v)).expect("p50"),
        p99: field("99%").and_then(|v| duration(&v)).expect("p99"),
        errors: field("Non-2xx or 3xx responses:").and_then(|v| v.parse().ok()).unwrap_or(0),
    }
}

fn print(name: &str, rate: f64, p50: Duration, p99: Duration, note: &str) {
    println!(
        "{name:<34} {rate:>9.0} /s   p50 {:>7.2} ms   p99 {:>7.2} ms   {note}",
        p50.as_secs_f64() * 1000.0,
        p99.as_secs_f64() * 1000.0
    );
}

fn print_wrk(name: &str, run: &Wrk) {
    let note = if run.errors > 0 { format!("({} answers not 2xx!)", run.errors) } else { String::new() };
    print(name, run.rate, run.p50, run.p99, &note);
}

/// The release `kycard` binary serving its demo organization; its base URL and operator key.
fn start_kycard(dir: &std::path::Path) -> (Child, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kycard"));
    command.args(["serve", "--demo", "--addr", "127.0.0.1:0"]).env("KYCARD_DATA_DIR", dir).env("RUST_LOG", "warn");
    let demo = demo::start(command);
    (demo.child, demo.base, demo.operator)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    println!(
        "load: wrk -t2 -c{CONNECTIONS}, {} s per scenario, loopback only; server and wrk share the cores\n",
        DURATION.as_secs()
    );

    // The ceiling: a bare handler in this process.
    let bare = axum::Router::new().route("/", axum::routing::get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let bare_url = format!("http://{}/", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, bare).await.expect("serve") });
    let bare = tokio::task::spawn_blocking(move || wrk(&bare_url, &[])).await.expect("wrk");
    print_wrk("bare axum handler (baseline)", &bare);

    let (mut kycard, server, key) = start_kycard(&dir.path().join("data"));
    let customer = json!({
      "contact": {"email": "ana@example.com", "phone": "+34600111222"}, "individual_cards": true,
      "individual": {
        "personal": {"full_name": "Ana María García López", "date_of_birth": "1990-04-01", "gender": "female",
          "address": {"line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013", "country": "ES"}},
        "official_id": {"type": "national_id", "number": "12345678Z", "issuing_country": "ES", "expires_on": "2031-05-20"},
        "financial": {"occupation": "engineer", "annual_salary_range": "50k_100k",
                      "account_purpose": "everyday_spending", "expected_monthly_volume": "1k_5k"}}});
    let _ = rustls::crypto::ring::default_provider().install_default();
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{server}/api/v1/customers"))
        .bearer_auth(&key)
        .json(&customer)
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    let script = dir.path().join("post.lua");
    let body = customer.to_string().replace('\\', "\\\\").replace('\'', "\\'");
    std::fs::write(
        &script,
        format!(
            "wrk.method = 'POST'\nwrk.body = '{body}'\nwrk.headers['Content-Type'] = 'application/json'\nwrk.headers['Authorization'] = 'Bearer {key}'\n"
        ),
    )
    .expect("script");
    let auth = format!("Authorization: Bearer {key}");
    let (health, get, post) = tokio::task::spawn_blocking(move || {
        let health = wrk(&format!("{server}/api/v1/health"), &[]);
        let get = wrk(&format!("{server}/api/v1/customers/{id}"), &["-H", &auth]);
        let post = wrk(&format!("{server}/api/v1/customers"), &["-s", script.to_str().expect("path")]);
        (health, get, post)
    })
    .await
    .expect("wrk");
    print_wrk("GET /health", &health);
    print_wrk("GET /customers/{id}", &get);
    print_wrk("POST /customers (durable, SQLite)", &post);
    let _ = kycard.kill();
    let _ = kycard.wait();

    let raw = raw_insert_baseline(dir.path()).await;
    print(
        "raw SQLite insert (FULL, in process)",
        raw.rate,
        raw.p50,
        raw.p99,
        &format!("({} transactions)", raw.requests),
    );
    println!(
        "\nhealth vs bare handler:       {:.0} %\nget vs health:                {:.0} %   (aim >= 50 %)\ncreate vs raw durable insert: {:.0} %   (aim >= 20 %)",
        100.0 * health.rate / bare.rate,
        100.0 * get.rate / health.rate,
        100.0 * post.rate / raw.rate
    );
}
