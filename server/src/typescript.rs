//! TypeScript declarations of the wire types, written from their JSON Schemas, for the npm
//! package (`bindings/js/types.d.ts`, kept up to date by a test) and for API consumers
//! (`kycard schemas --typescript <file>`).
//!
//! The schemas use a small part of JSON Schema (objects, arrays, enums, `oneOf`, references,
//! `type` lists); anything else becomes `unknown`, never `any`.

use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The first line of the generated file.
pub const HEADER: &str = "// Generated from kycard's JSON Schemas by `kycard schemas --typescript`. Do not edit.";

/// Declarations of every schema (by file name, as [`crate::http::schemas::json_schemas`]
/// gives them), one exported type each, in name order.
pub fn declarations(schemas: &BTreeMap<String, Value>) -> String {
    let mut out = format!("{HEADER}\n");
    for (file, schema) in schemas {
        let name = type_name(file.trim_end_matches(".json"));
        out.push('\n');
        doc(&mut out, schema, "");
        match schema.get("properties").and_then(Value::as_object) {
            Some(properties) if schema.get("type") == Some(&Value::from("object")) => {
                let _ = writeln!(out, "export interface {name} {}", object_body(schema, properties, ""));
            }
            _ => {
                let _ = writeln!(out, "export type {name} = {};", type_of(schema, ""));
            }
        }
    }
    out
}

/// A file or component name as a TypeScript identifier (`Page_Customer` stays as it is).
fn type_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

fn doc(out: &mut String, schema: &Value, indent: &str) {
    if let Some(text) = schema.get("description").and_then(Value::as_str) {
        let _ = writeln!(out, "{indent}/**");
        for line in text.lines() {
            let _ = writeln!(out, "{indent} * {}", line.replace("*/", "*\\/").trim_end());
        }
        let _ = writeln!(out, "{indent} */");
    }
}

fn object_body(schema: &Value, properties: &Map<String, Value>, indent: &str) -> String {
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    let inner = format!("{indent}  ");
    let mut out = String::from("{\n");
    for (key, property) in properties {
        doc(&mut out, property, &inner);
        let optional = if required.contains(&key.as_str()) { "" } else { "?" };
        let key =
            if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') { key.clone() } else { format!("{key:?}") };
        let _ = writeln!(out, "{inner}{key}{optional}: {};", type_of(property, &inner));
    }
    out.push_str(indent);
    out.push('}');
    out
}

/// The TypeScript type a schema describes.
fn type_of(schema: &Value, indent: &str) -> String {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        return type_name(target.trim_end_matches(".json").rsplit('/').next().unwrap_or(target));
    }
    for (keyword, joiner) in [("oneOf", " | "), ("anyOf", " | "), ("allOf", " & ")] {
        if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
            let mut parts: Vec<String> = Vec::new();
            for part in options.iter().map(|o| parenthesised(o, indent)) {
                if !parts.contains(&part) {
                    parts.push(part);
                }
            }
            return parts.join(joiner);
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return values.iter().map(Value::to_string).collect::<Vec<_>>().join(" | ");
    }
    if let Some(value) = schema.get("const") {
        return value.to_string();
    }
    match schema.get("type") {
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(|t| single_type(schema, t, indent))
            .collect::<Vec<_>>()
            .join(" | "),
        Some(Value::String(t)) => single_type(schema, t, indent),
        _ => "unknown".to_owned(),
    }
}

fn parenthesised(schema: &Value, indent: &str) -> String {
    let inner = type_of(schema, indent);
    if inner.contains(" | ") || inner.contains(" & ") { format!("({inner})") } else { inner }
}

fn single_type(schema: &Value, name: &str, indent: &str) -> String {
    match name {
        "string" => "string".to_owned(),
        "integer" | "number" => "number".to_owned(),
        "boolean" => "boolean".to_owned(),
        "null" => "null".to_owned(),
        "array" => match schema.get("items") {
            Some(items) => format!("{}[]", parenthesised(items, indent)),
            None => "unknown[]".to_owned(),
        },
        "object" => match (schema.get("properties").and_then(Value::as_object), schema.get("additionalProperties")) {
            (Some(properties), _) => object_body(schema, properties, indent),
            (None, Some(values @ Value::Object(_))) => format!("Record<string, {}>", type_of(values, indent)),
            _ => "Record<string, unknown>".to_owned(),
        },
        _ => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn objects_enums_unions_and_references() {
        let schemas = BTreeMap::from([
            (
                "Thing.json".to_owned(),
                json!({
                    "type": "object",
                    "description": "A thing.",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "tags": {"type": "array", "items": {"oneOf": [{"$ref": "Tag.json"}, {"type": "null"}]}},
                        "size": {"type": ["integer", "null"]},
                        "extra": {"type": "object"},
                    }
                }),
            ),
            ("Tag.json".to_owned(), json!({"type": "string", "enum": ["a", "b"]})),
        ]);
        let text = declarations(&schemas);
        assert!(text.contains("export interface Thing {"), "{text}");
        assert!(text.contains("  id: string;"), "{text}");
        assert!(text.contains("  tags?: (Tag | null)[];"), "{text}");
        assert!(text.contains("  size?: number | null;"), "{text}");
        assert!(text.contains("  extra?: Record<string, unknown>;"), "{text}");
        assert!(text.contains("export type Tag = \"a\" | \"b\";"), "{text}");
        assert!(!text.contains("any"), "{text}");
    }
}
