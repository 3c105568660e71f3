//! Requests cut off at any moment (the client goes away, the time limit strikes) leave no
//! half-written state: an upload aborted anywhere, its commit included, never leaves a
//! document row without its file.

mod support;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use std::time::{Duration, Instant};
use support::files::{document, png_of};
use support::{TestApp, enrolled, multipart};
use tower::ServiceExt;

fn upload_request(app: &TestApp, customer: &str, file: &[u8]) -> Request<Body> {
    keyed_upload_request(app, customer, file, None)
}

fn keyed_upload_request(app: &TestApp, customer: &str, file: &[u8], key: Option<&str>) -> Request<Body> {
    let (content_type, body) = multipart(&[("kind", "government_id_front")], Some(("scan.png", file)));
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/customers/{customer}/documents"))
        .header("authorization", format!("Bearer {}", app.operator))
        .header("content-type", content_type);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.body(Body::from(body)).unwrap()
}

/// Waits `span` without yielding to the runtime, so the abort lands at an exact moment.
fn spin(span: Duration) {
    let start = Instant::now();
    while start.elapsed() < span {
        std::hint::spin_loop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_aborted_at_any_moment_never_leave_a_row_without_its_file() {
    let app = TestApp::new().await;
    let customer = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    // A small picture, so that the commit is a large part of an upload's run.
    let file = png_of(&document(96, 64));
    let started = Instant::now();
    let whole = app.router.clone().oneshot(upload_request(&app, &customer, &file)).await.unwrap();
    assert_eq!(whole.status(), StatusCode::CREATED);
    let one_upload = started.elapsed();

    // Abort uploads at moments spread evenly over an upload's whole run.
    let tries = 200;
    for n in 0..tries {
        let request = app.router.clone().oneshot(upload_request(&app, &customer, &file));
        let task = tokio::spawn(request);
        spin(one_upload * n / tries);
        task.abort();
        let _ = task.await;
    }
    // Work that outlives its request (a commit under way) finishes.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let rows = app.store.all_document_ids().await.unwrap();
    eprintln!("{} of {tries} aborted uploads committed; one upload takes {one_upload:?}", rows.len() - 1);
    let missing: Vec<_> = rows.iter().filter(|id| !app.files.local_path(**id).unwrap().exists()).collect();
    assert!(missing.is_empty(), "{} of {} document rows have no file: {missing:?}", missing.len(), rows.len());
    for id in &rows {
        let download = app.get(&format!("/api/v1/documents/{id}/file"), &app.operator).await;
        assert_ne!(download.status, StatusCode::INTERNAL_SERVER_ERROR);
    }
    let stray = std::fs::read_dir(app.dir.path().join("documents/.incoming")).unwrap().count();
    assert_eq!(stray, 0, "aborted uploads leave no partial file behind");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyed_upload_aborted_at_any_moment_and_retried_is_stored_once() {
    let app = TestApp::new().await;
    let customer = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let file = png_of(&document(96, 64));
    let started = Instant::now();
    let whole = app.router.clone().oneshot(keyed_upload_request(&app, &customer, &file, Some("first"))).await.unwrap();
    assert_eq!(whole.status(), StatusCode::CREATED);
    let one_upload = started.elapsed();

    let tries = 100;
    for n in 0..tries {
        let key = format!("upload-{n}");
        let task = tokio::spawn(app.router.clone().oneshot(keyed_upload_request(&app, &customer, &file, Some(&key))));
        spin(one_upload * n / tries);
        task.abort();
        let _ = task.await;
        // The retry answers as if the first had gone through: never "in use", never twice.
        let retry = app.router.clone().oneshot(keyed_upload_request(&app, &customer, &file, Some(&key))).await.unwrap();
        let status = retry.status();
        let body = axum::body::to_bytes(retry.into_body(), 1 << 16).await.unwrap();
        assert_eq!(status, StatusCode::CREATED, "retry of an upload aborted after {n}/{tries} of its run: {body:?}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rows = app.store.all_document_ids().await.unwrap();
    assert_eq!(rows.len(), 1 + usize::try_from(tries).unwrap(), "one document per key");
    assert!(rows.iter().all(|id| app.files.local_path(*id).unwrap().exists()), "every row has its file");
}
