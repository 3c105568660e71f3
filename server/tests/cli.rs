//! The `kycard` command line: organizations, keys and users from the terminal, with clear
//! errors for bad flags, and a full flow over a real TCP socket with `serve --demo`.

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

#[tokio::test]
async fn serve_demo_prints_keys_that_work_over_a_real_socket() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut child = kycard(&data)
        .args(["serve", "--demo", "--addr", "127.0.0.1:0", "--web-dir"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kycard serve");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut operator = None;
    let mut base = None;
    for line in lines.by_ref() {
        let line = line.expect("line");
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [role, key] = words.as_slice()
            && *role == "operator"
            && key.starts_with("kyc_")
        {
            operator = Some((*key).to_owned());
        }
        if let Some(rest) = line.strip_prefix("kycard is serving on ") {
            base = rest.split_whitespace().next().map(|u| u.trim_end_matches('/').to_owned());
            break;
        }
    }
    let (operator, base) = (operator.expect("operator key printed"), base.expect("address printed"));
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
    let addr = base.trim_start_matches("http://").to_owned();

    let request = format!(
        "GET /api/v1/customers HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {operator}\r\nConnection: close\r\n\r\n"
    );
    let response = tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut stream = std::net::TcpStream::connect(&addr).expect("connect");
        stream.write_all(request.as_bytes()).expect("send");
        let mut text = String::new();
        stream.read_to_string(&mut text).expect("read");
        text
    })
    .await
    .unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"data\":[]"), "{response}");

    // SIGTERM stops it gracefully.
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let status = child.wait().expect("exit");
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}
