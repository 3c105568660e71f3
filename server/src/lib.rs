//! kycard's server: the HTTP API of `shared/API.md` and the single-page app, on one port.
//!
//! The rules live in `kycard-core`; this crate holds state and speaks HTTP.

pub mod config;
pub mod error;
pub mod http;
pub mod telemetry;

use config::ServeArgs;
use tokio::net::TcpListener;

/// Everything `serve` can fail on at start.
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
    /// The server stopped with an I/O error.
    #[error("server error: {0}")]
    Serve(#[from] std::io::Error),
}

/// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
pub async fn serve(args: ServeArgs) -> Result<(), StartError> {
    let listener = TcpListener::bind(args.addr)
        .await
        .map_err(|source| StartError::Bind {
            addr: args.addr,
            source,
        })?;
    let local = listener.local_addr()?;
    let app = http::router(&http::WebApp::new(args.web_dir));
    tracing::info!(%local, "kycard listening");
    println!("kycard is serving on http://{local}/");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("kycard stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
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
