//! `sigil serve`: open the store, create the organization on first run, build the
//! services, serve until SIGINT or SIGTERM, then drain.

use std::sync::Arc;

use anyhow::Context;
use sigil_service::bootstrap::{initialize_if_empty, FirstRun, InitOutput};
use sigil_service::config::Config;
use sigil_service::startup;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::state::AppState;

/// Prints first-run credentials. Goes to stdout, once; never to the log. What the
/// configuration named (`bootstrap.*`) is not printed: whoever configured it knows it.
pub fn print_first_run(out: &InitOutput, base_url: &str) {
    let c = out.configured;
    if c.password && c.client {
        println!(
            "\nsigil: first run — created the organization, its first Admin and client \
             credentials from the bootstrap settings.\n"
        );
        return;
    }
    let mut lines = vec![
        format!("  organization id  {}", out.organization_id),
        format!("  member id        {}", out.member_id),
    ];
    if !c.email {
        lines.push(format!("  email            {}", out.email));
    }
    if !c.password {
        lines.push(format!("  password         {}", out.password));
    }
    if !c.client {
        lines.push(format!("  client id        {}", out.client_id));
        lines.push(format!("  client secret    {}", out.client_secret));
    }
    println!(
        "\nsigil: first run — created the organization and its first Admin.\n\
         These secrets are shown once; store them now.\n\n{}\n",
        lines.join("\n")
    );
    if !c.password {
        println!("Sign in to the web pages at {base_url}/ with the email and password.\n");
    }
    if !c.client {
        println!(
            "Get a token:\n\
             \x20 curl -s -X POST {base_url}/v2/auth/token -d grant_type=client_credentials \\\n\
             \x20   -d client_id={} -d client_secret={}\n",
            out.client_id, out.client_secret,
        );
    }
}

/// Reads and parses a seed file (YAML or JSON).
pub fn read_seed(path: &std::path::Path) -> anyhow::Result<sigil_service::seed::SeedFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the seed file {}", path.display()))?;
    sigil_service::seed::SeedFile::parse(&text)
        .map_err(|e| anyhow::anyhow!("seed file {}: {e}", path.display()))
}

/// Listens for SIGINT and SIGTERM. The handlers are installed when this is called,
/// not when the future is first polled, so a signal that arrives right after the
/// "listening" line still shuts down gracefully.
fn shutdown_signal(
    tx: watch::Sender<bool>,
) -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    let (mut int, mut term) = {
        use tokio::signal::unix::{signal, SignalKind};
        (
            signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
            signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
        )
    };
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = int.recv() => {},
            _ = term.recv() => {},
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = tx.send(true);
    })
}

/// `sigil serve`.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let config = Arc::new(config);
    if config.ephemeral {
        tracing::warn!(
            "ephemeral: the database and the master key are kept in memory; nothing is \
             written to disk and everything is lost when sigil stops"
        );
    }
    // Read before anything is written: a seed file with an error stops the start.
    let seed = match &config.seed {
        Some(path) => Some(read_seed(path)?),
        None => None,
    };
    let store = startup::open_store(&config).await?;
    let keys = startup::load_keys(&config)?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let mut first = FirstRun::from_config(&config);
    // The first Admin keeps the id a seed file gives it (an exported file seeds
    // the same ids again).
    first.admin_id = seed
        .as_ref()
        .and_then(|s| sigil_service::seed::member_id_in(s, first.admin_email));
    let first_run = initialize_if_empty(
        store.as_ref(),
        &keys.client_secrets(&config)?,
        &first,
        config.bootstrap.admin_email.is_some(),
    )
    .await?;
    if let Some(out) = &first_run {
        print_first_run(out, &config.base_url());
    }
    let services = startup::build(config.clone(), store.clone(), &keys).await?;
    tracing::info!(database = services.dialect().as_str(), "database ready");
    if let (Some(file), Some(path)) = (&seed, &config.seed) {
        match &first_run {
            Some(out) => {
                let loaded = sigil_service::seed::load(&services, file, out.member_id)
                    .await
                    .map_err(|e| anyhow::anyhow!("seed file {}: {e}", path.display()))?;
                tracing::info!(file = %path.display(), ?loaded, "seed file loaded");
            }
            None => tracing::info!(
                file = %path.display(),
                "the database was not empty: the seed file was not loaded (use `sigil seed`)"
            ),
        }
    }
    if services.testing.take_initial().await? {
        tracing::info!(
            "testing endpoints on: snapshot `initial` taken (POST /_sigil/reset goes back to it)"
        );
    }
    let (tx, rx) = watch::channel(false);
    let shutdown = shutdown_signal(tx)?;
    let background = startup::spawn_background(services.clone(), rx.clone());
    let bound = listener.local_addr().context("listener address")?;
    // With port 0 the listen address says nothing; the bound one is our own origin.
    services
        .connectors
        .engine()
        .trust_origin(&bound.ip().to_string(), bound.port());
    tracing::info!(listen = %bound, "sigil is listening on http://{bound}");
    crate::listen::serve(
        listener,
        crate::app(AppState::new(services.clone())),
        crate::listen::Limits::of(&config.http),
        shutdown,
    )
    .await;
    let _ = background.await;
    // Calls answered before the shutdown are in the call log before the store closes.
    startup::drain(&services).await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}
