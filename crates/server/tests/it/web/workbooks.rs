//! Workbooks in a real Chromium, following the seed tutorial's "Configure dynamic
//! parameters for a POST request" word by word on a sigil that has the connector of
//! its previous section: a new workbook page with a button, two text inputs and a
//! text area, the button's On click sequence (Call API, then Set control value),
//! running it, and the failure and permission cases. Also the same run as a plain
//! form post, for pages without our script.

use fantoccini::Locator;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;

use super::browser::{Browser, Step};
use super::protections::Pages;
use super::sign_in;
use crate::common::TestApp;

const SEED_BODY: &str = r#"{"name": {{team-name}},"description": {{team-description}},"members": [],"createTeamFolder": false,"visibility": "private"}"#;

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (s, v) = app.send_json(Method::POST, path, Some(token), &body).await;
    assert!(s.is_success(), "{path}: {s} {v}");
    v
}

/// The previous section's world: the credential on sigil's own token endpoint, the
/// connector "Create Sigma team" for `POST /v2/teams` with the seed's body, and a
/// workspace to work in. Answers the admin's token, the connector and the workspace.
async fn world(app: &TestApp) -> (String, String, String) {
    let admin = app.admin_token().await;
    let (client_id, secret) = app.create_credentials(&admin, app.init.member_id).await;
    let cred = post(
        app,
        &admin,
        "/v2/api-credentials",
        json!({"name": "Sigma REST API", "allowlist": ["127.0.0.1"], "credential": {
            "authMethod": "oAuthClientCredentials", "oAuthClientCredentials": {
                "clientId": client_id, "clientSecret": secret, "accessTokenUrl": app.url("/v2/auth/token"),
                "scopes": [], "accessTokenAuthMethod": "httpBasic"}}}),
    )
    .await;
    let connector = post(
        app,
        &admin,
        "/v2/api-connectors",
        json!({"name": "Create Sigma team", "authId": cred["apiCredentialId"], "params": {
            "method": "POST", "url": app.url("/v2/teams"), "headers": [], "pathParams": [], "queryParams": [],
            "body": SEED_BODY,
            "bodyParams": [{"key": "team-name", "mode": "dynamic", "type": "string"},
                           {"key": "team-description", "mode": "dynamic", "type": "string"}]}}),
    )
    .await;
    let ws = post(app, &admin, "/v2/workspaces", json!({"name": "Team tools"})).await;
    (
        admin,
        connector["apiConnectorId"].as_str().unwrap().to_owned(),
        ws["workspaceId"].as_str().unwrap().to_owned(),
    )
}

