//! What the customers list's search box finds: a customer's name (folded like the screening
//! folds it, so `garcia` finds `García` and `muller` finds `Müller`), email and phone (by its
//! digits, so `+34 600 111 222` and `600111` find `+34600111222`).
//!
//! [`terms`] is the text stored and indexed for a customer; [`query_tokens`] turns what a
//! person typed into tokens that must each appear in it. Both sides fold the same way, so the
//! storage only matches substrings and knows no rule.

use crate::screening::fold;
use crate::wire::CustomerData;

/// Bumped whenever [`terms`] changes, so that stored terms are computed again.
pub const TERMS_VERSION: u32 = 1;

/// Tokens of a query at most (the rest are ignored).
pub const MAX_QUERY_TOKENS: usize = 8;

/// The searchable text of a customer: folded name, lower-cased email, phone digits.
pub fn terms(data: &CustomerData) -> String {
    let name = data.individual.as_ref().and_then(|i| i.personal.as_ref()).and_then(|p| p.full_name.as_deref());
    let email = data.contact.as_ref().and_then(|c| c.email.as_deref());
    let phone = data.contact.as_ref().and_then(|c| c.phone.as_deref());
    let mut parts = fold(name.unwrap_or(""));
    parts.extend(email.map(str::to_lowercase));
    parts.extend(phone.map(digits).filter(|d| !d.is_empty()));
    parts.join(" ")
}

/// What a person typed, as tokens that must all appear in a customer's [`terms`]: a query
/// that looks like a phone number is one string of digits; an email-like word is kept
/// whole, lower-cased; other words are folded.
pub fn query_tokens(query: &str) -> Vec<String> {
    let query = query.trim();
    let phone_like = query.chars().any(|c| c.is_ascii_digit())
        && query.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')' | '.'));
    if phone_like {
        return vec![digits(query)];
    }
    let mut tokens: Vec<String> = Vec::new();
    for word in query.split_whitespace() {
        if word.contains('@') {
            tokens.push(word.to_lowercase());
        } else {
            tokens.extend(fold(word));
        }
    }
    tokens.dedup();
    tokens.truncate(MAX_QUERY_TOKENS);
    tokens
}

fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ContactData, IndividualData, PersonalData};

    fn customer(name: &str, email: &str, phone: &str) -> CustomerData {
        CustomerData {
            contact: Some(ContactData { email: Some(email.into()), phone: Some(phone.into()) }),
            individual_cards: Some(true),
            individual: Some(IndividualData {
                personal: Some(PersonalData { full_name: Some(name.into()), ..PersonalData::default() }),
                ..IndividualData::default()
            }),
        }
    }

    /// Whether the query finds the customer, as the storage matches: every token a substring.
    fn finds(query: &str, data: &CustomerData) -> bool {
        let terms = terms(data);
        let tokens = query_tokens(query);
        !tokens.is_empty() && tokens.iter().all(|t| terms.contains(t.as_str()))
    }

    #[test]
    fn names_are_found_without_their_accents_in_any_order() {
        let ana = customer("Ana María García López", "ana@example.com", "+34600111222");
        for query in ["garcía", "GARCIA", "lopez ana", "Garc", "maría garcía", "  ana  "] {
            assert!(finds(query, &ana), "{query}");
        }
        assert!(!finds("garcia perez", &ana));
        let jurgen = customer("Jürgen Müller", "j@example.de", "+4915112345678");
        assert!(finds("muller", &jurgen) && finds("mueller", &jurgen) && finds("Müller", &jurgen));
    }

    #[test]
    fn phones_are_found_by_their_digits() {
        let ana = customer("Ana García", "ana@example.com", "+34600111222");
        for query in ["+34 600 111 222", "600111", "(600) 111-222", "34600111222"] {
            assert!(finds(query, &ana), "{query}");
        }
        assert!(!finds("600 999", &ana));
        assert_eq!(query_tokens("+34 600 111 222"), ["34600111222"]);
    }

    #[test]
    fn emails_are_found_whole_or_in_part() {
        let ana = customer("Ana García", "Ana.Garcia@Example.com", "+34600111222");
        assert!(finds("ana.garcia@example.com", &ana));
        assert!(finds("garcia@exa", &ana));
        assert!(finds("example", &ana));
        assert!(!finds("ana@other.org", &ana));
    }

    #[test]
    fn queries_are_bounded_and_empty_ones_find_nothing() {
        assert!(query_tokens("   ").is_empty());
        assert!(query_tokens("!!! ???").is_empty());
        let many = (0..20).map(|n| format!("word{n}")).collect::<Vec<_>>().join(" ");
        assert_eq!(query_tokens(&many).len(), MAX_QUERY_TOKENS);
    }
}
