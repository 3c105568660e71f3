//! The `kycard` command line: organizations, keys and users from the terminal, with clear
//! errors for bad flags, and a full flow over a real TCP socket with `serve --demo`.

#[allow(dead_code)] // not every user of the helper reads every key it noted
#[path = "support/demo.rs"]
mod demo;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

fn kycard(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kycard"));
    cmd.env("KYCARD_DATA_DIR", data_dir).env_remove("KYCARD_DATABASE_URL").env("RUST_LOG", "warn");
    cmd
}

fn run(cmd: &mut Command, stdin: &str) -> (bool, String, String) {
    let mut child =
        cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("kycard runs");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("kycard finishes");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn organizations_keys_and_users_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = run(kycard(dir.path()).args(["org", "create", "acme", "--name", "Acme Cards"]), "");
    assert!(ok, "{err}");
    assert!(uuid::Uuid::parse_str(out.trim()).is_ok());
    let (ok, out, err) = run(kycard(dir.path()).args(["org", "attempt-cap", "acme", "5"]), "");
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "acme: 5 review attempts");
    let (ok, out, _) = run(kycard(dir.path()).args(["org", "attempt-cap", "acme", "default"]), "");
    assert!(ok && out.trim() == "acme: 3 review attempts", "{out}");

    let (ok, out, err) = run(kycard(dir.path()).args(["key", "create", "--org", "acme", "--role", "operator"]), "");
    assert!(ok, "{err}");
    let key = out.trim();
    assert!(key.starts_with("kyc_") && !key.contains(char::is_whitespace), "the key alone on stdout: {out:?}");

    let (ok, _, err) = run(
        kycard(dir.path()).args(["user", "create", "--org", "acme", "--email", "op@acme.example", "--role", "admin"]),
        "correct horse battery\n",
    );
    assert!(ok, "{err}");
    let (ok, out, err) =
        run(kycard(dir.path()).args(["user", "password", "--email", "op@acme.example"]), "a new passphrase here\n");
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "password changed; 0 session(s) signed out");

    let (ok, _, err) = run(
        kycard(dir.path()).args(["key", "create", "--org", "acme", "--role", "admin", "--label", "CI pipeline"]),
        "",
    );
    assert!(ok, "{err}");
    let (ok, out, err) = run(kycard(dir.path()).args(["key", "list", "--org", "acme"]), "");
    assert!(ok, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "a header and two keys: {out}");
    assert!(lines[0].starts_with("ID") && lines[0].contains("LAST USED") && lines[0].contains("REVOKED"));
    assert!(lines[2].contains("admin") && lines[2].ends_with("CI pipeline"), "{out}");
    assert!(!out.contains(key), "secrets are never listed");
    let operator_line = lines[1];
    assert!(operator_line.contains(&key[..12]), "the prefix identifies the key: {operator_line}");
    let id = operator_line.split_whitespace().next().unwrap();
    let (ok, out, err) = run(kycard(dir.path()).args(["key", "revoke", "--org", "acme", id]), "");
    assert!(ok, "{err}");
    assert_eq!(out.trim(), format!("key {id} revoked"));
    let backup = dir.path().join("kycard-backup.db");
    let (ok, out, err) = run(kycard(dir.path()).args(["backup", "--to"]).arg(&backup), "");
    assert!(ok, "{err}");
    assert!(out.starts_with(&format!("backed up to {} (0 customers)", backup.display())), "{out}");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&backup).unwrap().permissions()) & 0o777;
    assert_eq!(mode, 0o600, "a backup holds personal data");
    let (ok, _, err) = run(kycard(dir.path()).args(["backup", "--to"]).arg(&backup), "");
    assert!(!ok && err.contains("already exists: back up to a new file"), "{err}");
    let (ok, _, err) = run(kycard(dir.path()).args(["backup", "--to"]).arg(dir.path().join("missing/b.db")), "");
    assert!(!ok && err.contains("cannot create"), "{err}");
    let (_, out, _) = run(kycard(dir.path()).args(["key", "list", "--org", "acme"]), "");
    let revoked_line = out.lines().nth(1).unwrap();
    assert!(revoked_line.matches("UTC").count() == 2, "made and revoked, never used: {revoked_line}");
}

