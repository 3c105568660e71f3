//! Which documents a customer needs, where each stands, and what an upload may contain.

use crate::customer::Individual;
use crate::official_id::IdType;
use crate::review::FlagCode;
use crate::wire::Requirement;
use chrono::{Months, NaiveDate};

choice_enum! {
    /// A document the review can ask for.
    pub enum DocumentKind {
        GovernmentIdFront = "government_id_front" => "Government ID (front)" / "Documento de identidad (anverso)",
        GovernmentIdBack = "government_id_back" => "Government ID (back)" / "Documento de identidad (reverso)",
        Passport = "passport" => "Passport (photo page)" / "Pasaporte (página de la foto)",
        ProofOfAddress = "proof_of_address" => "Proof of address" / "Justificante de domicilio",
    }
}

impl DocumentKind {
    /// Whether the document shows the official ID (and so the person's photo): these are
    /// photographed, and a new ID needs them sent again.
    pub const fn shows_identity(self) -> bool {
        !matches!(self, Self::ProofOfAddress)
    }
}

/// Days before an active customer's ID expires that its renewal is asked for.
pub const RENEWAL_NOTICE_DAYS: i64 = 30;

/// An active customer's identity document that expires soon or has expired: a renewed one
/// must be uploaded (and its new expiry entered), then reviewed.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Renewal {
    /// The expiry date on file.
    pub expires_on: NaiveDate,
    /// Whether that day has passed: then no new card is issued until the renewal is approved.
    pub expired: bool,
}

impl Renewal {
    /// What the customer is asked, in words (English; [`crate::explain::renewal`] in any locale).
    pub fn describe(&self) -> String {
        crate::explain::renewal(self, crate::i18n::Locale::English)
    }
}

/// The renewal an active customer owes on `today`, if any (an ID expiring today is still valid).
pub fn renewal_due(expires_on: NaiveDate, today: NaiveDate) -> Option<Renewal> {
    (expires_on <= today + chrono::Duration::days(RENEWAL_NOTICE_DAYS))
        .then_some(Renewal { expires_on, expired: expires_on < today })
}

choice_enum! {
    /// Where a required document stands.
    pub enum RequirementState {
        Missing = "missing" => "Missing" / "Falta",
        Uploaded = "uploaded" => "Uploaded, awaiting review" / "Subido, pendiente de revisión",
        Accepted = "accepted" => "Accepted" / "Aceptado",
        Flagged = "flagged" => "Needs a new upload" / "Hay que subirlo de nuevo",
    }
}

/// A proof of address must have been issued within this many months.
pub const PROOF_OF_ADDRESS_MAX_AGE_MONTHS: u32 = 3;
/// Largest accepted upload.
pub const MAX_DOCUMENT_BYTES: u64 = 10 * 1024 * 1024;

/// The documents a customer needs, in checklist order.
///
/// * Passport holders upload the passport's photo page.
/// * Holders of other IDs upload the front and back; high-risk profiles add a passport too.
/// * Everyone uploads a proof of address.
pub fn required_documents(individual: &Individual) -> Vec<DocumentKind> {
    let mut kinds = Vec::with_capacity(4);
    if individual.official_id.id_type == IdType::Passport {
        kinds.push(DocumentKind::Passport);
    } else {
        kinds.extend([DocumentKind::GovernmentIdFront, DocumentKind::GovernmentIdBack]);
        if crate::risk::risk_score(individual).level() == crate::risk::RiskLevel::High {
            kinds.push(DocumentKind::Passport);
        }
    }
    kinds.push(DocumentKind::ProofOfAddress);
    kinds
}

/// The state of the current (latest) upload of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentDocument {
    /// Which requirement it answers.
    pub kind: DocumentKind,
    /// `Uploaded`, `Accepted` or `Flagged`.
    pub state: RequirementState,
    /// The flag, when flagged.
    pub flag: Option<(FlagCode, String)>,
}

