//! A labelled text input that shows core's message for its path, tied with ARIA.

use leptos::prelude::*;

/// One input with its label, optional hint and error message.
///
/// The error appears once the field has been left (or the form asks for every error), then
/// follows every keystroke, so people are not scolded for a half-typed value.
#[component]
pub fn TextField(
    /// Visible label.
    label: &'static str,
    /// The request path of the field (`contact.email`); also the element id.
    path: &'static str,
    /// Current value.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the new value on every keystroke.
    on_input: impl Fn(String) + 'static,
    /// Core's message for this path, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The input's `type`.
    #[prop(default = "text")]
    input_type: &'static str,
    /// The input's `autocomplete` hint.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// Help shown under the label.
    #[prop(optional)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let shown_error = move || error.get().filter(|_| touched.get());
    let id = path.replace('.', "-");
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if shown_error().is_some() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:invalid=move || shown_error().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            <input
                id=id.clone()
                name=path
                type=input_type
                autocomplete=autocomplete
                prop:value=move || value.get()
                aria-invalid=move || if shown_error().is_some() { "true" } else { "false" }
                aria-describedby=described_by
                on:input=move |ev| on_input(event_target_value(&ev))
                on:blur=move |_| touched.set(true)
            />
            <p class="error" id=error_id role="alert">{shown_error}</p>
        </div>
    }
}
