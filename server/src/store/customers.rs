//! Customers and their history.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use kycard_core::card::CardStatus;
use kycard_core::documents::{CurrentDocument, DocumentKind, all_submitted, requirements};
use kycard_core::review::Flag;
use kycard_core::status::{CustomerState, CustomerStatus, ReviewStage};
use kycard_core::wire::{Actor, Customer, CustomerData, ReviewSummary};
use uuid::Uuid;

/// A stored customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    /// Id.
    pub id: Uuid,
    /// Optimistic-concurrency version.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Normalised data as validated by core.
    pub data: CustomerData,
    /// Onboarding state; `None` outside the card program.
    pub state: Option<CustomerState>,
    /// When the last decision was made.
    pub decided_at: Option<DateTime<Utc>>,
    /// Documents the profile needs.
    pub required_documents: Vec<DocumentKind>,
    /// Flags of the latest rejection.
    pub flags: Vec<Flag>,
    /// The current upload of each kind (read with the customer, stored in `documents`).
    pub documents: Vec<CurrentDocument>,
}

impl CustomerRecord {
    /// The API representation.
    pub fn to_wire(&self) -> Customer {
        let enrolled = self.data.individual_cards.unwrap_or(false);
        Customer {
            id: self.id,
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
            contact: self.data.contact.clone().unwrap_or_default(),
            individual_cards: enrolled,
            individual: self.data.individual.clone(),
            status: self.state.map(CustomerState::status),
            requirements: requirements(&self.required_documents, &self.documents),
            review: self.state.map(|state| ReviewSummary {
                stage: state.stage(),
                flags: self.flags.clone(),
                decided_at: self.decided_at,
                resubmittable: state.resubmittable(),
            }),
            renewal: self.renewal_due(super::now().date_naive()),
        }
    }

    /// The renewal an active customer owes on `today` (core's rule on the ID's expiry).
    pub fn renewal_due(&self, today: chrono::NaiveDate) -> Option<kycard_core::documents::Renewal> {
        if self.state != Some(CustomerState::Active) {
            return None;
        }
        let expires = self.data.individual.as_ref()?.official_id.as_ref()?.expires_on.as_deref()?;
        let expires = chrono::NaiveDate::parse_from_str(expires, "%Y-%m-%d").ok()?;
        kycard_core::documents::renewal_due(expires, today)
    }

    /// Whether the review can run: every required document has an unflagged upload and no
    /// field flag is waiting for a correction.
    pub fn ready_for_review(&self) -> bool {
        all_submitted(&requirements(&self.required_documents, &self.documents)) && self.flagged_fields().is_empty()
    }

    /// Whether the customer waits for the automatic review (it then has a review job).
    pub fn awaits_automatic_review(&self) -> bool {
        self.state == Some(CustomerState::AutomaticReview)
    }

    /// The next version of this customer, changed now (the caller then changes it further).
    #[must_use]
    pub fn next_version(&self) -> Self {
        Self { version: self.version + 1, updated_at: super::now(), ..self.clone() }
    }

    /// Moves the customer to `state`; reaching a decision records when it was made.
    pub fn set_state(&mut self, state: CustomerState) {
        self.state = Some(state);
        if state.stage() == ReviewStage::Decided {
            self.decided_at = Some(self.updated_at);
        }
    }

    /// Paths of field flags not yet corrected.
    pub fn flagged_fields(&self) -> Vec<String> {
        self.flags
            .iter()
            .filter_map(|f| match &f.target {
                kycard_core::review::FlagTarget::Field(path) => Some(path.clone()),
                kycard_core::review::FlagTarget::Document(_) => None,
            })
            .collect()
    }
}

/// A customer's state from its stored columns (status, stage, whether it may resubmit);
/// `None` outside the card program.
pub(super) fn state_from_columns(
    status: Option<&str>,
    stage: Option<&str>,
    resubmittable: bool,
) -> Result<Option<CustomerState>, StoreError> {
    let corrupt = || StoreError::Corrupt("customers");
    match (status, stage) {
        (Some(status), Some(stage)) => Ok(Some(
            CustomerState::from_parts(
                CustomerStatus::parse(status).ok_or_else(corrupt)?,
                ReviewStage::parse(stage).ok_or_else(corrupt)?,
                resubmittable,
            )
            .ok_or_else(corrupt)?,
        )),
        _ => Ok(None),
    }
}

