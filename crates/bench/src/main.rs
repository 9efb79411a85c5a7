//! `sigil-bench`: a load generator that starts sigil in process (its own runtime,
//! SQLite in a temporary directory) and measures routes against a bare hello handler
//! mounted on the same middleware stack, so that ratios show what each route costs
//! beyond the stack itself.
//!
//! Run: `cargo run --release -p sigil-bench -- [--suite all|foundation|members|grants|connectors|imports|readpath|drivers|reset]
//! [--seconds 5] [--connections 32] [--members 100000]`.

mod connectors;
mod drivers;
mod imports;
mod load;
mod readpath;
mod reset;
mod seed;
mod server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use clap::Parser;
use hdrhistogram::Histogram;
use sigil_service::bootstrap::InitOutput;
use sigil_service::config::SqliteSynchronous;
use sigil_store::prelude::*;
use sigil_store::SqlStore;
use sigil_testkit::TestApp;

pub(crate) use connectors::*;
pub(crate) use drivers::*;
pub(crate) use imports::*;
pub(crate) use load::*;
pub(crate) use readpath::*;
pub(crate) use reset::*;
pub(crate) use seed::*;
pub(crate) use server::*;

#[derive(Debug, Parser)]
#[command(about = "Measure sigil's routes against a bare handler on the same stack")]
struct Args {
    /// Seconds of measured load per scenario (after one second of warm-up).
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Concurrent connections.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Worker threads of the server's runtime (the load generator gets its own).
    #[arg(long, default_value_t = 1)]
    server_threads: usize,
    /// Rounds of the connectors suite's throughput scenarios (the median is kept).
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Which measurements to run.
    #[arg(long, value_enum, default_value_t = Suite::All)]
    suite: Suite,
    /// Members in the organization for the members suite.
    #[arg(long, default_value_t = 100_000)]
    members: usize,
    /// Grants on one workspace for the grants suite.
    #[arg(long, default_value_t = 1_000_000)]
    grants: usize,
    /// SQLite's commit durability for the server: `full` (the default, as `sigil
    /// serve`) or `normal`, to measure what the fsync per commit costs.
    #[arg(long, value_parser = synchronous, default_value = "full")]
    sqlite_synchronous: SqliteSynchronous,
}

