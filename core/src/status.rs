//! The onboarding status machine and the proof that a customer may be given a card.
//!
//! ```text
//!              submitted (all documents)             automatic: approve
//!  Pending ─────────────────────────────► Pending ─────────────────────────► Active
//!  awaiting_documents                      automatic ──refer──► Pending manual ──approve──┘
//!        ▲                                   │  reject                   │ reject
//!        │ submitted (incomplete)            ▼                           ▼
//!        └──────────────────────────────  Rejected ◄─────────────────────┘
//!                                            │ submitted (everything flagged corrected)
//!                                            └──────────────► Pending automatic
//! ```
//! The server stores the result of [`CustomerState::apply`]; it never decides a transition
//! itself. A final rejection accepts no resubmission.

use crate::documents::RequirementState;
use crate::wire::{ErrorDetails, Requirement};
use uuid::Uuid;

choice_enum! {
    /// The customer's onboarding status as the API shows it.
    pub enum CustomerStatus {
        Pending = "pending" => "Pending" / "Pendiente",
        Active = "active" => "Active" / "Activo",
        Rejected = "rejected" => "Rejected" / "Rechazado",
    }
}

choice_enum! {
    /// Where the review stands.
    pub enum ReviewStage {
        AwaitingDocuments = "awaiting_documents" => "Awaiting documents" / "Esperando documentos",
        Automatic = "automatic" => "Automatic review" / "Revisión automática",
        Manual = "manual" => "Manual review" / "Revisión manual",
        Decided = "decided" => "Decided" / "Decidido",
    }
}

/// Every state a customer in the card program can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerState {
    /// Waiting for the listed documents.
    AwaitingDocuments,
    /// Everything is in; the automatic review runs.
    AutomaticReview,
    /// A reviewer must decide.
    ManualReview,
    /// Approved: cards may be issued.
    Active,
    /// Rejected; `resubmittable` is false after a final flag.
    Rejected {
        /// Whether corrections are accepted.
        resubmittable: bool,
    },
}

/// What the automatic review concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AutomaticOutcome {
    /// Every check passed.
    Approve,
    /// A check failed in a way a person must correct.
    Reject {
        /// No resubmission possible.
        is_final: bool,
    },
    /// The checks cannot decide; a reviewer must.
    Refer,
}

/// A reviewer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ManualOutcome {
    /// Approved.
    Approve,
    /// Rejected.
    Reject {
        /// No resubmission possible.
        is_final: bool,
    },
}

/// Something that happens to a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewEvent {
    /// Documents were uploaded or reviewed fields corrected. `complete` is true when every
    /// requirement has an unflagged upload and no field flag is outstanding.
    Submitted {
        /// Whether the review can run.
        complete: bool,
    },
    /// The automatic review finished.
    AutomaticDecision(AutomaticOutcome),
    /// A reviewer decided.
    ManualDecision(ManualOutcome),
}

/// A transition the rules forbid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// The event does not apply in this state (API code `invalid_transition`).
    #[error("A {event} cannot happen while the customer is {from}.")]
    Invalid {
        /// The state it was tried in.
        from: &'static str,
        /// What was tried.
        event: &'static str,
    },
    /// The rejection was final (API code `resubmission_not_allowed`).
    #[error("The rejection is final: nothing can be resubmitted.")]
    ResubmissionNotAllowed,
}

impl CustomerState {
    /// Where every customer starts when enrolled in the card program.
    pub const INITIAL: Self = Self::AwaitingDocuments;

    /// The status the API shows.
    pub const fn status(self) -> CustomerStatus {
        match self {
            Self::AwaitingDocuments | Self::AutomaticReview | Self::ManualReview => CustomerStatus::Pending,
            Self::Active => CustomerStatus::Active,
            Self::Rejected { .. } => CustomerStatus::Rejected,
        }
    }

    /// The review stage the API shows.
    pub const fn stage(self) -> ReviewStage {
        match self {
            Self::AwaitingDocuments => ReviewStage::AwaitingDocuments,
            Self::AutomaticReview => ReviewStage::Automatic,
            Self::ManualReview => ReviewStage::Manual,
            Self::Active | Self::Rejected { .. } => ReviewStage::Decided,
        }
    }

    /// Whether corrections are accepted.
    pub const fn resubmittable(self) -> bool {
        !matches!(self, Self::Rejected { resubmittable: false })
    }

