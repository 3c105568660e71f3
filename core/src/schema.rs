//! What JSON Schema can say of core's rules, added to the schemas utoipa derives from the wire
//! types (which know their shapes, not their rules): which fields are required, the patterns,
//! lengths and lists each field must fit, the `individual` block that `individual_cards`
//! requires, and a `…Patch` twin of each request type for `PATCH`, where every field may be
//! left out.
//!
//! Every pattern is written with explicit characters, so it means the same to the ECMA-262,
//! Python and Rust regex engines that API consumers validate and generate with. What no schema
//! can say is listed in [`CUSTOMER_SEMANTIC_RULES`] and its siblings: the server may refuse a
//! request that fits the schema for those reasons only, and the `OpenAPI` document says so on
//! each operation (`x-kycard-refusals`).

use crate::country::Country;
use crate::documents::DocumentKind;
use crate::person::{ADDRESS_PART_MAX_CHARS, NAME_MAX_CHARS};
use crate::review::{FLAG_MESSAGE_MAX_CHARS, FLAGGABLE_FIELDS};
use serde_json::{Map, Value, json};

/// Characters core trims from the ends of a value (Rust's `char::is_whitespace`).
const BLANKS: &str = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Characters [`crate::field_error::plain_text`] refuses: controls other than blanks, and the
/// invisible direction marks.
const HIDDEN: &str = r"\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069";

/// The fields of a customer (by request path) and the codes the server may answer for a value
/// that fits the schema: rules that depend on the day (ages, expiry), on another field (postal
/// codes and document numbers by country), on the days of each month, or on Unicode classes
/// (letters of any script in names, internationalised email domains) that no regex dialect
/// shared by every engine can name.
pub const CUSTOMER_SEMANTIC_RULES: &[(&str, &[&str])] = &[
    ("contact.email", &["invalid_email"]),
    ("individual.personal.full_name", &["invalid_characters", "too_short"]),
    ("individual.personal.date_of_birth", &["invalid_date", "in_future", "too_young", "too_old"]),
    ("individual.personal.address.postal_code", &["required", "invalid_postal_code"]),
    ("individual.official_id.number", &["invalid_format", "invalid_check_digit"]),
    ("individual.official_id.expires_on", &["invalid_date", "expired"]),
];

/// What a `PATCH` may be refused for besides [`CUSTOMER_SEMANTIC_RULES`]: what the stored
/// customer decides (leaving the program, the program's block on a customer outside it).
pub const PATCH_STATE_RULES: &[(&str, &[&str])] =
    &[("individual_cards", &["cannot_disable"]), ("individual", &["required", "not_allowed"])];

/// The webhook fields the server may refuse when they fit the schema: an address that resolves
/// to a private network, or a URL its parser refuses.
pub const WEBHOOK_SEMANTIC_RULES: &[(&str, &[&str])] = &[("url", &["invalid_format", "not_allowed"])];

/// Text that must hold something besides blanks, without hidden characters.
fn required_text(max: usize) -> Value {
    json!({
        "type": "string",
        "maxLength": max,
        "pattern": format!("^[{BLANKS}]*[^{BLANKS}{HIDDEN}][^{HIDDEN}]*$"),
    })
}

/// Text that may be empty (an empty optional field is left out), without hidden characters.
fn optional_text(max: usize) -> Value {
    json!({ "type": ["string", "null"], "maxLength": max, "pattern": format!("^[^{HIDDEN}]*$") })
}

/// A `YYYY-MM-DD` date, blanks around it allowed (whether the day exists is checked by core):
/// the schema of every date a request sends, in a JSON body or a form.
pub fn day() -> Value {
    json!({
        "type": "string",
        "pattern": format!("^[{BLANKS}]*[0-9]{{4}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[{BLANKS}]*$"),
    })
}

/// An ISO 3166-1 alpha-2 code that exists, in any letter case.
fn country() -> Value {
    let codes: Vec<String> = Country::all()
        .map(|c| c.code().chars().flat_map(|l| ['[', l, l.to_ascii_lowercase(), ']']).collect::<String>())
        .collect();
    json!({ "type": "string", "pattern": format!("^[{BLANKS}]*(?:{})[{BLANKS}]*$", codes.join("|")) })
}

/// An email address's shape: a local part, `@`, a domain with a dot, in any script (what else
/// core checks, dot-atoms and labels, is in [`CUSTOMER_SEMANTIC_RULES`]).
fn email() -> Value {
    json!({
        "type": "string",
        "maxLength": 254,
        "pattern": format!("^[{BLANKS}]*[^\\s@]{{1,64}}@[^\\s@]+\\.[^\\s@]+[{BLANKS}]*$"),
    })
}

/// A phone number as core reads it: `+`, then 7 to 15 digits (the first not 0), with spaces,
/// dots, dashes and brackets anywhere.
fn phone() -> Value {
    let sep = r"[ .()\-]*";
    json!({
        "type": "string",
        "pattern": format!("^[{BLANKS}]*{sep}\\+{sep}[1-9](?:{sep}[0-9]){{6,14}}{sep}[{BLANKS}]*$"),
    })
}

