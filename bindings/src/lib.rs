//! kycard-core for JavaScript: the raw functions of the npm package `@kycard/core`.
//!
//! The package's JavaScript (`bindings/js/api.js`) wraps these into the documented API
//! (`validateCustomer`, `requiredDocuments`, ...) and its TypeScript declarations describe every
//! input and output. Nothing here decides anything: every answer comes from core.
//!
//! # A flat protocol, not JSON
//!
//! Values cross the wasm boundary as numbers, bytes and flat text (fields separated by US,
//! `\x1f`; records by RS, `\x1e`; groups of records by GS, `\x1d`), not as JSON. With JSON,
//! `validateCustomer` on a full, valid profile took 30 µs in Node, of which core's
//! `validate_customer` was under 3 µs: the rest was `JSON.stringify`, `serde_json` reading
//! the customer and writing the answer, and `JSON.parse`; and `serde_json` with its float
//! tables and the derived code was a third of the download. Now no serde code is in the wasm,
//! and the same call takes about 5 µs in Node, some 2 of them in core.
//!
//! A customer's data (`CustomerData`) travels as a `u32` mask of what was given and the
//! values of the given text fields, in the order of [`form::TEXT_FIELDS`], each as its length
//! in bytes (32 bits, little endian) then its UTF-8:
//!
//! * bit `i` (`i < T`, `T` the number of text fields): text field `i` is a string (absent or
//!   `null` otherwise);
//! * bit `T + j`: the object [`form::OBJECTS`]`[j]` is an object (an empty object is not an
//!   absent one: without the card program `"individual": {}` is refused);
//! * the next two bits (`SWITCH_GIVEN`, `SWITCH_ON`): `individual_cards` is a boolean, and true.
//!
//! [`field_paths`] gives JavaScript that layout, so the paths are written only in core. The
//! JavaScript checks every JSON type as the server's parser does (unknown fields refused at
//! every level), so a wrong type is still a `TypeError` before anything reaches here, and it
//! encodes the values itself, straight into the wasm's memory where [`input`] says: one pass
//! over the characters costs less than joining the strings and having them encoded, no
//! character needs escaping, and neither a copy nor an allocation is needed per call. The
//! call's `today` and locale tag follow the customers there, the same way. The customer's
//! data is read into the buffers of the last call's, which fit when a form is checked again.
//!
//! The answer for a customer is nothing (`undefined`) when it is valid and its normalised
//! data is the data sent (as a form sends it once it has shown the normalised values), found
//! by comparing without building the normalised data ([`ValidCustomer::each_text`]); the
//! normalised data when valid otherwise: the mask of what it holds, the mask of the text
//! fields whose value changed, then those values, joined by US; and RS followed by its errors
//! (`path`, `code`, `message` records) when it is not valid. Normalised values and messages
//! never hold a separator: core refuses control characters, and its messages are its own
//! sentences.

use std::cell::RefCell;

use chrono::NaiveDate;
use kycard_core::api_error::ApiErrorCode;
use kycard_core::country::Country;
use kycard_core::customer::{ValidCustomer, apply_patch, validate_customer};
use kycard_core::documents::{
    DocumentKind, ProofOfAddressError, Renewal, RequirementState, proof_of_address_current, sniff_content_type,
};
use kycard_core::field_error::{FieldErrorCode, ValidationErrors};
use kycard_core::i18n::Locale;
use kycard_core::quality::{self, Measures, Pixels};
use kycard_core::review::FlagTarget;
use kycard_core::status::{CustomerStatus, ReviewStage};
use kycard_core::wire::{CustomerData, Requirement};
use kycard_core::{form, paths};
use uuid::Uuid;
use wasm_bindgen::prelude::*;

// The separators are `char`s: split by a `&str`, Rust searches with its two-way substring
// searcher, which brought string escaping and its Unicode tables along: 4 KB of the wasm with
// brotli. A `char` needs only a byte scan.

/// Separates the fields of a record (ASCII unit separator).
const US: char = '\u{1f}';
/// Separates records (ASCII record separator).
const RS: char = '\u{1e}';
/// Separates groups of records (ASCII group separator).
const GS: char = '\u{1d}';