/// `full` or `normal`, read as the configuration reads it.
fn synchronous(s: &str) -> Result<SqliteSynchronous, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|e| e.to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Suite {
    All,
    Foundation,
    Members,
    Grants,
    Connectors,
    /// Hostile OpenAPI imports and the memory they cost (run alone for a clean baseline).
    Imports,
    /// sqlx against rusqlite for SQLite, on the members page's statements.
    Drivers,
    /// Pages as most traffic reads them, and a write mix; SQLite and PostgreSQL
    /// (`SIGIL_BENCH_POSTGRES_URL`). Starts servers of its own.
    Readpath,
    /// `POST /_sigil/reset` of an organization of 1,000 members, 100 teams and 10,000
    /// grants; SQLite and PostgreSQL (`SIGIL_BENCH_POSTGRES_URL`).
    Reset,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .thread_name("sigil-bench-load")
        .build()?;
    if args.suite == Suite::Reset {
        return reset_suite(&client_rt);
    }
    if args.suite == Suite::Readpath {
        return readpath_suite(
            args.server_threads,
            args.sqlite_synchronous,
            &client_rt,
            args.connections,
            args.seconds,
        );
    }
    let server = start_server(args.server_threads, args.sqlite_synchronous)
        .context("starting the server")?;
    if args.suite == Suite::Drivers {
        return drivers_suite(&server);
    }
    println!(
        "sigil-bench: {} s per scenario, {} connections, server threads {}, load threads 1, SQLite",
        args.seconds, args.connections, args.server_threads
    );
    let base = server.base.clone();
    let token_body = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}",
        server.init.client_id, server.init.client_secret
    );
    let token = client_rt.block_on(async {
        let res: serde_json::Value = reqwest::Client::new()
            .post(format!("{base}/v2/auth/token"))
            .body(token_body.clone())
            .send()
            .await?
            .json()
            .await?;
        anyhow::Ok(
            res["access_token"]
                .as_str()
                .context("no access token")?
                .to_owned(),
        )
    })?;
    if matches!(args.suite, Suite::All | Suite::Imports) {
        // First, before other suites' data and connections weigh on the baseline.
        imports_suite(&server, &client_rt, &token)?;
        if args.suite == Suite::Imports {
            return Ok(());
        }
    }
    let (c, s) = (args.connections, args.seconds);
    let hello = client_rt.block_on(measure(
        "(a) GET /bench/hello",
        &base,
        Req::Get {
            path: "/bench/hello".into(),
            bearer: None,
        },
        c,
        s,
    ));

    if matches!(args.suite, Suite::All | Suite::Foundation) {
        let (whoami, tokens) = client_rt.block_on(async {
            let whoami = measure(
                "(b) GET /v2/whoami",
                &base,
                Req::Get {
                    path: "/v2/whoami".into(),
                    bearer: Some(token.clone()),
                },
                c,
                s,
            )
            .await;
            let tokens = measure(
                "(c) POST /v2/auth/token",
                &base,
                Req::PostForm {
                    path: "/v2/auth/token".into(),
                    body: token_body.clone(),
                },
                c,
                s,
            )
            .await;
            (whoami, tokens)
        });
        println!("\n## Foundation\n");
        print_table(&[hello.clone(), whoami.clone(), tokens.clone()]);
        println!();
        println!("| ratio | measured | target | |");
        println!("|---|---:|---:|---|");
        ratio_line("b/a whoami ÷ hello", &whoami, &hello, 0.6);
        ratio_line("c/a token ÷ hello", &tokens, &hello, 0.1);
    }

    if matches!(args.suite, Suite::All | Suite::Members) {
        let seeded = seed_members(&server, args.members)?;
        println!(
            "\n## Members ({} members, seeded through the store in {:.1} s)\n",
            args.members + 1,
            seeded.as_secs_f64()
        );
        let (times, get_member) = client_rt.block_on(async {
            let times = walk_pages(&base, &token, "/v2/members", 100).await?;
            let get_member = measure(
                "GET /v2/members/{id}",
                &base,
                Req::Get {
                    path: format!("/v2/members/{}", server.init.member_id),
                    bearer: Some(token.clone()),
                },
                c,
                s,
            )
            .await;
            anyhow::Ok((times, get_member))
        })?;
        print_walk(&times);
        println!();
        print_table(&[hello.clone(), get_member.clone()]);
        println!();
        println!("| ratio | measured |");
        println!("|---|---:|");
        println!(
            "| GET /v2/members/{{id}} ÷ hello | {:.2} |",
            get_member.rps / hello.rps
        );
    }
    if matches!(args.suite, Suite::All | Suite::Grants) {
        let (world, seeded) = seed_grants(&server, args.grants, &token)?;
        println!(
            "\n## Grants ({} grants on one workspace, seeded in {:.1} s)\n",
            args.grants + 1,
            seeded.as_secs_f64()
        );
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        // Effective-permission checks, in process, as the server makes them.
        let mut checks = server._runtime.block_on(async {
            let mut out = Vec::with_capacity(2000);
            let ws: sigil_core::InodeId = world.workspace.parse()?;
            for _ in 0..2000 {
                let t0 = Instant::now();
                let g = server
                    .store
                    .applicable_grants(world.member_in_teams, ws)
                    .await?;
                out.push(t0.elapsed());
                anyhow::ensure!(
                    g.len() == 10,
                    "expected the ten team grants, got {}",
                    g.len()
                );
            }
            anyhow::Ok(out)
        })?;
        let (times, batches, listing) = client_rt.block_on(async {
            let times = walk_pages(&base, &token, &format!("/v2/workspaces/{}/grants", world.workspace), 100).await?;
            let client = reqwest::Client::new();
            let mut batches = Vec::new();
            for (i, chunk) in world.spare.chunks(100).take(10).enumerate() {
                let grants: Vec<serde_json::Value> = chunk
                    .iter()
                    .map(|m| serde_json::json!({"grantee": {"memberId": m}, "permission": if i % 2 == 0 { "view" } else { "explore" }}))
                    .collect();
                let t0 = Instant::now();
                client
                    .post(format!("{base}/v2/workspaces/{}/grants", world.workspace))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"grants": grants}))
                    .send()
                    .await?
                    .error_for_status()?;
                batches.push(t0.elapsed());
            }
            let listing = measure(
                "GET /v2/workspaces/{id}/grants?limit=50",
                &base,
                Req::Get {
                    path: format!("/v2/workspaces/{}/grants?limit=50", world.workspace),
                    bearer: Some(token.clone()),
                },
                c,
                s,
            )
            .await;
            anyhow::Ok((times, batches, listing))
        })?;
        print_walk(&times);
        let mut b = batches.clone();
        println!(
            "\nPOST of a batch of 100 grants: median {:.2} ms, max {:.2} ms ({} batches)",
            ms(median(&mut b)),
            ms(*batches.iter().max().unwrap()),
            batches.len()
        );
        println!(
            "\nEffective-permission check, member in 1,000 teams (2,000 checks): p50 {:.3} ms, p99 {:.3} ms (target p99 ≤ 1 ms)\n",
            ms(quantile(&mut checks, 0.50)),
            ms(quantile(&mut checks, 0.99))
        );
        print_table(&[hello.clone(), listing.clone()]);
        println!();
        println!("| ratio | measured | target | |");
        println!("|---|---:|---:|---|");
        ratio_line("grants list ÷ hello", &listing, &hello, 0.35);
    }

    if matches!(args.suite, Suite::All | Suite::Connectors) {
        connectors_suite(&server, &client_rt, &token, c, s, args.rounds.max(1))?;
    }
    Ok(())
}
