//! Documents and the review lifecycle through the router: uploads and their bad inputs, the
//! automatic review, rejection and resubmission, the manual queue, history and downloads.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::StreamExt;
use serde_json::json;
use support::{TestApp, enrolled, multipart, picture};

fn recent() -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(10)).to_string()
}

async fn upload_all(app: &TestApp, id: &str, issued_on: &str) {
    for kind in ["government_id_front", "government_id_back"] {
        let reply = app.upload(id, &[("kind", kind)], Some(("scan.png", &picture()))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let reply =
        app.upload(id, &[("kind", "proof_of_address"), ("issued_on", issued_on)], Some(("bill.png", &picture()))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

#[tokio::test]
async fn complete_documents_are_reviewed_automatically_and_the_customer_gets_a_card() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let image = picture();
    let first = app.upload(&id, &[("kind", "government_id_front")], Some(("front.png", &image))).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.body["content_type"], "image/png");
    assert_eq!(first.body["size"], image.len());
    assert_eq!(first.body["state"], "uploaded");
    assert_eq!(first.body["sha256"].as_str().unwrap().len(), 64);

    upload_all(&app, &id, &recent()).await;
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(customer["review"]["stage"], "automatic");
    assert!(customer["requirements"].as_array().unwrap().iter().all(|r| r["state"] == "uploaded"));
    let refused = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(refused.body["error"]["details"]["blocked_by"], json!(["review:automatic"]));

    app.run_reviews().await;
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(customer["status"], "active", "{customer}");
    assert!(customer["requirements"].as_array().unwrap().iter().all(|r| r["state"] == "accepted"));
    let history = app.get(&format!("/api/v1/customers/{id}/history"), &app.reviewer).await.body;
    let decision = history["data"].as_array().unwrap().iter().find(|e| e["event"] == "review.automatic").unwrap();
    assert_eq!(decision["actor"]["kind"], "system");
    assert!(decision["checks"].as_array().unwrap().iter().any(|c| c["name"] == "proof_of_address_issued_on"));
    let card = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(card.status, StatusCode::CREATED);

    let late = app.upload(&id, &[("kind", "government_id_front")], Some(("front.png", &image))).await;
    assert_eq!((late.status, late.code()), (StatusCode::CONFLICT, "invalid_transition"));
}

#[tokio::test]
async fn an_outdated_proof_of_address_is_rejected_and_a_new_one_resubmits() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    upload_all(&app, &id, "2020-01-15").await;
    app.run_reviews().await;
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(customer["status"], "rejected");
    assert_eq!(customer["review"]["resubmittable"], true);
    assert_eq!(customer["review"]["flags"][0]["target"], "document:proof_of_address");
    assert_eq!(customer["review"]["flags"][0]["code"], "document_outdated");
    let poa =
        customer["requirements"].as_array().unwrap().iter().find(|r| r["document"] == "proof_of_address").unwrap();
    assert_eq!((poa["state"].as_str(), poa["reason"].as_str()), (Some("flagged"), Some("document_outdated")));
    let refused = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(refused.body["error"]["details"]["status"], "rejected");
    assert_eq!(refused.body["error"]["details"]["blocked_by"], json!(["document:proof_of_address"]));
    // The history says why in words, as people read them.
    let history = app.get(&format!("/api/v1/customers/{id}/history"), &app.reviewer).await.body;
    let reasons: Vec<&str> = history["data"].as_array().unwrap().iter().filter_map(|e| e["reason"].as_str()).collect();
    assert!(reasons.contains(&"Proof of address uploaded"), "{reasons:?}");
    assert!(
        reasons.contains(
            &"Proof of address: The document is too old: a proof of address must be issued within the last 3 months."
        ),
        "{reasons:?}"
    );

    let image = picture();
    let again =
        app.upload(&id, &[("kind", "proof_of_address"), ("issued_on", &recent())], Some(("bill.png", &image))).await;
    assert_eq!(again.status, StatusCode::CREATED);
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(
        (customer["status"].as_str(), customer["review"]["stage"].as_str()),
        (Some("pending"), Some("automatic"))
    );
    app.run_reviews().await;
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(customer["status"], "active");
    let documents = app.get(&format!("/api/v1/customers/{id}/documents"), &app.operator).await.body;
    assert_eq!(documents["data"].as_array().unwrap().len(), 3, "superseded uploads are not current");
}

#[tokio::test]
async fn high_risk_customers_go_to_the_manual_queue_where_a_reviewer_decides() {
    let app = TestApp::new().await;
    let id = app.in_manual_review().await;
    let image = picture();
    let queue = app.get("/api/v1/reviews?stage=manual", &app.reviewer).await;
    assert_eq!(queue.body["data"][0]["id"], id.as_str());
    assert_eq!(app.get("/api/v1/reviews", &app.operator).await.status, StatusCode::FORBIDDEN);

    let uri = format!("/api/v1/customers/{id}/review");
    let no_flags = app.post(&uri, &app.reviewer, &json!({"decision": "reject"})).await;
    assert_eq!((no_flags.status, no_flags.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));
    let operator = app.post(&uri, &app.operator, &json!({"decision": "approve"})).await;
    assert_eq!(operator.status, StatusCode::FORBIDDEN);
    let bad_target = app
        .post(
            &uri,
            &app.reviewer,
            &json!({"decision": "reject", "flags": [{"target": "field:secret", "code": "field_incorrect"}]}),
        )
        .await;
    assert_eq!(bad_target.status, StatusCode::BAD_REQUEST);

    let rejected = app
        .post(&uri, &app.reviewer, &json!({"decision": "reject", "flags": [
            {"target": "document:government_id_front", "code": "document_unreadable", "message": "The photo is blurred."},
            {"target": "field:individual.personal.full_name", "code": "field_incorrect"}]}))
        .await;
    assert_eq!(rejected.status, StatusCode::OK, "{}", rejected.body);
    assert_eq!(rejected.body["status"], "rejected");
    assert_eq!(app.post(&uri, &app.reviewer, &json!({"decision": "approve"})).await.code(), "invalid_transition");

    // Correcting only the document keeps the customer rejected until the name is fixed too.
    app.upload(&id, &[("kind", "government_id_front")], Some(("front.png", &image))).await;
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await;
    assert_eq!(customer.body["status"], "rejected");
    let fix = json!({"individual": {"personal": {"full_name": "Ana García López"}}});
    let fixed = app.patch_customer(&customer.body, &fix).await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    assert_eq!(
        (fixed.body["status"].as_str(), fixed.body["review"]["stage"].as_str()),
        (Some("pending"), Some("automatic"))
    );
    // The correction queued the review: it runs and, the profile being high risk, hands the
    // customer back to a reviewer instead of leaving them in the automatic stage.
    app.run_reviews().await;
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!((customer["status"].as_str(), customer["review"]["stage"].as_str()), (Some("pending"), Some("manual")));
}

#[tokio::test]
async fn a_final_rejection_refuses_resubmission() {
    let app = TestApp::new().await;
    let id = app.in_manual_review().await;
    let decided = app
        .post(
            &format!("/api/v1/customers/{id}/review"),
            &app.reviewer,
            &json!({"decision": "reject", "flags": [
            {"target": "document:government_id_front", "code": "document_altered"}]}),
        )
        .await;
    assert_eq!(decided.body["review"]["resubmittable"], false, "{}", decided.body);
    let image = picture();
    let again = app.upload(&id, &[("kind", "government_id_front")], Some(("front.png", &image))).await;
    assert_eq!((again.status, again.code()), (StatusCode::CONFLICT, "resubmission_not_allowed"));
}

/// Form fields, the file (name and bytes), and the expected status and code.
type BadUpload<'a> = (Vec<(&'a str, &'a str)>, Option<(&'a str, Vec<u8>)>, StatusCode, &'a str);

