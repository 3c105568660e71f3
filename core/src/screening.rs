//! Screening a customer's name and date of birth against a sanctions watchlist.
//!
//! The list is read in the layout of the U.S. Treasury's public SDN list (`SDN.CSV`: entry
//! number, name as `LAST, First`, type, program, …, remarks holding `DOB 14 Mar 1987`), so an
//! operator can drop in the published file or a list converted to it. Only individuals are
//! screened.
//!
//! Names are compared after folding: Unicode compatibility decomposition without accents
//! (`García` → `garcia`), the letters that do not decompose spelt out (`ß` → `ss`, `Þ` → `th`,
//! `Ø` → `o`, …) and the German transliterations `ae`, `oe`, `ue` read as `a`, `o`, `u` (so
//! `Müller`, `Muller` and `Mueller` meet). Each token of the shorter name is matched to its
//! closest token of the other by Jaro-Winkler similarity, whatever the order, so typos and
//! reordered names still match; the name score is the mean. Scripts other than Latin are
//! not transliterated.
//!
//! A **strong match** is a name score of at least [`STRONG_MATCH`] on at least two tokens, with
//! a date of birth that agrees with one of the entry's (day or year) or an entry that has none.
//! A strong match is never approved automatically: a reviewer compares the two.

use chrono::{Datelike, NaiveDate};
use unicode_normalization::UnicodeNormalization;

/// The smallest name score that sends a customer to a reviewer.
pub const STRONG_MATCH: f64 = 0.9;

/// A date of birth as lists give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BirthDate {
    /// A full date.
    Day(NaiveDate),
    /// Only the year (`DOB 1962`, `DOB circa 1962`).
    Year(i32),
}

impl BirthDate {
    fn agrees_with(self, date_of_birth: NaiveDate) -> bool {
        match self {
            Self::Day(day) => day == date_of_birth,
            Self::Year(year) => year == date_of_birth.year(),
        }
    }
}

impl std::fmt::Display for BirthDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Day(day) => write!(f, "{day}"),
            Self::Year(year) => write!(f, "{year}"),
        }
    }
}

/// One individual on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchlistEntry {
    /// The list's own number for the entry.
    pub list_id: String,
    /// The name as listed.
    pub name: String,
    /// The sanctions program(s).
    pub program: String,
    /// Every date of birth listed.
    pub births: Vec<BirthDate>,
}

/// A line of the list that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("watchlist line {line}: {problem}")]
pub struct WatchlistError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub problem: &'static str,
}

/// Splits one CSV record (RFC 4180 quoting); `None` when a quote is left open.
fn csv_fields(line: &str) -> Option<Vec<String>> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    (!quoted).then_some(fields)
}

/// The dates of birth in an SDN remarks field: `DOB 14 Mar 1987`, `DOB 1962`, `DOB circa 1962`.
fn births_in(remarks: &str) -> Vec<BirthDate> {
    remarks
        .split(';')
        .filter_map(|part| {
            let part = part.trim();
            let rest = part.strip_prefix("DOB ").or_else(|| part.strip_prefix("alt. DOB "))?;
            let rest = rest.trim().trim_start_matches("circa ").trim_end_matches('.');
            if let Ok(day) = NaiveDate::parse_from_str(rest, "%d %b %Y") {
                return Some(BirthDate::Day(day));
            }
            rest.get(..4).and_then(|y| y.parse().ok()).map(BirthDate::Year)
        })
        .collect()
}

/// Reads a list in the SDN.CSV layout; entries that are not individuals are skipped.
pub fn parse_sdn_csv(text: &str) -> Result<Vec<WatchlistEntry>, WatchlistError> {
    let mut entries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let error = |problem| WatchlistError { line: index + 1, problem };
        if line.trim().is_empty() || line.starts_with('\u{1a}') {
            continue;
        }
        let fields = csv_fields(line).ok_or_else(|| error("a quote is never closed"))?;
        let [list_id, name, kind, program, ..] = fields.as_slice() else {
            return Err(error("expected at least 4 fields: number, name, type, program"));
        };
        if name.trim().is_empty() {
            return Err(error("the name is empty"));
        }
        if kind.trim() != "individual" {
            continue;
        }
        let remarks = fields.get(11).map_or("", String::as_str);
        entries.push(WatchlistEntry {
            list_id: list_id.trim().to_owned(),
            name: name.trim().to_owned(),
            program: program.trim().to_owned(),
            births: births_in(remarks),
        });
    }
    Ok(entries)
}

/// A name's folded tokens (see the module's documentation).
pub fn fold(name: &str) -> Vec<String> {
    let mut plain = String::with_capacity(name.len());
    for c in name.nfkd().flat_map(char::to_lowercase) {
        match c {
            'ß' => plain.push_str("ss"),
            'æ' => plain.push_str("ae"),
            'œ' => plain.push_str("oe"),
            'þ' => plain.push_str("th"),
            'ø' => plain.push('o'),
            'đ' | 'ð' => plain.push('d'),
            'ł' => plain.push('l'),
            'ı' => plain.push('i'),
            c if c.is_alphanumeric() => plain.push(c),
            c if crate::marks::is_combining_mark(c) => {}
            _ => plain.push(' '),
        }
    }
    plain.split_whitespace().map(|t| t.replace("ae", "a").replace("oe", "o").replace("ue", "u")).collect()
}

