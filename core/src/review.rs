//! Review flags: what a reviewer or the automatic review asks the customer to correct.

use crate::documents::DocumentKind;
use crate::paths;
use serde::{Deserialize, Serialize};

choice_enum! {
    /// The catalogue of reasons a document or field is flagged.
    pub enum FlagCode {
        DocumentUnreadable = "document_unreadable" => "The document cannot be read: upload a sharp, complete, well-lit copy." / "No se puede leer el documento: sube una copia nítida, completa y bien iluminada.",
        DocumentExpired = "document_expired" => "The document has expired: upload a current one." / "El documento ha caducado: sube uno vigente.",
        DocumentOutdated = "document_outdated" => "The document is too old: a proof of address must be issued within the last 3 months." / "El documento es demasiado antiguo: un justificante de domicilio debe ser de los últimos 3 meses.",
        DocumentMismatch = "document_mismatch" => "The document does not match the customer's details." / "El documento no coincide con los datos del cliente.",
        DocumentWrongType = "document_wrong_type" => "This is not the kind of document requested." / "No es el tipo de documento solicitado.",
        DocumentAltered = "document_altered" => "The document shows signs of alteration." / "El documento muestra indicios de manipulación.",
        IdentityMismatch = "identity_mismatch" => "The documents do not belong to the person applying." / "Los documentos no pertenecen a la persona que lo solicita.",
        WatchlistMatch = "watchlist_match" => "The customer is a confirmed match on a sanctions watchlist." / "El cliente coincide de forma confirmada con una lista de sanciones.",
        FieldIncorrect = "field_incorrect" => "This information is incorrect: correct it and resubmit." / "Este dato es incorrecto: corrígelo y vuelve a enviarlo.",
    }
}

impl FlagCode {
    /// Whether the code can describe what is wrong with `target`: document codes for
    /// documents, `field_incorrect` for fields, and a person's identity or a watchlist match
    /// for either.
    pub fn applies_to(self, target: &FlagTarget) -> bool {
        match self {
            Self::IdentityMismatch | Self::WatchlistMatch => true,
            Self::FieldIncorrect => matches!(target, FlagTarget::Field(_)),
            _ => matches!(target, FlagTarget::Document(_)),
        }
    }

    /// Codes that make a rejection final by default: resubmitting cannot fix fraud, another
    /// person's identity or a sanctions match. The others (blurred, expired, outdated, …) are
    /// corrected by sending something better.
    pub const fn final_by_default(self) -> bool {
        matches!(self, Self::DocumentAltered | Self::IdentityMismatch | Self::WatchlistMatch)
    }
}

/// Longest message a reviewer may write on a flag.
pub const FLAG_MESSAGE_MAX_CHARS: usize = 500;

/// Checks the messages a reviewer wrote on `flags`: plain text (no control characters or
/// invisible direction marks) of at most [`FLAG_MESSAGE_MAX_CHARS`] characters; the path of
/// an error is `flags[i].message`.
pub fn check_flag_messages(flags: &[Flag]) -> crate::ValidationErrors {
    let mut errors = crate::ValidationErrors::default();
    for (i, flag) in flags.iter().enumerate() {
        let path = format!("flags[{i}].message");
        errors.collect(
            crate::field_error::plain_text(&path, &flag.message)
                .and_then(|()| crate::field_error::max_chars(&path, &flag.message, FLAG_MESSAGE_MAX_CHARS)),
        );
    }
    errors
}

/// What a flag points at: a document kind or a field path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum FlagTarget {
    /// `document:<kind>`.
    Document(DocumentKind),
    /// `field:<path>`, one of [`FLAGGABLE_FIELDS`].
    Field(String),
}

/// Every field a reviewer may flag, by its request path.
pub const FLAGGABLE_FIELDS: &[&str] = &[
    paths::EMAIL,
    paths::PHONE,
    paths::FULL_NAME,
    paths::DATE_OF_BIRTH,
    paths::GENDER,
    paths::ADDRESS,
    paths::ID_TYPE,
    paths::ID_NUMBER,
    paths::ID_ISSUING_COUNTRY,
    paths::ID_EXPIRES_ON,
    paths::OCCUPATION,
    paths::SALARY_RANGE,
    paths::ACCOUNT_PURPOSE,
    paths::MONTHLY_VOLUME,
];

impl FlagTarget {
    /// What the flag points at, in words: the document's or the field's label.
    pub fn label(&self) -> &str {
        self.label_in(crate::i18n::Locale::English)
    }

    /// [`FlagTarget::label`] in `locale`.
    pub fn label_in(&self, locale: crate::i18n::Locale) -> &str {
        match self {
            Self::Document(kind) => kind.label_in(locale),
            Self::Field(path) => paths::label_in(path, locale),
        }
    }
}

