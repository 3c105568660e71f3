//! The storage contract, through [`kycard_server::store::open`]: what every backend must do
//! with a unit of work. Each test runs twice, on a fresh `SQLite` database and on a fresh
//! `PostgreSQL` database (when `KYCARD_TEST_POSTGRES_URL` names a server, as the README's
//! test command does).

#[allow(dead_code)] // the suite-wide choice of backend is not used here
#[path = "support/database.rs"]
mod database;

use kycard_core::card::{CardStatus, CardType};
use kycard_core::documents::{ContentType, DocumentKind, RequirementState};
use kycard_core::status::CustomerState;
use kycard_core::wire::{Actor, ActorKind, ContactData, CustomerData};
use kycard_server::store::{
    Change, Committed, CustomerRecord, DocumentRecord, HistoryLine, IdempotencyOutcome, KeyAnswer, NewCard, Step,
    Store, StoredResponse, now,
};
use uuid::Uuid;

struct Backend {
    store: Store,
    org: Uuid,
    _dir: tempfile::TempDir,
}

async fn backend(url: Option<String>) -> Backend {
    let dir = tempfile::tempdir().expect("dir");
    let url = url.unwrap_or_else(|| format!("sqlite://{}", dir.path().join("kycard.db").display()));
    let store = kycard_server::store::open(&url).await.expect("open");
    let org = store.create_organization("acme", "Acme", false).await.expect("org").id;
    Backend { store, org, _dir: dir }
}

/// Runs each named scenario on both backends, as `<scenario>::sqlite` and
/// `<scenario>::postgres`.
macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn sqlite() {
                super::$scenario(super::backend(None).await).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(server) = super::database::postgres_server() else {
                    eprintln!("skipped: set KYCARD_TEST_POSTGRES_URL (the README's test command does)");
                    return;
                };
                let url = super::database::fresh_postgres(&server).await;
                super::$scenario(super::backend(Some(url)).await).await;
            }
        }
    )*};
}

on_every_backend!(
    a_stale_step_leaves_nothing_of_its_change,
    the_answer_commits_with_its_change_and_never_without_it,
    a_card_is_issued_only_to_an_active_customer_at_the_version_checked_and_under_the_limit,
    a_renewal_notice_is_recorded_once_per_expiry_and_kind,
    a_review_job_is_held_by_one_worker_until_its_claim_expires_or_is_given_back,
    concurrent_sign_in_attempts_are_counted_one_after_the_other,
    a_reader_resuming_after_the_last_event_it_saw_never_skips_one,
);

fn system() -> Actor {
    Actor { kind: ActorKind::System, id: None }
}

/// An enrolled customer awaiting documents (its data is not what these tests look at).
fn customer(state: CustomerState) -> CustomerRecord {
    let at = now();
    CustomerRecord {
        id: Uuid::now_v7(),
        version: 1,
        created_at: at,
        updated_at: at,
        data: CustomerData {
            contact: Some(ContactData { email: Some("ana@example.com".into()), phone: Some("+34600111222".into()) }),
            individual_cards: Some(true),
            individual: None,
        },
        state: Some(state),
        decided_at: None,
        required_documents: vec![DocumentKind::Passport, DocumentKind::ProofOfAddress],
        flags: Vec::new(),
        documents: Vec::new(),
    }
}

fn document(customer_id: Uuid) -> DocumentRecord {
    DocumentRecord {
        id: Uuid::now_v7(),
        customer_id,
        kind: DocumentKind::Passport,
        content_type: ContentType::Png,
        size: 10,
        sha256: "ab".repeat(32),
        content: None,
        has_preview: false,
        issued_on: None,
        state: RequirementState::Uploaded,
        flag: None,
        uploaded_at: now(),
    }
}

async fn inserted(backend: &Backend, state: CustomerState) -> CustomerRecord {
    let record = customer(state);
    let line = HistoryLine::change(system(), "customer.created", None, record.state);
    let change = Change::new(backend.org).with(Step::InsertCustomer(record.clone())).history(record.id, now(), line);
    assert_eq!(backend.store.commit(&change).await.expect("commit"), Committed::Done);
    record
}

async fn history_len(backend: &Backend, id: Uuid) -> usize {
    backend.store.history(backend.org, id, None, 100).await.expect("history").expect("ours").entries.len()
}

