//! The customers list: search, status filter, pages of 25, status badges.

use crate::api::{self, ApiError};
use crate::components::notice::{TRY_AGAIN, load_failed};
use crate::components::status::{StatusBadge, display_name};
use crate::i18n::tr;
use crate::router::Link;
use crate::session::session;
use crate::task::{Latest, Tasks};
use kycard_core::status::CustomerStatus;
use kycard_core::wire::{Customer, Page, Role};
use leptos::prelude::*;
use std::fmt::Write;

/// Customers per page.
const PAGE_SIZE: u32 = 25;

/// Encodes a query-string value.
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).as_string().unwrap_or_default()
}

/// The list page.
#[component]
pub fn CustomersPage() -> impl IntoView {
    let query = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let customers = RwSignal::new(Vec::<Customer>::new());
    let next = RwSignal::new(None::<String>);
    let loading = RwSignal::new(true);
    let failure = RwSignal::new(None::<ApiError>);
    // Answers to an older search are dropped when a newer one is under way.
    let latest = Latest::default();
    let tasks = Tasks::here();

    let load = move |append: bool| {
        let ticket = latest.start();
        let mut path = format!("/customers?limit={PAGE_SIZE}");
        let q = query.get_untracked();
        if !q.trim().is_empty() {
            let _ = write!(path, "&q={}", encode(q.trim()));
        }
        let s = status.get_untracked();
        if !s.is_empty() {
            let _ = write!(path, "&status={s}");
        }
        if append && let Some(cursor) = next.get_untracked() {
            let _ = write!(path, "&cursor={}", encode(&cursor));
        }
        loading.set(true);
        tasks.spawn(async move {
            let result: Result<Page<Customer>, ApiError> = api::get(&path).await;
            if !latest.is_latest(ticket) {
                return;
            }
            loading.set(false);
            match result {
                Ok(page) => {
                    failure.set(None);
                    next.set(page.next_cursor);
                    if append {
                        customers.update(|all| all.extend(page.data));
                    } else {
                        customers.set(page.data);
                    }
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    load(false);
    let can_create = session().can(Role::Operator);

    view! {
        <div class="page-head">
            <h1>{move || tr("Customers", "Clientes")}</h1>
            <Show when=move || can_create>
                <Link href="/customers/new" class="button primary">{move || tr("New customer", "Nuevo cliente")}</Link>
            </Show>
        </div>
        <form class="filters" role="search" on:submit=move |ev| { ev.prevent_default(); load(false); }>
            <div class="field">
                <label for="customer-search">{move || tr("Search", "Buscar")}</label>
                <input
                    id="customer-search"
                    type="search"
                    placeholder=move || tr("Name, email or phone", "Nombre, correo o teléfono")
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for="customer-status">{move || tr("Status", "Estado")}</label>
                <select id="customer-status" on:change=move |ev| { status.set(event_target_value(&ev)); load(false); }>
                    <option value="">{move || tr("All", "Todos")}</option>
                    {CustomerStatus::ALL
                        .iter()
                        .map(|s| view! { <option value=s.as_str()>{move || s.label_in(crate::i18n::tracked())}</option> })
                        .collect_view()}
                </select>
            </div>
            <button type="submit">{move || tr("Search", "Buscar")}</button>
        </form>
        {move || failure.get().map(|e| {
            let text = Signal::derive(move || {
                format!("{} {}", tr("The customers could not be loaded:", "No se pudieron cargar los clientes:"), e.message)
            });
            load_failed(text, TRY_AGAIN, move || load(false))
        })}
        <Show
            when=move || !customers.with(Vec::is_empty)
            fallback=move || {
                view! {
                    // After a failure, the notice above says it all: nothing is known to be empty.
                    <p class="empty" aria-live="polite" hidden=move || !loading.get() && failure.with(Option::is_some)>
                        {move || {
                            if loading.get() {
                                tr("Loading customers…", "Cargando clientes…")
                            } else if query.with(|q| q.trim().is_empty()) && status.with(String::is_empty) {
                                tr("No customers yet. Create the first one with “New customer”.", "Aún no hay clientes. Crea el primero con «Nuevo cliente».")
                            } else {
                                tr("No customer matches this search.", "Ningún cliente coincide con esta búsqueda.")
                            }
                        }}
                    </p>
                }
            }
        >
            <table class="list">
                <thead>
                    <tr>
                        <th scope="col">{move || tr("Customer", "Cliente")}</th>
                        <th scope="col">{move || tr("Status", "Estado")}</th>
                        <th scope="col">{move || tr("Created", "Alta")}</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || customers.get() key=|c| (c.id, c.version) let:customer>
                        {
                            let href = format!("/customers/{}", customer.id);
                            let name = display_name(&customer);
                            let created = crate::today::day(&customer.created_at);
                            view! {
                                <tr>
                                    <td>
                                        <Link href=href>{name}</Link>
                                        <span class="sub">{customer.contact.email.clone().unwrap_or_default()}</span>
                                    </td>
                                    <td><StatusBadge status=customer.status/></td>
                                    <td>{created}</td>
                                </tr>
                            }
                        }
                    </For>
                </tbody>
            </table>
        </Show>
        <Show when=move || next.with(Option::is_some)>
            <button type="button" class="more" disabled=move || loading.get() on:click=move |_| load(true)>
                {move || tr("Show more", "Mostrar más")}
            </button>
        </Show>
    }
}
