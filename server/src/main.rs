//! `kycard`: the command line of `shared/API.md`. Thin on purpose: parse, then hand over.

use clap::Parser;
use kycard_server::config::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    kycard_server::telemetry::init(cli.log_format);
    let outcome = match cli.command {
        Command::Serve(serve) => kycard_server::serve(serve).await,
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kycard: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}