/// How many text fields a flat customer holds: bits `0..TEXT` of its mask.
const TEXT: usize = form::TEXT_FIELDS.len();
/// The mask bit saying `individual_cards` is a boolean (not absent or `null`).
const SWITCH_GIVEN: u32 = 1 << (TEXT + form::OBJECTS.len());
/// The mask bit saying `individual_cards` is true.
const SWITCH_ON: u32 = SWITCH_GIVEN << 1;
const _: () = assert!(TEXT + form::OBJECTS.len() + 2 <= 32, "a flat customer's mask is a u32");

/// The mask bit of the object [`form::OBJECTS`]`[index]`.
const fn object_bit(index: usize) -> u32 {
    1 << (TEXT + index)
}

/// The locale of a tag, English for anything else.
fn locale(tag: &str) -> Locale {
    Locale::from_tag(tag).unwrap_or_default()
}

/// A value that is not what a function expects, as an error JavaScript turns into a
/// `TypeError`.
fn bad_input(what: &str, error: &str) -> JsError {
    JsError::new(&format!("{what}: {error}"))
}

fn parse_date(what: &str, raw: &str) -> Result<NaiveDate, JsError> {
    kycard_core::person::parse_day(raw).ok_or_else(|| bad_input(what, &format!("`{raw}` is not a YYYY-MM-DD date")))
}

/// A wire name of one of core's closed lists, or an error listing the names.
fn parse_choice<T: Copy>(
    what: &str,
    raw: &str,
    parse: fn(&str) -> Option<T>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Result<T, JsError> {
    parse(raw).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|&v| name(v)).collect();
        bad_input(what, &format!("`{raw}` is not one of {}", names.join(", ")))
    })
}

/// Records of fields as flat text: fields joined by US, records by RS.
fn table<'a, const N: usize>(records: impl IntoIterator<Item = [&'a str; N]>) -> String {
    let mut text = String::new();
    for (i, record) in records.into_iter().enumerate() {
        if i > 0 {
            text.push(RS);
        }
        for (j, field) in record.iter().enumerate() {
            if j > 0 {
                text.push(US);
            }
            text.push_str(field);
        }
    }
    text
}

/// The layout of a flat customer (see the module's documentation), as three records: the
/// `individual_cards` path; every field's path in the order `CustomerData` lists them (the
/// text fields in the order of their values and mask bits, `individual_cards` just before the
/// `individual` block it enables), so an answer's keys come in the server's order; the
/// objects' paths, in the order of their mask bits. Paths are joined by US.
#[wasm_bindgen(js_name = fieldPaths)]
pub fn field_paths() -> String {
    let in_program = |path: &&str| path.strip_prefix(paths::INDIVIDUAL).is_some_and(|rest| rest.starts_with('.'));
    let (contact, program) = form::TEXT_FIELDS.split_at(form::TEXT_FIELDS.iter().position(in_program).unwrap_or(TEXT));
    let fields = [contact, &[paths::INDIVIDUAL_CARDS], program].concat();
    [&[paths::INDIVIDUAL_CARDS][..], &fields, form::OBJECTS]
        .map(|paths| paths.join(&String::from(US)))
        .join(&String::from(RS))
}

/// The next value of a customer's bytes: its length (32 bits, little endian), then its UTF-8.
fn next_value<'a>(bytes: &mut &'a [u8]) -> Option<&'a str> {
    let (length, rest) = bytes.split_first_chunk::<4>()?;
    let (value, tail) = rest.split_at_checked(usize::try_from(u32::from_le_bytes(*length)).ok()?)?;
    *bytes = tail;
    std::str::from_utf8(value).ok()
}

/// A customer's data read from a call's input, kept for the next call: a form checked again
/// and again sends the same fields with new values, which then reuse the texts' buffers.
#[derive(Default)]
struct Received {
    /// The mask `data` was read with, `None` while it is being rebuilt.
    mask: Option<u32>,
    data: CustomerData,
}

impl Received {
    /// Reads a customer's data from the values of its given text fields (each as its length,
    /// then its UTF-8) at the start of `bytes`, and its mask; `bytes` then holds what follows.
    /// `None` when the values do not fit the mask.
    fn read(&mut self, bytes: &mut &[u8], given: u32) -> Option<&CustomerData> {
        if self.mask != Some(given) {
            self.mask = None;
            self.data = CustomerData::default();
            for index in 0..form::OBJECTS.len() {
                if given & object_bit(index) != 0 {
                    form::create_object_at(&mut self.data, index);
                }
            }
            if given & SWITCH_GIVEN != 0 {
                self.data.individual_cards = Some(given & SWITCH_ON != 0);
            }
        }
        for index in 0..TEXT {
            if given & (1 << index) == 0 {
                continue;
            }
            let value = next_value(bytes)?;
            match form::slot_at(&mut self.data, index) {
                Some(Some(text)) => {
                    text.clear();
                    text.push_str(value);
                }
                Some(slot) => *slot = Some(value.to_owned()),
                None => {}
            }
        }
        self.mask = Some(given);
        Some(&self.data)
    }

