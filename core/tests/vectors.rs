//! Shared test vectors: JSON cases of input → expected result, run natively by `cargo test`
//! and in headless Chromium by `wasm-bindgen-test`, so the two targets cannot disagree.
//!
//! The files live in `vectors/` and are embedded with `include_str!` (a wasm test cannot read
//! files). A case starts from a named input of `bases.json`, then `set`s values at dotted paths
//! and `remove`s paths. A value `{"$repeat": "a", "times": N, "then": "…"}` builds long strings
//! without storing them. `check` says what is run:
//!
//! * `customer` — `validate_customer`; `expect` is `{"errors": [{path, code}]}` (the exact set)
//!   or `{"valid": true, "normalized": {path: value}}`.
//! * `patch` — `apply_patch(base, patch)` then `validate_customer`; same expectations.
//! * `requirements` — the documents the valid customer needs, in order.
//! * `proof_of_address` — `current`, `outdated` or `issued_in_future`.
//! * `content_type` — the type sniffed from `bytes_hex`, or null.
//! * `quality` — `working_gray` then `measure` of a pixel buffer; `expect` holds the working
//!   `gray` pixels and measures (to 1e-9), or `{"error": true}`.
//! * `quality_rules` — the first rule `measures` fail for a document `kind`, or null.

use chrono::NaiveDate;
use kycard_core::FieldErrorCode;
use kycard_core::customer::{apply_patch, validate_customer};
use kycard_core::documents::{ProofOfAddressError, proof_of_address_current, required_documents, sniff_content_type};
use kycard_core::i18n::Locale;
use kycard_core::quality::{Measures, Pixels, first_problem, measure, working_gray};
use kycard_core::wire::CustomerData;
use serde_json::{Map, Value};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const BASES: &str = include_str!("vectors/bases.json");

/// Every vector file, by name.
const FILES: &[(&str, &str)] = &[
    ("contact", include_str!("vectors/contact.json")),
    ("names", include_str!("vectors/names.json")),
    ("dates", include_str!("vectors/dates.json")),
    ("address", include_str!("vectors/address.json")),
    ("official_id", include_str!("vectors/official_id.json")),
    ("financial", include_str!("vectors/financial.json")),
    ("documents", include_str!("vectors/documents.json")),
    ("patch", include_str!("vectors/patch.json")),
    ("quality", include_str!("vectors/quality.json")),
];

fn cases(file: &str) -> Vec<Value> {
    let (_, text) = FILES.iter().find(|(name, _)| *name == file).expect("vector file listed");
    let parsed: Value = serde_json::from_str(text).expect("vector file is JSON");
    parsed["cases"].as_array().expect("`cases` array").clone()
}

fn date(value: &Value) -> NaiveDate {
    NaiveDate::parse_from_str(value.as_str().expect("date string"), "%Y-%m-%d").expect("valid test date")
}

/// Expands `{"$repeat": ...}` values.
fn expand(value: &Value) -> Value {
    match value.get("$repeat") {
        Some(unit) => {
            let times = usize::try_from(value["times"].as_u64().expect("times")).expect("fits");
            let then = value.get("then").and_then(Value::as_str).unwrap_or("");
            Value::String(unit.as_str().expect("unit").repeat(times) + then)
        }
        None => value.clone(),
    }
}

fn set_path(root: &mut Value, path: &str, value: Value) {
    let mut node = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let object = node.as_object_mut().expect("object");
        if parts.peek().is_none() {
            object.insert(part.to_owned(), value);
            return;
        }
        node = object.entry(part.to_owned()).or_insert_with(|| Value::Object(Map::new()));
    }
}

fn remove_path(root: &mut Value, path: &str) {
    let (parent, last) = path.rsplit_once('.').map_or(("", path), |(p, l)| (p, l));
    let node = if parent.is_empty() { Some(root) } else { parent.split('.').try_fold(root, |n, k| n.get_mut(k)) };
    if let Some(Value::Object(object)) = node {
        object.remove(last);
    }
}

