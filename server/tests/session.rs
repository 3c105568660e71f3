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
    let body = json!({"email": email, "password": password}).to_string();
    app.raw(Request::post("/api/v1/session").header("content-type", "application/json").body(Body::from(body)).unwrap())
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