    /// [`Self::read`], naming `what` when the values do not fit the mask.
    fn customer(&mut self, what: &str, bytes: &mut &[u8], given: u32) -> Result<&CustomerData, JsError> {
        self.read(bytes, given).ok_or_else(|| bad_input(what, "values that do not fit its mask"))
    }
}

thread_local! {
    /// Where JavaScript writes the input of a call (see [`input`]).
    static INPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    /// The customers of the last call (two for a patch).
    static RECEIVED: RefCell<[Received; 2]> = RefCell::default();
}

/// Makes room for `length` bytes of input and answers where they start in the wasm's memory:
/// JavaScript writes a call's texts there itself, which spares a copy and an allocation per
/// text. The functions taking a customer read their texts from there. The room stays where it
/// is until a call asks for more, so JavaScript asks only then.
#[wasm_bindgen]
pub fn input(length: usize) -> usize {
    INPUT.with_borrow_mut(|bytes| {
        if bytes.len() < length {
            bytes.resize(length, 0);
        }
        bytes.as_ptr().addr()
    })
}

/// The wasm's memory, where [`input`] points.
#[wasm_bindgen(js_name = wasmMemory)]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Reads the first `length` bytes of input (see [`input`]) with `read`, which must read them
/// all: they end with the `today` and locale tag of the call, after its customers.
fn read_input<T>(
    length: usize,
    read: impl FnOnce(&mut &[u8], &mut [Received; 2]) -> Result<T, JsError>,
) -> Result<T, JsError> {
    INPUT.with_borrow(|input| {
        RECEIVED.with_borrow_mut(|received| {
            let mut bytes = input.get(..length).ok_or_else(|| bad_input("input", "longer than its buffer"))?;
            let answer = read(&mut bytes, received)?;
            if bytes.is_empty() { Ok(answer) } else { Err(bad_input("input", "values that do not fit its masks")) }
        })
    })
}

/// The `today` and locale of a call: the last two texts of its input.
fn today_and_locale(bytes: &mut &[u8]) -> Result<(NaiveDate, Locale), JsError> {
    let today = next_value(bytes).ok_or_else(|| bad_input("today", "missing"))?;
    let today = parse_date("today", today)?;
    let tag = next_value(bytes).ok_or_else(|| bad_input("locale", "missing"))?;
    Ok((today, locale(tag)))
}

/// The mask bits of the objects around each text field: those of [`form::OBJECTS`] it lies
/// inside.
const PARENTS: [u32; TEXT] = {
    let mut parents = [0; TEXT];
    let mut field = 0;
    while field < TEXT {
        let mut object = 0;
        while object < form::OBJECTS.len() {
            if form::inside(form::TEXT_FIELDS[field], form::OBJECTS[object]) {
                parents[field] |= object_bit(object);
            }
            object += 1;
        }
        field += 1;
    }
    parents
};

/// A checked customer's normalised data in flat form (see [`Flat::text`]).
struct Flat {
    /// The mask of what it holds.
    given: u32,
    /// The mask of the text fields whose value is not the one sent.
    changed: u32,
    /// Those values in field order, each after US.
    values: String,
}

impl Flat {
    /// A valid customer's normalised data, compared with the data `sent` (when JavaScript has
    /// it), without building it.
    fn new(valid: &ValidCustomer, sent: Option<&CustomerData>) -> Self {
        let mut flat = Self {
            given: SWITCH_GIVEN | if valid.individual.is_some() { SWITCH_ON } else { 0 },
            changed: 0,
            values: String::new(),
        };
        valid.each_text(|index, text| {
            flat.given |= 1 << index | PARENTS[index];
            if sent.and_then(|sent| form::field_at(sent, index)) != Some(text) {
                flat.changed |= 1 << index;
                flat.values.push(US);
                flat.values.push_str(text);
            }
        });
        flat
    }

    /// The mask of what it holds, the mask of the changed values, then those values, joined by
    /// US (JavaScript has the others already).
    fn text(&self) -> String {
        format!("{}{US}{}{}", self.given, self.changed, self.values)
    }
}

