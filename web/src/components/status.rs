//! Status badges and the plain-words explanation of where a customer stands.

use kycard_core::documents::DocumentKind;
use kycard_core::status::CustomerStatus;
use kycard_core::wire::Customer;
use leptos::prelude::*;

/// A coloured badge with the status label (not colour alone: the word is always there).
#[component]
pub fn StatusBadge(
    /// The status; `None` for customers outside the card program.
    status: Option<CustomerStatus>,
) -> impl IntoView {
    let (class, label) = match status {
        Some(CustomerStatus::Pending) => ("badge pending", "Pending"),
        Some(CustomerStatus::Active) => ("badge active", "Active"),
        Some(CustomerStatus::Rejected) => ("badge rejected", "Rejected"),
        None => ("badge none", "No card program"),
    };
    view! { <span class=class>{label}</span> }
}

/// How a customer is named on screen: the full name, else the email.
pub fn display_name(customer: &Customer) -> String {
    customer
        .individual
        .as_ref()
        .and_then(|i| i.personal.as_ref())
        .and_then(|p| p.full_name.clone())
        .or_else(|| customer.contact.email.clone())
        .unwrap_or_else(|| "Customer".to_owned())
}

/// A `blocked_by` entry (`document:<kind>`, `field:<path>`, `review:<stage>`) in plain words.
pub fn describe_blocker(blocker: &str) -> String {
    if let Some(kind) = blocker.strip_prefix("document:") {
        let label = DocumentKind::parse(kind).map_or_else(|| kind.to_owned(), |k| k.label().to_owned());
        return format!("{label} is missing or must be uploaded again");
    }
    if let Some(path) = blocker.strip_prefix("field:") {
        return format!("{} must be corrected", kycard_core::paths::label(path));
    }
    match blocker {
        "review:awaiting_documents" => "documents are still missing".to_owned(),
        "review:automatic" => "the automatic review is still running".to_owned(),
        "review:manual" => "a reviewer has not decided yet".to_owned(),
        "review:final" => "the rejection is final".to_owned(),
        "review:rejected" => "the application was rejected".to_owned(),
        other => other.to_owned(),
    }
}

/// What the customer's status means and what to do next, in a sentence or two.
pub fn explain(customer: &Customer) -> (&'static str, String) {
    let stage = customer.review.as_ref().map(|r| r.stage);
    let resubmittable = customer.review.as_ref().is_none_or(|r| r.resubmittable);
    match (customer.status, stage) {
        (None, _) => (
            "Not in the card program",
            "This customer has contact details only. Enrol them in individual cards to collect what the program needs."
                .to_owned(),
        ),
        (Some(CustomerStatus::Active), _) => match customer.renewal {
            Some(renewal) if renewal.expired => ("Approved", renewal.describe()),
            _ => ("Approved", "Every check passed. You can issue a card to this customer.".to_owned()),
        },
        (Some(CustomerStatus::Rejected), _) if !resubmittable => (
            "Rejected for good",
            "The review found a problem that cannot be corrected (for example an altered document). No card can be issued."
                .to_owned(),
        ),
        (Some(CustomerStatus::Rejected), _) => (
            "Rejected: corrections needed",
            "Upload the documents and correct the details marked below. Their review starts again by itself.".to_owned(),
        ),
        (Some(CustomerStatus::Pending), Some(kycard_core::status::ReviewStage::AwaitingDocuments)) => (
            "Pending: documents needed",
            "Upload every document in the checklist below. The review starts as soon as the last one arrives.".to_owned(),
        ),
        (Some(CustomerStatus::Pending), Some(kycard_core::status::ReviewStage::Manual)) => (
            "Pending: with a reviewer",
            "A reviewer is looking at the documents. This page updates by itself when they decide.".to_owned(),
        ),
        (Some(CustomerStatus::Pending), _) => (
            "Pending: automatic review",
            "The documents are being checked, usually within seconds. This page updates by itself.".to_owned(),
        ),
    }
}
