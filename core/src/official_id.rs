//! Official identity documents: type, number, issuing country and expiry.

use crate::country::Country;
use crate::field_error::{FieldError, FieldErrorCode, ValidationErrors, required_text};
use crate::message::{IdShape, Message};
use crate::paths;
use crate::person::{parse_country, parse_wire_date};
use crate::wire::OfficialIdData;
use chrono::NaiveDate;
use serde::Serialize;

choice_enum! {
    /// The kind of identity document the customer presents.
    pub enum IdType {
        Passport = "passport" => "Passport" / "Pasaporte",
        NationalId = "national_id" => "National ID card" / "Documento nacional de identidad",
        DriversLicense = "drivers_license" => "Driver's license" / "Permiso de conducir",
        ResidencePermit = "residence_permit" => "Residence permit" / "Permiso de residencia",
    }
}

/// Shortest and longest document numbers accepted where no exact national format is known.
const GENERIC_MIN: usize = 5;
const GENERIC_MAX: usize = 20;

/// Check letters of the Spanish DNI and NIE: the number modulo 23 indexes this table.
const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// A document number, normalised (upper case, spaces and dashes removed) and checked against
/// the format of its type and issuing country.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct IdNumber(String);

impl IdNumber {
    /// Normalises and checks `raw` for a document of `id_type` issued by `country`.
    pub fn new(raw: &str, id_type: IdType, country: Country) -> Result<Self, (FieldErrorCode, Message)> {
        let mut number = String::with_capacity(raw.len());
        // ASCII upper case only: a letter outside A–Z (say `ß`, which Unicode upper-cases to
        // `SS`) is not what the document prints, and is refused below.
        number.extend(raw.chars().filter(|c| !matches!(c, ' ' | '-' | '.')).map(|c| c.to_ascii_uppercase()));
        if number.is_empty() {
            return Err((FieldErrorCode::Required, Message::Required));
        }
        if !number.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err((FieldErrorCode::InvalidCharacters, Message::IdCharacters));
        }
        check_format(&number, id_type, country)?;
        Ok(Self(number))
    }

    /// The normalised number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<IdNumber> for String {
    fn from(n: IdNumber) -> Self {
        n.0
    }
}

fn check_format(number: &str, id_type: IdType, country: Country) -> Result<(), (FieldErrorCode, Message)> {
    let bytes = number.as_bytes();
    match (id_type, country.code()) {
        (IdType::NationalId | IdType::DriversLicense, "ES") => spanish_check_letter(bytes, false),
        (IdType::ResidencePermit, "ES") => spanish_check_letter(bytes, true),
        (IdType::Passport, "ES") => exact(bytes, "AAA999999", IdShape::SpanishPassport),
        (IdType::Passport, "GB") => exact(bytes, "999999999", IdShape::NineDigits),
        (IdType::Passport, "US") => {
            exact(bytes, "999999999", IdShape::UsPassport).or_else(|_| exact(bytes, "A99999999", IdShape::UsPassport))
        }
        (IdType::NationalId, "IT") => exact(bytes, "AA99999AA", IdShape::ItalianId),
        (IdType::Passport, _) => icao_passport(bytes),
        _ => generic(bytes),
    }
}

/// `pattern`: `9` a digit, `A` a letter.
fn exact(number: &[u8], pattern: &str, shape: IdShape) -> Result<(), (FieldErrorCode, Message)> {
    let fits = number.len() == pattern.len()
        && number.iter().zip(pattern.bytes()).all(|(c, p)| match p {
            b'9' => c.is_ascii_digit(),
            _ => c.is_ascii_uppercase(),
        });
    if fits { Ok(()) } else { Err((FieldErrorCode::InvalidFormat, Message::IdShape(shape))) }
}

/// ICAO 9303 machine-readable passports carry a document number of up to 9 characters in the
/// MRZ; national practice uses 6 to 9 letters and digits, always with at least one digit.
fn icao_passport(number: &[u8]) -> Result<(), (FieldErrorCode, Message)> {
    if (6..=9).contains(&number.len()) && number.iter().any(u8::is_ascii_digit) {
        Ok(())
    } else {
        Err((FieldErrorCode::InvalidFormat, Message::PassportNumber))
    }
}

fn generic(number: &[u8]) -> Result<(), (FieldErrorCode, Message)> {
    if (GENERIC_MIN..=GENERIC_MAX).contains(&number.len()) && number.iter().any(u8::is_ascii_digit) {
        Ok(())
    } else {
        Err((FieldErrorCode::InvalidFormat, Message::DocumentNumber { min: GENERIC_MIN, max: GENERIC_MAX }))
    }
}

