//! The new-customer form: contact details always; the **Individual cards** checkbox reveals
//! what the program needs. Every field is checked by core as it is typed, the draft survives
//! a reload, and one submission creates one customer whatever happens to the network.

use crate::api::{self, ApiError};
use crate::components::field::{Control, Field, field_id};
use crate::i18n::{language, tr};
use crate::router::{Route, navigate, route};
use crate::today::today;
use kycard_core::ValidationErrors;
use kycard_core::country::Country;
use kycard_core::customer::validate_customer;
use kycard_core::financial::{AccountPurpose, MonthlyVolume, Occupation, SalaryRange};
use kycard_core::form::{field_value, set_field_value, submission};
use kycard_core::i18n::Locale;
use kycard_core::official_id::IdType;
use kycard_core::paths;
use kycard_core::person::Gender;
use kycard_core::wire::{ContactData, Customer, CustomerData, FieldErrorBody};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the draft is kept between reloads.
const DRAFT_KEY: &str = "kycard.new-customer.draft";

/// One field of the form (its label comes from core: `paths::label_in`).
pub struct FieldDef {
    path: &'static str,
    /// Help in English and Spanish.
    hint: Option<(&'static str, &'static str)>,
    control: fn(Locale) -> Control,
}

fn text(_: Locale) -> Control {
    Control::Input("text", "off")
}

fn date(_: Locale) -> Control {
    Control::Input("date", "off")
}

fn choices<T: Copy>(
    all: &[T],
    wire: fn(T) -> &'static str,
    label: fn(T, Locale) -> &'static str,
    locale: Locale,
) -> Control {
    Control::Select(all.iter().map(|&v| (wire(v).to_owned(), label(v, locale).to_owned())).collect())
}

fn countries(locale: Locale) -> Control {
    Control::Select(Country::all().map(|c| (c.code().to_owned(), c.name_in(locale).to_owned())).collect())
}

const CONTACT: &[FieldDef] = &[
    FieldDef { path: paths::EMAIL, hint: None, control: |_| Control::Input("email", "email") },
    FieldDef {
        path: paths::PHONE,
        hint: Some((
            "International format, starting with + and the country code.",
            "Formato internacional, empezando por + y el prefijo del país.",
        )),
        control: |_| Control::Input("tel", "tel"),
    },
];

const PERSONAL: &[FieldDef] = &[
    FieldDef {
        path: paths::FULL_NAME,
        hint: Some(("As written on the identity document.", "Como figura en el documento de identidad.")),
        control: |_| Control::Input("text", "name"),
    },
    FieldDef { path: paths::DATE_OF_BIRTH, hint: None, control: date },
    FieldDef {
        path: paths::GENDER,
        hint: None,
        control: |l| choices(Gender::ALL, Gender::as_str, Gender::label_in, l),
    },
    FieldDef {
        path: paths::ADDRESS_LINE1,
        hint: Some(("Street and number.", "Calle y número.")),
        control: |_| Control::Input("text", "address-line1"),
    },
    FieldDef { path: paths::ADDRESS_LINE2, hint: None, control: |_| Control::Input("text", "address-line2") },
    FieldDef { path: paths::ADDRESS_CITY, hint: None, control: |_| Control::Input("text", "address-level2") },
    FieldDef { path: paths::ADDRESS_REGION, hint: None, control: |_| Control::Input("text", "address-level1") },
    FieldDef { path: paths::ADDRESS_POSTAL_CODE, hint: None, control: |_| Control::Input("text", "postal-code") },
    FieldDef { path: paths::ADDRESS_COUNTRY, hint: None, control: countries },
];

const OFFICIAL_ID: &[FieldDef] = &[
    FieldDef {
        path: paths::ID_TYPE,
        hint: None,
        control: |l| choices(IdType::ALL, IdType::as_str, IdType::label_in, l),
    },
    FieldDef { path: paths::ID_NUMBER, hint: None, control: text },
    FieldDef { path: paths::ID_ISSUING_COUNTRY, hint: None, control: countries },
    FieldDef { path: paths::ID_EXPIRES_ON, hint: None, control: date },
];

const FINANCIAL: &[FieldDef] = &[
    FieldDef {
        path: paths::OCCUPATION,
        hint: None,
        control: |l| choices(Occupation::ALL, Occupation::as_str, Occupation::label_in, l),
    },
    FieldDef {
        path: paths::SALARY_RANGE,
        hint: None,
        control: |l| choices(SalaryRange::ALL, SalaryRange::as_str, SalaryRange::label_in, l),
    },
    FieldDef {
        path: paths::ACCOUNT_PURPOSE,
        hint: None,
        control: |l| choices(AccountPurpose::ALL, AccountPurpose::as_str, AccountPurpose::label_in, l),
    },
    FieldDef {
        path: paths::MONTHLY_VOLUME,
        hint: None,
        control: |l| choices(MonthlyVolume::ALL, MonthlyVolume::as_str, MonthlyVolume::label_in, l),
    },
];

