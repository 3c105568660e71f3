//! kycard's single-page app: onboarding forms checked by `kycard-core` as people type,
//! document uploads, live status, cards, and the reviewer's queue.

// A component's `view!` tree is its markup: splitting screens by line count would scatter one
// form over many functions. Leptos components take their props by value.
#![allow(clippy::too_many_lines, clippy::needless_pass_by_value)]

mod api;
mod components;
mod events;
mod i18n;
mod pages;
mod router;
mod session;
mod task;
mod today;

use kycard_core::wire::{Role, SessionInfo};
use leptos::prelude::*;
use pages::customer::CustomerPage;
use pages::customer_form::NewCustomerPage;
use pages::customers::CustomersPage;
use pages::reviews::{ReviewPage, ReviewsPage};
use pages::sign_in::{SignInPage, sign_out};
use router::{Link, Route, follow_history, navigate, route};
use session::{Session, session};

fn main() {
    // A bug shows in the console with its message and place (the release build aborts on
    // panic, which alone would only say "unreachable").
    std::panic::set_hook(Box::new(|info| web_sys::console::error_1(&info.to_string().into())));
    leptos::mount::mount_to_body(App);
}

/// The application shell: header with navigation, and the current screen.
#[component]
fn App() -> impl IntoView {
    follow_history();
    i18n::provide_language();
    let session = Session { user: RwSignal::new(None), checked: RwSignal::new(false) };
    provide_context(session);
    api::on_signed_out(move || session.user.set(None));
    leptos::task::spawn_local(async move {
        // Without the CSRF cookie there is no session: skip a request that could only fail.
        if api::has_session_cookie()
            && let Ok(info) = api::get::<SessionInfo>("/session").await
        {
            session.user.set(Some(info.user));
        }
        session.checked.set(true);
    });
    // Signed-out people see the sign-in page whatever the URL; signed-in people never do.
    Effect::new(move |_| {
        if !session.checked.get() {
            return;
        }
        let signed_in = session.user.with(Option::is_some);
        let on_sign_in = route().get() == Route::SignIn;
        if signed_in && on_sign_in {
            navigate("/customers");
        } else if !signed_in && !on_sign_in {
            navigate("/sign-in");
        }
    });

    view! {
        <a class="skip" href="#main">{move || i18n::tr("Skip to content", "Saltar al contenido")}</a>
        <header class="app-header">
            <span class="brand">"kycard"</span>
            <Show when=move || session.user.with(Option::is_some)>
                <Nav/>
            </Show>
            <i18n::LanguageSwitch/>
        </header>
        <main id="main">
            <Show when=move || session.checked.get() fallback=|| view! { <p class="empty">{move || i18n::tr("Loading…", "Cargando…")}</p> }>
                {move || match route().get() {
                    Route::SignIn => view! { <SignInPage/> }.into_any(),
                    _ if session.user.with(Option::is_none) => ().into_any(),
                    Route::Customers => view! { <CustomersPage/> }.into_any(),
                    Route::NewCustomer => view! { <NewCustomerPage/> }.into_any(),
                    Route::Customer(id) => view! { <CustomerPage id=id/> }.into_any(),
                    Route::Reviews => view! { <ReviewsPage/> }.into_any(),
                    Route::Review(id) => view! { <ReviewPage id=id/> }.into_any(),
                    Route::NotFound => view! {
                        <h1>{move || i18n::tr("Page not found", "Página no encontrada")}</h1>
                        <p><Link href="/customers">{move || i18n::tr("Back to the customers", "Volver a los clientes")}</Link></p>
                    }.into_any(),
                }}
            </Show>
        </main>
    }
}

/// Links for the signed-in user's role, and sign-out.
#[component]
fn Nav() -> impl IntoView {
    let session = session();
    let email = move || session.user.with(|u| u.as_ref().map(|u| u.email.clone()).unwrap_or_default());
    let role = move || session.user.with(|u| u.as_ref().map(|u| u.role.label_in(i18n::tracked())).unwrap_or_default());
    view! {
        <nav aria-label=move || i18n::tr("Main", "Principal")>
            <Link href="/customers">{move || i18n::tr("Customers", "Clientes")}</Link>
            <Show when=move || session.can(Role::Operator)>
                <Link href="/customers/new">{move || i18n::tr("New customer", "Nuevo cliente")}</Link>
            </Show>
            <Show when=move || session.can(Role::Reviewer)>
                <Link href="/reviews">{move || i18n::tr("Review queue", "Cola de revisión")}</Link>
            </Show>
        </nav>
        <span class="who">{email}" · "{role}</span>
        <button type="button" class="link" on:click=move |_| sign_out(session)>
            {move || i18n::tr("Sign out", "Cerrar sesión")}
        </button>
    }
}