async fn a_stale_step_leaves_nothing_of_its_change(backend: Backend) {
    let customer = inserted(&backend, CustomerState::AwaitingDocuments).await;
    // An upload prepared on version 1 meets a customer someone moved to version 2 meanwhile.
    let moved = customer.next_version();
    let line = HistoryLine::change(system(), "customer.updated", customer.state, moved.state);
    let first = Change::new(backend.org).update_customer(1, moved.clone(), line.clone());
    assert_eq!(backend.store.commit(&first).await.unwrap(), Committed::Done);

    let mut late = customer.next_version();
    late.set_state(CustomerState::AutomaticReview);
    let upload =
        Change::new(backend.org).with(Step::InsertDocument(document(customer.id))).update_customer(1, late, line);
    assert_eq!(backend.store.commit(&upload).await.unwrap(), Committed::Stale);

    assert!(backend.store.current_documents(backend.org, customer.id).await.unwrap().is_empty(), "no document row");
    let stored = backend.store.customer(backend.org, customer.id).await.unwrap().unwrap();
    assert_eq!((stored.version, stored.state), (2, Some(CustomerState::AwaitingDocuments)));
    assert_eq!(history_len(&backend, customer.id).await, 2, "created and updated, no upload line");
    assert!(backend.store.review_jobs(now()).await.unwrap().is_empty(), "no review queued");
}

async fn the_answer_commits_with_its_change_and_never_without_it(backend: Backend) {
    let customer = inserted(&backend, CustomerState::AwaitingDocuments).await;
    let answer =
        |key: &str| KeyAnswer { key: key.to_owned(), response: StoredResponse { status: 201, body: "{}".into() } };
    for key in ["done", "stale"] {
        assert_eq!(
            backend.store.reserve_idempotency(backend.org, key, "f").await.unwrap(),
            IdempotencyOutcome::Reserved
        );
    }
    let mut next = customer.next_version();
    next.set_state(CustomerState::AutomaticReview);
    let line = HistoryLine::change(system(), "customer.resubmitted", customer.state, next.state);
    let mut change = Change::new(backend.org).update_customer(1, next, line);
    change.answer = Some(answer("done"));
    assert_eq!(backend.store.commit(&change).await.unwrap(), Committed::Done);
    change.answer = Some(answer("stale"));
    assert_eq!(backend.store.commit(&change).await.unwrap(), Committed::Stale, "version 1 is gone");

    assert_eq!(
        backend.store.reserve_idempotency(backend.org, "done", "f").await.unwrap(),
        IdempotencyOutcome::Replay(answer("done").response)
    );
    assert_eq!(
        backend.store.reserve_idempotency(backend.org, "stale", "f").await.unwrap(),
        IdempotencyOutcome::InProgress,
        "a stale change records no answer"
    );
    // The change that committed queued its customer's automatic review.
    assert_eq!(backend.store.review_jobs(now()).await.unwrap(), vec![(backend.org, customer.id)]);
}

fn card(customer: &CustomerRecord) -> NewCard {
    NewCard {
        id: Uuid::now_v7(),
        customer_id: customer.id,
        checked_customer_version: customer.version,
        card_type: CardType::Virtual,
        number_encrypted: vec![1, 2, 3],
        last4: "4242".into(),
        exp_month: 1,
        exp_year: 2030,
        cardholder_name: "Ana".into(),
        created_at: now(),
    }
}

async fn a_card_is_issued_only_to_an_active_customer_at_the_version_checked_and_under_the_limit(backend: Backend) {
    let issue = |card: NewCard, max_cards| Change::new(backend.org).with(Step::InsertCard { card, max_cards });
    let pending = inserted(&backend, CustomerState::ManualReview).await;
    assert_eq!(backend.store.commit(&issue(card(&pending), 3)).await.unwrap(), Committed::Stale);

    let active = inserted(&backend, CustomerState::Active).await;
    assert_eq!(backend.store.commit(&issue(card(&active), 1)).await.unwrap(), Committed::Done);
    assert_eq!(backend.store.commit(&issue(card(&active), 1)).await.unwrap(), Committed::Stale, "limit of one");
    let mut outdated = card(&active);
    outdated.checked_customer_version = 0;
    assert_eq!(backend.store.commit(&issue(outdated, 3)).await.unwrap(), Committed::Stale, "another version");

    let cards = backend.store.customer_cards(backend.org, active.id).await.unwrap();
    assert_eq!(cards.len(), 1);
    assert!(backend.store.customer_cards(backend.org, pending.id).await.unwrap().is_empty());

    // A status change holds only while the card is still in the status that was read.
    let read = cards[0].card.clone();
    let freeze = |to| Change::new(backend.org).with(Step::CardStatus { card: read.clone(), to, at: now() });
    assert_eq!(backend.store.commit(&freeze(CardStatus::Frozen)).await.unwrap(), Committed::Done);
    assert_eq!(backend.store.commit(&freeze(CardStatus::Canceled)).await.unwrap(), Committed::Stale);
    let stored = backend.store.card(backend.org, read.id).await.unwrap().unwrap();
    assert_eq!(stored.card.status, CardStatus::Frozen);
}

