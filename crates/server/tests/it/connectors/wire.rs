//! Every auth method on the wire against the fake upstream, and the OAuth token cache.

use super::*;

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
