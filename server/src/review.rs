//! The review lifecycle: the automatic review worker (a durable job queue in the database)
//! and reviewers' decisions. Core decides; this module loads facts and stores answers.

use crate::error::AppError;
use crate::store::{
    Caller, Change, Committed, CustomerRecord, DocumentRecord, DocumentVerdict, HistoryLine, Step, Store, now,
};
use crate::unit_of_work::UnitOfWork;
use crate::uploads::DocumentFiles;
use crate::watchlist::Watchlist;
use kycard_core::api_error::ApiErrorCode;
use kycard_core::automatic_review::{Duplicate, OtherCustomer, ReviewInput, automatic_review};
use kycard_core::card::CardStatus;
use kycard_core::customer::validate_customer;
use kycard_core::documents::RequirementState;
use kycard_core::message::Message;
use kycard_core::quality::DocumentContent;
use kycard_core::review::{Flag, FlagTarget};
use kycard_core::risk::risk_score;
use kycard_core::status::{
    AutomaticOutcome, CustomerState, DEFAULT_ATTEMPT_CAP, ManualOutcome, ReviewEvent, freezes_cards, with_attempt_cap,
};
use kycard_core::wire::{Actor, ActorKind, Decision, ReviewDecisionRequest};
use kycard_core::{FieldError, FieldErrorCode};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use uuid::Uuid;

/// How often the worker looks for jobs when nobody wakes it.
const POLL_EVERY: Duration = Duration::from_secs(5);

/// Starts the worker. It first resumes jobs left by a previous run (crash or restart), then
/// runs each new job when woken through `wake`.
pub fn spawn_worker(
    store: Store,
    files: DocumentFiles,
    watchlist: Arc<Watchlist>,
    wake: Arc<Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        match store.requeue_automatic_reviews().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(customers = n, "queued reviews of customers left in the automatic stage"),
            Err(error) => tracing::error!(%error, "cannot queue reviews of customers in the automatic stage"),
        }
        loop {
            match store.review_jobs(now()).await {
                Ok(jobs) => {
                    for (organization_id, customer_id) in jobs {
                        run_claimed(&store, &files, &watchlist, organization_id, customer_id).await;
                    }
                }
                Err(error) => tracing::error!(%error, "cannot read review jobs"),
            }
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(POLL_EVERY) => {}
            }
        }
    })
}

/// How long a worker holds a review job it claimed; a worker that dies frees it after this.
const REVIEW_LEASE: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// Runs a job unless another worker (another instance) holds it; a failed review gives the
/// job back for the next turn.
async fn run_claimed(
    store: &Store,
    files: &DocumentFiles,
    watchlist: &Watchlist,
    organization_id: Uuid,
    customer_id: Uuid,
) {
    let at = now();
    match store.claim_review_job(customer_id, at, at + REVIEW_LEASE).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(error) => {
            tracing::error!(%error, "cannot claim a review job");
            return;
        }
    }
    if let Err(error) = run_job(store, files, watchlist, organization_id, customer_id).await {
        tracing::warn!(%customer_id, ?error, "automatic review failed; will retry");
        if let Err(error) = store.release_review_job(customer_id).await {
            tracing::error!(%error, "cannot give a review job back; it is retried when its claim expires");
        }
    }
}

