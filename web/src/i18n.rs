//! The interface language: guessed from the browser's languages, changed with the switch in
//! the header, remembered in local storage, and sent to the server as `Accept-Language` so
//! its errors speak it too. Every translated text comes from core.

use kycard_core::i18n::Locale;
use leptos::prelude::*;

/// Where the chosen language is remembered.
const LOCALE_KEY: &str = "kycard.locale";

thread_local! {
    /// The language requests ask for (read by `api`, which has no reactive owner).
    static CURRENT: std::cell::Cell<Locale> = const { std::cell::Cell::new(Locale::English) };
}

/// The language of the interface, shared through context.
#[derive(Debug, Clone, Copy)]
pub struct Language(pub RwSignal<Locale>);

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The remembered choice, else the first of the browser's languages that core speaks.
fn initial() -> Locale {
    if let Some(saved) = storage().and_then(|s| s.get_item(LOCALE_KEY).ok().flatten())
        && let Some(locale) = Locale::from_tag(&saved)
    {
        return locale;
    }
    let languages: Vec<String> = web_sys::window()
        .map(|w| w.navigator().languages().iter().filter_map(|v| v.as_string()).collect())
        .unwrap_or_default();
    Locale::negotiate(languages.iter().map(String::as_str))
}

/// Creates the language signal, keeps the document's `lang`, the storage and the requests'
/// `Accept-Language` in step with it, and provides it to every component.
pub fn provide_language() {
    let locale = RwSignal::new(initial());
    Effect::new(move |_| {
        let chosen = locale.get();
        CURRENT.with(|c| c.set(chosen));
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", chosen.as_str());
        }
        if let Some(store) = storage() {
            let _ = store.set_item(LOCALE_KEY, chosen.as_str());
        }
    });
    provide_context(Language(locale));
}

/// The language signal from context.
pub fn language() -> RwSignal<Locale> {
    expect_context::<Language>().0
}

/// The interface's language, read so that the surrounding view is drawn again when it
/// changes (outside the component tree: the language requests ask for).
pub fn tracked() -> Locale {
    use_context::<Language>().map_or_else(current, |l| l.0.get())
}

/// Words of the app itself (headings, buttons, hints, its own errors) in the chosen language;
/// what kycard says about customers, fields and documents comes from core. Outside the
/// component tree (a request's error), the language requests ask for.
pub fn tr(english: &'static str, spanish: &'static str) -> &'static str {
    match tracked() {
        Locale::English => english,
        Locale::Spanish => spanish,
    }
}

/// A text of the app in both languages, said in the interface's language where it is drawn
/// (for components that take a text to show).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text(pub &'static str, pub &'static str);

impl Text {
    /// The text in the interface's language.
    pub fn get(self) -> &'static str {
        tr(self.0, self.1)
    }
}

/// The language requests ask for.
pub fn current() -> Locale {
    CURRENT.with(std::cell::Cell::get)
}

/// The language switch: a `<select>` of every language core speaks, each named in itself.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let locale = language();
    view! {
        <label class="language">
            <span class="visually-hidden">"Language / Idioma"</span>
            <select
                prop:value=move || locale.get().as_str()
                on:change=move |ev| {
                    if let Some(chosen) = Locale::from_tag(&event_target_value(&ev)) {
                        locale.set(chosen);
                    }
                }
            >
                {Locale::ALL
                    .iter()
                    .map(|l| view! { <option value=l.as_str()>{l.native_name()}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
