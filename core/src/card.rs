//! Cards: their status machine and card-number arithmetic.
//!
//! Issuing needs an [`ActiveCustomer`], which only [`crate::status::card_eligibility`] makes.

use crate::status::{ActiveCustomer, CustomerStatus};

choice_enum! {
    /// The form of the card.
    pub enum CardType {
        Virtual = "virtual" => "Virtual card" / "Tarjeta virtual",
    }
}

choice_enum! {
    /// Whether a card can be used.
    pub enum CardStatus {
        Active = "active" => "Active" / "Activa",
        Frozen = "frozen" => "Frozen" / "Congelada",
        Canceled = "canceled" => "Canceled" / "Cancelada",
    }
}

choice_enum! {
    /// What a card holder or operator can do to a card.
    pub enum CardAction {
        Freeze = "freeze" => "Freeze" / "Congelar",
        Unfreeze = "unfreeze" => "Unfreeze" / "Descongelar",
        Cancel = "cancel" => "Cancel" / "Cancelar",
    }
}

/// A card action that the card's status does not allow (API code `invalid_transition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Cannot {action} a {from} card.")]
pub struct CardTransitionError {
    /// Status the action was tried in.
    pub from: CardStatus,
    /// The action.
    pub action: CardAction,
}

impl CardStatus {
    /// `active ⇄ frozen → canceled`; canceled is final.
    pub fn apply(self, action: CardAction) -> Result<Self, CardTransitionError> {
        match (self, action) {
            (Self::Active, CardAction::Freeze) => Ok(Self::Frozen),
            (Self::Frozen, CardAction::Unfreeze) => Ok(Self::Active),
            (Self::Active | Self::Frozen, CardAction::Cancel) => Ok(Self::Canceled),
            _ => Err(CardTransitionError { from: self, action }),
        }
    }
}

/// Why a card action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CardActionRefusal {
    /// The card's status does not allow it (API code `invalid_transition`).
    #[error(transparent)]
    Transition(#[from] CardTransitionError),
    /// A frozen card is unfrozen only for an active customer: one frozen because its holder
    /// was rejected stays frozen until they are approved again (API code `customer_not_active`).
    #[error("The card can be unfrozen only once its holder is active again.")]
    HolderNotActive,
}

/// The status a card action leads to, for a card whose holder has `holder` status: the
/// card's own status machine, and no unfreezing while the holder is not active.
pub fn card_action(
    card: CardStatus,
    holder: Option<CustomerStatus>,
    action: CardAction,
) -> Result<CardStatus, CardActionRefusal> {
    let next = card.apply(action)?;
    if action == CardAction::Unfreeze && holder != Some(CustomerStatus::Active) {
        return Err(CardActionRefusal::HolderNotActive);
    }
    Ok(next)
}

/// The actions offered on a card (what [`card_action`] allows), in the order shown.
pub fn allowed_actions(card: CardStatus, holder: Option<CustomerStatus>) -> Vec<CardAction> {
    CardAction::ALL.iter().copied().filter(|action| card_action(card, holder, *action).is_ok()).collect()
}

/// A request to issue a card, which can only exist for an active customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardIssue {
    /// The proof the holder is active.
    pub holder: ActiveCustomer,
    /// Form of the card.
    pub card_type: CardType,
}

/// The Luhn check digit that completes `payload` (digits only), or `None` for non-digits.
pub fn luhn_check_digit(payload: &str) -> Option<u8> {
    let mut sum = 0u32;
    for (i, b) in payload.bytes().rev().enumerate() {
        if !b.is_ascii_digit() {
            return None;
        }
        let mut d = u32::from(b - b'0');
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    u8::try_from((10 - sum % 10) % 10).ok()
}

/// Whether a full number (check digit last) passes the Luhn check.
pub fn luhn_valid(number: &str) -> bool {
    match number.as_bytes().split_last() {
        Some((&last, payload)) if !payload.is_empty() => {
            std::str::from_utf8(payload).ok().and_then(luhn_check_digit).is_some_and(|check| last == b'0' + check)
        }
        _ => false,
    }
}

/// The only part of a number the API ever shows.
pub fn last4(number: &str) -> &str {
    &number[number.len().saturating_sub(4)..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frozen_card_is_unfrozen_only_for_an_active_holder() {
        let active = Some(CustomerStatus::Active);
        let rejected = Some(CustomerStatus::Rejected);
        assert_eq!(allowed_actions(CardStatus::Active, rejected), [CardAction::Freeze, CardAction::Cancel]);
        assert_eq!(allowed_actions(CardStatus::Frozen, active), [CardAction::Unfreeze, CardAction::Cancel]);
        assert_eq!(allowed_actions(CardStatus::Frozen, rejected), [CardAction::Cancel]);
        assert_eq!(
            card_action(CardStatus::Frozen, Some(CustomerStatus::Pending), CardAction::Unfreeze),
            Err(CardActionRefusal::HolderNotActive)
        );
        assert!(allowed_actions(CardStatus::Canceled, active).is_empty());
    }

    #[test]
    fn luhn_matches_known_test_numbers() {
        assert!(luhn_valid("4111111111111111"));
        assert!(luhn_valid("5555555555554444"));
        assert!(!luhn_valid("4111111111111112"));
        assert_eq!(luhn_check_digit("411111111111111"), Some(1));
        assert_eq!(luhn_check_digit("41x"), None);
    }

    #[test]
    fn canceled_is_final() {
        let canceled = CardStatus::Active.apply(CardAction::Cancel).unwrap();
        for action in CardAction::ALL {
            assert!(canceled.apply(*action).is_err());
        }
        assert_eq!(CardStatus::Frozen.apply(CardAction::Unfreeze), Ok(CardStatus::Active));
        assert!(CardStatus::Active.apply(CardAction::Unfreeze).is_err());
    }

    #[test]
    fn last4_never_shows_more() {
        assert_eq!(last4("4111111111111111"), "1111");
    }
}
