//! The languages kycard speaks, and how one is chosen.
//!
//! Every text people read comes from core in each [`Locale`]: field errors
//! ([`crate::message::Message`]), the labels of the closed vocabularies (`label_in`), field
//! labels ([`crate::paths::label_in`]), country names and the API's error catalogue
//! ([`crate::api_error::ApiErrorCode`]). The server picks the locale from `Accept-Language`,
//! the web app from its language switch, the npm package from its `locale` argument.

use serde::{Deserialize, Serialize};

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    /// English, the default.
    #[default]
    #[serde(rename = "en")]
    English,
    /// Spanish.
    #[serde(rename = "es")]
    Spanish,
}

impl Locale {
    /// Every locale, the default first.
    pub const ALL: &'static [Self] = &[Self::English, Self::Spanish];

    /// The language tag, e.g. `es`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::English => "en",
            Self::Spanish => "es",
        }
    }

    /// The language's name in itself, for a language switch.
    pub const fn native_name(self) -> &'static str {
        match self {
            Self::English => "English",
            Self::Spanish => "Español",
        }
    }

    /// The locale of a language tag such as `es`, `es-MX` or `EN_gb` (its primary subtag,
    /// any letter case); `None` for a language kycard does not speak.
    pub fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Self::ALL.iter().copied().find(|l| l.as_str().eq_ignore_ascii_case(primary))
    }

    /// The first supported locale among language tags in order of preference (as
    /// `navigator.languages` lists them), else English.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Self {
        tags.into_iter().find_map(Self::from_tag).unwrap_or_default()
    }

    /// The locale an `Accept-Language` header asks for (RFC 9110 §12.5.4): the supported
    /// language with the highest `q` weight (the earlier one on a tie), else English. A range
    /// with `q=0` is refused, and `*` means any, which is English.
    pub fn from_accept_language(header: &str) -> Self {
        let mut best: Option<(u16, Self)> = None;
        for range in header.split(',').take(32) {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q=").or_else(|| p.trim().strip_prefix("Q=")))
                .map_or(Some(1000), quality);
            let (Some(weight), Some(locale)) =
                (weight, if tag == "*" { Some(Self::English) } else { Self::from_tag(tag) })
            else {
                continue;
            };
            if weight > 0 && best.is_none_or(|(w, _)| weight > w) {
                best = Some((weight, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// A `q` value (`0` to `1`, up to three decimals) in thousandths; `None` when malformed.
fn quality(raw: &str) -> Option<u16> {
    let (whole, fraction) = raw.trim().split_once('.').unwrap_or((raw.trim(), ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

impl std::fmt::Display for Locale {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_choose_by_primary_subtag() {
        assert_eq!(Locale::from_tag("es-MX"), Some(Locale::Spanish));
        assert_eq!(Locale::from_tag("EN_gb"), Some(Locale::English));
        assert_eq!(Locale::from_tag("fr"), None);
        assert_eq!(Locale::from_tag(""), None);
        assert_eq!(Locale::negotiate(["fr-FR", "es", "en"]), Locale::Spanish);
        assert_eq!(Locale::negotiate(["de"]), Locale::English);
    }

    #[test]
    fn accept_language_follows_weights() {
        assert_eq!(Locale::from_accept_language("es-ES,es;q=0.9,en;q=0.8"), Locale::Spanish);
        assert_eq!(Locale::from_accept_language("en;q=0.5, es;q=0.7"), Locale::Spanish);
        assert_eq!(Locale::from_accept_language("fr, es;q=0.1"), Locale::Spanish);
        assert_eq!(Locale::from_accept_language("es;q=0, en"), Locale::English);
        assert_eq!(Locale::from_accept_language("es;q=0"), Locale::English);
        assert_eq!(Locale::from_accept_language("*"), Locale::English);
        assert_eq!(Locale::from_accept_language(""), Locale::English);
        assert_eq!(Locale::from_accept_language("es;q=abc"), Locale::English);
        assert_eq!(Locale::from_accept_language("es;q=1.5"), Locale::English);
        assert_eq!(Locale::from_accept_language("ñ,😀;q=0.5,es;q=0.001"), Locale::Spanish);
    }
}
