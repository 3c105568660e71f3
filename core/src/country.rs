//! ISO 3166-1 alpha-2 countries.

use crate::country_list::COUNTRIES;
use crate::i18n::Locale;
use serde::Serialize;

/// A country that exists in ISO 3166-1 (officially assigned alpha-2 codes only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "&'static str")]
pub struct Country(&'static str);

impl Country {
    /// Every country, sorted by code, e.g. for a `<select>`.
    pub fn all() -> impl Iterator<Item = Self> {
        COUNTRIES.iter().map(|(code, _, _)| Self(code))
    }

    /// The two-letter code, e.g. `ES`.
    pub const fn code(self) -> &'static str {
        self.0
    }

    /// The English short name, e.g. `Spain`.
    pub fn name(self) -> &'static str {
        self.name_in(Locale::English)
    }

    /// The short name in `locale`, e.g. `España`.
    pub fn name_in(self, locale: Locale) -> &'static str {
        COUNTRIES.binary_search_by_key(&self.0, |(code, _, _)| code).map_or("", |i| match locale {
            Locale::English => COUNTRIES[i].1,
            Locale::Spanish => COUNTRIES[i].2,
        })
    }
}

impl From<Country> for &'static str {
    fn from(country: Country) -> Self {
        country.0
    }
}

impl TryFrom<&str> for Country {
    type Error = ();

    /// Accepts the code in any letter case, surrounding blanks trimmed.
    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        let &[a, b] = raw.trim().as_bytes() else {
            return Err(());
        };
        let key = |x: u8, y: u8| u16::from_be_bytes([x.to_ascii_uppercase(), y.to_ascii_uppercase()]);
        let wanted = key(a, b);
        COUNTRIES
            .binary_search_by_key(&wanted, |(code, _, _)| {
                let c = code.as_bytes();
                key(c[0], c[1])
            })
            .map(|i| Self(COUNTRIES[i].0))
            .map_err(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_complete() {
        assert_eq!(COUNTRIES.len(), 249);
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn lookup_is_case_insensitive_and_refuses_unassigned_codes() {
        assert_eq!(Country::try_from(" es ").unwrap().name(), "Spain");
        assert!(Country::try_from("XK").is_err());
        assert!(Country::try_from("UK").is_err());
        assert!(Country::try_from("ESP").is_err());
    }
}
