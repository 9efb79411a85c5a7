//! Configuration, in layers: built-in defaults, then a TOML file (`--config` or
//! `SIGIL_CONFIG`), then `SIGIL_*` environment variables (nested keys with `__`, e.g.
//! `SIGIL_AUTH__ACCESS_TOKEN_TTL_SECS`), then command-line flags. [`Config::validate`]
//! runs once at start-up; the result is passed explicitly, never global.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use serde::Deserialize;

use crate::secret::Secret;

mod testing;
pub use testing::{BootstrapConfig, FaultRule, TestingConfig, MIN_CLIENT_SECRET, MIN_PASSWORD};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// What an acknowledged write promises on SQLite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SqliteSynchronous {
    /// An fsync per commit: survives a killed process and a power loss.
    #[default]
    Full,
    /// No fsync per commit: survives a killed process; a power loss may lose the
    /// last commits.
    Normal,
}

impl SqliteSynchronous {
    pub fn power_safe(self) -> bool {
        self == SqliteSynchronous::Full
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where the SQLite database and the generated master key live.
    pub data_dir: PathBuf,
    /// `postgres://…` or `sqlite:PATH`; when unset, `sqlite:<data_dir>/sigil.db`.
    pub database_url: Option<Secret<String>>,
    /// The URL clients reach this server at (used in printed examples).
    pub public_url: Option<String>,
    pub log_format: LogFormat,
    /// A `tracing` filter, e.g. `info` or `sigil_server=debug,info`.
    pub log_level: String,
    /// One INFO line per request (method, route, status, latency). Off by default:
    /// writing it costs about a quarter of the throughput of a cheap request
    /// (docs/performance.md). Answers of 500 and above are logged either way.
    pub access_log: bool,
    /// What an acknowledged write promises on SQLite (`full` or `normal`).
    pub sqlite_synchronous: SqliteSynchronous,
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// 32 bytes, base64. When unset, read from (or generated into)
    /// `<data_dir>/master.key`. Every node sharing a database needs the same key.
    pub master_key: Option<Secret<String>>,
    /// Email of the first member, created on first start.
    pub admin_email: String,
    /// Name of the organization created on first start.
    pub organization_name: String,
    pub auth: AuthConfig,
    pub connect: ConnectConfig,
    pub documents: DocumentsConfig,
    pub web: WebConfig,
    pub http: HttpConfig,
    /// Known first-run credentials, used only on an empty database.
    pub bootstrap: BootstrapConfig,
    /// Reset, snapshots and injected faults, for sigil used as a test double.
    pub testing: TestingConfig,
    /// Keep everything in memory (SQLite in memory, a master key made for the
    /// process): nothing is written to disk, and everything is gone at exit.
    pub ephemeral: bool,
    /// A seed file (YAML or JSON) loaded at start when the database is empty.
    pub seed: Option<PathBuf>,
    /// The in-memory database's name when `ephemeral`: made once per configuration.
    #[serde(skip)]
    pub ephemeral_name: String,
    /// What loading found worth saying but not refusing (unknown `SIGIL_*`
    /// variables), to be logged once logging is set up.
    #[serde(skip)]
    pub warnings: Vec<String>,
}

/// What one connection may cost: how long it may take to send a request's headers
/// or body, how long it may sit idle between requests, and how many there may be.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// A request's headers must arrive within this (also while a kept-alive
    /// connection waits for its next request: the connection is then closed).
    pub header_read_timeout_secs: u64,
    /// A connection with no request in flight and no bytes moving this long is closed.
    pub idle_timeout_secs: u64,
    /// A request body that sends nothing for this long fails (408).
    pub body_read_timeout_secs: u64,
    /// Connections served at once; more wait in the listen backlog.
    pub max_connections: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            header_read_timeout_secs: 15,
            idle_timeout_secs: 60,
            body_read_timeout_secs: 30,
            max_connections: 10_000,
        }
    }
}

/// Imported OpenAPI documents: what one may cost, and how much memory parsed ones
/// may keep.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DocumentsConfig {
    /// Largest document, in bytes (uploaded, in a request body, or fetched); larger
    /// ones get 413. Sigma's own is 3.6 MB.
    pub max_bytes: usize,
    /// Most nodes (objects, arrays and values) in one document; more get 413. Sigma's
    /// own has about 59,000. Parsing costs about 100 bytes of memory per node.
    pub max_nodes: usize,
    /// Memory that parsed documents kept for reuse may take, in bytes (estimated);
    /// the least recently used go first. `0` keeps none.
    pub cache_bytes: usize,
    /// Documents parsed at once; more imports wait their turn, so that concurrent
    /// imports cannot multiply what one may cost.
    pub max_concurrent_parses: usize,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        let limits = sigil_connect::openapi::Limits::default();
        DocumentsConfig {
            max_bytes: limits.max_bytes,
            max_nodes: limits.max_nodes,
            cache_bytes: 64 * 1024 * 1024,
            max_concurrent_parses: 2,
        }
    }
}

