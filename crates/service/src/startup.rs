//! Start-up pieces shared by `sigil serve`, `sigil init`, the tests and the bench:
//! opening the store (migrating it), the keys derived from the master key, building
//! [`Services`] on an initialized database, and the background work that lives as
//! long as the server.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sigil_store::{SqlStore, Store};
use tokio::sync::watch;

use crate::auth::keys::MasterKey;
use crate::auth::secrets::ClientSecrets;
use crate::config::Config;
use crate::Services;

/// Keys derived from the master key, one per purpose.
pub struct Keys {
    pub token_signing: [u8; 32],
    pub secret_hashing: [u8; 32],
    /// Seals API credential secrets unless `connect.sealing_keys` are configured.
    pub sealing: [u8; 32],
}

impl Keys {
    pub fn derive(master: &MasterKey) -> Self {
        Keys {
            token_signing: master.derive("access-token-signing/v1"),
            secret_hashing: master.derive("client-secret-hashing/v1"),
            sealing: master.derive("api-credential-sealing/v1"),
        }
    }

    /// The keyring sealing credential secrets: `connect.sealing_keys`, or the key
    /// derived from the master key.
    pub fn sealing_keyring(
        &self,
        config: &Config,
    ) -> anyhow::Result<Arc<sigil_connect::sealing::Keyring>> {
        let ring = config
            .sealing_keyring(&self.sealing)
            .map_err(|e| anyhow::anyhow!("connect.sealing_keys: {e}"))?;
        Ok(Arc::new(ring))
    }

    /// What protects client secrets: their hash, and their sealing under the same
    /// keyring as API credential secrets.
    pub fn client_secrets(&self, config: &Config) -> anyhow::Result<ClientSecrets> {
        Ok(ClientSecrets::new(
            self.secret_hashing,
            self.sealing_keyring(config)?,
        ))
    }
}

/// Opens the database named by the configuration, creating the data directory for
/// the default SQLite file, and applies migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<SqlStore>> {
    if config.uses_default_sqlite() {
        private_files(config)?;
    }
    let power_safe = config.sqlite_synchronous.power_safe();
    let store = SqlStore::connect_durable(&config.database_url(), power_safe)
        .await
        .context("cannot open the database")?;
    Ok(Arc::new(store))
}

/// The data directory is the server's alone (0700), and so is the database (0600):
/// it holds password and secret hashes and sealed secrets. SQLite gives its WAL and
/// shared-memory files the database file's mode.
fn private_files(config: &Config) -> anyhow::Result<()> {
    let dir = &config.data_dir;
    let existed = dir.exists();
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !existed {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("cannot make {} private", dir.display()))?;
        }
        let db = dir.join("sigil.db");
        if !db.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&db)
                .with_context(|| format!("cannot create {}", db.display()))?;
        }
        for f in ["sigil.db", "sigil.db-wal", "sigil.db-shm"] {
            let p = dir.join(f);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                    .with_context(|| format!("cannot make {} private", p.display()))?;
            }
        }
    }
    let _ = existed;
    Ok(())
}

/// The master key from configuration, or from `<data_dir>/master.key`, or (ephemeral)
/// a new one.
pub fn load_keys(config: &Config) -> anyhow::Result<Keys> {
    let master = match &config.master_key {
        Some(k) => MasterKey::from_base64(k.expose()).context("master_key")?,
        // Nothing on disk: the key lives as long as the in-memory database it seals.
        None if config.ephemeral => MasterKey::generate(),
        None => MasterKey::load_or_create(&config.data_dir.join("master.key"))?,
    };
    Ok(Keys::derive(&master))
}

/// The outbound engine's settings, from the configuration.
pub fn engine_config(
    config: &Config,
) -> Result<sigil_connect::engine::EngineConfig, crate::ServiceError> {
    let c = &config.connect;
    Ok(sigil_connect::engine::EngineConfig {
        allowed_networks: config
            .allowed_networks()
            .map_err(crate::ServiceError::internal)?,
        trusted_origins: vec![config.own_origin()],
        max_response_bytes: c.max_response_bytes,
        rate_window: Duration::from_secs(c.rate_limit_window_secs),
        ..Default::default()
    })
}

/// Builds the services for an initialized database, with the recent revocations
/// loaded before the first request is answered.
pub async fn build(
    config: Arc<Config>,
    store: Arc<dyn Store>,
    keys: &Keys,
) -> anyhow::Result<Arc<Services>> {
    let organization = store
        .organization()
        .await?
        .context("the database holds no organization; run `sigil init`")?;
    let services = Services::new(config, store, keys, organization)?;
    let window = Duration::from_secs(services.config.auth.access_token_ttl_secs);
    services.auth.sync_revocations(window).await?;
    Ok(Arc::new(services))
}

/// Deletes connector calls older than `connect.call_log_retention_days` (none when
/// it is 0).
pub async fn prune_call_log(services: &Services) {
    let days = services.config.connect.call_log_retention_days;
    if days == 0 {
        return;
    }
    let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
    match services.store.prune_api_calls(cutoff).await {
        Ok(n) if n > 0 => tracing::info!(pruned = n, days, "old connector calls deleted"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not prune the connector call log"),
    }
}

/// Background work that lives as long as the server: reading revocations made by
/// other nodes, and pruning expired refresh tokens and old connector calls.
pub fn spawn_background(
    services: Arc<Services>,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let poll = Duration::from_millis(services.config.auth.revocation_poll_ms);
        let window = Duration::from_secs(services.config.auth.access_token_ttl_secs);
        let mut revocations = tokio::time::interval(poll);
        let mut prune = tokio::time::interval(Duration::from_secs(3600));
        // On PostgreSQL, another node's revocation wakes this at once; the poll stays
        // for when the notifications are not heard.
        let written = services.store.revocations_written();
        let woken = || {
            let written = written.clone();
            async move {
                match written {
                    Some(n) => n.notified().await,
                    None => std::future::pending().await,
                }
            }
        };
        loop {
            tokio::select! {
                _ = shutdown.changed() => break,
                _ = revocations.tick() => {
                    if let Err(e) = services.auth.sync_revocations(window).await {
                        tracing::warn!(error = %e, "could not read revocations");
                    }
                }
                _ = woken() => {
                    if let Err(e) = services.auth.sync_revocations(window).await {
                        tracing::warn!(error = %e, "could not read revocations");
                    }
                }
                _ = prune.tick() => {
                    let cutoff = time::OffsetDateTime::now_utc() - time::Duration::days(1);
                    match services.store.prune_refresh_tokens(cutoff).await {
                        Ok(n) if n > 0 => tracing::info!(pruned = n, "expired refresh tokens deleted"),
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "could not prune refresh tokens"),
                    }
                    prune_call_log(&services).await;
                    if let Err(e) = services.sessions.prune().await {
                        tracing::warn!(error = %e, "could not prune web sessions");
                    }
                }
            }
        }
    })
}

/// Everything written before a shutdown reaches the store before it closes.
pub async fn drain(services: &Services) {
    let _ = tokio::time::timeout(Duration::from_secs(5), services.connectors.audit().flush()).await;
}
