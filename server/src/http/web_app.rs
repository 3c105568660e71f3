//! The built single-page app: static files, and `index.html` for every other page path so
//! that deep links and reloads work.

use axum::http::{HeaderValue, header};
use std::path::PathBuf;
use tower::Layer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};

/// Where the built app lives.
#[derive(Debug, Clone)]
pub struct WebApp {
    dir: PathBuf,
}

impl WebApp {
    /// The app built into `dir` (Trunk's `dist/`).
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }

    /// Static files with `index.html` as the fallback. File names carry no content hash, so
    /// browsers must revalidate (cheap: `ServeDir` answers `304` from `Last-Modified`).
    pub(super) fn service(&self) -> SetResponseHeader<ServeDir<ServeFile>, HeaderValue> {
        let index = ServeFile::new(self.dir.join("index.html"));
        SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))
            .layer(ServeDir::new(&self.dir).fallback(index))
    }
}
