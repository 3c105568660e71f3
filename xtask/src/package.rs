//! The npm package `@kycard/core`: `bindings/` compiled to wasm32, wrapped by wasm-bindgen,
//! shrunk by wasm-opt, beside the hand-written JavaScript and declarations of `bindings/js/`,
//! then packed by `npm pack` into an installable tarball. Each entry (`index.js` for browsers
//! and bundlers, `node.js` for Node) is bundled with `api.js` and wasm-bindgen's glue and
//! minified by esbuild, with a source map holding the readable sources: a page downloads
//! half the JavaScript (6 KB brotli instead of 12), and its developer tools still show
//! `bindings/js/`.
//!
//! * `target/npm/kycard-core/` — the package folder (what Trunk copies under `/examples/`).
//! * `target/npm/kycard-core-<version>.tgz` — the tarball.

use crate::steps::{Error, command_output, heading, run_command, tool_path};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The hand-written files of the package, copied as they are.
const SOURCES: &[&str] = &["package.json", "README.md", "index.js", "node.js", "api.js", "index.d.ts", "types.d.ts"];

/// The entries esbuild bundles, each with the platform it is for.
const ENTRIES: &[(&str, &str)] = &[("index.js", "browser"), ("node.js", "node")];

/// What the bundles hold, removed once they are written.
const BUNDLED: &[&str] = &["api.js", "wasm/kycard.js"];

/// The wasm features rustc emits for wasm32 by default, which wasm-opt must accept.
const WASM_FEATURES: &[&str] = &[
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// Where the package is built.
pub fn folder(root: &Path) -> PathBuf {
    root.join("target/npm/kycard-core")
}

/// Builds the package folder and its tarball; returns the tarball's path.
pub fn build(root: &Path) -> Result<PathBuf, Error> {
    heading("npm package @kycard/core: bindings for wasm32, wasm-bindgen, wasm-opt -Oz, esbuild, npm pack");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    run_command(Command::new(cargo).current_dir(root).args([
        "build",
        "-p",
        "kycard-bindings",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-package",
    ]))?;
    let package = folder(root);
    let wasm_dir = package.join("wasm");
    if package.exists() {
        std::fs::remove_dir_all(&package)
            .map_err(|e| Error::new(format!("cannot clear {}: {e}", package.display())))?;
    }
    std::fs::create_dir_all(&wasm_dir).map_err(|e| Error::new(format!("cannot create {}: {e}", wasm_dir.display())))?;
    let compiled = root.join("target/wasm32-unknown-unknown/wasm-package/kycard_bindings.wasm");
    run_command(
        Command::new(tool_path("wasm-bindgen"))
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--omit-default-module-path",
                "--out-name",
                "kycard",
                "--out-dir",
            ])
            .arg(&wasm_dir)
            .arg(&compiled),
    )?;
    let wasm = wasm_dir.join("kycard_bg.wasm");
    run_command(
        Command::new(root.join("node_modules/.bin/wasm-opt"))
            .arg("-Oz")
            .args(WASM_FEATURES)
            .arg(&wasm)
            .arg("-o")
            .arg(&wasm),
    )?;
    for name in SOURCES {
        let from = root.join("bindings/js").join(name);
        std::fs::copy(&from, package.join(name))
            .map_err(|e| Error::new(format!("cannot copy {}: {e}", from.display())))?;
    }
    for (entry, platform) in ENTRIES {
        run_command(
            Command::new(root.join("node_modules/.bin/esbuild"))
                .current_dir(&package)
                .args([entry, "--bundle", "--minify", "--sourcemap", "--format=esm", "--target=es2022"])
                .arg(format!("--platform={platform}"))
                .arg(format!("--outfile={entry}"))
                .args(["--allow-overwrite", "--log-level=warning"]),
        )?;
    }
    for name in BUNDLED {
        let path = package.join(name);
        std::fs::remove_file(&path).map_err(|e| Error::new(format!("cannot remove {}: {e}", path.display())))?;
    }
    let packed = command_output(
        Command::new("npm").args(["pack", "--silent", "--pack-destination", ".."]).current_dir(&package),
    )?;
    let tarball = package.parent().unwrap_or(root).join(packed.trim());
    let size = std::fs::metadata(&wasm).map_or(0, |m| m.len());
    println!("  wasm {} bytes, tarball {}", size, tarball.display());
    Ok(tarball)
}
