//! The automatic review: the rules that decide most customers without a person.
//!
//! Pure like the rest of core: the server passes what it knows (the profile, today, what it
//! measured of each document) and stores the answer. Every rule is reported as a [`Check`]
//! (what was measured against which threshold), so the history explains each decision.

use crate::documents::{DocumentKind, PROOF_OF_ADDRESS_MAX_AGE_MONTHS, proof_of_address_current};
use crate::quality::{DocumentContent, MIN_TEXT_CHARS, Measures, judge};
use crate::review::{Flag, FlagCode, FlagTarget};
use crate::risk::{HIGH_RISK_POINTS, RiskLevel, RiskScore};
use crate::screening::{STRONG_MATCH, WatchlistEntry, screen};
use crate::status::AutomaticOutcome;
use crate::wire::Check;
use chrono::NaiveDate;
use uuid::Uuid;

/// What the server read of one current document.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentFacts {
    /// Which requirement it answers.
    pub kind: DocumentKind,
    /// Hex SHA-256 of the file, to find the same file sent twice.
    pub sha256: String,
    /// What decoding or parsing the file found.
    pub content: DocumentContent,
    /// Issue date, for a proof of address.
    pub issued_on: Option<NaiveDate>,
}

/// Another customer of the organization, as a reviewer compares them with this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherCustomer {
    /// Their id.
    pub id: Uuid,
    /// Their full name on file.
    pub full_name: String,
    /// Their date of birth on file.
    pub date_of_birth: String,
}

impl std::fmt::Display for OtherCustomer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "customer {} ({}, born {})", self.id, self.full_name, self.date_of_birth)
    }
}

/// Something of this customer's that another customer of the organization also has: a
/// reviewer must see both before anyone is approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Duplicate {
    /// The same file (same SHA-256) was uploaded for another customer.
    File {
        /// This customer's document.
        kind: DocumentKind,
        /// The other customer.
        other: OtherCustomer,
    },
    /// Another customer has the same official ID (type, number and issuing country).
    OfficialId {
        /// The other customer.
        other: OtherCustomer,
    },
}

/// What the review is given.
#[derive(Debug, Clone)]
pub struct ReviewInput<'a> {
    /// The day of the review.
    pub today: NaiveDate,
    /// Date of birth on file.
    pub date_of_birth: NaiveDate,
    /// ID expiry on file.
    pub id_expires_on: NaiveDate,
    /// The profile's risk score.
    pub risk: RiskScore,
    /// The current document of each required kind.
    pub documents: &'a [DocumentFacts],
    /// What other customers of the organization share with this one.
    pub duplicates: &'a [Duplicate],
    /// The name on file, for screening.
    pub full_name: &'a str,
    /// The sanctions watchlist in force.
    pub watchlist: &'a [WatchlistEntry],
}

/// What the review decided, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewResult {
    /// Approve, reject or refer to a person.
    pub outcome: AutomaticOutcome,
    /// What must be corrected (on rejection).
    pub flags: Vec<Flag>,
    /// Every rule and its measurement.
    pub checks: Vec<Check>,
}

fn check(name: &str, passed: bool, value: String, threshold: String, message: String) -> Check {
    Check { name: name.to_owned(), passed, value, threshold, message }
}

