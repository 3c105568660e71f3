//! A labelled form control (text, date or select) showing core's message for its path, tied
//! with ARIA.

use leptos::prelude::*;

/// What the control is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    /// `<input type=...>` with an `autocomplete` hint.
    Input(&'static str, &'static str),
    /// `<select>` with (value, label) options after an empty "Choose…" option.
    Select(Vec<(String, String)>),
}

/// The element id of a field: its path with dots as dashes.
pub fn field_id(path: &str) -> String {
    path.replace('.', "-")
}

/// One control with its label, optional hint and error message.
///
/// Core's error appears once the field has been left (or `reveal` asks for every error), then
/// follows every keystroke, so people are not scolded for a half-typed value. A server error
/// shows at once and goes when the value changes.
#[component]
pub fn Field(
    /// Visible label.
    label: &'static str,
    /// The request path of the field (`contact.email`); also names the element id.
    path: &'static str,
    /// Input or select.
    control: Control,
    /// Current value.
    #[prop(into)]
    value: Signal<String>,
    /// Called with the new value on every change.
    on_input: impl Fn(String) + Clone + 'static,
    /// Core's message for this path, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Show the message even before the field is left (after a submit attempt).
    #[prop(into)]
    reveal: Signal<bool>,
    /// Help shown under the label.
    #[prop(default = None)]
    hint: Option<&'static str>,
) -> impl IntoView {
    let touched = RwSignal::new(false);
    let shown_error = move || error.get().filter(|_| touched.get() || reveal.get());
    let id = field_id(path);
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
    let invalid = move || if shown_error().is_some() { "true" } else { "false" };
    let input = on_input.clone();
    let element = match control {
        Control::Input(input_type, autocomplete) => view! {
            <input
                id=id.clone()
                name=path
                type=input_type
                autocomplete=autocomplete
                prop:value=move || value.get()
                aria-invalid=invalid
                aria-describedby=described_by.clone()
                on:input=move |ev| input(event_target_value(&ev))
                on:blur=move |_| touched.set(true)
            />
        }
        .into_any(),
        Control::Select(options) => view! {
            <select
                id=id.clone()
                name=path
                prop:value=move || value.get()
                aria-invalid=invalid
                aria-describedby=described_by.clone()
                on:change=move |ev| {
                    on_input(event_target_value(&ev));
                    touched.set(true);
                }
                on:blur=move |_| touched.set(true)
            >
                <option value="">{move || crate::i18n::tr("Choose…", "Elige…")}</option>
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = v.clone();
                        view! { <option value=v prop:selected=move || value.get() == selected>{l}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any(),
    };
    view! {
        <div class="field" class:invalid=move || shown_error().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|text| view! { <p class="hint" id=hint_id.clone()>{text}</p> })}
            {element}
            <p class="error" id=error_id role="alert">{shown_error}</p>
        </div>
    }
}
