//! The test harness of sigil's integration tests and of `sigil-bench`: the real app,
//! in process, on `127.0.0.1:0` with a temporary SQLite database (or PostgreSQL, for
//! the tests that ask for it), initialized as `sigil init` would, with HTTP helpers
//! that check Sigma's error shape on every error they see.

use std::sync::Arc;

use axum::Router;
use reqwest::StatusCode;
use serde_json::Value;
use sigil_core::{BuiltinAccountType, Member, MemberId};
use sigil_server::auth::secrets::hash_password;
use sigil_server::bootstrap::{initialize_with, FirstRun, InitOutput};
use sigil_server::config::Config;
use sigil_server::AppState;
use sigil_service::startup::{build, load_keys, Keys};
use sigil_store::prelude::*;
use sigil_store::SqlStore;
use tokio::net::TcpListener;

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub init: InitOutput,
    pub state: AppState,
    pub store: Arc<SqlStore>,
    pub dir: tempfile::TempDir,
}

pub struct Options {
    pub config: Config,
    pub extra: Router<AppState>,
    /// Loaded after first run, as `sigil serve --seed` does (and before the
    /// `initial` snapshot, when the testing endpoints are on).
    pub seed: Option<sigil_service::seed::SeedFile>,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(tweak: impl FnOnce(&mut Options)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = Options {
            config: Config {
                data_dir: dir.path().to_path_buf(),
                ..Config::default()
            },
            extra: Router::new(),
            seed: None,
        };
        tweak(&mut opts);
        let store = Arc::new(
            SqlStore::connect_durable(
                &opts.config.database_url(),
                opts.config.sqlite_synchronous.power_safe(),
            )
            .await
            .expect("test database"),
        );
        let keys = load_keys(&opts.config).unwrap();
        // As `sigil serve` does: the bootstrap settings, and the first Admin's id
        // from the seed file when it names one.
        let email = opts
            .config
            .bootstrap
            .admin_email
            .clone()
            .unwrap_or_else(|| "admin@example.com".into());
        let mut first = FirstRun::from_config(&opts.config);
        first.admin_email = &email;
        first.organization_name = "test org";
        first.admin_id = opts
            .seed
            .as_ref()
            .and_then(|s| sigil_service::seed::member_id_in(s, &email));
        let init = initialize_with(
            store.as_ref(),
            &keys.client_secrets(&opts.config).unwrap(),
            &first,
            false,
        )
        .await
        .unwrap();
        Self::start(opts, store, &keys, init, dir).await
    }

    /// The app on a fresh schema of the PostgreSQL database named by
    /// `SIGIL_TEST_POSTGRES_URL`; `None` (skip) when it is not set, except under CI,
    /// where that fails the test.
    pub async fn spawn_on_postgres() -> Option<TestApp> {
        Self::spawn_on_postgres_with(|_| {}).await
    }

    /// [`spawn_on_postgres`](Self::spawn_on_postgres), with options changed first.
    pub async fn spawn_on_postgres_with(tweak: impl FnOnce(&mut Options)) -> Option<TestApp> {
        let Ok(url) = std::env::var("SIGIL_TEST_POSTGRES_URL") else {
            assert!(
                std::env::var_os("CI").is_none(),
                "SIGIL_TEST_POSTGRES_URL must be set under CI: PostgreSQL tests may not be skipped"
            );
            eprintln!("SIGIL_TEST_POSTGRES_URL is not set: the PostgreSQL test is skipped");
            return None;
        };
        let scoped = fresh_postgres_schema(&url).await;
        Some(
            Self::spawn_with(|o| {
                o.config.database_url = Some(sigil_service::secret::Secret::new(scoped));
                tweak(o);
            })
            .await,
        )
    }

    /// A second node on the same database (same master key), for multi-node tests.
    pub async fn second_node(&self) -> TestApp {
        let config = (*self.state.config).clone();
        let store = Arc::new(SqlStore::connect(&config.database_url()).await.unwrap());
        let keys = load_keys(&config).unwrap();
        let dir = tempfile::tempdir().unwrap();
        Self::start(
            Options {
                config,
                extra: Router::new(),
                seed: None,
            },
            store,
            &keys,
            self.init.clone(),
            dir,
        )
        .await
    }

    async fn start(
        opts: Options,
        store: Arc<SqlStore>,
        keys: &Keys,
        init: InitOutput,
        dir: tempfile::TempDir,
    ) -> TestApp {
        let opts_seed = opts.seed;
        let services = build(Arc::new(opts.config), store.clone(), keys)
            .await
            .unwrap();
        if let Some(seed) = &opts_seed {
            sigil_service::seed::load(&services, seed, init.member_id)
                .await
                .expect("the seed file loads");
        }
        services.testing.take_initial().await.unwrap();
        let state = AppState::new(services);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        state
            .services
            .connectors
            .engine()
            .trust_origin(&addr.ip().to_string(), addr.port());
        let app = sigil_server::app_with(state.clone(), opts.extra);
        // The same serving path as `sigil serve`, with its connection bounds.
        let limits = sigil_server::listen::Limits::of(&state.config.http);
        tokio::spawn(sigil_server::listen::serve(
            listener,
            app,
            limits,
            std::future::pending(),
        ));
        TestApp {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            init,
            state,
            store,
            dir,
        }
    }

