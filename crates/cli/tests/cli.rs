//! The `sigil` binary as a user runs it: `init --json`, a second `init`, `serve` on an
//! empty database (first-run output, then SIGTERM), and `member set-password`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

mod common;
use common::sigil;

#[test]
fn init_json_prints_exactly_one_object_and_a_second_init_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = sigil(dir.path())
        .args(["init", "--admin-email", "ops@example.com", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.trim().lines().count(), 1, "one line: {stdout}");
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "clientId",
            "clientSecret",
            "email",
            "memberId",
            "organizationId",
            "password"
        ]
    );
    assert_eq!(v["email"], "ops@example.com");
    let db = dir.path().join("sigil-data/sigil.db");
    assert!(db.exists());
    let before = contents(&db);
    assert_eq!(before, (1, vec!["ops@example.com".to_string()], 1));

    let again = sigil(dir.path())
        .args(["init", "--admin-email", "other@example.com", "--json"])
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(
        again.stdout.is_empty(),
        "nothing on stdout for scripts to misread"
    );
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(err.contains("already initialized"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    // Compared row by row: the file's bytes may change when SQLite checkpoints its
    // write-ahead log on close, though nothing was written.
    assert_eq!(contents(&db), before);
}

/// (organizations, member emails, client credentials) in a SQLite database.
fn contents(db: &std::path::Path) -> (i64, Vec<String>, i64) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let orgs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
            .fetch_one(&mut c)
            .await
            .unwrap();
        let emails: Vec<String> = sqlx::query_scalar("SELECT email FROM members ORDER BY email")
            .fetch_all(&mut c)
            .await
            .unwrap();
        let creds: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM client_credentials")
            .fetch_one(&mut c)
            .await
            .unwrap();
        (orgs, emails, creds)
    })
}

#[test]
fn init_refuses_a_bad_email_and_a_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let out = sigil(dir.path())
        .args(["init", "--admin-email", "not-an-email"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an email"));

    let out = sigil(dir.path())
        .env("SIGIL_AUTH__ACCESS_TOKEN_TTL_SECS", "0")
        .args(["init", "--admin-email", "a@example.com"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("access_token_ttl_secs"));
}

#[test]
fn serve_initializes_an_empty_database_prints_once_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = sigil(dir.path())
        .env("SIGIL_LOG_LEVEL", "info")
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--admin-email",
            "first@example.com",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // The first-run block went to stdout; check it once the process has stopped.
    let res = std::net::TcpStream::connect(&addr).and_then(|mut s| {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
        let mut buf = String::new();
        s.read_to_string(&mut buf)?;
        Ok(buf)
    });
    assert!(res.unwrap().starts_with("HTTP/1.1 200"));

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "graceful shutdown exits 0: {exit:?}");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    for word in [
        "first@example.com",
        "password",
        "client id",
        "client secret",
    ] {
        assert!(stdout.contains(word), "{word} missing from {stdout}");
    }

    // A second start on the same data prints no secrets.
    let mut child = sigil(dir.path())
        .env("SIGIL_LOG_LEVEL", "info")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    while !lines.next().unwrap().unwrap().contains("listening on") {}
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert!(!stdout.contains("client secret"), "{stdout}");
}

#[test]
fn set_password_reads_stdin_or_generates_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = sigil(dir.path())
        .args(["init", "--admin-email", "ops@example.com", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());

    let mut child = sigil(dir.path())
        .args([
            "member",
            "set-password",
            "--email",
            "OPS@example.com",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "a given password is not echoed");

    let out = sigil(dir.path())
        .args(["member", "set-password", "--email", "ops@example.com"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim().len(), 24);

    let out = sigil(dir.path())
        .args(["member", "set-password", "--email", "ghost@example.com"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ghost@example.com"));
}

#[cfg(unix)]
#[test]
fn the_data_directory_and_the_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = sigil(dir.path())
        .args(["init", "--admin-email", "ops@example.com", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let data = dir.path().join("sigil-data");
    assert_eq!(mode(&data), 0o700, "the data directory");
    for f in ["sigil.db", "sigil.db-wal", "sigil.db-shm", "master.key"] {
        let p = data.join(f);
        if p.exists() {
            assert_eq!(mode(&p), 0o600, "{f}");
        }
    }
    assert!(data.join("sigil.db").exists());
}
