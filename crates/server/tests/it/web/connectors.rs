//! Administration > API connectors in a real Chromium, following the seed tutorial's
//! "Configure API credentials and connectors for the Sigma REST API" word by word:
//! the credential, the OpenAPI specification (from a URL on loopback, and uploaded),
//! the connector "Create Sigma team" with its preview and test; then the bad inputs
//! the forms must answer next to their fields, saving nothing.

use axum::routing::get;
use fantoccini::Locator;
use reqwest::StatusCode;
use serde_json::Value;
use sigil_core::BuiltinAccountType;

use super::browser::{Browser, Step};
use super::sign_in;
use crate::common::{reference, TestApp};

const SEED_BODY: &str = r#"{"name": {{team-name}},"description": {{team-description}},"members": [],"createTeamFolder": false,"visibility": "private"}"#;

/// Sigma's published specification (or, where the reference documents are not
/// here, sigil's own), served on loopback as Sigma's help site serves it.
async fn spec_server(app: &TestApp) -> (String, Vec<u8>) {
    let spec = match reference("sigma-computing-public-rest-api.json") {
        Some(s) => s,
        None => app
            .http
            .get(app.url("/openapi.json"))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec(),
    };
    let served = spec.clone();
    let router = axum::Router::new().route(
        "/openapi/sigma-computing-public-rest-api.json",
        get(move || {
            let s = served.clone();
            async move { ([("content-type", "application/json")], s) }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, router).await.unwrap() });
    (
        format!("http://{addr}/openapi/sigma-computing-public-rest-api.json"),
        spec,
    )
}

async fn go_to_api_connectors(b: &Browser) -> Step {
    // From the header, the user avatar opens the user menu; then Administration;
    // then, from the side panel, API connectors.
    b.user_menu().await?;
    b.link("Administration").await?;
    b.link("API connectors").await
}

