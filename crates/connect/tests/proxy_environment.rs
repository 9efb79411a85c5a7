//! Proxy variables in the environment must not carry connector calls around the
//! address checks: through a proxy the proxy resolves the target, so a name that
//! resolves to a private address would never meet the engine's resolver.
//!
//! A test binary of its own, because it sets process-wide environment variables.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::Router;
use sigil_connect::connector::{Config, Prepared};
use sigil_connect::credential::{Credential, UsableCredential};
use sigil_connect::engine::{Call, CallError, Engine, EngineConfig};
use sigil_connect::policy::Allowlist;

#[tokio::test]
async fn http_proxy_variables_are_ignored_and_the_resolver_still_decides() {
    // A "proxy" that answers every request it is sent, and counts them.
    let proxied = Arc::new(AtomicUsize::new(0));
    let p = proxied.clone();
    let proxy = Router::new().fallback(move || {
        let p = p.clone();
        async move {
            p.fetch_add(1, Ordering::SeqCst);
            "answered by the proxy"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, proxy).await.unwrap() });
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
    ] {
        std::env::set_var(var, format!("http://{addr}"));
    }
    std::env::remove_var("NO_PROXY");
    std::env::remove_var("no_proxy");

    // No network allowed beyond the defaults: loopback is refused.
    let engine = Engine::new(EngineConfig::default()).unwrap();
    let credential: Credential = serde_json::from_value(serde_json::json!({
        "authMethod": "bearer", "bearer": {"token": "t"}
    }))
    .unwrap();
    let usable = UsableCredential {
        cache_key: "cred@1".into(),
        credential,
        allowlist: Allowlist::parse(&["*"]).unwrap(),
    };
    let config = Config::default().check().unwrap();
    let result = engine
        .call(Call {
            connector_key: "k",
            request: Prepared {
                method: http::Method::GET,
                // A name, not an address: only the resolver can see it is loopback.
                url: "http://localhost:9/secret".parse().unwrap(),
                headers: vec![],
                body: None,
            },
            credential: Some(&usable),
            config: &config,
        })
        .await;
    assert!(
        matches!(result, Err(CallError::Policy(_))),
        "the resolver refuses localhost: {result:?}"
    );
    assert_eq!(
        proxied.load(Ordering::SeqCst),
        0,
        "nothing went to the proxy"
    );
}