/// Runs one automatic review and stores its decision.
pub async fn run_job(
    store: &Store,
    files: &DocumentFiles,
    watchlist: &Watchlist,
    organization_id: Uuid,
    customer_id: Uuid,
) -> Result<(), AppError> {
    let Some(customer) = store.customer(organization_id, customer_id).await? else {
        store.drop_review_job(customer_id).await?;
        return Ok(());
    };
    if customer.state != Some(CustomerState::AutomaticReview) {
        store.drop_review_job(customer_id).await?;
        return Ok(());
    }
    // The data was valid when stored; re-reading it with that day's date rebuilds the domain
    // values (expiry and age are then judged against today by the review itself).
    let stored_on = customer.updated_at.date_naive();
    let valid = validate_customer(&customer.data, stored_on).map_err(|_| AppError::Internal)?;
    let individual = valid.individual.ok_or(AppError::Internal)?;
    let documents = store.current_documents(organization_id, customer_id).await?;
    let mut facts = Vec::new();
    let mut duplicates = Vec::new();
    for document in documents.iter().filter(|d| customer.required_documents.contains(&d.kind)) {
        facts.push(document.facts(content_of(files, document).await?));
        if let Some(other) = store.other_customer_with_file(organization_id, customer_id, &document.sha256).await? {
            duplicates.push(Duplicate::File {
                kind: document.kind,
                other: other_customer(store, organization_id, other).await?,
            });
        }
    }
    if let Some(id) = customer.data.individual.as_ref().and_then(|i| i.official_id.as_ref())
        && let Some(other) = store.other_customer_with_official_id(organization_id, customer_id, id).await?
    {
        duplicates.push(Duplicate::OfficialId { other: other_customer(store, organization_id, other).await? });
    }
    let result = automatic_review(&ReviewInput {
        today: now().date_naive(),
        date_of_birth: individual.personal.date_of_birth.date(),
        id_expires_on: individual.official_id.expires_on,
        risk: risk_score(&individual),
        documents: &facts,
        duplicates: &duplicates,
        full_name: individual.personal.full_name.as_str(),
        watchlist: &watchlist.entries(),
    });
    let mut result = result;
    if store.organization_is_sandbox(organization_id).await?
        && let Some(forced) = customer.data.contact.as_ref().and_then(|c| c.email.as_deref()).and_then(sandbox_outcome)
    {
        result.checks.push(kycard_core::wire::Check {
            name: "sandbox_magic_value".to_owned(),
            passed: true,
            value: format!("{forced:?}"),
            threshold: "sandbox email tag".to_owned(),
            message: "A sandbox magic value forced this outcome.".to_owned(),
        });
        result.flags = simulated_flags(forced);
        result.outcome = forced;
    }
    let system = Actor { kind: ActorKind::System, id: None };
    let event = ReviewEvent::AutomaticDecision(result.outcome);
    let ruling =
        Ruling { event, flags: &result.flags, checks: &result.checks, actor: &system, event_name: "review.automatic" };
    let unit = UnitOfWork::new(store.clone(), None);
    let stored = decide(&unit, organization_id, &customer, &documents, ruling).await?;
    tracing::info!(%customer_id, outcome = ?result.outcome, "automatic review decided");
    if stored.is_none() {
        tracing::info!(%customer_id, "customer changed during the review; it will run again");
    }
    Ok(())
}

/// Another customer as the reviewer compares them: id, name and date of birth.
async fn other_customer(store: &Store, organization_id: Uuid, id: Uuid) -> Result<OtherCustomer, AppError> {
    let other = store.customer(organization_id, id).await?.ok_or(AppError::Internal)?;
    let personal = other.data.individual.and_then(|i| i.personal).unwrap_or_default();
    Ok(OtherCustomer {
        id,
        full_name: personal.full_name.unwrap_or_default(),
        date_of_birth: personal.date_of_birth.unwrap_or_default(),
    })
}

/// What was read inside a document: stored at upload, or read from its file now for uploads
/// stored before reading existed.
async fn content_of(files: &DocumentFiles, document: &DocumentRecord) -> Result<DocumentContent, AppError> {
    if let Some(content) = &document.content {
        return Ok(content.clone());
    }
    // Only the folder holds uploads older than reading; an object store starts with it.
    let path = files.local_path(document.id).ok_or(AppError::Internal)?;
    let reading = crate::reading::read_file(&path, document.content_type).await.map_err(|error| {
        tracing::error!(document_id = %document.id, %error, "cannot read a document's file");
        AppError::Internal
    })?;
    Ok(reading.content)
}

/// One decision to store: the event, what must be corrected, the checks behind it, and who
/// decided.
struct Ruling<'a> {
    event: ReviewEvent,
    flags: &'a [Flag],
    checks: &'a [kycard_core::wire::Check],
    actor: &'a Actor,
    /// The history's event name (`review.automatic`, `review.manual`, `review.simulated`).
    event_name: &'static str,
}

