//! The load generator: requests, concurrent connections for a while, latency
//! histograms and CPU time per request by thread group, and the tables they print.

use crate::*;

/// One measured scenario.
#[derive(Clone)]
pub(crate) struct Outcome {
    pub(crate) name: &'static str,
    pub(crate) requests: u64,
    pub(crate) errors: u64,
    pub(crate) rps: f64,
    pub(crate) p50_us: u64,
    pub(crate) p99_us: u64,
    /// CPU time per request of each thread group asked for, in µs.
    pub(crate) cpu_us: Vec<(&'static str, f64)>,
}

/// Nanoseconds on CPU so far of this process's threads whose name starts with
/// `prefix` (Linux's per-thread schedstat; 0 where it cannot be read).
pub(crate) fn thread_cpu_ns(prefix: &str) -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.starts_with(prefix))
        })
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// How to send one request of a scenario.
#[derive(Clone)]
pub(crate) enum Req {
    Get {
        path: String,
        bearer: Option<String>,
    },
    PostForm {
        path: String,
        body: String,
    },
    PostJson {
        path: String,
        body: String,
        bearer: String,
    },
    Mix(Mix),
}

/// Several requests taken in turn (one scenario's mix, such as nine reads and a
/// write), counted across every connection.
#[derive(Clone)]
pub(crate) struct Mix {
    pub(crate) reqs: Vec<Req>,
    pub(crate) next: Arc<std::sync::atomic::AtomicUsize>,
}

impl Mix {
    /// The scenario's request: these, in turn.
    pub(crate) fn req(reqs: Vec<Req>) -> Req {
        Req::Mix(Mix {
            reqs,
            next: Arc::default(),
        })
    }
}

pub(crate) async fn send(client: &reqwest::Client, base: &str, req: &Req) -> bool {
    let req = match req {
        Req::Mix(m) => {
            let i = m.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            &m.reqs[i % m.reqs.len()]
        }
        other => other,
    };
    let res = match req {
        Req::Mix(_) => return false,
        Req::Get { path, bearer } => {
            let mut r = client.get(format!("{base}{path}"));
            if let Some(t) = bearer {
                r = r.bearer_auth(t);
            }
            r.send().await
        }
        Req::PostJson { path, body, bearer } => {
            client
                .post(format!("{base}{path}"))
                .bearer_auth(bearer)
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
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

pub(crate) async fn measure(
    name: &'static str,
    base: &str,
    req: Req,
    connections: usize,
    seconds: u64,
) -> Outcome {
    measure_cpu(name, base, req, connections, seconds, &[]).await
}

/// [`measure`], also reading how much CPU the named thread groups spent per request
/// while measured (warm-up excluded).
pub(crate) async fn measure_cpu(
    name: &'static str,
    base: &str,
    req: Req,
    connections: usize,
    seconds: u64,
    threads: &[&'static str],
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

    let cpu_before: Vec<u64> = threads.iter().map(|t| thread_cpu_ns(t)).collect();
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
    let requests = all.len().max(1) as f64;
    let cpu_us = threads
        .iter()
        .zip(cpu_before)
        .map(|(t, before)| (*t, (thread_cpu_ns(t) - before) as f64 / 1000.0 / requests))
        .collect();
    Outcome {
        name,
        requests: all.len(),
        errors,
        rps: all.len() as f64 / elapsed,
        p50_us: all.value_at_quantile(0.50),
        p99_us: all.value_at_quantile(0.99),
        cpu_us,
    }
}

/// The round with the median throughput.
pub(crate) fn median_round(mut rounds: Vec<Outcome>) -> Outcome {
    rounds.sort_by(|a, b| a.rps.total_cmp(&b.rps));
    rounds.swap_remove(rounds.len() / 2)
}

pub(crate) fn print_table(rows: &[Outcome]) {
    println!("| scenario | requests | errors | req/s | p50 µs | p99 µs |");
    println!("|---|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {} | {} | {:.0} | {} | {} |",
            r.name, r.requests, r.errors, r.rps, r.p50_us, r.p99_us
        );
    }
}

pub(crate) fn ratio_line(label: &str, num: &Outcome, den: &Outcome, target: f64) {
    let ratio = num.rps / den.rps;
    let verdict = if ratio >= target { "meets" } else { "MISSES" };
    println!("| {label} | {ratio:.2} | ≥ {target} | {verdict} |");
}

pub(crate) fn quantile(v: &mut [Duration], q: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * q).round() as usize]
}

/// Prints the first, last and typical page times of a walk through a list.
pub(crate) fn print_walk(times: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let pages = times.len();
    let (first, last) = (times[0], times[pages - 1]);
    let early = median(&mut times[1..11.min(pages)].to_vec());
    let late = median(&mut times[pages.saturating_sub(10)..].to_vec());
    println!("| pages of 100 followed by nextPage | first page ms | last page ms | last ÷ first | median pages 2–11 ms | median last 10 ms | late ÷ early |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    println!(
        "| {pages} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
        ms(first),
        ms(last),
        ms(last) / ms(first),
        ms(early),
        ms(late),
        ms(late) / ms(early)
    );
}

pub(crate) fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Follows `nextPage` of `path` from the first page to the last, timing each request.
pub(crate) async fn walk_pages(
    base: &str,
    token: &str,
    path: &str,
    limit: u32,
) -> anyhow::Result<Vec<Duration>> {
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    let mut page = Some("1".to_string());
    while let Some(p) = page {
        let t0 = Instant::now();
        let res: serde_json::Value = client
            .get(format!("{base}{path}?limit={limit}&page={p}"))
            .bearer_auth(token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        times.push(t0.elapsed());
        page = res["nextPage"].as_str().map(str::to_owned);
    }
    Ok(times)
}