/// A reference to a component schema of the `OpenAPI` document: `{"$ref": "#/components/schemas/X"}`.
pub fn reference(component: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{component}") })
}

/// The rules of one component: its properties' schemas and its required properties.
struct ComponentRules {
    component: &'static str,
    properties: Vec<(&'static str, Value)>,
    required: &'static [&'static str],
}

/// Applies the rules to the component schemas of an `OpenAPI` document (as JSON).
pub fn refine(components: &mut Map<String, Value>) {
    for ComponentRules { component, properties, required } in field_rules() {
        let Some(Value::Object(schema)) = components.get_mut(component) else { continue };
        let own = schema.entry("properties").or_insert_with(|| json!({}));
        for (name, mut rule) in properties {
            let description = own.get(name).and_then(|p| p.get("description")).cloned();
            if let (Some(description), Value::Object(fields)) = (description, &mut rule) {
                fields.insert("description".to_owned(), description);
            }
            own[name] = rule;
        }
        if !required.is_empty() {
            schema.insert("required".to_owned(), json!(required));
        }
    }
    if let Some(Value::Object(customer)) = components.get_mut("CustomerData") {
        customer_conditions(customer);
    }
    if let Some(Value::Object(decision)) = components.get_mut("ReviewDecisionRequest") {
        decision.insert(
            "if".to_owned(),
            json!({ "properties": { "decision": { "const": "approve" } }, "required": ["decision"] }),
        );
        decision.insert("then".to_owned(), json!({ "properties": { "flags": { "maxItems": 0 } } }));
        decision
            .insert("else".to_owned(), json!({ "properties": { "flags": { "minItems": 1 } }, "required": ["flags"] }));
    }
    add_patch_twins(components);
}