/// The checklist: every required kind with the state of its current upload, or `missing`.
/// Uploads of kinds that are not required (e.g. after the profile changed) are left out.
pub fn requirements(required: &[DocumentKind], current: &[CurrentDocument]) -> Vec<Requirement> {
    required
        .iter()
        .map(|&kind| match current.iter().find(|d| d.kind == kind) {
            Some(doc) => Requirement {
                document: kind,
                state: doc.state,
                reason: doc.flag.as_ref().map(|(code, _)| *code),
                message: doc.flag.as_ref().map(|(_, message)| message.clone()),
            },
            None => Requirement { document: kind, state: RequirementState::Missing, reason: None, message: None },
        })
        .collect()
}

/// True when every requirement has an upload that is not flagged: the review can run.
pub fn all_submitted(requirements: &[Requirement]) -> bool {
    requirements.iter().all(|r| matches!(r.state, RequirementState::Uploaded | RequirementState::Accepted))
}

/// Why a proof of address is not current. Said in English as [`Message::ProofOfAddress`]
/// says it.
///
/// [`Message::ProofOfAddress`]: crate::message::Message::ProofOfAddress
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::message::Message::ProofOfAddress(*self))]
pub enum ProofOfAddressError {
    /// Issued after today: a typing mistake or a forgery.
    IssuedInFuture,
    /// Issued more than three months ago.
    Outdated,
}

/// A proof of address is current when issued no later than today and no earlier than three
/// calendar months before today (issued on 30 November, it is current until 28 February).
pub fn proof_of_address_current(issued_on: NaiveDate, today: NaiveDate) -> Result<(), ProofOfAddressError> {
    if issued_on > today {
        return Err(ProofOfAddressError::IssuedInFuture);
    }
    let oldest = today.checked_sub_months(Months::new(PROOF_OF_ADDRESS_MAX_AGE_MONTHS)).unwrap_or(NaiveDate::MIN);
    if issued_on < oldest { Err(ProofOfAddressError::Outdated) } else { Ok(()) }
}

choice_enum! {
    /// File types an upload may contain, recognised from the bytes, never from the name.
    pub enum ContentType {
        Jpeg = "image/jpeg" => "JPEG image" / "Imagen JPEG",
        Png = "image/png" => "PNG image" / "Imagen PNG",
        Webp = "image/webp" => "WebP image" / "Imagen WebP",
        Pdf = "application/pdf" => "PDF document" / "Documento PDF",
    }
}

/// Recognises an accepted file type from its first bytes (12 are enough).
pub fn sniff_content_type(head: &[u8]) -> Option<ContentType> {
    match head {
        [0xFF, 0xD8, 0xFF, ..] => Some(ContentType::Jpeg),
        [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Some(ContentType::Png),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some(ContentType::Webp),
        [b'%', b'P', b'D', b'F', b'-', ..] => Some(ContentType::Pdf),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn proof_of_address_window_uses_calendar_months() {
        let today = date("2026-05-31");
        assert!(proof_of_address_current(date("2026-02-28"), today).is_ok());
        assert_eq!(proof_of_address_current(date("2026-02-27"), today), Err(ProofOfAddressError::Outdated));
        assert!(proof_of_address_current(today, today).is_ok());
        assert_eq!(proof_of_address_current(date("2026-06-01"), today), Err(ProofOfAddressError::IssuedInFuture));
        assert_eq!(ProofOfAddressError::Outdated.to_string(), "The document was issued more than 3 months ago.");
        assert_eq!(ProofOfAddressError::IssuedInFuture.to_string(), "The issue date is in the future.");
    }

    #[test]
    fn content_is_sniffed_from_bytes() {
        assert_eq!(sniff_content_type(b"%PDF-1.7\n"), Some(ContentType::Pdf));
        assert_eq!(sniff_content_type(b"RIFF\x10\0\0\0WEBPVP8 "), Some(ContentType::Webp));
        assert_eq!(sniff_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(ContentType::Jpeg));
        assert_eq!(sniff_content_type(b"\x89PNG\r\n\x1a\n"), Some(ContentType::Png));
        assert_eq!(sniff_content_type(b"<html>"), None);
        assert_eq!(sniff_content_type(b"RIFF\x10\0\0\0WAVE"), None);
        assert_eq!(sniff_content_type(b""), None);
    }
}
