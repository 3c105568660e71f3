//! Saying that something could not be loaded, where it would have been shown.

use leptos::prelude::*;

/// A failure to load or refresh part of a screen, in place of (or above) what it concerns,
/// with a button that tries again. Announced to screen readers as it appears.
pub fn load_failed(text: String, retry_label: &'static str, retry: impl Fn() + 'static) -> impl IntoView {
    view! {
        <div class="form-error load-failed" role="alert">
            <span>{text}</span>
            <button type="button" on:click=move |_| retry()>{retry_label}</button>
        </div>
    }
}