impl DocumentsConfig {
    pub fn limits(&self) -> sigil_connect::openapi::Limits {
        sigil_connect::openapi::Limits {
            max_bytes: self.max_bytes,
            max_nodes: self.max_nodes,
        }
    }
}

/// The web pages.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// A session unused this long ends (default 12 hours).
    pub session_idle_secs: u64,
    /// Failed sign-ins for one email within `sign_in_window_secs` before further
    /// attempts are refused until the window passes.
    pub sign_in_attempts: u32,
    pub sign_in_window_secs: u64,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            session_idle_secs: 12 * 3600,
            sign_in_attempts: 5,
            sign_in_window_secs: 15 * 60,
        }
    }
}

/// Outbound calls made by API connectors.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConnectConfig {
    /// Networks connectors may reach although they are loopback, private, link-local
    /// and so on, as `ADDRESS/PREFIX` (e.g. `10.1.0.0/16`). Empty by default: only
    /// public addresses, and this server's own public URL, are reachable.
    pub allowed_networks: Vec<String>,
    /// Largest upstream response body read, in bytes (default 10 MiB).
    pub max_response_bytes: usize,
    /// Length of the window of a connector's `rateLimit.maxRequestsPerWindow`.
    pub rate_limit_window_secs: u64,
    /// Keep upstream response bodies in the call log (off: only status, timing and
    /// sizes are kept).
    pub record_response_bodies: bool,
    /// Days the call log keeps a call (default 30); `0` keeps every call. Older calls
    /// are deleted hourly.
    pub call_log_retention_days: u32,
    /// Keys sealing credential secrets, `{id = "<32 bytes, base64>"}`. Empty: one key
    /// derived from the master key, id `mk1`. Add a key and make it active to rotate;
    /// secrets sealed under older keys still open while their key is listed.
    pub sealing_keys: std::collections::BTreeMap<String, Secret<String>>,
    /// Which of `sealing_keys` seals new secrets.
    pub sealing_key_active: Option<String>,
}

impl Default for ConnectConfig {
    fn default() -> Self {
        ConnectConfig {
            allowed_networks: Vec::new(),
            max_response_bytes: 10 * 1024 * 1024,
            rate_limit_window_secs: 60,
            record_response_bodies: false,
            call_log_retention_days: 30,
            sealing_keys: Default::default(),
            sealing_key_active: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// Lifetime of access tokens (Sigma: one hour).
    pub access_token_ttl_secs: u64,
    /// Lifetime of refresh tokens.
    pub refresh_token_ttl_secs: u64,
    /// How often a node reads revocations made by other nodes sharing the database.
    pub revocation_poll_ms: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            access_token_ttl_secs: 3600,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            revocation_poll_ms: 1000,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("sigil-data"),
            database_url: None,
            public_url: None,
            log_format: LogFormat::Text,
            log_level: "info".into(),
            access_log: false,
            max_body_bytes: 2 * 1024 * 1024,
            sqlite_synchronous: SqliteSynchronous::Full,
            master_key: None,
            admin_email: "admin@sigil.local".into(),
            organization_name: "sigil".into(),
            auth: AuthConfig::default(),
            connect: ConnectConfig::default(),
            documents: DocumentsConfig::default(),
            web: WebConfig::default(),
            http: HttpConfig::default(),
            bootstrap: BootstrapConfig::default(),
            testing: TestingConfig::default(),
            ephemeral: false,
            seed: None,
            ephemeral_name: uuid::Uuid::new_v4().simple().to_string(),
            warnings: Vec::new(),
        }
    }
}

/// The environment key (lower case, `__` between parts, without `SIGIL_`) of an
/// unknown field that came from the environment, if that is what `e` is.
fn unknown_env_key(e: &figment::Error) -> Option<String> {
    let from_env = e
        .metadata
        .as_ref()
        .is_some_and(|m| m.name.contains("environment"));
    match &e.kind {
        figment::error::Kind::UnknownField(field, _) if from_env => {
            // The path ends with the field already; older figments left it out.
            let mut parts: Vec<String> = e.path.clone();
            if parts.last() != Some(field) {
                parts.push(field.clone());
            }
            Some(parts.join("__").to_ascii_lowercase())
        }
        _ => None,
    }
}

