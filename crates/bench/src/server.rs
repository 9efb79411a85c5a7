//! The servers a suite measures: sigil through the test harness in its own runtime,
//! and bare servers (an echo upstream, a forwarding proxy) each in a runtime of its own.

use crate::*;

/// sigil in its own runtime (named threads, so that its CPU time can be read apart
/// from the load generator's), started by the test harness.
pub(crate) struct Server {
    pub(crate) base: String,
    pub(crate) db_url: String,
    pub(crate) init: InitOutput,
    pub(crate) store: Arc<SqlStore>,
    pub(crate) _app: TestApp,
    pub(crate) _runtime: tokio::runtime::Runtime,
}

pub(crate) fn start_server(
    threads: usize,
    sqlite_synchronous: SqliteSynchronous,
) -> anyhow::Result<Server> {
    start_server_on(threads, sqlite_synchronous, None)
}

/// [`start_server`], on a fresh schema of the PostgreSQL database at `postgres` when
/// it is given.
pub(crate) fn start_server_on(
    threads: usize,
    sqlite_synchronous: SqliteSynchronous,
    postgres: Option<&str>,
) -> anyhow::Result<Server> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .thread_name("sigil-server")
        .build()?;
    let database_url =
        postgres.map(|url| runtime.block_on(sigil_testkit::fresh_postgres_schema(url)));
    let app = runtime.block_on(TestApp::spawn_with(|o| {
        if let Some(url) = database_url {
            o.config.database_url = Some(sigil_service::secret::Secret::new(url));
        }
        o.config.sqlite_synchronous = sqlite_synchronous;
        // The connectors suite calls an upstream on loopback.
        o.config.connect.allowed_networks = vec!["127.0.0.1/32".into()];
        // A bare handler on the same stack: what each route costs beyond the stack.
        o.extra = Router::new().route("/bench/hello", get(|| async { "hello" }));
    }));
    Ok(Server {
        base: app.base.clone(),
        db_url: app.database_url(),
        init: app.init.clone(),
        store: app.store.clone(),
        _app: app,
        _runtime: runtime,
    })
}

/// Serves `app` on 127.0.0.1 from a 1-thread runtime of its own whose threads are
/// named `name`; answers the runtime (which must be kept) and the base URL.
pub(crate) fn serve_alone(
    name: &str,
    app: Router,
) -> anyhow::Result<(tokio::runtime::Runtime, String)> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .thread_name(name)
        .build()?;
    let base = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        anyhow::Ok(format!("http://{addr}"))
    })?;
    Ok((rt, base))
}
