//! Live updates from `GET /events` (Server-Sent Events, same-origin with the session cookie).

use kycard_core::wire::{ApiEvent, EventType};
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The part of an event's object that says whom it concerns: a customer's `id`, or a card's
/// `customer_id` (the rest is skipped unread, without a generic JSON value in the download).
#[derive(Deserialize)]
struct Subject {
    id: Option<String>,
    customer_id: Option<String>,
}

/// Whether an event's object is customer `id` or one of its cards.
fn concerns(event: &ApiEvent<Subject>, id: &str) -> bool {
    let subject = if event.event_type.starts_with("card.") { &event.data.customer_id } else { &event.data.id };
    subject.as_deref() == Some(id)
}

/// Calls `on_change` for every event about customer `id` (or its cards) while the calling
/// component lives; the stream is closed with it. The browser reconnects by itself after a
/// network failure, sending `Last-Event-ID`.
pub fn on_customer_change(id: String, on_change: impl Fn() + 'static) {
    let Ok(source) = web_sys::EventSource::new("/api/v1/events") else { return };
    let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |message: web_sys::MessageEvent| {
        let Some(text) = message.data().as_string() else { return };
        if let Ok(event) = serde_json::from_str::<ApiEvent<Subject>>(&text)
            && concerns(&event, &id)
        {
            on_change();
        }
    });
    // Each event has its type as the SSE event name, so listen to every type.
    for event_type in EventType::ALL {
        let _ = source.add_event_listener_with_callback(event_type.as_str(), handler.as_ref().unchecked_ref());
    }
    let kept = StoredValue::new_local(Some((source, handler)));
    on_cleanup(move || {
        kept.update_value(|slot| {
            if let Some((source, _handler)) = slot.take() {
                source.close();
            }
        });
    });
}
