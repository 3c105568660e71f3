//! One customer: where they stand in plain words, the document checklist with uploads, the
//! flags to correct after a rejection, and their cards. Updates live from the event stream.

use crate::api::{self, ApiError};
use crate::components::notice::{TRY_AGAIN, load_failed};
use crate::components::status::{StatusBadge, describe_blocker, display_name, explain};
use crate::components::upload::DocumentUpload;
use crate::events::on_customer_change;
use crate::i18n::{Text, tr};
use crate::pages::customer_form::{field_control, fields_for_flag};
use crate::session::session;
use crate::task::{Latest, Tasks};
use crate::today::today;
use kycard_core::card::{CardAction, CardType, allowed_actions};
use kycard_core::customer::{apply_patch, validate_customer};
use kycard_core::documents::RequirementState;
use kycard_core::form::{field_value, set_field_value};
use kycard_core::review::FlagTarget;
use kycard_core::status::{CardRefusal, CustomerStatus, card_eligibility_of};
use kycard_core::wire::{Card, Customer, CustomerData, IssueCardRequest, Page, Role};
use leptos::prelude::*;

/// The customer page.
#[component]
pub fn CustomerPage(
    /// The customer's id from the URL.
    id: String,
) -> impl IntoView {
    let customer = RwSignal::new(None::<Customer>);
    let cards = RwSignal::new(Vec::<Card>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let tasks = Tasks::here();
    // Refreshes can overlap (one per live event): only the latest one's answers are used.
    let latest = Latest::default();
    let reload = {
        let id = id.clone();
        move || {
            let ticket = latest.start();
            let id = id.clone();
            tasks.spawn(async move {
                let customer_answer = api::get::<Customer>(&format!("/customers/{id}")).await;
                if !latest.is_latest(ticket) {
                    return;
                }
                match customer_answer {
                    Ok(found) => {
                        // Never go back to an older version (a correction's answer may be newer).
                        if customer.with_untracked(|c| c.as_ref().is_none_or(|c| c.version < found.version)) {
                            customer.set(Some(found));
                        }
                    }
                    Err(error) => {
                        failure.set(Some(error));
                        return;
                    }
                }
                let cards_answer = api::get::<Page<Card>>(&format!("/customers/{id}/cards")).await;
                if !latest.is_latest(ticket) {
                    return;
                }
                match cards_answer {
                    Ok(page) => {
                        failure.set(None);
                        cards.set(page.data);
                    }
                    Err(error) => failure.set(Some(error)),
                }
            });
        }
    };
    reload();
    on_customer_change(id.clone(), reload.clone());
    // "Try again" and "Refresh now": the notice goes while the new attempt runs, so a second
    // failure is seen (and announced) again.
    let retry = {
        let reload = reload.clone();
        move || {
            failure.set(None);
            reload();
        }
    };
    let uploaded = {
        let reload = reload.clone();
        Callback::new(move |()| reload())
    };
    let updated = Callback::new(move |changed: Customer| {
        if customer.with_untracked(|c| c.as_ref().is_none_or(|c| c.version < changed.version)) {
            customer.set(Some(changed));
        }
    });

    // Loaded once: from then on the view follows the signal, so what is being typed or
    // uploaded survives every live update, and a failed refresh only adds a notice.
    // A memo notifies only on a real change: a refresh must not draw the page again.
    let shown = Memo::new(move |_| {
        if customer.with(Option::is_some) {
            return Shown::Loaded;
        }
        match failure.get() {
            Some(error) if error.status == 404 => Shown::NotFound,
            Some(error) => Shown::Failed(error.message),
            None => Shown::Loading,
        }
    });
    let current = Signal::derive(move || customer.get().unwrap_or_else(placeholder));
    view! {
        {move || match shown.get() {
            Shown::NotFound => {
                view! {
                    <h1>{move || tr("Customer not found", "Cliente no encontrado")}</h1>
                    <p>{move || tr("There is no such customer in your organization.", "No hay ningún cliente así en tu organización.")}</p>
                }
                .into_any()
            }
            Shown::Failed(message) => {
                view! {
                    <h1>{move || tr("Customer", "Cliente")}</h1>
                    {load_failed(
                        Signal::derive(move || format!("{} {message}", tr("The customer could not be loaded:", "No se pudo cargar el cliente:"))),
                        TRY_AGAIN,
                        retry.clone(),
                    )}
                }
                .into_any()
            }
            Shown::Loading => view! {
                <h1>{move || tr("Customer", "Cliente")}</h1>
                <p class="empty">{move || tr("Loading…", "Cargando…")}</p>
            }
            .into_any(),
            Shown::Loaded => view! {
                {let retry = retry.clone();
                move || failure.get().map(|error| {
                    let text = Signal::derive(move || format!(
                        "{} {}",
                        tr("This page could not be brought up to date:", "No se pudo poner al día esta página:"),
                        error.message
                    ));
                    load_failed(text, Text("Refresh now", "Actualizar ahora"), retry.clone())
                })}
                <CustomerView customer=current cards=cards uploaded=uploaded updated=updated/>
            }
            .into_any(),
        }}
    }
}

/// What the customer page shows as a whole.
#[derive(Debug, Clone, PartialEq)]
enum Shown {
    Loading,
    NotFound,
    /// Loading failed before anything was shown.
    Failed(String),
    /// The customer, from then on; later failures are notices within it.
    Loaded,
}

/// Stands in for the customer before it is loaded (never shown).
fn placeholder() -> Customer {
    Customer {
        id: uuid::Uuid::nil(),
        version: 0,
        created_at: chrono::DateTime::default(),
        updated_at: chrono::DateTime::default(),
        contact: kycard_core::wire::ContactData::default(),
        individual_cards: false,
        individual: None,
        status: None,
        requirements: Vec::new(),
        review: None,
        renewal: None,
    }
}

fn field_flags(customer: &Customer) -> Vec<String> {
    customer
        .review
        .iter()
        .flat_map(|r| &r.flags)
        .filter_map(|f| match &f.target {
            FlagTarget::Field(path) => Some(path.clone()),
            FlagTarget::Document(_) => None,
        })
        .collect()
}

#[component]
fn CustomerView(
    customer: Signal<Customer>,
    cards: RwSignal<Vec<Card>>,
    uploaded: Callback<()>,
    updated: Callback<Customer>,
) -> impl IntoView {
    let can_operate = session().can(Role::Operator);
    // Memos: what depends on them is drawn again only when they change, not on every update
    // (which would throw away corrections being typed).
    let resubmittable = Memo::new(move |_| customer.with(|c| c.review.as_ref().is_none_or(|r| r.resubmittable)));
    let uploads_open =
        move || can_operate && customer.with(|c| c.status != Some(CustomerStatus::Active)) && resubmittable.get();
    let kinds = Memo::new(move |_| customer.with(|c| c.requirements.iter().map(|r| r.document).collect::<Vec<_>>()));
    let flagged_fields = Memo::new(move |_| customer.with(field_flags));
    let customer_id = customer.with_untracked(|c| c.id.to_string());
    let eligibility = Signal::derive(move || customer.with(card_eligibility_of));

    view! {
        <div class="page-head">
            <h1>{move || customer.with(display_name)}</h1>
            {move || view! { <StatusBadge status=customer.with(|c| c.status)/> }}
        </div>
        {move || {
            let (title, text) = customer.with(explain);
            let class = match customer.with(|c| c.status) {
                Some(CustomerStatus::Active) => "banner active",
                Some(CustomerStatus::Rejected) => "banner rejected",
                Some(CustomerStatus::Pending) => "banner pending",
                None => "banner",
            };
            view! {
                <section class=class aria-live="polite">
                    <h2>{title}</h2>
                    <p>{text}</p>
                </section>
            }
        }}
        {move || {
            let flags = customer.with(|c| c.review.as_ref().map(|r| r.flags.clone()).unwrap_or_default());
            (!flags.is_empty()).then(|| view! {
                <section class="card">
                    <h2>{move || tr("What must be corrected", "Qué hay que corregir")}</h2>
                    <ul class="flags">
                        {flags.into_iter().map(|flag| {
                            let locale = crate::i18n::tracked();
                            let what = flag.target.label_in(locale).to_owned();
                            let why = flag.message_in(locale).to_owned();
                            view! { <li class="flag"><strong>{what}</strong>": "{why}</li> }
                        }).collect_view()}
                    </ul>
                </section>
            })
        }}
        // Drawn again only when the set of flagged fields changes, not on every update.
        {move || {
            let paths = flagged_fields.get();
            (can_operate && resubmittable.get() && !paths.is_empty())
                .then(|| view! {
                    <Corrections customer=customer paths=paths updated=updated
                        title=Text("Correct the details", "Corrige los datos")
                        hint=Text(
                            "Saving the corrections resubmits the customer; the review starts again once every document is in too.",
                            "Al guardar las correcciones el cliente se reenvía; la revisión empieza de nuevo cuando también estén todos los documentos.",
                        )/>
                })
        }}
        // An active customer's ID expires: the renewed one is entered here, then its photos
        // are uploaded and reviewed; issued cards keep working meanwhile.
        {move || customer.with(|c| c.renewal).map(|renewal| view! {
            <section class="card attention" aria-labelledby="renewal-heading">
                <h2 id="renewal-heading">{move || tr("Identity document renewal", "Renovación del documento de identidad")}</h2>
                <p>{kycard_core::explain::renewal(&renewal, crate::i18n::tracked())}</p>
            </section>
            {can_operate.then(|| view! {
                <Corrections customer=customer paths=vec![kycard_core::paths::ID_NUMBER.to_owned(), kycard_core::paths::ID_EXPIRES_ON.to_owned()]
                    updated=updated
                    title=Text("Enter the renewed identity document", "Introduce el documento de identidad renovado")
                    hint=Text(
                        "Saving asks for new photos of the document; the review then runs again.",
                        "Al guardar se piden fotos nuevas del documento; después la revisión se repite.",
                    )/>
            })}
        })}
        <Show when=move || !kinds.with(Vec::is_empty)>
            <section class="card">
                <h2>{move || tr("Documents", "Documentos")}</h2>
                <ul class="requirements">
                    <For each=move || kinds.get() key=|kind| *kind let:kind>
                        {
                            let requirement = move || customer.with(|c| c.requirements.iter().find(|r| r.document == kind).cloned());
                            let state = move || requirement().map_or(RequirementState::Missing, |r| r.state);
                            let needs_upload = move || matches!(state(), RequirementState::Missing | RequirementState::Flagged);
                            let customer_id = customer.with_untracked(|c| c.id.to_string());
                            let engaged = RwSignal::new(false);
                            view! {
                                <li class="requirement" class:flagged=move || state() == RequirementState::Flagged>
                                    <div class="requirement-head">
                                        <h3>{move || kind.label_in(crate::i18n::tracked())}</h3>
                                        <span class=move || format!("state {}", state().as_str())>{move || state().label_in(crate::i18n::tracked())}</span>
                                    </div>
                                    {move || requirement().and_then(|r| r.message).map(|m| view! { <p class="reason">{m}</p> })}
                                    <Show when=uploads_open>
                                        <details prop:open=move || needs_upload() || engaged.get()>
                                            <summary>{move || if needs_upload() { tr("Upload", "Subir") } else { tr("Replace", "Sustituir") }}</summary>
                                            <DocumentUpload customer_id=customer_id.clone() kind=kind on_uploaded=uploaded engaged=engaged/>
                                        </details>
                                    </Show>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </section>
        </Show>
        <CardsSection customer_id=customer_id.clone() eligibility=eligibility cards=cards can_operate=can_operate
            holder=Signal::derive(move || customer.with(|c| c.status))/>
    }
}

#[component]
fn CardsSection(
    customer_id: String,
    eligibility: Signal<Result<kycard_core::status::ActiveCustomer, CardRefusal>>,
    cards: RwSignal<Vec<Card>>,
    can_operate: bool,
    /// The holder's status: some card actions depend on it.
    holder: Signal<Option<CustomerStatus>>,
) -> impl IntoView {
    let failure = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let tasks = Tasks::here();
    let reasons = move || -> Vec<String> {
        match eligibility.get() {
            Ok(_) => Vec::new(),
            Err(CardRefusal::NotActive { blocked_by, .. }) => blocked_by.iter().map(|b| describe_blocker(b)).collect(),
            Err(refusal) => vec![refusal.code().label_in(crate::i18n::tracked()).to_owned()],
        }
    };
    let allowed = move || eligibility.with(Result::is_ok) && can_operate;
    let issue = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let key = api::new_idempotency_key();
        let path = format!("/customers/{customer_id}/cards");
        tasks.spawn(async move {
            let body = IssueCardRequest { card_type: CardType::Virtual };
            let result: Result<Card, ApiError> = api::send_json("POST", &path, &body, Some(&key), None).await;
            busy.set(false);
            match result {
                Ok(card) => {
                    failure.set(None);
                    cards.update(|all| {
                        if !all.iter().any(|c| c.id == card.id) {
                            all.push(card);
                        }
                    });
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{move || tr("Cards", "Tarjetas")}</h2>
            <div class="issue">
                <button
                    type="button"
                    class="primary"
                    disabled=move || !allowed() || busy.get()
                    aria-describedby="issue-card-why"
                    on:click=issue
                >
                    {move || tr("Issue card", "Emitir tarjeta")}
                </button>
                <p id="issue-card-why" class="hint">
                    {move || {
                        let reasons = reasons();
                        if reasons.is_empty() {
                            tr("A virtual card, linked to this customer.", "Una tarjeta virtual, vinculada a este cliente.").to_owned()
                        } else {
                            format!(
                                "{} {}.",
                                tr("A card can be issued only to an active customer:", "Solo se emiten tarjetas a clientes activos:"),
                                reasons.join("; ")
                            )
                        }
                    }}
                </p>
            </div>
            {move || failure.get().map(|error| {
                let details = error.details.map(|d| d.blocked_by.iter().map(|b| describe_blocker(b)).collect::<Vec<_>>().join("; "));
                view! {
                    <p class="form-error" role="alert">{error.message}{details.filter(|d| !d.is_empty()).map(|d| format!(" ({d})"))}</p>
                }
            })}
            <Show when=move || !cards.with(Vec::is_empty) fallback=|| view! { <p class="empty">{move || tr("No card yet.", "Aún no hay tarjetas.")}</p> }>
                <ul class="cards">
                    <For each=move || cards.get() key=|c| (c.id, c.status) let:card>
                        <CardRow card=card cards=cards can_operate=can_operate holder=holder/>
                    </For>
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn CardRow(
    card: Card,
    cards: RwSignal<Vec<Card>>,
    can_operate: bool,
    holder: Signal<Option<CustomerStatus>>,
) -> impl IntoView {
    let failure = RwSignal::new(None::<String>);
    let tasks = Tasks::here();
    let act = move |action: CardAction| {
        let id = card.id;
        move |_| {
            if action == CardAction::Cancel
                && !window()
                    .confirm_with_message(tr(
                        "Cancel this card for good? This cannot be undone.",
                        "¿Cancelar esta tarjeta para siempre? No se puede deshacer.",
                    ))
                    .unwrap_or(false)
            {
                return;
            }
            let key = api::new_idempotency_key();
            tasks.spawn(async move {
                match api::post_empty::<Card>(&format!("/cards/{id}/{action}"), Some(&key)).await {
                    Ok(changed) => {
                        failure.set(None);
                        cards.update(|all| {
                            if let Some(slot) = all.iter_mut().find(|c| c.id == changed.id) {
                                *slot = changed;
                            }
                        });
                    }
                    Err(error) => failure.set(Some(error.message)),
                }
            });
        }
    };
    let status = card.status;
    view! {
        <li class="card-row">
            <span class="pan" aria-label=move || format!("{} {}", tr("Card ending in", "Tarjeta terminada en"), card.last4)>
                {format!("•••• {}", card.last4)}
            </span>
            <span class="expiry">
                {move || format!("{} {:02}/{}", tr("expires", "caduca"), card.exp_month, card.exp_year % 100)}
            </span>
            <span class=format!("card-status {}", status.as_str())>{move || status.label_in(crate::i18n::tracked())}</span>
            {can_operate.then(|| view! {
                // What core allows: the card's status and, to unfreeze, an active holder.
                <span class="card-actions">
                    {move || allowed_actions(status, holder.get()).into_iter().map(|action| {
                        let class = if action == CardAction::Cancel { "danger" } else { "" };
                        view! { <button type="button" class=class on:click=act(action)>{action.label_in(crate::i18n::tracked())}</button> }
                    }).collect_view()}
                </span>
            })}
            {move || failure.get().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
        </li>
    }
}

/// Correcting some fields (those a rejection flagged, or a renewed ID's): only those fields,
/// checked by core against the whole customer as it would be after the change, saved with
/// `If-Match`.
#[component]
fn Corrections(
    customer: Signal<Customer>,
    paths: Vec<String>,
    updated: Callback<Customer>,
    /// The section's heading.
    title: Text,
    /// What saving does.
    hint: Text,
) -> impl IntoView {
    let fields: Vec<&'static str> = paths.iter().flat_map(|p| fields_for_flag(p)).collect();
    let draft = RwSignal::new(customer.with_untracked(Customer::data));
    let today = today();
    let edited = fields.clone();
    let patch = move || {
        let mut patch = CustomerData::default();
        draft.with(|d| {
            for path in &edited {
                set_field_value(&mut patch, path, &field_value(d, path));
            }
        });
        patch
    };
    let patch_for_errors = patch.clone();
    let locale = crate::i18n::language();
    let errors = Signal::derive(move || {
        match apply_patch(&customer.with(Customer::data), &patch_for_errors()) {
            Err(errors) => errors,
            Ok(merged) => validate_customer(&merged, today).err().unwrap_or_default(),
        }
        .localized(locale.get())
    });
    let server_errors = RwSignal::new(Vec::<kycard_core::wire::FieldErrorBody>::new());
    let shown = Signal::derive(move || {
        let mut all = server_errors.get();
        all.extend(errors.get());
        all
    });
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let tasks = Tasks::here();
    let unchanged = move || draft.with(|d| customer.with(|c| *d == Customer::data(c)));
    let save = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() || !errors.with_untracked(Vec::is_empty) {
            return;
        }
        busy.set(true);
        let body = patch();
        let (id, version) = customer.with_untracked(|c| (c.id, c.version));
        tasks.spawn(async move {
            let result: Result<Customer, ApiError> =
                api::send_json("PATCH", &format!("/customers/{id}"), &body, None, Some(version)).await;
            busy.set(false);
            match result {
                Ok(changed) => updated.run(changed),
                Err(error) if !error.fields.is_empty() => server_errors.set(error.fields),
                Err(error) => failure.set(Some(error.message)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{move || title.get()}</h2>
            <p class="hint">{move || hint.get()}</p>
            <form novalidate on:submit=save>
                {fields
                    .into_iter()
                    .map(|path| field_control(path, draft, shown, Signal::derive(|| true), move |_| server_errors.set(Vec::new())))
                    .collect_view()}
                <p class="form-error" role="alert">{move || failure.get()}</p>
                <button type="submit" class="primary" disabled=move || busy.get() || unchanged() || !errors.with(Vec::is_empty)>
                    {move || tr("Save corrections", "Guardar correcciones")}
                </button>
            </form>
        </section>
    }
}
