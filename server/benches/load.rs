//! HTTP load benchmark with an external load generator (Debian's `wrk`, 2 threads, 64
//! connections, 5 s per scenario) against the release `kycard` binary in its own process.
//!
//! Measures, in one run: a bare axum handler (the ceiling of HTTP on this machine, served
//! from this process), `GET /health`, `GET /customers/{id}` and `POST /customers` on
//! `SQLite`, then on `PostgreSQL` with one instance and with two instances on the same
//! database (two `wrk` at once, 32 connections each; when `KYCARD_BENCH_POSTGRES_URL` names a
//! server, as `cargo xtask bench` does), and a raw single-row insert transaction of each
//! engine with kycard's durability settings (the durable-write floor, in process). Prints
//! requests per second, p50 and p99, and the ratios the README reports. Only 127.0.0.1 is
//! contacted; every run is bounded in time.
#![allow(missing_docs)]
// Rates and percentiles of at most millions of samples: float conversions are exact enough.
#![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]

#[allow(dead_code)] // not every user of the helper reads every key it noted
#[path = "../tests/support/demo.rs"]
mod demo;

#[allow(dead_code)] // the suite-wide choice of backend is not used here
#[path = "../tests/support/database.rs"]
mod database;

use serde_json::json;
use std::process::Command;
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

