//! The steps of `run`, `test` and `bench`, and the process plumbing they share.

use crate::setup::{self, Need};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// A failed step, said in a sentence.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    /// An error with its message.
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Prints a progress heading.
pub fn heading(text: &str) {
    println!("\n==> {text}");
}

fn cargo_home_bin() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_default()
        .join("bin")
}

/// A tool from `cargo install` when it is there, else whatever `PATH` finds.
pub fn tool_path(tool: &str) -> PathBuf {
    let installed = cargo_home_bin().join(tool);
    if installed.exists() { installed } else { PathBuf::from(tool) }
}

/// `PATH` with cargo's bin folder and the project's npm tools first (Trunk finds wasm-opt and
/// wasm-bindgen there).
fn tool_search_path(root: &Path) -> std::ffi::OsString {
    let mut dirs = vec![root.join("node_modules/.bin"), cargo_home_bin()];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|s| s.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether this process runs as root.
pub fn is_root() -> bool {
    command_output(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0")
}

/// Runs a command with inherited output; a non-zero exit is an error.
pub fn run_command(cmd: &mut Command) -> Result<(), Error> {
    let status = cmd.status().map_err(|e| Error::new(format!("cannot start `{}`: {e}", describe(cmd))))?;
    if status.success() { Ok(()) } else { Err(Error::new(format!("`{}` failed ({status})", describe(cmd)))) }
}

/// Runs a command and returns its standard output.
pub fn command_output(cmd: &mut Command) -> Result<String, Error> {
    let output = cmd.output().map_err(|e| Error::new(format!("cannot start `{}`: {e}", describe(cmd))))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    } else {
        Err(Error::new(format!("`{}` failed ({})", describe(cmd), output.status)))
    }
}

fn cargo(root: &Path) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.current_dir(root).env("PATH", tool_search_path(root));
    cmd
}

/// Passed and failed test counts.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    passed: u64,
    failed: u64,
}

/// Runs a test command, echoing its output and adding up the counts it reports
/// (`test result: ok. N passed; M failed` from cargo, `# pass N` / `# fail M` from node).
fn run_counted(cmd: &mut Command, counts: &mut Counts) -> Result<(), Error> {
    let mut child =
        cmd.stdout(Stdio::piped()).spawn().map_err(|e| Error::new(format!("cannot start `{}`: {e}", describe(cmd))))?;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            tally(&line, counts);
        }
    }
    let status = child.wait().map_err(|e| Error::new(e.to_string()))?;
    if status.success() { Ok(()) } else { Err(Error::new(format!("`{}` failed ({status})", describe(cmd)))) }
}

fn number_before(text: &str, word: &str) -> Option<u64> {
    let words: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || c == ';' || c == '.').filter(|w| !w.is_empty()).collect();
    words.windows(2).find(|w| w[1] == word).and_then(|w| w[0].parse().ok())
}

fn tally(line: &str, counts: &mut Counts) {
    let line = line.trim();
    if line.starts_with("test result:") {
        counts.passed += number_before(line, "passed").unwrap_or(0);
        counts.failed += number_before(line, "failed").unwrap_or(0);
    } else if let Some(n) = line.strip_prefix("# pass ").and_then(|n| n.parse::<u64>().ok()) {
        counts.passed += n;
    } else if let Some(n) = line.strip_prefix("# fail ").and_then(|n| n.parse::<u64>().ok()) {
        counts.failed += n;
    }
}

fn build_web(root: &Path) -> Result<(), Error> {
    heading("web: trunk build --release (wasm-opt -Oz, then brotli size)");
    run_command(
        Command::new(tool_path("trunk"))
            .args(["build", "--release", "--offline"])
            .current_dir(root)
            .env("PATH", tool_search_path(root))
            .env("NO_COLOR", "true"),
    )
}

/// `cargo xtask run`: build everything, then serve (with the demo organization and its
/// printed keys) until Ctrl-C.
pub fn run(root: &Path, extra: &[String]) -> Result<(), Error> {
    setup::ensure(root, Need::Run)?;
    crate::package::build(root)?;
    build_web(root)?;
    heading("server: release build and start (Ctrl-C stops it)");
    let extra = extra.strip_prefix(&["--".to_owned()]).unwrap_or(extra);
    run_command(cargo(root).args(SERVE_ARGS).args(extra))
}

