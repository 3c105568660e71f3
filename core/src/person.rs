//! Personal details: full name, date of birth, gender and residential address.

use crate::country::Country;
use crate::field_error::{FieldError, FieldErrorCode, ValidationErrors, max_chars, plain_text, required_text};
use crate::marks::is_combining_mark;
use crate::message::Message;
use crate::paths;
use crate::postal;
use crate::wire::AddressData;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

/// Shortest full name, in characters (mononyms such as "Lu" are real names).
pub const NAME_MIN_CHARS: usize = 2;
/// Longest full name, in characters.
pub const NAME_MAX_CHARS: usize = 140;
/// Minimum age to hold a card.
pub const MIN_AGE: u32 = 18;
/// Oldest plausible age; anything older is a typing mistake.
pub const MAX_AGE: u32 = 120;
/// Longest address line, city or region.
pub const ADDRESS_PART_MAX_CHARS: usize = 100;

/// A person's full name in any script: letters, combining marks, spaces, apostrophes, hyphens
/// and dots; blanks collapsed; between 2 and 140 characters; no digits, symbols or controls.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct FullName(String);

impl FullName {
    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<FullName> for String {
    fn from(name: FullName) -> Self {
        name.0
    }
}

impl TryFrom<&str> for FullName {
    type Error = FieldErrorCode;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let collapsed = collapse(raw);
        if collapsed.is_empty() {
            return Err(FieldErrorCode::Required);
        }
        let (mut chars, mut letters) = (0usize, 0usize);
        for c in collapsed.chars() {
            if !allowed_in_name(c) {
                return Err(FieldErrorCode::InvalidCharacters);
            }
            chars += 1;
            letters += usize::from(is_letter(c));
        }
        if letters == 0 {
            return Err(FieldErrorCode::InvalidCharacters);
        }
        match chars {
            n if n < NAME_MIN_CHARS => Err(FieldErrorCode::TooShort),
            n if n > NAME_MAX_CHARS => Err(FieldErrorCode::TooLong),
            _ => Ok(Self(collapsed)),
        }
    }
}

fn allowed_in_name(c: char) -> bool {
    // Typographic apostrophes (O’Brien), a Unicode hyphen, and ZWNJ/ZWJ, which shape Persian
    // and Indic names.
    const PUNCTUATION: &[char] = &['’', 'ʼ', '‐', '\u{200C}', '\u{200D}'];
    if c.is_ascii() {
        return c.is_ascii_alphabetic() || matches!(c, ' ' | '\'' | '-' | '.');
    }
    is_letter(c) || PUNCTUATION.contains(&c) || is_combining_mark(c)
}

/// Whether `c` is a letter of some script (alphabetic and not numeric). Latin letters, the
/// most common in names, are answered without a look-up in the Unicode tables: every code
/// point from U+00C0 to U+024F is one, but for `×` and `÷`.
fn is_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\u{C0}'..='\u{24F}' => !matches!(c, '×' | '÷'),
        _ => c.is_alphabetic() && !c.is_numeric(),
    }
}

/// Parses the full name field.
pub fn parse_full_name(path: &str, raw: &str) -> Result<FullName, FieldError> {
    FullName::try_from(raw).map_err(|code| {
        let message = match code {
            FieldErrorCode::Required => Message::Required,
            FieldErrorCode::TooShort => Message::AtLeastChars { min: NAME_MIN_CHARS },
            FieldErrorCode::TooLong => Message::AtMostChars { max: NAME_MAX_CHARS },
            _ => Message::NameCharacters,
        };
        FieldError::new(path, code, message)
    })
}

/// Parses a `YYYY-MM-DD` date as sent on the wire.
pub fn parse_wire_date(path: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    parse_day(raw.trim()).ok_or_else(|| FieldError::new(path, FieldErrorCode::InvalidDate, Message::DateFormat))
}

/// Exactly `YYYY-MM-DD` with ASCII digits, and a day that exists. Hand-written because
/// chrono's format parser accepts signs and longer years, and is slower on this hot path.
pub fn parse_day(raw: &str) -> Option<NaiveDate> {
    let b = raw.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        b.get(range)?.iter().try_fold(0u32, |acc, d| d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0')))
    };
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i32::try_from(digits(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, digits(5..7)?, digits(8..10)?)
}

/// A date as `YYYY-MM-DD`, the form [`parse_day`] reads, written without the formatting
/// machinery or an allocation for the four-digit years it reads (others as chrono writes them).
pub enum DayText {
    /// A year from 0 to 9999.
    Short([u8; 10]),
    /// Any other year.
    Other(String),
}

impl DayText {
    /// `date` as text.
    pub fn new(date: NaiveDate) -> Self {
        let Ok(year @ 0..=9999) = u32::try_from(date.year()) else {
            return Self::Other(date.to_string());
        };
        let digit = |n: u32| b'0' + u8::try_from(n % 10).unwrap_or(0);
        let (month, day) = (date.month(), date.day());
        Self::Short([
            digit(year / 1000),
            digit(year / 100),
            digit(year / 10),
            digit(year),
            b'-',
            digit(month / 10),
            digit(month),
            b'-',
            digit(day / 10),
            digit(day),
        ])
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Short(bytes) => std::str::from_utf8(bytes).unwrap_or_default(),
            Self::Other(text) => text,
        }
    }
}