/// The durable-write baseline on `PostgreSQL`: one-row insert transactions (each commit waits
/// for its WAL flush, the server's default), over a pool like kycard's.
async fn raw_postgres_insert_baseline(url: &str) -> Stats {
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(32).connect(url).await.expect("baseline db");
    sqlx::query("CREATE TABLE t (id text PRIMARY KEY, body text NOT NULL)").execute(&pool).await.expect("table");
    drive(move |worker, n| {
        let pool = pool.clone();
        async move {
            let mut tx = pool.begin().await.expect("begin");
            sqlx::query("INSERT INTO t (id, body) VALUES ($1, $2)")
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
    wrk_with(CONNECTIONS, url, extra)
}

/// [`wrk`] with `connections` connections.
fn wrk_with(connections: usize, url: &str, extra: &[&str]) -> Wrk {
    let output = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{connections}"),
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

/// The release `kycard` binary serving its demo organization (with `--demo`) or not, on
/// `database_url` (or `SQLite` in `dir`).
fn start_kycard(dir: &std::path::Path, database_url: Option<&str>, demo_keys: bool) -> demo::Demo {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kycard"));
    command.args(["serve", "--addr", "127.0.0.1:0"]).env("KYCARD_DATA_DIR", dir).env("RUST_LOG", "warn");
    if let Some(url) = database_url {
        command.args(["--database-url", url]);
    }
    if demo_keys {
        command.arg("--demo");
    }
    demo::serve(command)
}

fn customer() -> serde_json::Value {
    json!({
      "contact": {"email": "ana@example.com", "phone": "+34600111222"}, "individual_cards": true,
      "individual": {
        "personal": {"full_name": "Ana María García López", "date_of_birth": "1990-04-01", "gender": "female",
          "address": {"line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013", "country": "ES"}},
        "official_id": {"type": "national_id", "number": "12345678Z", "issuing_country": "ES", "expires_on": "2031-05-20"},
        "financial": {"occupation": "engineer", "annual_salary_range": "50k_100k",
                      "account_purpose": "everyday_spending", "expected_monthly_volume": "1k_5k"}}})
}

/// The three scenarios against `servers` at once (the connections shared out among them):
/// `GET /health`, `GET /customers/{id}` of a customer made first, `POST /customers`. With
/// several servers, the rates add up and the slowest percentiles count.
async fn scenarios(servers: &[String], key: &str, scratch: &std::path::Path) -> [Wrk; 3] {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v1/customers", servers[0]))
        .bearer_auth(key)
        .json(&customer())
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let id = created["id"].as_str().expect("id").to_owned();
    let script = scratch.join("post.lua");
    let body = customer().to_string().replace('\\', "\\\\").replace('\'', "\\'");
    std::fs::write(
        &script,
        format!(
            "wrk.method = 'POST'\nwrk.body = '{body}'\nwrk.headers['Content-Type'] = 'application/json'\nwrk.headers['Authorization'] = 'Bearer {key}'\n"
        ),
    )
    .expect("script");
    let auth = format!("Authorization: Bearer {key}");
    let script = script.to_str().expect("path").to_owned();
    let connections = CONNECTIONS / servers.len();
    let mut results = Vec::new();
    for (path, extra) in [
        ("/api/v1/health".to_owned(), Vec::new()),
        (format!("/api/v1/customers/{id}"), vec!["-H".to_owned(), auth.clone()]),
        ("/api/v1/customers".to_owned(), vec!["-s".to_owned(), script.clone()]),
    ] {
        let runs: Vec<_> = servers
            .iter()
            .map(|server| {
                let (url, extra) = (format!("{server}{path}"), extra.clone());
                std::thread::spawn(move || {
                    let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
                    wrk_with(connections, &url, &extra)
                })
            })
            .collect();
        let runs: Vec<Wrk> = runs.into_iter().map(|run| run.join().expect("wrk")).collect();
        results.push(Wrk {
            rate: runs.iter().map(|r| r.rate).sum(),
            p50: runs.iter().map(|r| r.p50).max().unwrap_or_default(),
            p99: runs.iter().map(|r| r.p99).max().unwrap_or_default(),
            errors: runs.iter().map(|r| r.errors).sum(),
        });
    }
    results.try_into().unwrap_or_else(|_| unreachable!("three scenarios"))
}

fn stop(mut server: demo::Demo) {
    let _ = server.child.kill();
    let _ = server.child.wait();
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

    let sqlite = start_kycard(&dir.path().join("data"), None, true);
    let [health, get, post] = scenarios(std::slice::from_ref(&sqlite.base), &sqlite.operator, dir.path()).await;
    stop(sqlite);
    print_wrk("GET /health (SQLite)", &health);
    print_wrk("GET /customers/{id} (SQLite)", &get);
    print_wrk("POST /customers (durable, SQLite)", &post);
    let raw = raw_insert_baseline(dir.path()).await;
    print(
        "raw SQLite insert (FULL, in process)",
        raw.rate,
        raw.p50,
        raw.p99,
        &format!("({} transactions)", raw.requests),
    );
    println!(
        "\nhealth vs bare handler:       {:.0} %\nget vs health:                {:.0} %   (aim >= 50 %)\ncreate vs raw durable insert: {:.0} %   (aim >= 20 %)\n",
        100.0 * health.rate / bare.rate,
        100.0 * get.rate / health.rate,
        100.0 * post.rate / raw.rate
    );

    let Some(postgres) = std::env::var("KYCARD_BENCH_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
        println!("PostgreSQL rows skipped: set KYCARD_BENCH_POSTGRES_URL (cargo xtask bench does)");
        return;
    };
    let url = database::fresh_postgres(&postgres).await;
    let shared = dir.path().join("shared");
    let one = start_kycard(&shared, Some(&url), true);
    let key = one.operator.clone();
    let [health, get, post] = scenarios(std::slice::from_ref(&one.base), &key, dir.path()).await;
    print_wrk("GET /health (PostgreSQL)", &health);
    print_wrk("GET /customers/{id} (PostgreSQL)", &get);
    print_wrk("POST /customers (PostgreSQL)", &post);
    let two = start_kycard(&shared, Some(&url), false);
    let [health2, get2, post2] = scenarios(&[one.base.clone(), two.base.clone()], &key, dir.path()).await;
    stop(one);
    stop(two);
    print_wrk("GET /health (PostgreSQL, 2 instances)", &health2);
    print_wrk("GET /customers/{id} (PG, 2 instances)", &get2);
    print_wrk("POST /customers (PG, 2 instances)", &post2);
    let raw_pg = raw_postgres_insert_baseline(&database::fresh_postgres(&postgres).await).await;
    print(
        "raw PostgreSQL insert (in process)",
        raw_pg.rate,
        raw_pg.p50,
        raw_pg.p99,
        &format!("({} transactions)", raw_pg.requests),
    );
    println!(
        "\nPostgreSQL, one instance: health {:.0} % of bare, get {:.0} % of health, create {:.0} % of raw insert\n\
         PostgreSQL, two instances: health {:.0} %, get {:.0} %, create {:.0} % of one instance",
        100.0 * health.rate / bare.rate,
        100.0 * get.rate / health.rate,
        100.0 * post.rate / raw_pg.rate,
        100.0 * health2.rate / health.rate,
        100.0 * get2.rate / get.rate,
        100.0 * post2.rate / post.rate
    );
}