/// How `cargo xtask run` starts the server: the release build (what a person runs is what is
/// measured), on the embedded database, with the demo organization and its printed logins.
const SERVE_ARGS: &[&str] =
    &["run", "--release", "--package", "kycard-server", "--bin", "kycard", "--", "serve", "--demo"];

/// Results of `cargo xtask test` so far: every step runs even when one fails.
#[derive(Default)]
struct Suite {
    counts: Counts,
    failed_steps: Vec<String>,
}

impl Suite {
    fn step(&mut self, name: &str, result: Result<(), Error>) {
        if let Err(e) = result {
            println!("!!  {name} failed: {e}");
            self.failed_steps.push(name.to_owned());
        }
    }

    fn counted(&mut self, name: &str, cmd: &mut Command) {
        let result = run_counted(cmd, &mut self.counts);
        self.step(name, result);
    }
}

fn static_checks(root: &Path, suite: &mut Suite) {
    heading("format: cargo fmt --check");
    suite.step("format", run_command(cargo(root).args(["fmt", "--all", "--", "--check"])));

    heading("lint: cargo clippy (native crates, then the web app for wasm32)");
    suite.step(
        "clippy",
        run_command(cargo(root).args([
            "clippy",
            "--workspace",
            "--exclude",
            "kycard-web",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    suite.step(
        "clippy (web)",
        run_command(cargo(root).args([
            "clippy",
            "-p",
            "kycard-web",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ])),
    );
}

/// The variable naming the test `PostgreSQL` server (see `server/tests/support/database.rs`).
const POSTGRES_URL_VAR: &str = "KYCARD_TEST_POSTGRES_URL";

/// The server's test suites that run a second time on `PostgreSQL`: every one built on its
/// test app (the rest drive the binary on `SQLite`, or are the storage contract, which runs
/// both backends itself).
const SUITES_ON_POSTGRES: &[&str] = &[
    "cards",
    "customers",
    "documents",
    "events",
    "http",
    "idempotency",
    "interrupted",
    "keys",
    "openapi",
    "reading",
    "sandbox",
    "session",
    "webhooks",
];

/// `cargo xtask test`: every check and suite, then the verdict and the total counts.
pub fn test(root: &Path) -> Result<(), Error> {
    let started = Instant::now();
    setup::ensure(root, Need::Test)?;
    let mut suite = Suite::default();
    static_checks(root, &mut suite);

    // First: the server's tests serve the built app (with the package under /examples/), as
    // the binary does.
    let tarball = crate::package::build(root);
    if let Err(error) = &tarball {
        suite.step("npm package build", Err(Error::new(error.to_string())));
    }
    suite.step("web build", build_web(root));

    heading("PostgreSQL: a throwaway cluster for the tests (stopped at the end)");
    let cluster = match crate::postgres::Cluster::start() {
        Ok(cluster) => Some(cluster),
        Err(error) => {
            suite.step("PostgreSQL", Err(error));
            None
        }
    };
    let postgres_url = cluster.as_ref().map_or(String::new(), |c| c.url.clone());

    heading("native tests: cargo test (core, server, xtask; storage contract on SQLite and PostgreSQL)");
    suite.counted(
        "native tests",
        cargo(root).args(["test", "--workspace", "--exclude", "kycard-web"]).env(POSTGRES_URL_VAR, &postgres_url),
    );

    if cluster.is_some() {
        heading("server tests again, each on a fresh PostgreSQL database");
        let mut cmd = cargo(root);
        cmd.args(["test", "-p", "kycard-server"]);
        for target in SUITES_ON_POSTGRES {
            cmd.args(["--test", target]);
        }
        suite.counted(
            "server tests on PostgreSQL",
            cmd.env(POSTGRES_URL_VAR, &postgres_url).env("KYCARD_TEST_BACKEND", "postgres"),
        );
    }

    heading("browser tests: core's test vectors in headless Chromium (wasm-bindgen-test)");
    suite.counted(
        "wasm tests",
        cargo(root)
            .args(["test", "-p", "kycard-core", "--target", "wasm32-unknown-unknown", "--tests"])
            .env("CHROMEDRIVER", "/usr/bin/chromedriver"),
    );

    heading("server: cargo build");
    suite.step("server build", run_command(cargo(root).args(["build", "-p", "kycard-server", "--bin", "kycard"])));

    heading("end-to-end: Playwright driving Chromium against the real kycard binary");
    suite.counted("end-to-end", Command::new("node").args(["--test", "e2e/"]).current_dir(root));

    heading("API fuzzing: schemathesis --checks all against the served OpenAPI document (bounded)");
    suite.counted(
        "API fuzzing",
        Command::new("node")
            .arg("e2e/fuzz/run.mjs")
            .env("KYCARD_SCHEMATHESIS", setup::python_program(root, &setup::SCHEMATHESIS))
            .current_dir(root),
    );

    heading("npm package: installed from its tarball into a new project, vectors in Node, tsc --noEmit");
    match &tarball {
        Ok(tarball) => suite.counted(
            "npm package",
            Command::new("node")
                .args(["--test", "bindings/js/tests/"])
                .env("KYCARD_PACKAGE", tarball)
                .current_dir(root),
        ),
        Err(error) => suite.step("npm package", Err(Error::new(error.to_string()))),
    }

    heading("measurements (budgets, not pass/fail)");
    suite.step("size report", run_command(Command::new("node").arg("e2e/measure-size.mjs").current_dir(root)));

    drop(cluster);
    println!("\nxtask test finished in {:.0} s", started.elapsed().as_secs_f64());
    if !suite.failed_steps.is_empty() {
        println!("failed steps: {}", suite.failed_steps.join(", "));
    }
    println!("{} passed, {} failed", suite.counts.passed, suite.counts.failed);
    if suite.failed_steps.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!("{} step(s) failed", suite.failed_steps.len())))
    }
}

/// `cargo xtask bench`: criterion for core's validation, the HTTP load benchmark, customer
/// search at scale, the automatic review of real photos, then the npm package against zod.
pub fn bench(root: &Path) -> Result<(), Error> {
    heading("bench: validating full profiles (criterion)");
    run_command(cargo(root).args(["bench", "-p", "kycard-core", "--bench", "validation"]))?;
    setup::wrk()?;
    setup::postgresql()?;
    heading("bench: HTTP load with wrk (64 connections): SQLite, PostgreSQL with one and two instances");
    let cluster = crate::postgres::Cluster::start()?;
    run_command(
        cargo(root)
            .args(["bench", "-p", "kycard-server", "--bench", "load"])
            .env("KYCARD_BENCH_POSTGRES_URL", &cluster.url),
    )?;
    heading(
        "bench: customer search over 100,000 customers on SQLite and PostgreSQL (KYCARD_BENCH_CUSTOMERS=1000000 for a million)",
    );
    run_command(
        cargo(root)
            .args(["bench", "-p", "kycard-server", "--bench", "search"])
            .env("KYCARD_BENCH_POSTGRES_URL", &cluster.url),
    )?;
    drop(cluster);
    heading("bench: the automatic review of real photos (release kycard binary, a separate process)");
    run_command(cargo(root).args(["bench", "-p", "kycard-server", "--bench", "review"]))?;
    crate::package::build(root)?;
    heading("bench: the npm package's validateCustomer against zod 4, in one Chromium page");
    run_command(Command::new("node").arg("bench/validation.mjs").current_dir(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_app_runs_the_release_build() {
        let cargo_args = SERVE_ARGS.split(|a| *a == "--").next().unwrap();
        assert!(cargo_args.contains(&"--release"), "{cargo_args:?}");
    }

    #[test]
    fn counts_cargo_and_node_summaries() {
        let mut counts = Counts::default();
        for line in [
            "test result: ok. 28 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
            "test result: FAILED. 6 passed; 3 failed; 0 ignored",
            "# pass 2",
            "# fail 1",
            "running 9 tests",
        ] {
            tally(line, &mut counts);
        }
        assert_eq!((counts.passed, counts.failed), (36, 4));
    }
}
