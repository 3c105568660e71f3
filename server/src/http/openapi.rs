//! The `OpenAPI` document, generated from the handlers' annotations and core's wire types, so
//! it cannot drift from the code; served at `/api/v1/openapi.json`, with Swagger UI (assets
//! embedded in the binary, no CDN) at `/api/docs`.
//!
//! [`document`] adds what the annotations cannot say: core's rules on each field
//! ([`kycard_core::schema::refine`]), the rules of the shared headers and query values, the
//! statuses every operation of a kind can answer, and a link from each component to its JSON
//! Schema. A schema-driven fuzzer (schemathesis, in the test command) holds the server to it.

use super::extract::{IDEMPOTENCY_KEY_MAX, MAX_PAGE_LIMIT};
use super::{cards, customers, documents, events, health, keys, reviews, schemas, session, webhooks};
use serde_json::{Map, Value, json};
use std::sync::LazyLock;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "kycard API", description = "Onboarding customers into an individual card program. See shared/API.md."),
    paths(
        health::health, health::ready,
        customers::create, customers::list, customers::read, customers::patch,
        documents::upload, documents::list, documents::content, documents::preview,
        reviews::queue, reviews::decide, reviews::history, reviews::simulate,
        cards::issue, cards::list, cards::read, cards::freeze, cards::unfreeze, cards::cancel,
        session::sign_in, session::current, session::sign_out,
        events::events,
        webhooks::create, webhooks::list, webhooks::remove, webhooks::deliveries,
        keys::list, keys::revoke,
        schemas::index, schemas::schema,
    ),
    modifiers(&Security),
    security(("api_key" = []), ("session" = [])),
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key: `Authorization: Bearer kyc_…`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "kycard_session",
                "Browser session from `POST /session`; unsafe requests also need `X-CSRF-Token`.",
            ))),
        );
    }
}

/// The served document, built once.
static DOCUMENT: LazyLock<Value> = LazyLock::new(build);

/// The `OpenAPI` document as served, with every rule the server holds requests to.
pub fn document() -> &'static Value {
    &DOCUMENT
}

fn build() -> Value {
    let mut document = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    if let Some(Value::Object(components)) = document.pointer_mut("/components/schemas") {
        refer_to_components(components);
        kycard_core::schema::refine(components);
    }
    if let Some(Value::Object(paths)) = document.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(methods) = item else { continue };
            for (method, operation) in methods.iter_mut() {
                if let Value::Object(operation) = operation {
                    refine_operation(path, method, operation);
                }
            }
        }
    }
    if let Some(Value::Object(components)) = document.pointer_mut("/components/schemas") {
        link_schemas(components);
    }
    document
}

/// An error answer of the API's one shape.
fn error_answer(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": kycard_core::schema::reference("ErrorResponse") } },
    })
}

/// Operations anyone may call: health, readiness, signing in and the schemas.
fn public(path: &str, method: &str) -> bool {
    matches!(path, "/api/v1/health" | "/api/v1/ready" | "/api/v1/schemas/" | "/api/v1/schemas/{file}")
        || (path == "/api/v1/session" && method == "post")
}

fn refine_operation(path: &str, method: &str, operation: &mut Map<String, Value>) {
    if public(path, method) {
        operation.insert("security".to_owned(), json!([]));
    }
    let mut answers: Vec<(&str, &str)> = Vec::new();
    if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
        for parameter in parameters.iter_mut() {
            let name = parameter.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            if let Some(schema) = parameter_rule(path, &name) {
                parameter["schema"] = schema;
            }
            match name.as_str() {
                "Idempotency-Key" => {
                    answers.push(("409", "The key was used for another request, or its first request still runs"));
                }
                "Last-Event-ID" | "cursor" | "limit" | "status" | "stage" | "disposition" => {
                    answers.push(("400", "A malformed value"));
                }
                _ => {}
            }
        }
    }
    if path == "/api/v1/customers/{id}" && method == "patch" {
        operation["requestBody"]["content"]["application/json"]["schema"] =
            kycard_core::schema::reference(&kycard_core::schema::patch_name("CustomerData"));
    }
    if path == "/api/v1/customers/{id}/documents" && method == "post" {
        operation["requestBody"]["content"]["multipart/form-data"]["schema"] = upload_form();
    }
    if operation.get("requestBody").and_then(|b| b.pointer("/content/application~1json")).is_some() {
        answers.extend([
            ("400", "Not JSON, or JSON of the wrong shape"),
            ("413", "A body over 1 MiB"),
            ("415", "A body that is not `application/json`"),
        ]);
    }
    if !public(path, method) {
        answers.push(("401", "No or bad credentials"));
        if method != "get" {
            answers.push(("403", "The role may not, or a session's request without its CSRF token"));
        }
    }
    if path == "/api/v1/session" && method == "post" {
        answers.push(("429", "Too many attempts"));
    }
    let responses = operation.entry("responses").or_insert_with(|| json!({}));
    for (status, description) in answers {
        if responses.get(status).is_none() {
            responses[status] = error_answer(description);
        }
    }
    if let Some(refusals) = refusals(path, method) {
        operation.insert("x-kycard-refusals".to_owned(), refusals);
    }
    if path == "/api/v1/session" && method == "get" {
        // Only a browser session has a signed-in user; an API key has none.
        operation.insert("security".to_owned(), json!([{ "session": [] }]));
    }
    if let Some((status, links)) = links(path, method)
        && let Some(Value::Object(answer)) = operation.get_mut("responses").and_then(|r| r.get_mut(status))
    {
        answer.insert("links".to_owned(), links);
    }
}

