//! API keys: an admin lists them (never a secret) and revokes one, which then answers 401;
//! keys of another organization are out of reach; other roles may not.

mod support;

use axum::http::{Method, StatusCode};
use support::TestApp;

#[tokio::test]
async fn an_admin_lists_keys_without_secrets_and_revokes_one() {
    let app = TestApp::new().await;
    let listed = app.get("/api/v1/keys", &app.admin).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    assert!(listed.body["next_cursor"].is_null());
    let keys = listed.body["data"].as_array().unwrap();
    assert_eq!(keys.len(), 3, "the organization's own keys only: {keys:?}");
    let text = listed.body.to_string();
    for secret in [&app.operator, &app.reviewer, &app.admin] {
        assert!(!text.contains(secret.as_str()), "a secret is never listed");
        let prefix: String = secret.split('_').take(2).collect::<Vec<_>>().join("_");
        assert!(keys.iter().any(|k| k["prefix"] == prefix), "each key is recognisable by its prefix {prefix}");
    }
    let admin_key = keys.iter().find(|k| k["role"] == "admin").unwrap();
    assert!(admin_key["last_used_at"].is_string(), "the listing request itself used the admin key");
    let operator_key = keys.iter().find(|k| k["role"] == "operator").unwrap();
    assert!(operator_key["revoked_at"].is_null());

    let id = operator_key["id"].as_str().unwrap();
    let uri = format!("/api/v1/keys/{id}");
    assert_eq!(app.get("/api/v1/customers", &app.operator).await.status, StatusCode::OK);
    let revoked = app.send(Method::DELETE, &uri, &app.admin, None, &[]).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    let refused = app.get("/api/v1/customers", &app.operator).await;
    assert_eq!((refused.status, refused.code()), (StatusCode::UNAUTHORIZED, "unauthenticated"), "revoked at once");
    let again = app.send(Method::DELETE, &uri, &app.admin, None, &[]).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT, "revoking twice is harmless");
    let listed = app.get("/api/v1/keys", &app.admin).await;
    let operator_key = listed.body["data"].as_array().unwrap().iter().find(|k| k["id"] == id).unwrap().clone();
    assert!(operator_key["revoked_at"].is_string());
}

#[tokio::test]
async fn keys_of_another_organization_and_other_roles_are_refused() {
    let app = TestApp::new().await;
    assert_eq!(app.get("/api/v1/keys", &app.operator).await.code(), "forbidden");
    assert_eq!(app.get("/api/v1/keys", &app.reviewer).await.code(), "forbidden");
    // The other organization's operator key, found through its own admin.
    let other = app.store.organization_by_slug("globex").await.unwrap().unwrap();
    let other_admin = app.store.create_api_key(other.id, kycard_core::wire::Role::Admin, "test").await.unwrap().secret;
    let theirs = app.get("/api/v1/keys", &other_admin).await;
    let their_operator =
        theirs.body["data"].as_array().unwrap().iter().find(|k| k["role"] == "operator").unwrap().clone();
    let uri = format!("/api/v1/keys/{}", their_operator["id"].as_str().unwrap());
    let reply = app.send(Method::DELETE, &uri, &app.admin, None, &[]).await;
    assert_eq!((reply.status, reply.code()), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(app.get("/api/v1/customers", &app.other_operator).await.status, StatusCode::OK, "still works");
    let operator_deletes = app.send(Method::DELETE, &uri, &app.operator, None, &[]).await;
    assert_eq!(operator_deletes.code(), "forbidden");
    for bad in ["not-a-uuid", "00000000-0000-0000-0000-000000000000", "%F0%9F%94%91"] {
        let reply = app.send(Method::DELETE, &format!("/api/v1/keys/{bad}"), &app.admin, None, &[]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{bad}");
    }
}
