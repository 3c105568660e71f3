//! Creating and changing customers. Core decides validity, requirements and status; this
//! module applies its answers to stored records.

use crate::error::AppError;
use crate::store::{Caller, Change, Committed, CustomerRecord, HistoryLine, Step, now};
use crate::unit_of_work::UnitOfWork;
use kycard_core::api_error::ApiErrorCode;
use kycard_core::customer::{apply_patch, validate_customer};
use kycard_core::documents::{DocumentKind, required_documents};
use kycard_core::official_id::is_new_document;
use kycard_core::status::{CustomerState, ReviewEvent, TransitionError};
use kycard_core::wire::CustomerData;
use uuid::Uuid;

/// Today's date for age and expiry rules (UTC: the server has no customer time zone).
fn today() -> chrono::NaiveDate {
    now().date_naive()
}

/// Validates and stores a new customer.
pub async fn create_customer(
    unit: &UnitOfWork<CustomerRecord>,
    caller: &Caller,
    data: &CustomerData,
) -> Result<CustomerRecord, AppError> {
    let valid = validate_customer(data, today())?;
    let at = now();
    let state = valid.individual.as_ref().map(|_| CustomerState::INITIAL);
    let record = CustomerRecord {
        id: Uuid::now_v7(),
        version: 1,
        created_at: at,
        updated_at: at,
        data: CustomerData::from(&valid),
        state,
        decided_at: None,
        required_documents: valid.individual.as_ref().map(required_documents).unwrap_or_default(),
        flags: Vec::new(),
        documents: Vec::new(),
    };
    let change = Change::new(caller.organization_id).with(Step::InsertCustomer(record.clone())).history(
        record.id,
        at,
        HistoryLine::change(caller.actor.clone(), "customer.created", None, state),
    );
    match unit.commit(change, &record).await? {
        Committed::Done => Ok(record),
        // A new id cannot be taken; nothing else can make the insert stale.
        Committed::Stale => Err(AppError::Internal),
    }
}

/// Applies a `PATCH` at version `expected_version`.
///
/// Enabling individual cards starts the onboarding; changing the program data of an enrolled
/// customer is a resubmission (core decides what that does to the status: a final rejection
/// refuses it with `409 resubmission_not_allowed`).
pub async fn update_customer(
    unit: &UnitOfWork<CustomerRecord>,
    caller: &Caller,
    id: Uuid,
    expected_version: i64,
    patch: &CustomerData,
) -> Result<CustomerRecord, AppError> {
    let store = unit.store();
    let current = store.customer(caller.organization_id, id).await?.ok_or(AppError::NotFound)?;
    if current.version != expected_version {
        return Err(AppError::VersionMismatch { current: current.version });
    }
    let merged = apply_patch(&current.data, patch)?;
    let valid = validate_customer(&merged, today())?;
    let mut next = current.next_version();
    next.data = CustomerData::from(&valid);
    if let Some(individual) = &valid.individual {
        next.required_documents = required_documents(individual);
    }
    let program_data_changed = next.data.individual != current.data.individual;
    // A new identity document (a renewal): the photos of the old one must be sent again.
    let official_id = |data: &CustomerData| data.individual.as_ref().and_then(|i| i.official_id.clone());
    let renewed: Vec<DocumentKind> = match (official_id(&current.data), official_id(&next.data)) {
        (Some(before), Some(after)) if is_new_document(&before, &after) => {
            next.documents.iter().map(|d| d.kind).filter(|kind| kind.shows_identity()).collect()
        }
        _ => Vec::new(),
    };
    next.documents.retain(|d| !renewed.contains(&d.kind));
    // Changed data answers the field flags of a rejection, whatever else is still flagged.
    let answers_flags = next.data != current.data && !next.flagged_fields().is_empty();
    if answers_flags {
        next.flags.retain(|f| matches!(f.target, kycard_core::review::FlagTarget::Document(_)));
    }
    let (state, event) = next_state(current.state, &next, program_data_changed || answers_flags)?;
    next.state = state;
    let history = HistoryLine::change(caller.actor.clone(), event, current.state, state);
    let mut change = Change::new(caller.organization_id);
    if !renewed.is_empty() {
        change = change.with(Step::SupersedeDocuments { customer_id: id, kinds: renewed, at: next.updated_at });
    }
    match unit.commit(change.update_customer(expected_version, next.clone(), history), &next).await? {
        Committed::Done => Ok(next),
        Committed::Stale => {
            let now_version = store.customer(caller.organization_id, id).await?.map_or(expected_version, |c| c.version);
            Err(AppError::VersionMismatch { current: now_version })
        }
    }
}

/// Enrolment starts the onboarding; a resubmission goes through core's status machine with
/// the same readiness rule as an upload ([`CustomerRecord::ready_for_review`]).
fn next_state(
    current: Option<CustomerState>,
    next: &CustomerRecord,
    resubmitted: bool,
) -> Result<(Option<CustomerState>, &'static str), AppError> {
    match (current, next.data.individual.is_some()) {
        (None, true) => Ok((Some(CustomerState::INITIAL), "customer.enrolled")),
        (Some(state), true) if resubmitted => {
            let after =
                state.apply(ReviewEvent::Submitted { complete: next.ready_for_review() }).map_err(transition_error)?;
            Ok((Some(after), "customer.resubmitted"))
        }
        (state, _) => Ok((state, "customer.updated")),
    }
}

/// The refusal of a review step for a customer outside the card program.
pub fn not_enrolled() -> AppError {
    AppError::conflict(ApiErrorCode::IndividualCardsNotEnabled, "The customer is not enrolled in individual cards.")
}

/// The API error of a refused status transition.
pub fn transition_error(error: TransitionError) -> AppError {
    let code = match error {
        TransitionError::ResubmissionNotAllowed => ApiErrorCode::ResubmissionNotAllowed,
        TransitionError::Invalid { .. } => ApiErrorCode::InvalidTransition,
    };
    AppError::conflict(code, error.to_string())
}

/// Applies a review event (documents complete, a decision) to a customer, as core's status
/// machine allows, recording who did it.
pub async fn apply_event(
    unit: &UnitOfWork<CustomerRecord>,
    organization_id: Uuid,
    actor: &kycard_core::wire::Actor,
    id: Uuid,
    event: ReviewEvent,
) -> Result<CustomerRecord, AppError> {
    let current = unit.store().customer(organization_id, id).await?.ok_or(AppError::NotFound)?;
    let Some(state) = current.state else {
        return Err(not_enrolled());
    };
    let next_state = state.apply(event).map_err(transition_error)?;
    let mut next = current.next_version();
    next.set_state(next_state);
    let event_name = match event {
        ReviewEvent::Submitted { .. } => "review.submitted",
        ReviewEvent::AutomaticDecision(_) | ReviewEvent::ManualDecision(_) => "review.decided",
    };
    let history = HistoryLine::change(actor.clone(), event_name, current.state, next.state);
    let change = Change::new(organization_id).update_customer(current.version, next.clone(), history);
    match unit.commit(change, &next).await? {
        Committed::Done => Ok(next),
        Committed::Stale => {
            Err(AppError::conflict(ApiErrorCode::CustomerChanged, "The customer changed meanwhile; try again."))
        }
    }
}
