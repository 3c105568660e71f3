//! The HTTP API, as the browser calls it: same-origin requests carrying the session cookie,
//! the CSRF token on every unsafe request, and API errors decoded into one type.

use gloo_net::http::{Request, RequestBuilder};
use kycard_core::wire::{Document, ErrorDetails, ErrorResponse, FieldErrorBody};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Where the API lives.
const BASE: &str = "/api/v1";
/// The readable cookie holding the CSRF token.
const CSRF_COOKIE: &str = "kycard_csrf";

/// An error from the API (or from reaching it), ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status; 0 when the server could not be reached.
    pub status: u16,
    /// The API's error code, e.g. `customer_not_active`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Field errors of a `422`.
    pub fields: Vec<FieldErrorBody>,
    /// Details of a refusal (`blocked_by`).
    pub details: Option<ErrorDetails>,
}

impl ApiError {
    fn local(code: &str, message: &str) -> Self {
        Self { status: 0, code: code.to_owned(), message: message.to_owned(), fields: Vec::new(), details: None }
    }

    fn network() -> Self {
        Self::local(
            "network",
            crate::i18n::tr(
                "The server cannot be reached. Check the connection and try again.",
                "No se puede contactar con el servidor. Comprueba la conexión y vuelve a intentarlo.",
            ),
        )
    }
}

thread_local! {
    /// What to do when the server says the session is over (set by the app shell).
    static ON_SIGNED_OUT: std::cell::RefCell<Option<Box<dyn Fn()>>> = const { std::cell::RefCell::new(None) };
}

/// Registers what happens when any request answers `401` (the session expired or was ended
/// elsewhere): the app shows the sign-in page instead of failing screen by screen.
pub fn on_signed_out(handler: impl Fn() + 'static) {
    ON_SIGNED_OUT.with(|slot| *slot.borrow_mut() = Some(Box::new(handler)));
}

fn signed_out() {
    ON_SIGNED_OUT.with(|slot| {
        if let Some(handler) = slot.borrow().as_ref() {
            handler();
        }
    });
}

/// The CSRF token the server set at sign-in.
fn csrf_token() -> Option<String> {
    let document = web_sys::window()?.document()?.dyn_into::<web_sys::HtmlDocument>().ok()?;
    let cookies = document.cookie().ok()?;
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == CSRF_COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Whether the browser holds a session (the readable CSRF cookie comes with it).
pub fn has_session_cookie() -> bool {
    csrf_token().is_some()
}

/// A fresh random key for `Idempotency-Key`.
pub fn new_idempotency_key() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map_or_else(|| format!("k{}", js_sys::Math::random().to_bits()), |c| c.random_uuid())
}

impl ApiError {
    fn unexpected() -> Self {
        Self::local(
            "unexpected",
            crate::i18n::tr("The server answered something unexpected.", "El servidor respondió algo inesperado."),
        )
    }

    /// The error a non-2xx answer carries (the API's one error shape), or a generic one.
    fn from_answer(status: u16, text: &str) -> Self {
        if status == 401 {
            signed_out();
        }
        match serde_json::from_str::<ErrorResponse>(text) {
            Ok(body) => Self {
                status,
                code: body.error.code,
                message: body.error.message,
                fields: body.error.fields.unwrap_or_default(),
                details: body.error.details,
            },
            Err(_) => Self { status, ..Self::unexpected() },
        }
    }
}

/// Parses a successful answer. The only generic step: everything async is shared by every
/// resource type, which keeps one copy of the request code in the wasm instead of one per type.
fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(|_| ApiError::unexpected())
}

/// Sends a request and reads the answer's body: `Ok` for a 2xx, the decoded error otherwise.
async fn exchange(request: Result<Request, gloo_net::Error>) -> Result<String, ApiError> {
    let request = request.map_err(|_| {
        ApiError::local(
            "bad_request",
            crate::i18n::tr("The request could not be built.", "No se pudo preparar la petición."),
        )
    })?;
    let response = request.send().await.map_err(|_| ApiError::network())?;
    let text = response.text().await.map_err(|_| ApiError::network())?;
    if response.ok() { Ok(text) } else { Err(ApiError::from_answer(response.status(), &text)) }
}

/// A request that asks for answers (errors) in the interface's language.
fn localized(builder: RequestBuilder) -> RequestBuilder {
    builder.header("Accept-Language", crate::i18n::current().as_str())
}

