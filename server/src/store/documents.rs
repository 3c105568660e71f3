//! Documents (metadata; the bytes live in files named by document id) and review jobs.

use super::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use kycard_core::automatic_review::DocumentFacts;
use kycard_core::documents::{ContentType, CurrentDocument, DocumentKind, RequirementState};
use kycard_core::quality::DocumentContent;
use kycard_core::review::FlagCode;
use kycard_core::wire::Document;
use uuid::Uuid;

/// A stored document's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentRecord {
    /// Id, also the file name on disk.
    pub id: Uuid,
    /// Owner.
    pub customer_id: Uuid,
    /// Which requirement it answers.
    pub kind: DocumentKind,
    /// Sniffed type.
    pub content_type: ContentType,
    /// Bytes.
    pub size: u64,
    /// Hex SHA-256.
    pub sha256: String,
    /// What was read inside the file; `None` for files stored before reading existed.
    pub content: Option<DocumentContent>,
    /// Whether a preview was stored beside the file.
    pub has_preview: bool,
    /// Proof of address issue date.
    pub issued_on: Option<NaiveDate>,
    /// Uploaded, accepted or flagged.
    pub state: RequirementState,
    /// The flag, when flagged.
    pub flag: Option<(FlagCode, String)>,
    /// When it arrived.
    pub uploaded_at: DateTime<Utc>,
}

impl DocumentRecord {
    /// The API view.
    pub fn to_wire(&self) -> Document {
        Document {
            id: self.id,
            kind: self.kind,
            content_type: self.content_type.as_str().to_owned(),
            size: self.size,
            sha256: self.sha256.clone(),
            state: self.state,
            issued_on: self.issued_on,
            uploaded_at: self.uploaded_at,
            preview: self.has_preview,
            checks: self
                .content
                .as_ref()
                .map(|content| kycard_core::automatic_review::legibility(self.kind, content).0)
                .unwrap_or_default(),
        }
    }

    /// What the checklist needs.
    pub fn current(&self) -> CurrentDocument {
        CurrentDocument { kind: self.kind, state: self.state, flag: self.flag.clone() }
    }

    /// What the automatic review needs, given what was read inside the file.
    pub fn facts(&self, content: DocumentContent) -> DocumentFacts {
        DocumentFacts { kind: self.kind, sha256: self.sha256.clone(), content, issued_on: self.issued_on }
    }
}

/// A document's flag from its stored code and message.
pub(crate) fn stored_flag(
    code: Option<String>,
    message: Option<String>,
) -> Result<Option<(FlagCode, String)>, StoreError> {
    code.map(|code| {
        let code = FlagCode::parse(&code).ok_or(StoreError::Corrupt("documents"))?;
        Ok((code, message.unwrap_or_default()))
    })
    .transpose()
}

/// A customer's current documents in one column: a JSON array of `[kind, state, flag code, flag message]`.
pub(crate) fn current_from_json(raw: &str) -> Result<Vec<CurrentDocument>, StoreError> {
    let corrupt = || StoreError::Corrupt("documents");
    let rows: Vec<(String, String, Option<String>, Option<String>)> =
        serde_json::from_str(raw).map_err(|_| corrupt())?;
    rows.into_iter()
        .map(|(kind, state, code, message)| {
            Ok(CurrentDocument {
                kind: DocumentKind::parse(&kind).ok_or_else(corrupt)?,
                state: RequirementState::parse(&state).ok_or_else(corrupt)?,
                flag: stored_flag(code, message)?,
            })
        })
        .collect()
}

/// Documents and automatic review jobs.
#[async_trait]
pub trait DocumentStorage: Send + Sync {
    /// The current (not superseded) documents of a customer, in upload order.
    async fn current_documents(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
    ) -> Result<Vec<DocumentRecord>, StoreError>;

    /// The current documents of several customers at once (for list pages).
    async fn current_documents_of(
        &self,
        organization_id: Uuid,
        customer_ids: &[Uuid],
    ) -> Result<Vec<DocumentRecord>, StoreError>;

    /// One document of the organization, current or superseded.
    async fn document(&self, organization_id: Uuid, id: Uuid) -> Result<Option<DocumentRecord>, StoreError>;

    /// Another customer of the organization who uploaded a file with this SHA-256, if any.
    async fn other_customer_with_file(
        &self,
        organization_id: Uuid,
        customer_id: Uuid,
        sha256: &str,
    ) -> Result<Option<Uuid>, StoreError>;

    /// Ids of every document row, to find files without a row after a crash.
    async fn all_document_ids(&self) -> Result<Vec<Uuid>, StoreError>;

    /// Queued automatic reviews that nobody holds at `at`, oldest first: `(organization,
    /// customer)`.
    async fn review_jobs(&self, at: DateTime<Utc>) -> Result<Vec<(Uuid, Uuid)>, StoreError>;

    /// Claims the customer's review job until `until`, unless another worker holds it (or it
    /// is gone): whoever gets `true` runs it. The job goes with the decision's change.
    async fn claim_review_job(
        &self,
        customer_id: Uuid,
        at: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Gives a claimed job back (its review failed and should be tried again).
    async fn release_review_job(&self, customer_id: Uuid) -> Result<(), StoreError>;

    /// Queues a review for every customer in the automatic stage that has none (a database
    /// written before every change queued its own). Returns how many were queued.
    async fn requeue_automatic_reviews(&self) -> Result<u64, StoreError>;

    /// Drops a job that no longer applies (the customer left automatic review).
    async fn drop_review_job(&self, customer_id: Uuid) -> Result<(), StoreError>;
}
