//! Contact details every customer has: an email address and a phone number.

use crate::field_error::{FieldError, FieldErrorCode};
use crate::message::Message;
use serde::Serialize;

/// Longest address SMTP can carry (RFC 5321 path limit less the angle brackets).
const EMAIL_MAX: usize = 254;
/// Longest local part (RFC 5321).
const LOCAL_MAX: usize = 64;
/// Longest DNS label.
const LABEL_MAX: usize = 63;

/// An email address that mail servers will accept, internationalised ones included (RFC 6531).
///
/// The domain is lower-cased (domains are case-insensitive); the local part is kept as typed
/// because some servers treat it case-sensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct Email(String);

impl Email {
    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

impl TryFrom<&str> for Email {
    type Error = FieldErrorCode;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let raw = raw.trim();
        if raw.len() > EMAIL_MAX {
            return Err(FieldErrorCode::TooLong);
        }
        let mut parts = raw.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(FieldErrorCode::InvalidEmail);
        };
        if !valid_local_part(local) || !valid_domain(domain) {
            return Err(FieldErrorCode::InvalidEmail);
        }
        let mut normalized = String::with_capacity(raw.len());
        normalized.push_str(local);
        normalized.push('@');
        if domain.is_ascii() {
            normalized.extend(domain.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            push_lowercase(&mut normalized, domain);
        }
        Ok(Self(normalized))
    }
}

/// Appends `text` lower-cased character by character, as IDNA (UTS 46) maps a domain: without
/// the final-sigma context of `str::to_lowercase`, so a domain's `Σ` is always `σ`.
#[cfg(not(target_arch = "wasm32"))]
fn push_lowercase(into: &mut String, text: &str) {
    into.extend(text.chars().flat_map(char::to_lowercase));
}

/// Appends `text` lower-cased character by character, as IDNA (UTS 46) maps a domain.
///
/// In wasm the JavaScript host lower-cases: core runs there only under JavaScript (the web app
/// and the npm package), whose Unicode case tables are already loaded, and Rust's own table
/// would add almost 5 KB to the npm package with brotli. `String.prototype.toLowerCase`
/// differs from lower-casing each character only in the final-sigma rule, so `Σ` is mapped
/// first; `tests/email_domains.rs`, run in Chromium, compares both over every letter.
#[cfg(target_arch = "wasm32")]
fn push_lowercase(into: &mut String, text: &str) {
    into.push_str(&host::to_lower_case(&text.replace('Σ', "σ")));
}

/// What core asks of its JavaScript host in wasm.
#[cfg(target_arch = "wasm32")]
mod host {
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen]
    extern "C" {
        /// `String.prototype.toLowerCase` called on `text`.
        #[wasm_bindgen(js_namespace = ["String", "prototype", "toLowerCase"], js_name = call)]
        pub fn to_lower_case(text: &str) -> String;
    }
}

/// Dot-atom local part: ASCII `atext` or any non-ASCII character, dots only between atoms.
fn valid_local_part(local: &str) -> bool {
    const ATEXT_SPECIALS: &[u8] = b"!#$%&'*+/=?^_`{|}~-";
    !local.is_empty()
        && local.len() <= LOCAL_MAX
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom.chars().all(|c| {
                    if c.is_ascii() {
                        c.is_ascii_alphanumeric() || ATEXT_SPECIALS.contains(&(c as u8))
                    } else {
                        !c.is_control() && !c.is_whitespace()
                    }
                })
        })
}

/// At least two labels; letters, digits and inner hyphens (any script's letters and digits,
/// for internationalised domains); a top-level label that is not all digits.
fn valid_domain(domain: &str) -> bool {
    let mut labels = domain.split('.');
    let count_ok = labels.clone().nth(1).is_some();
    count_ok
        && labels.clone().all(|label| {
            !label.is_empty()
                && label.chars().count() <= LABEL_MAX
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .chars()
                    .all(|c| if c.is_ascii() { c.is_ascii_alphanumeric() || c == '-' } else { c.is_alphanumeric() })
        })
        && labels.next_back().is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

/// Parses the `contact.email` field.
pub fn parse_email(path: &str, raw: &str) -> Result<Email, FieldError> {
    Email::try_from(raw).map_err(|code| {
        let message = match code {
            FieldErrorCode::TooLong => Message::AtMostChars { max: EMAIL_MAX },
            _ => Message::EmailFormat,
        };
        FieldError::new(path, code, message)
    })
}

/// Fewest digits in a dialable international number (small countries, e.g. Niue, have 7).
const PHONE_MIN_DIGITS: usize = 7;
/// Most digits E.164 allows.
const PHONE_MAX_DIGITS: usize = 15;

/// A phone number in E.164 form (`+` and 7 to 15 digits, no leading zero in the country code).
///
/// Spaces, dots, dashes and parentheses people type for readability are removed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct Phone(String);

impl Phone {
    /// The E.164 number, e.g. `+34600111222`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Phone> for String {
    fn from(phone: Phone) -> Self {
        phone.0
    }
}

impl TryFrom<&str> for Phone {
    type Error = FieldErrorCode;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let compact: String = raw.trim().chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')')).collect();
        let Some(digits) = compact.strip_prefix('+') else {
            return Err(FieldErrorCode::InvalidPhone);
        };
        let plausible = (PHONE_MIN_DIGITS..=PHONE_MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if plausible { Ok(Self(compact)) } else { Err(FieldErrorCode::InvalidPhone) }
    }
}

/// Parses the `contact.phone` field.
pub fn parse_phone(path: &str, raw: &str) -> Result<Phone, FieldError> {
    Phone::try_from(raw).map_err(|code| FieldError::new(path, code, Message::PhoneFormat))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_domain_is_lowercased_and_local_part_kept() {
        let email = Email::try_from("  Ana.Garcia@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ana.Garcia@example.com");
    }

    #[test]
    fn internationalised_email_is_accepted() {
        assert!(Email::try_from("用户@例子.广告").is_ok());
        assert!(Email::try_from("josé@correo.es").is_ok());
    }

    #[test]
    fn email_shapes_that_mail_servers_refuse() {
        for bad in ["a@b", "a@@b.com", "@b.com", "a.@b.com", "a..b@c.com", "a@-b.com", "a@b.123", "a b@c.com"] {
            assert_eq!(Email::try_from(bad), Err(FieldErrorCode::InvalidEmail), "{bad}");
        }
    }

    #[test]
    fn phone_keeps_only_e164() {
        assert_eq!(Phone::try_from("+34 600-111 (222)").unwrap().as_str(), "+34600111222");
        assert!(Phone::try_from("600111222").is_err());
        assert!(Phone::try_from("+0600111222").is_err());
        assert!(Phone::try_from("+1234567890123456").is_err());
    }
}
