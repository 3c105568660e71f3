//! kycard's single-page app: onboarding forms checked by `kycard-core` as people type.

mod components;
mod pages;
mod today;

use leptos::prelude::*;
use pages::new_customer::NewCustomerPage;

fn main() {
    leptos::mount::mount_to_body(App);
}

/// The application shell: header and the current page.
#[component]
fn App() -> impl IntoView {
    view! {
        <header class="app-header">
            <span class="brand">"kycard"</span>
            <span class="tagline">"Individual card onboarding"</span>
        </header>
        <main id="main">
            <NewCustomerPage/>
        </main>
    }
}
