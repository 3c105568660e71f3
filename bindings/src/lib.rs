//! kycard-core for JavaScript: the raw functions of the npm package `@kycard/core`.
//!
//! Each function takes and returns JSON text (or bytes), because one `JSON.stringify` in the
//! browser and one parse here cost less than walking a JS object field by field across the
//! wasm boundary. The package's JavaScript (`bindings/js/`) wraps them into the documented API
//! (`validateCustomer`, `requiredDocuments`, ...), and its TypeScript declarations describe
//! every input and output. Nothing here decides anything: every answer comes from core.

use chrono::NaiveDate;
use kycard_core::api_error::ApiErrorCode;
use kycard_core::country::Country;
use kycard_core::customer::{apply_patch, validate_customer};
use kycard_core::documents::Renewal;
use kycard_core::documents::{DocumentKind, ProofOfAddressError, proof_of_address_current, sniff_content_type};
use kycard_core::field_error::FieldErrorCode;
use kycard_core::i18n::Locale;
use kycard_core::quality::{self, Measures, Pixels};
use kycard_core::review::FlagTarget;
use kycard_core::status::{CustomerStatus, ReviewStage};
use kycard_core::wire::{CustomerData, FieldErrorBody, Requirement};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use wasm_bindgen::prelude::*;

/// The locale of a tag, English for anything else.
fn locale(tag: &str) -> Locale {
    Locale::from_tag(tag).unwrap_or_default()
}