/// Fills in the current documents of several customers with one query.
pub(super) async fn attach_documents<S: super::DocumentStorage + ?Sized>(
    storage: &S,
    organization_id: Uuid,
    records: &mut [CustomerRecord],
) -> Result<(), StoreError> {
    let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
    let documents = storage.current_documents_of(organization_id, &ids).await?;
    for record in records {
        record.documents =
            documents.iter().filter(|d| d.customer_id == record.id).map(super::DocumentRecord::current).collect();
    }
    Ok(())
}

/// Filters of `GET /customers`.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this status.
    pub status: Option<CustomerStatus>,
    /// Search tokens from [`kycard_core::search::query_tokens`]: each must appear in the
    /// customer's terms. `Some` and empty finds nothing (a query with nothing searchable).
    pub search: Option<Vec<String>>,
    /// Page size.
    pub limit: u32,
    /// Only customers older than this id (the previous page's last).
    pub before: Option<Uuid>,
}

/// One history line to write with a change.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    /// Who.
    pub actor: Actor,
    /// What, e.g. `customer.created`.
    pub event: &'static str,
    /// State before.
    pub from: Option<String>,
    /// State after.
    pub to: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// What an automatic review measured (JSON array of checks).
    pub checks: Option<String>,
    /// The card, for a card's change (`from` and `to` are then card statuses).
    pub card_id: Option<Uuid>,
}

fn state_label(state: Option<CustomerState>) -> Option<String> {
    state.map(|s| format!("{}/{}", s.status(), s.stage()))
}

impl HistoryLine {
    /// A line for a state change (or a plain event when the state stayed).
    pub fn change(actor: Actor, event: &'static str, from: Option<CustomerState>, to: Option<CustomerState>) -> Self {
        Self { actor, event, from: state_label(from), to: state_label(to), reason: None, checks: None, card_id: None }
    }

    /// A line for a card's change of status (`from` is `None` when it is issued).
    pub fn card(actor: Actor, event: &'static str, card_id: Uuid, from: Option<CardStatus>, to: CardStatus) -> Self {
        Self {
            actor,
            event,
            from: from.map(|s| s.as_str().to_owned()),
            to: Some(to.as_str().to_owned()),
            reason: None,
            checks: None,
            card_id: Some(card_id),
        }
    }
}

/// Customers, their history and the manual review queue.
#[async_trait]
pub trait CustomerStorage: Send + Sync {
    /// One customer of the organization.
    async fn customer(&self, organization_id: Uuid, id: Uuid) -> Result<Option<CustomerRecord>, StoreError>;

    /// A page of the organization's customers, newest first; one extra row tells whether
    /// another page follows.
    async fn list_customers(
        &self,
        organization_id: Uuid,
        filter: &ListFilter,
    ) -> Result<(Vec<CustomerRecord>, bool), StoreError>;

    /// Computes every customer's search terms again when core's [`kycard_core::search::TERMS_VERSION`]
    /// differs from the one they were computed with (a database from an older kycard), a
    /// batch per transaction. Returns how many customers were updated.
    async fn refresh_search_terms(&self) -> Result<u64, StoreError>;

    /// Customers waiting for a reviewer, oldest first.
    async fn manual_queue(&self, organization_id: Uuid, limit: u32) -> Result<Vec<CustomerRecord>, StoreError>;

    /// Another customer of the organization whose official ID has the same type, number and
    /// issuing country (as core normalised them), if any.
    async fn other_customer_with_official_id(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
        id: &kycard_core::wire::OfficialIdData,
    ) -> Result<Option<Uuid>, StoreError>;

    /// Active customers of every organization whose ID expires on or before `until`:
    /// `(organization, customer)`.
    async fn active_with_id_expiring(&self, until: chrono::NaiveDate) -> Result<Vec<(Uuid, Uuid)>, StoreError>;

    /// How many times the customer was rejected so far (every attempt that ended rejected).
    async fn rejections(&self, customer_id: Uuid) -> Result<u32, StoreError>;

    /// A page of a customer's history, oldest first: at most `limit` entries after the
    /// position `after`, and the position to continue from when more follow (`None` when the
    /// customer is not the organization's).
    async fn history(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Option<HistoryPage>, StoreError>;
}

/// A page of a customer's history.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    /// Entries, oldest first.
    pub entries: Vec<kycard_core::wire::HistoryEntry>,
    /// Where the next page starts, when there is one.
    pub next: Option<i64>,
}