async fn a_renewal_notice_is_recorded_once_per_expiry_and_kind(backend: Backend) {
    let customer = inserted(&backend, CustomerState::Active).await;
    let expires_on = now().date_naive();
    let notice = |kind| {
        Change::new(backend.org).with(Step::RenewalNotice { customer_id: customer.id, expires_on, kind }).history(
            customer.id,
            now(),
            HistoryLine::change(system(), "customer.renewal_required", customer.state, customer.state),
        )
    };
    assert_eq!(backend.store.commit(&notice("due")).await.unwrap(), Committed::Done);
    assert_eq!(backend.store.commit(&notice("due")).await.unwrap(), Committed::Stale);
    assert_eq!(backend.store.commit(&notice("expired")).await.unwrap(), Committed::Done);
    assert_eq!(history_len(&backend, customer.id).await, 3, "created and two notices");
}

async fn a_review_job_is_held_by_one_worker_until_its_claim_expires_or_is_given_back(backend: Backend) {
    let customer = inserted(&backend, CustomerState::AutomaticReview).await;
    let store = &backend.store;
    let at = now();
    let until = at + chrono::TimeDelta::minutes(2);
    assert_eq!(store.review_jobs(at).await.unwrap(), vec![(backend.org, customer.id)]);
    assert!(store.claim_review_job(customer.id, at, until).await.unwrap(), "the first worker gets it");
    assert!(!store.claim_review_job(customer.id, at, until).await.unwrap(), "the second does not");
    assert!(store.review_jobs(at).await.unwrap().is_empty(), "a held job is not offered");
    // The first worker died: once its claim expired, another takes the job over.
    let later = until + chrono::TimeDelta::seconds(1);
    assert_eq!(store.review_jobs(later).await.unwrap(), vec![(backend.org, customer.id)]);
    assert!(store.claim_review_job(customer.id, later, later + chrono::TimeDelta::minutes(2)).await.unwrap());
    // A failed review gives it back at once.
    store.release_review_job(customer.id).await.unwrap();
    assert!(store.claim_review_job(customer.id, at, until).await.unwrap());
}

async fn concurrent_sign_in_attempts_are_counted_one_after_the_other(backend: Backend) {
    use kycard_server::store::Limit;
    let window = chrono::TimeDelta::minutes(15);
    let limits = || vec![Limit { key: "pair".into(), most: 5 }, Limit { key: "address".into(), most: 20 }];
    let attempts = (0..24).map(|_| {
        let store = backend.store.clone();
        tokio::spawn(async move { store.count_sign_in_attempt(&limits(), now(), window).await.unwrap() })
    });
    let outcomes = futures_util::future::join_all(attempts).await;
    let counted = outcomes.iter().filter(|o| matches!(o, Ok(None))).count();
    assert_eq!(counted, 5, "exactly the limit, however many arrive at once");
    // A success takes its attempt back: the address counts 4 now, the pair starts again.
    backend.store.undo_sign_in_attempt("pair", &["address".to_owned()]).await.unwrap();
    for _ in 0..5 {
        assert_eq!(backend.store.count_sign_in_attempt(&limits(), now(), window).await.unwrap(), None);
    }
    let wait = backend.store.count_sign_in_attempt(&limits(), now(), window).await.unwrap().expect("full");
    assert!(wait > chrono::TimeDelta::minutes(14) && wait <= window, "{wait}");
    assert_eq!(backend.store.purge_sign_in_attempts(now() + window).await.unwrap(), 2);
}

async fn a_reader_resuming_after_the_last_event_it_saw_never_skips_one(backend: Backend) {
    // Writers commit side by side while a reader follows the log, as an event stream does.
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let (store, org) = (backend.store.clone(), backend.org);
            tokio::spawn(async move {
                for _ in 0..25 {
                    let record = customer(CustomerState::AwaitingDocuments);
                    let line = HistoryLine::change(system(), "customer.created", None, record.state);
                    let change =
                        Change::new(org).with(Step::InsertCustomer(record.clone())).history(record.id, now(), line);
                    assert_eq!(store.commit(&change).await.unwrap(), Committed::Done);
                }
            })
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut cursor = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while seen.len() < 200 && std::time::Instant::now() < deadline {
        let changes = backend.store.changes_after(backend.org, cursor, 7).await.unwrap();
        for change in changes {
            assert!(change.seq > cursor, "numbers only grow");
            cursor = change.seq;
            assert!(seen.insert(change.customer_id), "each change once");
        }
        tokio::task::yield_now().await;
    }
    for writer in writers {
        writer.await.unwrap();
    }
    assert_eq!(seen.len(), 200, "every committed change reached the reader that resumed after its last one");
    assert_eq!(backend.store.latest_change(backend.org).await.unwrap(), cursor);
}
