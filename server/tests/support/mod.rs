//! A fresh database and router per test, with two organizations and keys for every role.
#![allow(dead_code, missing_docs)]

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use kycard_core::status::{AutomaticOutcome, ReviewEvent};
use kycard_core::wire::{Actor, ActorKind, Role};
use kycard_server::card_vault::CardVault;
use kycard_server::http::{AppState, WebApp, router};
use kycard_server::onboarding;
use kycard_server::store::{Store, now};
use serde_json::{Value, json};
use std::sync::Arc;
use tower::ServiceExt;
use uuid::Uuid;

pub mod database;
pub mod files;
pub use files::picture;

pub struct TestApp {
    pub dir: tempfile::TempDir,
    /// The database's URL (`SQLite` or `PostgreSQL`, see [`database`]).
    pub db_url: String,
    pub store: Store,
    pub vault: Arc<CardVault>,
    pub router: axum::Router,
    pub org: Uuid,
    pub operator: String,
    pub reviewer: String,
    pub admin: String,
    /// Operator key of another organization.
    pub other_operator: String,
    pub files: kycard_server::uploads::DocumentFiles,
    /// The built-in sample list.
    pub watchlist: kycard_server::watchlist::Watchlist,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }
}

impl TestApp {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("index.html"), "<!doctype html><title>kycard</title>").expect("index");
        let db_url = database::url(dir.path()).await;
        let store = kycard_server::store::open(&db_url).await.expect("database");
        let org = store.create_organization("acme", "Acme", false).await.expect("org");
        let other = store.create_organization("globex", "Globex", false).await.expect("org");
        let key = |org, role| {
            let store = store.clone();
            async move { store.create_api_key(org, role, "test").await.expect("key").secret }
        };
        let operator = key(org.id, Role::Operator).await;
        let reviewer = key(org.id, Role::Reviewer).await;
        let admin = key(org.id, Role::Admin).await;
        let other_operator = key(other.id, Role::Operator).await;
        let vault = Arc::new(CardVault::open(&dir.path().join("card.key"), true).expect("vault"));
        let files = kycard_server::uploads::DocumentFiles::new(dir.path()).expect("files");
        let review_wake = Arc::new(tokio::sync::Notify::new());
        let state = AppState {
            store: store.clone(),
            vault: vault.clone(),
            files: files.clone(),
            review_wake,
            sign_in: Arc::new(kycard_server::sign_in::SignInGuard::new(store.clone())),
            streams: Arc::default(),
            behind_proxy: false,
            limits: kycard_server::config::Limits {
                cards_per_customer: 3,
                webhooks_per_organization: 3,
                streams_per_credential: 3,
            },
        };
        let router = router(state, &WebApp::new(dir.path().to_path_buf()));
        let watchlist = kycard_server::watchlist::Watchlist::open(None).expect("sample watchlist");
        Self {
            dir,
            db_url,
            store,
            vault,
            router,
            org: org.id,
            operator,
            reviewer,
            admin,
            other_operator,
            files,
            watchlist,
        }
    }

    /// Runs one statement on the database beside the server's pools, as time or an older
    /// kycard would have changed it. Values are written into `sql` as literals (both
    /// backends read an RFC 3339 string as a time); returns the rows changed.
    pub async fn execute(&self, sql: &str) -> u64 {
        use sqlx::Connection;
        if self.db_url.starts_with("sqlite:") {
            let mut db = sqlx::SqliteConnection::connect(&self.db_url).await.expect("database");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut db)
                .await
                .expect("statement")
                .rows_affected()
        } else {
            let mut db = sqlx::PgConnection::connect(&self.db_url).await.expect("database");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&mut db)
                .await
                .expect("statement")
                .rows_affected()
        }
    }

    /// The number a `SELECT COUNT(*) …` statement answers.
    pub async fn count(&self, sql: &str) -> i64 {
        use sqlx::Connection;
        if self.db_url.starts_with("sqlite:") {
            let mut db = sqlx::SqliteConnection::connect(&self.db_url).await.expect("database");
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut db).await.expect("count")
        } else {
            let mut db = sqlx::PgConnection::connect(&self.db_url).await.expect("database");
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).fetch_one(&mut db).await.expect("count")
        }
    }

    pub async fn raw(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        let body = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).unwrap_or(Value::Null) };
        Reply { status, headers, body }
    }

    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        key: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(uri).header("authorization", format!("Bearer {key}"));
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = match body {
            Some(json) => builder
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(json).expect("json")))
                .expect("request"),
            None => builder.body(Body::empty()).expect("request"),
        };
        self.raw(request).await
    }

    pub async fn get(&self, uri: &str, key: &str) -> Reply {
        self.send(Method::GET, uri, key, None, &[]).await
    }

    pub async fn post(&self, uri: &str, key: &str, body: &Value) -> Reply {
        self.send(Method::POST, uri, key, Some(body), &[]).await
    }

    /// The operator's `PATCH` of `current` (a customer as the API returned it) at its version.
    pub async fn patch_customer(&self, current: &Value, change: &Value) -> Reply {
        let uri = format!("/api/v1/customers/{}", current["id"].as_str().expect("id"));
        let version = current["version"].to_string();
        self.send(Method::PATCH, &uri, &self.operator, Some(change), &[("if-match", &version)]).await
    }

    pub async fn create(&self, body: &Value) -> Value {
        let reply = self.post("/api/v1/customers", &self.operator, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }

    /// Drives a customer to Active the way the review will: documents complete, then an
    /// automatic approval.
    pub async fn activate(&self, id: &str) {
        let id = Uuid::parse_str(id).expect("id");
        let system = Actor { kind: ActorKind::System, id: None };
        let unit = kycard_server::unit_of_work::UnitOfWork::new(self.store.clone(), None);
        for event in
            [ReviewEvent::Submitted { complete: true }, ReviewEvent::AutomaticDecision(AutomaticOutcome::Approve)]
        {
            onboarding::apply_event(&unit, self.org, &system, id, event).await.expect("transition");
        }
    }
}

