//! Moving an installation from `SQLite` to `PostgreSQL` with `kycard export` and `kycard
//! import`: exported while the old server runs, imported into a fresh database, then served
//! by a new server that answers every customer, document, card and history line as the old
//! one did, signs the same keys in, and goes on numbering events after the imported ones.
//!
//! Runs when `KYCARD_TEST_POSTGRES_URL` names a server (the README's test command starts one).

use serde_json::{Value, json};
use std::process::{Command, Output};

#[allow(dead_code)] // not every user of the helper reads every key it noted
#[path = "support/demo.rs"]
mod demo;

#[path = "support/files.rs"]
#[allow(dead_code)]
mod files;

#[path = "support/onboarding.rs"]
mod onboarding;

use onboarding::person;

#[allow(dead_code)] // the suite-wide choice of backend is not used here
#[path = "support/database.rs"]
mod database;

struct Server(demo::Demo);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.child.kill();
        let _ = self.0.child.wait();
    }
}

impl Server {
    fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.0.base)
    }
}

fn kycard(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kycard")).args(args).env("RUST_LOG", "warn").output().expect("kycard runs")
}

fn text(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

async fn get(http: &reqwest::Client, server: &Server, key: &str, path: &str) -> Value {
    let reply = http.get(server.api(path)).bearer_auth(key).send().await.unwrap();
    assert!(reply.status().is_success(), "{path}: {}", reply.status());
    reply.json().await.unwrap()
}

/// What a person sees of the installation, to compare before and after the move.
async fn snapshot(http: &reqwest::Client, server: &Server, key: &str, customers: &[String]) -> Vec<Value> {
    let mut seen = Vec::new();
    for id in customers {
        seen.push(get(http, server, key, &format!("/customers/{id}")).await);
        seen.push(get(http, server, key, &format!("/customers/{id}/history")).await);
        seen.push(get(http, server, key, &format!("/customers/{id}/documents")).await);
        seen.push(get(http, server, key, &format!("/customers/{id}/cards")).await);
    }
    seen.push(get(http, server, key, "/customers?q=garcia").await);
    seen
}

/// An Active customer with documents and a card, another awaiting documents, a webhook: the
/// customers' ids, and the documents uploaded with their bytes.
async fn populate(http: &reqwest::Client, server: &Server) -> (Vec<String>, Vec<(String, Vec<u8>)>) {
    let (operator, admin) = (server.0.operator.clone(), server.0.keys["admin"].clone());
    let active: Value = http
        .post(server.api("/customers"))
        .bearer_auth(&operator)
        .json(&person("ana+review_approve@example.com"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let active = active["id"].as_str().unwrap().to_owned();
    let uploaded = onboarding::upload_documents(http, &server.api(""), &operator, &active).await;
    for _ in 0..100 {
        if get(http, server, &operator, &format!("/customers/{active}")).await["status"] == "active" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let card = http
        .post(server.api(&format!("/customers/{active}/cards")))
        .bearer_auth(&operator)
        .json(&json!({"type": "virtual"}))
        .send()
        .await
        .unwrap();
    assert_eq!(card.status(), 201);
    let waiting: Value = http
        .post(server.api("/customers"))
        .bearer_auth(&operator)
        .json(&person("bea@example.com"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let customers = vec![active.clone(), waiting["id"].as_str().unwrap().to_owned()];
    let hook = json!({"url": "https://hooks.example.com/kycard", "events": ["customer.created"]});
    assert_eq!(http.post(server.api("/webhooks")).bearer_auth(&admin).json(&hook).send().await.unwrap().status(), 201);
    (customers, uploaded)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_installation_moves_from_sqlite_to_postgresql_with_its_documents() {
    let Some(postgres) = database::postgres_server() else {
        eprintln!("skipped: set KYCARD_TEST_POSTGRES_URL (the README's test command does)");
        return;
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (old_data, new_data, export) = (dir.path().join("old"), dir.path().join("new"), dir.path().join("export"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_kycard"));
    command
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .env("KYCARD_DATA_DIR", &old_data)
        .env("RUST_LOG", "warn");
    let old = Server(demo::start(command));
    let (operator, admin) = (old.0.operator.clone(), old.0.keys["admin"].clone());
    let http = reqwest::Client::new();

    let (customers, uploaded) = populate(&http, &old).await;
    let before = snapshot(&http, &old, &operator, &customers).await;

    // Exported while the old server runs.
    let old_dir = old_data.to_str().unwrap();
    let exported = kycard(&["export", "--to", export.to_str().unwrap(), "--data-dir", old_dir]);
    assert!(exported.status.success(), "{}", text(&exported));
    assert!(text(&exported).contains("exported 2 customers and 3 documents"), "{}", text(&exported));
    let again = kycard(&["export", "--to", export.to_str().unwrap(), "--data-dir", old_dir]);
    assert!(!again.status.success() && text(&again).contains("not empty"), "{}", text(&again));
    drop(old);

    // Refused: not an export, or no PostgreSQL to load into.
    let url = database::fresh_postgres(&postgres).await;
    let new_dir = new_data.to_str().unwrap();
    let not_export = kycard(&["import", "--from", old_dir, "--database-url", &url, "--data-dir", new_dir]);
    assert!(text(&not_export).contains("is not a kycard export"), "{}", text(&not_export));
    let no_target = kycard(&["import", "--from", export.to_str().unwrap(), "--data-dir", new_dir]);
    assert!(text(&no_target).contains("give --database-url postgres://"), "{}", text(&no_target));

    let imported =
        kycard(&["import", "--from", export.to_str().unwrap(), "--database-url", &url, "--data-dir", new_dir]);
    assert!(imported.status.success(), "{}", text(&imported));
    assert!(text(&imported).contains("imported 2 customers and 3 documents"), "{}", text(&imported));
    let twice = kycard(&["import", "--from", export.to_str().unwrap(), "--database-url", &url, "--data-dir", new_dir]);
    assert!(text(&twice).contains("already holds organizations"), "{}", text(&twice));

    // The new server answers as the old one did, with the same keys and the same card key.
    let card_key = old_data.join("card-number.key");
    let mut command = Command::new(env!("CARGO_BIN_EXE_kycard"));
    command
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", &url, "--card-key-file"])
        .arg(&card_key)
        .env("KYCARD_DATA_DIR", &new_data)
        .env("RUST_LOG", "warn");
    let new = Server(demo::serve(command));
    assert_eq!(snapshot(&http, &new, &operator, &customers).await, before);
    for (id, bytes) in &uploaded {
        let content =
            http.get(new.api(&format!("/documents/{id}/content"))).bearer_auth(&operator).send().await.unwrap();
        assert_eq!(content.bytes().await.unwrap().as_ref(), bytes.as_slice(), "document {id}");
    }
    let webhooks = get(&http, &new, &admin, "/webhooks").await;
    assert_eq!(webhooks["data"][0]["url"], "https://hooks.example.com/kycard");
    // A new change is numbered after the imported ones (a number taken again would fail the
    // history's primary key, and the create with it).
    let changed =
        http.post(new.api("/customers")).bearer_auth(&operator).json(&person("cai@example.com")).send().await.unwrap();
    assert_eq!(changed.status(), 201);
}