/// The form's definition of the field at `path`.
fn field_def(path: &str) -> Option<&'static FieldDef> {
    [CONTACT, PERSONAL, OFFICIAL_ID, FINANCIAL]
        .into_iter()
        .flat_map(|section| section.iter())
        .find(|def| def.path == path)
}

/// The form fields that correct a flag on `path` (a flag on the address covers its lines).
pub fn fields_for_flag(path: &str) -> Vec<&'static str> {
    if path == paths::ADDRESS {
        PERSONAL.iter().map(|d| d.path).filter(|p| p.starts_with(paths::ADDRESS)).collect()
    } else {
        field_def(path).map(|d| vec![d.path]).unwrap_or_default()
    }
}

/// A form control for the field at `path`, bound to `draft`, showing the first of `errors`
/// for its path (once left, or at once when `reveal`); `on_change` runs after each edit.
pub fn field_control(
    path: &'static str,
    draft: RwSignal<CustomerData>,
    errors: Signal<Vec<FieldErrorBody>>,
    reveal: Signal<bool>,
    on_change: impl Fn(&'static str) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let locale = language();
    // Drawn again in another language; the values live in `draft`, so nothing typed is lost.
    move || {
        let on_change = on_change.clone();
        let locale = locale.get();
        field_def(path).map(|def| {
            view! {
                <Field
                    label=paths::label_in(def.path, locale)
                    path=path
                    control=(def.control)(locale)
                    hint=def.hint.map(|(english, spanish)| if locale == Locale::Spanish { spanish } else { english })
                    value=Signal::derive(move || draft.with(|d| field_value(d, path)))
                    on_input=move |value: String| {
                        draft.update(|d| {
                            set_field_value(d, path, &value);
                        });
                        on_change(path);
                    }
                    error=Signal::derive(move || errors.with(|all| all.iter().find(|e| e.path == path).map(|e| e.message.clone())))
                    reveal=reveal
                />
            }
        })
    }
}

/// A stored value as people read it in `locale`: the label of a choice, the name of a country.
pub fn display_value(path: &str, raw: &str, locale: Locale) -> String {
    let label = match path {
        paths::GENDER => Gender::parse(raw).map(|v| v.label_in(locale)),
        paths::ID_TYPE => IdType::parse(raw).map(|v| v.label_in(locale)),
        paths::OCCUPATION => Occupation::parse(raw).map(|v| v.label_in(locale)),
        paths::SALARY_RANGE => SalaryRange::parse(raw).map(|v| v.label_in(locale)),
        paths::ACCOUNT_PURPOSE => AccountPurpose::parse(raw).map(|v| v.label_in(locale)),
        paths::MONTHLY_VOLUME => MonthlyVolume::parse(raw).map(|v| v.label_in(locale)),
        paths::ADDRESS_COUNTRY | paths::ID_ISSUING_COUNTRY => Country::try_from(raw).ok().map(|c| c.name_in(locale)),
        _ => None,
    };
    label.map_or_else(|| raw.to_owned(), str::to_owned)
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

fn load_draft() -> Option<CustomerData> {
    serde_json::from_str(&storage()?.get_item(DRAFT_KEY).ok()??).ok()
}

fn save_draft(draft: &CustomerData) {
    if let (Some(store), Ok(json)) = (storage(), serde_json::to_string(draft)) {
        let _ = store.set_item(DRAFT_KEY, &json);
    }
}

/// Forgets the draft (after it became a customer, or at sign-out).
pub fn clear_draft() {
    if let Some(store) = storage() {
        let _ = store.remove_item(DRAFT_KEY);
    }
}

/// Moves focus to the first field showing an error, once it is drawn.
fn focus_first_error() {
    request_animation_frame(|| {
        if let Some(element) = document().query_selector("main [aria-invalid=\"true\"]").ok().flatten()
            && let Ok(element) = element.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = element.focus();
        }
    });
}

/// The new-customer page.
#[component]
pub fn NewCustomerPage() -> impl IntoView {
    let draft = RwSignal::new(
        load_draft().unwrap_or(CustomerData { contact: Some(ContactData::default()), ..CustomerData::default() }),
    );
    Effect::new(move |_| draft.with(save_draft));
    let today = today();
    // The very function the server runs, on what would be sent.
    let errors: Memo<ValidationErrors> =
        Memo::new(move |_| draft.with(|d| validate_customer(&submission(d), today).err().unwrap_or_default()));
    let server_errors = RwSignal::new(Vec::<FieldErrorBody>::new());
    let locale = language();
    let reveal = RwSignal::new(false);
    let submission_key = RwSignal::new(None::<String>);
    let submitting = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let enrolled = Memo::new(move |_| draft.with(|d| d.individual_cards.unwrap_or(false)));
    // Said to screen readers when the checkbox shows or hides the program's sections. Focus
    // stays on the checkbox, where the person is working.
    let announcement = RwSignal::new("");

    // Server errors first: they are newer than what core says about the same field.
    let shown = Signal::derive(move || {
        let mut all = server_errors.get();
        errors.with(|e| all.extend(e.localized(locale.get())));
        all
    });
    let on_change = move |path: &'static str| {
        server_errors.update(|all| all.retain(|e| e.path != path));
        // A changed body is a new request: it needs a new idempotency key.
        submission_key.set(None);
    };
    let field = move |def: &'static FieldDef| field_control(def.path, draft, shown, reveal.into(), on_change);
    let section = move |path: &'static str, defs: &'static [FieldDef]| {
        let legend = move || paths::label_in(path, locale.get());
        view! {
            <fieldset>
                <legend>{legend}</legend>
                {defs.iter().map(field).collect_view()}
            </fieldset>
        }
    };
    // Errors with no field of their own on the form (e.g. the whole program block).
    let other_errors = move || {
        errors.with(|e| {
            e.as_slice()
                .iter()
                .filter(|f| reveal.get() && document().get_element_by_id(&field_id(&f.path)).is_none())
                .map(|f| f.message.text(locale.get()))
                .collect::<Vec<_>>()
        })
    };

    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        reveal.set(true);
        failure.set(None);
        if !errors.with(ValidationErrors::is_empty) {
            focus_first_error();
            return;
        }
        if submitting.get_untracked() {
            return;
        }
        let key = submission_key.get_untracked().unwrap_or_else(api::new_idempotency_key);
        submission_key.set(Some(key.clone()));
        submitting.set(true);
        let body = draft.with_untracked(submission);
        // Not tied to the form: if the person leaves it before the answer, the customer may
        // still be created, and its draft must then go. Only writes to the form's signals
        // (no-ops once it is gone) and no reads.
        leptos::task::spawn_local(async move {
            let result: Result<Customer, ApiError> =
                api::send_json("POST", "/customers", &body, Some(&key), None).await;
            submitting.set(false);
            match result {
                Ok(customer) => {
                    clear_draft();
                    if route().get_untracked() == Route::NewCustomer {
                        navigate(&format!("/customers/{}", customer.id));
                    }
                }
                Err(error) if !error.fields.is_empty() => {
                    server_errors.set(error.fields);
                    focus_first_error();
                }
                Err(error) => failure.set(Some(error.message)),
            }
        });
    };

    view! {
        <h1>{move || tr("New customer", "Nuevo cliente")}</h1>
        <form class="card" novalidate on:submit=submit>
            {section(paths::CONTACT, CONTACT)}
            <div class="checkbox">
                <input
                    type="checkbox"
                    id="individual_cards"
                    aria-describedby="individual_cards-hint"
                    aria-controls="program-fields"
                    prop:checked=move || enrolled.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        draft.update(|d| d.individual_cards = Some(on));
                        submission_key.set(None);
                        announcement.set(if on {
                            "Personal details, official ID and financial information are now shown below."
                        } else {
                            "The card program's sections are hidden; what was typed in them is kept."
                        });
                    }
                />
                <label for="individual_cards">{move || paths::label_in(paths::INDIVIDUAL_CARDS, locale.get())}</label>
                <p class="hint" id="individual_cards-hint">
                    {move || tr(
                        "Enrol this customer in the card program: we then need personal details, an official ID and financial information.",
                        "Da de alta a este cliente en el programa de tarjetas: entonces necesitamos datos personales, un documento de identidad e información financiera.",
                    )}
                </p>
            </div>
            <p class="visually-hidden" role="status">{move || announcement.get()}</p>
            <div id="program-fields">
                <Show when=move || enrolled.get()>
                    {section(paths::PERSONAL, PERSONAL)}
                    {section(paths::OFFICIAL_ID, OFFICIAL_ID)}
                    {section(paths::FINANCIAL, FINANCIAL)}
                </Show>
            </div>
            <div role="alert">
                <ul class="form-errors">
                    {move || other_errors().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
                    {move || failure.get().map(|m| view! { <li>{m}</li> })}
                </ul>
            </div>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || submitting.get()>
                    {move || if submitting.get() { tr("Creating…", "Creando…") } else { tr("Create customer", "Crear cliente") }}
                </button>
            </div>
        </form>
    }
}