/// An unsafe (state-changing) request: the CSRF token, and the idempotency key if any.
fn unsafe_request(builder: RequestBuilder, idempotency_key: Option<&str>) -> RequestBuilder {
    let builder = match csrf_token() {
        Some(token) => builder.header("X-CSRF-Token", &token),
        None => builder,
    };
    match idempotency_key {
        Some(key) => builder.header("Idempotency-Key", key),
        None => builder,
    }
}

/// `GET` a JSON resource.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    parse(&exchange(localized(Request::get(&format!("{BASE}{path}"))).build()).await?)
}

/// `POST` (or `PATCH` with `method = "PATCH"`) a JSON body and read the JSON answer.
pub async fn send_json<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: &impl Serialize,
    idempotency_key: Option<&str>,
    if_match: Option<i64>,
) -> Result<T, ApiError> {
    let body = serde_json::to_string(body).map_err(|_| {
        ApiError::local(
            "bad_request",
            crate::i18n::tr("The request could not be built.", "No se pudo preparar la petición."),
        )
    })?;
    parse(&send_body(method, path, Some(body), idempotency_key, if_match).await?)
}

/// `POST` with no body (card actions) and read the JSON answer.
pub async fn post_empty<T: DeserializeOwned>(path: &str, idempotency_key: Option<&str>) -> Result<T, ApiError> {
    parse(&send_body("POST", path, None, idempotency_key, None).await?)
}

/// `DELETE` a resource.
pub async fn delete(path: &str) -> Result<(), ApiError> {
    send_body("DELETE", path, None, None, None).await.map(|_| ())
}

/// An unsafe request with an optional JSON body; the answer's body.
async fn send_body(
    method: &str,
    path: &str,
    json: Option<String>,
    idempotency_key: Option<&str>,
    if_match: Option<i64>,
) -> Result<String, ApiError> {
    let url = format!("{BASE}{path}");
    let builder = match method {
        "PATCH" => Request::patch(&url),
        "DELETE" => Request::delete(&url),
        _ => Request::post(&url),
    };
    let builder = match if_match {
        Some(version) => builder.header("If-Match", &format!("\"{version}\"")),
        None => builder,
    };
    let builder = unsafe_request(localized(builder), idempotency_key);
    exchange(match json {
        Some(json) => builder.header("Content-Type", "application/json").body(json),
        None => builder.build(),
    })
    .await
}

/// Detaches the progress handler from an upload when dropped: at its end, or when the screen
/// that started it is left mid-way (its task is then dropped, and the browser, which goes on
/// sending, must not call the handler's freed closure).
struct StopListening(web_sys::XmlHttpRequestUpload);

impl Drop for StopListening {
    fn drop(&mut self) {
        self.0.set_onprogress(None);
    }
}

/// Uploads a document with `XMLHttpRequest` (fetch cannot report upload progress), calling
/// `on_progress` with the fraction sent so far.
pub async fn upload_document(
    customer_id: &str,
    form: &web_sys::FormData,
    idempotency_key: &str,
    on_progress: impl Fn(f64) + 'static,
) -> Result<Document, ApiError> {
    let xhr = web_sys::XmlHttpRequest::new().map_err(|_| ApiError::network())?;
    xhr.open("POST", &format!("{BASE}/customers/{customer_id}/documents")).map_err(|_| ApiError::network())?;
    if let Some(token) = csrf_token() {
        let _ = xhr.set_request_header("X-CSRF-Token", &token);
    }
    let _ = xhr.set_request_header("Idempotency-Key", idempotency_key);
    let _ = xhr.set_request_header("Accept-Language", crate::i18n::current().as_str());
    let progress = Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |event: web_sys::ProgressEvent| {
        if event.length_computable() && event.total() > 0.0 {
            on_progress(event.loaded() / event.total());
        }
    });
    let listening = xhr.upload().ok().map(|upload| {
        upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        StopListening(upload)
    });
    let done = js_sys::Promise::new(&mut |resolve, _reject| {
        xhr.set_onloadend(Some(&resolve));
    });
    xhr.send_with_opt_form_data(Some(form)).map_err(|_| ApiError::network())?;
    let _ = wasm_bindgen_futures::JsFuture::from(done).await;
    drop(listening);
    let status = xhr.status().unwrap_or(0);
    let text = xhr.response_text().ok().flatten().unwrap_or_default();
    if status == 0 {
        return Err(ApiError::network());
    }
    if (200..300).contains(&status) { parse(&text) } else { Err(ApiError::from_answer(status, &text)) }
}
