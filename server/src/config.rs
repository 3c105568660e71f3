//! Command-line flags; every flag also reads a `KYCARD_*` environment variable.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

/// kycard: onboarding customers into an individual card program.
#[derive(Debug, Parser)]
#[command(name = "kycard", version, about)]
pub struct Cli {
    /// Log format on standard error.
    #[arg(long, global = true, env = "KYCARD_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the single-page app.
    Serve(ServeArgs),
}

/// `kycard serve` flags.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KYCARD_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Folder of the built single-page app (Trunk's `dist/`).
    #[arg(long, env = "KYCARD_WEB_DIR", default_value = "dist")]
    pub web_dir: PathBuf,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}
