//! Reset between tests (issue: sigil as a test double, item 4): an organization of
//! 1,000 members, 100 teams of 10 and 10,000 grants (100 workspaces of 100 grants)
//! loaded from a seed file, then `POST /_sigil/reset` timed end to end over HTTP
//! after each round of changes, on SQLite and (with `SIGIL_BENCH_POSTGRES_URL`)
//! PostgreSQL. Target: under 200 ms on SQLite.

use serde_json::json;
use sigil_service::seed::{SeedFile, SeedGrant, SeedMember, SeedNode, SeedTeam, SeedTeamMember};

use crate::*;

const MEMBERS: usize = 1_000;
const TEAMS: usize = 100;
const WORKSPACES: usize = 100;
const GRANTS_EACH: usize = 100;
const ROUNDS: usize = 30;
const SECRET: &str = "bench-secret-0123456789abcdef0123456789";

fn organization() -> SeedFile {
    let email = |i: usize| format!("member{i:04}@example.com");
    let members = (0..MEMBERS)
        .map(|i| SeedMember {
            email: email(i),
            first_name: format!("First{i}"),
            last_name: format!("Last{i}"),
            account_type: if i % 10 == 0 { "Creator" } else { "Viewer" }.into(),
            ..Default::default()
        })
        .collect();
    let teams = (0..TEAMS)
        .map(|t| SeedTeam {
            name: format!("Team {t:03}"),
            members: (0..10)
                .map(|k| SeedTeamMember::Email(email(t * 10 + k)))
                .collect(),
            ..Default::default()
        })
        .collect();
    let workspaces = (0..WORKSPACES)
        .map(|w| SeedNode {
            name: format!("Workspace {w:03}"),
            grants: (0..GRANTS_EACH)
                .map(|g| {
                    let n = (w * GRANTS_EACH + g) % MEMBERS;
                    if g < 10 {
                        SeedGrant {
                            team: Some(format!("Team {:03}", (w + g) % TEAMS)),
                            permission: "explore".into(),
                            ..Default::default()
                        }
                    } else {
                        SeedGrant {
                            member: Some(email(n)),
                            permission: "view".into(),
                            ..Default::default()
                        }
                    }
                })
                .collect(),
            ..Default::default()
        })
        .collect();
    SeedFile {
        members,
        teams,
        workspaces,
        ..Default::default()
    }
}

fn one_dialect(
    label: &str,
    postgres: Option<&str>,
    client_rt: &tokio::runtime::Runtime,
) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("sigil-server")
        .build()?;
    let database_url =
        postgres.map(|url| runtime.block_on(sigil_testkit::fresh_postgres_schema(url)));
    let loading = Instant::now();
    let app = runtime.block_on(TestApp::spawn_with(|o| {
        if let Some(url) = database_url {
            o.config.database_url = Some(sigil_service::secret::Secret::new(url));
        }
        o.config.testing.endpoints = true;
        o.config.bootstrap.client_id = Some("bench".into());
        o.config.bootstrap.client_secret = Some(sigil_service::secret::Secret::new(SECRET.into()));
        o.seed = Some(organization());
    }));
    println!(
        "\n{label}: {MEMBERS} members, {TEAMS} teams, {} grants seeded and snapshotted in {:.1} s",
        WORKSPACES * GRANTS_EACH,
        loading.elapsed().as_secs_f64()
    );
    let base = app.base.clone();
    let mut hist = Histogram::<u64>::new(3)?;
    client_rt.block_on(async {
        let http = reqwest::Client::new();
        for round in 0..ROUNDS {
            let token: serde_json::Value = http
                .post(format!("{base}/v2/auth/token"))
                .form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", "bench"),
                    ("client_secret", SECRET),
                ])
                .send()
                .await?
                .json()
                .await?;
            let token = token["access_token"]
                .as_str()
                .context("a token")?
                .to_owned();
            // Something to undo: a team, a member and a read that fills the caches.
            http.post(format!("{base}/v2/teams"))
                .bearer_auth(&token)
                .json(&json!({"name": format!("Round {round}"), "members": []}))
                .send()
                .await?
                .error_for_status()?;
            http.get(format!("{base}/v2/members?limit=50"))
                .bearer_auth(&token)
                .send()
                .await?
                .error_for_status()?;
            let started = Instant::now();
            http.post(format!("{base}/_sigil/reset"))
                .bearer_auth(&token)
                .send()
                .await?
                .error_for_status()?;
            hist.record(started.elapsed().as_micros() as u64)?;
        }
        anyhow::Ok(())
    })?;
    let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{label}: POST /_sigil/reset over {ROUNDS} rounds: median {:.1} ms, p90 {:.1} ms, max {:.1} ms (target < 200 ms on SQLite)",
        ms(0.5),
        ms(0.9),
        hist.max() as f64 / 1000.0
    );
    drop(app);
    drop(runtime);
    Ok(())
}

pub(crate) fn reset_suite(client_rt: &tokio::runtime::Runtime) -> anyhow::Result<()> {
    one_dialect("SQLite", None, client_rt)?;
    match std::env::var("SIGIL_BENCH_POSTGRES_URL") {
        Ok(url) => one_dialect("PostgreSQL", Some(&url), client_rt)?,
        Err(_) => println!("\n(SIGIL_BENCH_POSTGRES_URL is not set: PostgreSQL is not measured)"),
    }
    Ok(())
}
