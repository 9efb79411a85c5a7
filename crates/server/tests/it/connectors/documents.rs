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