/// A link to the operation at `path` and `method`, its parameters taken from the answer.
fn link(path: &str, method: &str, parameters: &Value) -> Value {
    json!({
        "operationRef": format!("#/paths/{}/{method}", path.replace('~', "~0").replace('/', "~1")),
        "parameters": parameters,
    })
}

/// Where an answer's resource can be used next (`links`), by the status that returns it: what
/// lets a client (or the fuzzer) follow a created customer to its documents, review and cards.
fn links(path: &str, method: &str) -> Option<(&'static str, Value)> {
    let id = json!({ "id": "$response.body#/id" });
    let versioned = json!({ "id": "$response.body#/id", "header.If-Match": "$response.header.ETag" });
    let customer = |prefix: &str| {
        let mut links = Map::new();
        for (name, target, method, parameters) in [
            ("read", "/api/v1/customers/{id}", "get", &id),
            ("change", "/api/v1/customers/{id}", "patch", &versioned),
            ("upload", "/api/v1/customers/{id}/documents", "post", &id),
            ("documents", "/api/v1/customers/{id}/documents", "get", &id),
            ("history", "/api/v1/customers/{id}/history", "get", &id),
            ("decide", "/api/v1/customers/{id}/review", "post", &id),
            ("simulate", "/api/v1/simulate/customers/{id}/review", "post", &id),
            ("issue", "/api/v1/customers/{id}/cards", "post", &id),
            ("cards", "/api/v1/customers/{id}/cards", "get", &id),
        ] {
            links.insert(format!("{prefix}{name}"), link(target, method, parameters));
        }
        Value::Object(links)
    };
    let card = || {
        json!({
            "read": link("/api/v1/cards/{id}", "get", &id),
            "freeze": link("/api/v1/cards/{id}/freeze", "post", &id),
            "unfreeze": link("/api/v1/cards/{id}/unfreeze", "post", &id),
            "cancel": link("/api/v1/cards/{id}/cancel", "post", &id),
        })
    };
    Some(match (path, method) {
        ("/api/v1/customers", "post") => ("201", customer("")),
        ("/api/v1/customers/{id}", "get" | "patch") => ("200", customer("")),
        ("/api/v1/customers/{id}/cards", "post") | ("/api/v1/cards/{id}", "get") => {
            (if method == "post" { "201" } else { "200" }, card())
        }
        ("/api/v1/customers/{id}/documents", "post") => (
            "201",
            json!({
                "content": link("/api/v1/documents/{id}/content", "get", &id),
                "preview": link("/api/v1/documents/{id}/preview", "get", &id),
            }),
        ),
        ("/api/v1/webhooks", "post") => (
            "201",
            json!({
                "deliveries": link("/api/v1/webhooks/{id}/deliveries", "get", &id),
                "remove": link("/api/v1/webhooks/{id}", "delete", &id),
            }),
        ),
        _ => return None,
    })
}

/// `{path: [codes]}` of rule lists.
fn fields(lists: &[&[(&str, &[&str])]]) -> Value {
    let mut fields = Map::new();
    for (path, codes) in lists.iter().copied().flatten() {
        fields.insert((*path).to_owned(), json!(codes));
    }
    Value::Object(fields)
}