/// Applies a decision in one change: new state and flags, document verdicts, history, job
/// removal, cards frozen. Returns the customer as stored, or `None` when it changed meanwhile.
async fn decide(
    unit: &UnitOfWork<CustomerRecord>,
    organization_id: Uuid,
    customer: &CustomerRecord,
    documents: &[DocumentRecord],
    ruling: Ruling<'_>,
) -> Result<Option<CustomerRecord>, AppError> {
    let store = unit.store();
    // A customer outside the card program has no review to decide (it was a 500 until the
    // API fuzzer tried it).
    let state = customer.state.ok_or_else(crate::onboarding::not_enrolled)?;
    let cap = store.attempt_cap(organization_id).await?.unwrap_or(DEFAULT_ATTEMPT_CAP);
    let event = with_attempt_cap(ruling.event, store.rejections(customer.id).await?, cap);
    let after = state.apply(event).map_err(crate::onboarding::transition_error)?;
    let approved = after == CustomerState::Active;
    let flags = ruling.flags;
    let mut next = customer.next_version();
    next.set_state(after);
    next.flags = flags.to_vec();
    // Each document's verdict, stored in its row and shown in the answer's checklist.
    let mut verdicts = Vec::new();
    for document in documents {
        let flag = flags.iter().find(|f| f.target == FlagTarget::Document(document.kind));
        let (state, flag) = match (flag, approved) {
            (Some(f), _) => (RequirementState::Flagged, Some((f.code, f.message.clone()))),
            (None, true) => (RequirementState::Accepted, None),
            (None, false) => continue,
        };
        if let Some(current) = next.documents.iter_mut().find(|c| c.kind == document.kind) {
            current.state = state;
            current.flag.clone_from(&flag);
        }
        verdicts.push(DocumentVerdict { id: document.id, state, flag });
    }
    let checks = match ruling.checks {
        [] => None,
        checks => Some(serde_json::to_string(checks).map_err(|_| AppError::Internal)?),
    };
    let mut reasons: Vec<String> = flags.iter().map(Flag::describe).collect();
    if event != ruling.event {
        reasons.push(format!("attempt {cap} of {cap}: the rejection is final"));
    }
    let reason = reasons.join("; ");
    let history = HistoryLine {
        reason: (!reason.is_empty()).then_some(reason),
        checks,
        ..HistoryLine::change(ruling.actor.clone(), ruling.event_name, customer.state, next.state)
    };
    let mut change = Change::new(organization_id).update_customer(customer.version, next.clone(), history);
    change.steps.extend(verdicts.into_iter().map(Step::DocumentVerdict));
    // A rejection stops the cards issued before it (a re-verification or renewal decided against).
    if freezes_cards(after) {
        let system = Actor { kind: ActorKind::System, id: None };
        for card in store.customer_cards(organization_id, customer.id).await? {
            let card = card.card;
            if card.status != CardStatus::Active {
                continue;
            }
            change = change.card_status(system.clone(), card, CardStatus::Frozen, next.updated_at);
        }
    }
    Ok(match unit.commit(change, &next).await? {
        Committed::Done => Some(next),
        Committed::Stale => None,
    })
}

/// Sandbox magic values: the email tag `+review_approve`, `+review_reject` or
/// `+review_manual` (e.g. `ana+review_reject@example.com`) forces the automatic review's outcome
/// in sandbox organizations. Documented in the README.
pub fn sandbox_outcome(email: &str) -> Option<AutomaticOutcome> {
    let local = email.split('@').next()?;
    let (_, tag) = local.rsplit_once('+')?;
    match tag {
        "review_approve" => Some(AutomaticOutcome::Approve),
        "review_reject" => Some(AutomaticOutcome::Reject { is_final: false }),
        "review_manual" => Some(AutomaticOutcome::Refer),
        _ => None,
    }
}

/// The flags of a simulated rejection: the full name, so a correction resubmits.
fn simulated_flags(outcome: AutomaticOutcome) -> Vec<Flag> {
    match outcome {
        AutomaticOutcome::Reject { .. } => vec![Flag {
            message: "Simulated rejection (sandbox): correct the name and resubmit.".to_owned(),
            ..Flag::new(
                FlagTarget::Field(kycard_core::paths::FULL_NAME.to_owned()),
                kycard_core::review::FlagCode::FieldIncorrect,
            )
        }],
        _ => Vec::new(),
    }
}

