//! Postal codes: exact formats for major countries, a generic rule for the rest.
//!
//! A format is written with `9` for a digit, `A` for a letter and any other character as a
//! literal separator. Input is compared with separators removed and returned in the canonical
//! form, so `sw1a1aa`, `SW1A 1AA` and `SW1A-1AA` all become `SW1A 1AA`.

use crate::country::Country;

/// Countries with exact formats. Several formats per country are alternatives.
const FORMATS: &[(&str, &[&str])] = &[
    ("AR", &["9999", "A9999AAA"]),
    ("AT", &["9999"]),
    ("AU", &["9999"]),
    ("BE", &["9999"]),
    ("BR", &["99999-999"]),
    ("CA", &["A9A 9A9"]),
    ("CH", &["9999"]),
    ("CN", &["999999"]),
    ("CZ", &["999 99"]),
    ("DE", &["99999"]),
    ("DK", &["9999"]),
    ("ES", &["99999"]),
    ("FI", &["99999"]),
    ("FR", &["99999"]),
    ("GB", &["A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA"]),
    ("IE", &["A99 XXXX"]),
    ("IN", &["999999"]),
    ("IT", &["99999"]),
    ("JP", &["999-9999"]),
    ("KR", &["99999"]),
    ("MX", &["99999"]),
    ("NL", &["9999 AA"]),
    ("NO", &["9999"]),
    ("NZ", &["9999"]),
    ("PL", &["99-999"]),
    ("PT", &["9999-999"]),
    ("RU", &["999999"]),
    ("SE", &["999 99"]),
    ("SG", &["999999"]),
    ("US", &["99999", "99999-9999"]),
    ("ZA", &["9999"]),
];

/// Countries that have no postal codes, where the field may be left empty.
const WITHOUT_POSTAL_CODES: &[&str] = &[
    "AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI", "CK", "CM", "DJ", "DM",
    "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "KI", "KM", "KN", "KP", "LY", "ML", "MO", "MR", "MW", "NR",
    "NU", "QA", "RW", "SB", "SC", "SL", "SR", "SS", "ST", "SY", "TD", "TF", "TG", "TK", "TL", "TO", "TV", "UG", "VU",
    "YE", "ZW",
];

/// Generic rule length bounds (separators included).
const GENERIC_MIN: usize = 2;
const GENERIC_MAX: usize = 10;

/// Whether people in this country write a postal code in their address.
pub fn postal_code_required(country: Country) -> bool {
    !WITHOUT_POSTAL_CODES.contains(&country.code())
}

/// The formats checked for a country, if it has exact ones (shown to people as examples).
pub fn formats(country: Country) -> Option<&'static [&'static str]> {
    FORMATS.binary_search_by(|(code, _)| code.cmp(&country.code())).ok().map(|i| FORMATS[i].1)
}

/// Returns the canonical form of a postal code, or `None` when it cannot be one for the country.
/// Postal codes are ASCII everywhere this module knows of; anything else is refused.
pub fn normalize(country: Country, raw: &str) -> Option<String> {
    let raw = raw.trim();
    if !raw.is_ascii() {
        return None;
    }
    match formats(country) {
        Some(formats) => {
            // Postal codes are short; a stack buffer avoids allocating for the comparison.
            let mut compact = [0u8; 16];
            let mut len = 0;
            for b in raw.bytes().filter(|&b| !is_separator(b)) {
                *compact.get_mut(len)? = b.to_ascii_uppercase();
                len += 1;
            }
            formats.iter().find_map(|format| apply_format(format, &compact[..len]))
        }
        None => generic(&raw.to_ascii_uppercase()),
    }
}

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-')
}

/// Lays `compact` (separators removed) onto `format`, or `None` if a character does not fit.
fn apply_format(format: &str, compact: &[u8]) -> Option<String> {
    let slots = format.bytes().filter(|&b| !is_separator(b)).count();
    if slots != compact.len() {
        return None;
    }
    let mut input = compact.iter();
    let mut out = String::with_capacity(format.len());
    for slot in format.bytes() {
        if is_separator(slot) {
            out.push(char::from(slot));
            continue;
        }
        let c = *input.next()?;
        let fits = match slot {
            b'9' => c.is_ascii_digit(),
            b'A' => c.is_ascii_uppercase(),
            b'X' => c.is_ascii_uppercase() || c.is_ascii_digit(),
            literal => c == literal,
        };
        if !fits {
            return None;
        }
        out.push(char::from(c));
    }
    Some(out)
}

/// Elsewhere: 2–10 ASCII letters, digits, spaces or hyphens with at least one letter or digit,
/// runs of blanks collapsed.
fn generic(upper: &str) -> Option<String> {
    let collapsed = crate::person::collapse(upper);
    let ok = (GENERIC_MIN..=GENERIC_MAX).contains(&collapsed.len())
        && collapsed.bytes().all(|b| b.is_ascii_alphanumeric() || is_separator(b))
        && collapsed.bytes().any(|b| b.is_ascii_alphanumeric());
    ok.then_some(collapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(country: &str, raw: &str) -> Option<String> {
        normalize(Country::try_from(country).unwrap(), raw)
    }

    #[test]
    fn exact_formats_are_canonicalised() {
        assert_eq!(norm("GB", "sw1a1aa").as_deref(), Some("SW1A 1AA"));
        assert_eq!(norm("NL", "1012ab").as_deref(), Some("1012 AB"));
        assert_eq!(norm("PT", "1000 001").as_deref(), Some("1000-001"));
        assert_eq!(norm("US", "94105-1234").as_deref(), Some("94105-1234"));
        assert_eq!(norm("CA", "k1a0b1").as_deref(), Some("K1A 0B1"));
        assert_eq!(norm("IE", "D02 X285").as_deref(), Some("D02 X285"));
    }

    #[test]
    fn wrong_shapes_are_refused() {
        assert_eq!(norm("ES", "2801"), None);
        assert_eq!(norm("US", "9410A"), None);
        assert_eq!(norm("CA", "K1A 0B"), None);
        assert_eq!(norm("DE", "１２３４５"), None, "full-width digits are not ASCII digits");
    }

    #[test]
    fn generic_rule_elsewhere() {
        assert_eq!(norm("LU", " L-1234 ").as_deref(), Some("L-1234"));
        assert_eq!(norm("LU", "--"), None);
        assert_eq!(norm("LU", "12345678901"), None);
    }

    #[test]
    fn every_formatted_country_exists_and_formats_are_sorted() {
        assert!(FORMATS.windows(2).all(|w| w[0].0 < w[1].0));
        for (code, _) in FORMATS {
            assert!(Country::try_from(*code).is_ok(), "{code}");
        }
        for code in WITHOUT_POSTAL_CODES {
            assert!(Country::try_from(*code).is_ok(), "{code}");
        }
    }
}
