//! kycard's domain, shared by the server and the browser.
//!
//! Everything here is pure: no I/O, no clock, no async. "Today" is always an argument so the
//! browser, the server and the tests agree on every answer. The crate compiles natively and to
//! `wasm32-unknown-unknown`; the same test vectors run on both targets.
//!
//! * [`wire`] — the JSON shapes of `shared/API.md`, one definition for server and web.
//! * [`customer`] — parse wire data into domain types, returning every field error at once.
//! * [`form`] — read and write form fields by their request path.
//! * [`documents`] — which documents a customer needs, their states, content sniffing.
//! * [`quality`] — whether a picture of a document is legible, measured from its pixels.
//! * [`risk`] — a profile's risk score, and what makes it high.
//! * [`screening`] — a name and date of birth against a sanctions watchlist.
//! * [`status`] — the onboarding status machine and the proof that a customer may get a card.
//! * [`card`] — the card status machine and card-number arithmetic.
//! * [`webhook`] — which webhook URLs and event types are accepted.

#[macro_use]
mod choice;
pub mod api_error;
pub mod automatic_review;
pub mod card;
pub mod contact;
pub mod country;
mod country_list;
pub mod customer;
pub mod documents;
pub mod explain;
pub mod field_error;
pub mod financial;
pub mod form;
pub mod i18n;
mod marks;
pub mod message;
pub mod official_id;
pub mod paths;
pub mod person;
pub mod postal;
pub mod quality;
pub mod review;
pub mod risk;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod screening;
pub mod search;
pub mod status;
pub mod webhook;
pub mod wire;

pub use field_error::{FieldError, FieldErrorCode, ValidationErrors};
