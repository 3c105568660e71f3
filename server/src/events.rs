//! Public events: what a committed change in the history log looks like to API consumers,
//! shared by the event stream (`GET /events`) and webhook deliveries.
//!
//! The event's `data` is the customer or card as the API returns it when the event is sent,
//! so a consumer always acts on current state.

use crate::store::{LoggedChange, Store, StoreError};
use chrono::{DateTime, Utc};
use kycard_core::wire::{ApiEvent, EventType};
use uuid::Uuid;

/// The public type of a logged change.
pub fn event_type(change: &LoggedChange) -> EventType {
    fn status_of(state: Option<&str>) -> Option<&str> {
        state.and_then(|s| s.split('/').next())
    }
    if change.card_id.is_some() {
        return if change.event == "card.issued" { EventType::CardIssued } else { EventType::CardStatusChanged };
    }
    match change.event.as_str() {
        "customer.created" => EventType::CustomerCreated,
        "customer.renewal_required" => EventType::CustomerRenewalRequired,
        _ if status_of(change.from.as_deref()) != status_of(change.to.as_deref()) => EventType::CustomerStatusChanged,
        e if e.starts_with("document.") || e.starts_with("review.") => EventType::CustomerRequirementsChanged,
        _ => EventType::CustomerUpdated,
    }
}

/// Which change an event describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventSource {
    /// History seq: the event id.
    pub seq: i64,
    /// Its public type.
    pub event_type: EventType,
    /// When it committed.
    pub at: DateTime<Utc>,
    /// The customer.
    pub customer_id: Uuid,
    /// The card, for card events.
    pub card_id: Option<Uuid>,
}

impl From<&LoggedChange> for EventSource {
    fn from(change: &LoggedChange) -> Self {
        Self {
            seq: change.seq,
            event_type: event_type(change),
            at: change.at,
            customer_id: change.customer_id,
            card_id: change.card_id,
        }
    }
}

/// The event object for `source`; `None` when its customer or card no longer exists.
///
/// # Errors
///
/// When the database fails.
pub async fn public_event(
    store: &Store,
    organization_id: Uuid,
    source: &EventSource,
) -> Result<Option<ApiEvent<serde_json::Value>>, StoreError> {
    let data = match source.card_id {
        Some(card_id) => store.card(organization_id, card_id).await?.map(|c| serde_json::to_value(c.card)),
        None => store.customer(organization_id, source.customer_id).await?.map(|c| serde_json::to_value(c.to_wire())),
    };
    let Some(Ok(data)) = data else { return Ok(None) };
    Ok(Some(ApiEvent {
        id: source.seq.to_string(),
        event_type: source.event_type.as_str().to_owned(),
        created_at: source.at,
        data,
    }))
}
