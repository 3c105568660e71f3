//! Customer search at scale: a page of the list, and searches that match nothing, a common
//! word, one name or a phone number, over `KYCARD_BENCH_CUSTOMERS` customers (default
//! 100,000) of one organization, on `SQLite` and, when `KYCARD_BENCH_POSTGRES_URL` names a
//! server (as `cargo xtask bench` does), on `PostgreSQL`. Each is timed alone and with 16 at
//! once, beside the baseline of the same "matches nothing" search as a scan of the stored
//! terms (how search worked before the trigram index). Calls the storage layer directly:
//! this measures the queries, not HTTP. Release build only (`cargo bench`).
#![allow(missing_docs)]
#![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation, clippy::cast_sign_loss)]

#[allow(dead_code)] // the suite-wide choice of backend is not used here
#[path = "../tests/support/database.rs"]
mod database;

use kycard_core::wire::{ContactData, CustomerData};
use kycard_server::store::{ListFilter, Store};
use sqlx::Connection;
use std::time::{Duration, Instant};
use uuid::Uuid;

const FIRST: &[&str] = &["Ana", "José", "María", "Jürgen", "Zoë", "Li", "Émile", "Siobhán", "Øystein", "Nuño"];
const LAST: &[&str] =
    &["García", "Müller", "Núñez", "O'Brien", "Łukasz", "Smith", "Dubois", "Rossi", "Wang", "Kowalska"];

/// Customer `n`: a generated name, email and phone, as core stores them.
fn customer(n: u64) -> (CustomerData, String) {
    let first = FIRST[(n % 10) as usize];
    let last = LAST[(n / 10 % 10) as usize];
    let email = format!("{}.{}{n}@example.com", first.to_lowercase(), last.to_lowercase());
    let data = CustomerData {
        contact: Some(ContactData { email: Some(email), phone: Some(format!("+346{:08}", n * 7919 % 100_000_000)) }),
        individual_cards: Some(false),
        individual: None,
    };
    let mut terms = kycard_core::search::terms(&data);
    terms = format!("{} {terms}", kycard_core::screening::fold(&format!("{first} {last}")).join(" "));
    (data, terms)
}

/// Loads `count` customers fast (one transaction per 20,000, no fsync): a data generator, not
/// what is measured. The triggers of the schema fill the search index as they would.
async fn load(path: &std::path::Path, organization: Uuid, count: u64) {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Off)
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal);
    let pool = sqlx::SqlitePool::connect_with(options).await.expect("database");
    let now = chrono::Utc::now().to_rfc3339();
    let mut n = 0;
    while n < count {
        let mut tx = pool.begin().await.expect("transaction");
        for _ in 0..20_000.min(count - n) {
            let (data, terms) = customer(n);
            sqlx::query(
                "INSERT INTO customers (id, organization_id, version, created_at, updated_at, data, individual_cards, search) \
                 VALUES (?, ?, 1, ?, ?, ?, 0, ?)",
            )
            .bind(Uuid::now_v7().to_string())
            .bind(organization.to_string())
            .bind(&now)
            .bind(&now)
            .bind(serde_json::to_string(&data).expect("json"))
            .bind(terms)
            .execute(&mut *tx)
            .await
            .expect("insert");
            n += 1;
        }
        tx.commit().await.expect("commit");
    }
    pool.close().await;
}

/// Loads `count` customers into `PostgreSQL` fast (10,000 rows per statement), then has the
/// planner look at them: a data generator, not what is measured.
async fn load_postgres(url: &str, organization: Uuid, count: u64) {
    let pool = sqlx::PgPool::connect(url).await.expect("database");
    let mut n = 0;
    while n < count {
        let batch = 10_000.min(count - n);
        let (mut ids, mut data, mut terms) = (Vec::new(), Vec::new(), Vec::new());
        for k in n..n + batch {
            let (customer, search) = customer(k);
            ids.push(Uuid::now_v7());
            data.push(serde_json::to_string(&customer).expect("json"));
            terms.push(search);
        }
        sqlx::query(
            "INSERT INTO customers (id, organization_id, version, created_at, updated_at, data, individual_cards, search) \
             SELECT id, $1, 1, now(), now(), data::jsonb, false, search \
             FROM UNNEST($2::uuid[], $3::text[], $4::text[]) AS t(id, data, search)",
        )
        .bind(organization)
        .bind(&ids)
        .bind(&data)
        .bind(&terms)
        .execute(&pool)
        .await
        .expect("insert");
        n += batch;
    }
    sqlx::query("ANALYZE customers").execute(&pool).await.expect("analyze");
    pool.close().await;
}

