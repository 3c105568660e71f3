//! The built single-page app: static files, and `index.html` for every other page path so
//! that deep links and reloads work. A folder with its own `index.html` (the npm package's
//! example, `/examples/`) is served as that page.
//!
//! A release binary carries the app built into it (Trunk's `dist/`, embedded at compile
//! time), so the one file serves everything from any folder. A debug build reads the same
//! `dist/` from the checkout at run time. `--web-dir` serves another folder instead (while
//! working on the app).
//!
//! The release build of the app writes `name.br` and `name.gz` beside each file
//! (`web/precompress.mjs`, a Trunk hook, at the highest levels); they are sent to browsers
//! that accept them, so nothing is compressed per request. File names carry no content hash,
//! so browsers revalidate (`Cache-Control: no-cache`), cheaply: an unchanged file answers
//! `304`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::path::PathBuf;
use tower::Layer;
use tower::util::BoxCloneSyncService;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Trunk's output, embedded in release builds (read from the checkout in debug builds).
#[derive(rust_embed::RustEmbed)]
#[folder = "../dist"]
#[allow_missing = true]
struct BuiltApp;

/// Where the app's files come from.
#[derive(Debug, Clone)]
pub enum WebApp {
    /// The app built into this binary.
    Embedded,
    /// A folder on disk (`--web-dir`).
    Dir(PathBuf),
}

/// The app's files as a service the router falls back to.
pub type WebService = BoxCloneSyncService<Request, Response, Infallible>;

impl WebApp {
    /// The app built into `dir` (Trunk's `dist/`).
    pub fn new(dir: PathBuf) -> Self {
        Self::Dir(dir)
    }

    /// `--web-dir` when given, else the app built into the binary.
    pub fn from_flag(dir: Option<PathBuf>) -> Self {
        dir.map_or(Self::Embedded, Self::Dir)
    }

    /// Whether the app can be served: a folder is taken as given; an embedded app needs a
    /// build of it (`cargo xtask run` makes one before compiling the server).
    pub fn is_present(&self) -> bool {
        match self {
            Self::Embedded => BuiltApp::get("index.html").is_some(),
            Self::Dir(_) => true,
        }
    }

    /// Static files with `index.html` as the fallback.
    pub(super) fn service(&self) -> WebService {
        match self {
            Self::Embedded => BoxCloneSyncService::new(tower::service_fn(|request: Request| async move {
                Ok::<_, Infallible>(embedded(request.method(), request.uri().path(), request.headers()))
            })),
            Self::Dir(dir) => {
                let index = ServeFile::new(dir.join("index.html")).precompressed_br().precompressed_gzip();
                let files = SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, no_cache())
                    .layer(ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(index));
                BoxCloneSyncService::new(tower::ServiceExt::<Request>::map_response(files, IntoResponse::into_response))
            }
        }
    }
}

fn no_cache() -> HeaderValue {
    HeaderValue::from_static("no-cache")
}

/// One embedded file, or `index.html` for a path that names none.
fn embedded(method: &Method, path: &str, headers: &HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return (StatusCode::METHOD_NOT_ALLOWED, [(header::ALLOW, "GET, HEAD")]).into_response();
    }
    let path = path.trim_start_matches('/');
    // A folder with a page of its own (`/examples/`): its `index.html`; without the slash, a
    // redirect to it, so the page's relative links work.
    let folder_page = format!("{}index.html", if path.ends_with('/') { path.to_owned() } else { format!("{path}/") });
    if !path.is_empty() && BuiltApp::get(&folder_page).is_some() && !path.ends_with('/') {
        return axum::response::Redirect::permanent(&format!("/{path}/")).into_response();
    }
    let name = if !path.is_empty() && BuiltApp::get(path).is_some() {
        path
    } else if !path.is_empty() && BuiltApp::get(&folder_page).is_some() {
        folder_page.as_str()
    } else {
        "index.html"
    };
    let Some(original) = BuiltApp::get(name) else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "This kycard binary was built without its web app: build it with `cargo xtask run`, or pass --web-dir.",
        )
            .into_response();
    };
    let accepted = |coding: &str| accepts(headers, coding);
    let (file, encoding) = [("br", "br"), ("gz", "gzip")]
        .into_iter()
        .filter(|(_, coding)| accepted(coding))
        .find_map(|(suffix, coding)| BuiltApp::get(&format!("{name}.{suffix}")).map(|f| (f, Some(coding))))
        .unwrap_or((original.clone(), None));
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let mut response = if headers.get(header::IF_NONE_MATCH).is_some_and(|sent| sent.as_bytes() == etag.as_bytes()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if method == Method::HEAD {
        Body::empty().into_response()
    } else {
        Body::from(file.data.into_owned()).into_response()
    };
    let set = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(original.metadata.mimetype()) {
        set.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        set.insert(header::ETAG, value);
    }
    set.insert(header::CACHE_CONTROL, no_cache());
    set.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(coding) = encoding {
        set.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

/// Whether `Accept-Encoding` allows `coding` (listed without `q=0`).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| p.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()) == Some(0.0));
            name.eq_ignore_ascii_case(coding) && !refused
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).expect("header"));
        headers
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts(&with("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&with("gzip;q=0.5, BR"), "br"));
        assert!(!accepts(&with("gzip, br;q=0"), "br"));
        assert!(accepts(&with("gzip, br;q=0"), "gzip"));
        assert!(!accepts(&with("identity"), "gzip"));
        assert!(!accepts(&HeaderMap::new(), "br"));
    }
}
