//! Saying that something could not be loaded, where it would have been shown.

use crate::i18n::Text;
use leptos::prelude::*;

/// The button of a part that could not be loaded.
pub const TRY_AGAIN: Text = Text("Try again", "Reintentar");

/// A failure to load or refresh part of a screen, in place of (or above) what it concerns,
/// with a button that tries again. Announced to screen readers as it appears.
pub fn load_failed(text: Signal<String>, retry_label: Text, retry: impl Fn() + 'static) -> impl IntoView {
    view! {
        <div class="form-error load-failed" role="alert">
            <span>{text}</span>
            <button type="button" on:click=move |_| retry()>{move || retry_label.get()}</button>
        </div>
    }
}