/// The searches the README reports, on `store`; returns the p99 of the one matching nothing.
async fn searches(store: &Store, organization: Uuid, count: u64) -> Duration {
    let runs = 200;
    measure(store, organization, "list page (no search)", None, runs).await;
    let nothing = measure(store, organization, "search matching nothing", Some("zzqxw"), runs).await;
    measure(store, organization, "search a common word (example)", Some("example"), runs).await;
    measure(store, organization, "search a name (nuñez zoe)", Some("nuñez zoe"), runs).await;
    let (_, phone_terms) = customer(count / 2);
    let phone = phone_terms.split(' ').next_back().expect("phone digits").to_owned();
    measure(store, organization, "search a phone (its digits)", Some(&phone), runs).await;
    measure(store, organization, "search a 2-letter word (li)", Some("li"), runs / 4).await;
    nothing
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() as f64 * q) as usize).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Times `runs` list calls with `search`, one at a time, then `runs` more with 16 at once.
async fn measure(store: &Store, organization: Uuid, label: &str, search: Option<&str>, runs: usize) -> Duration {
    let filter =
        ListFilter { status: None, search: search.map(kycard_core::search::query_tokens), limit: 20, before: None };
    let mut alone = Vec::new();
    let mut found = 0;
    for _ in 0..runs {
        let started = Instant::now();
        found = store.list_customers(organization, &filter).await.expect("list").0.len();
        alone.push(started.elapsed());
    }
    alone.sort();
    let started = Instant::now();
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, filter) = (store.clone(), filter.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                for _ in 0..runs.div_ceil(16) {
                    let t = Instant::now();
                    store.list_customers(organization, &filter).await.expect("list");
                    times.push(t.elapsed());
                }
                times
            })
        })
        .collect();
    let mut together = Vec::new();
    for task in tasks {
        together.extend(task.await.expect("task"));
    }
    together.sort();
    let wall = started.elapsed();
    println!(
        "{label:<34} {found:>3} found   alone p50 {:>10} p99 {:>10}   16 at once p50 {:>10} p99 {:>10}   ({:.0}/s)",
        ms(percentile(&alone, 0.5)),
        ms(percentile(&alone, 0.99)),
        ms(percentile(&together, 0.5)),
        ms(percentile(&together, 0.99)),
        together.len() as f64 / wall.as_secs_f64(),
    );
    percentile(&alone, 0.99)
}

#[tokio::main]
async fn main() {
    let count: u64 = std::env::var("KYCARD_BENCH_CUSTOMERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("kycard.db");
    let store = kycard_server::store::open(&format!("sqlite://{}", path.display())).await.expect("database");
    let organization = store.create_organization("bench", "Bench", false).await.expect("organization").id;
    let started = Instant::now();
    load(&path, organization, count).await;
    println!("loaded {count} customers in {:.1} s", started.elapsed().as_secs_f64());

    println!("SQLite:");
    let runs = 200;
    let nothing = searches(&store, organization, count).await;

    // The baseline: the same "matches nothing" search as a scan, in the same run.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", path.display())).await.expect("reader");
    let mut scan = Vec::new();
    for _ in 0..(runs / 10).max(5) {
        let started = Instant::now();
        let rows = sqlx::query(
            "SELECT id FROM customers WHERE organization_id = ? AND search LIKE '%zzqxw%' ORDER BY id DESC LIMIT 21",
        )
        .bind(organization.to_string())
        .fetch_all(&pool)
        .await
        .expect("scan");
        assert!(rows.is_empty());
        scan.push(started.elapsed());
    }
    scan.sort();
    let scan_p99 = percentile(&scan, 0.99);
    println!(
        "baseline: LIKE scan matching nothing  p50 {:>10} p99 {:>10}   ratio to the index p99: {:.0}×",
        ms(percentile(&scan, 0.5)),
        ms(scan_p99),
        scan_p99.as_secs_f64() / nothing.as_secs_f64().max(1e-9)
    );

    let Some(server) = std::env::var("KYCARD_BENCH_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
        println!("PostgreSQL rows skipped: set KYCARD_BENCH_POSTGRES_URL (cargo xtask bench does)");
        return;
    };
    let url = database::fresh_postgres(&server).await;
    let store = kycard_server::store::open(&url).await.expect("database");
    let organization = store.create_organization("bench", "Bench", false).await.expect("organization").id;
    let started = Instant::now();
    load_postgres(&url, organization, count).await;
    println!("\nPostgreSQL: loaded {count} customers in {:.1} s", started.elapsed().as_secs_f64());
    let nothing = searches(&store, organization, count).await;
    // The baseline: the same search read from the table itself, the index switched off.
    let mut scanner = sqlx::PgConnection::connect(&url).await.expect("reader");
    sqlx::raw_sql("SET enable_bitmapscan = off; SET enable_indexscan = off")
        .execute(&mut scanner)
        .await
        .expect("settings");
    let mut scan = Vec::new();
    for _ in 0..(runs / 10).max(5) {
        let started = Instant::now();
        let rows = sqlx::query(
            "SELECT id FROM customers WHERE organization_id = $1 AND search LIKE '%zzqxw%' ORDER BY id DESC LIMIT 21",
        )
        .bind(organization)
        .fetch_all(&mut scanner)
        .await
        .expect("scan");
        assert!(rows.is_empty());
        scan.push(started.elapsed());
    }
    scan.sort();
    let scan_p99 = percentile(&scan, 0.99);
    println!(
        "baseline: scan matching nothing        p50 {:>10} p99 {:>10}   ratio to the index p99: {:.0}×",
        ms(percentile(&scan, 0.5)),
        ms(scan_p99),
        scan_p99.as_secs_f64() / nothing.as_secs_f64().max(1e-9)
    );
}