/// Whole years between `born` and `on`. A 29 February birthday is reached on 1 March in
/// common years, the rule most legal systems apply for coming of age.
pub fn age_on(born: NaiveDate, on: NaiveDate) -> i32 {
    let had_birthday = (on.month(), on.day()) >= (born.month(), born.day());
    on.year() - born.year() - i32::from(!had_birthday)
}

/// A date of birth of someone aged 18 to 120 on the day it was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct DateOfBirth(NaiveDate);

impl DateOfBirth {
    /// Checks `date` against today's date.
    pub fn new(date: NaiveDate, today: NaiveDate) -> Result<Self, FieldErrorCode> {
        if date > today {
            return Err(FieldErrorCode::InFuture);
        }
        let age = age_on(date, today);
        if age < MIN_AGE.cast_signed() {
            Err(FieldErrorCode::TooYoung)
        } else if age > MAX_AGE.cast_signed() {
            Err(FieldErrorCode::TooOld)
        } else {
            Ok(Self(date))
        }
    }

    /// The date.
    pub const fn date(self) -> NaiveDate {
        self.0
    }
}

/// Parses the date-of-birth field.
pub fn parse_date_of_birth(path: &str, raw: &str, today: NaiveDate) -> Result<DateOfBirth, FieldError> {
    let date = parse_wire_date(path, raw)?;
    DateOfBirth::new(date, today).map_err(|code| {
        let message = match code {
            FieldErrorCode::InFuture => Message::BirthInFuture,
            FieldErrorCode::TooYoung => Message::TooYoung { years: MIN_AGE },
            _ => Message::TooOld { years: MAX_AGE },
        };
        FieldError::new(path, code, message)
    })
}

choice_enum! {
    /// Gender as the customer chooses to declare it.
    pub enum Gender {
        Female = "female" => "Female" / "Mujer",
        Male = "male" => "Male" / "Hombre",
        NonBinary = "non_binary" => "Non-binary" / "No binario",
        Undisclosed = "undisclosed" => "Prefer not to say" / "Prefiero no decirlo",
    }
}

/// A residential address with a real country and, where the country uses them, a postal code
/// of that country's format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Address {
    /// Street and number.
    pub line1: String,
    /// Flat, floor, building.
    pub line2: Option<String>,
    /// City or town.
    pub city: String,
    /// State, province or region.
    pub region: Option<String>,
    /// Canonical postal code; `None` only in countries without postal codes.
    pub postal_code: Option<String>,
    /// Country of residence.
    pub country: Country,
}

/// Parses the residential address, recording every problem.
pub fn parse_address(data: &AddressData, errors: &mut ValidationErrors) -> Option<Address> {
    let required = |path: &'static str, value: Option<&str>, errors: &mut ValidationErrors| {
        let v = errors.collect(required_text(path, value))?;
        errors.collect(
            plain_text(path, v).and_then(|()| max_chars(path, v, ADDRESS_PART_MAX_CHARS)).map(|()| collapse(v)),
        )
    };
    let optional = |path: &'static str, value: Option<&str>, errors: &mut ValidationErrors| match value
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => Some(None),
        Some(v) => errors.collect(
            plain_text(path, v).and_then(|()| max_chars(path, v, ADDRESS_PART_MAX_CHARS)).map(|()| Some(collapse(v))),
        ),
    };

    let line1 = required(paths::ADDRESS_LINE1, data.line1.as_deref(), errors);
    let line2 = optional(paths::ADDRESS_LINE2, data.line2.as_deref(), errors);
    let city = required(paths::ADDRESS_CITY, data.city.as_deref(), errors);
    let region = optional(paths::ADDRESS_REGION, data.region.as_deref(), errors);
    let country = errors.collect(parse_country(paths::ADDRESS_COUNTRY, data.country.as_deref()));
    let postal_code = country.and_then(|country| {
        errors.collect(parse_postal_code(paths::ADDRESS_POSTAL_CODE, country, data.postal_code.as_deref()))
    });
    Some(Address {
        line1: line1?,
        line2: line2?,
        city: city?,
        region: region?,
        postal_code: postal_code?,
        country: country?,
    })
}

