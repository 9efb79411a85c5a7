//! API credentials, OpenAPI import, connectors and calls, against a fake upstream that
//! records what it receives.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::common::{assert_error, TestApp};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post as post_route};
use axum::Router;
use reqwest::Method;
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;
use sigil_store::prelude::*;

// ---- the fake upstream ----

#[derive(Debug, Clone)]
pub(super) struct Seen {
    #[allow(dead_code)]
    pub(super) method: String,
    pub(super) uri: String,
    pub(super) headers: BTreeMap<String, String>,
    pub(super) body: String,
}

#[derive(Default)]
pub(super) struct Upstream {
    pub(super) seen: Mutex<Vec<Seen>>,
    pub(super) token_hits: AtomicUsize,
    pub(super) token_forms: Mutex<Vec<(Option<String>, String)>>,
    /// Tokens `/protected` no longer accepts.
    pub(super) revoked: Mutex<Vec<String>>,
    pub(super) flaky_left: AtomicUsize,
    /// `expires_in` the token endpoint answers.
    pub(super) expires_in: Mutex<f64>,
    /// Where `/redirect` sends.
    pub(super) redirect_to: Mutex<String>,
}

pub(super) type Shared = Arc<Upstream>;

/// What one request on the wire must look like.
pub(super) type WireCheck = Box<dyn Fn(&Seen)>;

pub(super) fn record(up: &Upstream, method: &str, uri: &Uri, headers: &HeaderMap, body: &str) {
    up.seen.lock().unwrap().push(Seen {
        method: method.to_owned(),
        uri: uri.to_string(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect(),
        body: body.to_owned(),
    });
}

pub(super) async fn echo(
    State(up): State<Shared>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    record(&up, method.as_str(), &uri, &headers, &body);
    axum::Json(json!({"ok": true, "path": uri.path()})).into_response()
}

pub(super) async fn token(State(up): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let n = up.token_hits.fetch_add(1, Ordering::SeqCst) + 1;
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned());
    up.token_forms.lock().unwrap().push((auth, body));
    let expires = *up.expires_in.lock().unwrap();
    axum::Json(
        json!({"access_token": format!("tok-{n}"), "token_type": "bearer", "expires_in": expires}),
    )
    .into_response()
}

pub(super) async fn protected(State(up): State<Shared>, headers: HeaderMap) -> Response {
    let auth = headers
        .get("authorization")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    record(&up, "GET", &"/protected".parse().unwrap(), &headers, "");
    let token = auth.strip_prefix("Bearer ").unwrap_or_default().to_owned();
    if token.is_empty() || up.revoked.lock().unwrap().contains(&token) {
        return (StatusCode::UNAUTHORIZED, "no").into_response();
    }
    axum::Json(json!({"token": token})).into_response()
}

pub(super) async fn status(
    State(up): State<Shared>,
    Path(code): Path<u16>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    record(&up, "GET", &uri, &headers, "");
    let mut r = (StatusCode::from_u16(code).unwrap(), "status").into_response();
    r.headers_mut().insert("retry-after", "0".parse().unwrap());
    r
}

pub(super) async fn flaky(State(up): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
    record(&up, "GET", &uri, &headers, "");
    let left = up.flaky_left.load(Ordering::SeqCst);
    if left > 0 {
        up.flaky_left.store(left - 1, Ordering::SeqCst);
        let mut r = (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response();
        r.headers_mut().insert("retry-after", "0".parse().unwrap());
        return r;
    }
    axum::Json(json!({"ok": true})).into_response()
}

pub(super) async fn big() -> Response {
    "x".repeat(4096).into_response()
}

pub(super) async fn hang() -> Response {
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    "late".into_response()
}

pub(super) async fn redirect(State(up): State<Shared>) -> Response {
    let to = up.redirect_to.lock().unwrap().clone();
    (StatusCode::FOUND, [("location", to)]).into_response()
}

/// Starts the fake upstream on `ip`:0.
pub(super) async fn upstream(ip: &str) -> (SocketAddr, Shared) {
    let shared: Shared = Arc::new(Upstream::default());
    *shared.expires_in.lock().unwrap() = 3600.0;
    let app = Router::new()
        .route("/token", post_route(token))
        .route("/protected", any(protected))
        .route("/status/{code}", any(status))
        .route("/flaky", any(flaky))
        .route("/big", any(big))
        .route("/hang", any(hang))
        .route("/redirect", any(redirect))
        .fallback(echo)
        .with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind(format!("{ip}:0"))
        .await
        .unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr, shared)
}

/// sigil, allowed to reach loopback upstreams (as a private deployment would allow its
/// own network).
pub(super) async fn app_reaching_loopback() -> TestApp {
    TestApp::spawn_with(|o| o.config.connect.allowed_networks = vec!["127.0.0.0/8".into()]).await
}

pub(super) async fn post(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    app.send_json(Method::POST, path, Some(token), &body).await
}

pub(super) async fn credential(
    app: &TestApp,
    token: &str,
    allow: &[&str],
    credential: Value,
) -> String {
    let (s, b) = post(
        app,
        token,
        "/v2/api-credentials",
        json!({"name": "c", "allowlist": allow, "credential": credential}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["apiCredentialId"].as_str().unwrap().to_owned()
}

pub(super) async fn connector(app: &TestApp, token: &str, body: Value) -> String {
    let (s, b) = post(app, token, "/v2/api-connectors", body).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["apiConnectorId"].as_str().unwrap().to_owned()
}

pub(super) fn get_connector(url: &str, auth: Option<&str>) -> Value {
    let mut c = json!({
        "name": "get",
        "params": {"method": "GET", "url": url, "headers": [], "pathParams": [], "queryParams": [], "body": ""}
    });
    if let Some(a) = auth {
        c["authId"] = json!(a);
    }
    c
}

pub(super) async fn call(
    app: &TestApp,
    token: &str,
    id: &str,
    params: Value,
) -> (StatusCode, Value) {
    post(
        app,
        token,
        &format!("/v2/api-connectors/{id}/call"),
        json!({"parameters": params}),
    )
    .await
}

mod credentials;
mod documents;
mod limits;
mod logs;
mod templates;
mod wire;
