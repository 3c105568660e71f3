//! The automatic review: the rules that decide most customers without a person.
//!
//! Pure like the rest of core: the server passes what it knows (the profile, today, what it
//! measured of each document) and stores the answer. Every rule is reported as a [`Check`]
//! (what was measured against which threshold), so the history explains each decision.

use crate::documents::{
    ContentType, DocumentKind, PROOF_OF_ADDRESS_MAX_AGE_MONTHS, RiskLevel, proof_of_address_current,
};
use crate::review::{Flag, FlagCode, FlagTarget};
use crate::status::AutomaticOutcome;
use crate::wire::Check;
use chrono::NaiveDate;

/// Smallest side, in pixels, of an image a person (or an OCR step) can read.
pub const MIN_IMAGE_SIDE: u32 = 320;
/// Largest side accepted; anything bigger is not a photo or scan of a document.
pub const MAX_IMAGE_SIDE: u32 = 20_000;
/// Smallest plausible file: below this nothing legible fits.
pub const MIN_DOCUMENT_BYTES: u64 = 1024;

/// What the server measured of one current document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentFacts {
    /// Which requirement it answers.
    pub kind: DocumentKind,
    /// Sniffed type.
    pub content_type: ContentType,
    /// Bytes.
    pub size: u64,
    /// Pixel size, for images whose header could be read.
    pub dimensions: Option<(u32, u32)>,
    /// Issue date, for a proof of address.
    pub issued_on: Option<NaiveDate>,
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
    /// The profile's risk.
    pub risk: RiskLevel,
    /// The current document of each required kind.
    pub documents: &'a [DocumentFacts],
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
/// what the rules cannot judge (PDF identity documents, high-risk profiles), approves the rest.
pub fn automatic_review(input: &ReviewInput<'_>) -> ReviewResult {
    let mut checks = Vec::new();
    let mut flags = Vec::new();
    let mut refer = false;

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

    for doc in input.documents {
        let target = FlagTarget::Document(doc.kind);
        let legible = legibility(doc);
        checks.push(check(
            &format!("{}_legible", doc.kind),
            legible.is_ok(),
            describe(doc),
            format!(">= {MIN_DOCUMENT_BYTES} bytes; images {MIN_IMAGE_SIDE}–{MAX_IMAGE_SIDE} px per side"),
            about(doc.kind, &legible.map_or_else(|why| why, |()| "Readable size.".to_owned())),
        ));
        if checks.last().is_some_and(|c| !c.passed) {
            flags.push(Flag::new(target.clone(), FlagCode::DocumentUnreadable));
            continue;
        }
        let is_identity = doc.kind != DocumentKind::ProofOfAddress;
        if is_identity && !id_valid {
            flags.push(Flag::new(target.clone(), FlagCode::DocumentExpired));
        }
        if is_identity && doc.content_type == ContentType::Pdf {
            refer = true;
            checks.push(check(
                &format!("{}_format", doc.kind),
                false,
                doc.content_type.as_str().to_owned(),
                "image".to_owned(),
                about(doc.kind, "Identity documents sent as PDF are checked by a reviewer."),
            ));
        }
        if doc.kind == DocumentKind::ProofOfAddress {
            proof_of_address_rule(input.today, doc, &mut checks, &mut flags);
        }
    }

    let standard = input.risk == RiskLevel::Standard;
    checks.push(check(
        "risk_level",
        standard,
        input.risk.as_str().to_owned(),
        "standard".to_owned(),
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

fn describe(doc: &DocumentFacts) -> String {
    match doc.dimensions {
        Some((w, h)) => format!("{} bytes, {w}×{h} px", doc.size),
        None => format!("{} bytes", doc.size),
    }
}

fn legibility(doc: &DocumentFacts) -> Result<(), String> {
    if doc.size < MIN_DOCUMENT_BYTES {
        return Err("The file is too small to hold a legible document.".to_owned());
    }
    if doc.content_type == ContentType::Pdf {
        return Ok(());
    }
    match doc.dimensions {
        None => Err("The image cannot be decoded.".to_owned()),
        Some((w, h)) if w.min(h) < MIN_IMAGE_SIDE => Err(format!("The image is too small ({w}×{h} px).")),
        Some((w, h)) if w.max(h) > MAX_IMAGE_SIDE => Err(format!("The image is implausibly large ({w}×{h} px).")),
        Some(_) => Ok(()),
    }
}

/// Reads an image's pixel size from its header (PNG, JPEG, WebP); `None` when it cannot.
pub fn image_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let be32 = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let be16 = |at: usize| bytes.get(at..at + 2).map(|b| u32::from(u16::from_be_bytes([b[0], b[1]])));
    let le16 = |at: usize| bytes.get(at..at + 2).map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])));
    let le24 = |at: usize| bytes.get(at..at + 3).map(|b| u32::from_le_bytes([b[0], b[1], b[2], 0]));
    match crate::documents::sniff_content_type(bytes)? {
        ContentType::Png => (bytes.get(12..16)? == b"IHDR").then_some((be32(16)?, be32(20)?)),
        ContentType::Jpeg => {
            // Walk the markers to the first start-of-frame.
            let mut at = 2;
            while at + 9 < bytes.len() {
                if bytes[at] != 0xFF {
                    return None;
                }
                let marker = bytes[at + 1];
                let length = usize::try_from(be16(at + 2)?).ok()?;
                let is_frame = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
                if is_frame {
                    return Some((be16(at + 7)?, be16(at + 5)?));
                }
                at += 2 + length;
            }
            None
        }
        ContentType::Webp => match bytes.get(12..16)? {
            b"VP8 " => Some((le16(26)? & 0x3FFF, le16(28)? & 0x3FFF)),
            b"VP8L" => {
                let b = bytes.get(21..25)?;
                let bits = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
            }
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
            _ => None,
        },
        ContentType::Pdf => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn image(kind: DocumentKind) -> DocumentFacts {
        DocumentFacts {
            kind,
            content_type: ContentType::Jpeg,
            size: 200_000,
            dimensions: Some((1600, 1000)),
            issued_on: None,
        }
    }

    fn input(documents: &[DocumentFacts]) -> ReviewInput<'_> {
        ReviewInput {
            today: date("2026-06-15"),
            date_of_birth: date("1990-04-01"),
            id_expires_on: date("2031-05-20"),
            risk: RiskLevel::Standard,
            documents,
        }
    }

    fn good_documents() -> Vec<DocumentFacts> {
        let mut poa = image(DocumentKind::ProofOfAddress);
        poa.issued_on = Some(date("2026-05-01"));
        vec![image(DocumentKind::GovernmentIdFront), image(DocumentKind::GovernmentIdBack), poa]
    }

    #[test]
    fn a_clean_file_is_approved_with_every_check_recorded() {
        let docs = good_documents();
        let result = automatic_review(&input(&docs));
        assert_eq!(result.outcome, AutomaticOutcome::Approve);
        assert!(result.flags.is_empty());
        assert!(result.checks.iter().all(|c| c.passed), "{:?}", result.checks);
        assert!(result.checks.iter().any(|c| c.name == "proof_of_address_issued_on"));
    }

    #[test]
    fn an_old_proof_of_address_is_flagged_for_resubmission() {
        let mut docs = good_documents();
        docs[2].issued_on = Some(date("2025-12-01"));
        let result = automatic_review(&input(&docs));
        assert_eq!(result.outcome, AutomaticOutcome::Reject { is_final: false });
        assert_eq!(result.flags[0].target, FlagTarget::Document(DocumentKind::ProofOfAddress));
        assert_eq!(result.flags[0].code, FlagCode::DocumentOutdated);
    }

    #[test]
    fn a_tiny_image_is_unreadable_and_an_expired_id_is_flagged() {
        let mut docs = good_documents();
        docs[0].dimensions = Some((200, 120));
        let mut review = input(&docs);
        review.id_expires_on = date("2026-06-14");
        let result = automatic_review(&review);
        let codes: Vec<_> = result.flags.iter().map(|f| (f.target.to_string(), f.code)).collect();
        assert!(codes.contains(&("document:government_id_front".to_owned(), FlagCode::DocumentUnreadable)));
        assert!(codes.contains(&("document:government_id_back".to_owned(), FlagCode::DocumentExpired)));
        // Each document's checks name it: the same checks run on every document.
        let failed: Vec<_> = result.checks.iter().filter(|c| !c.passed).map(|c| c.message.as_str()).collect();
        assert!(failed.contains(&"Government ID (front): The image is too small (200×120 px)."), "{failed:?}");
    }

    #[test]
    fn pdf_identity_documents_and_high_risk_go_to_a_reviewer() {
        let mut docs = good_documents();
        docs[0].content_type = ContentType::Pdf;
        assert_eq!(automatic_review(&input(&docs)).outcome, AutomaticOutcome::Refer);
        let docs = good_documents();
        let mut review = input(&docs);
        review.risk = RiskLevel::High;
        assert_eq!(automatic_review(&review).outcome, AutomaticOutcome::Refer);
    }

    #[test]
    fn image_headers_give_their_size() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(1200u32.to_be_bytes());
        png.extend(800u32.to_be_bytes());
        assert_eq!(image_dimensions(&png), Some((1200, 800)));
        // JPEG: SOI, an APP0 segment, then SOF0 with height 600 and width 900.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x00, 0x00];
        jpeg.extend([0xFF, 0xC0, 0x00, 0x11, 0x08, 0x02, 0x58, 0x03, 0x84, 0x03]);
        assert_eq!(image_dimensions(&jpeg), Some((900, 600)));
        assert_eq!(image_dimensions(b"%PDF-1.7"), None);
        assert_eq!(image_dimensions(&[0xFF, 0xD8, 0xFF]), None);
    }
}
