//! What an acknowledged write promises: the real binary, written to by concurrent
//! clients, is killed with SIGKILL mid-load and started again on the same data.
//! Every write it acknowledged is there, and every batch (a team with its ten
//! members and its workspace) is there whole or not at all.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

mod common;

fn sigil(dir: &std::path::Path) -> Command {
    // `serve` says where it listens at `info`.
    let mut c = common::sigil(dir);
    c.env("SIGIL_LOG_LEVEL", "info");
    c
}

/// `GET path` as JSON.
async fn get_json(http: &reqwest::Client, base: &str, token: &str, path: &str) -> Value {
    http.get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Starts `serve` on `dir`; answers the process and its base URL.
fn start(dir: &std::path::Path) -> (Child, String) {
    let mut child = sigil(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep draining its log so that it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, format!("http://{addr}"))
}

async fn token(http: &reqwest::Client, base: &str, id: &str, secret: &str) -> String {
    let v: Value = http
        .post(format!("{base}/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_and_no_batch_is_partial() {
    let dir = tempfile::tempdir().unwrap();
    let out = sigil(dir.path())
        .args(["init", "--admin-email", "ops@example.com", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let init: Value = serde_json::from_slice(&out.stdout).unwrap();
    let (id, secret) = (
        init["clientId"].as_str().unwrap().to_owned(),
        init["clientSecret"].as_str().unwrap().to_owned(),
    );
    let (mut child, base) = start(dir.path());
    let http = reqwest::Client::new();
    let t = token(&http, &base, &id, &secret).await;
    let mut members = Vec::new();
    for i in 0..10 {
        let v: Value = http
            .post(format!("{base}/v2/members"))
            .bearer_auth(&t)
            .json(&json!({"email": format!("m{i}@example.com"), "firstName": "M", "lastName": "M", "memberType": "viewer"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        members.push(v["memberId"].as_str().unwrap().to_owned());
    }

    // Four writers create teams (each with the ten members and a team workspace, one
    // transaction) until the process is killed; each keeps what was acknowledged.
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (http, base, t, members, acked) = (
            http.clone(),
            base.clone(),
            t.clone(),
            members.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for n in 0.. {
                let name = format!("team-{w}-{n}");
                let r = http
                    .post(format!("{base}/v2/teams"))
                    .bearer_auth(&t)
                    .json(&json!({"name": name, "members": members, "createTeamFolder": true}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status().is_success() => {
                        acked.lock().unwrap().insert(name);
                    }
                    Ok(r) => panic!("a write was refused: {}", r.status()),
                    // The server is gone.
                    Err(_) => return,
                }
            }
        }));
    }
    // Kill it once enough writes have been acknowledged, while writes are in flight.
    while acknowledged.lock().unwrap().len() < 150 {
        tokio::task::yield_now().await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    for w in writers {
        w.await.unwrap();
    }
    let acked = acknowledged.lock().unwrap().clone();

    let (mut child, base) = start(dir.path());
    let t = token(&http, &base, &id, &secret).await;
    let mut found = Vec::new();
    for page in 1.. {
        let v = get_json(
            &http,
            &base,
            &t,
            &format!("/v2/teams?limit=1000&page={page}"),
        )
        .await;
        let entries = v["entries"].as_array().unwrap().clone();
        let done = entries.len() < 1000;
        found.extend(entries);
        if done {
            break;
        }
    }
    let names: BTreeSet<String> = found
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    let lost: Vec<_> = acked.difference(&names).collect();
    assert!(lost.is_empty(), "acknowledged and lost: {lost:?}");
    // Every team there, acknowledged or not, is whole: ten members and a workspace.
    for team in &found {
        let tid = team["teamId"].as_str().unwrap();
        let v = get_json(
            &http,
            &base,
            &t,
            &format!("/v2/teams/{tid}/members?limit=100"),
        )
        .await;
        let n = v["entries"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(
            n, 10,
            "team {} has {n} of its 10 members: {v}",
            team["name"]
        );
    }
    let ws = get_json(&http, &base, &t, "/v2/workspaces?limit=1000").await;
    let workspaces = ws["entries"].as_array().unwrap().len();
    assert!(
        workspaces >= found.len(),
        "{} teams but {workspaces} workspaces: a batch lost its workspace",
        found.len()
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