/// How alike two names are (0 to 1), whatever the order of their parts.
pub fn name_score(a: &[String], b: &[String]) -> f64 {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return 0.0;
    }
    let total: f64 =
        short.iter().map(|token| long.iter().map(|other| strsim::jaro_winkler(token, other)).fold(0.0, f64::max)).sum();
    #[allow(clippy::cast_precision_loss)] // a handful of tokens
    let mean = total / short.len() as f64;
    mean
}

/// A strong match of a customer with an entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreeningMatch {
    /// The entry.
    pub entry: WatchlistEntry,
    /// Name similarity, 0 to 1.
    pub score: f64,
}

impl ScreeningMatch {
    /// The customer and the entry side by side, for the reviewer.
    pub fn describe(&self, full_name: &str, date_of_birth: NaiveDate) -> String {
        let births = if self.entry.births.is_empty() {
            "no date of birth listed".to_owned()
        } else {
            self.entry.births.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        };
        format!(
            "Customer {full_name}, born {date_of_birth} — watchlist entry {} {}, born {births}, program {} \
             (name similarity {:.2})",
            self.entry.list_id, self.entry.name, self.entry.program, self.score
        )
    }
}

/// The strongest match of a customer on the list, if any is strong (see the module's
/// documentation).
pub fn screen(full_name: &str, date_of_birth: NaiveDate, list: &[WatchlistEntry]) -> Option<ScreeningMatch> {
    let tokens = fold(full_name);
    list.iter()
        .filter(|entry| entry.births.is_empty() || entry.births.iter().any(|b| b.agrees_with(date_of_birth)))
        .filter_map(|entry| {
            let other = fold(&entry.name);
            let score = name_score(&tokens, &other);
            (tokens.len().min(other.len()) >= 2 && score >= STRONG_MATCH)
                .then(|| ScreeningMatch { entry: entry.clone(), score })
        })
        .max_by(|a, b| a.score.total_cmp(&b.score))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = "\
101,\"MUELLER, Hans Juergen\",individual,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 14 Mar 1961; POB Hamburg, Germany.\"
102,\"ACME SHIPPING LTD\",-0- ,SDGT,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- 
103,\"GARCIA LOPEZ, Ana Maria\",individual,CYBER2,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB circa 1990; alt. DOB 1991.\"
104,\"THORSDOTTIR, Zoe\",individual,RUSSIA-EO14024,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- 
";

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn the_sdn_layout_is_read_and_only_individuals_kept() {
        let list = parse_sdn_csv(LIST).unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].name, "MUELLER, Hans Juergen");
        assert_eq!(list[0].births, [BirthDate::Day(day("1961-03-14"))]);
        assert_eq!(list[1].births, [BirthDate::Year(1990), BirthDate::Year(1991)]);
        assert!(list[2].births.is_empty());
        assert_eq!(parse_sdn_csv("7,\"open").unwrap_err().problem, "a quote is never closed");
        assert_eq!(parse_sdn_csv("7,x").unwrap_err().line, 1);
    }

    #[test]
    fn folding_meets_accents_transliterations_and_case() {
        assert_eq!(fold("Hans-Jürgen MÜLLER"), fold("hans juergen mueller"));
        assert_eq!(fold("Zoë Þórunn"), ["zo", "thorunn"]);
        assert_eq!(fold("Ana María García López"), ["ana", "maria", "garcia", "lopez"]);
        assert_eq!(fold("Straße"), ["strasse"]);
    }

    #[test]
    fn order_typos_and_dates_of_birth() {
        let list = parse_sdn_csv(LIST).unwrap();
        // Reordered, accented, with a typo, born in a listed year.
        let hit = screen("Ana Maria Garcia Lópes", day("1990-06-02"), &list).unwrap();
        assert_eq!(hit.entry.list_id, "103");
        assert!(hit.score > 0.95, "{}", hit.score);
        assert!(hit.describe("Ana Maria Garcia Lópes", day("1990-06-02")).contains("born 1990, 1991"));
        // The same name born in another year is another person.
        assert!(screen("Ana Maria Garcia Lopez", day("1975-06-02"), &list).is_none());
        // Müller / Mueller, the listed birthday.
        assert_eq!(screen("Hans Jürgen Müller", day("1961-03-14"), &list).unwrap().entry.list_id, "101");
        assert!(screen("Hans Jürgen Müller", day("1961-03-15"), &list).is_none());
        // No date listed: the name decides. One shared first name is not a match.
        assert_eq!(screen("Zoë Thorsdóttir", day("2000-01-01"), &list).unwrap().entry.list_id, "104");
        assert!(screen("Zoe", day("2000-01-01"), &list).is_none());
        assert!(screen("Marta Ruiz Soto", day("1985-02-20"), &list).is_none());
    }
}