/// What the server may refuse a request for although it fits the schema (`x-kycard-refusals`,
/// by status): the field rules no schema can say ([`kycard_core::schema`]), what the stored
/// customer decides on a `PATCH` (`unsent`: errors on fields the request did not send), an
/// upload judged by its content, and cursors that no page handed out.
fn refusals(path: &str, method: &str) -> Option<Value> {
    use kycard_core::schema::{CUSTOMER_SEMANTIC_RULES, PATCH_STATE_RULES, WEBHOOK_SEMANTIC_RULES};
    Some(match (path, method) {
        ("/api/v1/customers", "post") => json!({ "422": { "fields": fields(&[CUSTOMER_SEMANTIC_RULES]) } }),
        ("/api/v1/customers/{id}", "patch") => {
            json!({ "422": { "fields": fields(&[CUSTOMER_SEMANTIC_RULES, PATCH_STATE_RULES]), "unsent": true } })
        }
        ("/api/v1/webhooks", "post") => json!({ "422": { "fields": fields(&[WEBHOOK_SEMANTIC_RULES]) } }),
        ("/api/v1/customers/{id}/documents", "post") => json!({
            "415": { "codes": ["unsupported_media_type"] },
            "422": { "fields": { "kind": ["not_allowed"], "file": ["required"], "issued_on": ["required", "invalid_date"] } },
        }),
        ("/api/v1/customers/{id}/review", "post") => json!({ "422": { "fields": { "flags": ["invalid_choice"] } } }),
        ("/api/v1/customers" | "/api/v1/customers/{id}/history", "get") => {
            json!({ "400": { "mentions": ["`cursor`"] } })
        }
        ("/api/v1/events", "get") => json!({ "400": { "mentions": ["Last-Event-ID"] } }),
        _ => return None,
    })
}

/// The rule of a shared header or query value.
fn parameter_rule(path: &str, name: &str) -> Option<Value> {
    Some(match name {
        "Idempotency-Key" => {
            json!({ "type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX, "pattern": "^[!-~]+$" })
        }
        "If-Match" => json!({ "type": "string", "pattern": "^(?:W/)?\"?[0-9]{1,18}\"?$", "example": "\"3\"" }),
        "limit" => json!({ "type": "integer", "minimum": 1, "maximum": MAX_PAGE_LIMIT }),
        "status" if path == "/api/v1/customers" => json!({
            "type": "string",
            // Empty, as a form's "All" sends it: every status.
            "enum": kycard_core::status::CustomerStatus::ALL.iter().map(|s| s.as_str()).chain([""]).collect::<Vec<_>>(),
        }),
        "stage" => json!({ "type": "string", "enum": ["manual"] }),
        "disposition" => json!({ "type": "string", "enum": ["attachment", "inline"] }),
        _ => return None,
    })
}

/// The multipart form of an upload.
fn upload_form() -> Value {
    let kinds: Vec<&str> = kycard_core::documents::DocumentKind::ALL.iter().map(|k| k.as_str()).collect();
    let mut issued_on = kycard_core::schema::day();
    issued_on["description"] =
        json!("The date printed on a proof of address: required for one, ignored for the others.");
    json!({
        "type": "object",
        "required": ["kind", "file"],
        "additionalProperties": false,
        "properties": {
            "kind": { "type": "string", "enum": kinds },
            "issued_on": issued_on,
            "file": { "type": "string", "format": "binary", "description": "JPEG, PNG, WebP or PDF, judged from its content; at most 10 MiB." },
        },
    })
}

/// Replaces each copy of a component's object schema inside another component by a reference
/// to it. utoipa writes the type argument of a generic type out in full (`Page_Customer`'s
/// `data` items hold all of `Customer`; juhaku/utoipa#1586), so a generated client would get a
/// second, unnamed `Customer`, and the rules [`kycard_core::schema::refine`] adds to the named
/// one would miss the copy.
fn refer_to_components(components: &mut Map<String, Value>) {
    let objects: Vec<(String, Value)> = components
        .iter()
        .filter(|(_, schema)| schema.get("properties").is_some())
        .map(|(name, schema)| (name.clone(), schema.clone()))
        .collect();
    for schema in components.values_mut() {
        refer_within(schema, &objects);
    }
}

/// Replaces the copies of `objects` below `schema` (not `schema` itself) by references.
fn refer_within(schema: &mut Value, objects: &[(String, Value)]) {
    for inner in inner_schemas(schema) {
        if let Some((name, _)) = objects.iter().find(|(_, named)| named == &*inner) {
            *inner = kycard_core::schema::reference(name);
        } else {
            refer_within(inner, objects);
        }
    }
}

/// The schemas directly inside `schema`: its properties, items and alternatives.
fn inner_schemas(schema: &mut Value) -> Vec<&mut Value> {
    let Value::Object(fields) = schema else { return Vec::new() };
    let mut inner = Vec::new();
    for (key, value) in fields.iter_mut() {
        match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => inner.extend(properties.values_mut()),
            ("items" | "additionalProperties", value @ Value::Object(_)) => inner.push(value),
            ("oneOf" | "anyOf" | "allOf", Value::Array(alternatives)) => inner.extend(alternatives.iter_mut()),
            _ => {}
        }
    }
    inner
}

/// Links each component to its JSON Schema file (`externalDocs`).
fn link_schemas(components: &mut Map<String, Value>) {
    for (name, schema) in components.iter_mut() {
        if let Value::Object(fields) = schema {
            fields.insert(
                "externalDocs".to_owned(),
                json!({
                    "url": format!("{}{name}.json", schemas::BASE),
                    "description": "This type as a standalone JSON Schema (draft 2020-12)",
                }),
            );
        }
    }
}
