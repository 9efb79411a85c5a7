//! sigil as a test double, driven as a CI job would drive it: `serve --ephemeral`
//! with known credentials and a seed file, a client run against it, a reset, a run
//! again, injected 429s that the client backs off from; weak bootstrap values
//! refused; and `seed`/`export` on a database file.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod common;
use common::sigil;

const PASSWORD: &str = "ops-password-1";
const CLIENT_ID: &str = "ci-admin";
const SECRET: &str = "ci-secret-0123456789abcdefghijklmnopqrstuv";

fn seed_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/examples/seed.yaml")
}

fn with_bootstrap(c: &mut Command) -> &mut Command {
    c.env("SIGIL_BOOTSTRAP__ADMIN_EMAIL", "ops@example.com")
        .env("SIGIL_BOOTSTRAP__ADMIN_PASSWORD", PASSWORD)
        .env("SIGIL_BOOTSTRAP__CLIENT_ID", CLIENT_ID)
        .env("SIGIL_BOOTSTRAP__CLIENT_SECRET", SECRET)
}

/// A client as a test suite would have one: a token, and a GET that honours
/// `Retry-After` on 429 and 503.
struct Client {
    base: String,
    http: reqwest::Client,
    token: String,
    retries: u32,
}

impl Client {
    async fn new(base: &str) -> Client {
        let http = reqwest::Client::new();
        let res: Value = http
            .post(format!("{base}/v2/auth/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", CLIENT_ID),
                ("client_secret", SECRET),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Client {
            base: base.to_owned(),
            http,
            token: res["access_token"].as_str().expect("a token").to_owned(),
            retries: 0,
        }
    }

    async fn send(
        &mut self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        loop {
            let mut req = self
                .http
                .request(method.clone(), format!("{}{path}", self.base))
                .bearer_auth(&self.token);
            if let Some(b) = &body {
                req = req.json(b);
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            if matches!(status, 429 | 503) && self.retries < 10 {
                let wait: u64 = res.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                self.retries += 1;
                tokio::time::sleep(Duration::from_secs(wait)).await;
                continue;
            }
            let text = res.text().await.unwrap();
            return (status, serde_json::from_str(&text).unwrap_or(Value::Null));
        }
    }

    async fn get(&mut self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }
}

fn names(v: &Value, key: &str) -> Vec<String> {
    let mut n: Vec<String> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[key].as_str().unwrap().to_owned())
        .collect();
    n.sort();
    n
}

#[tokio::test]
async fn a_ci_job_seeds_resets_and_backs_off_from_injected_faults() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = with_bootstrap(&mut sigil(dir.path()))
        .env("SIGIL_LOG_LEVEL", "info")
        .args([
            "serve",
            "--ephemeral",
            "--testing",
            "--listen",
            "127.0.0.1:0",
            "--seed",
        ])
        .arg(seed_file())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut said_ephemeral = false;
    let addr = loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        said_ephemeral |= line.contains("ephemeral") && line.contains("nothing is written to disk");
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    assert!(said_ephemeral, "serve says it keeps nothing");
    let base = format!("http://{addr}");

    // A run: the seeded organization is there; the test changes it.
    let mut c = Client::new(&base).await;
    let (_, members) = c.get("/v2/members").await;
    assert_eq!(
        names(&members, "email"),
        ["ada@example.com", "grace@example.com", "ops@example.com"]
    );
    let (s, _) = c
        .send(
            reqwest::Method::POST,
            "/v2/teams",
            Some(json!({"name": "Made by test 1", "members": []})),
        )
        .await;
    assert_eq!(s, 200);
    let (_, teams) = c.get("/v2/teams").await;
    assert_eq!(names(&teams, "name"), ["Data", "Made by test 1"]);

