//! `sigil-bench`: a load generator that starts sigil in process (its own runtime,
//! SQLite in a temporary directory) and measures routes against a bare hello handler
//! mounted on the same middleware stack, so that ratios show what each route costs
//! beyond the stack itself.
//!
//! Run: `cargo run --release -p sigil-bench -- [--seconds 5] [--connections 32]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use clap::Parser;
use hdrhistogram::Histogram;
use sigil_server::auth::secrets::SecretHasher;
use sigil_server::bootstrap::{initialize, InitOutput};
use sigil_server::config::Config;
use sigil_server::serve::{build_state, load_keys};
use sigil_store::SqlStore;

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
}

/// One measured scenario.
struct Outcome {
    name: &'static str,
    requests: u64,
    errors: u64,
    rps: f64,
    p50_us: u64,
    p99_us: u64,
}

/// How to send one request of a scenario.
#[derive(Clone)]
enum Req {
    Get {
        path: String,
        bearer: Option<String>,
    },
    PostForm {
        path: String,
        body: String,
    },
}

struct Server {
    base: String,
    init: InitOutput,
    _dir: tempfile::TempDir,
    _runtime: tokio::runtime::Runtime,
}

fn start_server(threads: usize) -> anyhow::Result<Server> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .thread_name("sigil-server")
        .build()?;
    let dir = tempfile::tempdir()?;
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    let (base, init) = runtime.block_on(async {
        let store = Arc::new(SqlStore::connect(&config.database_url()).await?);
        let keys = load_keys(&config)?;
        let init = initialize(
            store.as_ref(),
            &SecretHasher::new(keys.secret_hashing),
            "bench@example.com",
            "bench",
        )
        .await?;
        let state = build_state(Arc::new(config), store, &keys).await?;
        let hello = Router::new().route("/bench/hello", get(|| async { "hello" }));
        let app = sigil_server::app_with(state, hello);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("bench server");
        });
        anyhow::Ok((format!("http://{addr}"), init))
    })?;
    Ok(Server {
        base,
        init,
        _dir: dir,
        _runtime: runtime,
    })
}

async fn send(client: &reqwest::Client, base: &str, req: &Req) -> bool {
    let res = match req {
        Req::Get { path, bearer } => {
            let mut r = client.get(format!("{base}{path}"));
            if let Some(t) = bearer {
                r = r.bearer_auth(t);
            }
            r.send().await
        }
        Req::PostForm { path, body } => {
            client
                .post(format!("{base}{path}"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.clone())
                .send()
                .await
        }
    };
    match res {
        Ok(r) => {
            let ok = r.status().is_success();
            // Read the body so the connection is reused.
            let _ = r.bytes().await;
            ok
        }
        Err(_) => false,
    }
}

async fn measure(
    name: &'static str,
    base: &str,
    req: Req,
    connections: usize,
    seconds: u64,
) -> Outcome {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("client");
    // Warm-up: fill the connection pool and the server's caches.
    let warm_until = Instant::now() + Duration::from_secs(1);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, base, req) = (client.clone(), base.to_owned(), req.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < warm_until {
                send(&client, &base, &req).await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("warm-up task");
    }

    let start = Instant::now();
    let until = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, base, req) = (client.clone(), base.to_owned(), req.clone());
        tasks.push(tokio::spawn(async move {
            let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
            let mut errors = 0u64;
            while Instant::now() < until {
                let t0 = Instant::now();
                if !send(&client, &base, &req).await {
                    errors += 1;
                }
                h.record(t0.elapsed().as_micros().max(1) as u64).ok();
            }
            (h, errors)
        }));
    }
    let mut all = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram");
    let mut errors = 0;
    for t in tasks {
        let (h, e) = t.await.expect("load task");
        all.add(h).expect("same bounds");
        errors += e;
    }
    let elapsed = start.elapsed().as_secs_f64();
    Outcome {
        name,
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed,
        p50_us: all.value_at_quantile(0.50),
        p99_us: all.value_at_quantile(0.99),
    }
}

fn print_table(rows: &[Outcome]) {
    println!("| scenario | requests | errors | req/s | p50 µs | p99 µs |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {:.0} | {} | {} |",
            r.name, r.requests, r.errors, r.rps, r.p50_us, r.p99_us
        );
    }
}

fn ratio_line(label: &str, num: &Outcome, den: &Outcome, target: f64) {
    let ratio = num.rps / den.rps;
    let verdict = if ratio >= target { "meets" } else { "MISSES" };
    println!("| {label} | {ratio:.2} | ≥ {target} | {verdict} |");
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = start_server(args.server_threads).context("starting the server")?;
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .thread_name("sigil-bench-load")
        .build()?;
    println!(
        "sigil-bench: {} s per scenario, {} connections, server threads {}, load threads 1, SQLite",
        args.seconds, args.connections, args.server_threads
    );
    client_rt.block_on(async {
        let base = server.base.as_str();
        let token_body = format!(
            "grant_type=client_credentials&client_id={}&client_secret={}",
            server.init.client_id, server.init.client_secret
        );
        let token = {
            let client = reqwest::Client::new();
            let res: serde_json::Value = client
                .post(format!("{base}/v2/auth/token"))
                .body(token_body.clone())
                .send()
                .await?
                .json()
                .await?;
            res["access_token"]
                .as_str()
                .context("no access token")?
                .to_owned()
        };
        let (c, s) = (args.connections, args.seconds);
        let hello = measure(
            "(a) GET /bench/hello",
            base,
            Req::Get {
                path: "/bench/hello".into(),
                bearer: None,
            },
            c,
            s,
        )
        .await;
        let whoami = measure(
            "(b) GET /v2/whoami",
            base,
            Req::Get {
                path: "/v2/whoami".into(),
                bearer: Some(token),
            },
            c,
            s,
        )
        .await;
        let tokens = measure(
            "(c) POST /v2/auth/token",
            base,
            Req::PostForm {
                path: "/v2/auth/token".into(),
                body: token_body,
            },
            c,
            s,
        )
        .await;
        let rows = [hello, whoami, tokens];
        print_table(&rows);
        println!();
        println!("| ratio | measured | target | |");
        println!("|---|---:|---:|---|");
        ratio_line("b/a whoami ÷ hello", &rows[1], &rows[0], 0.6);
        ratio_line("c/a token ÷ hello", &rows[2], &rows[0], 0.1);
        anyhow::Ok(())
    })
}
