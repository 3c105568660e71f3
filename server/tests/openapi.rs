//! The generated `OpenAPI` document describes every route the server has, and the docs UI is
//! served from the binary.

mod support;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use support::TestApp;

/// Every operation of the API, as `METHOD path`.
const OPERATIONS: &[&str] = &[
    "get /api/v1/health",
    "get /api/v1/ready",
    "get /api/v1/schemas/",
    "get /api/v1/schemas/{file}",
    "get /api/v1/customers",
    "post /api/v1/customers",
    "get /api/v1/customers/{id}",
    "patch /api/v1/customers/{id}",
    "get /api/v1/customers/{id}/documents",
    "post /api/v1/customers/{id}/documents",
    "get /api/v1/documents/{id}/content",
    "get /api/v1/documents/{id}/preview",
    "get /api/v1/reviews",
    "post /api/v1/customers/{id}/review",
    "get /api/v1/customers/{id}/history",
    "post /api/v1/simulate/customers/{id}/review",
    "get /api/v1/customers/{id}/cards",
    "post /api/v1/customers/{id}/cards",
    "get /api/v1/cards/{id}",
    "post /api/v1/cards/{id}/freeze",
    "post /api/v1/cards/{id}/unfreeze",
    "post /api/v1/cards/{id}/cancel",
    "post /api/v1/session",
    "get /api/v1/session",
    "delete /api/v1/session",
    "get /api/v1/events",
    "get /api/v1/webhooks",
    "post /api/v1/webhooks",
    "delete /api/v1/webhooks/{id}",
    "get /api/v1/webhooks/{id}/deliveries",
    "get /api/v1/keys",
    "delete /api/v1/keys/{id}",
];

#[tokio::test]
async fn the_document_lists_every_operation_and_its_schemas() {
    let app = TestApp::new().await;
    let reply = app.raw(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    let spec = reply.body;
    let mut documented: Vec<String> = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            documented.push(format!("{method} {path}"));
        }
    }
    documented.sort();
    let mut expected: Vec<String> = OPERATIONS.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(documented, expected);
    for schema in [
        "Customer",
        "CustomerData",
        "ErrorResponse",
        "FieldError",
        "Card",
        "Document",
        "Flag",
        "Gender",
        "Occupation",
        "Webhook",
        "WebhookDelivery",
        "EventType",
        "ApiKeyInfo",
    ] {
        assert!(spec["components"]["schemas"].get(schema).is_some(), "schema {schema} missing");
    }
    let gender = &spec["components"]["schemas"]["Gender"]["enum"];
    assert_eq!(gender, &serde_json::json!(["female", "male", "non_binary", "undisclosed"]));

    // Every documented operation exists: with an unknown id it answers anything but the
    // router's own 404/405 for unknown routes.
    for operation in OPERATIONS {
        let (method, path) = operation.split_once(' ').unwrap();
        let uri = path.replace("{id}", "0193a000-0000-7000-8000-000000000000").replace("{file}", "CustomerData.json");
        let request = Request::builder().method(method.to_uppercase().as_str()).uri(&uri).body(Body::empty()).unwrap();
        let reply = app.raw(request).await;
        assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{operation}");
        assert!(
            reply.status != StatusCode::NOT_FOUND || reply.status == StatusCode::UNAUTHORIZED,
            "{operation} is not routed"
        );
    }
}

#[tokio::test]
async fn each_list_page_refers_to_its_item_type_instead_of_copying_it() {
    let app = TestApp::new().await;
    let spec = app.raw(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await.body;
    let components = spec["components"]["schemas"].as_object().expect("components");
    let pages: Vec<&String> = components.keys().filter(|name| name.starts_with("Page_")).collect();
    assert!(pages.len() >= 7, "{pages:?}");
    for page in pages {
        let item = page.trim_start_matches("Page_");
        assert_eq!(
            components[page]["properties"]["data"]["items"],
            serde_json::json!({ "$ref": format!("#/components/schemas/{item}") }),
            "{page}"
        );
    }
}

#[tokio::test]
async fn the_docs_ui_is_served_locally() {
    let app = TestApp::new().await;
    let request = Request::get("/api/docs/").body(Body::empty()).unwrap();
    let response = tower::ServiceExt::oneshot(app.router.clone(), request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    let html = String::from_utf8_lossy(&bytes);
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(!html.contains("https://"), "no assets from a CDN");
}

#[test]
fn the_npm_package_declares_the_current_wire_types() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../bindings/js/types.d.ts");
    let committed = std::fs::read_to_string(path).expect("bindings/js/types.d.ts");
    assert!(
        committed == kycard_server::http::schemas::typescript_declarations(),
        "bindings/js/types.d.ts is out of date: run `cargo run -p kycard-server --bin kycard -- schemas --typescript bindings/js/types.d.ts`"
    );
}

#[tokio::test]
async fn the_document_holds_the_rules_and_says_what_else_may_be_refused() {
    let app = TestApp::new().await;
    let reply = app.raw(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    let document = reply.body;
    let schemas = &document["components"]["schemas"];
    assert_eq!(schemas["CustomerData"]["required"], serde_json::json!(["contact"]));
    assert_eq!(schemas["ContactData"]["required"], serde_json::json!(["email", "phone"]));
    assert!(schemas["ContactData"]["properties"]["phone"]["pattern"].as_str().unwrap().contains(r"\+"));
    assert!(schemas["CustomerPatch"].get("required").is_none(), "a patch may leave anything out");
    let patch = &document["paths"]["/api/v1/customers/{id}"]["patch"];
    assert_eq!(
        patch["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/CustomerPatch"
    );
    assert_eq!(patch["x-kycard-refusals"]["422"]["unsent"], true);
    let create = &document["paths"]["/api/v1/customers"]["post"];
    assert_eq!(
        create["x-kycard-refusals"]["422"]["fields"]["individual.official_id.number"],
        serde_json::json!(["invalid_format", "invalid_check_digit"])
    );
    for status in ["400", "401", "403", "409", "413", "415", "422"] {
        assert!(create["responses"].get(status).is_some(), "POST /customers documents {status}");
    }
    assert_eq!(document["paths"]["/api/v1/health"]["get"]["security"], serde_json::json!([]));
    let limit = &document["paths"]["/api/v1/customers"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "limit")
        .unwrap()["schema"];
    assert_eq!((limit["minimum"].as_u64(), limit["maximum"].as_u64()), (Some(1), Some(100)));
}