/// Values given on the command line; they override every other layer.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub log_format: Option<LogFormat>,
    pub admin_email: Option<String>,
    pub ephemeral: bool,
    pub seed: Option<PathBuf>,
    pub testing_endpoints: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Load(#[from] Box<figment::Error>),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads the layers. `file` is the TOML file to read, if any; a named file that
    /// does not exist is an error, so a typo is not silently ignored.
    pub fn load(file: Option<&Path>, overrides: Overrides) -> Result<Config, ConfigError> {
        let mut fig = Figment::new();
        if let Some(path) = file {
            if !path.exists() {
                return Err(ConfigError::Invalid(format!(
                    "config file {} does not exist",
                    path.display()
                )));
            }
            fig = fig.merge(Toml::file(path));
        }
        // The environment is shared with other programs and scripts: a `SIGIL_*`
        // variable that names no setting is a warning, not a refusal (a typo in the
        // file still is one).
        let mut ignored: Vec<String> = Vec::new();
        let mut config: Config = loop {
            let skip = ignored.clone();
            let env = Env::prefixed("SIGIL_")
                // Not settings: SIGIL_CONFIG names the file, SIGIL_LOG is a tracing
                // filter, SIGIL_TEST_* belong to the test suites.
                .filter(move |k| {
                    let k = k.as_str().to_ascii_lowercase();
                    k != "config" && k != "log" && !k.starts_with("test_") && !skip.contains(&k)
                })
                .split("__");
            match fig.clone().merge(env).extract::<Config>() {
                Ok(c) => break c,
                Err(e) => match unknown_env_key(&e) {
                    Some(key) if ignored.len() < 100 && !ignored.contains(&key) => {
                        ignored.push(key)
                    }
                    _ => return Err(ConfigError::Load(Box::new(e))),
                },
            }
        };
        config.warnings = ignored
            .iter()
            .map(|k| {
                format!(
                    "SIGIL_{} names no setting and is ignored",
                    k.to_ascii_uppercase()
                )
            })
            .collect();
        config.apply(overrides);
        config.validate()?;
        Ok(config)
    }

    fn apply(&mut self, o: Overrides) {
        if let Some(v) = o.listen {
            self.listen = v;
        }
        if let Some(v) = o.data_dir {
            self.data_dir = v;
        }
        if let Some(v) = o.database_url {
            self.database_url = Some(Secret::new(v));
        }
        if let Some(v) = o.log_format {
            self.log_format = v;
        }
        if let Some(v) = o.admin_email {
            self.admin_email = v;
        }
        self.ephemeral |= o.ephemeral;
        if self.ephemeral_name.is_empty() {
            self.ephemeral_name = uuid::Uuid::new_v4().simple().to_string();
        }
        if let Some(v) = o.seed {
            self.seed = Some(v);
        }
        self.testing.endpoints |= o.testing_endpoints;
    }

    /// The first Admin's email: `bootstrap.admin_email`, else `admin_email`.
    pub fn first_admin_email(&self) -> &str {
        self.bootstrap
            .admin_email
            .as_deref()
            .unwrap_or(&self.admin_email)
    }

    /// Checks every value once, at start-up.
    /// The keyring sealing credential secrets: the configured keys, or one derived
    /// from the master key (`derived`).
    pub fn sealing_keyring(
        &self,
        derived: &[u8; 32],
    ) -> Result<sigil_connect::sealing::Keyring, String> {
        use base64::Engine;
        let c = &self.connect;
        if c.sealing_keys.is_empty() {
            return sigil_connect::sealing::Keyring::new(vec![("mk1".into(), *derived)], "mk1")
                .map_err(|e| e.to_string());
        }
        let mut keys = Vec::new();
        for (id, k) in &c.sealing_keys {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(k.expose().trim())
                .map_err(|_| format!("key `{id}` is not base64"))?;
            let key: [u8; 32] = bytes
                .try_into()
                .map_err(|_| format!("key `{id}` must be 32 bytes"))?;
            keys.push((id.clone(), key));
        }
        let active = match &c.sealing_key_active {
            Some(a) => a.clone(),
            None if keys.len() == 1 => keys[0].0.clone(),
            None => return Err("several keys: name the active one in sealing_key_active".into()),
        };
        sigil_connect::sealing::Keyring::new(keys, &active).map_err(|e| e.to_string())
    }

    /// This server's own origin, which connectors may always call: the public URL,
    /// or the listen address.
    /// `connect.allowed_networks`, parsed; the error names the bad entry.
    pub fn allowed_networks(&self) -> Result<Vec<sigil_connect::policy::Network>, ConfigError> {
        self.connect
            .allowed_networks
            .iter()
            .map(|n| {
                sigil_connect::policy::Network::parse(n)
                    .map_err(|e| ConfigError::Invalid(format!("connect.allowed_networks: {e}")))
            })
            .collect()
    }

    pub fn own_origin(&self) -> (String, u16) {
        if let Some(u) = self
            .public_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
        {
            if let (Some(h), Some(p)) = (u.host_str(), u.port_or_known_default()) {
                return (
                    h.trim_start_matches('[').trim_end_matches(']').to_owned(),
                    p,
                );
            }
        }
        (self.listen.ip().to_string(), self.listen.port())
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        if self.max_body_bytes < 1024 {
            return bad(format!(
                "max_body_bytes must be at least 1024, got {}",
                self.max_body_bytes
            ));
        }
        let a = &self.auth;
        if a.access_token_ttl_secs == 0 || a.access_token_ttl_secs > 24 * 3600 {
            return bad("auth.access_token_ttl_secs must be between 1 and 86400".into());
        }
        if a.refresh_token_ttl_secs < a.access_token_ttl_secs {
            return bad(
                "auth.refresh_token_ttl_secs must be at least the access token lifetime".into(),
            );
        }
        let w = &self.web;
        if w.session_idle_secs < 60 || w.session_idle_secs > 30 * 24 * 3600 {
            return bad("web.session_idle_secs must be between 60 and 2592000".into());
        }
        if w.sign_in_attempts == 0 || w.sign_in_window_secs == 0 {
            return bad(
                "web.sign_in_attempts and web.sign_in_window_secs must be at least 1".into(),
            );
        }
        let h = &self.http;
        if !(1..=3600).contains(&h.header_read_timeout_secs)
            || !(1..=3600).contains(&h.idle_timeout_secs)
            || !(1..=3600).contains(&h.body_read_timeout_secs)
        {
            return bad(
                "http.header_read_timeout_secs, http.idle_timeout_secs and http.body_read_timeout_secs must be between 1 and 3600"
                    .into(),
            );
        }
        if h.max_connections == 0 {
            return bad("http.max_connections must be at least 1".into());
        }
        if let Err(e) = self.bootstrap.validate() {
            return bad(e);
        }
        for (i, f) in self.testing.faults.iter().enumerate() {
            if let Err(e) = f.validate() {
                return bad(format!("testing.faults[{i}]: {e}"));
            }
        }
        if self.ephemeral && self.database_url.is_some() {
            return bad(
                "ephemeral keeps the database in memory: it cannot be used with database_url"
                    .into(),
            );
        }
        if self.ephemeral && self.master_key.is_some() {
            return bad("ephemeral makes its own master key: unset master_key".into());
        }
        if a.revocation_poll_ms < 50 {
            return bad("auth.revocation_poll_ms must be at least 50".into());
        }
        if !sigil_core::member::is_valid_email(&self.admin_email) {
            return bad(format!(
                "admin_email `{}` is not an email address",
                self.admin_email
            ));
        }
        if let Some(url) = &self.database_url {
            let u = url.expose();
            if !(u.starts_with("sqlite:")
                || u.starts_with("postgres://")
                || u.starts_with("postgresql://"))
            {
                return bad("database_url must start with sqlite: or postgres://".into());
            }
        }
        self.allowed_networks()?;
        let c = &self.connect;
        if c.max_response_bytes < 1024 {
            return bad("connect.max_response_bytes must be at least 1024".into());
        }
        if c.rate_limit_window_secs == 0 {
            return bad("connect.rate_limit_window_secs must be at least 1".into());
        }
        let d = &self.documents;
        if !(1024..=1024 * 1024 * 1024).contains(&d.max_bytes) {
            return bad("documents.max_bytes must be between 1024 and 1073741824".into());
        }
        if d.max_nodes < 100 {
            return bad("documents.max_nodes must be at least 100".into());
        }
        if d.max_concurrent_parses == 0 {
            return bad("documents.max_concurrent_parses must be at least 1".into());
        }
        if let Some(u) = &self.public_url {
            match url::Url::parse(u) {
                Ok(p) if p.host_str().is_some() => {}
                _ => {
                    return bad(format!(
                        "public_url `{u}` is not an http(s) URL with a host"
                    ))
                }
            }
        }
        self.sealing_keyring(&[0; 32])
            .map_err(|e| ConfigError::Invalid(format!("connect.sealing_keys: {e}")))?;
        if let Some(k) = &self.master_key {
            crate::auth::keys::MasterKey::from_base64(k.expose())
                .map_err(|e| ConfigError::Invalid(format!("master_key: {e}")))?;
        }
        Ok(())
    }

    /// The URL clients reach this server at: `public_url`, or `http://<listen>`.
    pub fn base_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }

    /// Whether cookies must be `Secure`: the public URL is https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The database URL in force.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(u) => u.expose().clone(),
            // A named in-memory database shared by the store's connections (a plain
            // `:memory:` would give each connection its own); the name is this
            // process's, so two ephemeral servers never meet.
            None if self.ephemeral => format!(
                "sqlite:file:sigil-ephemeral-{}?mode=memory&cache=shared",
                self.ephemeral_name
            ),
            None => format!("sqlite://{}", self.data_dir.join("sigil.db").display()),
        }
    }

    pub fn uses_default_sqlite(&self) -> bool {
        self.database_url.is_none() && !self.ephemeral
    }
}

