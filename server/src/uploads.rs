//! Document uploads: streamed to a temporary file (never held whole in memory), checked,
//! synced and renamed into place, and only then recorded. A crash at any point leaves either
//! no row (the file is swept at the next start) or a complete file with its row.

use crate::error::AppError;
use crate::store::{Caller, Change, Committed, CustomerRecord, DocumentRecord, HistoryLine, Step, Store, now};
use crate::unit_of_work::UnitOfWork;
use axum::extract::Multipart;
use kycard_core::api_error::ApiErrorCode;
use kycard_core::documents::{CurrentDocument, DocumentKind, MAX_DOCUMENT_BYTES, RequirementState, sniff_content_type};
use kycard_core::message::Message;
use kycard_core::review::FlagTarget;
use kycard_core::status::{CustomerState, ReviewEvent};
use kycard_core::{FieldError, FieldErrorCode, ValidationErrors};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tokio::io::AsyncWriteExt;
use uuid::Uuid;

/// Bytes kept from the start of a file to recognise its type and read image headers.
const HEAD_BYTES: usize = 64 * 1024;
/// Longest text field (`kind`, `issued_on`).
const TEXT_FIELD_MAX: usize = 64;
pub use crate::document_files::DocumentFiles;
use crate::document_files::private_file;

/// A received file, complete and synced, not yet in place.
struct Received {
    temp: PathBuf,
    size: u64,
    sha256: String,
    head: Vec<u8>,
}

/// Removes the files of an upload (temporary or already moved into place) unless its row
/// was committed.
struct TempGuard(Vec<PathBuf>);

impl Drop for TempGuard {
    fn drop(&mut self) {
        for path in self.0.drain(..) {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn multipart_error(error: &axum::extract::multipart::MultipartError) -> AppError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        AppError::MalformedRequest(format!("The multipart body is malformed or incomplete: {}", error.body_text()))
    }
}

fn too_large() -> AppError {
    AppError::Said {
        code: ApiErrorCode::PayloadTooLarge,
        message: Message::FileTooLarge { max_mib: MAX_DOCUMENT_BYTES / 1024 / 1024 },
    }
}

async fn receive_file(
    field: &mut axum::extract::multipart::Field<'_>,
    files: &DocumentFiles,
    guard: &mut TempGuard,
) -> Result<Received, AppError> {
    let temp = files.incoming().join(Uuid::now_v7().to_string());
    let mut out = private_file(&temp).map_err(|e| io_error(&e))?;
    guard.0.push(temp.clone());
    let mut hasher = Sha256::new();
    let mut size: u64 = 0;
    let mut head = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
        size += chunk.len() as u64;
        if size > MAX_DOCUMENT_BYTES {
            return Err(too_large());
        }
        if head.len() < HEAD_BYTES {
            head.extend_from_slice(&chunk[..chunk.len().min(HEAD_BYTES - head.len())]);
        }
        hasher.update(&chunk);
        out.write_all(&chunk).await.map_err(|e| io_error(&e))?;
    }
    out.sync_all().await.map_err(|e| io_error(&e))?;
    Ok(Received { temp, size, sha256: hex::encode(hasher.finalize()), head })
}

fn io_error(error: &std::io::Error) -> AppError {
    tracing::error!(%error, "document file I/O failed");
    AppError::Internal
}