#[tokio::test]
async fn bad_uploads_get_clear_errors_and_leave_nothing_behind() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let image = picture();
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let cases: Vec<BadUpload> = vec![
        (
            vec![("kind", "government_id_front")],
            Some(("id.png", html)),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            vec![("kind", "government_id_front")],
            Some(("id.png", Vec::new())),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (vec![("kind", "government_id_front")], None, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (vec![], Some(("id.png", image.clone())), StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
        (
            vec![("kind", "selfie")],
            Some(("id.png", image.clone())),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            vec![("kind", "passport")],
            Some(("id.png", image.clone())),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            vec![("kind", "proof_of_address")],
            Some(("bill.png", image.clone())),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            vec![("kind", "proof_of_address"), ("issued_on", "yesterday")],
            Some(("bill.png", image.clone())),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            vec![("kind", "government_id_front"), ("colour", "red")],
            Some(("id.png", image.clone())),
            StatusCode::BAD_REQUEST,
            "malformed_request",
        ),
        (
            vec![("kind", "government_id_front")],
            Some(("big.png", support::files::padded(picture(), 10 * 1024 * 1024 + 1))),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
    ];
    for (fields, file, status, code) in cases {
        let reply = app.upload(&id, &fields, file.as_ref().map(|(n, b)| (*n, b.as_slice()))).await;
        assert_eq!((reply.status, reply.code()), (status, code), "{fields:?}: {}", reply.body);
    }
    // What the refusal says comes from core, in the asked language.
    for (language, said) in [
        ("en", "The file is not a JPEG, PNG, WebP or PDF (judged from its content, not its name)."),
        ("es", "El archivo no es JPEG, PNG, WebP ni PDF (a juzgar por su contenido, no por su nombre)."),
    ] {
        let (content_type, body) = multipart(&[("kind", "government_id_front")], Some(("id.png", b"<html></html>")));
        let request = Request::post(format!("/api/v1/customers/{id}/documents"))
            .header("authorization", format!("Bearer {}", app.operator))
            .header("content-type", content_type)
            .header("accept-language", language)
            .body(Body::from(body))
            .unwrap();
        let reply = app.raw(request).await;
        assert_eq!(reply.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(reply.body["error"]["message"], said);
    }
    // Truncated multipart body.
    let (content_type, mut body) = multipart(&[("kind", "government_id_front")], Some(("id.png", &image)));
    body.truncate(body.len() - 30);
    let request = Request::post(format!("/api/v1/customers/{id}/documents"))
        .header("authorization", format!("Bearer {}", app.operator))
        .header("content-type", content_type)
        .body(Body::from(body))
        .unwrap();
    assert_eq!(app.raw(request).await.status, StatusCode::BAD_REQUEST);
    // Not multipart at all.
    let json_upload =
        app.post(&format!("/api/v1/customers/{id}/documents"), &app.operator, &json!({"kind": "passport"})).await;
    assert_eq!(json_upload.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let stored: Vec<_> =
        std::fs::read_dir(app.dir.path().join("documents")).unwrap().flatten().filter(|e| e.path().is_file()).collect();
    assert!(stored.is_empty(), "refused uploads left files: {stored:?}");
    let incoming = std::fs::read_dir(app.dir.path().join("documents/.incoming")).unwrap().count();
    assert_eq!(incoming, 0, "temporary files left behind");
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(customer["version"], 1, "a refused upload changes nothing");
}

#[tokio::test]
async fn downloads_are_safe_and_scoped_to_the_organization() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let image = picture();
    let doc = app.upload(&id, &[("kind", "government_id_front")], Some(("../../etc/passwd.png", &image))).await.body;
    let uri = format!("/api/v1/documents/{}/content", doc["id"].as_str().unwrap());
    let request =
        Request::get(&uri).header("authorization", format!("Bearer {}", app.reviewer)).body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert!(!response.headers()["content-disposition"].to_str().unwrap().contains("passwd"));
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert!(response.headers()["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    assert_eq!(bytes.as_ref(), image.as_slice());
    let inline = app.get(&format!("{uri}?disposition=inline"), &app.reviewer).await;
    assert_eq!(inline.status, StatusCode::OK);
    assert!(inline.headers["content-disposition"].to_str().unwrap().starts_with("inline;"));
    assert_eq!(inline.headers["content-security-policy"], "default-src 'none'; frame-ancestors 'self'");
    for bad in ["?disposition=evil", "?disposition=", "?download=1"] {
        assert_eq!(app.get(&format!("{uri}{bad}"), &app.reviewer).await.code(), "malformed_request", "{bad}");
    }
    assert_eq!(app.get(&uri, &app.other_operator).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/api/v1/customers/{id}/documents"), &app.other_operator).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn correcting_the_field_before_the_document_still_resubmits() {
    let app = TestApp::new().await;
    let id = app.in_manual_review().await;
    let image = picture();
    let rejected = app
        .post(
            &format!("/api/v1/customers/{id}/review"),
            &app.reviewer,
            &json!({"decision": "reject", "flags": [
            {"target": "document:government_id_front", "code": "document_unreadable"},
            {"target": "field:individual.personal.full_name", "code": "field_incorrect"}]}),
        )
        .await;
    let fix = json!({"individual": {"personal": {"full_name": "Ana García López"}}});
    let fixed = app.patch_customer(&rejected.body, &fix).await;
    assert_eq!(fixed.body["status"], "rejected", "the document is still flagged: {}", fixed.body);
    assert_eq!(fixed.body["review"]["flags"].as_array().unwrap().len(), 1, "the name flag is answered");
    app.upload(&id, &[("kind", "government_id_front")], Some(("front.png", &image))).await;
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(
        (customer["status"].as_str(), customer["review"]["stage"].as_str()),
        (Some("pending"), Some("automatic"))
    );
}

#[tokio::test]
async fn a_large_download_streams_in_pieces() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let image = support::files::padded(picture(), 3 * 1024 * 1024);
    let doc = app.upload(&id, &[("kind", "government_id_front")], Some(("big.png", &image))).await.body;
    let uri = format!("/api/v1/documents/{}/content", doc["id"].as_str().unwrap());
    let request =
        Request::get(&uri).header("authorization", format!("Bearer {}", app.reviewer)).body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-length"], (3 * 1024 * 1024).to_string().as_str());
    let mut body = response.into_body();
    let (mut frames, mut received) = (0, Vec::new());
    while let Some(frame) = http_body_util::BodyExt::frame(&mut body).await {
        let data = frame.unwrap().into_data().unwrap();
        assert!(data.len() <= 64 * 1024, "no piece is larger than 64 KiB: {}", data.len());
        received.extend_from_slice(&data);
        frames += 1;
    }
    assert!(frames >= 48, "sent as it is read, not whole: {frames} pieces");
    assert!(received == image, "the bytes arrive intact");
}

#[tokio::test]
async fn an_endless_text_field_is_refused_without_waiting_for_its_end() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled()).await["id"].as_str().unwrap().to_owned();
    let boundary = "kycard-endless";
    let head = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n");
    // The field's first kilobyte arrives, then the client never sends the rest.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(head.into_bytes()), Ok(vec![b'a'; 1024])];
    let endless = futures_util::stream::iter(chunks).chain(futures_util::stream::pending());
    let request = Request::post(format!("/api/v1/customers/{id}/documents"))
        .header("authorization", format!("Bearer {}", app.operator))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from_stream(endless))
        .unwrap();
    let reply = tokio::time::timeout(std::time::Duration::from_secs(5), app.raw(request))
        .await
        .expect("answered as soon as the field was too long");
    assert_eq!((reply.status, reply.code()), (StatusCode::BAD_REQUEST, "malformed_request"));
    assert!(reply.body["error"]["message"].as_str().unwrap().contains("`kind` field is too long"), "{}", reply.body);

    let mut body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\n").into_bytes();
    body.extend_from_slice(&[0xff, 0xfe, b'\r', b'\n']);
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let request = Request::post(format!("/api/v1/customers/{id}/documents"))
        .header("authorization", format!("Bearer {}", app.operator))
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap();
    let reply = app.raw(request).await;
    assert_eq!((reply.status, reply.code()), (StatusCode::BAD_REQUEST, "malformed_request"));
    assert!(reply.body["error"]["message"].as_str().unwrap().contains("not UTF-8"), "{}", reply.body);
}
