//! Browser sessions: sign-in sets an `HttpOnly; SameSite=Strict` cookie, cookie-authenticated
//! changes need the CSRF token, guessing passwords is slowed, sign-out ends the session.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use kycard_core::wire::Role;
use serde_json::json;
use support::{Reply, TestApp, contact_only};

const EMAIL: &str = "op@acme.example";
const PASSWORD: &str = "correct horse battery staple";

async fn app_with_user() -> TestApp {
    let app = TestApp::new().await;
    let hash = kycard_server::admin::hash_password(PASSWORD).unwrap();
    app.store.create_user(app.org, EMAIL, Role::Operator, &hash).await.unwrap();
    app
}

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Reply {
    sign_in_from(app, email, password, [127, 0, 0, 1]).await
}

/// A sign-in as if connected from `address`.
async fn sign_in_from(app: &TestApp, email: &str, password: &str, address: [u8; 4]) -> Reply {
    sign_in_as(app, email, password, address, "en").await
}

/// A sign-in as if connected from `address`, asking for answers in `language`.
async fn sign_in_as(app: &TestApp, email: &str, password: &str, address: [u8; 4], language: &str) -> Reply {
    let body = json!({"email": email, "password": password}).to_string();
    let peer = std::net::SocketAddr::from((address, 40_000));
    app.raw(
        Request::post("/api/v1/session")
            .header("content-type", "application/json")
            .header("accept-language", language)
            .extension(axum::extract::ConnectInfo(peer))
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn cookie_header(reply: &Reply) -> String {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn with_cookie(
    app: &TestApp,
    method: &str,
    uri: &str,
    cookies: &str,
    csrf: Option<&str>,
    body: Option<&serde_json::Value>,
) -> Reply {
    let mut builder = Request::builder().method(method).uri(uri).header("cookie", cookies);
    if let Some(token) = csrf {
        builder = builder.header("x-csrf-token", token);
    }
    let request = match body {
        Some(b) => builder.header("content-type", "application/json").body(Body::from(b.to_string())).unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    };
    app.raw(request).await
}

#[tokio::test]
async fn a_signed_in_user_works_with_the_cookie_and_the_csrf_token() {
    let app = app_with_user().await;
    let reply = sign_in(&app, EMAIL, PASSWORD).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["user"]["email"], EMAIL);
    assert_eq!(reply.body["user"]["role"], "operator");
    assert_eq!(reply.body["user"]["organization"], "acme");
    let csrf = reply.body["csrf_token"].as_str().unwrap().to_owned();
    let set_cookies: Vec<String> =
        reply.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let session = set_cookies.iter().find(|c| c.starts_with("kycard_session=")).unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
    let readable = set_cookies.iter().find(|c| c.starts_with("kycard_csrf=")).unwrap();
    assert!(!readable.contains("HttpOnly") && readable.contains(&csrf));
    let cookies = cookie_header(&reply);

    let me = with_cookie(&app, "GET", "/api/v1/session", &cookies, None, None).await;
    assert_eq!(me.body["user"]["email"], EMAIL);
    let list = with_cookie(&app, "GET", "/api/v1/customers", &cookies, None, None).await;
    assert_eq!(list.status, StatusCode::OK, "reads need no CSRF token");

    let body = contact_only();
    let forged = with_cookie(&app, "POST", "/api/v1/customers", &cookies, None, Some(&body)).await;
    assert_eq!((forged.status, forged.code()), (StatusCode::FORBIDDEN, "csrf_failed"));
    let wrong = with_cookie(&app, "POST", "/api/v1/customers", &cookies, Some("0000"), Some(&body)).await;
    assert_eq!(wrong.code(), "csrf_failed");
    let created = with_cookie(&app, "POST", "/api/v1/customers", &cookies, Some(&csrf), Some(&body)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let history = with_cookie(
        &app,
        "GET",
        &format!("/api/v1/customers/{}/history", created.body["id"].as_str().unwrap()),
        &cookies,
        None,
        None,
    )
    .await;
    assert_eq!(history.body["data"][0]["actor"]["kind"], "user");

    let out = with_cookie(&app, "DELETE", "/api/v1/session", &cookies, Some(&csrf), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let after = with_cookie(&app, "GET", "/api/v1/customers", &cookies, None, None).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED, "the old cookie no longer works");
}

#[tokio::test]
async fn wrong_passwords_are_refused_and_then_slowed() {
    let app = app_with_user().await;
    for bad in [("nobody@acme.example", PASSWORD), (EMAIL, "wrong password"), ("not an email", PASSWORD)] {
        let reply = sign_in(&app, bad.0, bad.1).await;
        assert_eq!((reply.status, reply.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"), "{bad:?}");
        assert_eq!(reply.body["error"]["message"], "Wrong email or password.", "said to a person, not a developer");
        assert!(reply.headers.get("set-cookie").is_none());
    }
    for _ in 0..5 {
        sign_in(&app, EMAIL, "still wrong").await;
    }
    let limited = sign_in(&app, EMAIL, PASSWORD).await;
    assert_eq!((limited.status, limited.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    assert!(limited.headers["retry-after"].to_str().unwrap().parse::<u64>().unwrap() > 0);
    assert_eq!(
        limited.body["error"]["message"], "Too many attempts; try again in 15 minutes.",
        "a wait a person reads"
    );
    // In Spanish, the same specific sentences, not the catalogue's words for developers.
    let wrong = sign_in_as(&app, "nobody@acme.example", PASSWORD, [10, 0, 0, 9], "es").await;
    assert_eq!(wrong.body["error"]["message"], "Correo o contraseña incorrectos.");
    let limited = sign_in_as(&app, EMAIL, PASSWORD, [127, 0, 0, 1], "es").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(limited.body["error"]["message"], "Demasiados intentos; vuelve a intentarlo dentro de 15 minutos.");
    let missing = app
        .raw(
            Request::post("/api/v1/session")
                .header("content-type", "application/json")
                .body(Body::from("{\"email\": 1}"))
                .unwrap(),
        )
        .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    let forged_cookie = with_cookie(&app, "GET", "/api/v1/customers", "kycard_session=deadbeef", None, None).await;
    assert_eq!(forged_cookie.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn concurrent_guesses_get_five_checks_and_the_owner_elsewhere_still_signs_in() {
    let app = app_with_user().await;
    let guesses = (0..100).map(|_| sign_in_from(&app, EMAIL, "guess", [203, 0, 113, 9]));
    let replies = futures_util::future::join_all(guesses).await;
    let checked = replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let limited = replies.iter().filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, limited), (5, 95), "every attempt is counted before its password is checked");
    let owner = sign_in_from(&app, EMAIL, PASSWORD, [198, 51, 100, 4]).await;
    assert_eq!(owner.status, StatusCode::CREATED, "five guesses elsewhere do not lock the owner out: {}", owner.body);
    let from_guesser = sign_in_from(&app, EMAIL, PASSWORD, [203, 0, 113, 9]).await;
    assert_eq!(
        from_guesser.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the guessing address waits, even with the password"
    );
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_stopped() {
    let app = app_with_user().await;
    for n in 0..kycard_server::sign_in::PER_ADDRESS {
        let reply = sign_in_from(&app, &format!("user{n}@acme.example"), "guess", [203, 0, 113, 10]).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let sprayed = sign_in_from(&app, EMAIL, PASSWORD, [203, 0, 113, 10]).await;
    assert_eq!((sprayed.status, sprayed.code()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
}

/// Median time of three sign-ins.
async fn median_sign_in(app: &TestApp, email: &str, address: [u8; 4]) -> std::time::Duration {
    let mut times = Vec::new();
    for _ in 0..3 {
        let started = std::time::Instant::now();
        let reply = sign_in_from(app, email, "guess", address).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        times.push(started.elapsed());
    }
    times.sort();
    times[1]
}

#[tokio::test]
async fn an_unknown_email_costs_what_a_wrong_password_costs() {
    let app = app_with_user().await;
    let known = median_sign_in(&app, EMAIL, [192, 0, 2, 1]).await;
    let unknown = median_sign_in(&app, "nobody@acme.example", [192, 0, 2, 2]).await;
    // A password check is argon2 (tens of milliseconds); skipping it takes well under one.
    assert!(
        unknown * 2 > known,
        "unknown {unknown:?} against known {known:?}: the difference tells which emails exist"
    );
}

#[tokio::test]
async fn a_password_change_signs_the_user_out_everywhere() {
    let app = app_with_user().await;
    let first = cookie_header(&sign_in(&app, EMAIL, PASSWORD).await);
    let second = cookie_header(&sign_in(&app, EMAIL, PASSWORD).await);
    let login = app.store.user_login(EMAIL).await.unwrap().unwrap();
    let hash = kycard_server::admin::hash_password("a brand new passphrase").unwrap();
    assert_eq!(app.store.set_password(login.user.id, &hash).await.unwrap(), 2, "both sessions ended");
    for cookies in [&first, &second] {
        let reply = with_cookie(&app, "GET", "/api/v1/customers", cookies, None, None).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "whoever held the old password is signed out");
    }
    assert_eq!(sign_in(&app, EMAIL, PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(sign_in(&app, EMAIL, "a brand new passphrase").await.status, StatusCode::CREATED);
}

#[tokio::test]
async fn an_idle_session_ends_and_a_used_one_lives_on() {
    let app = app_with_user().await;
    let idle = cookie_header(&sign_in(&app, EMAIL, PASSWORD).await);
    let used = cookie_header(&sign_in(&app, EMAIL, PASSWORD).await);
    let minutes_ago = |m: i64| (chrono::Utc::now() - chrono::Duration::minutes(m)).to_rfc3339();
    // Both were made 40 minutes ago; one was used 10 minutes ago.
    app.execute(&format!("UPDATE sessions SET created_at = '{}', last_seen_at = NULL", minutes_ago(40))).await;
    let token = used.split("kycard_session=").nth(1).unwrap().split(';').next().unwrap();
    let digest = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()));
    app.execute(&format!("UPDATE sessions SET last_seen_at = '{}' WHERE token_sha256 = '{digest}'", minutes_ago(10)))
        .await;
    let reply = with_cookie(&app, "GET", "/api/v1/customers", &idle, None, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "30 minutes without a request end a session");
    let reply = with_cookie(&app, "GET", "/api/v1/customers", &used, None, None).await;
    assert_eq!(reply.status, StatusCode::OK, "a session in use lives on");
    let noted = format!(
        "SELECT COUNT(*) FROM sessions WHERE token_sha256 = '{digest}' AND last_seen_at > '{}'",
        minutes_ago(1)
    );
    assert_eq!(app.count(&noted).await, 1, "the use was noted");

    // The clean-up removes the idle one (and only it).
    let purged = kycard_server::housekeeping::purge(&app.store).await.unwrap();
    assert_eq!(purged.sessions, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM sessions").await, 1);
}

#[tokio::test]
async fn expired_sessions_and_old_idempotency_keys_are_purged() {
    let app = app_with_user().await;
    let cookies = cookie_header(&sign_in(&app, EMAIL, PASSWORD).await);
    app.store.reserve_idempotency(app.org, "old", "f").await.unwrap();
    let answer = kycard_server::store::StoredResponse { status: 201, body: "{}".into() };
    app.store.complete_idempotency(app.org, "old", &answer).await.unwrap();
    app.store.reserve_idempotency(app.org, "recent", "f").await.unwrap();
    let ago = |h: i64| (chrono::Utc::now() - chrono::Duration::hours(h)).to_rfc3339();
    app.execute(&format!("UPDATE sessions SET expires_at = '{}'", ago(1))).await;
    app.execute(&format!("UPDATE idempotency_keys SET created_at = '{}' WHERE key = 'old'", ago(49))).await;
    assert_eq!(
        with_cookie(&app, "GET", "/api/v1/customers", &cookies, None, None).await.status,
        StatusCode::UNAUTHORIZED
    );
    let purged = kycard_server::housekeeping::purge(&app.store).await.unwrap();
    assert_eq!((purged.sessions, purged.idempotency_keys), (1, 1));
    assert_eq!(app.count("SELECT COUNT(*) FROM idempotency_keys").await, 1, "the recent reservation stays");
}