/// Errors as flat text: RS, then one `path`, `code`, `message` record each.
fn refusal(errors: &ValidationErrors, locale: Locale) -> String {
    let errors = errors.localized(locale);
    format!("{RS}{}", table(errors.iter().map(|e| [e.path.as_str(), e.code.as_str(), e.message.as_str()])))
}

/// Checks a customer (`POST /customers` body: its values then `today` and a locale tag, in
/// the first `length` bytes of input, and the mask `given`): `undefined` when it is valid and
/// already normalised, else the normalised customer, flat, or RS and its errors, messages in
/// the locale.
///
/// # Errors
///
/// When `today` is no date, or the values do not fit [`field_paths`].
#[wasm_bindgen]
pub fn validate(length: usize, given: u32) -> Result<Option<String>, JsError> {
    read_input(length, |bytes, [received, _]| {
        let data = received.customer("customer", bytes, given)?;
        let (today, locale) = today_and_locale(bytes)?;
        Ok(match validate_customer(data, today) {
            Ok(valid) => {
                let flat = Flat::new(&valid, Some(data));
                (flat.given != given || flat.changed != 0).then(|| flat.text())
            }
            Err(errors) => Some(refusal(&errors, locale)),
        })
    })
}

/// Applies a `PATCH` body to a customer's data and checks the result, as the server does:
/// the input holds the current data's values (mask `current_given`), the patch's (mask
/// `patch_given`), then `today` and a locale tag. Answers as [`validate`], always with every
/// value (JavaScript has not seen the merged data).
///
/// # Errors
///
/// As [`validate`].
#[wasm_bindgen]
pub fn patch(length: usize, current_given: u32, patch_given: u32) -> Result<String, JsError> {
    read_input(length, |bytes, [current, patch]| {
        let current = current.customer("current", bytes, current_given)?;
        let patch = patch.customer("patch", bytes, patch_given)?;
        let (today, locale) = today_and_locale(bytes)?;
        let checked = apply_patch(current, patch).and_then(|merged| validate_customer(&merged, today));
        Ok(checked.map_or_else(|errors| refusal(&errors, locale), |valid| Flat::new(&valid, None).text()))
    })
}

/// The documents a valid, enrolled customer (its input as for [`validate`]) needs, in
/// checklist order: `kind`, `label` records; empty outside the card program, `undefined`
/// while the customer is not valid.
///
/// # Errors
///
/// As [`validate`].
#[wasm_bindgen(js_name = requiredDocuments)]
pub fn required_documents(length: usize, given: u32) -> Result<Option<String>, JsError> {
    read_input(length, |bytes, [received, _]| {
        let data = received.customer("customer", bytes, given)?;
        let (today, locale) = today_and_locale(bytes)?;
        Ok(validate_customer(data, today).ok().map(|valid| {
            let kinds = valid.individual.as_ref().map(kycard_core::documents::required_documents).unwrap_or_default();
            table(kinds.iter().map(|kind| [kind.as_str(), kind.label_in(locale)]))
        }))
    })
}