/// Each component's field rules.
fn field_rules() -> Vec<ComponentRules> {
    let text = required_text;
    let rules = |component, properties, required| ComponentRules { component, properties, required };
    vec![
        rules("ContactData", vec![("email", email()), ("phone", phone())], &["email", "phone"]),
        rules(
            "PersonalData",
            vec![
                ("full_name", text(NAME_MAX_CHARS)),
                ("date_of_birth", day()),
                ("gender", reference("Gender")),
                ("address", reference("AddressData")),
            ],
            &["full_name", "date_of_birth", "gender", "address"],
        ),
        rules(
            "AddressData",
            vec![
                ("line1", text(ADDRESS_PART_MAX_CHARS)),
                ("line2", optional_text(ADDRESS_PART_MAX_CHARS)),
                ("city", text(ADDRESS_PART_MAX_CHARS)),
                ("region", optional_text(ADDRESS_PART_MAX_CHARS)),
                ("postal_code", optional_text(ADDRESS_PART_MAX_CHARS)),
                ("country", country()),
            ],
            &["line1", "city", "country"],
        ),
        rules(
            "OfficialIdData",
            vec![
                ("type", reference("IdType")),
                (
                    "number",
                    json!({
                        "type": "string",
                        "maxLength": 64,
                        "pattern": format!("^[{BLANKS}]*[ .\\-]*[A-Za-z0-9][A-Za-z0-9 .\\-]*[{BLANKS}]*$"),
                    }),
                ),
                ("issuing_country", country()),
                ("expires_on", day()),
            ],
            &["type", "number", "issuing_country", "expires_on"],
        ),
        rules(
            "FinancialData",
            vec![
                ("occupation", reference("Occupation")),
                ("annual_salary_range", reference("SalaryRange")),
                ("account_purpose", reference("AccountPurpose")),
                ("expected_monthly_volume", reference("MonthlyVolume")),
            ],
            &["occupation", "annual_salary_range", "account_purpose", "expected_monthly_volume"],
        ),
        rules(
            "IndividualData",
            vec![
                ("personal", reference("PersonalData")),
                ("official_id", reference("OfficialIdData")),
                ("financial", reference("FinancialData")),
            ],
            &["personal", "official_id", "financial"],
        ),
        rules(
            "CreateWebhookRequest",
            vec![
                (
                    "url",
                    json!({ "type": "string", "maxLength": crate::webhook::URL_MAX, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://[^\\s#]+$" }),
                ),
                ("events", json!({ "type": "array", "minItems": 1, "items": reference("EventType") })),
            ],
            &["url", "events"],
        ),
        rules(
            "Flag",
            vec![
                ("target", flag_target()),
                (
                    "message",
                    json!({ "type": "string", "maxLength": FLAG_MESSAGE_MAX_CHARS, "pattern": format!("^[^{HIDDEN}]*$") }),
                ),
            ],
            &["target", "code"],
        ),
    ]
}

/// `contact` always, `individual` exactly when `individual_cards` is true, and examples.
fn customer_conditions(customer: &mut Map<String, Value>) {
    customer.insert("required".to_owned(), json!(["contact"]));
    customer.insert("properties".to_owned(), json!({
        "contact": reference("ContactData"),
        "individual_cards": { "type": ["boolean", "null"], "description": "Enrols the customer in the individual card program; absent means `false`." },
        "individual": {
            "oneOf": [reference("IndividualData"), { "type": "null" }],
            "description": "Required when `individual_cards` is true, refused otherwise.",
        },
    }));
    customer.insert(
        "if".to_owned(),
        json!({ "properties": { "individual_cards": { "const": true } }, "required": ["individual_cards"] }),
    );
    customer.insert(
        "then".to_owned(),
        json!({ "properties": { "individual": reference("IndividualData") }, "required": ["individual"] }),
    );
    customer.insert("else".to_owned(), json!({ "properties": { "individual": { "type": "null" } } }));
    customer.insert("examples".to_owned(), json!([
        { "contact": { "email": "ana@example.com", "phone": "+34 600 111 222" }, "individual_cards": false },
        {
            "contact": { "email": "ana@example.com", "phone": "+34600111222" },
            "individual_cards": true,
            "individual": {
                "personal": {
                    "full_name": "Ana María García López", "date_of_birth": "1990-04-01", "gender": "female",
                    "address": { "line1": "Calle Mayor 1", "city": "Madrid", "postal_code": "28013", "country": "ES" },
                },
                "official_id": { "type": "national_id", "number": "12345678Z", "issuing_country": "ES", "expires_on": "2099-05-20" },
                "financial": {
                    "occupation": "engineer", "annual_salary_range": "50k_100k",
                    "account_purpose": "everyday_spending", "expected_monthly_volume": "1k_5k",
                },
            },
        },
    ]));
}

/// `document:<kind>` or `field:<path>` of a flaggable field.
fn flag_target() -> Value {
    let kinds: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.as_str()).collect();
    let fields: Vec<String> = FLAGGABLE_FIELDS.iter().map(|f| f.replace('.', "\\.")).collect();
    json!({
        "type": "string",
        "pattern": format!("^(?:document:(?:{})|field:(?:{}))$", kinds.join("|"), fields.join("|")),
        "example": "document:proof_of_address",
    })
}

/// The request types of a customer, whose `…Patch` twins `PATCH` takes.
const PATCHABLE: &[&str] = &[
    "CustomerData",
    "ContactData",
    "IndividualData",
    "PersonalData",
    "AddressData",
    "OfficialIdData",
    "FinancialData",
];

/// The name of a request type's `PATCH` twin: `CustomerData` → `CustomerPatch`.
pub fn patch_name(component: &str) -> String {
    format!("{}Patch", component.trim_end_matches("Data"))
}

/// Adds `CustomerPatch` and its parts: the same fields and rules, none required (a field left
/// out keeps its value), each may be `null` (the same), and no `individual_cards` condition
/// (the stored customer decides).
fn add_patch_twins(components: &mut Map<String, Value>) {
    for component in PATCHABLE {
        let Some(mut twin) = components.get(*component).cloned() else { continue };
        if let Value::Object(fields) = &mut twin {
            for keyword in ["required", "if", "then", "else"] {
                fields.remove(keyword);
            }
            if let Some(Value::Object(properties)) = fields.get_mut("properties") {
                for property in properties.values_mut() {
                    nullable_patch(property);
                }
            }
            fields.insert(
                "description".to_owned(),
                json!(format!(
                    "`{component}` for `PATCH`: only the fields sent change; an empty optional text clears it."
                )),
            );
        }
        components.insert(patch_name(component), twin);
    }
}

/// A patch property: references point to the patch twins, and `null` is allowed.
fn nullable_patch(property: &mut Value) {
    let Value::Object(fields) = property else { return };
    if let Some(Value::Array(options)) = fields.get_mut("oneOf") {
        for option in options.iter_mut() {
            if let Some(Value::String(target)) = option.get_mut("$ref") {
                *target = patch_reference(target);
            }
        }
        if !options.iter().any(|o| o.get("type") == Some(&json!("null"))) {
            options.push(json!({ "type": "null" }));
        }
        return;
    }
    if let Some(Value::String(target)) = fields.remove("$ref") {
        let description = fields.remove("description");
        fields.clear();
        fields.insert("oneOf".to_owned(), json!([{ "$ref": patch_reference(&target) }, { "type": "null" }]));
        if let Some(description) = description {
            fields.insert("description".to_owned(), description);
        }
        return;
    }
    match fields.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let single = t.clone();
            fields.insert("type".to_owned(), json!([single, "null"]));
        }
        Some(Value::Array(types)) if !types.contains(&json!("null")) => types.push(json!("null")),
        _ => {}
    }
}

/// A reference to a request type, turned to its patch twin (other references stay).
fn patch_reference(target: &str) -> String {
    let name = target.rsplit('/').next().unwrap_or_default();
    if PATCHABLE.contains(&name) { format!("#/components/schemas/{}", patch_name(name)) } else { target.to_owned() }
}