fn get_path<'a>(root: &'a Value, path: &str) -> &'a Value {
    path.split('.').try_fold(root, |n, k| n.get(k)).unwrap_or(&Value::Null)
}

fn build_input(case: &Value) -> Value {
    let bases: Value = serde_json::from_str(BASES).expect("bases.json");
    let mut input = bases[case["base"].as_str().expect("base name")].clone();
    assert!(!input.is_null(), "unknown base");
    if let Some(removals) = case.get("remove").and_then(Value::as_array) {
        for path in removals {
            remove_path(&mut input, path.as_str().expect("path"));
        }
    }
    if let Some(sets) = case.get("set").and_then(Value::as_object) {
        for (path, value) in sets {
            set_path(&mut input, path, expand(value));
        }
    }
    input
}

fn to_data(value: Value) -> CustomerData {
    serde_json::from_value(value).expect("the vector input fits the wire type")
}

/// Runs one case; `Err` describes the mismatch.
fn run_case(case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    match case["check"].as_str().expect("check") {
        "customer" | "patch" => {
            let today = date(&case["today"]);
            let mut data = to_data(build_input(case));
            if case["check"] == "patch" {
                let patch = to_data(case["patch"].clone());
                data = match apply_patch(&data, &patch) {
                    Ok(merged) => merged,
                    Err(errors) => {
                        return compare_errors(expect, &listed(&errors));
                    }
                };
            }
            match validate_customer(&data, today) {
                Ok(valid) => {
                    if expect.get("valid") != Some(&Value::Bool(true)) {
                        return Err(format!("expected {expect}, but the input was valid"));
                    }
                    let normalized = serde_json::to_value(CustomerData::from(&valid)).expect("serialise");
                    for (path, want) in expect.get("normalized").and_then(Value::as_object).into_iter().flatten() {
                        let got = get_path(&normalized, path);
                        if got != want {
                            return Err(format!("{path}: expected {want}, got {got}"));
                        }
                    }
                    Ok(())
                }
                Err(errors) => compare_errors(expect, &listed(&errors)),
            }
        }
        "requirements" => {
            let data = to_data(build_input(case));
            let valid = validate_customer(&data, date(&case["today"])).map_err(|e| format!("base invalid: {e}"))?;
            let got: Vec<&str> = valid
                .individual
                .as_ref()
                .map(required_documents)
                .unwrap_or_default()
                .iter()
                .map(|k| k.as_str())
                .collect();
            let want: Vec<&str> =
                expect["documents"].as_array().expect("documents").iter().map(|v| v.as_str().expect("kind")).collect();
            if got == want { Ok(()) } else { Err(format!("expected {want:?}, got {got:?}")) }
        }
        "proof_of_address" => {
            let got = match proof_of_address_current(date(&case["issued_on"]), date(&case["today"])) {
                Ok(()) => "current",
                Err(ProofOfAddressError::Outdated) => "outdated",
                Err(ProofOfAddressError::IssuedInFuture) => "issued_in_future",
            };
            if expect["result"] == got { Ok(()) } else { Err(format!("expected {}, got {got}", expect["result"])) }
        }
        "content_type" => {
            let hex = case["bytes_hex"].as_str().expect("hex");
            let bytes: Vec<u8> =
                (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex byte")).collect();
            let got = sniff_content_type(&bytes).map(kycard_core::documents::ContentType::as_str);
            let want = expect["content_type"].as_str();
            if got == want { Ok(()) } else { Err(format!("expected {want:?}, got {got:?}")) }
        }
        "quality" => quality_case(case),
        "quality_rules" => {
            let kind = kycard_core::documents::DocumentKind::parse(case["kind"].as_str().expect("kind")).expect("kind");
            let measures: Measures = serde_json::from_value(case["measures"].clone()).expect("measures");
            let got = first_problem(kind, &measures).map(|r| r.rule.as_str());
            let want = expect["first_problem"].as_str();
            if got == want { Ok(()) } else { Err(format!("expected {want:?}, got {got:?}")) }
        }
        other => Err(format!("unknown check `{other}`")),
    }
}

fn quality_case(case: &Value) -> Result<(), String> {
    let expect = &case["expect"];
    let number = |key: &str| u32::try_from(case[key].as_u64().expect("size")).expect("fits");
    let data: Vec<u8> = case["pixels"]
        .as_array()
        .expect("pixels")
        .iter()
        .map(|v| u8::try_from(v.as_u64().expect("byte")).expect("byte"))
        .collect();
    let pixels = Pixels {
        width: number("width"),
        height: number("height"),
        channels: u8::try_from(number("channels")).expect("channels"),
        data: &data,
    };
    let gray = match (working_gray(pixels), expect["error"].as_bool()) {
        (Ok(gray), None) => gray,
        (Err(_), Some(true)) => return Ok(()),
        (got, _) => return Err(format!("expected {expect}, got {got:?}")),
    };
    if let Some(want) = expect.get("gray") {
        let want: Vec<u8> = serde_json::from_value(want.clone()).expect("gray");
        if gray.pixels != want {
            return Err(format!("gray: expected {want:?}, got {:?}", gray.pixels));
        }
    }
    let measured = serde_json::to_value(measure(&gray)).expect("serialise");
    for key in ["contrast", "sharpness", "dark_share", "bright_share"] {
        if let Some(want) = expect[key].as_f64() {
            let got = measured[key].as_f64().expect("number");
            if (got - want).abs() > 1e-9 {
                return Err(format!("{key}: expected {want}, got {got}"));
            }
        }
    }
    Ok(())
}

/// The errors as the API sends them, in English; each must also read in Spanish.
fn listed(errors: &kycard_core::ValidationErrors) -> Value {
    let spanish = errors.localized(Locale::Spanish);
    assert!(spanish.iter().all(|e| !e.message.is_empty()), "{spanish:?}");
    serde_json::to_value(errors.localized(Locale::English)).expect("serialise")
}

fn compare_errors(expect: &Value, got: &Value) -> Result<(), String> {
    let Some(want) = expect.get("errors").and_then(Value::as_array) else {
        return Err(format!("expected a valid input, got errors {got}"));
    };
    let got_list = got.as_array().expect("errors array");
    if let Some(e) = got_list.iter().find(|e| e["message"].as_str().is_none_or(str::is_empty)) {
        return Err(format!("error without a message: {e}"));
    }
    let pairs = |list: &[Value]| {
        let mut v: Vec<(String, String)> = list
            .iter()
            .map(|e| (e["path"].as_str().unwrap_or("").to_owned(), e["code"].as_str().unwrap_or("").to_owned()))
            .collect();
        v.sort();
        v
    };
    let (want, got) = (pairs(want), pairs(got_list));
    if want == got { Ok(()) } else { Err(format!("expected errors {want:?}, got {got:?}")) }
}

fn run_file(file: &str) {
    let failures: Vec<String> = cases(file)
        .iter()
        .filter_map(|case| run_case(case).err().map(|why| format!("[{file}] {}: {why}", case["name"])))
        .collect();
    assert!(failures.is_empty(), "{} failing vector(s):\n{}", failures.len(), failures.join("\n"));
}

macro_rules! vector_tests {
    ($($file:ident),+ $(,)?) => {$(
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $file() {
            run_file(stringify!($file));
        }
    )+};
}

vector_tests!(contact, names, dates, address, official_id, financial, documents, patch, quality);

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn vectors_cover_every_error_code_and_are_plenty() {
    let all: Vec<Value> = FILES.iter().flat_map(|(name, _)| cases(name)).collect();
    assert!(all.len() >= 150, "only {} vectors", all.len());
    let expected_codes: Vec<&str> = all
        .iter()
        .flat_map(|c| c["expect"].get("errors").and_then(Value::as_array).into_iter().flatten())
        .filter_map(|e| e["code"].as_str())
        .collect();
    for code in FieldErrorCode::ALL {
        assert!(expected_codes.contains(&code.as_str()), "no vector expects `{code}`");
    }
    // Every case names itself once, so a failure report points at exactly one case.
    let mut names: Vec<String> = all.iter().map(|c| c["name"].to_string()).collect();
    names.sort();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "duplicate vector names");
}
