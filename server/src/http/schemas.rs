//! JSON Schemas (draft 2020-12) of every wire type, for API consumers who generate types or
//! validate payloads: `GET /api/v1/schemas/` lists them, `GET /api/v1/schemas/{name}.json`
//! serves one, and `kycard schemas --out <folder>` writes them all.
//!
//! They are the `OpenAPI` document's component schemas (derived from core's Rust types), each
//! made a document of its own: references between them become relative file references
//! (`Customer.json` refers to `ContactData.json`), so a folder of them works offline as well
//! as over HTTP. Each component of the `OpenAPI` document links to its file
//! (`externalDocs`). They need no credentials: they describe shapes, not data.

use crate::error::AppError;
use axum::Json;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Where the schemas are served.
pub const BASE: &str = "/api/v1/schemas/";
/// The dialect every schema declares.
pub const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
const COMPONENT_REF: &str = "#/components/schemas/";

/// Every schema by file name (`CustomerData.json`), built once.
static SCHEMAS: LazyLock<BTreeMap<String, Value>> = LazyLock::new(|| json_schemas(super::openapi::document()));

/// The standalone schemas of an `OpenAPI` document's components, by file name.
pub fn json_schemas(document: &Value) -> BTreeMap<String, Value> {
    let components = document.pointer("/components/schemas").and_then(Value::as_object).cloned().unwrap_or_default();
    components
        .into_iter()
        .map(|(name, mut schema)| {
            relative_refs(&mut schema);
            let mut standalone = Map::new();
            standalone.insert("$schema".to_owned(), json!(DIALECT));
            standalone.insert("$id".to_owned(), json!(file_name(&name)));
            standalone.insert("title".to_owned(), json!(name));
            if let Value::Object(fields) = schema {
                standalone.extend(fields.into_iter().filter(|(k, _)| k != "externalDocs"));
            }
            (file_name(&name), Value::Object(standalone))
        })
        .collect()
}

fn file_name(component: &str) -> String {
    format!("{component}.json")
}

/// `#/components/schemas/X` becomes `X.json`, everywhere in `value`.
fn relative_refs(value: &mut Value) {
    match value {
        Value::Object(fields) => {
            for (key, inner) in fields.iter_mut() {
                match inner {
                    Value::String(target) if key == "$ref" => {
                        if let Some(name) = target.strip_prefix(COMPONENT_REF) {
                            *target = file_name(name);
                        }
                    }
                    _ => relative_refs(inner),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(relative_refs),
        _ => {}
    }
}

/// One entry of the schema list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SchemaLink {
    /// The wire type, e.g. `CustomerData`.
    pub name: String,
    /// Where its schema is served.
    pub url: String,
}

/// The list of schemas.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SchemaIndex {
    /// The dialect, `https://json-schema.org/draft/2020-12/schema`.
    pub dialect: String,
    /// Every wire type's schema.
    pub schemas: Vec<SchemaLink>,
}

/// Lists the JSON Schema of every wire type.
#[utoipa::path(
    get,
    path = "/api/v1/schemas/",
    tag = "schemas",
    security(()),
    responses((status = 200, description = "Every schema's name and address", body = SchemaIndex))
)]
pub async fn index() -> Json<SchemaIndex> {
    Json(SchemaIndex {
        dialect: DIALECT.to_owned(),
        schemas: SCHEMAS
            .keys()
            .map(|file| SchemaLink { name: file.trim_end_matches(".json").to_owned(), url: format!("{BASE}{file}") })
            .collect(),
    })
}

/// One wire type's JSON Schema (draft 2020-12).
#[utoipa::path(
    get,
    path = "/api/v1/schemas/{file}",
    tag = "schemas",
    security(()),
    params(("file" = String, Path, description = "`<Type>.json`, as the list names it", pattern = r"^[A-Za-z0-9_]+\.json$")),
    responses(
        (status = 200, description = "The schema", content_type = "application/schema+json", body = Object),
        (status = 404, description = "No wire type of that name", body = kycard_core::wire::ErrorResponse),
    )
)]
pub async fn schema(Path(file): Path<String>) -> Result<Response, AppError> {
    let schema = SCHEMAS.get(&file).ok_or(AppError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, "application/schema+json")], Json(schema.clone())).into_response())
}

/// The routes, under `/api/v1`.
pub fn routes<S: Clone + Send + Sync + 'static>() -> axum::Router<S> {
    axum::Router::new().route("/schemas/", get(index)).route("/schemas/{file}", get(schema))
}

/// `kycard schemas`: writes every schema into `folder` (created when missing), one file each,
/// and the TypeScript declarations of them all into `typescript`; says what it wrote.
pub fn write(folder: Option<&std::path::Path>, typescript: Option<&std::path::Path>) -> Result<String, String> {
    let mut said = Vec::new();
    if let Some(folder) = folder {
        let fail = |e: std::io::Error| format!("cannot write the schemas into {}: {e}", folder.display());
        std::fs::create_dir_all(folder).map_err(fail)?;
        for (file, schema) in SCHEMAS.iter() {
            let text = serde_json::to_string_pretty(schema).unwrap_or_default();
            std::fs::write(folder.join(file), text + "\n").map_err(fail)?;
        }
        said.push(format!("wrote {} JSON Schemas into {}", SCHEMAS.len(), folder.display()));
    }
    if let Some(file) = typescript {
        std::fs::write(file, typescript_declarations()).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        said.push(format!("wrote the TypeScript declarations to {}", file.display()));
    }
    Ok(said.join("\n"))
}

/// The TypeScript declarations of every wire type.
pub fn typescript_declarations() -> String {
    crate::typescript::declarations(&SCHEMAS)
}