#[test]
fn bad_flags_and_values_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(kycard(dir.path()).args(["org", "create", "acme"]), "");
    assert!(ok, "{err}");
    let (ok, _, err) = run(
        kycard(dir.path()).args(["user", "create", "--org", "acme", "--email", "op@acme.example", "--role", "admin"]),
        "correct horse battery\n",
    );
    assert!(ok, "{err}");
    let refusals: &[(&[&str], &str, &str)] = &[
        (&["org", "create", "acme"], "", "already exists"),
        (&["org", "create", "Bad Slug!"], "", "not a valid slug"),
        (&["org", "attempt-cap", "acme", "0"], "", "from 1 to 20, or `default`"),
        (&["org", "attempt-cap", "acme", "three"], "", "from 1 to 20, or `default`"),
        (&["org", "attempt-cap", "acme", "٣"], "", "from 1 to 20, or `default`"),
        (&["org", "attempt-cap", "nope", "2"], "", "no organization `nope`"),
        (&["serve", "--max-cards-per-customer", "0"], "", "0 is not in 1..=100"),
        (&["serve", "--max-webhooks", "lots"], "", "invalid digit"),
        (&["key", "create", "--org", "nope", "--role", "operator"], "", "no organization `nope`"),
        (&["key", "create", "--org", "acme", "--role", "superuser"], "", "expected operator, reviewer or admin"),
        (
            &["key", "create", "--org", "acme", "--role", "admin", "--label", "a\u{202E}b"],
            "",
            "--label: Control characters",
        ),
        (&["key", "revoke", "--org", "acme", "not-a-uuid"], "", "invalid value 'not-a-uuid'"),
        (&["key", "revoke", "--org", "acme", "00000000-0000-0000-0000-000000000000"], "", "`acme` has no key"),
        (&["key", "list", "--org", "nope"], "", "no organization `nope`"),
        (
            &["user", "password", "--email", "nobody@acme.example"],
            "long enough password\n",
            "no user `nobody@acme.example`",
        ),
        (&["user", "password", "--email", "op@acme.example"], "short\n", "at least 12"),
        (
            &["user", "create", "--org", "acme", "--email", "x@acme.example", "--role", "operator"],
            "short\n",
            "at least 12",
        ),
        (
            &["user", "create", "--org", "acme", "--email", "not-an-email", "--role", "operator"],
            "long enough password\n",
            "not a valid email",
        ),
        (
            &["user", "create", "--org", "acme", "--email", "op@acme.example", "--role", "operator"],
            "long enough password\n",
            "already exists",
        ),
    ];
    for (args, stdin, expected) in refusals {
        let (ok, _, err) = run(kycard(dir.path()).args(*args), stdin);
        assert!(!ok, "{args:?} should fail");
        assert!(err.contains(expected), "{args:?}: expected {expected:?} in {err:?}");
    }
    let (ok, _, err) = run(kycard(dir.path()).args(["serve", "--addr", "not-an-address"]), "");
    assert!(!ok && err.contains("--addr"), "{err}");
    let (ok, _, err) = run(kycard(dir.path()).arg("migrate"), "");
    assert!(ok, "{err}");
    for url in ["mysql://db.example/kycard", "kycard.db", "sqlite::memory:", "sqlite:///nonexistent-dir/sub/kycard.db"]
    {
        let (ok, _, err) = run(kycard(dir.path()).args(["migrate", "--database-url", url]), "");
        assert!(!ok, "{url} should fail");
        assert!(err.contains("unsupported database URL") || err.contains("database error"), "{url}: {err}");
    }
}

/// `kycard serve --demo` on a free port: the process, the printed operator key, the address.
fn start_demo(web_dir: &std::path::Path, data: &std::path::Path) -> (std::process::Child, String, String) {
    let mut command = kycard(data);
    command.args(["serve", "--demo", "--addr", "127.0.0.1:0", "--web-dir"]).arg(web_dir);
    let demo = demo::start(command);
    (demo.child, demo.operator, demo.base)
}

/// `GET /api/v1/customers` with `key` over a plain socket; the whole HTTP answer.
async fn list_customers(base: &str, key: &str) -> String {
    let addr = base.trim_start_matches("http://").to_owned();
    let request = format!(
        "GET /api/v1/customers HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nConnection: close\r\n\r\n"
    );
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        stream.write_all(request.as_bytes()).expect("send");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read");
        text
    })
    .await
    .unwrap()
}

