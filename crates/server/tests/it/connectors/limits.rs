//! Where calls may go (SSRF), the limits on them, and the dry run.

use super::*;

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

#[tokio::test]
async fn a_dry_run_masks_secrets_that_are_json_punctuation_in_every_form() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for secret in [":", "{\"", "a b&c=d", "\\"] {
        let (s, c) = app
            .send_json(
                Method::POST,
                "/v2/api-credentials",
                Some(&admin),
                &json!({"name": "c", "allowlist": ["*"], "credential": {"authMethod": "bearer", "bearer": {"token": secret}}}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let (s, k) = app
            .send_json(
                Method::POST,
                "/v2/api-connectors",
                Some(&admin),
                &json!({"name": "k", "authId": c["apiCredentialId"], "params": {
                    "method": "POST", "url": "https://api.example.com/x",
                    "headers": [{"key": "x-copy", "mode": "static", "value": format!("token {secret}")}],
                    "queryParams": [{"key": "k", "mode": "static", "value": secret}],
                    "body": "{\"n\": {{n}}}"}}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{k}");
        let id = k["apiConnectorId"].as_str().unwrap();
        let (s, p) = app
            .send_json(
                Method::POST,
                &format!("/v2/api-connectors/{id}/preview"),
                Some(&admin),
                &json!({"parameters": {"n": "x"}}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "secret {secret:?}: {p}");
        let req = &p["request"];
        let header = req["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["key"] == "x-copy")
            .unwrap();
        assert_eq!(header["value"], "token ****", "{req}");
        let url = req["url"].as_str().unwrap();
        assert!(
            url.ends_with("k=****"),
            "the query's encoded form is masked: {url}"
        );
        assert_eq!(req["body"], json!({"n": "x"}), "{req}");
    }
}

#[tokio::test]
async fn a_redirect_to_another_origin_carries_no_credential() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (a, up_a) = upstream("127.0.0.1").await;
    let (b, up_b) = upstream("127.0.0.2").await;
    *up_a.redirect_to.lock().unwrap() = format!("http://{b}/landed?x=1");
    for credential in [
        json!({"authMethod": "bearer", "bearer": {"token": "bearer-secret"}}),
        json!({"authMethod": "apiKey", "apiKey": {"key": "x-api-key", "value": "key-secret", "isQueryParam": false}}),
        json!({"authMethod": "apiKey", "apiKey": {"key": "api_key", "value": "query-secret", "isQueryParam": true}}),
    ] {
        up_b.seen.lock().unwrap().clear();
        let (s, c) = app
            .send_json(
                Method::POST,
                "/v2/api-credentials",
                Some(&admin),
                &json!({"name": "c", "allowlist": ["*"], "credential": credential}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        let (s, k) = app
            .send_json(
                Method::POST,
                "/v2/api-connectors",
                Some(&admin),
                &json!({"name": "k", "authId": c["apiCredentialId"], "params": {
                    "method": "GET", "url": format!("http://{a}/redirect"),
                    "headers": [{"key": "authorization", "mode": "static", "value": "Basic c3RhdGljOnNlY3JldA=="}]}}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{k}");
        let id = k["apiConnectorId"].as_str().unwrap();
        let (s, r) = app
            .send_json(
                Method::POST,
                &format!("/v2/api-connectors/{id}/call"),
                Some(&admin),
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let seen = up_b.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "the redirect reached the second origin");
        let wire = format!("{:?}", seen[0]);
        for secret in [
            "bearer-secret",
            "key-secret",
            "query-secret",
            "c3RhdGljOnNlY3JldA",
        ] {
            assert!(!wire.contains(secret), "{secret} crossed origins: {wire}");
        }
        assert!(!seen[0].headers.contains_key("authorization"), "{wire}");
    }
}