/// Spanish DNI (`12345678Z`) or, for residence permits, NIE (`X1234567L`): the letter is the
/// number modulo 23 in [`DNI_LETTERS`]; an NIE's leading X, Y, Z count as 0, 1, 2.
fn spanish_check_letter(number: &[u8], nie: bool) -> Result<(), (FieldErrorCode, Message)> {
    let (digits, shape) = if nie {
        let lead = match number.first() {
            Some(b'X') => b'0',
            Some(b'Y') => b'1',
            Some(b'Z') => b'2',
            _ => 0,
        };
        let mut d = vec![lead];
        d.extend_from_slice(number.get(1..8).unwrap_or_default());
        (d, IdShape::Nie)
    } else {
        (number.get(..8).unwrap_or_default().to_vec(), IdShape::Dni)
    };
    let shape_ok = number.len() == 9
        && digits.len() == 8
        && digits.iter().all(u8::is_ascii_digit)
        && number[8].is_ascii_uppercase();
    if !shape_ok {
        return Err((FieldErrorCode::InvalidFormat, Message::IdShape(shape)));
    }
    let value = digits.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    let expected = DNI_LETTERS[(value % 23) as usize];
    if number[8] == expected { Ok(()) } else { Err((FieldErrorCode::InvalidCheckDigit, Message::CheckLetter)) }
}

/// A valid official ID on the day it was checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OfficialId {
    /// The kind of document.
    #[serde(rename = "type")]
    pub id_type: IdType,
    /// The checked number.
    pub number: IdNumber,
    /// Who issued it.
    pub issuing_country: Country,
    /// Last day it is valid.
    pub expires_on: NaiveDate,
}

/// Whether `after` is another identity document than `before`, not a corrected typo: a
/// different type, issuer or expiry date (a renewed ID always expires later). The photos of
/// the old one then no longer show it.
pub fn is_new_document(before: &crate::wire::OfficialIdData, after: &crate::wire::OfficialIdData) -> bool {
    before.id_type != after.id_type
        || before.issuing_country != after.issuing_country
        || before.expires_on != after.expires_on
}

/// Parses the official ID block, recording every problem.
pub fn parse_official_id(data: &OfficialIdData, today: NaiveDate, errors: &mut ValidationErrors) -> Option<OfficialId> {
    let id_type = errors.collect(parse_id_type(paths::ID_TYPE, data.id_type.as_deref()));
    let issuing_country = errors.collect(parse_country(paths::ID_ISSUING_COUNTRY, data.issuing_country.as_deref()));
    let raw_number = errors.collect(required_text(paths::ID_NUMBER, data.number.as_deref()));
    // The number's format depends on type and country; without them only presence is checked.
    let number = match (raw_number, id_type, issuing_country) {
        (Some(raw), Some(t), Some(c)) => errors.collect(
            IdNumber::new(raw, t, c).map_err(|(code, message)| FieldError::new(paths::ID_NUMBER, code, message)),
        ),
        _ => None,
    };
    let expires_on = errors.collect(parse_expiry(paths::ID_EXPIRES_ON, data.expires_on.as_deref(), today));
    Some(OfficialId { id_type: id_type?, number: number?, issuing_country: issuing_country?, expires_on: expires_on? })
}

fn parse_id_type(path: &str, raw: Option<&str>) -> Result<IdType, FieldError> {
    let raw = required_text(path, raw)?;
    IdType::parse(raw).ok_or_else(|| invalid_choice(path, IdType::ALL.iter().map(|t| t.as_str())))
}

/// An ID that expires today is still valid today.
fn parse_expiry(path: &str, raw: Option<&str>, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    let date = parse_wire_date(path, required_text(path, raw)?)?;
    if date < today { Err(FieldError::new(path, FieldErrorCode::Expired, Message::Expired)) } else { Ok(date) }
}

/// The `invalid_choice` error listing what is allowed.
pub(crate) fn invalid_choice(path: &str, allowed: impl Iterator<Item = &'static str>) -> FieldError {
    FieldError::new(path, FieldErrorCode::InvalidChoice, Message::ChooseOneOf(allowed.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn es() -> Country {
        Country::try_from("ES").unwrap()
    }

    #[test]
    fn dni_is_normalised_and_check_letter_verified() {
        let n = IdNumber::new("12345678-z", IdType::NationalId, es()).unwrap();
        assert_eq!(n.as_str(), "12345678Z");
        assert_eq!(
            IdNumber::new("12345678A", IdType::NationalId, es()).unwrap_err().0,
            FieldErrorCode::InvalidCheckDigit
        );
    }

    #[test]
    fn nie_letters_count_as_digits() {
        assert!(IdNumber::new("X1234567L", IdType::ResidencePermit, es()).is_ok());
        assert!(IdNumber::new("Y1234567X", IdType::ResidencePermit, es()).is_ok());
        assert!(IdNumber::new("Z1234567R", IdType::ResidencePermit, es()).is_ok());
        assert_eq!(
            IdNumber::new("A1234567L", IdType::ResidencePermit, es()).unwrap_err().0,
            FieldErrorCode::InvalidFormat
        );
    }
}
