//! The read path (issue: the read path): pages read as most traffic reads them, not a
//! repeat of the same page between two writes — members, teams, the grants of a
//! workspace alone and with one request in ten a grant upsert, and the upsert alone —
//! each as a ratio to `GET /v2/whoami` on the same server. On SQLite, and on
//! PostgreSQL when `SIGIL_BENCH_POSTGRES_URL` names a database (a fresh schema is made
//! in it).

use crate::*;

/// What the suite's organization holds: 60 members besides the Admin, 50 teams, and a
/// workspace with one grant per member.
struct World {
    token: String,
    workspace: String,
    members: Vec<String>,
}

async fn seed(base: &str, init: &InitOutput) -> anyhow::Result<World> {
    seed_with(base, init, 60, 50).await
}

async fn seed_with(
    base: &str,
    init: &InitOutput,
    n_members: usize,
    n_teams: usize,
) -> anyhow::Result<World> {
    let client = reqwest::Client::new();
    let token: serde_json::Value = client
        .post(format!("{base}/v2/auth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", init.client_id.as_str()),
            ("client_secret", init.client_secret.as_str()),
        ])
        .send()
        .await?
        .json()
        .await?;
    let token = token["access_token"]
        .as_str()
        .context("no access token")?
        .to_owned();
    let post = |path: String, body: serde_json::Value| {
        let (client, token) = (client.clone(), token.clone());
        async move {
            let res = client
                .post(format!("{base}{path}"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await?
                .error_for_status()?;
            anyhow::Ok(res.json::<serde_json::Value>().await?)
        }
    };
    let mut members = Vec::new();
    let run = uuid::Uuid::new_v4().simple().to_string();
    for i in 0..n_members {
        let m = post(
            "/v2/members".into(),
            serde_json::json!({"email": format!("reader{i:02}.{}@example.com", &run[..8]),
                "firstName": format!("Reader{i}"), "lastName": "Bench", "memberType": "Viewer"}),
        )
        .await?;
        members.push(m["memberId"].as_str().context("memberId")?.to_owned());
    }
    for i in 0..n_teams {
        post(
            "/v2/teams".into(),
            serde_json::json!({"name": format!("Team {i:02}"), "members": [members[i % n_members]]}),
        )
        .await?;
    }
    let ws = post(
        "/v2/workspaces".into(),
        serde_json::json!({"name": format!("Read path {}", &run[..8])}),
    )
    .await?;
    let workspace = ws["workspaceId"]
        .as_str()
        .context("workspaceId")?
        .to_owned();
    let grants: Vec<serde_json::Value> = members
        .iter()
        .map(|m| serde_json::json!({"grantee": {"memberId": m}, "permission": "view"}))
        .collect();
    post(
        format!("/v2/workspaces/{workspace}/grants"),
        serde_json::json!({ "grants": grants }),
    )
    .await?;
    Ok(World {
        token,
        workspace,
        members,
    })
}

fn get(path: String, token: &str) -> Req {
    Req::Get {
        path,
        bearer: Some(token.to_owned()),
    }
}

/// A grant upsert that changes something each time: one member's permission, in turn
/// view and explore.
fn upserts(w: &World) -> Vec<Req> {
    ["view", "explore"]
        .iter()
        .map(|p| Req::PostJson {
            path: format!("/v2/workspaces/{}/grants", w.workspace),
            body: serde_json::json!({"grants": [{"grantee": {"memberId": w.members[0]}, "permission": p}]})
                .to_string(),
            bearer: w.token.clone(),
        })
        .collect()
}

fn one_dialect(
    label: &str,
    server: &Server,
    client_rt: &tokio::runtime::Runtime,
    c: usize,
    s: u64,
) -> anyhow::Result<()> {
    let base = server.base.clone();
    let w = client_rt.block_on(seed(&base, &server.init))?;
    let grants = format!("/v2/workspaces/{}/grants?limit=50", w.workspace);
    let rows = client_rt.block_on(async {
        let whoami = measure(
            "GET /v2/whoami",
            &base,
            get("/v2/whoami".into(), &w.token),
            c,
            s,
        )
        .await;
        let members = measure(
            "GET /v2/members?limit=50 (61 members)",
            &base,
            get("/v2/members?limit=50".into(), &w.token),
            c,
            s,
        )
        .await;
        let teams = measure(
            "GET /v2/teams?limit=50 (50 teams)",
            &base,
            get("/v2/teams?limit=50".into(), &w.token),
            c,
            s,
        )
        .await;
        let page = measure(
            "GET grants?limit=50 (61 grants)",
            &base,
            get(grants.clone(), &w.token),
            c,
            s,
        )
        .await;
        let mut mix: Vec<Req> = (0..9).map(|_| get(grants.clone(), &w.token)).collect();
        mix.extend(upserts(&w).into_iter().take(1));
        let mut mix2: Vec<Req> = (0..9).map(|_| get(grants.clone(), &w.token)).collect();
        mix2.extend(upserts(&w).into_iter().skip(1));
        let mut both = mix;
        both.extend(mix2);
        let mixed = measure(
            "grants page, 1 request in 10 an upsert",
            &base,
            Mix::req(both),
            c,
            s,
        )
        .await;
        let upsert = measure(
            "POST one grant (upsert)",
            &base,
            Mix::req(upserts(&w)),
            c,
            s,
        )
        .await;
        [whoami, members, teams, page, mixed, upsert]
    });
    println!("\n## Read path, {label}\n");
    print_table(&rows);
    println!();
    println!("| ratio to whoami | measured | target |");
    println!("|---|---:|---:|");
    let pg = label == "PostgreSQL";
    let targets: [(usize, &str, f64, f64); 5] = [
        (1, "members page", 0.25, 0.15),
        (2, "teams page", 0.25, 0.15),
        (3, "grants page", 0.25, 0.15),
        (4, "grants page, 10 % writes", 0.25, 0.15),
        (5, "one-grant upsert", 0.15, 0.15),
    ];
    for (i, name, sqlite, postgres) in targets {
        let target = if pg { postgres } else { sqlite };
        println!("| {name} | {:.2} | ≥ {target} |", rows[i].rps / rows[0].rps);
    }
    Ok(())
}

/// How long after node A answers a write node B serves it, and after A revokes a
/// token B refuses it (PostgreSQL, two nodes on one database), over `rounds` each.
fn staleness(
    server: &Server,
    client_rt: &tokio::runtime::Runtime,
    rounds: usize,
) -> anyhow::Result<()> {
    let b = server._runtime.block_on(server._app.second_node());
    // Node B's background work (as `sigil serve` runs it), which the harness leaves
    // out: what wakes on another node's revocation.
    let (_stop, rx) = tokio::sync::watch::channel(false);
    let _background = {
        let _in_runtime = server._runtime.enter();
        sigil_service::startup::spawn_background(b.state.services.clone(), rx)
    };
    let (base_a, base_b) = (server.base.clone(), b.base.clone());
    let init = server.init.clone();
    let (mut writes, mut revokes) = client_rt.block_on(async {
        let w = seed_light(&base_a, &init).await?;
        let client = reqwest::Client::new();
        let page = format!("{base_b}/v2/workspaces/{}/grants?limit=50", w.workspace);
        let mut writes = Vec::new();
        for i in 0..rounds {
            let permission = ["view", "explore"][i % 2];
            // B reads (and caches) the page first.
            client.get(&page).bearer_auth(&w.token).send().await?.error_for_status()?;
            client
                .post(format!("{base_a}/v2/workspaces/{}/grants", w.workspace))
                .bearer_auth(&w.token)
                .json(&serde_json::json!({"grants": [{"grantee": {"memberId": w.members[0]}, "permission": permission}]}))
                .send()
                .await?
                .error_for_status()?;
            let t0 = Instant::now();
            loop {
                let got: serde_json::Value =
                    client.get(&page).bearer_auth(&w.token).send().await?.json().await?;
                let seen = got["entries"].as_array().is_some_and(|e| {
                    e.iter().any(|g| g["memberId"] == w.members[0] && g["permission"] == permission)
                });
                if seen {
                    break;
                }
                anyhow::ensure!(t0.elapsed() < Duration::from_secs(10), "node B never served the write");
            }
            writes.push(t0.elapsed());
        }
        let mut revokes = Vec::new();
        for i in 0..rounds.min(50) {
            let c: serde_json::Value = client
                .post(format!("{base_a}/v2/credentials"))
                .bearer_auth(&w.token)
                .json(&serde_json::json!({"ownerId": init.member_id.to_string(), "name": format!("staleness {i}")}))
                .send()
                .await?
                .error_for_status()?
                .json()
                .await?;
            let (cid, secret) = (c["clientId"].as_str().unwrap_or_default(), c["clientSecret"].as_str().unwrap_or_default());
            let t: serde_json::Value = client
                .post(format!("{base_b}/v2/auth/token"))
                .form(&[("grant_type", "client_credentials"), ("client_id", cid), ("client_secret", secret)])
                .send()
                .await?
                .json()
                .await?;
            let token = t["access_token"].as_str().unwrap_or_default().to_owned();
            client.delete(format!("{base_a}/v2/credentials/{cid}")).bearer_auth(&w.token).send().await?.error_for_status()?;
            let t0 = Instant::now();
            while client.get(format!("{base_b}/v2/whoami")).bearer_auth(&token).send().await?.status()
                != reqwest::StatusCode::UNAUTHORIZED
            {
                anyhow::ensure!(t0.elapsed() < Duration::from_secs(10), "node B never refused the token");
            }
            revokes.push(t0.elapsed());
        }
        anyhow::Ok((writes, revokes))
    })?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("\n### Two nodes on one PostgreSQL database\n");
    println!("| after node A answers | rounds | p50 ms | p99 ms | max ms | target p99 |");
    println!("|---|---:|---:|---:|---:|---:|");
    let n = writes.len();
    println!(
        "| a grant upsert, until node B serves it | {n} | {:.2} | {:.2} | {:.2} | 50 ms |",
        ms(quantile(&mut writes, 0.5)),
        ms(quantile(&mut writes, 0.99)),
        ms(*writes.iter().max().unwrap_or(&Duration::ZERO))
    );
    let n = revokes.len();
    println!(
        "| a credentials revocation, until node B refuses its token | {n} | {:.2} | {:.2} | {:.2} | 50 ms |",
        ms(quantile(&mut revokes, 0.5)),
        ms(quantile(&mut revokes, 0.99)),
        ms(*revokes.iter().max().unwrap_or(&Duration::ZERO))
    );
    drop(b);
    Ok(())
}

/// A token, a workspace and one member with a grant on it.
async fn seed_light(base: &str, init: &InitOutput) -> anyhow::Result<World> {
    seed_with(base, init, 1, 0).await
}

pub(crate) fn readpath_suite(
    threads: usize,
    synchronous: SqliteSynchronous,
    client_rt: &tokio::runtime::Runtime,
    c: usize,
    s: u64,
) -> anyhow::Result<()> {
    {
        let server = start_server(threads, synchronous)?;
        one_dialect("SQLite", &server, client_rt, c, s)?;
    }
    match std::env::var("SIGIL_BENCH_POSTGRES_URL") {
        Ok(url) => {
            let server = start_server_on(threads, synchronous, Some(&url))?;
            one_dialect("PostgreSQL", &server, client_rt, c, s)?;
            staleness(&server, client_rt, 200)?;
        }
        Err(_) => println!("\n(SIGIL_BENCH_POSTGRES_URL is not set: PostgreSQL is not measured)"),
    }
    Ok(())
}
