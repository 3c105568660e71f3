//! Uploading one required document: file picker, phone camera, drag and drop; type, size and
//! picture quality checked in the browser with core's rules before anything is sent; a preview, a real
//! progress bar, and a retry that cannot store the file twice.

use crate::api::{self, ApiError};
use crate::i18n::tr;
use crate::task::{Latest, Tasks};
use crate::today::today;
use kycard_core::documents::{
    ContentType, DocumentKind, MAX_DOCUMENT_BYTES, proof_of_address_current, sniff_content_type,
};
use kycard_core::i18n::Locale;
use kycard_core::message::Message;
use kycard_core::person::parse_wire_date;
use kycard_core::quality::{Pixels, first_problem, measure, working_gray};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// File types accepted, for the pickers.
const ACCEPT: &str = "image/jpeg,image/png,image/webp,application/pdf";

/// Where an upload stands.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Idle,
    Sending(f64),
    Failed(String),
    Done,
}

/// What core says, in the interface's language.
fn said(message: &Message) -> String {
    message.text(crate::i18n::tracked())
}

/// A file chosen and pre-checked, with its preview URL.
#[derive(Clone)]
struct Chosen {
    file: web_sys::File,
    preview: Option<String>,
    key: String,
}

async fn head_of(file: &web_sys::File) -> Vec<u8> {
    let Ok(blob) = file.slice_with_i32_and_i32(0, 64) else { return Vec::new() };
    match wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await {
        Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
        Err(_) => Vec::new(),
    }
}

/// Core's checks on a file, before sending it: the same size limit, content sniffing and, for
/// a picture, the same quality rules the server applies.
async fn precheck(file: &web_sys::File, kind: DocumentKind) -> Result<ContentType, String> {
    #[allow(clippy::cast_precision_loss)]
    if file.size() > MAX_DOCUMENT_BYTES as f64 {
        return Err(said(&Message::FileTooLarge { max_mib: MAX_DOCUMENT_BYTES / 1024 / 1024 }));
    }
    if file.size() == 0.0 {
        return Err(said(&Message::FileEmpty));
    }
    let content_type = sniff_content_type(&head_of(file).await).ok_or_else(|| said(&Message::FileNotADocument))?;
    if content_type != ContentType::Pdf {
        picture_quality(file, kind).await?;
    }
    Ok(content_type)
}

/// The picture's pixels as the browser decodes it (upright, as its EXIF orientation says),
/// measured by core exactly as the server will: a blurred, dark or tiny photo is retaken
/// before it is sent, not rejected after.
async fn picture_quality(file: &web_sys::File, kind: DocumentKind) -> Result<(), String> {
    let unreadable = || said(&Message::PictureUnreadable);
    let rgba = canvas_pixels(file).await.ok_or_else(unreadable)?;
    let (width, height, data) = rgba;
    let gray = working_gray(Pixels { width, height, channels: 4, data: &data }).map_err(|_| unreadable())?;
    match first_problem(kind, &measure(&gray)) {
        Some(problem) => Err(problem.message_in(crate::i18n::current()).to_owned()),
        None => Ok(()),
    }
}

/// Width, height and RGBA bytes of a picture file, drawn on a canvas at its full size.
async fn canvas_pixels(file: &web_sys::File) -> Option<(u32, u32, Vec<u8>)> {
    let window = web_sys::window()?;
    let promise = window.create_image_bitmap_with_blob(file).ok()?;
    let bitmap: web_sys::ImageBitmap = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?.dyn_into().ok()?;
    let (width, height) = (bitmap.width(), bitmap.height());
    let canvas: web_sys::HtmlCanvasElement = window.document()?.create_element("canvas").ok()?.dyn_into().ok()?;
    canvas.set_width(width);
    canvas.set_height(height);
    let context: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let drawn = context.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0);
    bitmap.close();
    drawn.ok()?;
    let data = context.get_image_data(0.0, 0.0, f64::from(width), f64::from(height)).ok()?.data();
    Some((width, height, data.0))
}