    /// The database URL the app runs on.
    pub fn database_url(&self) -> String {
        self.state.config.database_url()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// POSTs a raw form body to the token endpoint.
    pub async fn token_form(&self, body: &str) -> (StatusCode, Value) {
        let res = self
            .http
            .post(self.url("/v2/auth/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned())
            .send()
            .await
            .unwrap();
        json_of(res).await
    }

    pub async fn client_credentials(&self, client_id: &str, secret: &str) -> (StatusCode, Value) {
        self.token_form(&format!(
            "grant_type=client_credentials&client_id={client_id}&client_secret={secret}"
        ))
        .await
    }

    /// An access token for the initial Admin.
    pub async fn admin_token(&self) -> String {
        let (status, body) = self
            .client_credentials(&self.init.client_id, &self.init.client_secret)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        json_of(req.send().await.unwrap()).await
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        json_of(req.send().await.unwrap()).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        let mut req = self.http.delete(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        json_of(req.send().await.unwrap()).await
    }

    /// A member of a built-in account type (added as [`add_member`](Self::add_member)
    /// does) with client credentials, and an access token for it.
    pub async fn member_token(
        &self,
        admin_token: &str,
        email: &str,
        kind: BuiltinAccountType,
    ) -> (Member, String) {
        let m = self.add_member(email, kind, "pw-member-token-1").await;
        let (cid, secret) = self.create_credentials(admin_token, m.id).await;
        let (status, t) = self.client_credentials(&cid, &secret).await;
        assert_eq!(status, StatusCode::OK, "{t}");
        (m, t["access_token"].as_str().unwrap().to_owned())
    }

    /// Adds a member of a built-in account type directly in the store, with a password.
    pub async fn add_member(
        &self,
        email: &str,
        kind: BuiltinAccountType,
        password: &str,
    ) -> Member {
        let type_id = self
            .store
            .account_type_by_name(kind.name())
            .await
            .unwrap()
            .expect("built-in account types exist")
            .id;
        let now = sigil_core::clock::now();
        let mut m = Member::new(
            self.init.organization_id,
            email,
            type_id,
            Some(self.init.member_id),
            now,
        );
        m.first_name = "Test".into();
        m.last_name = kind.name().into();
        m.password_hash = Some(hash_password(password));
        m.home_folder_id = Some(sigil_core::InodeId::new());
        self.store.insert_member(&m, &[]).await.unwrap();
        m
    }

    /// Creates client credentials for `owner` through the API.
    pub async fn create_credentials(&self, admin_token: &str, owner: MemberId) -> (String, String) {
        let (status, body) = self
            .send_json(
                reqwest::Method::POST,
                "/v2/credentials",
                Some(admin_token),
                &serde_json::json!({"ownerId": owner.to_string(), "name": "test creds"}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (
            body["clientId"].as_str().unwrap().to_owned(),
            body["clientSecret"].as_str().unwrap().to_owned(),
        )
    }
}

/// A new, empty schema in the PostgreSQL database at `url`, and a URL whose
/// connections use it: each test (or bench run) gets a database of its own.
pub async fn fresh_postgres_schema(url: &str) -> String {
    use sqlx::{Connection, Executor};
    let schema = format!("it_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(url).await.unwrap();
    admin
        .execute(format!("CREATE SCHEMA {schema}").as_str())
        .await
        .unwrap();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{schema}")
}

/// Ends every connection listening to sigil's write notifications in the database
/// at `SIGIL_TEST_POSTGRES_URL`, as a network failure would (other tests' nodes stop
/// caching for a moment, which is always safe).
pub async fn cut_postgres_listeners() {
    use sqlx::Connection;
    let url = std::env::var("SIGIL_TEST_POSTGRES_URL").expect("SIGIL_TEST_POSTGRES_URL");
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE query LIKE 'LISTEN %sigil_writes%'",
    )
    .execute(&mut admin)
    .await
    .unwrap();
}

pub async fn json_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let request_id = res
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned())
        .expect("every response carries x-request-id");
    let text = res.text().await.unwrap();
    let body: Value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    if status.is_client_error() || status.is_server_error() {
        if let Some(obj) = body.as_object() {
            if !obj.contains_key("headerMap") {
                assert_eq!(
                    obj.get("requestId").and_then(Value::as_str),
                    Some(request_id.as_str()),
                    "error bodies carry the request id of their response: {body}"
                );
                assert!(obj.get("code").is_some_and(Value::is_string), "{body}");
                assert!(obj.get("message").is_some_and(Value::is_string), "{body}");
            }
        }
    }
    (status, body)
}

/// Asserts Sigma's error shape with a given status and code.
pub fn assert_error(got: &(StatusCode, Value), status: StatusCode, code: &str) {
    assert_eq!(got.0, status, "body: {}", got.1);
    assert_eq!(got.1["code"], code, "body: {}", got.1);
}

/// One of Sigma's documents in `../shared/reference` (or `SIGIL_TEST_REFERENCE_DIR`). Under
/// CI its absence fails the test instead of skipping the part that needs it.
pub fn reference(name: &str) -> Option<Vec<u8>> {
    let dir = std::env::var_os("SIGIL_TEST_REFERENCE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference")
        });
    match std::fs::read(dir.join(name)) {
        Ok(b) => Some(b),
        Err(e) if std::env::var_os("CI").is_some() => panic!("{name} is needed under CI: {e}"),
        Err(_) => {
            eprintln!("{name} is not here (set SIGIL_TEST_REFERENCE_DIR): that part is skipped");
            None
        }
    }
}