    /// Rebuilds a state from what the API shows (e.g. a stored row); `None` for combinations
    /// that cannot exist.
    pub const fn from_parts(status: CustomerStatus, stage: ReviewStage, resubmittable: bool) -> Option<Self> {
        match (status, stage) {
            (CustomerStatus::Pending, ReviewStage::AwaitingDocuments) => Some(Self::AwaitingDocuments),
            (CustomerStatus::Pending, ReviewStage::Automatic) => Some(Self::AutomaticReview),
            (CustomerStatus::Pending, ReviewStage::Manual) => Some(Self::ManualReview),
            (CustomerStatus::Active, ReviewStage::Decided) => Some(Self::Active),
            (CustomerStatus::Rejected, ReviewStage::Decided) => Some(Self::Rejected { resubmittable }),
            _ => None,
        }
    }

    /// The state after `event`, or why it cannot happen.
    pub fn apply(self, event: ReviewEvent) -> Result<Self, TransitionError> {
        use ReviewEvent::{AutomaticDecision, ManualDecision, Submitted};
        let after_submission = |complete| {
            if complete { Self::AutomaticReview } else { Self::AwaitingDocuments }
        };
        match (self, event) {
            (Self::Rejected { resubmittable: false }, Submitted { .. }) => Err(TransitionError::ResubmissionNotAllowed),
            // A partial correction keeps the customer rejected until everything flagged is fixed.
            (Self::Rejected { .. }, Submitted { complete: false }) => Ok(self),
            // New material restarts the review, including for an active customer whose
            // identity data changed: an approval is only as good as the data it saw.
            (_, Submitted { complete }) => Ok(after_submission(complete)),
            (Self::AutomaticReview, AutomaticDecision(outcome)) => Ok(match outcome {
                AutomaticOutcome::Approve => Self::Active,
                AutomaticOutcome::Reject { is_final } => Self::Rejected { resubmittable: !is_final },
                AutomaticOutcome::Refer => Self::ManualReview,
            }),
            (Self::ManualReview, ManualDecision(outcome)) => Ok(match outcome {
                ManualOutcome::Approve => Self::Active,
                ManualOutcome::Reject { is_final } => Self::Rejected { resubmittable: !is_final },
            }),
            (_, AutomaticDecision(_)) => Err(self.invalid("automatic decision")),
            (_, ManualDecision(_)) => Err(self.invalid("manual decision")),
        }
    }

    fn invalid(self, event: &'static str) -> TransitionError {
        let from = match self {
            Self::AwaitingDocuments => "awaiting documents",
            Self::AutomaticReview => "in automatic review",
            Self::ManualReview => "in manual review",
            Self::Active => "active",
            Self::Rejected { .. } => "rejected",
        };
        TransitionError::Invalid { from, event }
    }
}

/// Whether a decision that leads to `after` freezes the customer's active cards: cards issued
/// before a re-verification or an ID renewal keep working until it is decided, and a
/// rejection stops them (an approval leaves them as they are).
pub const fn freezes_cards(after: CustomerState) -> bool {
    matches!(after, CustomerState::Rejected { .. })
}

/// Review attempts an organization allows unless it sets its own: the rejection of the
/// third submission is final.
pub const DEFAULT_ATTEMPT_CAP: u32 = 3;
/// The attempt caps an organization may set.
pub const ATTEMPT_CAP_RANGE: std::ops::RangeInclusive<u32> = 1..=20;

/// The event a decision stores, given how many times the customer was rejected before: a
/// rejection that uses up the organization's `cap` of attempts is final, whatever was flagged.
pub fn with_attempt_cap(event: ReviewEvent, earlier_rejections: u32, cap: u32) -> ReviewEvent {
    let spent = earlier_rejections.saturating_add(1) >= cap;
    match event {
        ReviewEvent::AutomaticDecision(AutomaticOutcome::Reject { is_final }) => {
            ReviewEvent::AutomaticDecision(AutomaticOutcome::Reject { is_final: is_final || spent })
        }
        ReviewEvent::ManualDecision(ManualOutcome::Reject { is_final }) => {
            ReviewEvent::ManualDecision(ManualOutcome::Reject { is_final: is_final || spent })
        }
        other => other,
    }
}

/// Proof that a customer is Active: the only way to ask for a card.
///
/// It can only be made by [`card_eligibility`], so code that holds one has checked the status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveCustomer {
    customer_id: Uuid,
}

impl ActiveCustomer {
    /// The customer the proof is about.
    pub const fn customer_id(self) -> Uuid {
        self.customer_id
    }
}

