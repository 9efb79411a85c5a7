//! The engine against an in-process upstream: many concurrent calls share one token.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use sigil_connect::connector::{Config, Prepared};
use sigil_connect::credential::{Credential, UsableCredential};
use sigil_connect::engine::{Call, Engine, EngineConfig};
use sigil_connect::policy::{Allowlist, Network};

#[tokio::test]
async fn a_thousand_concurrent_calls_make_one_token_request() {
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    let app = Router::new()
        .route(
            "/token",
            post(move || {
                let h = h.clone();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    // Slow enough that every caller arrives while it is in flight.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    axum::Json(serde_json::json!({"access_token": "t", "expires_in": 3600}))
                }
            }),
        )
        .route("/data", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let engine = Arc::new(
        Engine::new(EngineConfig {
            allowed_networks: vec![Network::parse("127.0.0.1/32").unwrap()],
            ..Default::default()
        })
        .unwrap(),
    );
    let credential: Credential = serde_json::from_value(serde_json::json!({
        "authMethod": "oAuthClientCredentials",
        "oAuthClientCredentials": {"clientId": "c", "clientSecret": "s",
            "accessTokenUrl": format!("http://{addr}/token"), "scopes": []}
    }))
    .unwrap();
    let usable = Arc::new(UsableCredential {
        cache_key: "cred@1".into(),
        credential,
        allowlist: Allowlist::parse(&["127.0.0.1"]).unwrap(),
    });
    let config = Arc::new(Config::default().check().unwrap());
    let mut tasks = Vec::new();
    for _ in 0..1000 {
        let (engine, usable, config) = (engine.clone(), usable.clone(), config.clone());
        let url = format!("http://{addr}/data");
        tasks.push(tokio::spawn(async move {
            engine
                .call(Call {
                    connector_key: "k",
                    request: Prepared {
                        method: http::Method::GET,
                        url: url.parse().unwrap(),
                        headers: vec![],
                        body: None,
                    },
                    credential: Some(&usable),
                    config: &config,
                })
                .await
                .map(|o| o.status)
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    assert_eq!(engine.token_fetches(), 1);
}