/// Whether a customer (the facts of `GET /customers/{id}` that card eligibility reads) may
/// get a card, as the server would answer `POST .../cards`: empty when allowed, else the
/// API error code, its message in `locale`, then each `blocked_by` entry, joined by US.
///
/// `requirements` holds one `document`, `state` record per requirement; `flag_targets` the
/// target of every flag of the review, joined by US. `review_stage` is `undefined` without a
/// review, `renewal_expires_on` without a renewal.
///
/// # Errors
///
/// When a fact is not a value of its kind (a UUID, a status, a stage, a document kind, a
/// requirement state, a flag target, a day), naming it by its path in the customer.
#[allow(clippy::too_many_arguments)] // one parameter per fact: flat across the wasm boundary
#[wasm_bindgen]
pub fn eligibility(
    id: &str,
    status: Option<String>,
    review_stage: Option<String>,
    resubmittable: bool,
    requirements: &str,
    flag_targets: &str,
    renewal_expires_on: Option<String>,
    renewal_expired: bool,
    locale_tag: &str,
) -> Result<String, JsError> {
    let id = Uuid::try_parse(id).map_err(|_| bad_input("customer.id", &format!("`{id}` is not a UUID")))?;
    let status = status
        .map(|raw| {
            parse_choice("customer.status", &raw, CustomerStatus::parse, CustomerStatus::ALL, CustomerStatus::as_str)
        })
        .transpose()?;
    let review = review_stage
        .map(|raw| {
            parse_choice("customer.review.stage", &raw, ReviewStage::parse, ReviewStage::ALL, ReviewStage::as_str)
        })
        .transpose()?
        .map(|stage| (stage, resubmittable));
    let requirements = records(requirements)
        .enumerate()
        .map(|(i, record)| {
            let (document, state) = record.split_once(US).unwrap_or((record, ""));
            let what = |field: &str| format!("customer.requirements[{i}].{field}");
            Ok(Requirement {
                document: parse_choice(
                    &what("document"),
                    document,
                    DocumentKind::parse,
                    DocumentKind::ALL,
                    DocumentKind::as_str,
                )?,
                state: parse_choice(
                    &what("state"),
                    state,
                    RequirementState::parse,
                    RequirementState::ALL,
                    RequirementState::as_str,
                )?,
                reason: None,
                message: None,
            })
        })
        .collect::<Result<Vec<_>, JsError>>()?;
    let mut flagged_fields = Vec::new();
    for (i, raw) in fields(flag_targets).enumerate() {
        match FlagTarget::try_from(raw.to_owned()) {
            Ok(FlagTarget::Field(path)) => flagged_fields.push(path),
            Ok(FlagTarget::Document(_)) => {}
            Err(why) => return Err(bad_input(&format!("customer.review.flags[{i}].target"), &why)),
        }
    }
    let renewal = renewal_expires_on
        .map(|raw| parse_date("customer.renewal.expires_on", &raw))
        .transpose()?
        .map(|expires_on| Renewal { expires_on, expired: renewal_expired });
    let answer =
        kycard_core::status::card_eligibility_from(id, status, review, &requirements, &flagged_fields, renewal);
    Ok(match answer {
        Ok(_) => String::new(),
        Err(refusal) => {
            let code = refusal.code();
            let blocked_by = refusal.details().map(|d| d.blocked_by).unwrap_or_default();
            [vec![code.as_str().to_owned(), code.label_in(locale(locale_tag)).to_owned()], blocked_by]
                .concat()
                .join(&String::from(US))
        }
    })
}

/// The records of flat text: none in an empty text.
fn records(text: &str) -> impl Iterator<Item = &str> {
    text.split(RS).filter(|_| !text.is_empty())
}

