//! `kycard serve --demo` as a child process: its address and the operator key it printed.
//! Shared by the command-line and object-store tests and the benchmarks that run the binary.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running demo server.
pub struct Demo {
    /// The process.
    pub child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The demo operator's API key.
    pub operator: String,
    /// Every key it printed, by role (`operator`, `reviewer`, `admin`).
    pub keys: std::collections::HashMap<String, String>,
}

/// Starts `command` (a `kycard serve --demo …` with its flags and environment) and reads its
/// standard output until it says where it serves; the rest of the output is drained.
///
/// # Panics
/// When the server exits or never prints its address and an operator key.
pub fn start(command: Command) -> Demo {
    let demo = serve(command);
    assert!(!demo.operator.is_empty(), "kycard did not print an operator key");
    demo
}

/// Starts `command` (a `kycard serve …`, with `--demo` or not) and reads its standard output
/// until it says where it serves, noting the keys it printed on the way.
///
/// # Panics
/// When the server exits or never prints its address.
pub fn serve(mut command: Command) -> Demo {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("kycard serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut base = String::new();
    let mut keys = std::collections::HashMap::new();
    for line in lines.by_ref().map_while(Result::ok) {
        if let [role @ ("operator" | "reviewer" | "admin"), key] =
            line.split_whitespace().collect::<Vec<_>>().as_slice()
            && key.starts_with("kyc_")
        {
            keys.insert((*role).to_owned(), (*key).to_owned());
        }
        if let Some(rest) = line.strip_prefix("kycard is serving on ") {
            rest.split_whitespace().next().unwrap_or("").trim_end_matches('/').clone_into(&mut base);
            break;
        }
    }
    assert!(!base.is_empty(), "kycard did not print its address");
    std::thread::spawn(move || for _ in lines {});
    let operator = keys.get("operator").cloned().unwrap_or_default();
    Demo { child, base, operator, keys }
}