fn entries(v: &Value) -> Vec<Value> {
    v["entries"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn the_seed_tutorial_credential_specification_and_connector_in_the_browser() {
    let app =
        TestApp::spawn_with(|o| o.config.connect.allowed_networks = vec!["127.0.0.0/8".into()])
            .await;
    let Some(b) = Browser::open(&app.base, app.dir.path()).await else {
        return;
    };
    let admin = app.admin_token().await;
    let (client_id, client_secret) = app.create_credentials(&admin, app.init.member_id).await;
    let (spec_url, spec) = spec_server(&app).await;
    let spec_file = app.dir.path().join("sigma-openapi.json");
    std::fs::write(&spec_file, &spec).unwrap();
    let password = app.init.password.clone();
    let base = app.base.clone();
    let team_name = r#"Team "Quoted" \ back"#;
    b.run("connectors-tutorial", async |b| {
        sign_in(b, "admin@example.com", &password).await?;

        // Create a credential.
        go_to_api_connectors(b).await?;
        b.link("Credentials").await?;
        b.link("Create credential").await?;
        assert!(b.text().await?.contains("New credential"));
        b.fill("Name", "Sigma client credentials").await?;
        b.fill("Description", "For use with the Sigma REST API.")
            .await?;
        b.fill("Authorized domains", "*").await?;
        b.choose("Authentication method", "OAuth (client credentials)")
            .await?;
        b.fill("Client ID", &client_id).await?;
        b.fill("Client secret", &client_secret).await?;
        b.fill("Access token URL", &format!("{base}/v2/auth/token"))
            .await?;
        b.choose("Send client credentials as", "Basic auth header")
            .await?;
        b.screenshot("connectors-new-credential").await;
        b.press("Save").await?;
        let t = b.text().await?;
        assert!(
            t.contains("Sigma client credentials") && t.contains("OAuth (client credentials)"),
            "{t}"
        );
        assert!(!t.contains(&client_secret));
        b.screenshot("connectors-credentials").await;
        let (_, creds) = app.get("/v2/api-credentials", Some(&admin)).await;
        let cred_id = entries(&creds)[0]["apiCredentialId"]
            .as_str()
            .unwrap()
            .to_owned();
        let (_, cred) = app
            .get(&format!("/v2/api-credentials/{cred_id}"), Some(&admin))
            .await;
        let cred = &cred;
        assert_eq!(cred["name"], "Sigma client credentials");
        assert_eq!(
            cred["description"], "For use with the Sigma REST API.",
            "{cred}"
        );
        assert_eq!(cred["allowlist"], serde_json::json!(["*"]));
        let occ = &cred["credential"]["oAuthClientCredentials"];
        assert_eq!(occ["clientId"], client_id.as_str(), "{cred}");
        assert_eq!(occ["accessTokenUrl"], format!("{base}/v2/auth/token"));
        assert_eq!(occ["accessTokenAuthMethod"], "httpBasic");

        // Add the Sigma OpenAPI specification.
        go_to_api_connectors(b).await?;
        b.link("Create connector").await?;
        b.choose("Connector type", "via OpenAPI").await?;
        b.press("Manage OpenAPI").await?;
        assert!(b
            .region("OpenAPI")
            .await?
            .contains("No OpenAPI specifications"));
        b.press("Create new OpenAPI").await?;
        b.fill("Name", "Sigma").await?;
        b.fill("Specification URL", &spec_url).await?;
        b.screenshot("connectors-create-openapi").await;
        b.press("Create").await?;
        assert!(b
            .text()
            .await?
            .contains("The specification is imported and selected."));
        let selected = b.field("Select OpenAPI specification").await?;
        assert_eq!(
            selected
                .find(Locator::Css("option:checked"))
                .await?
                .text()
                .await?,
            "Sigma"
        );
        let (_, docs) = app.get("/v2/api-documents", Some(&admin)).await;
        assert_eq!(entries(&docs).len(), 1, "{docs}");
        assert_eq!(entries(&docs)[0]["sourceUrl"], spec_url.as_str());

        // The same dialog imports an uploaded file.
        b.press("Manage OpenAPI").await?;
        b.screenshot("connectors-openapi").await;
        b.press("Create new OpenAPI").await?;
        b.fill("Name", "Sigma (uploaded)").await?;
        b.field("Specification file")
            .await?
            .send_keys(&spec_file.display().to_string())
            .await?;
        b.press("Create").await?;
        let selected = b.field("Select OpenAPI specification").await?;
        assert_eq!(
            selected
                .find(Locator::Css("option:checked"))
                .await?
                .text()
                .await?,
            "Sigma (uploaded)"
        );
        let (_, docs) = app.get("/v2/api-documents", Some(&admin)).await;
        assert_eq!(entries(&docs).len(), 2, "{docs}");

        // Create a connector.
        go_to_api_connectors(b).await?;
        b.link("Create connector").await?;
        assert!(b.text().await?.contains("New API connector"));
        b.fill("Name", "Create Sigma team").await?;
        b.fill(
            "Description",
            "OAuth connector for creating a team in Sigma",
        )
        .await?;
        b.choose("Authentication credential", "Sigma client credentials")
            .await?;
        b.choose("Connector type", "via OpenAPI").await?;
        b.choose_and_wait("Select OpenAPI specification", "Sigma")
            .await?;
        let endpoints = b.field("Select endpoint").await?.text().await?;
        assert!(
            endpoints.contains("POST /v2/teams — Create a team"),
            "{endpoints}"
        );
        // The select is searchable.
        b.fill("Search endpoints", "teams").await?;
        b.choose_and_wait("Select endpoint", "POST /v2/teams — Create a team")
            .await?;
        assert_eq!(
            b.field("Name").await?.prop("value").await?.as_deref(),
            Some("Create Sigma team"),
            "choosing the endpoint keeps what was typed"
        );
        let filled = b
            .field("Base URL")
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(
            filled.starts_with("http"),
            "the Base URL is filled in: {filled}"
        );
        // The README's tutorial: this sigil instead of Sigma's own server.
        b.fill("Base URL", &base).await?;
        b.fill("Request body", SEED_BODY).await?;
        b.wait_for_field("Type of team-description").await?;
        b.choose("Type of team-name", "Text").await?;
        b.choose("Type of team-description", "Text").await?;
        b.scroll_to("endpoint").await?;
        b.screenshot("connectors-endpoint").await;
        b.scroll_to("body").await?;
        b.screenshot("connectors-body").await;
        b.fill("team-name", team_name).await?;
        b.fill("team-description", "Made by following the tutorial")
            .await?;
        b.press("Preview").await?;
        let preview = b.region("Endpoint preview").await?;
        assert!(
            preview.contains(&format!("POST {base}/v2/teams")),
            "{preview}"
        );
        assert!(
            preview.contains(r#""name": "Team \"Quoted\" \\ back""#),
            "{preview}"
        );
        assert!(
            preview.contains("****"),
            "the credential is shown masked: {preview}"
        );
        assert!(!preview.contains(&client_secret), "{preview}");
        b.scroll_to("endpoint-preview").await?;
        b.screenshot("connectors-preview").await;
        b.press("Test").await?;
        let tested = b.region("Endpoint preview").await?;
        assert!(
            tested.contains("Status 200") && tested.contains("teamId"),
            "{tested}"
        );
        b.scroll_to("endpoint-preview").await?;
        b.screenshot("connectors-test").await;
        b.press("Save").await?;
        let t = b.text().await?;
        assert!(
            t.contains("Create Sigma team") && t.contains("Call log"),
            "{t}"
        );
        b.screenshot("connectors-connector").await;

        // Through the REST API: the team, with exactly that name, and the connector.
        let (_, teams) = app.get("/v2/teams", Some(&admin)).await;
        let named: Vec<_> = entries(&teams)
            .into_iter()
            .filter(|t| t["name"] == team_name)
            .collect();
        assert_eq!(named.len(), 1, "{teams}");
        assert_eq!(named[0]["description"], "Made by following the tutorial");
        let (_, list) = app.get("/v2/api-connectors", Some(&admin)).await;
        let connector_id = entries(&list)[0]["apiConnectorId"]
            .as_str()
            .unwrap()
            .to_owned();
        let (_, k) = app
            .get(&format!("/v2/api-connectors/{connector_id}"), Some(&admin))
            .await;
        let k = &k;
        assert_eq!(k["name"], "Create Sigma team");
        assert_eq!(
            k["description"],
            "OAuth connector for creating a team in Sigma"
        );
        assert_eq!(k["authId"], cred["apiCredentialId"]);
        assert_eq!(k["params"]["method"], "POST");
        assert_eq!(k["params"]["url"], format!("{base}/v2/teams"));
        assert_eq!(k["params"]["body"], SEED_BODY);
        let types: Vec<(String, String)> = k["params"]["bodyParams"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["key"].as_str().unwrap().into(),
                    p["type"].as_str().unwrap().into(),
                )
            })
            .collect();
        let mut types = types;
        types.sort();
        assert_eq!(
            types,
            vec![
                ("team-description".into(), "string".into()),
                ("team-name".into(), "string".into()),
            ]
        );

        // Editing the connector keeps what is not changed.
        b.goto(&format!("/admin/api-connectors/{connector_id}"))
            .await?;
        b.link("Edit").await?;
        assert_eq!(
            b.field("URL").await?.prop("value").await?.as_deref(),
            Some(format!("{base}/v2/teams").as_str())
        );
        b.fill("Description", "Creates a team in sigil").await?;
        b.press("Save").await?;
        let (_, edited) = app
            .get(&format!("/v2/api-connectors/{connector_id}"), Some(&admin))
            .await;
        assert_eq!(edited["description"], "Creates a team in sigil");
        assert_eq!(edited["name"], k["name"]);
        assert_eq!(edited["authId"], k["authId"]);
        assert_eq!(edited["params"], k["params"], "the request is unchanged");

        // The connector is listed on its tab; the credential in use cannot be deleted.
        b.link("API connectors").await?;
        assert!(b.text().await?.contains("Create Sigma team"));
        b.screenshot("connectors-list").await;
        b.link("Credentials").await?;
        b.client
            .execute("window.confirm = () => true", vec![])
            .await?;
        b.press("Delete").await?;
        let t = b.text().await?;
        assert!(
            t.contains("is used by connector `Create Sigma team`"),
            "{t}"
        );
        let (_, creds) = app.get("/v2/api-credentials", Some(&admin)).await;
        assert_eq!(entries(&creds).len(), 1, "nothing deleted");

        // Editing the credential never shows its secret, and saving keeps it.
        b.link("Sigma client credentials").await?;
        let page = b.client.source().await?;
        assert!(
            !page.contains(&client_secret),
            "the secret is not on the page"
        );
        assert_eq!(
            b.field("Client secret")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some("")
        );
        b.screenshot("connectors-edit-credential").await;
        b.fill("Description", "Still for the Sigma REST API.")
            .await?;
        b.press("Save").await?;
        let (_, after) = app
            .get(&format!("/v2/api-credentials/{cred_id}"), Some(&admin))
            .await;
        assert_eq!(after["description"], "Still for the Sigma REST API.");
        assert_eq!(
            after["credential"], cred["credential"],
            "nothing else changed"
        );
        Ok(())
    })
    .await;
    // The kept secret still signs in: the connector calls again.
    let (_, list) = app.get("/v2/api-connectors", Some(&admin)).await;
    let id = entries(&list)[0]["apiConnectorId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, r) = app
        .send_json(
            reqwest::Method::POST,
            &format!("/v2/api-connectors/{id}/call"),
            Some(&admin),
            &serde_json::json!({"parameters": {"team-name": "Second team", "team-description": "again"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
}

#[tokio::test]
async fn the_connector_forms_answer_bad_input_next_to_the_field_and_save_nothing() {
    let app = TestApp::spawn().await;
    let Some(b) = Browser::open(&app.base, app.dir.path()).await else {
        return;
    };
    let admin = app.admin_token().await;
    app.add_member(
        "cara@example.com",
        BuiltinAccountType::Explorer,
        "cara-password",
    )
    .await;
    let password = app.init.password.clone();
    b.run("connectors-bad-input", async |b| {
        sign_in(b, "admin@example.com", &password).await?;
        // Empty Authorized domains.
        b.goto("/admin/api-connectors/credentials/new").await?;
        b.fill("Name", "No domains").await?;
        b.choose("Authentication method", "Bearer token").await?;
        b.fill("Token", "t0ken-value").await?;
        b.press("Save").await?;
        let err = b
            .client
            .find(Locator::XPath(
                "//textarea[@id='domains']/following-sibling::p[@class='error']",
            ))
            .await?
            .text()
            .await?;
        assert!(err.contains("allowlist"), "{err}");
        assert_eq!(
            b.field("Name").await?.prop("value").await?.as_deref(),
            Some("No domains"),
            "the form keeps what was typed"
        );
        let page = b.client.source().await?;
        assert!(
            !page.contains("t0ken-value"),
            "a typed secret is not sent back"
        );
        b.screenshot("connectors-bad-credential").await;

        // A specification URL on a refused address.
        b.goto("/admin/api-connectors/new").await?;
        b.choose("Connector type", "via OpenAPI").await?;
        b.press("Manage OpenAPI").await?;
        b.press("Create new OpenAPI").await?;
        b.fill("Name", "Metadata").await?;
        b.fill(
            "Specification URL",
            "http://169.254.169.254/latest/openapi.json",
        )
        .await?;
        b.press("Create").await?;
        let err = b
            .client
            .find(Locator::XPath(
                "//input[@id='doc_url']/following-sibling::p[@class='error']",
            ))
            .await?
            .text()
            .await?;
        assert!(err.contains("cannot fetch"), "{err}");
        b.screenshot("connectors-bad-url").await;
        b.press("Cancel").await?;
        b.press("Close").await?;

        // A broken template, said as it is typed, and refused on Save.
        b.fill("Name", "Broken").await?;
        b.choose("Connector type", "Custom").await?;
        b.fill("URL", "https://api.example.com/v1/things").await?;
        b.choose("Method", "POST").await?;
        b.fill("Request body", r#"{"name": {{team-name}"#).await?;
        b.press("Save").await?;
        let err = b
            .client
            .find(Locator::Css("#body-error .error"))
            .await?
            .text()
            .await?;
        assert!(
            err.contains("placeholder") || err.contains("template"),
            "{err}"
        );
        assert_eq!(
            b.field("Request body")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some(r#"{"name": {{team-name}"#)
        );
        b.screenshot("connectors-bad-body").await;
        Ok(())
    })
    .await;
    for path in [
        "/v2/api-credentials",
        "/v2/api-documents",
        "/v2/api-connectors",
    ] {
        let (_, list) = app.get(path, Some(&admin)).await;
        assert!(entries(&list).is_empty(), "{path} saved nothing: {list}");
    }

    // A member without manage-api-connectors sees no Administration, and is refused.
    let Some(b) = Browser::open(&app.base, app.dir.path()).await else {
        return;
    };
    b.run("connectors-no-access", async |b| {
        sign_in(b, "cara@example.com", "cara-password").await?;
        b.user_menu().await?;
        let menu = b.text().await?;
        assert!(!menu.contains("Administration"), "{menu}");
        assert!(!menu.contains("API connectors"), "{menu}");
        for path in [
            "/admin/api-connectors",
            "/admin/api-connectors/credentials/new",
            "/admin/api-connectors/new",
        ] {
            b.goto(path).await?;
            assert!(b.text().await?.contains("You do not have access"), "{path}");
        }
        Ok(())
    })
    .await;
}
