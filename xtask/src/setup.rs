//! Installs the tools the project needs, each only when the right version is missing.

use crate::steps::{Error, command_output, heading, is_root, run_command, tool_path};
use std::path::Path;
use std::process::Command;

/// Trunk version known to build with rustc 1.95 (0.22 needs a newer compiler).
const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// A tool from `PyPI`, installed into its own virtual environment of the checkout
/// (`.tools/<name>`).
pub struct PythonTool {
    /// Folder under `.tools/` and the package's name for `pip show`.
    name: &'static str,
    /// What `pip install` gets.
    requirement: &'static str,
    /// The exact version.
    version: &'static str,
    /// A program the install puts in the environment's `bin/`.
    program: &'static str,
    /// What it is for.
    purpose: &'static str,
}

/// The S3 emulator the object-store tests start (`moto[server]`).
const MOTO: PythonTool = PythonTool {
    name: "moto",
    requirement: "moto[server]",
    version: "5.2.5",
    program: "moto_server",
    purpose: "S3 emulator",
};

/// The schema-driven API fuzzer the test command runs (`e2e/fuzz/`).
pub const SCHEMATHESIS: PythonTool = PythonTool {
    name: "schemathesis",
    requirement: "schemathesis",
    version: "4.32.5",
    program: "st",
    purpose: "API fuzzer",
};

/// Which tools a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Building and serving the app.
    Run,
    /// Also the browser for tests.
    Test,
}

/// `cargo xtask setup`: everything.
pub fn all(root: &Path) -> Result<(), Error> {
    ensure(root, Need::Test)
}

/// Installs what `need` requires.
pub fn ensure(root: &Path, need: Need) -> Result<(), Error> {
    heading("setup: checking tools");
    wasm_target()?;
    trunk()?;
    wasm_bindgen(root)?;
    npm_packages(root)?;
    if need == Need::Test {
        chromium()?;
        python_tool(root, &MOTO)?;
        python_tool(root, &SCHEMATHESIS)?;
        postgresql()?;
    }
    Ok(())
}

fn wasm_target() -> Result<(), Error> {
    let installed = command_output(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        println!("  ok   Rust target {WASM_TARGET}");
        return Ok(());
    }
    println!("  add  Rust target {WASM_TARGET}");
    run_command(Command::new("rustup").args(["target", "add", WASM_TARGET]))
}

fn installed_version(tool: &str) -> Option<String> {
    let output = Command::new(tool_path(tool)).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_whitespace().nth(1).map(str::to_owned)
}

fn cargo_install(krate: &str, version: &str, locked: bool, minutes: u32) -> Result<(), Error> {
    println!("  get  {krate} {version} (cargo install, about {minutes} min on 2 cores, once per machine)");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    cmd.args(["install", krate, "--version", version]);
    if locked {
        cmd.arg("--locked");
    }
    run_command(&mut cmd)
}

fn trunk() -> Result<(), Error> {
    if installed_version("trunk").as_deref() == Some(TRUNK_VERSION) {
        println!("  ok   trunk {TRUNK_VERSION}");
        return Ok(());
    }
    cargo_install("trunk", TRUNK_VERSION, true, 6)
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
pub fn locked_wasm_bindgen_version(root: &Path) -> Result<String, Error> {
    let lock =
        std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| Error::new(format!("reading Cargo.lock: {e}")))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\""
            && let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(version.trim_end_matches('"').to_owned());
        }
    }
    Err(Error::new("Cargo.lock has no wasm-bindgen entry"))
}

fn wasm_bindgen(root: &Path) -> Result<(), Error> {
    let version = locked_wasm_bindgen_version(root)?;
    let trunk_toml = std::fs::read_to_string(root.join("Trunk.toml")).unwrap_or_default();
    if !trunk_toml.contains(&format!("wasm_bindgen = \"{version}\"")) {
        return Err(Error::new(format!(
            "Trunk.toml's [tools] wasm_bindgen must equal Cargo.lock's wasm-bindgen {version}, or Trunk will try to download another"
        )));
    }
    if installed_version("wasm-bindgen").as_deref() == Some(version.as_str()) {
        println!("  ok   wasm-bindgen-cli {version}");
        return Ok(());
    }
    // Not --locked: one of its locked dependencies is yanked.
    cargo_install("wasm-bindgen-cli", &version, false, 2)
}

fn npm_packages(root: &Path) -> Result<(), Error> {
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    // npm writes node_modules/.package-lock.json on every install: newer than the lock file
    // means the lock file has not changed since.
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&lock), modified(&installed)), (Some(l), Some(i)) if i >= l);
    if fresh {
        println!("  ok   npm packages (binaryen, esbuild, playwright-core, typescript, zod, ajv)");
        return Ok(());
    }
    println!("  get  npm packages (binaryen, esbuild, playwright-core, typescript, zod, ajv) with npm ci");
    run_command(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(root))
}

/// A `PyPI` tool in its virtual environment, unless the right version is there.
fn python_tool(root: &Path, tool: &PythonTool) -> Result<(), Error> {
    let PythonTool { name, requirement, version, program, purpose } = tool;
    let venv = root.join(".tools").join(name);
    let pip = venv.join("bin/pip");
    let installed = command_output(Command::new(&pip).args(["show", name])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == format!("Version: {version}")) && venv.join("bin").join(program).exists() {
        println!("  ok   {name} {version} ({purpose})");
        return Ok(());
    }
    println!("  get  {name} {version} ({purpose}, pip into .tools/{name}, under a minute)");
    run_command(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run_command(Command::new(&pip).args(["install", "-q", &format!("{requirement}=={version}")]))
}

/// Where a `PyPI` tool's program is.
pub fn python_program(root: &Path, tool: &PythonTool) -> std::path::PathBuf {
    root.join(".tools").join(tool.name).join("bin").join(tool.program)
}

fn chromium() -> Result<(), Error> {
    debian_packages(&["/usr/bin/chromium", "/usr/bin/chromedriver"], &["chromium", "chromium-driver"], || {
        command_output(Command::new("/usr/bin/chromium").arg("--version")).unwrap_or_default().trim().to_owned()
    })
}

/// Debian's `PostgreSQL` server, which the tests (and the benchmark) run a throwaway cluster of.
pub fn postgresql() -> Result<(), Error> {
    debian_packages(&crate::postgres::PROGRAMS, &["postgresql"], || "PostgreSQL 15 (Debian)".to_owned())
}

/// Debian's `wrk`, the external HTTP load generator of `cargo xtask bench`.
pub fn wrk() -> Result<(), Error> {
    heading("setup: checking the load generator");
    debian_packages(&["/usr/bin/wrk"], &["wrk"], || "wrk".to_owned())
}

/// Installs Debian `packages` with apt-get (as root) unless every one of `binaries` is there;
/// `describe` names what is installed.
fn debian_packages(binaries: &[&str], packages: &[&str], describe: impl Fn() -> String) -> Result<(), Error> {
    if binaries.iter().all(|p| Path::new(p).exists()) {
        println!("  ok   {}", describe());
        return Ok(());
    }
    let list = packages.join(" ");
    if !is_root() {
        return Err(Error::new(format!(
            "{list} missing. Install as root: apt-get update && apt-get install -y {list}"
        )));
    }
    println!("  get  {list} (apt-get)");
    run_command(Command::new("apt-get").arg("update").arg("-q"))?;
    run_command(
        Command::new("apt-get")
            .args(["install", "-y", "-q", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )
}
