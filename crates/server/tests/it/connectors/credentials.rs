//! API credentials: secrets sealed and never answered, bad input, permissions.

use super::*;

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
    // Cleared: Sigma's schema has a string here, so it is "" rather than null.
    assert_eq!(r["description"], "");
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

#[tokio::test]
async fn static_values_are_hidden_from_non_managers_and_secret_looking_ones_masked() {
    let app = app_reaching_loopback().await;
    let admin = app.admin_token().await;
    let (addr, up) = upstream("127.0.0.1").await;
    let viewer = app
        .add_member("v@example.com", BuiltinAccountType::Viewer, "password1")
        .await;
    let (vid, vsecret) = app.create_credentials(&admin, viewer.id).await;
    let (_, vt) = app.client_credentials(&vid, &vsecret).await;
    let vt = vt["access_token"].as_str().unwrap().to_owned();
    let (s, k) = app
        .send_json(
            Method::POST,
            "/v2/api-connectors",
            Some(&admin),
            &json!({"name": "k", "params": {
                "method": "GET", "url": format!("http://{addr}/echo"),
                "headers": [
                    {"key": "x-api-token", "mode": "static", "value": "header-secret"},
                    {"key": "accept", "mode": "static", "value": "application/json"}],
                "queryParams": [{"key": "api_key", "mode": "static", "value": "query-secret"}]}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let id = k["apiConnectorId"].as_str().unwrap().to_owned();
    let text = k.to_string();
    assert!(
        !text.contains("header-secret") && !text.contains("query-secret"),
        "{text}"
    );
    let (_, mine) = app
        .get(&format!("/v2/api-connectors/{id}"), Some(&admin))
        .await;
    let header = |c: &Value, key: &str| {
        c["params"]["headers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["key"] == key)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(header(&mine, "x-api-token"), "****");
    assert_eq!(header(&mine, "accept"), "application/json");
    assert_eq!(mine["params"]["queryParams"][0]["value"], "****");
    // An action runner sees the connector, and none of its static values.
    let (s, theirs) = app
        .get(&format!("/v2/api-connectors/{id}"), Some(&vt))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(header(&theirs, "accept"), Value::Null);
    assert_eq!(theirs["params"]["queryParams"][0]["value"], Value::Null);
    // Writing back what was read keeps the secrets.
    let (s, _) = app
        .send_json(
            Method::PATCH,
            &format!("/v2/api-connectors/{id}"),
            Some(&admin),
            &json!({"params": mine["params"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .send_json(
            Method::POST,
            &format!("/v2/api-connectors/{id}/call"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let seen = up.seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(seen.headers["x-api-token"], "header-secret");
    assert!(seen.uri.contains("api_key=query-secret"), "{}", seen.uri);
    // The dry run masks them too.
    let (_, p) = app
        .send_json(
            Method::POST,
            &format!("/v2/api-connectors/{id}/preview"),
            Some(&admin),
            &json!({}),
        )
        .await;
    let p = p.to_string();
    assert!(
        !p.contains("header-secret") && !p.contains("query-secret"),
        "{p}"
    );
}
