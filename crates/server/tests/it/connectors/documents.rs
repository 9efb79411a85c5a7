//! OpenAPI documents: imports by upload, YAML and URL; the seed tutorial's connector on sigil itself.

use super::*;

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

/// What a document may cost (`documents.*`): beyond its bytes or its nodes, or an alias
/// bomb, an import gets 413 saying which limit, before the server builds what it would
/// cost, and nothing is saved; a member who may not import is refused before a large
/// body is read.
#[tokio::test]
async fn documents_beyond_the_limits_get_413_and_nothing_is_saved() {
    let app = TestApp::spawn_with(|o| {
        o.config.connect.allowed_networks = vec!["127.0.0.0/8".into()];
        o.config.documents.max_bytes = 3000;
        o.config.documents.max_nodes = 200;
    })
    .await;
    let admin = app.admin_token().await;
    let send = |body: String, content_type: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let res = app
                .http
                .post(app.url("/v2/api-documents"))
                .bearer_auth(admin)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            crate::common::json_of(res).await
        }
    };
    let ones = "1,".repeat(499) + "1";
    let json_doc = format!(
        "{{\"openapi\": \"3.0.0\", \"paths\": {{}}, \"components\": {{\"schemas\": {{\"A\": {{\"enum\": [{ones}]}}}}}}}}"
    );
    let yaml_doc = format!(
        "openapi: 3.0.0\npaths: {{}}\ncomponents: {{schemas: {{A: {{enum: [{ones}]}}}}}}\n"
    );
    let mut bomb = String::from("openapi: 3.0.0\npaths: {}\nx0: &a0 [x, x, x, x, x]\n");
    for i in 1..6 {
        bomb.push_str(&format!(
            "x{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n",
            p = i - 1
        ));
    }
    for (what, body, ct, says) in [
        (
            "a JSON array",
            json_doc.clone(),
            "application/json",
            "more than 200 nodes",
        ),
        (
            "a YAML array",
            yaml_doc,
            "application/yaml",
            "more than sigil accepts",
        ),
        (
            "an alias bomb",
            bomb,
            "application/yaml",
            "more than sigil accepts",
        ),
        (
            "the same array wrapped in an import request",
            serde_json::to_string(&json!({"name": "wrapped", "content": json_doc})).unwrap(),
            "application/json",
            "more than 200 nodes",
        ),
        (
            "a body over the byte limit",
            format!(
                "{{\"openapi\": \"3.0.0\", \"paths\": {{}}}}{}",
                " ".repeat(3000)
            ),
            "application/json",
            "larger than 3000 bytes",
        ),
    ] {
        let r = send(body, ct).await;
        assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
        let message = r.1["message"].as_str().unwrap();
        assert!(message.contains(says), "{what}: {message}");
    }

    // Fetched from a URL, the same byte limit holds (the upstream's /big is 4096 bytes).
    let (addr, _up) = upstream("127.0.0.1").await;
    let r = post(
        &app,
        &admin,
        "/v2/api-documents",
        json!({"url": format!("http://{addr}/big")}),
    )
    .await;
    assert_error(&r, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    assert!(
        r.1["message"].as_str().unwrap().contains("3000 bytes"),
        "{}",
        r.1
    );

    // Nothing was saved; a document within the limits imports.
    let (_, list) = app.get("/v2/api-documents", Some(&admin)).await;
    assert_eq!(list["entries"], json!([]), "{list}");
    let r = send(
        "openapi: 3.0.0\ninfo: {title: Small}\npaths:\n  /a: {get: {operationId: a}}\n".into(),
        "application/yaml",
    )
    .await;
    assert_eq!(r.0, StatusCode::OK, "{}", r.1);
    assert_eq!(r.1["name"], "Small");
    assert_eq!(r.1["operationCount"], 1);

    // A member who may not import is told so, not that the body is too large.
    let viewer = app
        .add_member("v@example.com", BuiltinAccountType::Viewer, "pw-viewer-1")
        .await;
    let (cid, secret) = app.create_credentials(&admin, viewer.id).await;
    let (_, t) = app.client_credentials(&cid, &secret).await;
    let viewer_token = t["access_token"].as_str().unwrap();
    let res = app
        .http
        .post(app.url("/v2/api-documents"))
        .bearer_auth(viewer_token)
        .header("content-type", "application/yaml")
        .body(" ".repeat(10_000))
        .send()
        .await
        .unwrap();
    let r = crate::common::json_of(res).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
}