/// Stops a server with SIGTERM; it must exit 0 after finishing in-flight requests.
fn stop(mut child: std::process::Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let status = child.wait().expect("exit");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[tokio::test]
async fn serve_demo_prints_keys_that_work_over_a_real_socket() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (child, operator, base) = start_demo(dir.path(), &data);
    // Everything holding personal data is this user's alone.
    let mode = |p: &std::path::Path| {
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).unwrap().permissions()) & 0o777
    };
    for (path, want) in [
        (data.clone(), 0o700),
        (data.join("documents"), 0o700),
        (data.join("documents/.incoming"), 0o700),
        (data.join("kycard.db"), 0o600),
        (data.join("card-number.key"), 0o600),
    ] {
        assert_eq!(mode(&path), want, "{}", path.display());
    }
    let response = list_customers(&base, &operator).await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"data\":[]"), "{response}");
    stop(child);

    // The next demo start prints new keys and revokes the ones printed before.
    let (child, new_operator, base) = start_demo(dir.path(), &data);
    assert_ne!(new_operator, operator);
    assert!(list_customers(&base, &new_operator).await.starts_with("HTTP/1.1 200"));
    let old = list_customers(&base, &operator).await;
    assert!(old.starts_with("HTTP/1.1 401"), "a key of an earlier demo run no longer works: {old}");
    stop(child);
}

/// One raw HTTP/1.1 exchange with `headers` added; the whole answer as bytes.
async fn exchange(base: &str, path: &str, headers: &str) -> Vec<u8> {
    let addr = base.trim_start_matches("http://").to_owned();
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{headers}Connection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).expect("read");
        answer
    })
    .await
    .unwrap()
}

/// The status line and headers of an answer, lower-cased.
fn head(answer: &[u8]) -> String {
    let end = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(answer.len());
    String::from_utf8_lossy(&answer[..end]).to_lowercase()
}

#[tokio::test]
async fn the_binary_serves_its_web_app_from_any_folder() {
    let checkout_app = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist/index.html");
    assert!(checkout_app.exists(), "build the web app first (`cargo xtask test` does): {}", checkout_app.display());
    let dir = tempfile::tempdir().unwrap();
    // Started elsewhere than the checkout, with no --web-dir.
    let mut child = kycard(&dir.path().join("data"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kycard serve");
    let base = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("kycard is serving on ")
                .map(|rest| rest.split_whitespace().next().unwrap().trim_end_matches('/').to_owned())
        })
        .expect("address printed");

    let page = exchange(&base, "/", "").await;
    assert!(head(&page).starts_with("http/1.1 200"), "{}", head(&page));
    assert!(head(&page).contains("content-type: text/html"));
    assert!(String::from_utf8_lossy(&page).contains("<title>kycard</title>"));
    let deep_link = exchange(&base, "/customers/0193a000-0000-7000-8000-000000000000", "").await;
    assert!(
        head(&deep_link).starts_with("http/1.1 200") && head(&deep_link).contains("text/html"),
        "deep links get the app"
    );

    let wasm = exchange(&base, "/kycard-web_bg.wasm", "Accept-Encoding: gzip, br\r\n").await;
    let wasm_head = head(&wasm);
    assert!(wasm_head.starts_with("http/1.1 200"), "{wasm_head}");
    assert!(wasm_head.contains("content-type: application/wasm"), "{wasm_head}");
    assert!(wasm_head.contains("content-encoding: br"), "the precompressed copy: {wasm_head}");
    assert!(wasm_head.contains("cache-control: no-cache"));
    let etag = wasm_head.lines().find_map(|l| l.strip_prefix("etag: ")).expect("etag").to_owned();
    let again =
        exchange(&base, "/kycard-web_bg.wasm", &format!("Accept-Encoding: gzip, br\r\nIf-None-Match: {etag}\r\n"))
            .await;
    assert!(head(&again).starts_with("http/1.1 304"), "{}", head(&again));
    let plain = exchange(&base, "/kycard-web_bg.wasm", "Accept-Encoding: identity\r\n").await;
    assert!(!head(&plain).contains("content-encoding"), "{}", head(&plain));
    for escape in ["/../Cargo.toml", "/..%2fCargo.toml", "/%2e%2e/%2e%2e/etc/passwd"] {
        let answer = String::from_utf8_lossy(&exchange(&base, escape, "").await).into_owned();
        assert!(!answer.contains("[workspace]") && !answer.contains("root:"), "{escape} stays inside the app");
    }
    let api = exchange(&base, "/api/v1/health", "").await;
    assert!(head(&api).starts_with("http/1.1 200"));
    stop(child);
}
