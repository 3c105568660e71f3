//! Identity document expiry: once a day (and at start), every active customer whose ID
//! expires within core's notice period, or has expired, gets a renewal notice: a history
//! line, and so an event on `GET /events` and to webhooks (`customer.renewal_required`),
//! once per expiry date and kind. The customer shows `renewal`; after expiry new cards are
//! refused (core's `card_eligibility_of`) while issued cards keep working, until a renewed ID
//! is entered, uploaded and approved.

use crate::error::AppError;
use crate::store::{Change, Committed, HistoryLine, Step, Store, now};
use crate::unit_of_work::UnitOfWork;
use chrono::NaiveDate;
use kycard_core::documents::RENEWAL_NOTICE_DAYS;
use kycard_core::wire::{Actor, ActorKind};
use std::time::Duration;

/// How often expiries are looked for.
const CHECK_EVERY: Duration = Duration::from_hours(24);

/// Starts the daily check.
pub fn spawn(store: Store) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match notify_due(&store, now().date_naive()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(customers = n, "identity document renewals asked for"),
                Err(error) => tracing::error!(?error, "cannot check identity document expiries"),
            }
            tokio::time::sleep(CHECK_EVERY).await;
        }
    })
}

/// Sends the renewal notices owed on `today`; returns how many were sent.
pub async fn notify_due(store: &Store, today: NaiveDate) -> Result<usize, AppError> {
    let until = today + chrono::Duration::days(RENEWAL_NOTICE_DAYS);
    let unit = UnitOfWork::new(store.clone(), None);
    let mut sent = 0;
    for (organization_id, customer_id) in store.active_with_id_expiring(until).await? {
        let Some(customer) = store.customer(organization_id, customer_id).await? else { continue };
        let Some(renewal) = customer.renewal_due(today) else { continue };
        let history = HistoryLine {
            reason: Some(renewal.describe()),
            ..HistoryLine::change(
                Actor { kind: ActorKind::System, id: None },
                "customer.renewal_required",
                customer.state,
                customer.state,
            )
        };
        let kind = if renewal.expired { "expired" } else { "due" };
        let change = Change::new(organization_id)
            .with(Step::RenewalNotice { customer_id, expires_on: renewal.expires_on, kind })
            .history(customer_id, now(), history);
        // Stale: this notice was sent before.
        if unit.commit(change, &()).await? == Committed::Done {
            sent += 1;
        }
    }
    Ok(sent)
}
