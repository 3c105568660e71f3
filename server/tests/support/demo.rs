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
}

/// Starts `command` (a `kycard serve --demo …` with its flags and environment) and reads its
/// standard output until it says where it serves; the rest of the output is drained.
///
/// # Panics
/// When the server exits or never prints its address and an operator key.
pub fn start(mut command: Command) -> Demo {
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().expect("kycard serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let (mut operator, mut base) = (String::new(), String::new());
    for line in lines.by_ref().map_while(Result::ok) {
        if let ["operator", key] = line.split_whitespace().collect::<Vec<_>>().as_slice()
            && key.starts_with("kyc_")
        {
            (*key).clone_into(&mut operator);
        }
        if let Some(rest) = line.strip_prefix("kycard is serving on ") {
            rest.split_whitespace().next().unwrap_or("").trim_end_matches('/').clone_into(&mut base);
            break;
        }
    }
    assert!(!base.is_empty(), "kycard did not print its address");
    assert!(!operator.is_empty(), "kycard did not print an operator key");
    std::thread::spawn(move || for _ in lines {});
    Demo { child, base, operator }
}
