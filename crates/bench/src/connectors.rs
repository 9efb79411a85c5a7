//! The connectors suite: added latency of a call through sigil, throughput against
//! calling the upstream directly and against a bare forwarding proxy, and import time.

use crate::*;

/// A connector call through sigil to a loopback upstream, against the same request
/// sent straight to the upstream; and the import time of Sigma's 3.6 MB document.
pub(crate) fn connectors_suite(
    server: &Server,
    client_rt: &tokio::runtime::Runtime,
    token: &str,
    c: usize,
    s: u64,
    rounds: usize,
) -> anyhow::Result<()> {
    // The upstream gets a runtime of its own, like a separate service.
    let (_upstream_rt, upstream) = serve_alone(
        "upstream",
        Router::new()
            .route(
                "/v2/teams",
                axum::routing::post(|body: String| async move {
                    ([("content-type", "application/json")], body)
                }),
            )
            // An API across a network answers in milliseconds, not microseconds.
            .route(
                "/v2/slow/teams",
                axum::routing::post(|body: String| async move {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    ([("content-type", "application/json")], body)
                }),
            ),
    )?;
    // The floor for any proxy on this stack and machine: a handler that forwards the
    // body to the upstream with reqwest and answers its bytes, with no parsing, auth,
    // templating or logging, in a 1-thread runtime like sigil's. Whatever sigil's own
    // work costs comes on top of this.
    let client = reqwest::Client::new();
    let target = format!("{upstream}/v2/teams");
    let (_bare_rt, bare) = serve_alone(
        "bare-proxy",
        Router::new().route(
            "/v2/teams",
            axum::routing::post(move |body: axum::body::Bytes| {
                let (client, target) = (client.clone(), target.clone());
                async move {
                    match client.post(&target).body(body).send().await {
                        Ok(r) => {
                            let status = r.status();
                            let bytes = r.bytes().await.unwrap_or_default();
                            (status, [("content-type", "application/json")], bytes)
                        }
                        Err(_) => (
                            axum::http::StatusCode::BAD_GATEWAY,
                            [("content-type", "application/json")],
                            axum::body::Bytes::new(),
                        ),
                    }
                }
            }),
        ),
    )?;
    let base = server.base.clone();
    let create_connector = |name: &str, path: &str| {
        let body = serde_json::json!({
            "name": name,
            "params": {
                "method": "POST", "url": format!("{upstream}{path}"),
                "headers": [], "pathParams": [], "queryParams": [],
                "body": "{\"name\": {{team-name}}, \"description\": {{team-description}}, \"members\": [], \"createTeamFolder\": false, \"visibility\": \"private\"}"
            }
        });
        client_rt.block_on(async {
            let r: serde_json::Value = reqwest::Client::new()
                .post(format!("{base}/v2/api-connectors"))
                .bearer_auth(token)
                .json(&body)
                .send()
                .await?
                .json()
                .await?;
            anyhow::Ok(
                r["apiConnectorId"]
                    .as_str()
                    .with_context(|| format!("no connector: {r}"))?
                    .to_owned(),
            )
        })
    };
    let id = create_connector("bench", "/v2/teams")?;
    let slow_id = create_connector("bench-slow", "/v2/slow/teams")?;
    let team = r#"{"name": "Sales \"West\"", "description": "bench", "members": [], "createTeamFolder": false, "visibility": "private"}"#;
    let direct = Req::PostJson {
        path: "/v2/teams".into(),
        body: team.into(),
        bearer: "unused".into(),
    };
    let call_body =
        r#"{"parameters": {"team-name": "Sales \"West\"", "team-description": "bench"}}"#;
    let via = Req::PostJson {
        path: format!("/v2/api-connectors/{id}/call"),
        body: call_body.into(),
        bearer: token.to_owned(),
    };
    let (direct_slow, via_slow) = (
        Req::PostJson {
            path: "/v2/slow/teams".into(),
            body: team.into(),
            bearer: "unused".into(),
        },
        Req::PostJson {
            path: format!("/v2/api-connectors/{slow_id}/call"),
            body: call_body.into(),
            bearer: token.to_owned(),
        },
    );
    let (direct_1, via_1) = client_rt.block_on(async {
        (
            measure(
                "direct to the upstream, 1 connection",
                &upstream,
                direct.clone(),
                1,
                s,
            )
            .await,
            measure(
                "through sigil's connector, 1 connection",
                &base,
                via.clone(),
                1,
                s,
            )
            .await,
        )
    });
    // Throughput moves with whatever else the machine does, so the three scenarios
    // are measured in alternation, `rounds` times, and each one's median round is
    // kept: a slow spell then hits all three rather than one of them.
    let (mut directs, mut bares, mut vias) = (Vec::new(), Vec::new(), Vec::new());
    client_rt.block_on(async {
        // Thread names are cut to 15 bytes by the kernel; these prefixes are unique.
        // sigil's SQLite connections each run on a worker thread of their own.
        let (up, bp, sg, sq) = ("upstream", "bare-proxy", "sigil-server", "sqlx-sqlite");
        for _ in 0..rounds {
            directs.push(
                measure_cpu(
                    "direct to the upstream",
                    &upstream,
                    direct.clone(),
                    c,
                    s,
                    &[up],
                )
                .await,
            );
            bares.push(
                measure_cpu(
                    "through a bare forwarding proxy",
                    &bare,
                    direct.clone(),
                    c,
                    s,
                    &[bp, up],
                )
                .await,
            );
            vias.push(
                measure_cpu(
                    "through sigil's connector",
                    &base,
                    via.clone(),
                    c,
                    s,
                    &[sg, sq, up],
                )
                .await,
            );
        }
    });
    // Not the issue's measure (that is the echo upstream above): the same comparison
    // against an upstream that takes 10 ms to answer, as an API across a network does.
    let (slow_direct, slow_via) = client_rt.block_on(async {
        (
            measure(
                "direct, upstream answering in 10 ms",
                &upstream,
                direct_slow,
                c,
                s,
            )
            .await,
            measure(
                "through sigil, upstream answering in 10 ms",
                &base,
                via_slow,
                c,
                s,
            )
            .await,
        )
    });
    let (direct_c, bare_c, via_c) = (
        median_round(directs),
        median_round(bares),
        median_round(vias),
    );
    println!("\n## Connectors ({c}-connection rows: median of {rounds} alternating rounds)\n");
    print_table(&[
        direct_1.clone(),
        via_1.clone(),
        direct_c.clone(),
        bare_c.clone(),
        via_c.clone(),
        slow_direct.clone(),
        slow_via.clone(),
    ]);
    println!();
    let added_p50 = via_1.p50_us as f64 - direct_1.p50_us as f64;
    let added_p99 = via_1.p99_us as f64 - direct_1.p99_us as f64;
    println!("| measure | measured | target | |");
    println!("|---|---:|---:|---|");
    println!(
        "| added latency p50 (1 connection) | {:.3} ms | ≤ 0.3 ms | {} |",
        added_p50 / 1000.0,
        if added_p50 <= 300.0 {
            "meets"
        } else {
            "MISSES"
        }
    );
    println!(
        "| added latency p99 (1 connection) | {:.3} ms | — | |",
        added_p99 / 1000.0
    );
    ratio_line(
        &format!("throughput through sigil ÷ direct ({c} connections)"),
        &via_c,
        &direct_c,
        0.7,
    );
    println!(
        "| bare forwarding proxy ÷ direct: the most any proxy reaches here | {:.2} | — | |",
        bare_c.rps / direct_c.rps
    );
    println!(
        "| sigil's connector ÷ bare forwarding proxy | {:.2} | — | |",
        via_c.rps / bare_c.rps
    );
    println!(
        "| throughput through sigil ÷ direct, upstream answering in 10 ms (not the target's measure) | {:.2} | — | |",
        slow_via.rps / slow_direct.rps
    );
    // CPU per request is what the machine's noise moves least, and what sizes a
    // deployment: how many cores sigil needs to keep up with an upstream.
    println!("\n| CPU time per request ({c} connections, median round) | µs |");
    println!("|---|---:|");
    for o in [&direct_c, &bare_c, &via_c] {
        for (thread, us) in &o.cpu_us {
            println!("| {}: `{thread}` threads | {us:.1} |", o.name);
        }
    }

    // Importing Sigma's newest document (3.6 MB, with reference cycles).
    let reference = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/sigma-rest-api-2026-08.json");
    match std::fs::read(&reference) {
        Ok(doc) => {
            let mut parse = Vec::new();
            for _ in 0..5 {
                let t0 = Instant::now();
                let d = sigil_connect::openapi::parse(&doc)?;
                anyhow::ensure!(d.operations()?.len() > 150);
                parse.push(t0.elapsed());
            }
            let mut http = Vec::new();
            for _ in 0..5 {
                let t0 = Instant::now();
                let status = import_sigma(client_rt, &base, token, &doc)?;
                anyhow::ensure!(status.is_success(), "import answered {status}");
                http.push(t0.elapsed());
            }
            println!(
                "\nImport of sigma-rest-api-2026-08.json ({:.1} MB): parse and list operations median {:.1} ms; POST /v2/api-documents median {:.1} ms (5 runs each)",
                doc.len() as f64 / 1e6,
                median(&mut parse).as_secs_f64() * 1000.0,
                median(&mut http).as_secs_f64() * 1000.0,
            );
        }
        Err(e) => println!("\n(import time not measured: {}: {e})", reference.display()),
    }
    Ok(())
}
