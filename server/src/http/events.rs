//! `GET /events`: Server-Sent Events of the caller's organization, resumable with
//! `Last-Event-ID`. The payload is the customer or card as the API returns it when the event
//! is sent (so a client always sees current state).

use crate::error::AppError;
use crate::events::{EventSource, public_event};
use crate::http::AppState;
use crate::store::{Caller, LoggedChange, Store};
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use futures_util::Stream;
use kycard_core::wire::ErrorResponse;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use uuid::Uuid;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/events", get(events))
}

/// How often an idle stream looks for new changes.
const POLL: Duration = Duration::from_millis(250);
/// Changes read per query.
const BATCH: u32 = 100;

#[utoipa::path(get, path = "/api/v1/events", tag = "events", params(("Last-Event-ID" = Option<String>, Header, description = "Resume after this event")), responses((status = 200, description = "text/event-stream of {id, type, created_at, data}", content_type = "text/event-stream"), (status = 401, description = "No or bad credentials", body = ErrorResponse)))]
pub(super) async fn events(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let start = match headers.get("last-event-id") {
        Some(value) => {
            value.to_str().ok().and_then(|v| v.trim().parse::<i64>().ok()).filter(|n| *n >= 0).ok_or_else(|| {
                AppError::MalformedRequest("`Last-Event-ID` must be the `id` of an event you received.".to_owned())
            })?
        }
        None => state.store.latest_change(caller.organization_id).await?,
    };
    let store = state.store.clone();
    let org = caller.organization_id;
    let stream =
        futures_util::stream::unfold((store, start, VecDeque::new()), move |(store, mut last, mut queue)| async move {
            loop {
                if let Some(change) = queue.pop_front() {
                    let change: LoggedChange = change;
                    last = change.seq;
                    if let Some(event) = to_event(&store, org, &change).await {
                        return Some((Ok(event), (store, last, queue)));
                    }
                    continue;
                }
                match store.changes_after(org, last, BATCH).await {
                    Ok(changes) if !changes.is_empty() => queue.extend(changes),
                    Ok(_) => tokio::time::sleep(POLL).await,
                    Err(error) => {
                        tracing::error!(%error, "event stream cannot read changes");
                        tokio::time::sleep(POLL * 4).await;
                    }
                }
            }
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// The SSE event for a logged change; `None` when it has no public form.
async fn to_event(store: &Store, org: Uuid, change: &LoggedChange) -> Option<Event> {
    let event = public_event(store, org, &EventSource::from(change)).await.ok()??;
    Some(Event::default().id(&event.id).event(&event.event_type).data(serde_json::to_string(&event).ok()?))
}
