//! Start-up and shutdown: open the store (migrating it), load the keys, create the
//! organization on first run, serve until SIGINT or SIGTERM, then drain.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sigil_store::{SqlStore, Store};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth::keys::MasterKey;
use crate::auth::secrets::SecretHasher;
use crate::bootstrap::{initialize, InitOutput};
use crate::config::Config;
use crate::state::{AppState, Keys};

/// Opens the database named by the configuration, creating the data directory for
/// the default SQLite file, and applies migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<SqlStore>> {
    if config.uses_default_sqlite() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("cannot create data directory {}", config.data_dir.display())
        })?;
    }
    let store = SqlStore::connect(&config.database_url())
        .await
        .context("cannot open the database")?;
    Ok(Arc::new(store))
}

/// The master key from configuration, or from `<data_dir>/master.key`.
pub fn load_keys(config: &Config) -> anyhow::Result<Keys> {
    let master = match &config.master_key {
        Some(k) => MasterKey::from_base64(k.expose()).context("master_key")?,
        None => MasterKey::load_or_create(&config.data_dir.join("master.key"))?,
    };
    Ok(Keys::derive(&master))
}

/// Builds the state for an initialized database.
pub async fn build_state(
    config: Arc<Config>,
    store: Arc<dyn Store>,
    keys: &Keys,
) -> anyhow::Result<AppState> {
    let organization = store
        .organization()
        .await?
        .context("the database holds no organization; run `sigil init`")?;
    let state = AppState::new(config, store, keys, organization);
    // Load recent revocations before the first request is answered.
    let window = Duration::from_secs(state.config.auth.access_token_ttl_secs);
    state.revocations.sync(state.store.as_ref(), window).await?;
    Ok(state)
}

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

/// Deletes connector calls older than `connect.call_log_retention_days` (none when
/// it is 0).
pub async fn prune_call_log(state: &AppState) {
    let days = state.config.connect.call_log_retention_days;
    if days == 0 {
        return;
    }
    let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
    match state.store.prune_api_calls(cutoff).await {
        Ok(n) if n > 0 => tracing::info!(pruned = n, days, "old connector calls deleted"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not prune the connector call log"),
    }
}

/// Background work that lives as long as the server: reading revocations made by
/// other nodes, and pruning expired refresh tokens and old connector calls.
pub fn spawn_background(
    state: AppState,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let poll = Duration::from_millis(state.config.auth.revocation_poll_ms);
        let window = Duration::from_secs(state.config.auth.access_token_ttl_secs);
        let mut revocations = tokio::time::interval(poll);
        let mut prune = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tokio::select! {
                _ = shutdown.changed() => break,
                _ = revocations.tick() => {
                    if let Err(e) = state.revocations.sync(state.store.as_ref(), window).await {
                        tracing::warn!(error = %e, "could not read revocations");
                    }
                }
                _ = prune.tick() => {
                    let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(1);
                    match state.store.prune_refresh_tokens(cutoff).await {
                        Ok(n) if n > 0 => tracing::info!(pruned = n, "expired refresh tokens deleted"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "could not prune refresh tokens"),
                    }
                    prune_call_log(&state).await;
                }
            }
        }
    })
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
    let store = open_store(&config).await?;
    let keys = load_keys(&config)?;
    tracing::info!(database = store.dialect().as_str(), "database ready");
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let base_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.listen));
    if store.organization().await?.is_none() {
        let hasher = SecretHasher::new(keys.secret_hashing);
        match initialize(
            store.as_ref(),
            &hasher,
            &config.admin_email,
            &config.organization_name,
        )
        .await
        {
            Ok(out) => print_first_run(&out, &base_url),
            // Another node won the race to initialize a shared database: fine.
            Err(crate::bootstrap::InitError::AlreadyInitialized) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let state = build_state(config.clone(), store.clone(), &keys).await?;
    let (tx, rx) = watch::channel(false);
    let shutdown = shutdown_signal(tx)?;
    let background = spawn_background(state.clone(), rx.clone());
    let bound = listener.local_addr().context("listener address")?;
    // With port 0 the listen address says nothing; the bound one is our own origin.
    state
        .engine
        .trust_origin(&bound.ip().to_string(), bound.port());
    tracing::info!(listen = %bound, "sigil is listening on http://{bound}");
    axum::serve(listener, crate::app(state.clone()))
        .with_graceful_shutdown(shutdown)
        .await
        .context("server error")?;
    let _ = background.await;
    // Calls answered before the shutdown are in the call log before the store closes.
    let _ = tokio::time::timeout(Duration::from_secs(5), state.audit.flush()).await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}
