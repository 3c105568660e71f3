//! Status badges and the plain-words explanation of where a customer stands (the words come
//! from core, in the interface's language).

use crate::i18n::language;
use kycard_core::explain;
use kycard_core::status::CustomerStatus;
use kycard_core::wire::Customer;
use leptos::prelude::*;

/// A coloured badge with the status label (not colour alone: the word is always there).
#[component]
pub fn StatusBadge(
    /// The status; `None` for customers outside the card program.
    status: Option<CustomerStatus>,
) -> impl IntoView {
    let class = match status {
        Some(CustomerStatus::Pending) => "badge pending",
        Some(CustomerStatus::Active) => "badge active",
        Some(CustomerStatus::Rejected) => "badge rejected",
        None => "badge none",
    };
    let locale = language();
    view! { <span class=class>{move || explain::badge(status, locale.get())}</span> }
}

/// How a customer is named on screen: the full name, else the email.
pub fn display_name(customer: &Customer) -> String {
    customer
        .individual
        .as_ref()
        .and_then(|i| i.personal.as_ref())
        .and_then(|p| p.full_name.clone())
        .or_else(|| customer.contact.email.clone())
        .unwrap_or_else(|| crate::i18n::tr("Customer", "Cliente").to_owned())
}

/// A `blocked_by` entry in plain words, in the interface's language.
pub fn describe_blocker(blocker: &str) -> String {
    explain::blocker(blocker, crate::i18n::tracked())
}

/// What the customer's status means and what to do next, in the interface's language.
pub fn explain(customer: &Customer) -> (&'static str, String) {
    explain::status(customer, crate::i18n::tracked())
}
