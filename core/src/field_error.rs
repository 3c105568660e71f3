//! Field errors: the `{path, code, message}` triples of `shared/API.md`.
//!
//! The browser shows exactly these before anything is sent, and the server answers them in
//! `422 validation_failed`, so their `path` and `code` values are part of the public contract.

use serde::{Deserialize, Serialize};

choice_enum! {
    /// Why a field was refused. Stable: API consumers branch on these.
    pub enum FieldErrorCode {
        Required = "required" => "A value is required.",
        NotAllowed = "not_allowed" => "This value must not be given here.",
        TooShort = "too_short" => "The value is too short.",
        TooLong = "too_long" => "The value is too long.",
        InvalidCharacters = "invalid_characters" => "The value contains characters that are not allowed.",
        InvalidFormat = "invalid_format" => "The value does not have the expected format.",
        InvalidEmail = "invalid_email" => "This is not a valid email address.",
        InvalidPhone = "invalid_phone" => "This is not a valid international phone number.",
        InvalidDate = "invalid_date" => "This is not a valid date.",
        InFuture = "in_future" => "The date is in the future.",
        TooYoung = "too_young" => "The customer is too young.",
        TooOld = "too_old" => "The date is implausibly far in the past.",
        InvalidChoice = "invalid_choice" => "The value is not one of the allowed choices.",
        InvalidCountry = "invalid_country" => "This is not an ISO 3166-1 alpha-2 country code.",
        InvalidPostalCode = "invalid_postal_code" => "This is not a valid postal code for the country.",
        InvalidCheckDigit = "invalid_check_digit" => "The check character does not match the number.",
        Expired = "expired" => "The document has expired.",
        CannotDisable = "cannot_disable" => "Individual cards cannot be turned off once enabled.",
    }
}

/// One problem with one field.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// Dotted path of the field in the request body, e.g. `individual.personal.date_of_birth`.
    pub path: String,
    /// Machine-readable reason.
    pub code: FieldErrorCode,
    /// English sentence for people.
    pub message: String,
}

impl FieldError {
    /// A field error with its own message.
    pub fn new(path: impl Into<String>, code: FieldErrorCode, message: impl Into<String>) -> Self {
        Self { path: path.into(), code, message: message.into() }
    }
}

/// A non-empty list of field errors, in the order of the form.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// Adds an error.
    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// True when nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The errors, in form order.
    pub fn as_slice(&self) -> &[FieldError] {
        &self.0
    }

    /// The first error for a path, which is what a form shows under that field.
    pub fn for_path(&self, path: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.path == path)
    }

    /// Records the error of a field parse and returns its value, so every field of a form is
    /// checked even after one fails.
    pub fn collect<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.push(e)).ok()
    }

    /// `Ok(value)` when nothing was refused.
    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, Self> {
        if self.is_empty() { Ok(value()) } else { Err(self) }
    }
}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        Self(vec![error])
    }
}

impl IntoIterator for ValidationErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.path, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Trims a raw text value and refuses an absent or blank one with `required`.
pub(crate) fn required_text<'a>(path: &str, value: Option<&'a str>) -> Result<&'a str, FieldError> {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(FieldError::new(path, FieldErrorCode::Required, "This field is required.")),
    }
}

/// Refuses control characters (blanks excepted: they are collapsed) and the invisible
/// bidirectional controls that make text display otherwise than it is stored (overrides,
/// embeddings, isolates, direction marks), so what a reviewer reads is what was sent.
pub fn plain_text(path: &str, value: &str) -> Result<(), FieldError> {
    let hidden = |c: char| {
        (c.is_control() && !c.is_whitespace())
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
    };
    if value.chars().any(hidden) {
        Err(FieldError::new(
            path,
            FieldErrorCode::InvalidCharacters,
            "Control characters and invisible direction marks are not allowed.",
        ))
    } else {
        Ok(())
    }
}

/// Refuses text longer than `max` characters (not bytes: names in any script count alike).
pub(crate) fn max_chars(path: &str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.chars().count() > max {
        Err(FieldError::new(path, FieldErrorCode::TooLong, format!("Must be at most {max} characters.")))
    } else {
        Ok(())
    }
}