/// `POST /simulate/customers/{id}/review` (sandbox only): decides a pending customer now.
/// A customer still awaiting documents is treated as if they had all arrived.
pub async fn simulate(
    unit: &UnitOfWork<CustomerRecord>,
    caller: &Caller,
    customer_id: Uuid,
    outcome: AutomaticOutcome,
) -> Result<CustomerRecord, AppError> {
    let store = unit.store();
    if !caller.sandbox {
        return Err(AppError::NotFound);
    }
    let mut customer = store.customer(caller.organization_id, customer_id).await?.ok_or(AppError::NotFound)?;
    if customer.state == Some(CustomerState::AwaitingDocuments) {
        customer = crate::onboarding::apply_event(
            &unit.intermediate(),
            caller.organization_id,
            &caller.actor,
            customer_id,
            ReviewEvent::Submitted { complete: true },
        )
        .await?;
    }
    let event = match (customer.state, outcome) {
        (Some(CustomerState::ManualReview), AutomaticOutcome::Approve) => {
            ReviewEvent::ManualDecision(ManualOutcome::Approve)
        }
        (Some(CustomerState::ManualReview), AutomaticOutcome::Reject { is_final }) => {
            ReviewEvent::ManualDecision(ManualOutcome::Reject { is_final })
        }
        _ => ReviewEvent::AutomaticDecision(outcome),
    };
    let documents = store.current_documents(caller.organization_id, customer_id).await?;
    let flags = simulated_flags(outcome);
    let ruling = Ruling { event, flags: &flags, checks: &[], actor: &caller.actor, event_name: "review.simulated" };
    decide(unit, caller.organization_id, &customer, &documents, ruling)
        .await?
        .ok_or_else(|| AppError::conflict(ApiErrorCode::CustomerChanged, "The customer changed meanwhile; try again."))
}

/// A reviewer's decision on a customer in manual review.
pub async fn manual_decision(
    unit: &UnitOfWork<CustomerRecord>,
    caller: &Caller,
    customer_id: Uuid,
    request: &ReviewDecisionRequest,
) -> Result<CustomerRecord, AppError> {
    let store = unit.store();
    let customer = store.customer(caller.organization_id, customer_id).await?.ok_or(AppError::NotFound)?;
    let problems = kycard_core::review::check_flag_messages(&request.flags);
    if !problems.is_empty() {
        return Err(problems.into());
    }
    let mut flags = request.flags.clone();
    for flag in &mut flags {
        if flag.message.trim().is_empty() {
            flag.code.label().clone_into(&mut flag.message);
        }
        flag.is_final |= flag.code.final_by_default();
    }
    let outcome = match request.decision {
        Decision::Approve if flags.is_empty() => ManualOutcome::Approve,
        Decision::Approve => {
            return Err(FieldError::new("flags", FieldErrorCode::NotAllowed, Message::ApprovalWithFlags).into());
        }
        Decision::Reject if flags.is_empty() => {
            return Err(FieldError::new("flags", FieldErrorCode::Required, Message::RejectionWithoutFlags).into());
        }
        Decision::Reject => ManualOutcome::Reject { is_final: flags.iter().any(|f| f.is_final) },
    };
    let documents = store.current_documents(caller.organization_id, customer_id).await?;
    if let Some(flag) = flags.iter().find(|f| !f.code.applies_to(&f.target)) {
        return Err(FieldError::new(
            "flags",
            FieldErrorCode::InvalidChoice,
            Message::FlagDoesNotFit(flag.code, flag.target.clone()),
        )
        .into());
    }
    for flag in &flags {
        if let FlagTarget::Document(kind) = flag.target
            && !documents.iter().any(|d| d.kind == kind)
        {
            return Err(FieldError::new("flags", FieldErrorCode::InvalidChoice, Message::NothingToFlag(kind)).into());
        }
    }
    let event = ReviewEvent::ManualDecision(outcome);
    let ruling = Ruling { event, flags: &flags, checks: &[], actor: &caller.actor, event_name: "review.manual" };
    decide(unit, caller.organization_id, &customer, &documents, ruling).await?.ok_or_else(|| {
        AppError::conflict(ApiErrorCode::CustomerChanged, "The customer changed meanwhile; reload and decide again.")
    })
}
