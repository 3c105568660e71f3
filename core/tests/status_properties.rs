//! Property tests of the status machines: whatever happens, and in whatever order, no customer
//! who is not Active gets a card, and every state is one the API documents.
#![cfg(not(target_arch = "wasm32"))]

use kycard_core::card::{CardAction, CardStatus};
use kycard_core::documents::{DocumentKind, RequirementState};
use kycard_core::status::{
    AutomaticOutcome, CardRefusal, CustomerState, CustomerStatus, ManualOutcome, ReviewEvent, ReviewStage,
    card_eligibility,
};
use kycard_core::wire::Requirement;
use proptest::prelude::*;
use uuid::Uuid;

fn event() -> impl Strategy<Value = ReviewEvent> {
    prop_oneof![
        any::<bool>().prop_map(|complete| ReviewEvent::Submitted { complete }),
        Just(ReviewEvent::AutomaticDecision(AutomaticOutcome::Approve)),
        Just(ReviewEvent::AutomaticDecision(AutomaticOutcome::Refer)),
        any::<bool>().prop_map(|is_final| ReviewEvent::AutomaticDecision(AutomaticOutcome::Reject { is_final })),
        Just(ReviewEvent::ManualDecision(ManualOutcome::Approve)),
        any::<bool>().prop_map(|is_final| ReviewEvent::ManualDecision(ManualOutcome::Reject { is_final })),
    ]
}

fn requirement_state() -> impl Strategy<Value = RequirementState> {
    prop::sample::select(RequirementState::ALL)
}

const DOCUMENTED: &[(CustomerStatus, ReviewStage)] = &[
    (CustomerStatus::Pending, ReviewStage::AwaitingDocuments),
    (CustomerStatus::Pending, ReviewStage::Automatic),
    (CustomerStatus::Pending, ReviewStage::Manual),
    (CustomerStatus::Active, ReviewStage::Decided),
    (CustomerStatus::Rejected, ReviewStage::Decided),
];

proptest! {
    #[test]
    fn no_sequence_of_events_gives_a_card_to_a_customer_who_is_not_active(
        events in prop::collection::vec(event(), 0..40),
        states in prop::collection::vec(requirement_state(), 1..4),
    ) {
        let requirements: Vec<Requirement> = states
            .iter()
            .zip(DocumentKind::ALL)
            .map(|(&state, &document)| Requirement { document, state, reason: None, message: None })
            .collect();
        let mut state = CustomerState::INITIAL;
        for event in events {
            // Refused events leave the stored state as it was, exactly as the server does.
            if let Ok(next) = state.apply(event) {
                state = next;
            }
            let documented = DOCUMENTED.contains(&(state.status(), state.stage()));
            prop_assert!(documented, "undocumented state {state:?}");
            prop_assert_eq!(CustomerState::from_parts(state.status(), state.stage(), state.resubmittable()), Some(state));
            match card_eligibility(Uuid::nil(), Some(state), &requirements, &[]) {
                Ok(proof) => {
                    prop_assert_eq!(state.status(), CustomerStatus::Active);
                    prop_assert_eq!(proof.customer_id(), Uuid::nil());
                }
                Err(CardRefusal::NotActive { status, blocked_by }) => {
                    prop_assert_ne!(status, CustomerStatus::Active);
                    prop_assert!(!blocked_by.is_empty(), "a refusal always says what blocks the customer");
                }
                Err(CardRefusal::IndividualCardsNotEnabled) => prop_assert!(false, "enrolled customer refused as not enrolled"),
                // Only `card_eligibility_of` knows the ID's expiry.
                Err(CardRefusal::OfficialIdExpired { .. }) => prop_assert!(false, "no expiry was given"),
            }
        }
    }

    #[test]
    fn a_final_rejection_is_never_left(events in prop::collection::vec(event(), 0..30)) {
        let mut state = CustomerState::Rejected { resubmittable: false };
        for event in events {
            prop_assert!(state.apply(event).is_err());
            if let Ok(next) = state.apply(event) { state = next; }
        }
    }

    #[test]
    fn a_canceled_card_stays_canceled(actions in prop::collection::vec(prop::sample::select(CardAction::ALL), 0..30)) {
        let mut status = CardStatus::Active;
        let mut canceled = false;
        for action in actions {
            match status.apply(action) {
                Ok(next) => {
                    prop_assert!(!canceled, "left canceled");
                    status = next;
                }
                Err(_) => prop_assert!(canceled || matches!((status, action),
                    (CardStatus::Active, CardAction::Unfreeze) | (CardStatus::Frozen, CardAction::Freeze))),
            }
            canceled = status == CardStatus::Canceled;
        }
    }
}
