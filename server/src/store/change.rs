//! The unit of work: everything one use case changes, committed at once.
//!
//! Services describe their change as a [`Change`], a list of [`Step`]s on records, and hand it
//! to [`crate::unit_of_work::UnitOfWork`], which adds the request's idempotent answer and
//! asks storage to commit. A backend implements [`ChangeStorage::commit`] once: every step
//! and the answer in one transaction, or nothing. Steps that hold a condition (a customer
//! still at the version that was read, a card still in the status that was read) make the
//! whole change [`Committed::Stale`] when the condition no longer holds, and nothing of it is
//! stored.

use super::{CustomerRecord, DocumentRecord, HistoryLine, NewCard, StoreError, StoredResponse};
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kycard_core::card::CardStatus;
use kycard_core::documents::{DocumentKind, RequirementState};
use kycard_core::review::FlagCode;
use kycard_core::wire::{Actor, Card, Webhook};
use uuid::Uuid;

/// One use case's change to an organization's records.
#[derive(Debug, Clone)]
pub struct Change {
    /// Whose records.
    pub organization_id: Uuid,
    /// What changes, in order.
    pub steps: Vec<Step>,
    /// The answer of the request's idempotency key, stored with the change so that a change
    /// is never committed without the answer its retry replays.
    pub answer: Option<KeyAnswer>,
}

/// The answer an idempotency key replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAnswer {
    /// The key.
    pub key: String,
    /// The response.
    pub response: StoredResponse,
}

/// One step of a [`Change`].
#[derive(Debug, Clone)]
pub enum Step {
    /// A new customer.
    InsertCustomer(CustomerRecord),
    /// The customer replaced by `record`, if its stored version is still `expected_version`
    /// (stale otherwise). Its automatic review job follows its stage.
    UpdateCustomer {
        /// The version that was read.
        expected_version: i64,
        /// The customer after the change.
        record: CustomerRecord,
    },
    /// The customer's current documents of these kinds are superseded at `at` (they no
    /// longer count; their files stay for the record).
    SupersedeDocuments {
        /// Whose.
        customer_id: Uuid,
        /// Which kinds.
        kinds: Vec<DocumentKind>,
        /// When.
        at: DateTime<Utc>,
    },
    /// A new document (an upload), superseding the current one of its kind.
    InsertDocument(DocumentRecord),
    /// A review's verdict on one document.
    DocumentVerdict(DocumentVerdict),
    /// A new card, if its customer is still active at the version the eligibility check saw
    /// and holds fewer than `max_cards` cards that are not canceled (stale otherwise).
    InsertCard {
        /// The card.
        card: NewCard,
        /// The most cards a customer may hold.
        max_cards: u32,
    },
    /// A card moved from its status as read to `to`, stale when its status changed meanwhile.
    CardStatus {
        /// The card as read.
        card: Card,
        /// Its new status.
        to: CardStatus,
        /// When.
        at: DateTime<Utc>,
    },
    /// A new webhook subscription, starting after the newest change of its organization.
    InsertWebhook {
        /// The subscription (its `secret` is not stored).
        webhook: Webhook,
        /// The signing secret, sealed.
        secret_sealed: Vec<u8>,
    },
    /// A renewal notice for the ID expiring on `expires_on`, once per expiry and kind (stale
    /// when it was sent before).
    RenewalNotice {
        /// Whose ID.
        customer_id: Uuid,
        /// Its expiry date.
        expires_on: NaiveDate,
        /// `due` or `expired`.
        kind: &'static str,
    },
    /// A line of the customer's history (and so an event).
    History {
        /// Whose.
        customer_id: Uuid,
        /// When.
        at: DateTime<Utc>,
        /// What.
        line: HistoryLine,
    },
}

/// A document's new state after a review decision.
#[derive(Debug, Clone)]
pub struct DocumentVerdict {
    /// Which document.
    pub id: Uuid,
    /// Accepted or flagged.
    pub state: RequirementState,
    /// The flag, when flagged.
    pub flag: Option<(FlagCode, String)>,
}

impl Change {
    /// An empty change of the organization's records.
    pub fn new(organization_id: Uuid) -> Self {
        Self { organization_id, steps: Vec::new(), answer: None }
    }

    /// Adds a step.
    #[must_use]
    pub fn with(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// Adds a history line of `customer_id` at `at`.
    #[must_use]
    pub fn history(self, customer_id: Uuid, at: DateTime<Utc>, line: HistoryLine) -> Self {
        self.with(Step::History { customer_id, at, line })
    }

    /// Adds the replacement of a customer read at `expected_version` by `record`, with its
    /// history line at the record's `updated_at`.
    #[must_use]
    pub fn update_customer(self, expected_version: i64, record: CustomerRecord, line: HistoryLine) -> Self {
        let (customer_id, at) = (record.id, record.updated_at);
        self.with(Step::UpdateCustomer { expected_version, record }).history(customer_id, at, line)
    }

    /// Adds a card's move from its status as read to `to`, by `actor` at `at`, with its
    /// `card.status_changed` history line.
    #[must_use]
    pub fn card_status(self, actor: Actor, card: Card, to: CardStatus, at: DateTime<Utc>) -> Self {
        let line = HistoryLine::card(actor, "card.status_changed", card.id, Some(card.status), to);
        let customer_id = card.customer_id;
        self.with(Step::CardStatus { card, to, at }).history(customer_id, at, line)
    }

    /// Whether committing this change may put a customer into the automatic review.
    pub fn queues_review(&self) -> bool {
        self.steps.iter().any(|step| match step {
            Step::InsertCustomer(record) | Step::UpdateCustomer { record, .. } => record.awaits_automatic_review(),
            _ => false,
        })
    }
}

/// What became of a [`Change`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Committed {
    /// Every step and the answer are stored, durably.
    Done,
    /// A condition of a step no longer held (someone changed the records first): nothing was
    /// stored.
    Stale,
}

/// Commits units of work.
#[async_trait]
pub trait ChangeStorage: Send + Sync {
    /// Stores every step of `change` and its answer in one transaction, or nothing: a failed
    /// step or a condition that no longer holds leaves the records as they were.
    async fn commit(&self, change: &Change) -> Result<Committed, StoreError>;
}
