//! `sigil serve`: open the store, create the organization on first run, build the
//! services, serve until SIGINT or SIGTERM, then drain.

use std::sync::Arc;

use anyhow::Context;
use sigil_service::bootstrap::{initialize_if_empty, InitOutput};
use sigil_service::config::Config;
use sigil_service::startup;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::state::AppState;

/// Prints first-run credentials. Goes to stdout, once; never to the log.
pub fn print_first_run(out: &InitOutput, base_url: &str) {
    println!(
        "\nsigil: first run — created the organization and its first Admin.\n\
         These secrets are shown once; store them now.\n\n\
         \x20 organization id  {}\n\
         \x20 member id        {}\n\
         \x20 email            {}\n\
         \x20 password         {}\n\
         \x20 client id        {}\n\
         \x20 client secret    {}\n\n\
         Sign in to the web pages at {base_url}/ with the email and password.\n\n\
         Get a token:\n\
         \x20 curl -s -X POST {base_url}/v2/auth/token -d grant_type=client_credentials \\\n\
         \x20   -d client_id={} -d client_secret={}\n",
        out.organization_id,
        out.member_id,
        out.email,
        out.password,
        out.client_id,
        out.client_secret,
        out.client_id,
        out.client_secret,
    );
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
    let store = startup::open_store(&config).await?;
    let keys = startup::load_keys(&config)?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let first_run = initialize_if_empty(
        store.as_ref(),
        &keys.client_secrets(&config)?,
        &config.admin_email,
        &config.organization_name,
    )
    .await?;
    if let Some(out) = first_run {
        print_first_run(&out, &config.base_url());
    }
    let services = startup::build(config.clone(), store.clone(), &keys).await?;
    tracing::info!(database = services.dialect().as_str(), "database ready");
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