/// Runs every rule; rejects on any failed rule a person can correct, refers to a reviewer
/// what the rules cannot settle (duplicates, a watchlist match, high-risk profiles), approves
/// the rest: a watchlist match is never approved automatically.
pub fn automatic_review(input: &ReviewInput<'_>) -> ReviewResult {
    let mut checks = Vec::new();
    let mut flags = Vec::new();

    let age = crate::person::age_on(input.date_of_birth, input.today);
    let adult = age >= i32::try_from(crate::person::MIN_AGE).unwrap_or(18);
    checks.push(check(
        "age_years",
        adult,
        age.to_string(),
        format!(">= {}", crate::person::MIN_AGE),
        if adult { "The customer is an adult.".into() } else { "The customer is under age.".into() },
    ));
    if !adult {
        flags.push(Flag::new(FlagTarget::Field(crate::paths::DATE_OF_BIRTH.to_owned()), FlagCode::FieldIncorrect));
    }

    let id_valid = input.id_expires_on >= input.today;
    checks.push(check(
        "id_expires_on",
        id_valid,
        input.id_expires_on.to_string(),
        format!(">= {}", input.today),
        if id_valid { "The identity document is current.".into() } else { "The identity document has expired.".into() },
    ));

    for (index, doc) in input.documents.iter().enumerate() {
        let target = FlagTarget::Document(doc.kind);
        let (legible, problem) = legibility(doc.kind, &doc.content);
        checks.extend(legible);
        if let Some(problem) = problem {
            flags.push(Flag { message: problem, ..Flag::new(target, FlagCode::DocumentUnreadable) });
            continue;
        }
        if let Some(first) = input.documents[..index].iter().find(|d| d.sha256 == doc.sha256) {
            let message =
                format!("The same file was sent as the {}: send the {}.", first.kind.label(), doc.kind.label());
            checks.push(check(
                &format!("{}_distinct", doc.kind),
                false,
                format!("same file as {}", first.kind),
                "a file of its own".to_owned(),
                about(doc.kind, &message),
            ));
            flags.push(Flag { message, ..Flag::new(target, FlagCode::DocumentWrongType) });
            continue;
        }
        if doc.kind.shows_identity() && !id_valid {
            flags.push(Flag::new(target.clone(), FlagCode::DocumentExpired));
        }
        if doc.kind == DocumentKind::ProofOfAddress {
            proof_of_address_rule(input.today, doc, &mut checks, &mut flags);
        }
    }

    let mut refer = referrals(input, &mut checks);

    let standard = input.risk.level() == RiskLevel::Standard;
    checks.push(check(
        "risk_score",
        standard,
        format!("{} points ({})", input.risk.points, input.risk.describe()),
        format!("< {HIGH_RISK_POINTS} points"),
        if standard { "Standard risk profile.".into() } else { "High-risk profiles are checked by a reviewer.".into() },
    ));
    refer |= !standard;

    let outcome = if !flags.is_empty() {
        AutomaticOutcome::Reject { is_final: flags.iter().any(|f| f.is_final) }
    } else if refer {
        AutomaticOutcome::Refer
    } else {
        AutomaticOutcome::Approve
    };
    ReviewResult { outcome, flags, checks }
}

/// What a person must look at: duplicates of another customer's file or ID, and a strong
/// watchlist match, each recorded as a check. True when any is found.
fn referrals(input: &ReviewInput<'_>, checks: &mut Vec<Check>) -> bool {
    for duplicate in input.duplicates {
        checks.push(match duplicate {
            Duplicate::File { kind, other } => check(
                &format!("{kind}_duplicate"),
                false,
                format!("customer {}", other.id),
                "no other customer".to_owned(),
                about(*kind, &format!("The same file was uploaded for {other}.")),
            ),
            Duplicate::OfficialId { other } => check(
                "official_id_duplicate",
                false,
                format!("customer {}", other.id),
                "no other customer".to_owned(),
                format!("The same official ID (type, number and country) is on file for {other}."),
            ),
        });
    }
    let duplicated = !input.duplicates.is_empty();

    let hit = screen(input.full_name, input.date_of_birth, input.watchlist);
    checks.push(check(
        "watchlist",
        hit.is_none(),
        hit.as_ref().map_or_else(|| "no match".to_owned(), |m| format!("{} {}", m.entry.list_id, m.entry.name)),
        format!(
            "name similarity < {STRONG_MATCH} with a matching date of birth, over {} entries",
            input.watchlist.len()
        ),
        hit.as_ref().map_or_else(
            || "No strong match on the watchlist.".to_owned(),
            |m| format!("Possible watchlist match. {}", m.describe(input.full_name, input.date_of_birth)),
        ),
    ));
    duplicated || hit.is_some()
}