/// A short text field, refused as soon as it passes [`TEXT_FIELD_MAX`] bytes: never buffered
/// whole first.
async fn text_field(mut field: axum::extract::multipart::Field<'_>, name: &str) -> Result<String, AppError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
        if bytes.len() + chunk.len() > TEXT_FIELD_MAX {
            return Err(AppError::MalformedRequest(format!(
                "The `{name}` field is too long (at most {TEXT_FIELD_MAX} bytes)."
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| AppError::MalformedRequest(format!("The `{name}` field is not UTF-8 text.")))?;
    Ok(text.trim().to_owned())
}

/// An upload whose bytes are on disk (synced, in `.incoming`) and whose fields are read, not
/// yet checked. Dropping it removes the file.
pub struct IncomingUpload {
    customer: CustomerRecord,
    kind: Option<String>,
    issued_on: Option<String>,
    received: Option<Received>,
    guard: TempGuard,
}

impl IncomingUpload {
    /// What identifies this request for `Idempotency-Key`: the fields and the file's digest.
    pub fn fingerprint(&self) -> String {
        let (size, sha256) = self.received.as_ref().map_or((0, ""), |r| (r.size, r.sha256.as_str()));
        format!("kind={:?}\nissued_on={:?}\nsize={size}\nsha256={sha256}", self.kind, self.issued_on)
    }
}

/// Streams `POST /customers/{id}/documents` to a temporary file. Refuses early (before the
/// bytes arrive) when the customer does not exist or is not in the card program.
pub async fn receive(
    store: &Store,
    files: &DocumentFiles,
    caller: &Caller,
    customer_id: Uuid,
    mut multipart: Multipart,
) -> Result<IncomingUpload, AppError> {
    let customer = store.customer(caller.organization_id, customer_id).await?.ok_or(AppError::NotFound)?;
    // A customer outside the program can never take uploads: refuse before the bytes arrive.
    // Other states are judged after the idempotency key, so a retry replays its first answer.
    if customer.state.is_none() {
        admissible_state(&customer)?;
    }

    let mut guard = TempGuard(Vec::new());
    let (mut kind, mut issued_on, mut received) = (None, None, None);
    while let Some(mut field) = multipart.next_field().await.map_err(|e| multipart_error(&e))? {
        match field.name().unwrap_or("") {
            "kind" if kind.is_none() => kind = Some(text_field(field, "kind").await?),
            "issued_on" if issued_on.is_none() => issued_on = Some(text_field(field, "issued_on").await?),
            "file" if received.is_none() => received = Some(receive_file(&mut field, files, &mut guard).await?),
            other => {
                return Err(AppError::MalformedRequest(format!(
                    "Unexpected or repeated multipart field `{other}`: send `kind`, `file` and, for a proof of address, `issued_on`."
                )));
            }
        }
    }
    Ok(IncomingUpload { customer, kind, issued_on, received, guard })
}

/// Checks a received upload and records it: the file is renamed into place, then the row and
/// the customer's new state commit together.
pub async fn record_upload(
    unit: &UnitOfWork<DocumentRecord>,
    files: &DocumentFiles,
    caller: &Caller,
    upload: IncomingUpload,
) -> Result<DocumentRecord, AppError> {
    let IncomingUpload { customer, kind, issued_on, received, guard } = upload;
    let state = admissible_state(&customer)?;
    let customer_id = customer.id;
    let mut errors = ValidationErrors::default();
    let kind = match kind.as_deref() {
        None | Some("") => {
            errors.push(FieldError::new("kind", FieldErrorCode::Required, Message::DocumentKindRequired));
            None
        }
        Some(raw) => errors.collect(DocumentKind::parse(raw).ok_or_else(|| {
            FieldError::new(
                "kind",
                FieldErrorCode::InvalidChoice,
                Message::ChooseOneOf(DocumentKind::ALL.iter().map(|k| k.as_str()).collect()),
            )
        })),
    };
    if let Some(kind) = kind
        && !customer.required_documents.contains(&kind)
    {
        errors.push(FieldError::new("kind", FieldErrorCode::NotAllowed, Message::DocumentNotNeeded(kind)));
    }
    let issued_on = match (kind, issued_on.as_deref()) {
        (Some(DocumentKind::ProofOfAddress), None | Some("")) => {
            errors.push(FieldError::new("issued_on", FieldErrorCode::Required, Message::IssueDateRequired));
            None
        }
        (Some(DocumentKind::ProofOfAddress), Some(raw)) => {
            errors.collect(kycard_core::person::parse_wire_date("issued_on", raw))
        }
        _ => None,
    };
    let Some(received) = received else {
        errors.push(FieldError::new("file", FieldErrorCode::Required, Message::FileRequired));
        return Err(errors.into());
    };
    if received.size == 0 {
        errors.push(FieldError::new("file", FieldErrorCode::Required, Message::FileEmpty));
    }
    let content_type = if received.size == 0 { None } else { sniff_content_type(&received.head) };
    if received.size > 0 && content_type.is_none() {
        return Err(AppError::Said { code: ApiErrorCode::UnsupportedMediaType, message: Message::FileNotADocument });
    }
    let (Some(kind), Some(content_type), true) = (kind, content_type, errors.is_empty()) else {
        return Err(errors.into());
    };

    // What is inside decides the review, never the size or the header: read it now, while
    // the file is still in `.incoming`.
    let reading = crate::reading::read_file(&received.temp, content_type).await.map_err(|e| io_error(&e))?;
    let document = DocumentRecord {
        id: Uuid::now_v7(),
        customer_id,
        kind,
        content_type,
        size: received.size,
        sha256: received.sha256,
        content: Some(reading.content),
        has_preview: reading.preview.is_some(),
        issued_on,
        state: RequirementState::Uploaded,
        flag: None,
        uploaded_at: now(),
    };
    let next = after_upload(&customer, state, &document)?;
    let history = HistoryLine {
        reason: Some(format!("{} uploaded", kind.label())),
        ..HistoryLine::change(caller.actor.clone(), "document.uploaded", customer.state, next.state)
    };
    let change = Change::new(caller.organization_id).with(Step::InsertDocument(document.clone())).update_customer(
        customer.version,
        next,
        history,
    );
    let commit = Commit {
        unit: unit.clone(),
        files: files.clone(),
        change,
        document,
        received: received.temp,
        preview: reading.preview,
        guard,
    };
    // Its own task: a request dropped now (client gone, time limit) must not stop between
    // the commit and forgetting the files, or the row would stay without its file.
    let document = tokio::spawn(commit.run()).await.map_err(|_| AppError::Internal)??;
    tracing::info!(document_id = %document.id, customer_id = %customer_id, kind = %kind, size = document.size, "document stored");
    Ok(document)
}

/// The last step of an upload, run to its end whatever happens to the request: the files
/// placed, then the row, the customer's new state and the idempotent answer committed; on
/// any failure the files are removed.
struct Commit {
    unit: UnitOfWork<DocumentRecord>,
    files: DocumentFiles,
    /// The row, the customer's new state and its history line.
    change: Change,
    document: DocumentRecord,
    received: PathBuf,
    preview: Option<Vec<u8>>,
    guard: TempGuard,
}

impl Commit {
    async fn run(mut self) -> Result<DocumentRecord, AppError> {
        let id = self.document.id;
        let outcome = self.place_and_record().await;
        if outcome.is_err() {
            self.files.discard(id).await;
        } else {
            self.guard.0.clear();
        }
        outcome
    }

    async fn place_and_record(&mut self) -> Result<DocumentRecord, AppError> {
        self.files
            .place(self.document.id, &self.received, self.preview.as_deref(), &mut self.guard.0)
            .await
            .map_err(|e| io_error(&e))?;
        if self.unit.commit(self.change.clone(), &self.document).await? == Committed::Stale {
            return Err(AppError::conflict(
                ApiErrorCode::CustomerChanged,
                "The customer changed during the upload; upload again.",
            ));
        }
        Ok(self.document.clone())
    }
}

/// Uploads are for enrolled customers still in onboarding, or rejected and allowed to resubmit.
fn admissible_state(customer: &CustomerRecord) -> Result<CustomerState, AppError> {
    match customer.state {
        None => Err(crate::onboarding::not_enrolled()),
        Some(CustomerState::Active) => Err(AppError::conflict(
            ApiErrorCode::InvalidTransition,
            "The customer is already approved; documents can no longer be replaced.",
        )),
        Some(CustomerState::Rejected { resubmittable: false }) => Err(AppError::conflict(
            ApiErrorCode::ResubmissionNotAllowed,
            "The rejection is final: nothing can be resubmitted.",
        )),
        Some(state) => Ok(state),
    }
}

/// The customer after this upload: the checklist with the new file, the flag on that document
/// answered, and the status core gives for the submission.
fn after_upload(
    customer: &CustomerRecord,
    state: CustomerState,
    document: &DocumentRecord,
) -> Result<CustomerRecord, AppError> {
    let mut next = customer.next_version();
    next.documents.retain(|d| d.kind != document.kind);
    next.documents.push(CurrentDocument { kind: document.kind, state: RequirementState::Uploaded, flag: None });
    next.flags.retain(|f| f.target != FlagTarget::Document(document.kind));
    let after = state
        .apply(ReviewEvent::Submitted { complete: next.ready_for_review() })
        .map_err(crate::onboarding::transition_error)?;
    next.set_state(after);
    Ok(next)
}