#[cfg(test)]
// figment's Jail returns its own (large) error type; nothing to box in a test.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let c = Config::default();
        c.validate().unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database_url(), "sqlite://sigil-data/sigil.db");
    }

    #[test]
    fn file_then_env_then_flags() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "sigil.toml",
                "listen = \"127.0.0.1:9000\"\nlog_level = \"debug\"\n[auth]\naccess_token_ttl_secs = 60\n",
            )?;
            jail.set_env("SIGIL_LOG_LEVEL", "warn");
            jail.set_env("SIGIL_ACCESS_LOG", "true");
            jail.set_env("SIGIL_AUTH__REVOCATION_POLL_MS", "250");
            jail.set_env("SIGIL_TEST_POSTGRES_URL", "postgres://ignored");
            jail.set_env("SIGIL_LOG", "debug");
            let c = Config::load(
                Some(Path::new("sigil.toml")),
                Overrides {
                    listen: Some("127.0.0.1:9100".parse().unwrap()),
                    ..Default::default()
                },
            )
            .unwrap();
            assert_eq!(c.listen.to_string(), "127.0.0.1:9100");
            assert_eq!(c.log_level, "warn");
            assert!(c.access_log);
            assert_eq!(c.auth.access_token_ttl_secs, 60);
            assert_eq!(c.auth.revocation_poll_ms, 250);
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_refused_with_their_name() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("SIGIL_AUTH__ACCESS_TOKEN_TTL_SECS", "0");
            let e = Config::load(None, Overrides::default()).unwrap_err();
            assert!(e.to_string().contains("access_token_ttl_secs"), "{e}");
            jail.set_env("SIGIL_AUTH__ACCESS_TOKEN_TTL_SECS", "60");
            jail.set_env("SIGIL_LISTEN", "not an address");
            let e = Config::load(None, Overrides::default()).unwrap_err();
            assert!(e.to_string().to_lowercase().contains("listen"), "{e}");
            jail.set_env("SIGIL_LISTEN", "127.0.0.1:1");
            // The environment is shared with other programs: an unknown variable is a
            // warning naming it, not a refusal to start.
            jail.set_env("SIGIL_LISTN", "typo");
            jail.set_env("SIGIL_AUTH__TTL", "5");
            let c = Config::load(None, Overrides::default()).unwrap();
            assert_eq!(c.listen.to_string(), "127.0.0.1:1");
            assert!(
                c.warnings.iter().any(|w| w.contains("SIGIL_LISTN")),
                "{:?}",
                c.warnings
            );
            assert!(
                c.warnings.iter().any(|w| w.contains("SIGIL_AUTH__TTL")),
                "{:?}",
                c.warnings
            );
            // A typo in the file is still refused, naming it.
            jail.create_file("typo.toml", "listn = \"127.0.0.1:2\"\n")?;
            let e = Config::load(Some(Path::new("typo.toml")), Overrides::default()).unwrap_err();
            assert!(
                e.to_string().to_lowercase().contains("listn"),
                "typos in the file are refused: {e}"
            );
            Ok(())
        });
        let e = Config::load(
            Some(Path::new("/nonexistent/sigil.toml")),
            Overrides::default(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("does not exist"));
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let c = Config {
            database_url: Some(Secret::new("postgres://u:pw@h/db".into())),
            ..Config::default()
        };
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("pw@"), "{dbg}");
    }
}