/// Trims and turns every run of blanks into one space.
pub(crate) fn collapse(v: &str) -> String {
    // Most input is already tidy: copy it whole instead of rebuilding it word by word.
    if is_collapsed(v) {
        return v.to_owned();
    }
    let mut out = String::with_capacity(v.len());
    for word in v.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether `v` is as [`collapse`] leaves it (and not empty), in one pass: no blank at either
/// end, and only single spaces between words.
fn is_collapsed(v: &str) -> bool {
    let mut after_blank = true; // so a blank first is one too many
    for c in v.chars() {
        let blank = c.is_whitespace();
        if blank && (after_blank || c != ' ') {
            return false;
        }
        after_blank = blank;
    }
    !after_blank
}

/// Parses a required country code field.
pub fn parse_country(path: &str, raw: Option<&str>) -> Result<Country, FieldError> {
    let raw = required_text(path, raw)?;
    Country::try_from(raw).map_err(|()| FieldError::new(path, FieldErrorCode::InvalidCountry, Message::CountryCode))
}

fn parse_postal_code(path: &str, country: Country, raw: Option<&str>) -> Result<Option<String>, FieldError> {
    let raw = raw.map(str::trim).filter(|v| !v.is_empty());
    match raw {
        None if postal::postal_code_required(country) => {
            Err(FieldError::new(path, FieldErrorCode::Required, Message::Required))
        }
        None => Ok(None),
        Some(raw) => postal::normalize(country, raw).map(Some).ok_or_else(|| {
            FieldError::new(
                path,
                FieldErrorCode::InvalidPostalCode,
                Message::PostalCode { country, formats: postal::formats(country) },
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn latin_letters_are_known_without_the_tables() {
        for c in '\0'..='\u{2FF}' {
            assert_eq!(is_letter(c), c.is_alphabetic() && !c.is_numeric(), "{c:?}");
        }
    }

    #[test]
    fn collapsing_keeps_tidy_text_and_tidies_the_rest() {
        for (raw, tidy) in [
            ("Calle Mayor 1", "Calle Mayor 1"),
            ("a", "a"),
            ("", ""),
            (" ", ""),
            (" a", "a"),
            ("a ", "a"),
            ("a  b", "a b"),
            ("a\tb", "a b"),
            ("a\u{a0}b", "a b"),
            ("\u{3000}李 小龙\u{2003}", "李 小龙"),
            ("e\u{301} ", "e\u{301}"),
        ] {
            assert_eq!(collapse(raw), tidy, "{raw:?}");
            assert_eq!(is_collapsed(raw), raw == tidy && !raw.is_empty(), "{raw:?}");
        }
    }

    #[test]
    fn a_day_is_written_as_chrono_writes_it_and_read_back() {
        for text in ["0000-01-01", "0999-12-31", "1990-04-01", "2024-02-29", "9999-12-31"] {
            let day = parse_day(text).unwrap();
            assert_eq!(DayText::new(day).as_str(), text);
            assert_eq!(DayText::new(day).as_str(), day.to_string());
        }
        for year in [-1, 10_000, 262_000] {
            let day = NaiveDate::from_ymd_opt(year, 3, 4).unwrap();
            assert_eq!(DayText::new(day).as_str(), day.to_string(), "{year}");
        }
    }

    #[test]
    fn names_in_many_scripts() {
        for name in [
            "Ana María García López",
            "李小龙",
            "Владимир Петров",
            "محمد عبد الله",
            "देवनागरी नाम",
            "O’Brien",
            "Zoë D'Arcy-Smith Jr.",
            "Lu",
        ] {
            assert!(FullName::try_from(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn names_refuse_digits_symbols_and_controls() {
        for name in ["R2D2", "Ana\u{0}", "Ana 😀", "Ana@Home", "٣ Ahmed", "---"] {
            assert_eq!(FullName::try_from(name), Err(FieldErrorCode::InvalidCharacters), "{name}");
        }
    }

    #[test]
    fn leap_day_birthday_comes_of_age_on_first_of_march() {
        let born = date("2008-02-29");
        assert_eq!(age_on(born, date("2026-02-28")), 17);
        assert_eq!(age_on(born, date("2026-03-01")), 18);
        assert_eq!(age_on(born, date("2028-02-29")), 20);
    }

    #[test]
    fn wire_dates_are_strict() {
        for bad in ["2026-2-1", "+2026-02-01", "2026-02-30", "01/02/2026", ""] {
            assert!(parse_wire_date("d", bad).is_err(), "{bad}");
        }
    }
}
