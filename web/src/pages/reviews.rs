//! The reviewer's queue (oldest first) and the review of one customer: details, documents
//! inline, approve or reject with per-document and per-field flags, and the history.

use crate::api::{self, ApiError};
use crate::components::notice::{TRY_AGAIN, load_failed};
use crate::components::status::{StatusBadge, display_name};
use crate::i18n::tr;
use crate::pages::customer_form::display_value;
use crate::router::{Link, navigate};
use crate::task::Tasks;
use kycard_core::documents::ContentType;
use kycard_core::form::{TEXT_FIELDS, field_value};
use kycard_core::paths;
use kycard_core::review::{FLAGGABLE_FIELDS, Flag, FlagCode, FlagTarget};
use kycard_core::wire::{Check, Customer, Decision, Document, HistoryEntry, Page, ReviewDecisionRequest};
use leptos::prelude::*;

/// The manual review queue.
#[component]
pub fn ReviewsPage() -> impl IntoView {
    let queue = RwSignal::new(None::<Result<Vec<Customer>, ApiError>>);
    let tasks = Tasks::here();
    let load = move || {
        queue.set(None);
        tasks.spawn(async move {
            queue.set(Some(api::get::<Page<Customer>>("/reviews?stage=manual").await.map(|p| p.data)));
        });
    };
    load();
    view! {
        <h1>{move || tr("Review queue", "Cola de revisión")}</h1>
        <p class="hint">
            {move || tr(
                "Customers the automatic review could not decide, oldest first.",
                "Clientes que la revisión automática no pudo decidir, los más antiguos primero.",
            )}
        </p>
        {move || match queue.get() {
            None => view! { <p class="empty">{move || tr("Loading…", "Cargando…")}</p> }.into_any(),
            Some(Err(error)) => {
                let text = Signal::derive(move || {
                    format!("{} {}", tr("The queue could not be loaded:", "No se pudo cargar la cola:"), error.message)
                });
                load_failed(text, TRY_AGAIN, load).into_any()
            }
            Some(Ok(customers)) if customers.is_empty() => {
                view! {
                    <p class="empty">
                        {move || tr(
                            "Nothing to review. New cases appear here when the automatic review refers them.",
                            "Nada que revisar. Los casos nuevos aparecen aquí cuando la revisión automática los deriva.",
                        )}
                    </p>
                }
                .into_any()
            }
            Some(Ok(customers)) => view! {
                <table class="list">
                    <thead>
                        <tr>
                            <th scope="col">{move || tr("Customer", "Cliente")}</th>
                            <th scope="col">{move || tr("Status", "Estado")}</th>
                            <th scope="col">{move || tr("Waiting since", "Esperando desde")}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {customers.into_iter().map(|c| {
                            let (href, name) = (format!("/reviews/{}", c.id), display_name(&c));
                            let since = crate::today::minute(&c.updated_at);
                            view! {
                                <tr>
                                    <td><Link href=href>{name}</Link></td>
                                    <td><StatusBadge status=c.status/></td>
                                    <td>{since}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
    }
}

/// One flag being drafted by the reviewer.
#[derive(Debug, Clone, PartialEq)]
struct DraftFlag {
    target: FlagTarget,
    on: bool,
    code: FlagCode,
    message: String,
}

/// One unticked flag per document shown and per field a reviewer may flag.
fn draft_flags(documents: &[Document]) -> Vec<DraftFlag> {
    documents
        .iter()
        .map(|d| FlagTarget::Document(d.kind))
        .chain(FLAGGABLE_FIELDS.iter().map(|p| FlagTarget::Field((*p).to_owned())))
        .map(|target| {
            let code = if matches!(target, FlagTarget::Field(_)) {
                FlagCode::FieldIncorrect
            } else {
                FlagCode::DocumentUnreadable
            };
            DraftFlag { target, on: false, code, message: String::new() }
        })
        .collect()
}

/// Which parts of the review page to fetch.
#[derive(Debug, Clone, Copy)]
struct Parts {
    customer: bool,
    documents: bool,
    history: bool,
}

/// Reviewing one customer.
#[component]
pub fn ReviewPage(
    /// The customer's id from the URL.
    id: String,
) -> impl IntoView {
    let customer = RwSignal::new(None::<Customer>);
    let customer_failed = RwSignal::new(None::<String>);
    // `None` while loading; an error is shown where the list would be, with a way to retry.
    let documents = RwSignal::new(None::<Result<Vec<Document>, String>>);
    let history = RwSignal::new(None::<Result<Vec<HistoryEntry>, String>>);
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let flags = RwSignal::new(Vec::<DraftFlag>::new());
    let tasks = Tasks::here();
    let fetch = {
        let id = id.clone();
        move |parts: Parts| {
            let id = id.clone();
            tasks.spawn(async move {
                if parts.customer {
                    match api::get::<Customer>(&format!("/customers/{id}")).await {
                        Ok(c) => customer.set(Some(c)),
                        Err(error) => customer_failed.set(Some(error.message)),
                    }
                }
                if parts.documents {
                    let found = api::get::<Page<Document>>(&format!("/customers/{id}/documents")).await;
                    if let Ok(page) = &found {
                        flags.set(draft_flags(&page.data));
                    }
                    documents.set(Some(found.map(|p| p.data).map_err(|e| e.message)));
                }
                if parts.history {
                    history.set(Some(whole_history(&id).await.map_err(|e| e.message)));
                }
            });
        }
    };
    fetch(Parts { customer: true, documents: true, history: true });
    // "Try again" fetches only what failed, decided before anything is sent: a part is never
    // fetched twice at once, and what loaded (and the flags being drafted) stays.
    let retry = move || {
        let parts = Parts {
            customer: customer_failed.with_untracked(Option::is_some),
            documents: documents.with_untracked(|d| matches!(d, Some(Err(_)))),
            history: history.with_untracked(|h| matches!(h, Some(Err(_)))),
        };
        if parts.customer {
            customer_failed.set(None);
        }
        if parts.documents {
            documents.set(None);
        }
        if parts.history {
            history.set(None);
        }
        fetch(parts);
    };
    // A decision needs the documents in view: the buttons wait for them.
    let ready = move || customer.with(Option::is_some) && documents.with(|d| matches!(d, Some(Ok(_))));
    let decide = move |decision: Decision| {
        let id = id.clone();
        move |_| {
            let chosen: Vec<Flag> = flags.with_untracked(|all| {
                all.iter()
                    .filter(|f| f.on)
                    .map(|f| Flag {
                        target: f.target.clone(),
                        code: f.code,
                        message: f.message.trim().to_owned(),
                        is_final: f.code.final_by_default(),
                    })
                    .collect()
            });
            if decision == Decision::Reject && chosen.is_empty() {
                failure.set(Some(
                    tr(
                        "Tick at least one document or field and say what is wrong.",
                        "Marca al menos un documento o dato y di qué está mal.",
                    )
                    .to_owned(),
                ));
                return;
            }
            let body = ReviewDecisionRequest {
                decision,
                flags: if decision == Decision::Reject { chosen } else { Vec::new() },
            };
            let key = api::new_idempotency_key();
            let path = format!("/customers/{id}/review");
            busy.set(true);
            tasks.spawn(async move {
                let result: Result<Customer, ApiError> = api::send_json("POST", &path, &body, Some(&key), None).await;
                busy.set(false);
                match result {
                    Ok(_) => navigate("/reviews"),
                    Err(error) => failure.set(Some(error.message)),
                }
            });
        }
    };

    view! {
        <h1>
            {move || {
                let review = tr("Review", "Revisión");
                customer.with(|c| c.as_ref().map_or_else(|| review.to_owned(), |c| format!("{review}: {}", display_name(c))))
            }}
        </h1>
        {let retry = retry.clone();
        move || customer_failed.get().map(|message| {
            let text = Signal::derive(move || {
                format!("{} {message}", tr("The customer could not be loaded:", "No se pudo cargar el cliente:"))
            });
            load_failed(text, TRY_AGAIN, retry.clone())
        })}
        {move || failure.get().map(|message| view! { <p class="form-error" role="alert">{message}</p> })}
        {move || history.with(|h| {
            // What the automatic review could not settle, first: a watchlist match or a
            // duplicate side by side with the customer, a failed measure with its threshold.
            let Some(Ok(entries)) = h else { return None };
            let latest = entries.iter().rev().find(|e| e.event == "review.automatic")?;
            let failed: Vec<_> = latest.checks.iter().flatten().filter(|c| !c.passed).cloned().collect();
            (!failed.is_empty()).then(|| view! {
                <section class="card attention" aria-labelledby="attention-heading">
                    <h2 id="attention-heading">{move || tr("Why a person decides", "Por qué decide una persona")}</h2>
                    <ul class="checks">
                        {failed.iter().map(|c| measured(c, &c.message)).collect_view()}
                    </ul>
                </section>
            })
        })}
        {move || customer.get().map(|c| {
            let data = c.data();
            let locale = crate::i18n::language().get();
            view! {
                <section class="card">
                    <h2>{move || tr("Details", "Datos")}</h2>
                    <dl class="details">
                        {TEXT_FIELDS.iter().filter_map(|path| {
                            let value = field_value(&data, path);
                            (!value.is_empty()).then(|| view! { <dt>{paths::label_in(path, locale).to_owned()}</dt><dd>{display_value(path, &value, locale)}</dd> })
                        }).collect_view()}
                    </dl>
                </section>
            }
        })}
        <section class="card">
            <h2>{move || tr("Documents", "Documentos")}</h2>
            {let retry = retry.clone();
            move || match documents.get() {
                None => view! { <p class="empty">{move || tr("Loading…", "Cargando…")}</p> }.into_any(),
                Some(Err(message)) => {
                    let text = Signal::derive(move || {
                        format!("{} {message}", tr("The documents could not be loaded:", "No se pudieron cargar los documentos:"))
                    });
                    load_failed(text, TRY_AGAIN, retry.clone()).into_any()
                }
                Some(Ok(list)) if list.is_empty() => {
                    view! { <p class="empty">{move || tr("No document uploaded.", "No se ha subido ningún documento.")}</p> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <div class="documents">
                        {list.into_iter().map(|document| view! { <DocumentView document=document/> }).collect_view()}
                    </div>
                }
                .into_any(),
            }}
        </section>
        <section class="card">
            <h2>{move || tr("Decision", "Decisión")}</h2>
            <p class="hint">
                {move || tr(
                    "To reject, tick what must be corrected and say why; the customer sees these messages.",
                    "Para rechazar, marca lo que hay que corregir y explica por qué; el cliente ve estos mensajes.",
                )}
            </p>
            <ul class="flag-editor">
                {move || flags.get().into_iter().enumerate().map(|(i, flag)| {
                    let locale = crate::i18n::tracked();
                    let label = flag.target.label_in(locale).to_owned();
                    let base = format!("flag-{i}");
                    let codes: Vec<FlagCode> = FlagCode::ALL
                        .iter()
                        .copied()
                        .filter(|c| c.applies_to(&flag.target))
                        .collect();
                    view! {
                        <li class="flag-row">
                            <input type="checkbox" id=base.clone() prop:checked=flag.on
                                on:change=move |ev| flags.update(|all| all[i].on = event_target_checked(&ev))/>
                            <label for=base.clone()>{label.clone()}</label>
                            <Show when=move || flags.with(|all| all[i].on)>
                                <label class="visually-hidden" for=format!("{base}-code")>
                                    {format!("{} {label}", tr("Reason for", "Motivo para"))}
                                </label>
                                <select id=format!("{base}-code") on:change=move |ev| {
                                    if let Some(code) = FlagCode::parse(&event_target_value(&ev)) {
                                        flags.update(|all| all[i].code = code);
                                    }
                                }>
                                    {codes.iter().map(|c| view! {
                                        <option value=c.as_str() selected=*c == flag.code>{c.label_in(locale).to_owned()}</option>
                                    }).collect_view()}
                                </select>
                                <label class="visually-hidden" for=format!("{base}-message")>
                                    {format!("{} {label}", tr("Message about", "Mensaje sobre"))}
                                </label>
                                <input type="text" id=format!("{base}-message")
                                    placeholder=tr("Message for the customer (optional)", "Mensaje para el cliente (opcional)")
                                    on:change=move |ev| flags.update(|all| all[i].message = event_target_value(&ev))/>
                            </Show>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <div class="actions">
                <button type="button" class="primary" disabled=move || busy.get() || !ready() on:click=decide(Decision::Approve)>
                    {move || tr("Approve", "Aprobar")}
                </button>
                <button type="button" class="danger" disabled=move || busy.get() || !ready() on:click=decide(Decision::Reject)>
                    {move || tr("Reject with these flags", "Rechazar con estas marcas")}
                </button>
            </div>
            <Show when=move || !ready()>
                <p class="hint">
                    {move || tr(
                        "Approve and reject wait until the customer and their documents are shown.",
                        "Aprobar y rechazar esperan a que se muestren el cliente y sus documentos.",
                    )}
                </p>
            </Show>
        </section>
        <section class="card">
            <h2>{move || tr("History", "Historial")}</h2>
            {move || match history.get() {
                None => view! { <p class="empty">{move || tr("Loading…", "Cargando…")}</p> }.into_any(),
                Some(Err(message)) => {
                    let text = Signal::derive(move || {
                        format!("{} {message}", tr("The history could not be loaded:", "No se pudo cargar el historial:"))
                    });
                    load_failed(text, TRY_AGAIN, retry.clone()).into_any()
                }
                Some(Ok(entries)) => view! {
                    <ol class="history">
                        {entries.into_iter().map(|entry| view! {
                            <li>
                                <time>{crate::today::second(&entry.at)}</time>
                                " "<strong>{entry.event}</strong>
                                {entry.reason.map(|r| view! { " — "{r} })}
                                {entry.checks.map(|checks| view! {
                                    <ul class="checks">
                                        {checks.into_iter().map(|c| view! {
                                            <li class:failed=!c.passed>{if c.passed { "✓ " } else { "✗ " }}{c.message}</li>
                                        }).collect_view()}
                                    </ul>
                                })}
                            </li>
                        }).collect_view()}
                    </ol>
                }
                .into_any(),
            }}
        </section>
    }
}

/// One check as a reviewer reads it: passed or not, `message`, and what was measured against
/// which threshold.
fn measured(check: &Check, message: &str) -> impl IntoView {
    view! {
        <li class:failed=!check.passed>
            {if check.passed { "✓ " } else { "✗ " }}{message.to_owned()}
            <span class="hint">{format!(" — {}; {} {}", check.value, tr("needs", "requiere"), check.threshold)}</span>
        </li>
    }
}

#[component]
fn DocumentView(document: Document) -> impl IntoView {
    let zoomed = RwSignal::new(false);
    let url = format!("/api/v1/documents/{}/content", document.id);
    let preview = format!("/api/v1/documents/{}/preview", document.id);
    let label = document.kind.label_in(crate::i18n::tracked());
    let is_pdf = document.content_type == ContentType::Pdf.as_str();
    view! {
        <figure class="document" class:zoomed=move || zoomed.get()>
            {if is_pdf {
                let inline = format!("{url}?disposition=inline");
                view! {
                    <iframe class="pdf" src=inline.clone() title=format!("{label} (PDF)")></iframe>
                    <a href=inline target="_blank" rel="noopener">{move || tr("Open the PDF in a new tab", "Abrir el PDF en otra pestaña")}</a>
                }.into_any()
            } else if document.preview {
                // The preview: upright, downscaled, without the photo's metadata (GPS).
                view! {
                    <button type="button" class="zoom" aria-pressed=move || if zoomed.get() { "true" } else { "false" }
                        on:click=move |_| zoomed.update(|z| *z = !*z)>
                        <img src=preview alt=label/>
                    </button>
                    <a href=url>{move || tr("Download the original", "Descargar el original")}</a>
                }.into_any()
            } else {
                view! {
                    <p class="hint">{move || tr("No picture could be read from this file.", "No se pudo leer ninguna imagen de este archivo.")}</p>
                    <a href=url>{move || tr("Download the file", "Descargar el archivo")}</a>
                }
                .into_any()
            }}
            <figcaption>{label}{document.issued_on.map(|d| format!(" ({} {d})", tr("issued", "emitido el")))}</figcaption>
            <ul class="checks" aria-label=format!("{} {label}", tr("What was measured in:", "Qué se midió en:"))>
                // The figure already names the document that every message names (in English,
                // as the automatic review recorded it).
                {document.checks.iter().map(|c| {
                    measured(c, c.message.strip_prefix(&format!("{}: ", document.kind.label())).unwrap_or(&c.message))
                }).collect_view()}
            </ul>
        </figure>
    }
}

/// Pages of history read for one customer at most (100 entries each).
const HISTORY_PAGES: usize = 20;

/// A customer's history, following `next_cursor` page after page (up to [`HISTORY_PAGES`]).
async fn whole_history(id: &str) -> Result<Vec<HistoryEntry>, ApiError> {
    let mut entries = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..HISTORY_PAGES {
        let path = match &cursor {
            Some(after) => format!("/customers/{id}/history?cursor={after}"),
            None => format!("/customers/{id}/history"),
        };
        let page = api::get::<Page<HistoryEntry>>(&path).await?;
        entries.extend(page.data);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(entries)
}
