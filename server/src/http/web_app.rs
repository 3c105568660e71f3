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
    ///
    /// The release build writes `name.br` and `name.gz` beside each file (`web/precompress.mjs`,
    /// a Trunk hook, at the highest levels); they are sent to browsers that accept them, so
    /// nothing is compressed per request. A file without them is compressed on the fly.
    pub(super) fn service(&self) -> SetResponseHeader<ServeDir<ServeFile>, HeaderValue> {
        let index = ServeFile::new(self.dir.join("index.html")).precompressed_br().precompressed_gzip();
        SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))
            .layer(ServeDir::new(&self.dir).precompressed_br().precompressed_gzip().fallback(index))
    }
}
