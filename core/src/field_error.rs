//! Field errors: the `{path, code, message}` triples of `shared/API.md`.
//!
//! The browser shows exactly these before anything is sent, and the server answers them in
//! `422 validation_failed`, so their `path` and `code` values are part of the public contract.
//! The `message` is a [`Message`], said in the [`Locale`] of whoever reads it.

use crate::i18n::Locale;
use crate::message::Message;
use crate::wire::FieldErrorBody;

choice_enum! {
    /// Why a field was refused. Stable: API consumers branch on these.
    pub enum FieldErrorCode {
        Required = "required" => "A value is required." / "Falta un valor.",
        NotAllowed = "not_allowed" => "This value must not be given here." / "Este valor no debe enviarse aquí.",
        TooShort = "too_short" => "The value is too short." / "El valor es demasiado corto.",
        TooLong = "too_long" => "The value is too long." / "El valor es demasiado largo.",
        InvalidCharacters = "invalid_characters" => "The value contains characters that are not allowed." / "El valor contiene caracteres no permitidos.",
        InvalidFormat = "invalid_format" => "The value does not have the expected format." / "El valor no tiene el formato esperado.",
        InvalidEmail = "invalid_email" => "This is not a valid email address." / "No es una dirección de correo válida.",
        InvalidPhone = "invalid_phone" => "This is not a valid international phone number." / "No es un número de teléfono internacional válido.",
        InvalidDate = "invalid_date" => "This is not a valid date." / "No es una fecha válida.",
        InFuture = "in_future" => "The date is in the future." / "La fecha es futura.",
        TooYoung = "too_young" => "The customer is too young." / "El cliente es demasiado joven.",
        TooOld = "too_old" => "The date is implausibly far in the past." / "La fecha es inverosímilmente antigua.",
        InvalidChoice = "invalid_choice" => "The value is not one of the allowed choices." / "El valor no es una de las opciones permitidas.",
        InvalidCountry = "invalid_country" => "This is not an ISO 3166-1 alpha-2 country code." / "No es un código de país ISO 3166-1 alfa-2.",
        InvalidPostalCode = "invalid_postal_code" => "This is not a valid postal code for the country." / "No es un código postal válido para el país.",
        InvalidCheckDigit = "invalid_check_digit" => "The check character does not match the number." / "El carácter de control no corresponde al número.",
        Expired = "expired" => "The document has expired." / "El documento ha caducado.",
        CannotDisable = "cannot_disable" => "Individual cards cannot be turned off once enabled." / "Las tarjetas individuales no se pueden desactivar una vez activadas.",
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field in the request body, e.g. `individual.personal.date_of_birth`.
    pub path: String,
    /// Machine-readable reason.
    pub code: FieldErrorCode,
    /// What to tell people, in any locale.
    pub message: Message,
}

impl FieldError {
    /// A field error with its message.
    pub fn new(path: impl Into<String>, code: FieldErrorCode, message: Message) -> Self {
        Self { path: path.into(), code, message }
    }

    /// The error as the API sends it, its message in `locale`.
    pub fn localized(&self, locale: Locale) -> FieldErrorBody {
        FieldErrorBody { path: self.path.clone(), code: self.code, message: self.message.text(locale) }
    }
}

/// A non-empty list of field errors, in the order of the form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    /// The errors as the API sends them, their messages in `locale`.
    pub fn localized(&self, locale: Locale) -> Vec<FieldErrorBody> {
        self.0.iter().map(|e| e.localized(locale)).collect()
    }

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
            write!(f, "{}: {}", e.path, e.message.text(Locale::English))?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

/// Trims a raw text value and refuses an absent or blank one with `required`.
pub(crate) fn required_text<'a>(path: &str, value: Option<&'a str>) -> Result<&'a str, FieldError> {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(FieldError::new(path, FieldErrorCode::Required, Message::Required)),
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
        Err(FieldError::new(path, FieldErrorCode::InvalidCharacters, Message::HiddenCharacters))
    } else {
        Ok(())
    }
}

/// Refuses text longer than `max` characters (not bytes: names in any script count alike).
pub(crate) fn max_chars(path: &str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.chars().count() > max {
        Err(FieldError::new(path, FieldErrorCode::TooLong, Message::AtMostChars { max }))
    } else {
        Ok(())
    }
}