/// What was read of a document of `kind` and whether a person could read it: every rule as a
/// check, and the problem to flag, in words, when it cannot be read. The review and the
/// documents' API answers (a reviewer's screen) share this one judgement.
pub fn legibility(kind: DocumentKind, content: &DocumentContent) -> (Vec<Check>, Option<String>) {
    let mut checks = Vec::new();
    let problem = legibility_into(kind, content, &mut checks);
    (checks, problem)
}

fn legibility_into(kind: DocumentKind, content: &DocumentContent, checks: &mut Vec<Check>) -> Option<String> {
    match content {
        DocumentContent::Unreadable { problem } => {
            checks.push(check(
                &format!("{kind}_readable"),
                false,
                problem.as_str().to_owned(),
                "decodes whole".to_owned(),
                about(kind, problem.label()),
            ));
            Some(problem.label().to_owned())
        }
        DocumentContent::Image { measures } => picture_rules(kind, measures, checks),
        DocumentContent::Pdf { pages, text_chars, image } => {
            let has_text = *text_chars >= MIN_TEXT_CHARS;
            checks.push(check(
                &format!("{kind}_pdf_text"),
                has_text,
                format!("{text_chars} letters and digits on {pages} page(s)"),
                format!(">= {MIN_TEXT_CHARS}"),
                about(kind, if has_text { "The PDF holds text." } else { "The PDF holds no readable text." }),
            ));
            // A proof of address is a letter: its text is what a person reads. An identity
            // document must show the document itself, a picture.
            if has_text && !kind.shows_identity() {
                return None;
            }
            match image {
                Some(measures) => picture_rules(kind, measures, checks),
                None if !kind.shows_identity() => {
                    Some("The PDF has no readable text and no picture of the document.".to_owned())
                }
                None => Some("The PDF holds no picture of the document: send a photo or a scan.".to_owned()),
            }
        }
    }
}

/// The quality rules of a picture, each recorded as a check; the first failure's advice.
fn picture_rules(kind: DocumentKind, measures: &Measures, checks: &mut Vec<Check>) -> Option<String> {
    let results = judge(kind, measures);
    for r in &results {
        checks.push(check(
            &format!("{kind}_{}", r.rule),
            r.passed,
            r.value_text(),
            r.threshold_text(),
            about(kind, r.message()),
        ));
    }
    results.iter().find(|r| !r.passed).map(|r| r.message().to_owned())
}

fn proof_of_address_rule(today: NaiveDate, doc: &DocumentFacts, checks: &mut Vec<Check>, flags: &mut Vec<Flag>) {
    let target = FlagTarget::Document(doc.kind);
    let threshold = format!("issued within {PROOF_OF_ADDRESS_MAX_AGE_MONTHS} months of {today}");
    let Some(issued) = doc.issued_on else {
        checks.push(check(
            "proof_of_address_issued_on",
            false,
            "missing".to_owned(),
            threshold,
            about(doc.kind, "The issue date was not given."),
        ));
        flags.push(Flag::new(target, FlagCode::DocumentOutdated));
        return;
    };
    let current = proof_of_address_current(issued, today);
    checks.push(check(
        "proof_of_address_issued_on",
        current.is_ok(),
        issued.to_string(),
        threshold,
        about(doc.kind, &current.map_or_else(|e| e.to_string(), |()| "Issued recently enough.".to_owned())),
    ));
    match current {
        Ok(()) => {}
        Err(crate::documents::ProofOfAddressError::Outdated) => {
            flags.push(Flag::new(target, FlagCode::DocumentOutdated));
        }
        Err(crate::documents::ProofOfAddressError::IssuedInFuture) => {
            flags.push(Flag::new(target, FlagCode::DocumentMismatch));
        }
    }
}

