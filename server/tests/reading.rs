//! The review looks inside the files: every kind of file a person may send, made here, is
//! followed through the automatic review to where the customer ends (approved, flagged with a
//! reason naming the problem, or sent to a reviewer); and every way into the review reaches a
//! decision.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::files::{
    blur, bomb_png, document, empty_page_pdf, encrypted_pdf, exif_rotated_jpeg, fake_png_header, jpeg_of, map, png_of,
    polyglot, scanned_pdf, text_pdf, webp_of,
};
use support::{TestApp, enrolled_unique, picture};

fn recent() -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(10)).to_string()
}

/// Uploads the three documents of a national-ID holder and runs the review: the customer as
/// it ends.
async fn review(app: &TestApp, profile: &Value, front: &[u8], back: &[u8], bill: &[u8]) -> Value {
    let id = app.create(profile).await["id"].as_str().unwrap().to_owned();
    for (kind, bytes) in [("government_id_front", front), ("government_id_back", back)] {
        let reply = app.upload(&id, &[("kind", kind)], Some(("file", bytes))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    }
    let reply = app.upload(&id, &[("kind", "proof_of_address"), ("issued_on", &recent())], Some(("file", bill))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    app.run_reviews().await;
    app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body
}

/// The flags as `(target, code, message)`.
fn flags(customer: &Value) -> Vec<(String, String, String)> {
    customer["review"]["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["target"].as_str().unwrap().to_owned(),
                f["code"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_reported_fake_files_are_rejected_and_no_card_is_issued() {
    let app = TestApp::new().await;
    let mut zeros_pdf = b"%PDF-1.4".to_vec();
    zeros_pdf.resize(2048, 0);
    let customer = review(&app, &enrolled_unique(), &fake_png_header(), &fake_png_header(), &zeros_pdf).await;
    assert_eq!(customer["status"], "rejected", "{customer}");
    let damaged = "The file is damaged or incomplete: it cannot be decoded.".to_owned();
    assert_eq!(
        flags(&customer),
        [
            ("document:government_id_front".to_owned(), "document_unreadable".to_owned(), damaged.clone()),
            ("document:government_id_back".to_owned(), "document_unreadable".to_owned(), damaged.clone()),
            ("document:proof_of_address".to_owned(), "document_unreadable".to_owned(), damaged),
        ]
    );
    assert_eq!(customer["review"]["resubmittable"], true);
    let id = customer["id"].as_str().unwrap();
    let card = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(card.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn good_pictures_in_every_format_and_a_small_text_pdf_are_approved() {
    let app = TestApp::new().await;
    let customer =
        review(&app, &enrolled_unique(), &jpeg_of(&document(1600, 1000)), &webp_of(&document(800, 500)), &text_pdf())
            .await;
    assert_eq!(customer["status"], "active", "{customer}");
    assert!(text_pdf().len() < 1024, "the bill is under 1 KB");
    // The documents answer with what was measured, against which threshold.
    let id = customer["id"].as_str().unwrap();
    let documents = app.get(&format!("/api/v1/customers/{id}/documents"), &app.reviewer).await.body;
    let front = &documents["data"][0];
    let sharpness = front["checks"].as_array().unwrap().iter().find(|c| c["name"] == "government_id_front_sharpness");
    let sharpness = sharpness.expect("a sharpness check");
    assert_eq!(
        (sharpness["passed"].as_bool(), sharpness["threshold"].as_str()),
        (Some(true), Some(">= 100.0 (quality rules v1)"))
    );
    let bill = &documents["data"][2];
    assert_eq!(bill["preview"], false, "a text PDF has no picture to preview");
    assert!(bill["checks"][0]["value"].as_str().unwrap().contains("on 1 page(s)"), "{bill}");
}

#[tokio::test]
async fn each_bad_picture_is_flagged_with_what_to_fix() {
    let app = TestApp::new().await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("blurred", png_of(&blur(&document(900, 600), 6)), "The picture is too blurred"),
        ("dark", png_of(&map(document(900, 600), |v| v / 10)), "The picture is too dark"),
        ("over-exposed", png_of(&map(document(900, 600), |v| v.saturating_add(120))), "The picture is too bright"),
        ("blank", png_of(&map(document(900, 600), |_| 200)), "The picture is blank"),
        ("tiny", png_of(&document(200, 120)), "The picture is too small"),
        ("truncated", jpeg_of(&document(900, 600))[..20_000].to_vec(), "The file is damaged or incomplete"),
        ("bomb", bomb_png(19_000, 19_000), "The picture is too large to decode"),
        ("wider than any photo", bomb_png(40_000, 10), "The picture is too large to decode"),
        ("two formats", polyglot(), "The file is two formats at once"),
    ];
    for (name, front, expected) in cases {
        let customer = review(&app, &enrolled_unique(), &front, &picture(), &text_pdf()).await;
        assert_eq!(customer["status"], "rejected", "{name}: {customer}");
        let flags = flags(&customer);
        assert_eq!(flags.len(), 1, "{name}: {flags:?}");
        assert_eq!((flags[0].0.as_str(), flags[0].1.as_str()), ("document:government_id_front", "document_unreadable"));
        assert!(flags[0].2.starts_with(expected), "{name}: {}", flags[0].2);
        assert_eq!(customer["review"]["resubmittable"], true, "{name}: a new photo can fix it");
    }
}

#[tokio::test]
async fn pdfs_are_judged_by_their_structure_text_and_pictures() {
    let app = TestApp::new().await;
    let encrypted = review(&app, &enrolled_unique(), &picture(), &picture(), &encrypted_pdf()).await;
    assert_eq!(flags(&encrypted)[0].2, "The PDF is encrypted or password-protected: send it without protection.");
    let empty = review(&app, &enrolled_unique(), &picture(), &picture(), &empty_page_pdf()).await;
    assert_eq!(flags(&empty)[0].2, "The PDF has no readable text and no picture of the document.");
    // A text PDF is no picture of an identity document; a scan in a PDF is.
    let text_id = review(&app, &enrolled_unique(), &text_pdf(), &picture(), &text_pdf()).await;
    assert_eq!(
        flags(&text_id),
        [(
            "document:government_id_front".to_owned(),
            "document_unreadable".to_owned(),
            "The PDF holds no picture of the document: send a photo or a scan.".to_owned()
        )]
    );
    let scanned = review(&app, &enrolled_unique(), &scanned_pdf(), &picture(), &picture()).await;
    assert_eq!(scanned["status"], "active", "{scanned}");
}

#[tokio::test]
async fn an_exif_rotated_photo_is_read_upright_and_its_preview_has_no_metadata() {
    let app = TestApp::new().await;
    let rotated = exif_rotated_jpeg(1000, 700);
    let customer = review(&app, &enrolled_unique(), &rotated, &picture(), &text_pdf()).await;
    assert_eq!(customer["status"], "active", "{customer}");
    let id = customer["id"].as_str().unwrap();
    let documents = app.get(&format!("/api/v1/customers/{id}/documents"), &app.operator).await.body;
    let front = &documents["data"][0];
    assert_eq!(front["preview"], true);
    let uri = format!("/api/v1/documents/{}/preview", front["id"].as_str().unwrap());
    let request = axum::http::Request::get(&uri)
        .header("authorization", format!("Bearer {}", app.operator))
        .body(axum::body::Body::empty())
        .unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/jpeg");
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let preview = image::load_from_memory(&bytes).unwrap();
    // Stored sideways (700 wide, 1000 high) with orientation 6: shown upright, 1000 × 700.
    assert_eq!((preview.width(), preview.height()), (1000, 700));
    assert!(rotated.windows(4).any(|w| w == b"Exif"));
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF (or GPS) in the preview");
    // Another organization cannot see it, and on disk the files are this user's alone.
    assert_eq!(app.get(&uri, &app.other_operator).await.status, StatusCode::NOT_FOUND);
    for entry in std::fs::read_dir(app.dir.path().join("documents")).unwrap().flatten().filter(|e| e.path().is_file()) {
        let mode = std::os::unix::fs::PermissionsExt::mode(&entry.metadata().unwrap().permissions()) & 0o777;
        assert_eq!(mode, 0o600, "{}", entry.path().display());
    }
    let bill = documents["data"][2]["id"].as_str().unwrap();
    let none = app.get(&format!("/api/v1/documents/{bill}/preview"), &app.operator).await;
    assert_eq!((none.status, none.code()), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn duplicates_go_to_a_reviewer_naming_the_other_customer() {
    let app = TestApp::new().await;
    // The same file for the front and the back of one customer is a mistake to correct.
    let same = picture();
    let twice = review(&app, &enrolled_unique(), &same, &same, &text_pdf()).await;
    assert_eq!(
        flags(&twice),
        [(
            "document:government_id_back".to_owned(),
            "document_wrong_type".to_owned(),
            "The same file was sent as the Government ID (front): send the Government ID (back).".to_owned()
        )]
    );

    // The same file on another customer: a reviewer compares the two.
    let first_profile = enrolled_unique();
    let first = review(&app, &first_profile, &picture(), &picture(), &text_pdf()).await;
    let shared = picture();
    let a = review(&app, &enrolled_unique(), &shared, &picture(), &text_pdf()).await;
    assert_eq!(a["status"], "active", "{a}");
    let b = review(&app, &enrolled_unique(), &shared, &picture(), &text_pdf()).await;
    assert_eq!((b["status"].as_str(), b["review"]["stage"].as_str()), (Some("pending"), Some("manual")), "{b}");
    let history = app.get(&format!("/api/v1/customers/{}/history", b["id"].as_str().unwrap()), &app.reviewer).await;
    let checks: Vec<Value> = history.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["checks"].as_array())
        .flatten()
        .cloned()
        .collect();
    let duplicate = checks.iter().find(|c| c["name"] == "government_id_front_duplicate").expect("duplicate check");
    // Side by side: the other customer's id, name and date of birth.
    let expected = format!("{} (Ana María García López, born 1990-04-01)", a["id"].as_str().unwrap());
    assert!(duplicate["message"].as_str().unwrap().contains(&expected), "{duplicate}");

    // The same official ID (type, number, country) as an earlier customer.
    let same_id = review(&app, &first_profile, &picture(), &picture(), &text_pdf()).await;
    assert_eq!(same_id["review"]["stage"], "manual", "{same_id}");
    let history =
        app.get(&format!("/api/v1/customers/{}/history", same_id["id"].as_str().unwrap()), &app.reviewer).await;
    let text = history.body.to_string();
    assert!(text.contains("official_id_duplicate") && text.contains(first["id"].as_str().unwrap()), "{text}");
}

#[tokio::test]
async fn a_corrected_field_is_reviewed_again_to_a_decision() {
    let app = TestApp::new().await;
    let id = app.in_manual_review().await;
    let uri = format!("/api/v1/customers/{id}/review");
    let flag = json!({"decision": "reject", "flags": [{"target": "field:individual.personal.full_name", "code": "field_incorrect"}]});
    assert_eq!(app.post(&uri, &app.reviewer, &flag).await.status, StatusCode::OK);
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await;
    // The correction also lowers the volume: the profile is no longer high risk.
    let fix = json!({"individual": {"personal": {"full_name": "Ana García López"},
                     "financial": {"expected_monthly_volume": "1k_5k"}}});
    let fixed = app.patch_customer(&customer.body, &fix).await;
    assert_eq!((fixed.status, fixed.body["review"]["stage"].as_str()), (StatusCode::OK, Some("automatic")));
    app.run_reviews().await;
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(customer["status"], "active", "the correction was reviewed: {customer}");
}

#[tokio::test]
async fn a_customer_left_in_the_automatic_stage_without_a_job_is_queued_at_start() {
    let app = TestApp::new().await;
    let id = app.create(&enrolled_unique()).await["id"].as_str().unwrap().to_owned();
    for kind in ["government_id_front", "government_id_back"] {
        app.upload(&id, &[("kind", kind)], Some(("scan.png", &picture()))).await;
    }
    app.upload(&id, &[("kind", "proof_of_address"), ("issued_on", &recent())], Some(("bill.pdf", &text_pdf()))).await;
    // A database written before every change queued its review: the job is missing.
    let customer_id = uuid::Uuid::parse_str(&id).unwrap();
    app.store.drop_review_job(customer_id).await.unwrap();
    assert!(app.store.review_jobs(kycard_server::store::now()).await.unwrap().is_empty());
    assert_eq!(app.store.requeue_automatic_reviews().await.unwrap(), 1);
    assert_eq!(app.store.requeue_automatic_reviews().await.unwrap(), 0, "queued once");
    app.run_reviews().await;
    assert_eq!(app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body["status"], "active");
}

#[tokio::test]
async fn identity_changes_of_an_active_customer_reverify_while_issued_cards_keep_working() {
    let app = TestApp::new().await;
    let customer = review(&app, &enrolled_unique(), &picture(), &picture(), &text_pdf()).await;
    assert_eq!(customer["status"], "active");
    let id = customer["id"].as_str().unwrap();
    let card = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(card.status, StatusCode::CREATED);
    let card_id = card.body["id"].as_str().unwrap();

    // A new address is identity data: the approval no longer covers it.
    let fix = json!({"individual": {"personal": {"address": {"line1": "Calle Alcalá 20", "city": "Madrid",
                     "postal_code": "28014", "country": "ES"}}}});
    let changed = app.patch_customer(&customer, &fix).await;
    assert_eq!(
        (changed.body["status"].as_str(), changed.body["review"]["stage"].as_str()),
        (Some("pending"), Some("automatic")),
        "{}",
        changed.body
    );
    // Meanwhile: no new card, and the reason says why; the issued card keeps working.
    let refused = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "customer_not_active"));
    assert_eq!(refused.body["error"]["details"]["blocked_by"], json!(["review:automatic"]));
    let held = app.get(&format!("/api/v1/cards/{card_id}"), &app.operator).await;
    assert_eq!(held.body["status"], "active");
    let frozen = app.post(&format!("/api/v1/cards/{card_id}/freeze"), &app.operator, &json!({})).await;
    assert_eq!(frozen.body["status"], "frozen", "{}", frozen.body);

    // The re-verification runs on the documents on file and ends in a decision.
    app.run_reviews().await;
    let after = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(after["status"], "active", "{after}");
    let again = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(again.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_rejection_that_uses_up_the_attempts_is_final() {
    let app = TestApp::new().await;
    let blurred = || png_of(&blur(&document(900, 600), 6));
    let customer = review(&app, &enrolled_unique(), &blurred(), &picture(), &text_pdf()).await;
    let id = customer["id"].as_str().unwrap().to_owned();
    for attempt in 2..=3 {
        assert_eq!(customer_status(&app, &id).await, ("rejected".to_owned(), true), "attempt {attempt}");
        let reply = app.upload(&id, &[("kind", "government_id_front")], Some(("again.png", &blurred()))).await;
        assert_eq!(reply.status, StatusCode::CREATED);
        app.run_reviews().await;
    }
    // The third rejection (the default cap) is final: nothing more is accepted.
    assert_eq!(customer_status(&app, &id).await, ("rejected".to_owned(), false));
    let refused = app.upload(&id, &[("kind", "government_id_front")], Some(("sharp.png", &picture()))).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "resubmission_not_allowed"));
    let history = app.get(&format!("/api/v1/customers/{id}/history"), &app.reviewer).await.body.to_string();
    assert!(history.contains("attempt 3 of 3: the rejection is final"), "{history}");

    // An organization may allow a single attempt.
    app.store.set_attempt_cap(app.org, Some(1)).await.unwrap();
    let once = review(&app, &enrolled_unique(), &blurred(), &picture(), &text_pdf()).await;
    assert_eq!((once["status"].as_str(), once["review"]["resubmittable"].as_bool()), (Some("rejected"), Some(false)));
}

async fn customer_status(app: &TestApp, id: &str) -> (String, bool) {
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    (customer["status"].as_str().unwrap().to_owned(), customer["review"]["resubmittable"].as_bool().unwrap())
}

#[tokio::test]
async fn a_watchlist_match_is_never_approved_automatically_and_a_confirmed_one_is_final() {
    let app = TestApp::new().await;
    // The sample list holds "ROSSI, Marco Antonio", born 2 July 1975: reordered, accented,
    // with a typo, it still matches.
    let mut profile = enrolled_unique();
    profile["individual"]["personal"]["full_name"] = json!("Márco Antonio Rosi");
    profile["individual"]["personal"]["date_of_birth"] = json!("1975-07-02");
    let customer = review(&app, &profile, &picture(), &picture(), &text_pdf()).await;
    assert_eq!((customer["status"].as_str(), customer["review"]["stage"].as_str()), (Some("pending"), Some("manual")));
    let id = customer["id"].as_str().unwrap();
    let history = app.get(&format!("/api/v1/customers/{id}/history"), &app.reviewer).await.body;
    let checks: Vec<Value> =
        history["data"].as_array().unwrap().iter().filter_map(|e| e["checks"].as_array()).flatten().cloned().collect();
    let check = checks.iter().find(|c| c["name"] == "watchlist").expect("a watchlist check");
    assert_eq!(check["passed"], false);
    let message = check["message"].as_str().unwrap();
    assert!(message.contains("Customer Márco Antonio Rosi, born 1975-07-02"), "{message}");
    assert!(message.contains("90002 ROSSI, Marco Antonio, born 1975-07-02, 1976"), "{message}");

    // A code must describe its target: a field is not "unreadable".
    let wrong = json!({"decision": "reject", "flags": [{"target": "field:individual.personal.full_name", "code": "document_unreadable"}]});
    let refused = app.post(&format!("/api/v1/customers/{id}/review"), &app.reviewer, &wrong).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"));

    // A reviewer's message is plain text of at most 500 characters.
    for (message, code) in [("Blurred \u{202e}txet", "invalid_characters"), ("a\u{7}b", "invalid_characters")] {
        let flagged = json!({"decision": "reject", "flags": [{"target": "document:proof_of_address", "code": "document_unreadable", "message": message}]});
        let refused = app.post(&format!("/api/v1/customers/{id}/review"), &app.reviewer, &flagged).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{message:?}");
        assert_eq!(refused.body["error"]["fields"][0]["path"], "flags[0].message", "{}", refused.body);
        assert_eq!(refused.body["error"]["fields"][0]["code"], code);
    }
    let long = json!({"decision": "reject", "flags": [{"target": "document:proof_of_address", "code": "document_unreadable", "message": "é".repeat(501)}]});
    let refused = app.post(&format!("/api/v1/customers/{id}/review"), &app.reviewer, &long).await;
    assert_eq!(refused.body["error"]["fields"][0]["code"], "too_long");

    // The reviewer confirms it: a watchlist match is final.
    let decision = json!({"decision": "reject", "flags": [{"target": "field:individual.personal.full_name", "code": "watchlist_match"}]});
    let decided = app.post(&format!("/api/v1/customers/{id}/review"), &app.reviewer, &decision).await;
    assert_eq!(
        (decided.body["status"].as_str(), decided.body["review"]["resubmittable"].as_bool()),
        (Some("rejected"), Some(false))
    );
    assert_eq!(decided.body["review"]["flags"][0]["final"], true);

    // Born on another day and year, the same name is another person: approved.
    profile = enrolled_unique();
    profile["individual"]["personal"]["full_name"] = json!("Marco Antonio Rossi");
    profile["individual"]["personal"]["date_of_birth"] = json!("1990-01-15");
    let other = review(&app, &profile, &picture(), &picture(), &text_pdf()).await;
    assert_eq!(other["status"], "active", "{other}");
}

#[tokio::test]
async fn an_expiring_id_asks_for_renewal_and_an_expired_one_holds_new_cards_until_renewed() {
    let app = TestApp::new().await;
    let today = chrono::Utc::now().date_naive();
    let mut profile = enrolled_unique();
    profile["individual"]["official_id"]["expires_on"] = json!((today + chrono::Duration::days(20)).to_string());
    let customer = review(&app, &profile, &picture(), &picture(), &text_pdf()).await;
    assert_eq!(customer["status"], "active");
    let id = customer["id"].as_str().unwrap().to_owned();
    assert_eq!(customer["renewal"]["expired"], false, "due within 30 days: {customer}");
    let card = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(card.status, StatusCode::CREATED, "not expired yet: cards are issued");
    let card_id = card.body["id"].as_str().unwrap().to_owned();

    // The daily check sends one notice per expiry and kind: an event, and a webhook.
    assert_eq!(kycard_server::renewals::notify_due(&app.store, today).await.unwrap(), 1);
    assert_eq!(kycard_server::renewals::notify_due(&app.store, today).await.unwrap(), 0, "sent once");
    let history = app.get(&format!("/api/v1/customers/{id}/history"), &app.reviewer).await.body.to_string();
    assert!(history.contains("customer.renewal_required") && history.contains("upload a renewed one"), "{history}");

    // Time passes (the stored expiry moves into the past): new cards wait, issued ones work.
    let past = (today - chrono::Duration::days(1)).to_string();
    let set_expiry = if app.db_url.starts_with("sqlite:") {
        format!("json_set(data, '$.individual.official_id.expires_on', '{past}')")
    } else {
        format!("jsonb_set(data, '{{individual,official_id,expires_on}}', '\"{past}\"')")
    };
    assert_eq!(app.execute(&format!("UPDATE customers SET data = {set_expiry} WHERE id = '{id}'")).await, 1);
    assert_eq!(kycard_server::renewals::notify_due(&app.store, today).await.unwrap(), 1, "the expiry notice");
    let customer = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!((customer["status"].as_str(), customer["renewal"]["expired"].as_bool()), (Some("active"), Some(true)));
    let refused = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::CONFLICT, "official_id_expired"));
    assert_eq!(refused.body["error"]["details"]["blocked_by"], json!(["renewal:official_id"]));
    let frozen = app.post(&format!("/api/v1/cards/{card_id}/freeze"), &app.operator, &json!({})).await;
    assert_eq!(frozen.body["status"], "frozen", "issued cards keep working");

    // The renewed ID: its photos must be sent again, then the review decides.
    let renewed = json!({"individual": {"official_id": {"number": profile["individual"]["official_id"]["number"],
        "expires_on": (today + chrono::Duration::days(3650)).to_string()}}});
    let changed = app.patch_customer(&customer, &renewed).await;
    assert_eq!(changed.body["review"]["stage"], "awaiting_documents", "{}", changed.body);
    let states: Vec<(&str, &str)> = changed.body["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["document"].as_str().unwrap(), r["state"].as_str().unwrap()))
        .collect();
    assert_eq!(
        states,
        [("government_id_front", "missing"), ("government_id_back", "missing"), ("proof_of_address", "accepted")]
    );
    for kind in ["government_id_front", "government_id_back"] {
        app.upload(&id, &[("kind", kind)], Some(("renewed.png", &picture()))).await;
    }
    app.run_reviews().await;
    let after = app.get(&format!("/api/v1/customers/{id}"), &app.operator).await.body;
    assert_eq!(after["status"], "active", "{after}");
    assert!(after.get("renewal").is_none(), "{after}");
    let again = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    assert_eq!(again.status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_renewal_decided_against_freezes_the_cards_until_the_holder_is_approved_again() {
    let app = TestApp::new().await;
    let profile = enrolled_unique();
    let customer = review(&app, &profile, &picture(), &picture(), &text_pdf()).await;
    let id = customer["id"].as_str().unwrap().to_owned();
    let card = app.post(&format!("/api/v1/customers/{id}/cards"), &app.operator, &json!({"type": "virtual"})).await;
    let card_uri = format!("/api/v1/cards/{}", card.body["id"].as_str().unwrap());

    // A renewed ID, whose new front photo is blurred: the renewal is rejected.
    let renewed = json!({"individual": {"official_id": {"expires_on": "2036-01-31"}}});
    let changed = app.patch_customer(&customer, &renewed).await;
    assert_eq!(changed.body["review"]["stage"], "awaiting_documents", "{}", changed.body);
    assert_eq!(app.get(&card_uri, &app.operator).await.body["status"], "active", "working while it is decided");
    let blurred = png_of(&blur(&document(900, 600), 6));
    app.upload(&id, &[("kind", "government_id_front")], Some(("front.png", &blurred))).await;
    app.upload(&id, &[("kind", "government_id_back")], Some(("back.png", &picture()))).await;
    app.run_reviews().await;
    assert_eq!(customer_status(&app, &id).await.0, "rejected");
    assert_eq!(app.get(&card_uri, &app.operator).await.body["status"], "frozen", "stopped with the rejection");
    let history = app.get(&format!("/api/v1/customers/{id}/history"), &app.operator).await.body;
    let frozen_by =
        history["data"].as_array().unwrap().iter().rev().find(|e| e["event"] == "card.status_changed").cloned();
    assert_eq!(frozen_by.unwrap()["actor"]["kind"], "system");
    let unfreeze = app.post(&format!("{card_uri}/unfreeze"), &app.operator, &json!({})).await;
    assert_eq!((unfreeze.status, unfreeze.code()), (StatusCode::CONFLICT, "customer_not_active"));

    // A sharp photo: approved again, and the card can be unfrozen.
    app.upload(&id, &[("kind", "government_id_front")], Some(("front.png", &picture()))).await;
    app.run_reviews().await;
    assert_eq!(customer_status(&app, &id).await.0, "active");
    let unfreeze = app.post(&format!("{card_uri}/unfreeze"), &app.operator, &json!({})).await;
    assert_eq!(unfreeze.body["status"], "active", "{}", unfreeze.body);
}
