//! [`AppState`]: what every handler can reach, built once at start-up and passed
//! explicitly to the router.

use std::ops::Deref;
use std::sync::Arc;

use sigil_core::Organization;
use sigil_store::Store;

use crate::auth::account_types::AccountTypeCache;
use crate::auth::client_cache::ClientCache;
use crate::auth::keys::MasterKey;
use crate::auth::secrets::SecretHasher;
use crate::auth::{RevocationSet, TokenIssuer};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::pagination::PageCursors;
use crate::read_cache::Reads;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Arc<Config>,
    pub store: Arc<dyn Store>,
    pub tokens: TokenIssuer,
    pub secrets: SecretHasher,
    pub revocations: Arc<RevocationSet>,
    pub clients: ClientCache,
    pub account_types: AccountTypeCache,
    pub cursors: PageCursors,
    /// The outbound engine of API connectors, and the keys sealing their secrets.
    pub engine: sigil_connect::engine::Engine,
    pub keyring: sigil_connect::sealing::Keyring,
    /// Parsed OpenAPI documents, by id.
    pub documents: crate::routes::api_documents::ParsedDocuments,
    /// Action sequences started by webhooks, by trace id.
    pub webhook_runs: crate::routes::workbooks::WebhookRuns,
    /// Connector calls on their way to the call log.
    pub audit: crate::routes::api_connectors::AuditLog,
    /// Hot reads remembered while the store's generation stands still.
    pub reads: Reads,
    pub metrics: Arc<Metrics>,
    /// The organization this server holds; it never changes once created.
    pub organization: Organization,
    /// An argon2 hash of a random password, verified against when an email is
    /// unknown so that timing does not reveal which emails exist. Made on first use.
    dummy_hash: tokio::sync::OnceCell<String>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("organization", &self.organization.id)
            .field("store", &self.store.dialect())
            .finish_non_exhaustive()
    }
}

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
}

impl AppState {
    pub fn new(
        config: Arc<Config>,
        store: Arc<dyn Store>,
        keys: &Keys,
        organization: Organization,
    ) -> Self {
        let keyring = config
            .sealing_keyring(&keys.sealing)
            .expect("connect.sealing_keys were validated with the configuration");
        let engine = sigil_connect::engine::Engine::new(engine_config(&config))
            .expect("the HTTP client for connectors builds");
        AppState(Arc::new(Inner {
            engine,
            keyring,
            documents: Default::default(),
            webhook_runs: Default::default(),
            audit: crate::routes::api_connectors::AuditLog::spawn(store.clone()),
            tokens: TokenIssuer::new(&keys.token_signing, config.auth.access_token_ttl_secs),
            secrets: SecretHasher::new(keys.secret_hashing),
            revocations: Arc::new(RevocationSet::new()),
            clients: ClientCache::new(),
            account_types: AccountTypeCache::new(),
            cursors: PageCursors::new(),
            reads: Reads::default(),
            metrics: Arc::new(Metrics::new()),
            config,
            store,
            organization,
            dummy_hash: tokio::sync::OnceCell::new(),
        }))
    }

    pub async fn dummy_password_hash(&self) -> String {
        self.dummy_hash
            .get_or_init(|| {
                crate::auth::secrets::hash_password_async(crate::auth::secrets::new_password())
            })
            .await
            .clone()
    }
}

fn engine_config(config: &Config) -> sigil_connect::engine::EngineConfig {
    let c = &config.connect;
    sigil_connect::engine::EngineConfig {
        allowed_networks: config
            .allowed_networks()
            .expect("connect.allowed_networks were validated with the configuration"),
        trusted_origins: vec![config.own_origin()],
        max_response_bytes: c.max_response_bytes,
        rate_window: std::time::Duration::from_secs(c.rate_limit_window_secs),
        ..Default::default()
    }
}
