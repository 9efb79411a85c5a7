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
struct Seen {
    #[allow(dead_code)]
    method: String,
    uri: String,
    headers: BTreeMap<String, String>,
    body: String,
}

#[derive(Default)]
struct Upstream {
    seen: Mutex<Vec<Seen>>,
    token_hits: AtomicUsize,
    token_forms: Mutex<Vec<(Option<String>, String)>>,
    /// Tokens `/protected` no longer accepts.
    revoked: Mutex<Vec<String>>,
    flaky_left: AtomicUsize,
    /// `expires_in` the token endpoint answers.
    expires_in: Mutex<f64>,
    /// Where `/redirect` sends.
    redirect_to: Mutex<String>,
}

type Shared = Arc<Upstream>;

/// What one request on the wire must look like.
type WireCheck = Box<dyn Fn(&Seen)>;

fn record(up: &Upstream, method: &str, uri: &Uri, headers: &HeaderMap, body: &str) {
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

async fn echo(
    State(up): State<Shared>,
    method: axum::http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
) -> Response {
    record(&up, method.as_str(), &uri, &headers, &body);
    axum::Json(json!({"ok": true, "path": uri.path()})).into_response()
}

async fn token(State(up): State<Shared>, headers: HeaderMap, body: String) -> Response {
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

async fn protected(State(up): State<Shared>, headers: HeaderMap) -> Response {
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

async fn status(
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

async fn flaky(State(up): State<Shared>, uri: Uri, headers: HeaderMap) -> Response {
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

async fn big() -> Response {
    "x".repeat(4096).into_response()
}

async fn hang() -> Response {
    tokio::time::sleep(std::time::Duration::from_secs(60)).await;
    "late".into_response()
}

async fn redirect(State(up): State<Shared>) -> Response {
    let to = up.redirect_to.lock().unwrap().clone();
    (StatusCode::FOUND, [("location", to)]).into_response()
}

/// Starts the fake upstream on `ip`:0.
async fn upstream(ip: &str) -> (SocketAddr, Shared) {
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
async fn app_reaching_loopback() -> TestApp {
    TestApp::spawn_with(|o| o.config.connect.allowed_networks = vec!["127.0.0.0/8".into()]).await
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(Method::POST, path, Some(token), &body).await
}

async fn credential(app: &TestApp, token: &str, allow: &[&str], credential: Value) -> String {
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

async fn connector(app: &TestApp, token: &str, body: Value) -> String {
    let (s, b) = post(app, token, "/v2/api-connectors", body).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["apiConnectorId"].as_str().unwrap().to_owned()
}

fn get_connector(url: &str, auth: Option<&str>) -> Value {
    let mut c = json!({
        "name": "get",
        "params": {"method": "GET", "url": url, "headers": [], "pathParams": [], "queryParams": [], "body": ""}
    });
    if let Some(a) = auth {
        c["authId"] = json!(a);
    }
    c
}

async fn call(app: &TestApp, token: &str, id: &str, params: Value) -> (StatusCode, Value) {
    post(
        app,
        token,
        &format!("/v2/api-connectors/{id}/call"),
        json!({"parameters": params}),
    )
    .await
}

// ---- credentials ----

#[tokio::test]
async fn credentials_keep_their_secrets_sealed_and_unanswered() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let secrets = ["pw-Zq81", "tok-Jx22", "key-Vv93", "cs-Hh47", "sk-Pp65"];
    let bodies = [
        json!({"authMethod": "basic", "basic": {"username": "u", "password": secrets[0]}}),
        json!({"authMethod": "bearer", "bearer": {"token": secrets[1]}}),
        json!({"authMethod": "apiKey", "apiKey": {"key": "X-Key", "value": secrets[2], "isQueryParam": false}}),
        json!({"authMethod": "oAuthClientCredentials", "oAuthClientCredentials": {
            "clientId": "cid", "clientSecret": secrets[3], "accessTokenUrl": "https://auth.example.com/token",
            "scopes": ["read"], "accessTokenAuthMethod": "httpBasic"}}),
        json!({"authMethod": "awsSigV4", "awsSigV4": {"accessKeyId": "AKID", "secretAccessKey": secrets[4],
            "region": "us-east-1", "service": "execute-api"}}),
    ];
    let mut ids = Vec::new();
    for b in &bodies {
        let (s, r) = post(
            &app,
            &admin,
            "/v2/api-credentials",
            json!({"name": "n", "allowlist": ["*.example.com"], "credential": b, "description": "d"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["authMethod"], b["authMethod"]);
        assert_eq!(r["allowlist"], json!(["*.example.com"]));
        ids.push(r["apiCredentialId"].as_str().unwrap().to_owned());
    }
    let mut answered = String::new();
    for id in &ids {
        let (s, r) = app
            .get(&format!("/v2/api-credentials/{id}"), Some(&admin))
            .await;
        assert_eq!(s, StatusCode::OK);
        answered.push_str(&r.to_string());
    }
    let (_, list) = app
        .get("/v2/api-credentials?pageSize=2", Some(&admin))
        .await;
    assert_eq!(list["entries"].as_array().unwrap().len(), 2);
    let token = list["nextPageToken"].as_str().unwrap();
    let (_, rest) = app
        .get(
            &format!("/v2/api-credentials?pageSize=10&pageToken={token}"),
            Some(&admin),
        )
        .await;
    assert_eq!(rest["entries"].as_array().unwrap().len(), 3);
    answered.push_str(&list.to_string());
    assert!(
        answered.contains("\"username\":\"u\""),
        "non-secret fields are answered"
    );
    assert!(answered.contains("AKID"));

    // PATCH without `credential` keeps the secrets; the name changes.
    let (s, r) = app
        .send_json(
            Method::PATCH,
            &format!("/v2/api-credentials/{}", ids[1]),
            Some(&admin),
            &json!({"name": "renamed", "description": null}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["name"], "renamed");
    assert!(r.get("description").is_none());
    answered.push_str(&r.to_string());
    for s in secrets {
        assert!(!answered.contains(s), "{s} was answered: {answered}");
    }

    // The database's bytes hold no secret (its WAL included).
    app.state.services.connectors.audit().flush().await;
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(app.dir.path()).unwrap() {
        let p = entry.unwrap().path();
        if p.is_file() {
            bytes.extend(std::fs::read(p).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("renamed"), "the files were read");
    for s in secrets {
        assert!(
            !text.contains(s),
            "{s} is in the database files in plain text"
        );
    }

    // Archived: 404 afterwards.
    let (s, r) = app
        .delete(&format!("/v2/api-credentials/{}", ids[0]), Some(&admin))
        .await;
    assert_eq!((s, r), (StatusCode::OK, json!({})));
    let r = app
        .get(&format!("/v2/api-credentials/{}", ids[0]), Some(&admin))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn bad_credentials_get_400_naming_the_field_and_write_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cases = [
        (
            json!({"name": "c", "allowlist": [], "credential": {"authMethod": "bearer", "bearer": {"token": "t"}}}),
            "allowlist",
        ),
        (
            json!({"name": "c", "allowlist": ["bad host!"], "credential": {"authMethod": "bearer", "bearer": {"token": "t"}}}),
            "allowlist",
        ),
        (
            json!({"name": "c", "allowlist": ["*"], "credential": {"authMethod": "kerberos"}}),
            "kerberos",
        ),
        (
            json!({"name": "c", "allowlist": ["*"], "credential": {"authMethod": "basic", "basic": {"username": "u"}}}),
            "password",
        ),
        (
            json!({"name": "c", "allowlist": ["*"], "credential": {"authMethod": "basic", "basic": {"username": "u", "password": 12345}}}),
            "wrong type",
        ),
        (
            json!({"name": "c", "allowlist": ["*"], "credential": {"authMethod": "oAuthClientCredentials", "oAuthClientCredentials": {
            "clientId": "i", "clientSecret": "s", "accessTokenUrl": "not a url", "scopes": [], "accessTokenAuthMethod": "httpBasic"}}}),
            "accessTokenUrl",
        ),
        (
            json!({"name": "", "allowlist": ["*"], "credential": {"authMethod": "bearer", "bearer": {"token": "t"}}}),
            "name",
        ),
        (
            json!({"allowlist": ["*"], "credential": {"authMethod": "bearer", "bearer": {"token": "t"}}}),
            "name",
        ),
    ];
    for (body, names) in cases {
        let r = post(&app, &admin, "/v2/api-credentials", body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        let m = r.1["message"].as_str().unwrap();
        assert!(m.contains(names), "{body} → {m}");
        assert!(!m.contains("12345"), "a value is never echoed: {m}");
    }
    let (_, list) = app.get("/v2/api-credentials", Some(&admin)).await;
    assert_eq!(list["entries"], json!([]));
    let r = app.get("/v2/api-credentials/not-an-id", Some(&admin)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn managing_needs_manage_api_connectors_and_calling_needs_trigger_api_actions() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (addr, _) = upstream("127.0.0.1").await;
    let id = connector(
        &app,
        &admin,
        get_connector(&format!("http://{addr}/x"), None),
    )
    .await;
    // A custom account type that may view but not trigger actions.
    let (s, t) = post(
        &app,
        &admin,
        "/v2/accountTypes",
        json!({"name": "Looker", "permissions": ["view"]}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let mut viewer = app
        .add_member("v@example.com", BuiltinAccountType::Viewer, "pw-viewer-1")
        .await;
    viewer.account_type_id = t["accountTypeId"].as_str().unwrap().parse().unwrap();
    app.store.update_member(&viewer, false).await.unwrap();
    let (cid, secret) = app.create_credentials(&admin, viewer.id).await;
    let (_, t) = app.client_credentials(&cid, &secret).await;
    let viewer_token = t["access_token"].as_str().unwrap().to_owned();
    let r = app.get("/v2/api-credentials", Some(&viewer_token)).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(r.1["message"]
        .as_str()
        .unwrap()
        .contains("manage-api-connectors"));
    let r = post(
        &app,
        &viewer_token,
        "/v2/api-connectors",
        get_connector("https://a.example.com", None),
    )
    .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let r = call(&app, &viewer_token, &id, json!({})).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(r.1["message"]
        .as_str()
        .unwrap()
        .contains("trigger-api-actions"));
    let r = app.get("/v2/api-credentials", None).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
}

// ---- auth methods on the wire ----

#[tokio::test]
async fn every_auth_method_sends_exactly_the_right_thing() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (addr, up) = upstream("127.0.0.1").await;
    let base = format!("http://{addr}");
    let allow = ["127.0.0.1"];
    let cases: Vec<(Value, WireCheck)> = vec![
        (
            json!({"authMethod": "basic", "basic": {"username": "ada", "password": "p:w é"}}),
            Box::new(|s: &Seen| {
                use base64::Engine;
                let want = base64::engine::general_purpose::STANDARD.encode("ada:p:w é");
                assert_eq!(s.headers["authorization"], format!("Basic {want}"));
            }),
        ),
        (
            json!({"authMethod": "bearer", "bearer": {"token": "b-123"}}),
            Box::new(|s: &Seen| assert_eq!(s.headers["authorization"], "Bearer b-123")),
        ),
        (
            json!({"authMethod": "apiKey", "apiKey": {"key": "X-Api-Key", "value": "k-1", "isQueryParam": false}}),
            Box::new(|s: &Seen| {
                assert_eq!(s.headers["x-api-key"], "k-1");
                assert!(!s.headers.contains_key("authorization"));
            }),
        ),
        (
            json!({"authMethod": "apiKey", "apiKey": {"key": "api_key", "value": "k 2&", "isQueryParam": true}}),
            Box::new(|s: &Seen| assert!(s.uri.ends_with("?q=1&api_key=k+2%26"), "{}", s.uri)),
        ),
        (
            json!({"authMethod": "oAuthClientCredentials", "oAuthClientCredentials": {
                "clientId": "cid", "clientSecret": "csec", "accessTokenUrl": format!("{base}/token"),
                "scopes": ["a", "b"], "accessTokenAuthMethod": "requestBody"}}),
            Box::new(|s: &Seen| assert!(s.headers["authorization"].starts_with("Bearer tok-"))),
        ),
        (
            json!({"authMethod": "awsSigV4", "awsSigV4": {"accessKeyId": "AKIDEXAMPLE",
                "secretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "region": "us-east-1", "service": "execute-api"}}),
            Box::new(|s: &Seen| {
                let a = &s.headers["authorization"];
                assert!(
                    a.starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"),
                    "{a}"
                );
                assert!(a.contains("/us-east-1/execute-api/aws4_request"), "{a}");
                assert!(a.contains("Signature="), "{a}");
                assert!(s.headers.contains_key("x-amz-date"));
            }),
        ),
    ];
    for (cred, check) in cases {
        let auth = credential(&app, &admin, &allow, cred.clone()).await;
        let id = connector(
            &app,
            &admin,
            get_connector(&format!("{base}/echo?q=1"), Some(&auth)),
        )
        .await;
        let before = up.seen.lock().unwrap().len();
        let (s, r) = call(&app, &admin, &id, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{cred}: {r}");
        assert_eq!(r["status"], 200);
        assert_eq!(r["body"]["ok"], true);
        let seen = up.seen.lock().unwrap()[before..].to_vec();
        assert_eq!(seen.len(), 1, "one request for {cred}");
        check(&seen[0]);
    }
    // The token request of the requestBody method carried the client in its form.
    let forms = up.token_forms.lock().unwrap().clone();
    assert_eq!(forms.len(), 1);
    assert_eq!(forms[0].0, None, "no Basic header with requestBody");
    let form: BTreeMap<String, String> = serde_urlencoded::from_str(&forms[0].1).unwrap();
    assert_eq!(form["grant_type"], "client_credentials");
    assert_eq!(form["client_id"], "cid");
    assert_eq!(form["client_secret"], "csec");
    assert_eq!(form["scope"], "a b");

    // Password credentials: the password grant, the client by HTTP Basic.
    let auth = credential(
        &app,
        &admin,
        &allow,
        json!({"authMethod": "oAuthPasswordCredentials", "oAuthPasswordCredentials": {
            "username": "ada", "password": "pw 1&2", "clientId": "pc", "clientSecret": "ps",
            "accessTokenUrl": format!("{base}/token"), "scopes": [], "accessTokenAuthMethod": "httpBasic"}}),
    )
    .await;
    let id = connector(
        &app,
        &admin,
        get_connector(&format!("{base}/echo"), Some(&auth)),
    )
    .await;
    let (s, r) = call(&app, &admin, &id, json!({})).await;
    assert_eq!(
        (s, r["status"].clone()),
        (StatusCode::OK, json!(200)),
        "{r}"
    );
    let forms = up.token_forms.lock().unwrap().clone();
    let (basic, body) = forms.last().unwrap().clone();
    use base64::Engine;
    assert_eq!(
        basic.unwrap(),
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("pc:ps")
        )
    );
    let form: BTreeMap<String, String> = serde_urlencoded::from_str(&body).unwrap();
    assert_eq!(form["grant_type"], "password");
    assert_eq!(form["username"], "ada");
    assert_eq!(form["password"], "pw 1&2");

    // Authorization code: stored as the document describes it, but a call needs a
    // person's consent, which sigil cannot obtain: a clear 400, nothing sent.
    let auth = credential(
        &app,
        &admin,
        &allow,
        json!({"authMethod": "oAuthAuthorizationCode", "oAuthAuthorizationCode": {
            "clientId": "ac", "clientSecret": "as", "authorizationUrl": "https://auth.example.com/authorize",
            "accessTokenUrl": format!("{base}/token"), "scopes": ["x"], "accessTokenAuthMethod": "httpBasic"}}),
    )
    .await;
    let (_, c) = app
        .get(&format!("/v2/api-credentials/{auth}"), Some(&admin))
        .await;
    assert_eq!(
        c["credential"]["oAuthAuthorizationCode"]["authorizationUrl"],
        "https://auth.example.com/authorize"
    );
    let id = connector(
        &app,
        &admin,
        get_connector(&format!("{base}/echo"), Some(&auth)),
    )
    .await;
    let before = up.seen.lock().unwrap().len();
    let r = call(&app, &admin, &id, json!({})).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(
        r.1["message"].as_str().unwrap().contains("authorization"),
        "{}",
        r.1
    );
    assert_eq!(up.seen.lock().unwrap().len(), before);
}

#[tokio::test]
async fn tokens_are_fetched_once_again_after_expiry_and_once_after_a_401() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (addr, up) = upstream("127.0.0.1").await;
    let base = format!("http://{addr}");
    let auth = credential(
        &app,
        &admin,
        &["127.0.0.1"],
        json!({"authMethod": "oAuthClientCredentials", "oAuthClientCredentials": {
            "clientId": "cid", "clientSecret": "csec", "accessTokenUrl": format!("{base}/token"),
            "scopes": [], "accessTokenAuthMethod": "httpBasic"}}),
    )
    .await;
    let id = connector(
        &app,
        &admin,
        get_connector(&format!("{base}/protected"), Some(&auth)),
    )
    .await;

    // Many concurrent calls: one token request.
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (http, url, admin) = (
            app.http.clone(),
            app.url(&format!("/v2/api-connectors/{id}/call")),
            admin.clone(),
        );
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(admin)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(up.token_hits.load(Ordering::SeqCst), 1);
    let forms = up.token_forms.lock().unwrap().clone();
    use base64::Engine;
    assert_eq!(
        forms[0].0.as_deref(),
        Some(
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode("cid:csec")
            )
            .as_str()
        )
    );

    // The upstream stops accepting the token: one new token, one retry, success.
    up.revoked.lock().unwrap().push("tok-1".into());
    let hits = up.seen.lock().unwrap().len();
    let (s, r) = call(&app, &admin, &id, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], 200);
    assert_eq!(r["body"]["token"], "tok-2");
    assert_eq!(up.token_hits.load(Ordering::SeqCst), 2);
    assert_eq!(
        up.seen.lock().unwrap().len(),
        hits + 2,
        "the call, then its one retry"
    );

    // A 401 with a fresh token too: answered as is, not retried forever.
    up.revoked.lock().unwrap().push("tok-3".into());
    up.revoked.lock().unwrap().push("tok-2".into());
    let (s, r) = call(&app, &admin, &id, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["status"], 401);
    assert_eq!(up.token_hits.load(Ordering::SeqCst), 3);

    // Tokens that expire at once are fetched again for each call: the revoked tok-3
    // makes way for tok-4, which has expired by the next call, and so on.
    *up.expires_in.lock().unwrap() = 0.000_001;
    let before = up.token_hits.load(Ordering::SeqCst);
    for _ in 0..3 {
        let (_, r) = call(&app, &admin, &id, json!({})).await;
        assert_eq!(r["status"], 200, "{r}");
    }
    assert_eq!(
        up.token_hits.load(Ordering::SeqCst),
        before + 3,
        "expired tokens are not reused"
    );
}

// ---- templates and parameters ----

#[tokio::test]
async fn awkward_values_arrive_as_the_json_they_are() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (addr, up) = upstream("127.0.0.1").await;
    let id = connector(
        &app,
        &admin,
        json!({
            "name": "teams",
            "params": {
                "method": "POST",
                "url": format!("http://{addr}/v2/teams/{{teamId}}"),
                "headers": [{"key": "X-Trace", "mode": "dynamic", "type": "string"}],
                "pathParams": [{"key": "teamId", "mode": "dynamic", "type": "string"}],
                "queryParams": [{"key": "q", "mode": "dynamic", "type": "string"}],
                "body": "{\"name\": {{team-name}}, \"note\": \"prefix {{team-name}}\", \"count\": {{n}}, \"tags\": {{tags}}}",
                "bodyParams": [{"key": "n", "mode": "dynamic", "type": "number"}, {"key": "tags", "mode": "dynamic", "type": "array"}]
            }
        }),
    )
    .await;
    let awkward = [
        "plain",
        "quote \" and backslash \\",
        "new\nline\ttab",
        "unicode ü 🚀 \u{2028}",
        "}} {{team-name}} \"}, \"admin\": true, \"x\": {\"",
        "\u{0}\u{1f}",
    ];
    for name in awkward {
        let before = up.seen.lock().unwrap().len();
        let (s, r) = call(
            &app,
            &admin,
            &id,
            json!({"team-name": name, "n": 3, "tags": ["a", "b"], "teamId": "a/b c?d", "q": "x&y=z", "X-Trace": "t"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let seen = up.seen.lock().unwrap()[before].clone();
        let body: Value = serde_json::from_str(&seen.body).unwrap();
        assert_eq!(body["name"], name);
        assert_eq!(body["note"], format!("prefix {name}"));
        assert_eq!(body["count"], 3);
        assert_eq!(body["tags"], json!(["a", "b"]));
        assert_eq!(
            body.as_object().unwrap().len(),
            4,
            "nothing broke out: {body}"
        );
        assert_eq!(seen.uri, "/v2/teams/a%2Fb%20c%3Fd?q=x%26y%3Dz");
        assert_eq!(seen.headers["content-type"], "application/json");
    }
    // Missing, extra, mistyped parameters and header injection: 400 naming them.
    let base =
        json!({"team-name": "n", "n": 3, "tags": [], "teamId": "t", "q": "q", "X-Trace": "t"});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("teamId");
    for (params, named) in [
        (missing, "teamId"),
        (with("extra", json!(1)), "extra"),
        (with("n", json!("three")), "n"),
        (with("tags", json!({"a": 1})), "tags"),
        (with("X-Trace", json!("a\r\nX-Evil: 1")), "X-Trace"),
    ] {
        let r = call(&app, &admin, &id, params).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(r.1["message"].as_str().unwrap().contains(named), "{}", r.1);
    }
    // The stored connector answers its body parameters with their types.
    let (_, c) = app
        .get(&format!("/v2/api-connectors/{id}"), Some(&admin))
        .await;
    let bp: BTreeMap<String, String> = c["params"]["bodyParams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap().to_owned(),
                p["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(bp["team-name"], "string");
    assert_eq!(bp["n"], "number");
    assert_eq!(bp["tags"], "array");
}

#[tokio::test]
async fn bad_connectors_get_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let cred = credential(
        &app,
        &admin,
        &["api.example.com"],
        json!({"authMethod": "bearer", "bearer": {"token": "t"}}),
    )
    .await;
    let good = json!({"method": "POST", "url": "https://api.example.com/x", "headers": [], "pathParams": [], "queryParams": [], "body": "{\"a\": {{a}}}"});
    let with = |k: &str, v: Value| {
        let mut p = good.clone();
        p[k] = v;
        json!({"name": "c", "params": p})
    };
    let cases = [
        (with("method", json!("BREW")), "params.method"),
        (with("url", json!("file:///etc/passwd")), "params.url"),
        (with("url", json!("https://{{host}}/x")), "params.url"),
        (with("body", json!("{\"a\": {{a}")), "params.body"),
        (with("body", json!("{\"a\": }")), "params.body"),
        (
            with(
                "headers",
                json!([{"key": "X", "mode": "static", "value": "a\nb"}]),
            ),
            "params.headers[0]",
        ),
        (
            json!({"name": "c", "params": good, "config": {"timeout": {"requestSec": 500}}}),
            "config.timeout.requestSec",
        ),
        (
            json!({"name": "c", "params": good, "config": {"retry": {"maxRetries": 2, "retryableStatusCodes": [200]}}}),
            "retryableStatusCodes",
        ),
        (
            json!({"name": "c", "params": good, "authId": "nope"}),
            "authId",
        ),
        (
            json!({"name": "c", "params": {"method": "GET", "url": "https://other.example.org/", "headers": [], "pathParams": [], "queryParams": [], "body": ""}, "authId": cred}),
            "allowlist",
        ),
    ];
    for (body, named) in cases {
        let r = post(&app, &admin, "/v2/api-connectors", body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            r.1["message"].as_str().unwrap().contains(named),
            "{body} → {}",
            r.1
        );
    }
    let (_, list) = app.get("/v2/api-connectors", Some(&admin)).await;
    assert_eq!(list["entries"], json!([]), "nothing was written");
    let r = call(
        &app,
        &admin,
        "00000000-0000-0000-0000-000000000000",
        json!({}),
    )
    .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}

// ---- SSRF ----

#[tokio::test]
async fn private_and_metadata_targets_are_refused_directly_by_name_and_by_redirect() {
    // Default configuration: no network allowed but this server's own origin.
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (addr, up) = upstream("127.0.0.1").await;
    for url in [
        format!("http://{addr}/x"),
        format!("http://localhost:{}/x", addr.port()),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::1]:9/x".to_owned(),
        "http://10.0.0.1/x".to_owned(),
        "http://0.0.0.0:9/x".to_owned(),
    ] {
        let id = connector(&app, &admin, get_connector(&url, None)).await;
        let r = call(&app, &admin, &id, json!({})).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
        assert!(
            r.1["message"].as_str().unwrap().contains("may not reach"),
            "{url}: {}",
            r.1
        );
    }
    assert!(
        up.seen.lock().unwrap().is_empty(),
        "nothing reached the upstream"
    );

    // Allowed: one loopback address; it redirects to a refused one.
    let app =
        TestApp::spawn_with(|o| o.config.connect.allowed_networks = vec!["127.0.0.2/32".into()])
            .await;
    let admin = app.admin_token().await;
    let (allowed, hop) = upstream("127.0.0.2").await;
    for to in [
        format!("http://{addr}/x"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
    ] {
        *hop.redirect_to.lock().unwrap() = to.clone();
        let id = connector(
            &app,
            &admin,
            get_connector(&format!("http://{allowed}/redirect"), None),
        )
        .await;
        let r = call(&app, &admin, &id, json!({})).await;
        assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    }
    // A redirect to a host outside the credential's allowlist is refused too.
    let cred = credential(
        &app,
        &admin,
        &["127.0.0.2"],
        json!({"authMethod": "bearer", "bearer": {"token": "t"}}),
    )
    .await;
    *hop.redirect_to.lock().unwrap() = "http://example.com/".into();
    let id = connector(
        &app,
        &admin,
        get_connector(&format!("http://{allowed}/redirect"), Some(&cred)),
    )
    .await;
    let r = call(&app, &admin, &id, json!({})).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    assert!(
        r.1["message"].as_str().unwrap().contains("allowlist"),
        "{}",
        r.1
    );
    assert!(up.seen.lock().unwrap().is_empty());

    // sigil's own origin is always allowed.
    let me = app.base.clone();
    let id = connector(&app, &admin, get_connector(&format!("{me}/healthz"), None)).await;
    let (s, r) = call(&app, &admin, &id, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["status"], 200);
}

// ---- limits ----

#[tokio::test]
async fn size_cap_timeout_retries_redirects_and_rate_limit() {
    let app = TestApp::spawn_with(|o| {
        o.config.connect.allowed_networks = vec!["127.0.0.0/8".into()];
        o.config.connect.max_response_bytes = 2048;
    })
    .await;
    let admin = app.admin_token().await;
    let (addr, up) = upstream("127.0.0.1").await;
    let base = format!("http://{addr}");

    let id = connector(&app, &admin, get_connector(&format!("{base}/big"), None)).await;
    let r = call(&app, &admin, &id, json!({})).await;
    assert_error(&r, StatusCode::BAD_GATEWAY, "bad_gateway");
    assert!(
        r.1["message"].as_str().unwrap().contains("2048-byte limit"),
        "{}",
        r.1
    );

    let mut c = get_connector(&format!("{base}/hang"), None);
    c["config"] = json!({"timeout": {"requestSec": 0.3}});
    let id = connector(&app, &admin, c).await;
    let t = std::time::Instant::now();
    let r = call(&app, &admin, &id, json!({})).await;
    assert_error(&r, StatusCode::GATEWAY_TIMEOUT, "gateway_timeout");
    assert!(t.elapsed() < std::time::Duration::from_secs(10));

    up.flaky_left.store(2, Ordering::SeqCst);
    let mut c = get_connector(&format!("{base}/flaky"), None);
    c["config"] = json!({"retry": {"maxRetries": 2, "retryableStatusCodes": [503]}});
    let id = connector(&app, &admin, c).await;
    let before = up.seen.lock().unwrap().len();
    let (s, r) = call(&app, &admin, &id, json!({})).await;
    assert_eq!(
        (s, r["status"].clone()),
        (StatusCode::OK, json!(200)),
        "{r}"
    );
    assert_eq!(up.seen.lock().unwrap().len(), before + 3);

    // Without retries configured, a 503 is answered as it came.
    up.flaky_left.store(1, Ordering::SeqCst);
    let id = connector(&app, &admin, get_connector(&format!("{base}/flaky"), None)).await;
    let (_, r) = call(&app, &admin, &id, json!({})).await;
    assert_eq!(r["status"], 503);

    *up.redirect_to.lock().unwrap() = format!("{base}/redirect");
    let mut c = get_connector(&format!("{base}/redirect"), None);
    c["config"] = json!({"redirects": {"maxRedirects": 3}});
    let id = connector(&app, &admin, c).await;
    let r = call(&app, &admin, &id, json!({})).await;
    assert_error(&r, StatusCode::BAD_GATEWAY, "bad_gateway");
    assert!(r.1["message"]
        .as_str()
        .unwrap()
        .contains("more than 3 redirects"));

    let mut c = get_connector(&format!("{base}/echo"), None);
    c["config"] = json!({"rateLimit": {"maxRequestsPerWindow": 2}});
    let id = connector(&app, &admin, c).await;
    assert_eq!(call(&app, &admin, &id, json!({})).await.0, StatusCode::OK);
    assert_eq!(call(&app, &admin, &id, json!({})).await.0, StatusCode::OK);
    let r = call(&app, &admin, &id, json!({})).await;
    assert_error(&r, StatusCode::TOO_MANY_REQUESTS, "too_many_requests");

    // Every call, failed ones included, is in the log; the newest first.
    app.state.services.connectors.audit().flush().await;
    let (s, log) = app
        .get(&format!("/v2/api-connectors/{id}/calls"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK, "{log}");
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3, "{log}");
    assert_eq!(
        entries[0]["status"],
        Value::Null,
        "the refused call is logged, unsent"
    );
    assert!(entries[0]["error"].as_str().unwrap().contains("rate limit"));
    assert_eq!(entries[1]["status"], 200);
    assert!(entries[1]["bytesReceived"].as_u64().unwrap() > 0);
    assert!(
        entries[1].get("responseBody").is_none(),
        "bodies are not kept by default"
    );
}

#[tokio::test]
async fn a_dry_run_shows_the_request_with_secrets_masked_and_sends_nothing() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (addr, up) = upstream("127.0.0.1").await;
    let cred = credential(
        &app,
        &admin,
        &["127.0.0.1"],
        json!({"authMethod": "apiKey", "apiKey": {"key": "X-Key", "value": "very-secret-value", "isQueryParam": false}}),
    )
    .await;
    let mut c = get_connector(&format!("http://{addr}/echo"), Some(&cred));
    c["params"]["method"] = json!("POST");
    c["params"]["body"] = json!("{\"name\": {{name}}}");
    let id = connector(&app, &admin, c).await;
    let (s, r) = post(
        &app,
        &admin,
        &format!("/v2/api-connectors/{id}/preview"),
        json!({"parameters": {"name": "Ann \"A\""}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let text = r.to_string();
    assert!(!text.contains("very-secret-value"), "{text}");
    assert!(text.contains("****"));
    assert_eq!(r["request"]["body"]["name"], "Ann \"A\"");
    assert_eq!(r["parameters"]["name"], "string");
    assert!(up.seen.lock().unwrap().is_empty());
}

// ---- OpenAPI documents ----

#[tokio::test]
async fn documents_import_by_upload_yaml_and_url_and_broken_ones_say_where() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let yaml = "openapi: 3.0.3\ninfo: {title: Pets, version: '1'}\nservers: [{url: 'https://pets.example.com/v1'}]\npaths:\n  /pets/{id}:\n    get:\n      operationId: getPet\n      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]\n";
    let res = app
        .http
        .post(app.url("/v2/api-documents?name=pets"))
        .bearer_auth(&admin)
        .header("content-type", "application/yaml")
        .body(yaml)
        .send()
        .await
        .unwrap();
    let (s, doc) = crate::common::json_of(res).await;
    assert_eq!(s, StatusCode::OK, "{doc}");
    assert_eq!(doc["name"], "pets");
    assert_eq!(doc["specVersion"], "openapi-3.0");
    assert_eq!(doc["operationCount"], 1);
    let (_, ops) = app
        .get(
            &format!(
                "/v2/api-documents/{}/operations",
                doc["documentId"].as_str().unwrap()
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(ops["entries"][0]["path"], "/pets/{id}");
    assert_eq!(
        ops["entries"][0]["servers"],
        json!(["https://pets.example.com/v1"])
    );

    // By URL, through the same safe client.
    let (addr, up) = upstream("127.0.0.1").await;
    let (s, d) = post(
        &app,
        &admin,
        "/v2/api-documents",
        json!({"name": "by url", "url": format!("http://{addr}/spec.json")}),
    )
    .await;
    // The fake upstream answers {"ok": true, …}: not an OpenAPI document.
    assert_error(&(s, d.clone()), StatusCode::BAD_REQUEST, "bad_request");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("not an OpenAPI document"),
        "{d}"
    );
    assert_eq!(up.seen.lock().unwrap().len(), 1);

    for (body, at) in [
        (
            json!({"content": "{\"openapi\": \"3.0.0\", \"paths\": {\"/a\": {\"get\": 5}}}"}),
            "/paths/~1a/get",
        ),
        (
            json!({"content": "{\"openapi\": \"3.1.0\",\n\"paths\": {\"/a\": {\"post\": {\"requestBody\": {\"$ref\": \"#/components/requestBodies/Gone\"}}}}}"}),
            "/paths/~1a/post/requestBody",
        ),
        (
            json!({"content": "{\"openapi\": \"3.0.0\",\n \"paths\": {,}}"}),
            "line 2",
        ),
        (json!({"content": "openapi: 3.0.0\npaths: [1, 2"}), "line"),
        (
            json!({"content": "{\"openapi\": \"4.0.0\", \"paths\": {}}"}),
            "/openapi",
        ),
        (
            json!({"url": "http://169.254.169.254/spec"}),
            "may not reach",
        ),
    ] {
        let r = post(&app, &admin, "/v2/api-documents", body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            r.1["message"].as_str().unwrap().contains(at),
            "{body} → {}",
            r.1
        );
    }
}

/// The seed tutorial's connector, built through the API against sigil itself: an OAuth
/// client-credentials credential on sigil's own `/v2/auth/token`, Sigma's document,
/// `POST /v2/teams` with the seed's body, called with awkward team names.
#[tokio::test]
async fn the_seed_tutorials_connector_creates_teams_on_sigil_itself() {
    let Some(doc) = crate::common::reference("sigma-computing-public-rest-api.json") else {
        return;
    };
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (client_id, secret) = app.create_credentials(&admin, app.init.member_id).await;
    let host = app
        .base
        .trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap()
        .to_owned();
    let cred = credential(
        &app,
        &admin,
        &[host.as_str()],
        json!({"authMethod": "oAuthClientCredentials", "oAuthClientCredentials": {
            "clientId": client_id, "clientSecret": secret,
            "accessTokenUrl": app.url("/v2/auth/token"), "scopes": [], "accessTokenAuthMethod": "httpBasic"}}),
    )
    .await;
    let res = app
        .http
        .post(app.url("/v2/api-documents?name=Sigma"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(doc)
        .send()
        .await
        .unwrap();
    let (s, d) = crate::common::json_of(res).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    let (s, c) = post(
        &app,
        &admin,
        "/v2/api-connectors/from-operation",
        json!({"documentId": d["documentId"], "method": "POST", "path": "/v2/teams",
               "name": "Create team", "baseUrl": app.base, "authId": cred}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    assert_eq!(c["params"]["url"], app.url("/v2/teams"));
    let id = c["apiConnectorId"].as_str().unwrap().to_owned();
    // The seed's own body, both parameters typed Text.
    let (s, c) = app
        .send_json(
            Method::PATCH,
            &format!("/v2/api-connectors/{id}"),
            Some(&admin),
            &json!({"params": {"method": "POST", "url": app.url("/v2/teams"), "headers": [], "pathParams": [], "queryParams": [],
                "body": "{\"name\": {{team-name}},\"description\": {{team-description}},\"members\": [],\"createTeamFolder\": false,\"visibility\": \"private\"}",
                "bodyParams": [{"key": "team-name", "mode": "dynamic", "type": "string"}, {"key": "team-description", "mode": "dynamic", "type": "string"}]}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    for name in [
        "Sales \"West\"",
        "line\nbreak \\ and }} {{x}}",
        "ünïcødé 🚀",
    ] {
        let (s, r) = call(
            &app,
            &admin,
            &id,
            json!({"team-name": name, "team-description": "made by a connector"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["status"], 200, "{r}");
        assert_eq!(r["body"]["name"], name);
        let (_, teams) = app.get("/v2/teams?limit=100", Some(&admin)).await;
        assert!(
            teams["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == name),
            "{name:?} is listed"
        );
    }
}

// ---- logs ----

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything every test of this binary logs, at the most verbose level.
fn captured_logs() -> LogBuffer {
    static LOGS: std::sync::OnceLock<LogBuffer> = std::sync::OnceLock::new();
    LOGS.get_or_init(|| {
        let buf = LogBuffer::default();
        let writer = buf.clone();
        tracing_subscriber::fmt()
            .with_env_filter("trace")
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        buf
    })
    .clone()
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let logs = captured_logs();
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (addr, _) = upstream("127.0.0.1").await;
    let base = format!("http://{addr}");
    let secrets = ["log-pw-4471", "log-tok-9902", "log-cs-1183"];
    for cred in [
        json!({"authMethod": "basic", "basic": {"username": "u", "password": secrets[0]}}),
        json!({"authMethod": "bearer", "bearer": {"token": secrets[1]}}),
        json!({"authMethod": "oAuthClientCredentials", "oAuthClientCredentials": {
            "clientId": "cid", "clientSecret": secrets[2], "accessTokenUrl": format!("{base}/token"),
            "scopes": [], "accessTokenAuthMethod": "requestBody"}}),
    ] {
        let auth = credential(&app, &admin, &["127.0.0.1", "169.254.169.254"], cred).await;
        let id = connector(
            &app,
            &admin,
            get_connector(&format!("{base}/echo"), Some(&auth)),
        )
        .await;
        let (s, r) = call(&app, &admin, &id, json!({})).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        // A failing call too: its error goes to the log.
        let id = connector(
            &app,
            &admin,
            get_connector("http://169.254.169.254/", Some(&auth)),
        )
        .await;
        call(&app, &admin, &id, json!({})).await;
    }
    app.state.services.connectors.audit().flush().await;
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("API credential created"),
        "the logs were captured"
    );
    for s in secrets {
        assert!(!text.contains(s), "{s} is in the logs");
    }
}

#[tokio::test]
async fn sigmas_newest_document_imports_over_http_despite_its_size_and_cycles() {
    let Some(doc) = crate::common::reference("sigma-rest-api-2026-08.json") else {
        return;
    };
    assert!(doc.len() > 3_000_000, "larger than the default body limit");
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .http
        .post(app.url("/v2/api-documents"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(doc)
        .send()
        .await
        .unwrap();
    let (s, d) = crate::common::json_of(res).await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(d["specVersion"], "openapi-3.1");
    assert!(d["operationCount"].as_u64().unwrap() > 150);
    assert_eq!(
        d["name"], d["title"],
        "named after its title when no name is given"
    );
    let id = d["documentId"].as_str().unwrap();
    let (_, ops) = app
        .get(
            &format!("/v2/api-documents/{id}/operations?operationId=createApiConnector"),
            Some(&admin),
        )
        .await;
    assert_eq!(ops["total"], 1);
    assert_eq!(ops["entries"][0]["method"], "POST");
    assert_eq!(ops["entries"][0]["path"], "/v2/api-connectors");
    let (_, all) = app
        .get(
            &format!("/v2/api-documents/{id}/operations?path=/v2/teams"),
            Some(&admin),
        )
        .await;
    assert!(all["total"].as_u64().unwrap() >= 2);
}

#[tokio::test]
async fn the_call_log_forgets_calls_past_its_retention_unless_told_to_keep_them() {
    for (retention, kept) in [(30, 1), (0, 2)] {
        let app = TestApp::spawn_with(|o| {
            o.config.connect.allowed_networks = vec!["127.0.0.0/8".into()];
            o.config.connect.call_log_retention_days = retention;
        })
        .await;
        let admin = app.admin_token().await;
        let (addr, _up) = upstream("127.0.0.1").await;
        let id = connector(
            &app,
            &admin,
            get_connector(&format!("http://{addr}/echo"), None),
        )
        .await;
        assert_eq!(call(&app, &admin, &id, json!({})).await.0, StatusCode::OK);
        app.state.services.connectors.audit().flush().await;

        // A call made 40 days ago, as the log would hold it.
        let then = time::OffsetDateTime::now_utc() - time::Duration::days(40);
        let old_id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            then.unix_timestamp() as u64,
            then.nanosecond(),
        ));
        app.store
            .insert_api_calls(&[sigil_store::ApiCall {
                id: sigil_core::ApiCallId::from(old_id),
                connector_id: id.parse().unwrap(),
                member_id: app.init.member_id,
                at: then,
                status: Some(200),
                error: None,
                duration_ms: 1.0,
                bytes_sent: 0,
                bytes_received: 2,
                response_body: None,
            }])
            .await
            .unwrap();

        sigil_service::startup::prune_call_log(&app.state.services).await;
        let (s, log) = app
            .get(&format!("/v2/api-connectors/{id}/calls"), Some(&admin))
            .await;
        assert_eq!(s, StatusCode::OK, "{log}");
        let entries = log["entries"].as_array().unwrap();
        assert_eq!(entries.len(), kept, "retention {retention}: {log}");
        assert_eq!(
            entries.iter().any(|e| e["callId"] == old_id.to_string()),
            retention == 0,
            "retention {retention}: {log}"
        );
    }
}