/// The fields of a flat record: none in an empty text.
fn fields(text: &str) -> impl Iterator<Item = &str> {
    text.split(US).filter(|_| !text.is_empty())
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

fn document_kind(raw: &str) -> Result<DocumentKind, JsError> {
    parse_choice("kind", raw, DocumentKind::parse, DocumentKind::ALL, DocumentKind::as_str)
}

/// Measures a photo of a document (pixels as a canvas gives them) to judge it for `kind`:
/// width, height, contrast, sharpness, dark share and bright share, as numbers (to JavaScript
/// exactly as core computed them: no float formatting).
///
/// # Errors
///
/// When `kind` is not a document kind, the buffer's length is not `width × height ×
/// channels`, or the shape is impossible.
#[wasm_bindgen(js_name = measureQuality)]
pub fn measure_quality(width: u32, height: u32, channels: u8, data: &[u8], kind: &str) -> Result<Vec<f64>, JsError> {
    document_kind(kind)?;
    let gray = quality::working_gray(Pixels { width, height, channels, data })
        .map_err(|e| bad_input("pixels", &e.to_string()))?;
    let m = quality::measure(&gray);
    Ok(vec![f64::from(m.width), f64::from(m.height), m.contrast, m.sharpness, m.dark_share, m.bright_share])
}

/// Judges measures (as [`measure_quality`] gives them) for `kind`: a first record with the
/// first rule failed and what to tell the person about it (both empty when none failed), then
/// one `rule`, `passed` (`1` or `0`), `value`, `threshold`, `message` record per rule.
///
/// # Errors
///
/// When `kind` is not a document kind.
#[wasm_bindgen(js_name = judgeQuality)]
#[allow(clippy::too_many_arguments)] // one parameter per measure: flat across the wasm boundary
pub fn judge_quality(
    width: u32,
    height: u32,
    contrast: f64,
    sharpness: f64,
    dark_share: f64,
    bright_share: f64,
    kind: &str,
    locale_tag: &str,
) -> Result<String, JsError> {
    let kind = document_kind(kind)?;
    let locale = locale(locale_tag);
    let rules = quality::judge(kind, &Measures { width, height, contrast, sharpness, dark_share, bright_share });
    let texts: Vec<[String; 2]> = rules.iter().map(|r| [r.value_text(), r.threshold_text()]).collect();
    let verdicts = table(rules.iter().zip(&texts).map(|(r, [value, threshold])| {
        [r.rule.as_str(), if r.passed { "1" } else { "0" }, value, threshold, r.message_in(locale)]
    }));
    let problem = rules.iter().find(|r| !r.passed).map(|r| r.rule);
    let (rule, advice) = problem.map_or(("", ""), |rule| (rule.as_str(), rule.label_in(locale)));
    Ok(format!("{rule}{US}{advice}{RS}{verdicts}"))
}

/// A closed list as a group: its name, then one `value`, `label` record per value.
fn choice_group<T: Copy>(
    name: &str,
    all: &[T],
    value: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> String {
    format!("{name}{RS}{}", table(all.iter().map(|&v| [value(v), label(v)])))
}

/// Every closed list of the API with its labels in `locale`: one group per list (its name,
/// then one `value`, `label` record per value), groups joined by GS.
#[wasm_bindgen]
pub fn choices(locale_tag: &str) -> String {
    use kycard_core::financial::{AccountPurpose, MonthlyVolume, Occupation, SalaryRange};
    use kycard_core::official_id::IdType;
    use kycard_core::person::Gender;
    let l = locale(locale_tag);
    let countries: Vec<Country> = Country::all().collect();
    [
        choice_group("gender", Gender::ALL, Gender::as_str, |v| v.label_in(l)),
        choice_group("id_type", IdType::ALL, IdType::as_str, |v| v.label_in(l)),
        choice_group("occupation", Occupation::ALL, Occupation::as_str, |v| v.label_in(l)),
        choice_group("annual_salary_range", SalaryRange::ALL, SalaryRange::as_str, |v| v.label_in(l)),
        choice_group("account_purpose", AccountPurpose::ALL, AccountPurpose::as_str, |v| v.label_in(l)),
        choice_group("expected_monthly_volume", MonthlyVolume::ALL, MonthlyVolume::as_str, |v| v.label_in(l)),
        choice_group("country", &countries, Country::code, |c| c.name_in(l)),
        choice_group("document_kind", DocumentKind::ALL, DocumentKind::as_str, |v| v.label_in(l)),
    ]
    .join(&String::from(GS))
}

/// Every field of a customer, by request path in form order (the `individual_cards` switch,
/// then each text field), with its label in `locale`: one `path`, `label` record each.
#[wasm_bindgen(js_name = fieldLabels)]
pub fn field_labels(locale_tag: &str) -> String {
    let l = locale(locale_tag);
    table(
        std::iter::once(paths::INDIVIDUAL_CARDS)
            .chain(form::TEXT_FIELDS.iter().copied())
            .map(|path| [path, paths::label_in(path, l)]),
    )
}

/// Every error code with its meaning in `locale`: a group of API codes (`code`, HTTP
/// `status`, `message` records), GS, then a group of field codes (`code`, `message` records).
#[wasm_bindgen(js_name = errorCatalogue)]
pub fn error_catalogue(locale_tag: &str) -> String {
    let l = locale(locale_tag);
    let statuses: Vec<String> = ApiErrorCode::ALL.iter().map(|c| c.status().to_string()).collect();
    let api = table(ApiErrorCode::ALL.iter().zip(&statuses).map(|(c, status)| [c.as_str(), status, c.label_in(l)]));
    let field = table(FieldErrorCode::ALL.iter().map(|c| [c.as_str(), c.label_in(l)]));
    format!("{api}{GS}{field}")
}

/// The supported locale among language tags in order of preference (comma-separated, as
/// `navigator.languages.join(",")`), else `en`.
#[wasm_bindgen(js_name = negotiateLocale)]
pub fn negotiate_locale(tags: &str) -> String {
    Locale::negotiate(tags.split(',')).as_str().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A valid customer in the card program, as `core/tests/vectors/bases.json` has it.
    fn enrolled() -> CustomerData {
        let mut data = CustomerData { individual_cards: Some(true), ..CustomerData::default() };
        for (path, value) in [
            (paths::EMAIL, "ana@example.com"),
            (paths::PHONE, "+34 600 111 222"),
            (paths::FULL_NAME, "Ana María García López"),
            (paths::DATE_OF_BIRTH, "1990-04-01"),
            (paths::GENDER, "female"),
            (paths::ADDRESS_LINE1, "Calle Mayor 1"),
            (paths::ADDRESS_LINE2, "3ºB"),
            (paths::ADDRESS_CITY, "Madrid"),
            (paths::ADDRESS_REGION, "Madrid"),
            (paths::ADDRESS_POSTAL_CODE, "28013"),
            (paths::ADDRESS_COUNTRY, "ES"),
            (paths::ID_TYPE, "national_id"),
            (paths::ID_NUMBER, "12345678Z"),
            (paths::ID_ISSUING_COUNTRY, "ES"),
            (paths::ID_EXPIRES_ON, "2031-05-20"),
            (paths::OCCUPATION, "engineer"),
            (paths::SALARY_RANGE, "50k_100k"),
            (paths::ACCOUNT_PURPOSE, "everyday_spending"),
            (paths::MONTHLY_VOLUME, "1k_5k"),
        ] {
            assert!(form::set_field_value(&mut data, path, value), "{path}");
        }
        data
    }

    fn today() -> NaiveDate {
        kycard_core::person::parse_day("2026-06-15").unwrap()
    }

    /// A customer's data as JavaScript sends it: its mask, and its given values' bytes.
    fn flat_input(data: &CustomerData) -> (u32, Vec<u8>) {
        let (mut given, mut bytes) = (0, Vec::new());
        for index in 0..TEXT {
            if let Some(value) = form::field_at(data, index) {
                given |= 1 << index;
                bytes.extend(bytes_of(value));
            }
        }
        for index in 0..form::OBJECTS.len() {
            if form::has_object_at(data, index) {
                given |= object_bit(index);
            }
        }
        match data.individual_cards {
            Some(true) => given |= SWITCH_GIVEN | SWITCH_ON,
            Some(false) => given |= SWITCH_GIVEN,
            None => {}
        }
        (given, bytes)
    }

    /// Sends a customer's data and reads it back as wasm does.
    fn round_trip(data: &CustomerData) -> CustomerData {
        let (given, bytes) = flat_input(data);
        let mut rest = &bytes[..];
        let mut received = Received::default();
        let read = received.read(&mut rest, given).unwrap_or_else(|| panic!("{data:?}")).clone();
        assert!(rest.is_empty());
        read
    }

    /// Reads a normalised customer from an answer as the JavaScript does, with the values it
    /// sent.
    fn read_answer(flat: &Flat, sent: Option<&CustomerData>) -> CustomerData {
        let text = flat.text();
        let mut answer = text.split(US);
        let given: u32 = answer.next().unwrap().parse().unwrap();
        let changed: u32 = answer.next().unwrap().parse().unwrap();
        let mut bytes = Vec::new();
        for index in 0..TEXT {
            let value = match changed & (1 << index) {
                0 => sent.and_then(|sent| form::field_at(sent, index)).unwrap_or_default(),
                _ => answer.next().unwrap(),
            };
            if given & (1 << index) != 0 {
                bytes.extend(bytes_of(value));
            }
        }
        assert_eq!(answer.next(), None, "{text:?}");
        Received::default().read(&mut &bytes[..], given).unwrap_or_else(|| panic!("{text:?}")).clone()
    }

    /// A value as JavaScript sends it: its length, then its UTF-8.
    fn bytes_of(value: &str) -> Vec<u8> {
        let length = u32::try_from(value.len()).unwrap().to_le_bytes();
        [&length, value.as_bytes()].concat()
    }

    #[test]
    fn a_customer_crosses_flat_with_empty_texts_empty_objects_and_the_switch() {
        let full = enrolled();
        assert_eq!(round_trip(&full), full);
        let mut sparse = CustomerData { individual_cards: Some(false), ..CustomerData::default() };
        form::create_object(&mut sparse, paths::OFFICIAL_ID);
        *form::slot(&mut sparse, paths::ADDRESS_LINE2).unwrap() = Some(String::new());
        assert_eq!(round_trip(&sparse), sparse);
        assert_eq!(round_trip(&CustomerData::default()), CustomerData::default());
    }

    #[test]
    fn a_customer_read_after_another_holds_only_its_own_values() {
        let full = enrolled();
        let mut other = full.clone();
        *form::slot(&mut other, paths::FULL_NAME).unwrap() = Some("Zoë".into());
        *form::slot(&mut other, paths::ADDRESS_LINE2).unwrap() = None;
        let sparse = CustomerData { individual_cards: Some(false), ..CustomerData::default() };
        let mut received = Received::default();
        for data in [&full, &full, &other, &sparse, &full, &other, &other] {
            let (given, bytes) = flat_input(data);
            assert_eq!(received.read(&mut &bytes[..], given), Some(data));
        }
        // A call refused half-way leaves nothing behind for the next one.
        let (given, bytes) = flat_input(&full);
        assert!(received.read(&mut &bytes[..8], given).is_none());
        let (given, bytes) = flat_input(&other);
        assert_eq!(received.read(&mut &bytes[..], given), Some(&other));
    }

    #[test]
    fn an_answer_holds_the_normalised_customer_and_nothing_when_it_was_sent() {
        let typed = enrolled();
        let valid = validate_customer(&typed, today()).unwrap();
        let normalised = CustomerData::from(&valid);
        assert_ne!(normalised, typed, "the phone loses its spaces");
        let flat = Flat::new(&valid, Some(&typed));
        assert_eq!(flat.changed, 1 << form::index(paths::PHONE), "only the phone changed");
        assert_eq!(read_answer(&flat, Some(&typed)), normalised);
        assert_eq!(read_answer(&Flat::new(&valid, None), None), normalised);
        let again = Flat::new(&valid, Some(&normalised));
        assert_eq!((again.given, again.changed), (flat_input(&normalised).0, 0), "nothing to send back");
        // Sent with an empty optional text or an empty object too many, it is not the same.
        let mut padded = normalised.clone();
        *form::slot(&mut padded, paths::ADDRESS_REGION).unwrap() = Some(" ".into());
        let valid = validate_customer(&padded, today()).unwrap();
        assert_ne!(Flat::new(&valid, Some(&padded)).given, flat_input(&padded).0);
        // Outside the card program, an absent switch is answered as false.
        let contact_only = CustomerData { individual_cards: Some(false), individual: None, ..normalised };
        let valid = validate_customer(&contact_only, today()).unwrap();
        let flat = Flat::new(&valid, Some(&contact_only));
        assert_eq!((flat.given, flat.changed), (flat_input(&contact_only).0, 0));
        let unsaid = CustomerData { individual_cards: None, ..contact_only };
        assert_ne!(Flat::new(&valid, Some(&unsaid)).given, flat_input(&unsaid).0);
    }

    #[test]
    fn the_layout_lists_the_fields_as_the_server_sends_them() {
        let sent = CustomerData::from(&validate_customer(&enrolled(), today()).unwrap());
        let json = serde_json::to_string(&sent).unwrap();
        let layout = field_paths();
        let fields: Vec<&str> = layout.split(RS).nth(1).unwrap().split(US).collect();
        assert_eq!(fields.len(), TEXT + 1);
        // Where each field's key is in the JSON text (no two fields share a key).
        let at: Vec<Option<usize>> =
            fields.iter().map(|path| json.find(&format!("\"{}\":", path.rsplit('.').next().unwrap()))).collect();
        assert!(at.iter().all(Option::is_some), "{fields:?} in {json}");
        assert!(at.is_sorted(), "{fields:?} in {json}");
    }

    #[test]
    fn any_text_crosses_as_it_was_typed() {
        let mut data = CustomerData::default();
        let odd = "\u{1f}\u{1e}\u{1d} 😀 e\u{301} ".repeat(8000);
        *form::slot(&mut data, paths::ADDRESS_LINE2).unwrap() = Some(odd.clone());
        *form::slot(&mut data, paths::EMAIL).unwrap() = Some(String::new());
        let bytes = [bytes_of(""), bytes_of(&odd)].concat();
        let given = 1 | 1 << form::TEXT_FIELDS.iter().position(|p| *p == paths::ADDRESS_LINE2).unwrap();
        assert_eq!(Received::default().read(&mut &bytes[..], given), Some(&data));
        assert!(odd.len() > 1 << 16, "a length beyond 16 bits");
    }
}

/// The wasm's allocator: talc, which made the wasm 1.8 KB smaller (brotli) than Rust's
/// default dlmalloc, and a call that allocates some 30 blocks no slower.
#[cfg(target_family = "wasm")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
