//! A small router on the History API: the app has six screens, and each has a real URL that
//! survives a reload (the server answers every non-API path with `index.html`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Every screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/sign-in`.
    SignIn,
    /// `/` and `/customers`.
    Customers,
    /// `/customers/new`.
    NewCustomer,
    /// `/customers/{id}`.
    Customer(String),
    /// `/reviews`.
    Reviews,
    /// `/reviews/{id}`.
    Review(String),
    /// Anything else.
    NotFound,
}

impl Route {
    /// The screen for a location path.
    pub fn parse(path: &str) -> Self {
        let parts: Vec<&str> = path.trim_matches('/').split('/').filter(|p| !p.is_empty()).collect();
        match parts.as_slice() {
            [] | ["customers"] => Self::Customers,
            ["sign-in"] => Self::SignIn,
            ["customers", "new"] => Self::NewCustomer,
            ["customers", id] => Self::Customer((*id).to_owned()),
            ["reviews"] => Self::Reviews,
            ["reviews", id] => Self::Review((*id).to_owned()),
            _ => Self::NotFound,
        }
    }
}

thread_local! {
    /// The current route. A thread-local rather than context, so code running outside the
    /// component tree (a request finishing in a spawned task) can navigate too.
    static ROUTE: std::cell::OnceCell<RwSignal<Route>> = const { std::cell::OnceCell::new() };
}

fn route_signal() -> RwSignal<Route> {
    ROUTE.with(|cell| *cell.get_or_init(|| RwSignal::new(Route::parse(&location_path()))))
}

fn location_path() -> String {
    web_sys::window().and_then(|w| w.location().pathname().ok()).unwrap_or_else(|| "/".to_owned())
}

/// Starts following the browser's back and forward buttons.
pub fn follow_history() {
    let route = route_signal();
    let on_pop = Closure::<dyn FnMut()>::new(move || route.set(Route::parse(&location_path())));
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("popstate", on_pop.as_ref().unchecked_ref());
    }
    // The listener lives as long as the page.
    on_pop.forget();
}

/// The current screen.
pub fn route() -> Signal<Route> {
    route_signal().into()
}

/// Goes to `path`, adding a history entry, and moves focus to the new screen's heading.
pub fn navigate(path: &str) {
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.push_state_with_url(&JsValue::NULL, "", Some(path));
    }
    route_signal().set(Route::parse(path));
    focus_heading();
}

/// Moves keyboard and screen-reader focus to the page's `h1` once it is drawn.
pub fn focus_heading() {
    request_animation_frame(|| {
        if let Some(h1) = document().query_selector("main h1").ok().flatten()
            && let Ok(h1) = h1.dyn_into::<web_sys::HtmlElement>()
        {
            let _ = h1.set_attribute("tabindex", "-1");
            let _ = h1.focus();
        }
    });
}

/// A link that changes screen without reloading the app (a modified click still opens a tab).
/// A link to the screen being shown says so (`aria-current="page"`).
#[component]
pub fn Link(
    /// Target path.
    #[prop(into)]
    href: String,
    /// Extra class names.
    #[prop(optional)]
    class: &'static str,
    /// The link's content.
    children: Children,
) -> impl IntoView {
    let target = href.clone();
    let screen = Route::parse(&href);
    let current = move || route_signal().with(|now| *now == screen).then_some("page");
    view! {
        <a
            href=href
            class=class
            aria-current=current
            on:click=move |ev: web_sys::MouseEvent| {
                if ev.button() == 0 && !ev.ctrl_key() && !ev.meta_key() && !ev.shift_key() && !ev.alt_key() {
                    ev.prevent_default();
                    navigate(&target);
                }
            }
        >
            {children()}
        </a>
    }
}
