//! Sign in with email and password (a session cookie), and sign out.

use crate::api::{self, ApiError};
use crate::i18n::tr;
use crate::router::navigate;
use crate::session::session;
use crate::task::Tasks;
use kycard_core::wire::{Role, SessionInfo, SignInRequest};
use leptos::prelude::*;

/// The sign-in page.
#[component]
pub fn SignInPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let session = session();
    let tasks = Tasks::here();
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        failure.set(None);
        let body = SignInRequest { email: email.get_untracked().trim().to_owned(), password: password.get_untracked() };
        tasks.spawn(async move {
            let result: Result<SessionInfo, ApiError> = api::send_json("POST", "/session", &body, None, None).await;
            busy.set(false);
            match result {
                Ok(info) => {
                    let home = if info.user.role == Role::Reviewer { "/reviews" } else { "/customers" };
                    session.user.set(Some(info.user));
                    password.set(String::new());
                    navigate(home);
                }
                Err(error) => failure.set(Some(error.message)),
            }
        });
    };
    view! {
        <h1>{move || tr("Sign in", "Iniciar sesión")}</h1>
        <form class="card narrow" on:submit=submit>
            <div class="field">
                <label for="sign-in-email">{move || tr("Email", "Correo electrónico")}</label>
                <input
                    id="sign-in-email"
                    type="email"
                    autocomplete="username"
                    required
                    prop:value=move || email.get()
                    on:input=move |ev| email.set(event_target_value(&ev))
                />
            </div>
            <div class="field">
                <label for="sign-in-password">{move || tr("Password", "Contraseña")}</label>
                <input
                    id="sign-in-password"
                    type="password"
                    autocomplete="current-password"
                    required
                    prop:value=move || password.get()
                    on:input=move |ev| password.set(event_target_value(&ev))
                />
            </div>
            <p class="form-error" role="alert">{move || failure.get()}</p>
            <div class="actions">
                <button type="submit" class="primary" disabled=move || busy.get()>
                    {move || if busy.get() { tr("Signing in…", "Entrando…") } else { tr("Sign in", "Iniciar sesión") }}
                </button>
            </div>
        </form>
    }
}

/// Ends the session here and on the server, and forgets any unsent draft.
pub fn sign_out(session: crate::session::Session) {
    leptos::task::spawn_local(async move {
        let _ = api::delete("/session").await;
        crate::pages::customer_form::clear_draft();
        session.user.set(None);
        navigate("/sign-in");
    });
}