fn to_json(value: &impl Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

/// A JSON value that is not what a function expects, as a `TypeError` for JavaScript.
fn bad_input(what: &str, error: &impl std::fmt::Display) -> JsError {
    JsError::new(&format!("{what}: {error}"))
}

fn parse_date(what: &str, raw: &str) -> Result<NaiveDate, JsError> {
    kycard_core::person::parse_day(raw).ok_or_else(|| bad_input(what, &format!("`{raw}` is not a YYYY-MM-DD date")))
}

/// What [`validate`] answers.
#[derive(Serialize)]
struct Validation {
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<CustomerData>,
    errors: Vec<FieldErrorBody>,
}

/// Checks a customer (`POST /customers` body, as JSON text) on `today` (`YYYY-MM-DD`):
/// `{ok, value?, errors}` as JSON text, messages in `locale`.
///
/// # Errors
///
/// A `TypeError`-like error when the JSON is not of the customer's shape (a wrong type, an
/// unknown field: what the server answers with `400 malformed_request`) or `today` is no date.
#[wasm_bindgen]
pub fn validate(customer_json: &str, today: &str, locale_tag: &str) -> Result<String, JsError> {
    let data: CustomerData = serde_json::from_str(customer_json).map_err(|e| bad_input("customer", &e))?;
    let today = parse_date("today", today)?;
    Ok(to_json(&validation(&data, today, locale(locale_tag))))
}

fn validation(data: &CustomerData, today: NaiveDate, locale: Locale) -> Validation {
    match validate_customer(data, today) {
        Ok(valid) => Validation { ok: true, value: Some(CustomerData::from(&valid)), errors: Vec::new() },
        Err(errors) => Validation { ok: false, value: None, errors: errors.localized(locale) },
    }
}

/// Applies a `PATCH` body to a customer's data and checks the result, as the server does:
/// `{ok, value?, errors}` as JSON text.
///
/// # Errors
///
/// As [`validate`], for either JSON text.
#[wasm_bindgen]
pub fn patch(current_json: &str, patch_json: &str, today: &str, locale_tag: &str) -> Result<String, JsError> {
    let current: CustomerData = serde_json::from_str(current_json).map_err(|e| bad_input("customer", &e))?;
    let patch: CustomerData = serde_json::from_str(patch_json).map_err(|e| bad_input("patch", &e))?;
    let today = parse_date("today", today)?;
    let locale = locale(locale_tag);
    Ok(to_json(&match apply_patch(&current, &patch) {
        Ok(merged) => validation(&merged, today, locale),
        Err(errors) => Validation { ok: false, value: None, errors: errors.localized(locale) },
    }))
}

/// One document a customer needs.
#[derive(Serialize)]
struct Needed {
    kind: DocumentKind,
    label: &'static str,
}

/// The documents a valid, enrolled customer needs, in checklist order, as JSON text: `[]`
/// outside the card program, `null` while the customer is not valid.
///
/// # Errors
///
/// As [`validate`].
#[wasm_bindgen(js_name = requiredDocuments)]
pub fn required_documents(customer_json: &str, today: &str, locale_tag: &str) -> Result<String, JsError> {
    let data: CustomerData = serde_json::from_str(customer_json).map_err(|e| bad_input("customer", &e))?;
    let today = parse_date("today", today)?;
    let locale = locale(locale_tag);
    let needed = validate_customer(&data, today).ok().map(|valid| {
        valid
            .individual
            .as_ref()
            .map(kycard_core::documents::required_documents)
            .unwrap_or_default()
            .into_iter()
            .map(|kind| Needed { kind, label: kind.label_in(locale) })
            .collect::<Vec<_>>()
    });
    Ok(to_json(&needed))
}

/// What [`eligibility`] answers.
#[derive(Serialize)]
struct Eligibility {
    allowed: bool,
    blocked_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<ApiErrorCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
}

/// What card eligibility reads of a customer as the API returns it (`wire::Customer`); the
/// other fields are ignored, so their parsers (dates and times) stay out of the download.
#[derive(Deserialize)]
struct CustomerFacts {
    id: Uuid,
    #[serde(default)]
    status: Option<CustomerStatus>,
    #[serde(default)]
    review: Option<ReviewFacts>,
    #[serde(default)]
    requirements: Vec<Requirement>,
    #[serde(default)]
    renewal: Option<RenewalFacts>,
}

/// A renewal, its date read by core's strict day parser.
#[derive(Deserialize)]
struct RenewalFacts {
    expires_on: String,
    expired: bool,
}

/// The review's part of [`CustomerFacts`].
#[derive(Deserialize)]
struct ReviewFacts {
    stage: ReviewStage,
    resubmittable: bool,
    #[serde(default)]
    flags: Vec<FlagFacts>,
}

/// A flag's target.
#[derive(Deserialize)]
struct FlagFacts {
    target: FlagTarget,
}

/// Whether a customer (as `GET /customers/{id}` returns it, JSON text) may get a card:
/// `{allowed, blocked_by, code?, message?}`, what the server would answer to `POST .../cards`.
///
/// # Errors
///
/// A `TypeError`-like error when the JSON is not a customer as the API returns it.
#[wasm_bindgen]
pub fn eligibility(customer_json: &str, locale_tag: &str) -> Result<String, JsError> {
    let customer: CustomerFacts = serde_json::from_str(customer_json).map_err(|e| bad_input("customer", &e))?;
    let renewal = match customer.renewal {
        Some(r) => {
            Some(Renewal { expires_on: parse_date("customer.renewal.expires_on", &r.expires_on)?, expired: r.expired })
        }
        None => None,
    };
    let flagged_fields: Vec<String> = customer
        .review
        .iter()
        .flat_map(|r| &r.flags)
        .filter_map(|f| match &f.target {
            FlagTarget::Field(path) => Some(path.clone()),
            FlagTarget::Document(_) => None,
        })
        .collect();
    let answer = match kycard_core::status::card_eligibility_from(
        customer.id,
        customer.status,
        customer.review.as_ref().map(|r| (r.stage, r.resubmittable)),
        &customer.requirements,
        &flagged_fields,
        renewal,
    ) {
        Ok(_) => Eligibility { allowed: true, blocked_by: Vec::new(), code: None, message: None },
        Err(refusal) => {
            let code = refusal.code();
            Eligibility {
                allowed: false,
                blocked_by: refusal.details().map(|d| d.blocked_by).unwrap_or_default(),
                code: Some(code),
                message: Some(code.label_in(locale(locale_tag))),
            }
        }
    };
    Ok(to_json(&answer))
}

/// Whether a proof of address issued on `issued_on` is current on `today`: `current`,
/// `outdated` or `issued_in_future`.
///
/// # Errors
///
/// When either date is not `YYYY-MM-DD`.
#[wasm_bindgen(js_name = proofOfAddress)]
pub fn proof_of_address(issued_on: &str, today: &str) -> Result<String, JsError> {
    let answer = match proof_of_address_current(parse_date("issuedOn", issued_on)?, parse_date("today", today)?) {
        Ok(()) => "current",
        Err(ProofOfAddressError::Outdated) => "outdated",
        Err(ProofOfAddressError::IssuedInFuture) => "issued_in_future",
    };
    Ok(answer.to_owned())
}

/// The content type judged from a file's first bytes (JPEG, PNG, WebP or PDF), or `undefined`.
#[wasm_bindgen(js_name = sniffContentType)]
pub fn sniff(head: &[u8]) -> Option<String> {
    sniff_content_type(head).map(|t| t.as_str().to_owned())
}

/// One quality rule's verdict.
#[derive(Serialize)]
struct Verdict {
    rule: quality::Rule,
    passed: bool,
    value: String,
    threshold: String,
    message: &'static str,
}

/// What [`measure_quality`] and [`judge_quality`] answer.
#[derive(Serialize)]
struct Quality {
    measures: Measures,
    rules: Vec<Verdict>,
    problem: Option<quality::Rule>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'static str>,
}

fn judged(kind: DocumentKind, measures: Measures, locale: Locale) -> Quality {
    let rules = quality::judge(kind, &measures);
    let problem = rules.iter().find(|r| !r.passed).map(|r| r.rule);
    Quality {
        measures,
        rules: rules
            .iter()
            .map(|r| Verdict {
                rule: r.rule,
                passed: r.passed,
                value: r.value_text(),
                threshold: r.threshold_text(),
                message: r.message_in(locale),
            })
            .collect(),
        problem,
        message: problem.map(|rule| rule.label_in(locale)),
    }
}

fn document_kind(raw: &str) -> Result<DocumentKind, JsError> {
    DocumentKind::parse(raw).ok_or_else(|| bad_input("kind", &format!("`{raw}` is not one of {}", kinds_list())))
}

fn kinds_list() -> String {
    DocumentKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
}

/// Measures a photo of a document (pixels as a canvas gives them) and judges it for `kind`:
/// `{measures, rules, problem, message?}` as JSON text.
///
/// # Errors
///
/// When the buffer's length is not `width × height × channels`, the shape is impossible, or
/// `kind` is not a document kind.
#[wasm_bindgen(js_name = measureQuality)]
pub fn measure_quality(
    width: u32,
    height: u32,
    channels: u8,
    data: &[u8],
    kind: &str,
    locale_tag: &str,
) -> Result<String, JsError> {
    let kind = document_kind(kind)?;
    let gray = quality::working_gray(Pixels { width, height, channels, data }).map_err(|e| bad_input("pixels", &e))?;
    Ok(to_json(&judged(kind, quality::measure(&gray), locale(locale_tag))))
}

/// Judges measures (as [`measure_quality`] gives them) for `kind`, as JSON text.
///
/// # Errors
///
/// When the measures are not of their shape or `kind` is not a document kind.
#[wasm_bindgen(js_name = judgeQuality)]
pub fn judge_quality(measures_json: &str, kind: &str, locale_tag: &str) -> Result<String, JsError> {
    let kind = document_kind(kind)?;
    let measures: Measures = serde_json::from_str(measures_json).map_err(|e| bad_input("measures", &e))?;
    Ok(to_json(&judged(kind, measures, locale(locale_tag))))
}

/// One value of a closed list, with its label.
#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

fn choice_list<T: Copy>(all: &[T], value: fn(T) -> &'static str, label: impl Fn(T) -> &'static str) -> Vec<Choice> {
    all.iter().map(|&v| Choice { value: value(v), label: label(v) }).collect()
}

/// Every closed list of the API, with its labels.
#[derive(Serialize)]
struct Choices {
    gender: Vec<Choice>,
    id_type: Vec<Choice>,
    occupation: Vec<Choice>,
    annual_salary_range: Vec<Choice>,
    account_purpose: Vec<Choice>,
    expected_monthly_volume: Vec<Choice>,
    country: Vec<Choice>,
    document_kind: Vec<Choice>,
}

/// Every closed list of the API with its labels in `locale`, as JSON text.
#[wasm_bindgen]
pub fn choices(locale_tag: &str) -> String {
    use kycard_core::financial::{AccountPurpose, MonthlyVolume, Occupation, SalaryRange};
    use kycard_core::official_id::IdType;
    use kycard_core::person::Gender;
    let l = locale(locale_tag);
    to_json(&Choices {
        gender: choice_list(Gender::ALL, Gender::as_str, |v| v.label_in(l)),
        id_type: choice_list(IdType::ALL, IdType::as_str, |v| v.label_in(l)),
        occupation: choice_list(Occupation::ALL, Occupation::as_str, |v| v.label_in(l)),
        annual_salary_range: choice_list(SalaryRange::ALL, SalaryRange::as_str, |v| v.label_in(l)),
        account_purpose: choice_list(AccountPurpose::ALL, AccountPurpose::as_str, |v| v.label_in(l)),
        expected_monthly_volume: choice_list(MonthlyVolume::ALL, MonthlyVolume::as_str, |v| v.label_in(l)),
        country: Country::all().map(|c| Choice { value: c.code(), label: c.name_in(l) }).collect(),
        document_kind: choice_list(DocumentKind::ALL, DocumentKind::as_str, |v| v.label_in(l)),
    })
}

/// One field of the customer form.
#[derive(Serialize)]
struct FieldLabel {
    path: &'static str,
    label: &'static str,
}

/// Every field of a customer, by request path in form order (the `individual_cards` switch,
/// then each text field), with its label in `locale`, as JSON text.
#[wasm_bindgen(js_name = fieldLabels)]
pub fn field_labels(locale_tag: &str) -> String {
    let l = locale(locale_tag);
    let fields: Vec<FieldLabel> = std::iter::once(kycard_core::paths::INDIVIDUAL_CARDS)
        .chain(kycard_core::form::TEXT_FIELDS.iter().copied())
        .map(|path| FieldLabel { path, label: kycard_core::paths::label_in(path, l) })
        .collect();
    to_json(&fields)
}

/// One entry of the error catalogue.
#[derive(Serialize)]
struct CatalogueEntry {
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    message: &'static str,
}

/// The error catalogue.
#[derive(Serialize)]
struct Catalogue {
    api: Vec<CatalogueEntry>,
    field: Vec<CatalogueEntry>,
}

/// Every error code with its meaning in `locale`, as JSON text: `{api: [{code, status,
/// message}], field: [{code, message}]}`.
#[wasm_bindgen(js_name = errorCatalogue)]
pub fn error_catalogue(locale_tag: &str) -> String {
    let l = locale(locale_tag);
    let api: Vec<CatalogueEntry> = ApiErrorCode::ALL
        .iter()
        .map(|c| CatalogueEntry { code: c.as_str(), status: Some(c.status()), message: c.label_in(l) })
        .collect();
    let field: Vec<CatalogueEntry> = FieldErrorCode::ALL
        .iter()
        .map(|c| CatalogueEntry { code: c.as_str(), status: None, message: c.label_in(l) })
        .collect();
    to_json(&Catalogue { api, field })
}

/// The supported locale among language tags in order of preference (comma-separated, as
/// `navigator.languages.join(",")`), else `en`.
#[wasm_bindgen(js_name = negotiateLocale)]
pub fn negotiate_locale(tags: &str) -> String {
    Locale::negotiate(tags.split(',')).as_str().to_owned()
}