    // Reset between tests, then a second run sees the seeded state again.
    let (s, _) = c.send(reqwest::Method::POST, "/_sigil/reset", None).await;
    assert_eq!(s, 200);
    let mut c = Client::new(&base).await;
    let (_, teams) = c.get("/v2/teams").await;
    assert_eq!(names(&teams, "name"), ["Data"]);

    // Injected 429s: the client backs off as told and gets through.
    let (s, body) = c
        .send(
            reqwest::Method::PUT,
            "/_sigil/faults",
            Some(json!({"faults": [{"route": "/v2/members", "status": 429, "count": 2, "retryAfterSecs": 1}]})),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let started = Instant::now();
    let (s, _) = c.get("/v2/members").await;
    assert_eq!((s, c.retries), (200, 2));
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "it waited as told"
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
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
    for configured in [PASSWORD, SECRET, CLIENT_ID, "ops@example.com"] {
        assert!(
            !stdout.contains(configured),
            "{configured} printed: {stdout}"
        );
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "ephemeral wrote {left:?}");
}

#[test]
fn weak_bootstrap_values_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value, named) in [
        (
            "SIGIL_BOOTSTRAP__CLIENT_SECRET",
            "short-secret",
            "bootstrap.client_secret",
        ),
        (
            "SIGIL_BOOTSTRAP__ADMIN_PASSWORD",
            "1234567",
            "bootstrap.admin_password",
        ),
    ] {
        let out = with_bootstrap(&mut sigil(dir.path()))
            .env(var, value)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named) && err.contains("too weak"), "{err}");
        assert!(
            !err.contains(value),
            "the value itself is not echoed: {err}"
        );
    }
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing was created"
    );
}

#[test]
fn seed_and_export_on_a_database_file() {
    let a = tempfile::tempdir().unwrap();
    let run = |dir: &std::path::Path, args: &[&str]| {
        let out = sigil(dir).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(
        a.path(),
        &["init", "--admin-email", "admin@sigil.local", "--json"],
    );
    let seed = seed_file();
    run(a.path(), &["seed", seed.to_str().unwrap()]);
    let exported = run(a.path(), &["export", "--include-secrets"]);
    assert!(exported.contains("grace-ci") && exported.contains("0123456789abcdef0123456789abcdef"));
    let bare = run(a.path(), &["export", "--format", "json"]);
    let bare: Value = serde_json::from_str(&bare).unwrap();
    assert!(!bare
        .to_string()
        .contains("0123456789abcdef0123456789abcdef"));
    assert!(!bare.to_string().contains("$argon2"));

    // A file with an error loads nothing and says where.
    let bad = a.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "teams:\n  - name: Fine\n  - name: Broken\n    members: [nobody@example.com]\n",
    )
    .unwrap();
    let out = sigil(a.path())
        .args(["seed", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("teams[1].members[0]") && err.contains("nobody@example.com"),
        "{err}"
    );
    assert_eq!(
        run(a.path(), &["export", "--include-secrets"]),
        exported,
        "nothing loaded"
    );

    // Seeded into another database, the export reads back the same but for the
    // first Admin (each database made its own).
    let b = tempfile::tempdir().unwrap();
    run(
        b.path(),
        &["init", "--admin-email", "admin@sigil.local", "--json"],
    );
    let file = b.path().join("a.yaml");
    std::fs::write(&file, &exported).unwrap();
    run(b.path(), &["seed", file.to_str().unwrap()]);
    let again = run(
        b.path(),
        &["export", "--format", "json", "--include-secrets"],
    );
    let again: Value = serde_json::from_str(&again).unwrap();
    let first: Value = {
        let out = sigil(a.path())
            .args(["export", "--format", "json", "--include-secrets"])
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    for key in ["accountTypes", "teams", "workspaces"] {
        assert_eq!(first[key], again[key], "{key}");
    }
    let others = |v: &Value| -> Vec<Value> {
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["email"] != "admin@sigil.local")
            .cloned()
            .collect()
    };
    assert_eq!(others(&first), others(&again));
}