/// Why a card cannot be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardRefusal {
    /// The customer is not in the card program (API code `individual_cards_not_enabled`).
    #[error("The customer is not enrolled in individual cards.")]
    IndividualCardsNotEnabled,
    /// The customer is active but the identity document on file has expired (API code
    /// `official_id_expired`): a renewed one must be approved first.
    #[error(
        "The identity document on file expired on {expired_on}: a renewed one must be approved before a new card is issued."
    )]
    OfficialIdExpired {
        /// The expiry date on file.
        expired_on: chrono::NaiveDate,
    },
    /// The customer is pending or rejected (API code `customer_not_active`).
    #[error("Cards can only be issued to active customers; this customer is {}.", .status)]
    NotActive {
        /// Current status.
        status: CustomerStatus,
        /// What stands in the way: `document:<kind>`, `field:<path>`, `review:<stage>`,
        /// `review:final`, `review:rejected`.
        blocked_by: Vec<String>,
    },
}

impl CardRefusal {
    /// The API error code of the refusal.
    pub const fn code(&self) -> crate::api_error::ApiErrorCode {
        use crate::api_error::ApiErrorCode;
        match self {
            Self::IndividualCardsNotEnabled => ApiErrorCode::IndividualCardsNotEnabled,
            Self::NotActive { .. } => ApiErrorCode::CustomerNotActive,
            Self::OfficialIdExpired { .. } => ApiErrorCode::OfficialIdExpired,
        }
    }

    /// The `details` object of the API error.
    pub fn details(&self) -> Option<ErrorDetails> {
        match self {
            Self::IndividualCardsNotEnabled => None,
            Self::OfficialIdExpired { .. } => Some(ErrorDetails {
                status: Some(CustomerStatus::Active),
                blocked_by: vec!["renewal:official_id".to_owned()],
            }),
            Self::NotActive { status, blocked_by } => {
                Some(ErrorDetails { status: Some(*status), blocked_by: blocked_by.clone() })
            }
        }
    }
}

/// Decides whether customer `customer_id` may get a card.
///
/// `state` is `None` for customers outside the card program; `requirements` is the document
/// checklist and `flagged_fields` the paths of field flags not yet corrected.
pub fn card_eligibility(
    customer_id: Uuid,
    state: Option<CustomerState>,
    requirements: &[Requirement],
    flagged_fields: &[String],
) -> Result<ActiveCustomer, CardRefusal> {
    let state = state.ok_or(CardRefusal::IndividualCardsNotEnabled)?;
    if state == CustomerState::Active {
        return Ok(ActiveCustomer { customer_id });
    }
    let mut blocked_by: Vec<String> = requirements
        .iter()
        .filter(|r| matches!(r.state, RequirementState::Missing | RequirementState::Flagged))
        .map(|r| format!("document:{}", r.document))
        .chain(flagged_fields.iter().map(|path| format!("field:{path}")))
        .collect();
    if !state.resubmittable() {
        blocked_by.push("review:final".to_owned());
    }
    // Never an empty answer: when no document or field is at fault, the review itself is.
    if blocked_by.is_empty() {
        blocked_by.push(match state {
            CustomerState::Rejected { .. } => "review:rejected".to_owned(),
            _ => format!("review:{}", state.stage()),
        });
    }
    Err(CardRefusal::NotActive { status: state.status(), blocked_by })
}

/// [`card_eligibility`] for a customer as the API returns it, including an expired identity
/// document of an active customer: what the browser shows next to a disabled "Issue card"
/// button is exactly what the server answers, since both call this.
pub fn card_eligibility_of(customer: &crate::wire::Customer) -> Result<ActiveCustomer, CardRefusal> {
    let review = customer.review.as_ref();
    let flagged_fields: Vec<String> = review
        .iter()
        .flat_map(|r| &r.flags)
        .filter_map(|flag| match &flag.target {
            crate::review::FlagTarget::Field(path) => Some(path.clone()),
            crate::review::FlagTarget::Document(_) => None,
        })
        .collect();
    card_eligibility_from(
        customer.id,
        customer.status,
        review.map(|r| (r.stage, r.resubmittable)),
        &customer.requirements,
        &flagged_fields,
        customer.renewal,
    )
}

