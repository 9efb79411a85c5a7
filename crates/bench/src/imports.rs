//! The imports suite: what hostile OpenAPI documents cost the server. Eight imports at
//! once of documents built to cost memory (a huge array in YAML and in JSON, an alias
//! bomb, and documents just under the node limit, which are accepted), with the
//! process's resident memory sampled throughout; then Sigma's own document, which
//! must still import.
//!
//! The server runs in this process, so the figures include the load generator (a few
//! MB: it holds the eight bodies). Run it alone for a clean baseline:
//! `cargo run --release -p sigil-bench -- --suite imports`.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::*;

/// Resident memory of this process now, and its high-water mark, in bytes.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// An OpenAPI document whose one schema holds an enum of `n` ones, as YAML or JSON:
/// about two bytes per element, as in the report (1.8 MB for 900,000).
fn array_document(n: usize, yaml: bool) -> Vec<u8> {
    let values = "1,".repeat(n);
    let values = values.trim_end_matches(',');
    if yaml {
        format!(
            "openapi: 3.0.0\ninfo: {{title: big}}\npaths: {{}}\ncomponents:\n  schemas:\n    Big: {{enum: [{values}]}}\n"
        )
        .into_bytes()
    } else {
        format!(
            "{{\"openapi\": \"3.0.0\", \"info\": {{\"title\": \"big\"}}, \"paths\": {{}}, \"components\": {{\"schemas\": {{\"Big\": {{\"enum\": [{values}]}}}}}}}}"
        )
        .into_bytes()
    }
}

/// Nine levels of ten aliases each: a billion nodes if expanded.
fn alias_bomb() -> Vec<u8> {
    let mut y = String::from(
        "openapi: 3.0.0\ninfo: {title: bomb}\npaths: {}\nx0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..10 {
        let p = format!("*a{}", i - 1);
        y.push_str(&format!("x{i}: &a{i} [{}]\n", vec![p; 10].join(", ")));
    }
    y.push_str("components: {schemas: {Bomb: {enum: *a9}}}\n");
    y.into_bytes()
}

pub(crate) fn imports_suite(
    server: &Server,
    client_rt: &tokio::runtime::Runtime,
    token: &str,
) -> anyhow::Result<()> {
    let limits = sigil_connect::openapi::Limits::default();
    let just_under = limits.max_nodes - 1000;
    let hostile: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "YAML, 900,000-element array",
            array_document(900_000, true),
            "application/yaml",
        ),
        (
            "JSON, 900,000-element array",
            array_document(900_000, false),
            "application/json",
        ),
        (
            "YAML alias bomb (10^9 nodes expanded)",
            alias_bomb(),
            "application/yaml",
        ),
        (
            "JSON, 4,000,000-element array (8 MB)",
            array_document(4_000_000, false),
            "application/json",
        ),
        (
            "YAML, just under the node limit",
            array_document(just_under, true),
            "application/yaml",
        ),
        (
            "JSON, just under the node limit",
            array_document(just_under, false),
            "application/json",
        ),
        (
            "YAML, just under the node limit (2)",
            array_document(just_under, true),
            "application/yaml",
        ),
        (
            "JSON, just under the node limit (2)",
            array_document(just_under, false),
            "application/json",
        ),
    ];
    let base = server.base.clone();
    let (before, _) = rss();
    // Reset the high-water mark, so that it covers this suite alone.
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let peak = Arc::new(AtomicU64::new(before));
    let done = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, done) = (peak.clone(), done.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max(rss().0, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(2));
            }
        })
    };
    let t0 = Instant::now();
    let answers = client_rt.block_on(async {
        let client = reqwest::Client::new();
        let calls: Vec<_> = hostile
            .iter()
            .map(|(name, body, ct)| {
                let (client, base, token) = (client.clone(), base.clone(), token.to_owned());
                let (name, body, ct) = (*name, body.clone(), *ct);
                tokio::spawn(async move {
                    let t = Instant::now();
                    let bytes = body.len();
                    let r = client
                        .post(format!("{base}/v2/api-documents"))
                        .bearer_auth(token)
                        .header("content-type", ct)
                        .body(body)
                        .send()
                        .await?;
                    let status = r.status();
                    let text = r.text().await?;
                    let message = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v["message"].as_str().map(str::to_owned))
                        .unwrap_or_default();
                    anyhow::Ok((name, bytes, status, message, t.elapsed()))
                })
            })
            .collect();
        let mut out = Vec::new();
        for c in calls {
            out.push(c.await?);
        }
        anyhow::Ok(out)
    })?;
    let wall = t0.elapsed();
    done.store(true, Ordering::Relaxed);
    sampler.join().ok();
    let (after, hwm) = rss();
    let sampled = peak.load(Ordering::Relaxed);

    println!("\n## Imports: 8 hostile documents at once\n");
    println!("| document | bytes | status | ms | message |");
    println!("|---|---:|---:|---:|---|");
    for a in answers {
        let (name, bytes, status, message, took) = a?;
        let message: String = message.chars().take(110).collect();
        println!(
            "| {name} | {bytes} | {} | {:.0} | {message} |",
            status.as_u16(),
            took.as_secs_f64() * 1000.0
        );
        anyhow::ensure!(
            !status.is_server_error(),
            "{name}: the server answered {status}"
        );
    }
    let (docs, cached) = server_cache(server);
    println!(
        "\nResident memory: {:.0} MB before, peak {:.0} MB (sampled every 2 ms{}), {:.0} MB after; {docs} parsed documents kept, {:.1} MB estimated; {:.1} s for all eight.",
        mb(before),
        mb(sampled.max(if reset { hwm } else { 0 })),
        if reset { "; and the kernel's high-water mark" } else { "" },
        mb(after),
        mb(cached as u64),
        wall.as_secs_f64()
    );
    println!(
        "Limits in force: {} bytes, {} nodes per document; target: peak under 300 MB.",
        limits.max_bytes, limits.max_nodes
    );

    let reference = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/sigma-rest-api-2026-08.json");
    match std::fs::read(&reference) {
        Ok(doc) => {
            let t = Instant::now();
            let status = import_sigma(client_rt, &base, token, &doc)?;
            anyhow::ensure!(status.is_success(), "Sigma's document: {status}");
            let parsed = sigil_connect::openapi::parse(&doc)?;
            println!(
                "Sigma's document ({:.1} MB) still imports: {} in {:.0} ms; parsed, it weighs {:.1} MB (estimated).",
                doc.len() as f64 / 1e6,
                status.as_u16(),
                t.elapsed().as_secs_f64() * 1000.0,
                mb(parsed.weight() as u64)
            );
        }
        Err(e) => println!(
            "(Sigma's document not imported: {}: {e})",
            reference.display()
        ),
    }
    Ok(())
}

/// Imports Sigma's document (JSON) as `sigma`; answers the status.
pub(crate) fn import_sigma(
    client_rt: &tokio::runtime::Runtime,
    base: &str,
    token: &str,
    doc: &[u8],
) -> anyhow::Result<reqwest::StatusCode> {
    Ok(client_rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/v2/api-documents?name=sigma"))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(doc.to_vec())
            .send()
            .await
            .map(|r| r.status())
    })?)
}

/// The server's parsed-document cache: documents kept and estimated bytes.
fn server_cache(server: &Server) -> (usize, usize) {
    server._app.state.services.documents.cache_usage()
}
