//! Documents in an S3-compatible object store (`--documents-url s3://bucket/prefix`), against
//! a local S3 emulator this test starts (`moto[server]` from `PyPI`, installed by `cargo xtask
//! setup` into `.tools/moto`): uploads are put there and recorded, the review reads them,
//! downloads stream from there, an object without its row is swept at start, and `/ready`
//! says when the store is gone.

use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

#[allow(dead_code)] // not every user of the helper reads every key it noted
#[path = "support/demo.rs"]
mod demo;

#[path = "support/files.rs"]
#[allow(dead_code)]
mod files;

#[path = "support/onboarding.rs"]
mod onboarding;

/// The emulator, killed when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn start_moto(http: &reqwest::Client) -> Moto {
    let binary = std::env::var("KYCARD_MOTO_SERVER")
        .unwrap_or_else(|_| format!("{}/../.tools/moto/bin/moto_server", env!("CARGO_MANIFEST_DIR")));
    assert!(std::path::Path::new(&binary).exists(), "no S3 emulator at {binary}: run `cargo xtask setup`");
    let port = free_port();
    let child = Command::new(&binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server starts");
    let moto = Moto { child, endpoint: format!("http://127.0.0.1:{port}") };
    for _ in 0..200 {
        if http.get(&moto.endpoint).send().await.is_ok() {
            return moto;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("moto_server did not answer on port {port}");
}

struct Kycard {
    child: Child,
    base: String,
    operator: String,
}

impl Drop for Kycard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_kycard(data: &std::path::Path, moto: &Moto, url: &str) -> Kycard {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kycard"));
    command
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--documents-url", url])
        .env("KYCARD_DATA_DIR", data)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT", &moto.endpoint)
        .env("AWS_ALLOW_HTTP", "true")
        .env("RUST_LOG", "warn");
    let demo::Demo { child, base, operator, .. } = demo::start(command);
    Kycard { child, base, operator }
}

/// The keys under `prefix` in the emulator's bucket.
async fn keys(http: &reqwest::Client, moto: &Moto, prefix: &str) -> Vec<String> {
    let listing = http
        .get(format!("{}/kycard-docs?list-type=2&prefix={prefix}", moto.endpoint))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    listing.split("<Key>").skip(1).filter_map(|s| s.split("</Key>").next()).map(str::to_owned).collect()
}

/// A customer and its three documents, uploaded: its id, and each document's id and bytes.
async fn customer_with_documents(http: &reqwest::Client, server: &Kycard) -> (String, Vec<(String, Vec<u8>)>) {
    let api = |path: &str| format!("{}/api/v1{path}", server.base);
    let customer: Value = http
        .post(api("/customers"))
        .bearer_auth(&server.operator)
        .json(&onboarding::person("ana+review_approve@example.com"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = customer["id"].as_str().unwrap().to_owned();
    let uploaded = onboarding::upload_documents(http, &api(""), &server.operator, &id).await;
    (id, uploaded)
}

/// The customer's status once it leaves `pending` (or after ten seconds).
async fn final_status(http: &reqwest::Client, server: &Kycard, id: &str) -> String {
    let mut status = String::new();
    for _ in 0..100 {
        let current: Value = http
            .get(format!("{}/api/v1/customers/{id}", server.base))
            .bearer_auth(&server.operator)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        status = current["status"].as_str().unwrap_or("").to_owned();
        if status != "pending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_live_in_an_s3_compatible_store() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let moto = start_moto(&http).await;
    assert!(http.put(format!("{}/kycard-docs", moto.endpoint)).send().await.unwrap().status().is_success());
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = "s3://kycard-docs/tenant-a";
    let server = start_kycard(&data, &moto, url);
    let api = |path: &str| format!("{}/api/v1{path}", server.base);

    let ready: Value = http.get(api("/ready")).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "ready", "{ready}");

    let (id, uploaded) = customer_with_documents(&http, &server).await;
    // Kept in the bucket under the prefix, with the pictures' previews; nothing in the folder.
    let stored = keys(&http, &moto, "tenant-a/").await;
    for (document, _) in &uploaded {
        assert!(stored.contains(&format!("tenant-a/{document}")), "{stored:?}");
    }
    assert_eq!(stored.iter().filter(|k| k.ends_with(".preview.jpg")).count(), 2, "{stored:?}");
    let local: Vec<_> =
        std::fs::read_dir(data.join("documents")).unwrap().flatten().filter(|e| e.path().is_file()).collect();
    assert!(local.is_empty(), "no document files in the data folder");
    assert_eq!(std::fs::read_dir(data.join("documents/.incoming")).unwrap().count(), 0);

    // The review ends (the sandbox tag approves once the documents are read).
    assert_eq!(final_status(&http, &server, &id).await, "active");

    // Downloads come back from the store, intact, with their length.
    for (document, file) in &uploaded {
        let reply = http
            .get(api(&format!("/documents/{document}/content")))
            .bearer_auth(&server.operator)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 200);
        assert_eq!(reply.headers()["content-length"], file.len().to_string().as_str());
        assert_eq!(reply.bytes().await.unwrap().as_ref(), file.as_slice());
    }
    let preview = http
        .get(api(&format!("/documents/{}/preview", uploaded[0].0)))
        .bearer_auth(&server.operator)
        .send()
        .await
        .unwrap();
    assert_eq!(preview.headers()["content-type"], "image/jpeg");
    assert_eq!(&preview.bytes().await.unwrap()[..2], b"\xFF\xD8");

    // An object whose row was never written (a crash between the put and the commit) is
    // removed at the next start; every document keeps its file.
    let orphan = format!("tenant-a/{}", uuid::Uuid::now_v7());
    assert!(
        http.put(format!("{}/kycard-docs/{orphan}", moto.endpoint))
            .body("left over")
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    drop(server);
    let server = start_kycard(&data, &moto, url);
    let stored = keys(&http, &moto, "tenant-a/").await;
    assert!(!stored.contains(&orphan), "{stored:?}");
    assert_eq!(stored.len(), 5, "three documents and two previews: {stored:?}");

    // Without its store the instance is not ready, and says which check failed.
    drop(moto);
    let reply = http.get(format!("{}/api/v1/ready", server.base)).send().await.unwrap();
    assert_eq!(reply.status(), 503);
    let ready: Value = reply.json().await.unwrap();
    assert_eq!(ready["checks"][1]["name"], "documents");
    assert_eq!(ready["checks"][1]["ok"], false);
}

#[test]
fn a_bad_documents_url_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    for (url, message) in [
        ("file:///tmp/docs", "must look like s3://bucket/prefix"),
        ("s3://", "must look like s3://bucket/prefix"),
        ("not a url", "--documents-url"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_kycard"))
            .args(["serve", "--addr", "127.0.0.1:0", "--documents-url", url])
            .env("KYCARD_DATA_DIR", dir.path())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{url}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{url}: {err}");
    }
}