impl TryFrom<String> for FlagTarget {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        if let Some(kind) = raw.strip_prefix("document:") {
            return DocumentKind::parse(kind)
                .map(Self::Document)
                .ok_or_else(|| format!("unknown document kind `{kind}`"));
        }
        if let Some(path) = raw.strip_prefix("field:") {
            return if FLAGGABLE_FIELDS.contains(&path) {
                Ok(Self::Field(path.to_owned()))
            } else {
                Err(format!("unknown field `{path}`"))
            };
        }
        Err(format!("a flag target is `document:<kind>` or `field:<path>`, not `{raw}`"))
    }
}

impl From<FlagTarget> for String {
    fn from(target: FlagTarget) -> Self {
        target.to_string()
    }
}

impl std::fmt::Display for FlagTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Document(kind) => write!(f, "document:{kind}"),
            Self::Field(path) => write!(f, "field:{path}"),
        }
    }
}

/// One thing to correct.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    /// What is wrong: `document:<kind>` or `field:<path>`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "document:proof_of_address"))]
    pub target: FlagTarget,
    /// Why, from the catalogue.
    pub code: FlagCode,
    /// Explanation for the customer; the code's label when left empty.
    #[serde(default)]
    pub message: String,
    /// A final flag ends the onboarding: no resubmission.
    #[serde(default, rename = "final")]
    pub is_final: bool,
}

impl Flag {
    /// A flag with the catalogue's message and finality.
    pub fn new(target: FlagTarget, code: FlagCode) -> Self {
        Self { target, code, message: code.label().to_owned(), is_final: code.final_by_default() }
    }

    /// What the customer is told, in `locale`: a sentence of kycard's own (the code's, or the
    /// advice of a picture rule or a read problem, which the automatic review records in
    /// English) said in `locale`; what a reviewer wrote, as written.
    pub fn message_in(&self, locale: crate::i18n::Locale) -> &str {
        use crate::quality::{ReadProblem, Rule};
        let written = self.message.trim();
        if written.is_empty() || written == self.code.label() {
            return self.code.label_in(locale);
        }
        Rule::ALL
            .iter()
            .map(|r| (r.label(), r.label_in(locale)))
            .chain(ReadProblem::ALL.iter().map(|p| (p.label(), p.label_in(locale))))
            .find_map(|(english, said)| (english == written).then_some(said))
            .unwrap_or(written)
    }

    /// The flag in words, e.g. "Proof of address: The document is too old: …".
    pub fn describe(&self) -> String {
        let why = if self.message.trim().is_empty() { self.code.label() } else { self.message.trim() };
        format!("{}: {why}", self.target.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kycards_own_sentences_are_translated_a_reviewers_are_not() {
        use crate::i18n::Locale::Spanish;
        let target = FlagTarget::Document(DocumentKind::GovernmentIdFront);
        let default = Flag::new(target.clone(), FlagCode::DocumentUnreadable);
        assert_eq!(default.message_in(Spanish), FlagCode::DocumentUnreadable.label_in(Spanish));
        let empty = Flag { message: " ".into(), ..default.clone() };
        assert_eq!(empty.message_in(Spanish), FlagCode::DocumentUnreadable.label_in(Spanish));
        let rule = crate::quality::Rule::Sharpness;
        let advice = Flag { message: rule.label().into(), ..default.clone() };
        assert_eq!(advice.message_in(Spanish), rule.label_in(Spanish));
        let problem = crate::quality::ReadProblem::Encrypted;
        let read = Flag { message: problem.label().into(), ..default.clone() };
        assert_eq!(read.message_in(Spanish), problem.label_in(Spanish));
        let written = Flag { message: " The photo is blurred. ".into(), ..default };
        assert_eq!(written.message_in(Spanish), "The photo is blurred.");
    }

    #[test]
    fn targets_round_trip_as_strings() {
        for raw in ["document:proof_of_address", "field:individual.personal.full_name"] {
            let t = FlagTarget::try_from(raw.to_owned()).unwrap();
            assert_eq!(String::from(t), raw);
        }
        assert!(FlagTarget::try_from("document:selfie".to_owned()).is_err());
        assert!(FlagTarget::try_from("field:individual.secret".to_owned()).is_err());
        assert!(FlagTarget::try_from("proof_of_address".to_owned()).is_err());
    }

    #[test]
    fn every_flag_target_reads_as_words() {
        for path in FLAGGABLE_FIELDS {
            let label = FlagTarget::Field((*path).to_owned()).label().to_owned();
            assert!(!label.contains('.') && !label.contains('_'), "{path} reads as {label}");
        }
        let flag = Flag::new(FlagTarget::Document(DocumentKind::ProofOfAddress), FlagCode::DocumentOutdated);
        assert_eq!(
            flag.describe(),
            "Proof of address: The document is too old: a proof of address must be issued within the last 3 months."
        );
        let typed = Flag {
            message: " Blurred. ".to_owned(),
            ..Flag::new(FlagTarget::Field(paths::FULL_NAME.to_owned()), FlagCode::FieldIncorrect)
        };
        assert_eq!(typed.describe(), "Full name: Blurred.");
    }
}
