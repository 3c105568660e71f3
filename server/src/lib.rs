//! kycard's server: the HTTP API of `shared/API.md` and the single-page app, on one port.
//!
//! The rules live in `kycard-core`; this crate holds state and speaks HTTP.

pub mod admin;
pub mod card_vault;
pub mod cards;
pub mod config;
pub mod document_files;
pub mod error;
pub mod events;
pub mod housekeeping;
pub mod http;
pub mod metrics;
pub mod onboarding;
pub mod reading;
pub mod renewals;
pub mod review;
pub mod sign_in;
pub mod store;
pub mod telemetry;
pub mod transfer;
pub mod typescript;
pub mod unit_of_work;
pub mod uploads;
pub mod watchlist;
pub mod webhooks;

use config::ServeArgs;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Everything `serve` can fail on.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The address is taken or not ours.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Requested address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The data folder cannot be made.
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        /// The folder.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The database failed to open or migrate.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The card key is unusable.
    #[error(transparent)]
    Vault(#[from] card_vault::VaultError),
    /// The demo set-up failed.
    #[error(transparent)]
    Admin(#[from] admin::AdminError),
    /// The watchlist cannot be read.
    #[error(transparent)]
    Watchlist(#[from] watchlist::WatchlistLoadError),
    /// The HTTPS client for webhooks cannot start (no usable TLS set-up).
    #[error("cannot start webhook deliveries: {0}")]
    Webhooks(reqwest::Error),
    /// `--documents-url` names no usable object store.
    #[error("{0}")]
    Documents(String),
    /// The server stopped with an I/O error.
    #[error("server error: {0}")]
    Serve(#[from] std::io::Error),
}

/// Orphan document files are this old at least before an instance on a shared database
/// removes them: far longer than an upload may take ([`http::REQUEST_TIMEOUT`]).
const ORPHANS_OF_OTHERS_AFTER: std::time::Duration = std::time::Duration::from_hours(1);

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
pub async fn serve(args: ServeArgs) -> Result<(), StartError> {
    let data_dir = &args.database.data_dir;
    private_dir(data_dir).map_err(|source| StartError::DataDir { path: data_dir.display().to_string(), source })?;
    let store = store::open(&args.database.url()).await?;
    let key_file = args.card_key_file.clone().unwrap_or_else(|| data_dir.join("card-number.key"));
    let vault = card_vault::CardVault::open(&key_file, true)?;
    if args.demo {
        admin::ensure_demo(&store).await?;
    }
    let listener = TcpListener::bind(args.addr).await.map_err(|source| StartError::Bind { addr: args.addr, source })?;
    let local = listener.local_addr()?;
    let files = match &args.documents_url {
        None => uploads::DocumentFiles::new(data_dir)
            .map_err(|source| StartError::DataDir { path: data_dir.display().to_string(), source })?,
        Some(url) => uploads::DocumentFiles::with_object_store(data_dir, url).map_err(StartError::Documents)?,
    };
    // Another instance's upload in flight looks like an orphan: on a shared database only
    // files older than any upload may be removed.
    let min_age = if store.shared() { ORPHANS_OF_OTHERS_AFTER } else { std::time::Duration::ZERO };
    match files.sweep_orphans(&store, min_age).await {
        Ok(0) | Err(_) => {}
        Ok(n) => tracing::warn!(files = n, "removed document files left by an interrupted upload"),
    }
    match store.refresh_search_terms().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(customers = n, "search terms computed again for this version"),
        Err(error) => tracing::error!(%error, "cannot compute the search terms again; search may miss customers"),
    }
    if let Ok(n @ 1..) = store.release_abandoned_idempotency().await {
        tracing::warn!(keys = n, "freed idempotency keys of requests interrupted by the last stop");
    }
    let watchlist = Arc::new(watchlist::Watchlist::open(args.watchlist.clone())?);
    if watchlist.is_sample() {
        tracing::warn!("screening against the built-in fictitious sample watchlist: set --watchlist to a real list");
    }
    let review_wake = Arc::new(tokio::sync::Notify::new());
    review::spawn_worker(store.clone(), files.clone(), watchlist, review_wake.clone());
    renewals::spawn(store.clone());
    housekeeping::spawn(store.clone());
    let vault = Arc::new(vault);
    webhooks::Dispatcher::new(store.clone(), vault.clone()).map_err(StartError::Webhooks)?.spawn();
    let limits = config::Limits {
        cards_per_customer: args.max_cards_per_customer,
        webhooks_per_organization: args.max_webhooks,
        streams_per_credential: args.max_streams_per_credential,
    };
    let state = http::AppState {
        sign_in: Arc::new(sign_in::SignInGuard::new(store.clone())),
        store,
        vault,
        files,
        review_wake,
        streams: Arc::default(),
        behind_proxy: args.behind_proxy,
        limits,
    };
    let web = http::WebApp::from_flag(args.web_dir);
    if !web.is_present() {
        tracing::warn!("this binary was built without the web app: build it with `cargo xtask run`, or pass --web-dir");
    }
    let app = http::router(state, &web);
    tracing::info!(%local, "kycard listening");
    println!("kycard is serving on http://{local}/ (API docs: http://{local}/api/docs/)");
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("kycard stopped");
    Ok(())
}

/// Creates a folder (and its parents) readable by this user alone: it holds personal data.
///
/// # Errors
///
/// When the folder cannot be created.
pub fn private_dir(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(path)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