/// [`card_eligibility_of`] from the parts of a customer it reads: its status, the review's
/// stage and whether it may be resubmitted, the document checklist, the flagged fields and
/// the renewal owed.
pub fn card_eligibility_from(
    customer_id: Uuid,
    status: Option<CustomerStatus>,
    review: Option<(ReviewStage, bool)>,
    requirements: &[Requirement],
    flagged_fields: &[String],
    renewal: Option<crate::documents::Renewal>,
) -> Result<ActiveCustomer, CardRefusal> {
    let state = match (status, review) {
        (Some(status), Some((stage, resubmittable))) => CustomerState::from_parts(status, stage, resubmittable),
        _ => None,
    };
    let holder = card_eligibility(customer_id, state, requirements, flagged_fields)?;
    match renewal {
        Some(renewal) if renewal.expired => Err(CardRefusal::OfficialIdExpired { expired_on: renewal.expires_on }),
        _ => Ok(holder),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::DocumentKind;

    fn requirement(document: DocumentKind, state: RequirementState) -> Requirement {
        Requirement { document, state, reason: None, message: None }
    }

    #[test]
    fn happy_path_reaches_active() {
        let s = CustomerState::INITIAL
            .apply(ReviewEvent::Submitted { complete: false })
            .and_then(|s| s.apply(ReviewEvent::Submitted { complete: true }))
            .and_then(|s| s.apply(ReviewEvent::AutomaticDecision(AutomaticOutcome::Approve)))
            .unwrap();
        assert_eq!(s, CustomerState::Active);
    }

    #[test]
    fn final_rejection_refuses_resubmission() {
        let s = CustomerState::AutomaticReview
            .apply(ReviewEvent::AutomaticDecision(AutomaticOutcome::Reject { is_final: true }))
            .unwrap();
        assert_eq!(s.apply(ReviewEvent::Submitted { complete: true }), Err(TransitionError::ResubmissionNotAllowed));
    }

    #[test]
    fn reviewer_cannot_decide_outside_manual_review() {
        let err =
            CustomerState::AwaitingDocuments.apply(ReviewEvent::ManualDecision(ManualOutcome::Approve)).unwrap_err();
        assert!(matches!(err, TransitionError::Invalid { .. }));
    }

    #[test]
    fn pending_customer_is_refused_with_what_blocks_it() {
        let reqs = [
            requirement(DocumentKind::Passport, RequirementState::Uploaded),
            requirement(DocumentKind::ProofOfAddress, RequirementState::Missing),
        ];
        let refusal = card_eligibility(Uuid::nil(), Some(CustomerState::AwaitingDocuments), &reqs, &[]).unwrap_err();
        assert_eq!(
            refusal,
            CardRefusal::NotActive {
                status: CustomerStatus::Pending,
                blocked_by: vec!["document:proof_of_address".to_owned()]
            }
        );
    }

    #[test]
    fn the_rejection_that_spends_the_last_attempt_is_final() {
        let reject = ReviewEvent::AutomaticDecision(AutomaticOutcome::Reject { is_final: false });
        let final_reject = ReviewEvent::AutomaticDecision(AutomaticOutcome::Reject { is_final: true });
        assert_eq!(with_attempt_cap(reject, 0, DEFAULT_ATTEMPT_CAP), reject);
        assert_eq!(with_attempt_cap(reject, 1, DEFAULT_ATTEMPT_CAP), reject);
        assert_eq!(with_attempt_cap(reject, 2, DEFAULT_ATTEMPT_CAP), final_reject);
        let manual = ReviewEvent::ManualDecision(ManualOutcome::Reject { is_final: false });
        assert_eq!(
            with_attempt_cap(manual, 0, 1),
            ReviewEvent::ManualDecision(ManualOutcome::Reject { is_final: true })
        );
        // Approvals and referrals are never touched.
        let approve = ReviewEvent::AutomaticDecision(AutomaticOutcome::Approve);
        assert_eq!(with_attempt_cap(approve, 9, 1), approve);
    }

    #[test]
    fn customer_in_review_is_blocked_by_the_review() {
        let reqs = [requirement(DocumentKind::Passport, RequirementState::Uploaded)];
        let refusal = card_eligibility(Uuid::nil(), Some(CustomerState::ManualReview), &reqs, &[]).unwrap_err();
        assert_eq!(refusal.details().unwrap().blocked_by, ["review:manual"]);
    }

    #[test]
    fn not_enrolled_customer_is_refused() {
        assert_eq!(card_eligibility(Uuid::nil(), None, &[], &[]), Err(CardRefusal::IndividualCardsNotEnabled));
    }
}
