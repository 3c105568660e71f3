//! The project's two commands and their helpers:
//!
//! * `cargo xtask run` — install what is missing, build the web app and start the server.
//! * `cargo xtask test` — install what is missing, then every check and test suite.
//! * `cargo xtask setup` — only the installs; `cargo xtask bench` — the benchmarks;
//!   `cargo xtask package` — the npm package `@kycard/core`.
//!
//! Every install is skipped when the right version is already present, so the second run of
//! either command starts building at once.

mod package;
mod postgres;
mod setup;
mod steps;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = steps::workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::all(&root),
        Some("run") => steps::run(&root, &args[1..]),
        Some("test") => steps::test(&root),
        Some("bench") => steps::bench(&root),
        Some("package") => setup::ensure(&root, setup::Need::Run).and_then(|()| package::build(&root)).map(|_| ()),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  run [-- serve flags]  build the web app and start kycard\n  test                  \
                 run every check and test suite\n  package               build the npm package @kycard/core (target/npm)\n  setup                 install the tools the project needs\n  bench                 \
                 run the benchmarks and print their numbers"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nxtask: {error}");
            ExitCode::FAILURE
        }
    }
}
