//! Issuing cards and changing their status.

use crate::card_vault::CardVault;
use crate::error::AppError;
use crate::store::{Caller, Change, Committed, HistoryLine, NewCard, Step, now};
use crate::unit_of_work::UnitOfWork;
use chrono::Datelike;
use kycard_core::api_error::ApiErrorCode;
use kycard_core::card::{CardAction, CardActionRefusal, CardIssue, CardType, card_action};
use kycard_core::status::{CardRefusal, CustomerState, card_eligibility_of};
use kycard_core::wire::Card;
use uuid::Uuid;

/// Cards are valid for this many years.
const VALID_YEARS: i32 = 3;
/// Tries when the customer changes between the check and the insert.
const ATTEMPTS: usize = 3;

/// Issues a card to an active customer holding fewer than `max_cards` cards; any other
/// answers `409` with the reason.
pub async fn issue_card(
    unit: &UnitOfWork<Card>,
    vault: &CardVault,
    caller: &Caller,
    customer_id: Uuid,
    card_type: CardType,
    max_cards: u32,
) -> Result<Card, AppError> {
    let store = unit.store();
    for _ in 0..ATTEMPTS {
        let customer = store.customer(caller.organization_id, customer_id).await?.ok_or(AppError::NotFound)?;
        let wire = customer.to_wire();
        let holder = card_eligibility_of(&wire).map_err(|refusal| refused(&refusal))?;
        let held = store
            .customer_cards(caller.organization_id, customer_id)
            .await?
            .iter()
            .filter(|c| c.card.status != kycard_core::card::CardStatus::Canceled)
            .count();
        if held >= max_cards as usize {
            return Err(AppError::conflict(
                ApiErrorCode::CardLimitReached,
                format!("The customer already holds {held} cards, the most allowed; cancel one first."),
            ));
        }
        let issue = CardIssue { holder, card_type };
        let id = Uuid::now_v7();
        let number = vault.issue_number(id).map_err(|error| {
            tracing::error!(%error, "card number generation failed");
            AppError::Internal
        })?;
        let today = now().date_naive();
        let name = wire.individual.as_ref().and_then(|i| i.personal.as_ref()).and_then(|p| p.full_name.clone());
        let card = NewCard {
            id,
            customer_id: issue.holder.customer_id(),
            checked_customer_version: customer.version,
            card_type: issue.card_type,
            number_encrypted: number.encrypted,
            last4: number.last4,
            exp_month: today.month(),
            exp_year: today.year() + VALID_YEARS,
            cardholder_name: name.unwrap_or_default(),
            created_at: now(),
        };
        let issued = card.to_wire();
        let history = HistoryLine::card(caller.actor.clone(), "card.issued", id, None, issued.status);
        let at = card.created_at;
        let change = Change::new(caller.organization_id).with(Step::InsertCard { card, max_cards }).history(
            customer_id,
            at,
            history,
        );
        if unit.commit(change, &issued).await? == Committed::Done {
            tracing::info!(card_id = %id, customer_id = %customer_id, "card issued");
            return Ok(issued);
        }
    }
    Err(AppError::conflict(
        ApiErrorCode::CustomerChanged,
        "The customer changed while the card was being issued; try again.",
    ))
}

fn refused(refusal: &CardRefusal) -> AppError {
    AppError::Conflict { code: refusal.code(), message: refusal.to_string(), details: refusal.details() }
}

/// Freezes, unfreezes or cancels a card, as core's card status machine allows.
pub async fn change_card(
    unit: &UnitOfWork<Card>,
    caller: &Caller,
    card_id: Uuid,
    action: CardAction,
) -> Result<Card, AppError> {
    let store = unit.store();
    let card = store.card(caller.organization_id, card_id).await?.ok_or(AppError::NotFound)?.card;
    let holder = store.customer(caller.organization_id, card.customer_id).await?.and_then(|c| c.state);
    let next =
        card_action(card.status, holder.map(CustomerState::status), action).map_err(|refusal| match refusal {
            CardActionRefusal::Transition(e) => AppError::conflict(ApiErrorCode::InvalidTransition, e.to_string()),
            CardActionRefusal::HolderNotActive => {
                AppError::conflict(ApiErrorCode::CustomerNotActive, refusal.to_string())
            }
        })?;
    let changed = Card { status: next, ..card.clone() };
    let change = Change::new(caller.organization_id).card_status(caller.actor.clone(), card, next, now());
    match unit.commit(change, &changed).await? {
        Committed::Done => Ok(changed),
        Committed::Stale => Err(AppError::conflict(
            ApiErrorCode::InvalidTransition,
            "The card changed meanwhile; reload it and try again.",
        )),
    }
}