/// A multipart body with the given text fields and one file part.
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> (String, Vec<u8>) {
    let boundary = "kycard-test-boundary-7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((filename, bytes)) = file {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// Uploads a document as the operator.
    pub async fn upload(&self, customer_id: &str, fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Reply {
        let (content_type, body) = multipart(fields, file);
        let request = Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/customers/{customer_id}/documents"))
            .header("authorization", format!("Bearer {}", self.operator))
            .header("content-type", content_type)
            .body(Body::from(body))
            .expect("request");
        self.raw(request).await
    }

    /// An enrolled customer waiting in the manual queue (a high-risk profile is always
    /// checked by a person): its id.
    pub async fn in_manual_review(&self) -> String {
        let id = self.create(&high_risk()).await["id"].as_str().expect("id").to_owned();
        let issued = (chrono::Utc::now().date_naive() - chrono::Duration::days(10)).to_string();
        for kind in ["government_id_front", "government_id_back", "passport"] {
            self.upload(&id, &[("kind", kind)], Some(("scan.png", &picture()))).await;
        }
        self.upload(&id, &[("kind", "proof_of_address"), ("issued_on", &issued)], Some(("bill.png", &picture()))).await;
        self.run_reviews().await;
        id
    }

    /// Runs the queued automatic reviews now (the worker does this in the server).
    pub async fn run_reviews(&self) {
        for (org, customer) in self.store.review_jobs(now()).await.expect("jobs") {
            kycard_server::review::run_job(&self.store, &self.files, &self.watchlist, org, customer)
                .await
                .expect("review");
        }
    }
}

/// An enrolled national-ID holder expecting to spend above 20,000 a month: high risk, so a
/// passport is required too and a reviewer decides.
pub fn high_risk() -> Value {
    let mut profile = enrolled();
    profile["individual"]["financial"]["expected_monthly_volume"] = json!("above_20k");
    profile
}

/// An enrolled customer whose national ID number no other call returns: the review sends a
/// second customer with the same ID to a reviewer.
pub fn enrolled_unique() -> Value {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(30_000_000);
    let number = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let letter = b"TRWAGMYFPDXBNJZSQVHLCKE"[(number % 23) as usize] as char;
    let mut profile = enrolled();
    profile["individual"]["official_id"]["number"] = json!(format!("{number}{letter}"));
    profile
}

pub fn contact_only() -> Value {
    json!({"contact": {"email": "ana@example.com", "phone": "+34600111222"}, "individual_cards": false})
}

pub fn enrolled() -> Value {
    json!({
      "contact": {"email": "ana@example.com", "phone": "+34600111222"},
      "individual_cards": true,
      "individual": {
        "personal": {"full_name": "Ana María García López", "date_of_birth": "1990-04-01", "gender": "female",
          "address": {"line1": "Calle Mayor 1", "line2": "3ºB", "city": "Madrid", "region": "Madrid",
                      "postal_code": "28013", "country": "ES"}},
        "official_id": {"type": "national_id", "number": "12345678Z", "issuing_country": "ES", "expires_on": "2031-05-20"},
        "financial": {"occupation": "engineer", "annual_salary_range": "50k_100k",
                      "account_purpose": "everyday_spending", "expected_monthly_volume": "1k_5k"}
      }
    })
}
