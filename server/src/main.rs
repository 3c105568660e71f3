//! `kycard`: the command line of `shared/API.md`. Thin on purpose: parse, then hand over.

use clap::Parser;
use kycard_server::admin;
use kycard_server::config::{Cli, Command};
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    kycard_server::telemetry::init(cli.log_format);
    let outcome = match cli.command {
        Command::Serve(serve) => kycard_server::serve(serve).await.map_err(|e| e.to_string()),
        Command::Migrate(database) => admin::migrate(&database).await.map_err(|e| e.to_string()),
        Command::Backup { to, database } => admin::backup(&database, &to).await.map_err(|e| e.to_string()),
        Command::Export { to, database, documents_url } => {
            admin::export(&database, &to, documents_url.as_deref()).await.map_err(|e| e.to_string())
        }
        Command::Import { from, database, documents_url } => {
            admin::import(&database, &from, documents_url.as_deref()).await.map_err(|e| e.to_string())
        }
        Command::Schemas { out, typescript } => {
            kycard_server::http::schemas::write(out.as_deref(), typescript.as_deref()).map(|said| println!("{said}"))
        }
        Command::Org(command) => admin::org(command).await.map_err(|e| e.to_string()),
        Command::Key(command) => admin::key(command).await.map_err(|e| e.to_string()),
        Command::User(command) => admin::user(command).await.map_err(|e| e.to_string()),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kycard: {error}");
            ExitCode::FAILURE
        }
    }
}