/// The teams whose name is exactly `name`.
async fn teams_named(app: &TestApp, token: &str, name: &str) -> Vec<Value> {
    let (s, v) = app.get("/v2/teams?limit=1000", Some(token)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"] == name)
        .cloned()
        .collect()
}

/// The value of the field labelled `label`, once it satisfies `done` (at most ten
/// seconds: a run answers in the background).
async fn value_when(b: &Browser, label: &str, done: impl Fn(&str) -> bool) -> Step<String> {
    let mut last = String::new();
    for _ in 0..200 {
        // Our script may replace parts of the page meanwhile: a stale element is
        // looked up again.
        if let Ok(f) = b.field(label).await {
            if let Ok(v) = f.prop("value").await {
                last = v.unwrap_or_default();
            }
        }
        if done(&last) {
            return Ok(last);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!("`{label}` never got there; it holds {last:?}").into())
}

async fn region_text_when(b: &Browser, id: &str, done: impl Fn(&str) -> bool) -> Step<String> {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(e) = b.client.find(Locator::Id(id)).await {
            if let Ok(t) = e.text().await {
                last = t;
            }
        }
        if done(&last) {
            return Ok(last);
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    Err(format!("#{id} never said it; it says {last:?}").into())
}

#[tokio::test]
async fn the_seed_tutorial_workbook_built_and_run_in_the_browser() {
    let app = TestApp::spawn().await;
    let Some(b) = Browser::open(&app.base, app.dir.path()).await else {
        return;
    };
    let (admin, _connector, workspace) = world(&app).await;
    let viewer = app
        .add_member(
            "vera@example.com",
            BuiltinAccountType::Viewer,
            "vera-password",
        )
        .await;
    app.add_member(
        "nora@example.com",
        BuiltinAccountType::Explorer,
        "nora-password",
    )
    .await;
    post(
        &app,
        &admin,
        &format!("/v2/workspaces/{workspace}/grants"),
        json!({"grants": [{"grantee": {"memberId": viewer.id.to_string()}, "permission": "view"}]}),
    )
    .await;
    let password = app.init.password.clone();
    let team_name = r#"Team "Quoted" \ back"#;
    let mut workbook_url = String::new();
    let app_ref = &app;
    let admin_ref = &admin;
    let url_ref = &mut workbook_url;
    b.run("workbook-tutorial", async move |b| {
        sign_in(b, "admin@example.com", &password).await?;
        b.link("Team tools").await?;
        // Create new > Workbook, then Name and Create: the workbook opens in edit mode.
        b.press("Create new").await?;
        b.press("Workbook").await?;
        b.fill("Name", "Team maker").await?;
        b.screenshot("workbook-create-new").await;
        b.press("Create").await?;
        let url = b.client.current_url().await?;
        assert!(url.path().ends_with("/edit"), "edit mode: {url}");
        *url_ref = url.path().trim_end_matches("/edit").to_owned();
        assert!(b.text().await?.contains("Page 1"), "on its first page");

        // 1-4: from the Add element bar, UI > Button, Controls > Text Input (twice),
        // Controls > Text Area.
        b.press("UI").await?;
        b.press("Button").await?;
        b.press("Controls").await?;
        b.press("Text Input").await?;
        b.press("Controls").await?;
        b.press("Text Input").await?;
        b.press("Controls").await?;
        b.press("Text Area").await?;
        b.region("Button").await?;
        b.region("Text Area").await?;
        b.screenshot("workbook-elements-added").await;

        // 5-7: select each control and set its title and Control ID.
        for (current, title, id) in [
            ("Text Input", "Enter team name", "team-name"),
            ("Text Input", "Enter team description", "team-description"),
            ("Text Area", "Response body", "response-body"),
        ] {
            b.select(current).await?;
            let panel = b.region("Editor panel").await?;
            assert!(
                panel.contains(current),
                "the panel edits the {current}: {panel}"
            );
            b.fill("Title", title).await?;
            b.fill("Control ID", id).await?;
            b.press("Apply").await?;
            b.region(title).await?;
        }
        // A Control ID taken twice is the document's error, shown as it is typed
        // (our script re-checks the draft), then on Apply.
        b.select("Enter team description").await?;
        b.fill("Control ID", "team-name").await?;
        let said = region_text_when(b, "control-id-error", |t| t.contains("used twice")).await?;
        assert!(
            said.contains("Enter team description"),
            "names the element: {said}"
        );
        b.press("Apply").await?;
        let status = b.region("Editor panel").await?;
        assert!(status.contains("used twice"), "{status}");
        b.fill("Control ID", "team-description").await?;
        b.press("Apply").await?;

        // 8: the button: Text, then Add action.
        b.select("Button").await?;
        b.fill("Text", "Create team").await?;
        b.press("Add action").await?;
        // 9: Call API, Create Sigma team, both parameters from their controls.
        b.choose_and_wait("Action", "Call API").await.ok();
        b.choose_and_wait("API", "Create Sigma team").await?;
        b.choose("team-name", "Control").await?;
        b.choose("Control of team-name", "Enter team name").await?;
        b.choose("team-description", "Control").await?;
        b.choose("Control of team-description", "Enter team description")
            .await?;
        // 10-11: a second action, Set control value of Response body from the call.
        b.press("Add action").await?;
        let step2 = b.field_in("Step 2", "Action").await?;
        let page = b.client.find(Locator::Css("html")).await?;
        step2.select_by_label("Set control value").await?;
        b.wait_until_gone(page).await?;
        b.field_in("Step 2", "Update control")
            .await?
            .select_by_label("Response body")
            .await?;
        b.field_in("Step 2", "Set value as")
            .await?
            .select_by_label("Action variable")
            .await?;
        b.field_in("Step 2", "Action variable")
            .await?
            .select_by_label("Call API: response data")
            .await?;
        b.press("Apply").await?;
        let ready = b.text().await?;
        assert!(ready.contains("Ready to save."), "{ready}");
        b.scroll_to("canvas").await?;
        b.screenshot("workbook-editor-panel").await;
        b.press("Save").await?;
        let saved = b.text().await?;
        assert!(
            saved.contains("Saved. The workbook is at version 2."),
            "{saved}"
        );
        Ok(())
    })
    .await;

    // Every field the editor wrote, read back through the REST API.
    let id = workbook_url.trim_start_matches("/workbooks/").to_owned();
    let (s, doc) = app
        .get(&format!("/v2/workbooks/{id}/document"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK, "{doc}");
    assert_eq!(doc["version"], 2, "{doc}");
    let elements = doc["document"]["pages"][0]["elements"]
        .as_array()
        .unwrap()
        .clone();
    let kinds: Vec<_> = elements
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["button", "control", "control", "control"]);
    let controls: Vec<_> = elements[1..]
        .iter()
        .map(|e| {
            (
                e["label"].as_str().unwrap(),
                e["controlId"].as_str().unwrap(),
                e["controlType"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        controls,
        [
            ("Enter team name", "team-name", "text-input"),
            ("Enter team description", "team-description", "text-input"),
            ("Response body", "response-body", "text-area"),
        ]
    );
    assert_eq!(elements[0]["text"], "Create team");
    let actions = &elements[0]["onClick"][0]["actions"];
    assert_eq!(actions[0]["type"], "callApi");
    assert_eq!(
        actions[0]["parameters"],
        json!({"team-name": {"source": "control", "controlId": "team-name"},
               "team-description": {"source": "control", "controlId": "team-description"}})
    );
    assert_eq!(actions[1]["type"], "setControlValue");
    assert_eq!(actions[1]["controlId"], "response-body");
    assert_eq!(actions[1]["value"]["variable"], "data");
    assert_eq!(actions[1]["value"]["actionId"], actions[0]["actionId"]);

    // 12: in view mode, type a name and description and click Create team.
    let b = Browser::open(&app.base, app.dir.path()).await.unwrap();
    let password = app.init.password.clone();
    let url = workbook_url.clone();
    let before: Vec<Value> = teams_named(app_ref, admin_ref, team_name).await;
    assert!(before.is_empty());
    let mut created_id = String::new();
    let created_ref = &mut created_id;
    b.run("workbook-run", async move |b| {
        sign_in(b, "admin@example.com", &password).await?;
        b.goto(&format!("{url}/edit")).await?;
        b.press("View").await?;
        assert!(
            b.has_button("Edit").await?,
            "the author can go back to Edit"
        );
        b.fill("Enter team name", team_name).await?;
        b.fill("Enter team description", "Made from a workbook")
            .await?;
        // The page is not reloaded: a mark set on it now is still there after.
        b.client
            .execute("window.__sameDocument = true", vec![])
            .await?;
        b.click("Create team").await?;
        let body = value_when(b, "Response body", |v| v.contains("teamId")).await?;
        let team: Value = serde_json::from_str(&body)?;
        assert_eq!(team["name"], team_name, "{body}");
        *created_ref = team["teamId"].as_str().unwrap_or_default().to_owned();
        let same = b
            .client
            .execute("return window.__sameDocument === true", vec![])
            .await?;
        assert_eq!(
            same,
            json!(true),
            "the run answered without reloading the page"
        );
        region_text_when(b, "run-status", |t| t.contains("Create team ran")).await?;
        b.screenshot("workbook-run-done").await;

        // The same name again: Sigma refuses it; the page says which step failed and
        // why, and the controls keep their values.
        b.click("Create team").await?;
        let said = region_text_when(b, "run-status", |t| t.contains("failed")).await?;
        assert!(said.contains("Step 1 (Call API) failed"), "{said}");
        assert!(said.contains("409") || said.contains("400"), "{said}");
        assert_eq!(
            b.field("Enter team name")
                .await?
                .prop("value")
                .await?
                .as_deref(),
            Some(team_name)
        );
        assert!(value_when(b, "Response body", |v| v.contains("teamId"))
            .await
            .is_ok());
        b.screenshot("workbook-run-failed").await;

        // An empty name fails too, and creates nothing.
        b.fill("Enter team name", "").await?;
        b.field("Enter team name").await?.clear().await?;
        b.click("Create team").await?;
        let said = region_text_when(b, "run-status", |t| {
            t.contains("failed") && !t.contains("409")
        })
        .await?;
        assert!(said.contains("Step 1 (Call API) failed"), "{said}");

        // The trace: who, when, each step's status and HTTP status.
        b.link("Runs").await?;
        let runs = b.text().await?;
        assert!(runs.contains("Call API: ok · HTTP 20"), "{runs}");
        assert!(runs.contains("Set control value: ok"), "{runs}");
        assert!(runs.contains("Failed"), "{runs}");
        assert!(runs.contains("admin@example.com"), "{runs}");
        assert!(!runs.contains("secret"), "no secret in the trace");
        b.screenshot("workbook-runs").await;
        Ok(())
    })
    .await;
    let made = teams_named(&app, &admin, team_name).await;
    assert_eq!(
        made.len(),
        1,
        "exactly one team of exactly that name: {made:?}"
    );
    assert_eq!(made[0]["teamId"], created_id.as_str());
    let (_, all) = app.get("/v2/teams?limit=1000", Some(&admin)).await;
    assert!(
        !all["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["name"] == ""),
        "the empty name created nothing"
    );

    // A Viewer with Can View runs it but cannot edit; a member without access gets
    // nothing by URL.
    let b = Browser::open(&app.base, app.dir.path()).await.unwrap();
    let url = workbook_url.clone();
    b.run("workbook-viewer", async move |b| {
        sign_in(b, "vera@example.com", "vera-password").await?;
        b.goto(&url).await?;
        assert!(!b.has_button("Edit").await?, "a Viewer has no Edit");
        b.fill("Enter team name", "Vera's team").await?;
        b.fill("Enter team description", "from a viewer").await?;
        b.click("Create team").await?;
        value_when(b, "Response body", |v| v.contains("teamId")).await?;
        b.goto(&format!("{url}/edit")).await?;
        let t = b.text().await?;
        assert!(
            t.contains("You do not have access") || t.contains("Not found"),
            "{t}"
        );
        b.goto(&format!("{url}/runs")).await?;
        let t = b.text().await?;
        assert!(!t.contains("Runs of"), "the trace is for authors: {t}");

        b.user_menu().await?;
        b.press("Sign out").await?;
        sign_in(b, "nora@example.com", "nora-password").await?;
        b.goto(&url).await?;
        let t = b.text().await?;
        assert!(t.contains("Not found"), "no access, no workbook: {t}");
        Ok(())
    })
    .await;
    assert_eq!(teams_named(&app, &admin, "Vera's team").await.len(), 1);

    // Two people editing: the second save is refused, never a silent overwrite.
    let b = Browser::open(&app.base, app.dir.path()).await.unwrap();
    let password = app.init.password.clone();
    let url = workbook_url.clone();
    let doc_path = format!("/v2/workbooks/{id}/document");
    let current = doc["document"].clone();
    b.run("workbook-conflict", async move |b| {
        sign_in(b, "admin@example.com", &password).await?;
        b.goto(&format!("{url}/edit")).await?;
        b.fill("Page name", "Teams").await?;
        b.press("Rename page").await?;
        // Meanwhile someone saves through the API.
        let (s, v) = app_ref
            .send_json(Method::PUT, &doc_path, Some(admin_ref), &current)
            .await;
        assert!(s.is_success(), "{v}");
        b.press("Save").await?;
        let t = b.text().await?;
        assert!(t.contains("Nothing was saved"), "{t}");
        assert!(t.contains("saved by someone else"), "{t}");
        assert_eq!(
            b.field("Page name").await?.prop("value").await?.as_deref(),
            Some("Teams"),
            "the draft is kept"
        );
        // A sequence that reads a control deleted since shows the document's error,
        // and cannot be saved.
        b.press_in("Enter team description", "Delete").await?;
        let t = b.text().await?;
        assert!(t.contains("Cannot be saved yet"), "{t}");
        assert!(t.contains("no control"), "{t}");
        b.press("Save").await?;
        let t = b.text().await?;
        assert!(t.contains("Nothing was saved"), "{t}");
        assert!(t.contains("no control"), "{t}");
        // Leaving for View with unsaved changes asks first.
        b.press("View").await?;
        let t = b.text().await?;
        assert!(t.contains("You have unsaved changes"), "{t}");
        assert!(b.has_button("Discard changes").await?);
        Ok(())
    })
    .await;
    let (_, after) = app
        .get(&format!("/v2/workbooks/{id}/document"), Some(&admin))
        .await;
    assert_eq!(after["version"], 3);
    assert_eq!(after["document"]["pages"][0]["name"], "Page 1");
}

/// Without our script, the button is a form post and the answer is the page holding
/// what the run set; a failing run answers 400 with the step and keeps what was typed.
#[tokio::test]
async fn a_workbook_button_works_as_a_plain_form_post() {
    let app = TestApp::spawn().await;
    let (admin, connector, workspace) = world(&app).await;
    let wb = post(
        &app,
        &admin,
        "/v2/workbooks",
        json!({"folderId": workspace, "name": "Plain", "document": {"pages": [{"pageId": "p", "name": "Page 1", "elements": [
            {"type": "control", "elementId": "e1", "controlId": "team-name", "controlType": "text-input", "label": "Enter team name"},
            {"type": "control", "elementId": "e2", "controlId": "team-description", "controlType": "text-input"},
            {"type": "control", "elementId": "e3", "controlId": "response-body", "controlType": "text-area", "label": "Response body"},
            {"type": "button", "elementId": "go", "text": "Create team", "onClick": [{"sequenceId": "s", "actions": [
                {"type": "callApi", "actionId": "call", "connectorId": connector, "parameters": {
                    "team-name": {"source": "control", "controlId": "team-name"},
                    "team-description": {"source": "control", "controlId": "team-description"}}},
                {"type": "setControlValue", "controlId": "response-body",
                 "value": {"source": "variable", "actionId": "call", "variable": "data", "path": "name"}}]}]}]}]}}),
    )
    .await;
    let id = wb["workbookId"].as_str().unwrap();
    let p = Pages::new(&app);
    let cookie = p.sign_in("admin@example.com", &app.init.password).await;
    let csrf = p.csrf(&cookie).await;
    let path = format!("/workbooks/{id}/run");
    let form = |name: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("page", "p".to_owned()),
            ("_button", "go".to_owned()),
            ("c.team-name", name.to_owned()),
            ("c.team-description", "plain".to_owned()),
            ("c.response-body", String::new()),
        ]
    };
    let fields = form("Plain <b>team</b>");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = p.post(&path, &cookie, None, &pairs).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("Create team ran: 2 steps done."), "{html}");
    // The text area holds the team's name (the path), escaped as HTML.
    assert!(
        html.contains("data-control=\"response-body\" rows=\"8\">Plain &#60;b&#62;team&#60;/b&#62;</textarea>")
            || html.contains("rows=\"8\">Plain &lt;b&gt;team&lt;/b&gt;</textarea>"),
        "{html}"
    );
    assert_eq!(
        teams_named(&app, &admin, "Plain <b>team</b>").await.len(),
        1
    );
    // Again: the name is taken; 400, the step named, the name typed kept.
    let r = p.post(&path, &cookie, None, &pairs).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("Step 1 (Call API) failed"), "{html}");
    assert!(
        html.contains("value=\"Plain &#60;b&#62;team&#60;/b&#62;\"")
            || html.contains("value=\"Plain &lt;b&gt;team&lt;/b&gt;\""),
        "{html}"
    );
    assert_eq!(
        teams_named(&app, &admin, "Plain <b>team</b>").await.len(),
        1
    );

    // The JSON answer our script asks for.
    let r = p
        .http
        .post(format!("{}{path}", app.base))
        .header(reqwest::header::COOKIE, &cookie)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&form("Json team"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["controls"]["response-body"], "Json team");
    assert_eq!(v["controls"]["team-name"], "Json team");

    // Create new > Workbook with no name: the message next to Name, nothing made.
    let r = p
        .post(
            &format!("/files/{workspace}/workbooks"),
            &cookie,
            None,
            &[("_csrf", csrf.as_str()), ("name", "  ")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("id=\"workbook-name-error\""), "{html}");
    let (_, list) = app.get("/v2/workbooks", Some(&admin)).await;
    assert_eq!(list["entries"].as_array().unwrap().len(), 1, "{list}");

    // A member whose account type does not allow running actions sees the button
    // disabled with the reason, and a run posted anyway is refused.
    let (st, _) = app
        .send_json(
            Method::POST,
            "/v2/accountTypes",
            Some(&admin),
            &json!({"name": "Reader", "permissions": ["view"]}),
        )
        .await;
    assert!(st.is_success());
    let reader = app
        .add_member(
            "rita@example.com",
            BuiltinAccountType::Viewer,
            "rita-password",
        )
        .await;
    let (st, v) = app
        .send_json(
            Method::PATCH,
            &format!("/v2/members/{}", reader.id),
            Some(&admin),
            &json!({"memberType": "Reader"}),
        )
        .await;
    assert!(st.is_success(), "{v}");
    post(
        &app,
        &admin,
        &format!("/v2/workspaces/{workspace}/grants"),
        json!({"grants": [{"grantee": {"memberId": reader.id.to_string()}, "permission": "view"}]}),
    )
    .await;
    let rita = p.sign_in("rita@example.com", "rita-password").await;
    let page = p.get(&format!("/workbooks/{id}"), &rita).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("<button type=\"button\" disabled aria-describedby=\"why-go\""),
        "{html}"
    );
    assert!(
        html.contains("does not allow running API actions"),
        "{html}"
    );
    let rita_csrf = p.csrf(&rita).await;
    let mut f = form("Rita's team");
    f[0].1 = rita_csrf;
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        p.post(&path, &rita, None, &pairs).await.status(),
        StatusCode::FORBIDDEN
    );
    // Our script gets the refusal as JSON it can show.
    let r = p
        .http
        .post(format!("{}{path}", app.base))
        .header(reqwest::header::COOKIE, &rita)
        .header(reqwest::header::ACCEPT, "application/json")
        .form(&pairs)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains("You cannot run this"),
        "{v}"
    );
    assert!(teams_named(&app, &admin, "Rita's team").await.is_empty());

    // A member without access: 404 by URL, for the page and for running.
    app.add_member(
        "nora@example.com",
        BuiltinAccountType::Explorer,
        "nora-password",
    )
    .await;
    let nora = p.sign_in("nora@example.com", "nora-password").await;
    assert_eq!(
        p.get(&format!("/workbooks/{id}"), &nora).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        p.get(&format!("/workbooks/{id}/edit"), &nora)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let nora_csrf = p.csrf(&nora).await;
    let mut f = form("Nora's team");
    f[0].1 = nora_csrf;
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        p.post(&path, &nora, None, &pairs).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(teams_named(&app, &admin, "Nora's team").await.is_empty());
}