/// A check's message about one document, naming it: several documents get the same checks.
fn about(kind: DocumentKind, message: &str) -> String {
    format!("{}: {message}", kind.label())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quality::ReadProblem;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn sharp() -> Measures {
        Measures { width: 1600, height: 1000, contrast: 60.0, sharpness: 900.0, dark_share: 0.05, bright_share: 0.2 }
    }

    fn image(kind: DocumentKind, sha: &str) -> DocumentFacts {
        DocumentFacts {
            kind,
            sha256: sha.to_owned(),
            content: DocumentContent::Image { measures: sharp() },
            issued_on: None,
        }
    }

    fn input<'a>(documents: &'a [DocumentFacts], duplicates: &'a [Duplicate]) -> ReviewInput<'a> {
        ReviewInput {
            today: date("2026-06-15"),
            date_of_birth: date("1990-04-01"),
            id_expires_on: date("2031-05-20"),
            risk: RiskScore { points: 0, reasons: Vec::new() },
            documents,
            duplicates,
            full_name: "Ana María García López",
            watchlist: &[],
        }
    }

    fn good_documents() -> Vec<DocumentFacts> {
        let mut poa = image(DocumentKind::ProofOfAddress, "c");
        poa.issued_on = Some(date("2026-05-01"));
        vec![image(DocumentKind::GovernmentIdFront, "a"), image(DocumentKind::GovernmentIdBack, "b"), poa]
    }

    fn flags_of(result: &ReviewResult) -> Vec<(String, FlagCode, String)> {
        result.flags.iter().map(|f| (f.target.to_string(), f.code, f.message.clone())).collect()
    }

    #[test]
    fn a_clean_file_is_approved_with_every_measure_recorded() {
        let docs = good_documents();
        let result = automatic_review(&input(&docs, &[]));
        assert_eq!(result.outcome, AutomaticOutcome::Approve);
        assert!(result.flags.is_empty());
        assert!(result.checks.iter().all(|c| c.passed), "{:?}", result.checks);
        let names: Vec<&str> = result.checks.iter().map(|c| c.name.as_str()).collect();
        for name in ["government_id_front_sharpness", "government_id_back_overexposure", "proof_of_address_contrast"] {
            assert!(names.contains(&name), "{names:?}");
        }
        // Glare is not judged on a proof of address (a scanned page is mostly white).
        assert!(!names.contains(&"proof_of_address_overexposure"));
        let sharpness = result.checks.iter().find(|c| c.name == "government_id_front_sharpness").unwrap();
        assert_eq!((sharpness.value.as_str(), sharpness.threshold.as_str()), ("900.0", ">= 100.0 (quality rules v1)"));
    }

    #[test]
    fn an_old_proof_of_address_is_flagged_for_resubmission() {
        let mut docs = good_documents();
        docs[2].issued_on = Some(date("2025-12-01"));
        let result = automatic_review(&input(&docs, &[]));
        assert_eq!(result.outcome, AutomaticOutcome::Reject { is_final: false });
        assert_eq!(result.flags[0].target, FlagTarget::Document(DocumentKind::ProofOfAddress));
        assert_eq!(result.flags[0].code, FlagCode::DocumentOutdated);
    }

    #[test]
    fn a_blurred_or_undecodable_picture_is_flagged_with_what_was_wrong() {
        let mut docs = good_documents();
        docs[0].content = DocumentContent::Image { measures: Measures { sharpness: 12.0, ..sharp() } };
        docs[1].content = DocumentContent::Unreadable { problem: ReadProblem::Corrupt };
        let mut review = input(&docs, &[]);
        review.id_expires_on = date("2026-06-14");
        let result = automatic_review(&review);
        let flags = flags_of(&result);
        assert_eq!(
            flags[0],
            (
                "document:government_id_front".to_owned(),
                FlagCode::DocumentUnreadable,
                "The picture is too blurred: take it again, holding the camera still.".to_owned()
            )
        );
        assert_eq!(flags[1].2, "The file is damaged or incomplete: it cannot be decoded.");
        // Each document's checks name it: the same checks run on every document.
        let failed: Vec<_> = result.checks.iter().filter(|c| !c.passed).map(|c| c.message.as_str()).collect();
        assert!(
            failed.contains(
                &"Government ID (front): The picture is too blurred: take it again, holding the camera still."
            )
        );
        assert!(failed.contains(&"The identity document has expired."), "{failed:?}");
    }

    #[test]
    fn pdfs_are_judged_by_their_text_or_their_picture() {
        let mut docs = good_documents();
        docs[2].content = DocumentContent::Pdf { pages: 1, text_chars: 180, image: None };
        assert_eq!(automatic_review(&input(&docs, &[])).outcome, AutomaticOutcome::Approve);
        // An identity document in a PDF is approved on its picture, never on text alone.
        docs[0].content = DocumentContent::Pdf { pages: 1, text_chars: 0, image: Some(sharp()) };
        assert_eq!(automatic_review(&input(&docs, &[])).outcome, AutomaticOutcome::Approve);
        docs[0].content = DocumentContent::Pdf { pages: 1, text_chars: 500, image: None };
        docs[2].content = DocumentContent::Pdf { pages: 1, text_chars: 3, image: None };
        let flags = flags_of(&automatic_review(&input(&docs, &[])));
        assert_eq!(flags[0].2, "The PDF holds no picture of the document: send a photo or a scan.");
        assert_eq!(flags[1].2, "The PDF has no readable text and no picture of the document.");
        docs[2].content = DocumentContent::Unreadable { problem: ReadProblem::Encrypted };
        let flags = flags_of(&automatic_review(&input(&docs, &[])));
        assert_eq!(flags[1].2, "The PDF is encrypted or password-protected: send it without protection.");
    }

    #[test]
    fn the_same_file_twice_is_flagged_and_a_duplicate_elsewhere_goes_to_a_reviewer() {
        let mut docs = good_documents();
        docs[1].sha256 = "a".to_owned();
        let flags = flags_of(&automatic_review(&input(&docs, &[])));
        assert_eq!(
            flags,
            [(
                "document:government_id_back".to_owned(),
                FlagCode::DocumentWrongType,
                "The same file was sent as the Government ID (front): send the Government ID (back).".to_owned()
            )]
        );
        let docs = good_documents();
        let other = OtherCustomer {
            id: Uuid::from_u128(7),
            full_name: "Ana García".to_owned(),
            date_of_birth: "1990-04-01".to_owned(),
        };
        let duplicates = [Duplicate::OfficialId { other }];
        let result = automatic_review(&input(&docs, &duplicates));
        assert_eq!(result.outcome, AutomaticOutcome::Refer);
        let failed = result.checks.iter().find(|c| !c.passed).unwrap();
        assert_eq!(failed.name, "official_id_duplicate");
        assert_eq!(
            failed.message,
            "The same official ID (type, number and country) is on file for customer \
             00000000-0000-0000-0000-000000000007 (Ana García, born 1990-04-01)."
        );
    }

    #[test]
    fn a_watchlist_match_goes_to_a_reviewer_with_both_side_by_side() {
        let docs = good_documents();
        let list = crate::screening::parse_sdn_csv(
            "7,\"GARCIA LOPEZ, Ana Maria\",individual,SAMPLE,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 01 Apr 1990.\"",
        )
        .unwrap();
        let mut review = input(&docs, &[]);
        review.watchlist = &list;
        let result = automatic_review(&review);
        assert_eq!(result.outcome, AutomaticOutcome::Refer);
        let check = result.checks.iter().find(|c| c.name == "watchlist").unwrap();
        assert!(!check.passed);
        assert!(check.message.contains("Customer Ana María García López, born 1990-04-01"), "{}", check.message);
        assert!(check.message.contains("entry 7 GARCIA LOPEZ, Ana Maria, born 1990-04-01"), "{}", check.message);
        // Screened against an empty list, the same customer is approved.
        review.watchlist = &[];
        assert_eq!(automatic_review(&review).outcome, AutomaticOutcome::Approve);
    }

    #[test]
    fn high_risk_goes_to_a_reviewer() {
        let docs = good_documents();
        let mut review = input(&docs, &[]);
        review.risk = RiskScore { points: 50, reasons: vec![(50, "monthly volume above 20,000")] };
        assert_eq!(automatic_review(&review).outcome, AutomaticOutcome::Refer);
    }
}