/// The upload control of one requirement. `on_uploaded` runs after the server stored it.
#[component]
pub fn DocumentUpload(
    /// The customer.
    customer_id: String,
    /// Which document.
    kind: DocumentKind,
    /// Called once the document is stored.
    on_uploaded: Callback<()>,
    /// Set by the control while it holds work: a chosen file not yet stored, or a failure to
    /// show. The page keeps it open meanwhile, even when a live update says a document of
    /// this kind arrived (after a lost answer, "Try again" must stay in reach).
    engaged: RwSignal<bool>,
) -> impl IntoView {
    let stage = RwSignal::new(Stage::Idle);
    let chosen = RwSignal::new_local(None::<Chosen>);
    let tasks = Tasks::here();
    Effect::new(move |_| {
        let holds_work = stage.with(|s| match s {
            Stage::Done => false,
            Stage::Failed(_) | Stage::Sending(_) => true,
            Stage::Idle => chosen.with(Option::is_some),
        });
        engaged.set(holds_work);
    });
    let issued_on = RwSignal::new(String::new());
    let dragging = RwSignal::new(false);
    let id = format!("upload-{}", kind.as_str());
    let needs_date = kind == DocumentKind::ProofOfAddress;
    let date_error = move || {
        if !needs_date {
            return None;
        }
        let raw = issued_on.get();
        if raw.is_empty() {
            return Some(said(&Message::IssueDateRequired));
        }
        match parse_wire_date("issued_on", &raw) {
            Err(error) => Some(said(&error.message)),
            Ok(date) => proof_of_address_current(date, today()).err().map(|e| said(&Message::ProofOfAddress(e))),
        }
    };
    on_cleanup(move || {
        if let Some(url) = chosen.get_untracked().and_then(|c| c.preview) {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });

    let send = move || {
        let Some(current) = chosen.get_untracked() else { return };
        if date_error().is_some() {
            return;
        }
        let Ok(form) = web_sys::FormData::new() else { return };
        let _ = form.append_with_str("kind", kind.as_str());
        if needs_date {
            let _ = form.append_with_str("issued_on", &issued_on.get_untracked());
        }
        let _ = form.append_with_blob_and_filename("file", &current.file, &current.file.name());
        stage.set(Stage::Sending(0.0));
        let customer_id = customer_id.clone();
        tasks.spawn(async move {
            let progress = move |fraction: f64| stage.set(Stage::Sending(fraction));
            let result: Result<_, ApiError> = api::upload_document(&customer_id, &form, &current.key, progress).await;
            match result {
                Ok(_) => {
                    stage.set(Stage::Done);
                    on_uploaded.run(());
                }
                Err(error) => stage.set(Stage::Failed(error.message)),
            }
        });
    };
    let sending = move || matches!(stage.get(), Stage::Sending(_));
    // Pre-checks can finish out of order: only the last choice's counts.
    let latest = Latest::default();
    let choose = move |file: web_sys::File| {
        // The file being sent stays until its answer: a new choice meanwhile is not taken.
        if matches!(stage.get_untracked(), Stage::Sending(_)) {
            return;
        }
        let ticket = latest.start();
        tasks.spawn(async move {
            let outcome = precheck(&file, kind).await;
            if !latest.is_latest(ticket) {
                return;
            }
            // The new choice replaces the old one even when it is refused: "Upload" must never
            // send a file other than the one last chosen.
            if let Some(old) = chosen.get_untracked().and_then(|c| c.preview) {
                let _ = web_sys::Url::revoke_object_url(&old);
            }
            match outcome {
                Err(message) => {
                    chosen.set(None);
                    stage.set(Stage::Failed(message));
                }
                Ok(content_type) => {
                    let preview = (content_type != ContentType::Pdf)
                        .then(|| web_sys::Url::create_object_url_with_blob(&file).ok())
                        .flatten();
                    // One key per chosen file: a retry of it can never store it twice.
                    chosen.set(Some(Chosen { file, preview, key: api::new_idempotency_key() }));
                    stage.set(Stage::Idle);
                }
            }
        });
    };
    let from_input = move |ev: web_sys::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        if let Some(file) = input.as_ref().and_then(web_sys::HtmlInputElement::files).and_then(|f| f.get(0)) {
            choose(file);
        }
        if let Some(input) = input {
            input.set_value("");
        }
    };

    view! {
        <div
            class="upload"
            class:dragging=move || dragging.get()
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(false);
                if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
                    choose(file);
                }
            }
        >
            <p class="drop-hint">{move || tr("Drop a file here, or", "Suelta un archivo aquí, o")}</p>
            <div class="pickers">
                <label class="button" class:disabled=sending for=format!("{id}-file")>{move || tr("Choose a file", "Elige un archivo")}</label>
                <input
                    class="visually-hidden"
                    type="file"
                    id=format!("{id}-file")
                    accept=ACCEPT
                    disabled=sending
                    on:change=from_input
                />
                <label class="button" class:disabled=sending for=format!("{id}-camera")>{move || tr("Take a photo", "Haz una foto")}</label>
                <input
                    class="visually-hidden"
                    type="file"
                    disabled=sending
                    id=format!("{id}-camera")
                    accept="image/*"
                    capture="environment"
                    on:change=from_input
                />
            </div>
            <p class="hint">
                {move || {
                    let max = MAX_DOCUMENT_BYTES / 1024 / 1024;
                    match crate::i18n::tracked() {
                        Locale::English => format!("JPEG, PNG, WebP or PDF, up to {max} MiB. It must be legible and current."),
                        Locale::Spanish => format!("JPEG, PNG, WebP o PDF, hasta {max} MiB. Debe ser legible y vigente."),
                    }
                }}
            </p>
            {needs_date.then(|| {
                let date_id = format!("{id}-issued-on");
                view! {
                    <div class="field" class:invalid=move || chosen.with(Option::is_some) && date_error().is_some()>
                        <label for=date_id.clone()>{move || tr("Issue date printed on the document", "Fecha de emisión impresa en el documento")}</label>
                        <input
                            type="date"
                            id=date_id.clone()
                            prop:value=move || issued_on.get()
                            aria-invalid=move || if chosen.with(Option::is_some) && date_error().is_some() { "true" } else { "false" }
                            aria-describedby=format!("{date_id}-error")
                            on:input=move |ev| issued_on.set(event_target_value(&ev))
                        />
                        <p class="error" id=format!("{date_id}-error") role="alert">
                            {move || date_error().filter(|_| chosen.with(Option::is_some))}
                        </p>
                    </div>
                }
            })}
            {move || chosen.get().map(|c| {
                let name = c.file.name();
                view! {
                    <div class="chosen">
                        {c.preview.map(|url| view! { <img class="preview" src=url alt=format!("{} {name}", tr("Preview of", "Vista previa de"))/> })}
                        <span class="file-name">{c.file.name()}</span>
                    </div>
                }
            })}
            {move || match stage.get() {
                Stage::Sending(fraction) => {
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    let percent = (fraction.clamp(0.0, 1.0) * 100.0).round() as u32;
                    view! {
                        <div class="progress">
                            <progress max="100" value=percent aria-label=format!("{} {}", tr("Uploading", "Subiendo"), kind.label_in(crate::i18n::tracked()))></progress>
                            <span>{format!("{percent}%")}</span>
                        </div>
                    }
                    .into_any()
                }
                Stage::Failed(message) => view! { <p class="upload-error" role="alert">{message}</p> }.into_any(),
                Stage::Done => view! { <p class="done" role="status">{move || tr("Uploaded.", "Subido.")}</p> }.into_any(),
                Stage::Idle => ().into_any(),
            }}
            <button
                type="button"
                class="primary"
                disabled=move || chosen.with(Option::is_none) || matches!(stage.get(), Stage::Sending(_) | Stage::Done)
                on:click=move |_| send()
            >
                // After a failed send of the chosen file, the same button sends it again.
                {move || {
                    let what = kind.label_in(crate::i18n::tracked());
                    if matches!(stage.get(), Stage::Failed(_)) && chosen.with(Option::is_some) {
                        format!("{} {what}", tr("Try again: upload", "Reintentar: subir"))
                    } else {
                        format!("{} {what}", tr("Upload", "Subir"))
                    }
                }}
            </button>
        </div>
    }
}
