//! Workbooks and action sequences, through the HTTP API only: the seed tutorial end to
//! end, bad documents, failing steps, permissions, webhooks and Sigma's read API.

use crate::common::{assert_error, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;
use sigil_store::prelude::*;

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
    app.send_json(Method::POST, path, Some(token), &body).await
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (reqwest::StatusCode, Value) {
    app.send_json(Method::PUT, path, Some(token), &body).await
}

fn ok(r: (reqwest::StatusCode, Value)) -> Value {
    assert!(r.0.is_success(), "{}: {}", r.0, r.1);
    r.1
}

/// The tutorial's world: a credential on sigil's own token endpoint (HTTP Basic), the
/// connector for `POST /v2/teams` with the seed's body, a workspace and a workbook.
struct World {
    admin: String,
    connector: String,
    workspace: String,
    workbook: String,
}

const SEED_BODY: &str = r#"{"name": {{team-name}},"description": {{team-description}},"members": [],"createTeamFolder": false,"visibility": "private"}"#;

async fn world(app: &TestApp) -> World {
    let admin = app.admin_token().await;
    let (client_id, secret) = app.create_credentials(&admin, app.init.member_id).await;
    let host = app
        .base
        .trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap()
        .to_owned();
    let cred = ok(post(
        app,
        &admin,
        "/v2/api-credentials",
        json!({"name": "sigil", "allowlist": [host], "credential": {
            "authMethod": "oAuthClientCredentials", "oAuthClientCredentials": {
                "clientId": client_id, "clientSecret": secret, "accessTokenUrl": app.url("/v2/auth/token"),
                "scopes": [], "accessTokenAuthMethod": "httpBasic"}}}),
    )
    .await);
    let connector = ok(post(
        app,
        &admin,
        "/v2/api-connectors",
        json!({"name": "Create team", "authId": cred["apiCredentialId"], "params": {
            "method": "POST", "url": app.url("/v2/teams"), "headers": [], "pathParams": [], "queryParams": [],
            "body": SEED_BODY,
            "bodyParams": [{"key": "team-name", "mode": "dynamic", "type": "string"},
                           {"key": "team-description", "mode": "dynamic", "type": "string"}]}}),
    )
    .await);
    let ws = ok(post(app, &admin, "/v2/workspaces", json!({"name": "Actions"})).await);
    let workspace = ws["workspaceId"].as_str().unwrap().to_owned();
    let wb = ok(post(
        app,
        &admin,
        "/v2/workbooks",
        json!({"folderId": workspace, "name": "Team maker"}),
    )
    .await);
    World {
        admin,
        connector: connector["apiConnectorId"].as_str().unwrap().to_owned(),
        workspace,
        workbook: wb["workbookId"].as_str().unwrap().to_owned(),
    }
}

/// The seed's workbook: two text inputs, a text area, and a button whose sequence
/// calls the connector and sets the text area to the response data.
fn seed_document(connector: &str) -> Value {
    json!({"pages": [{"pageId": "page-1", "name": "Page 1", "elements": [
        {"type": "control", "elementId": "el-name", "controlId": "team-name", "controlType": "text-input", "label": "Team name"},
        {"type": "control", "elementId": "el-desc", "controlId": "team-description", "controlType": "text-input"},
        {"type": "control", "elementId": "el-out", "controlId": "response-body", "controlType": "text-area"},
        {"type": "button", "elementId": "el-button", "text": "Create team", "style": "primary", "onClick": [
            {"sequenceId": "create-team", "actions": [
                {"type": "callApi", "actionId": "call", "connectorId": connector, "parameters": {
                    "team-name": {"source": "control", "controlId": "team-name"},
                    "team-description": {"source": "control", "controlId": "team-description"}}},
                {"type": "setControlValue", "controlId": "response-body",
                 "value": {"source": "variable", "actionId": "call", "variable": "data"}}
            ]}
        ]}
    ]}]})
}

#[tokio::test]
async fn the_seed_tutorial_end_to_end() {
    let app = TestApp::spawn().await;
    let mut w = world(&app).await;
    // As the tutorial does it: import Sigma's document, build the connector from
    // POST /v2/teams, and give it the seed's body with both parameters typed Text.
    if let Some(spec) = crate::common::reference("sigma-computing-public-rest-api.json") {
        let res = app
            .http
            .post(app.url("/v2/api-documents?name=Sigma"))
            .bearer_auth(&w.admin)
            .header("content-type", "application/json")
            .body(spec)
            .send()
            .await
            .unwrap();
        let doc = ok(crate::common::json_of(res).await);
        let (_, existing) = app
            .get(
                &format!("/v2/api-connectors/{}", w.connector),
                Some(&w.admin),
            )
            .await;
        let built = ok(post(&app, &w.admin, "/v2/api-connectors/from-operation", json!({
            "documentId": doc["documentId"], "method": "POST", "path": "/v2/teams", "name": "Create team",
            "baseUrl": app.base, "authId": existing["authId"]})).await);
        assert_eq!(built["params"]["method"], "POST");
        let id = built["apiConnectorId"].as_str().unwrap().to_owned();
        ok(app.send_json(Method::PATCH, &format!("/v2/api-connectors/{id}"), Some(&w.admin), &json!({
            "params": {"method": "POST", "url": app.url("/v2/teams"), "headers": [], "pathParams": [], "queryParams": [],
                "body": SEED_BODY,
                "bodyParams": [{"key": "team-name", "mode": "dynamic", "type": "string"},
                               {"key": "team-description", "mode": "dynamic", "type": "string"}]}})).await);
        w.connector = id;
    }
    let doc = ok(put(
        &app,
        &w.admin,
        &format!("/v2/workbooks/{}/document", w.workbook),
        seed_document(&w.connector),
    )
    .await);
    assert_eq!(doc["version"], 2);

    let name = "The \"A\" team\nsecond line";
    let run = ok(post(
        &app,
        &w.admin,
        &format!("/v2/workbooks/{}/run", w.workbook),
        json!({"elementId": "el-button", "controls": {"team-name": name, "team-description": "made by a button"}}),
    )
    .await);
    assert_eq!(run["ok"], true, "{run}");
    assert_eq!(run["trace"].as_array().unwrap().len(), 2);
    assert_eq!(run["trace"][0]["type"], "callApi");
    assert_eq!(run["trace"][0]["httpStatus"], 200);
    assert_eq!(run["trace"][0]["inputs"]["team-name"], name);
    assert_eq!(run["trace"][1]["status"], "ok");
    let shown = run["controls"]["response-body"]
        .as_str()
        .expect("the text area holds text");
    let team: Value = serde_json::from_str(shown).expect("the created team's JSON");
    assert_eq!(team["name"], name);
    assert!(team["teamId"].is_string());
    assert_eq!(
        run["controls"]["team-name"], name,
        "inputs keep their values"
    );
    assert!(
        !run.to_string().contains(&app.init.client_secret),
        "no secret in the trace"
    );

    let (_, teams) = app.get("/v2/teams?limit=100", Some(&w.admin)).await;
    let listed: Vec<&Value> = teams["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["name"] == name)
        .collect();
    assert_eq!(listed.len(), 1, "exactly that name: {teams}");

    // Sigma's read API sees the workbook, its page, elements and controls.
    let (_, list) = app.get("/v2/workbooks", Some(&w.admin)).await;
    assert_eq!(list["entries"][0]["workbookId"], w.workbook.as_str());
    assert_eq!(list["entries"][0]["path"], "Actions");
    assert_eq!(list["entries"][0]["latestVersion"], 2);
    let (s, one) = app
        .get(&format!("/v2/workbooks/{}", w.workbook), Some(&w.admin))
        .await;
    assert_eq!(s, reqwest::StatusCode::OK);
    for k in [
        "workbookId",
        "workbookUrlId",
        "name",
        "url",
        "path",
        "latestVersion",
        "ownerId",
        "createdBy",
        "updatedBy",
        "createdAt",
        "updatedAt",
    ] {
        assert!(one.get(k).is_some(), "{k} in {one}");
    }
    let (_, pages) = app
        .get(
            &format!("/v2/workbooks/{}/pages", w.workbook),
            Some(&w.admin),
        )
        .await;
    assert_eq!(
        pages["entries"],
        json!([{"pageId": "page-1", "name": "Page 1", "hidden": false}])
    );
    let (_, els) = app
        .get(
            &format!("/v2/workbooks/{}/pages/page-1/elements", w.workbook),
            Some(&w.admin),
        )
        .await;
    assert_eq!(els["total"], 4);
    assert_eq!(els["entries"][3]["type"], "button");
    let (_, controls) = app
        .get(
            &format!("/v2/workbooks/{}/controls", w.workbook),
            Some(&w.admin),
        )
        .await;
    assert_eq!(controls["total"], 3);
    assert!(controls["entries"]
        .as_array()
        .unwrap()
        .contains(&json!({"name": "response-body", "valueType": "text"})));
    let r = app
        .get(
            &format!("/v2/workbooks/{}/pages/nope/elements", w.workbook),
            Some(&w.admin),
        )
        .await;
    assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn bad_documents_get_400_naming_the_element_and_nothing_is_saved() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let path = format!("/v2/workbooks/{}/document", w.workbook);
    ok(put(&app, &w.admin, &path, seed_document(&w.connector)).await);
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut d = seed_document(&w.connector);
        f(&mut d);
        d
    };
    let cases: Vec<(Value, &str)> = vec![
        (
            edit(&|d| d["pages"][0]["elements"][1]["controlId"] = json!("team-name")),
            "element `el-desc`: Control ID `team-name` is used twice",
        ),
        (
            edit(&|d| {
                d["pages"][0]["elements"][3]["onClick"][0]["actions"][0]["parameters"]
                    ["team-name"]["controlId"] = json!("nope")
            }),
            "no control `nope`",
        ),
        (
            edit(&|d| {
                d["pages"][0]["elements"][3]["onClick"][0]["actions"][0]["connectorId"] =
                    json!("00000000-0000-0000-0000-000000000000")
            }),
            "no API connector",
        ),
        (
            edit(&|d| {
                d["pages"][0]["elements"][3]["onClick"][0]["actions"][0]["parameters"]["extra"] =
                    json!({"source": "static", "value": "x"})
            }),
            "has no parameter `extra`",
        ),
        (
            edit(&|d| {
                d["pages"][0]["elements"][3]["onClick"][0]["actions"][0]["parameters"]
                    .as_object_mut()
                    .unwrap()
                    .remove("team-description");
            }),
            "`team-description`",
        ),
        (
            edit(&|d| {
                d["pages"][0]["elements"][3]["onClick"][0]["actions"][1]["controlId"] =
                    json!("ghost")
            }),
            "no control `ghost`",
        ),
        (
            edit(&|d| {
                d["pages"][0]["elements"][3]["onClick"][0]["actions"][1]["value"]["actionId"] =
                    json!("later")
            }),
            "not an earlier Call API action",
        ),
        (
            edit(&|d| {
                d["pages"][0]["elements"][2]["controlType"] = json!("switch");
                d["pages"][0]["elements"][3]["onClick"][0]["actions"][1]["value"] =
                    json!({"source": "static", "value": "abc"});
            }),
            "does not fit a boolean control",
        ),
        (
            edit(&|d| {
                d["pages"][0]["elements"][2]["controlType"] = json!("number-input");
                d["pages"][0]["elements"][3]["onClick"][0]["actions"][1]["value"] =
                    json!({"source": "control", "controlId": "team-name"});
            }),
            "a number control cannot be set from a text control",
        ),
        (
            edit(&|d| d["pages"][0]["elements"][0]["type"] = json!("chart")),
            "document",
        ),
    ];
    for (doc, says) in cases {
        let r = put(&app, &w.admin, &path, doc).await;
        assert_error(&r, reqwest::StatusCode::BAD_REQUEST, "bad_request");
        let m = r.1["message"].as_str().unwrap();
        assert!(m.contains(says), "{says:?} not in {m:?}");
        if !says.starts_with("document") && !says.contains("no API connector") {
            assert!(m.contains("element `el-"), "names the element: {m}");
        }
    }
    let (_, doc) = app.get(&path, Some(&w.admin)).await;
    assert_eq!(doc["version"], 2, "nothing was saved");
}

#[tokio::test]
async fn a_failing_step_stops_the_run_names_itself_and_sets_nothing() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    // A connector whose upstream answers 404 (sigil itself, a missing route), and one
    // whose target is refused.
    let host = app
        .base
        .trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap()
        .to_owned();
    let cred = ok(post(
        &app,
        &w.admin,
        "/v2/api-credentials",
        json!({"name": "t", "allowlist": [host, "169.254.169.254"],
        "credential": {"authMethod": "bearer", "bearer": {"token": "whatever"}}}),
    )
    .await);
    let missing = ok(post(&app, &w.admin, "/v2/api-connectors", json!({"name": "404", "authId": cred["apiCredentialId"],
        "params": {"method": "GET", "url": app.url("/v2/nothing-here"), "headers": [], "pathParams": [], "queryParams": [], "body": ""}})).await);
    let refused = ok(post(&app, &w.admin, "/v2/api-connectors", json!({"name": "metadata", "authId": cred["apiCredentialId"],
        "params": {"method": "GET", "url": "http://169.254.169.254/latest", "headers": [], "pathParams": [], "queryParams": [], "body": ""}})).await);
    let doc = |connector: &Value, accept: Value| {
        json!({"pages": [{"pageId": "p", "elements": [
            {"type": "control", "elementId": "e1", "controlId": "out", "controlType": "text-area", "value": "before"},
            {"type": "control", "elementId": "e2", "controlId": "flag", "controlType": "switch"},
            {"type": "button", "elementId": "b", "text": "Go", "onClick": [{"sequenceId": "s", "actions": [
                {"type": "setControlValue", "controlId": "out", "value": {"source": "static", "value": "first step ran"}},
                {"type": "callApi", "actionId": "c", "connectorId": connector["apiConnectorId"], "parameters": {}, "acceptStatuses": accept},
                {"type": "setControlValue", "controlId": "out", "value": {"source": "variable", "actionId": "c", "variable": "status"}},
                {"type": "setControlValue", "controlId": "flag", "value": {"source": "static", "value": true},
                 "condition": {"controlId": "out", "op": "equals", "value": "never"}}
            ]}]}
        ]}]})
    };
    let path = format!("/v2/workbooks/{}/document", w.workbook);
    let run_path = format!("/v2/workbooks/{}/run", w.workbook);

    ok(put(&app, &w.admin, &path, doc(&missing, json!([]))).await);
    let run = ok(post(&app, &w.admin, &run_path, json!({"sequenceId": "s"})).await);
    assert_eq!(run["ok"], false);
    assert_eq!(run["failedStep"], 2);
    assert!(
        run["error"].as_str().unwrap().contains("answered 404"),
        "{run}"
    );
    assert_eq!(
        run["controls"]["out"], "before",
        "the controls keep their values"
    );
    assert_eq!(
        run["trace"].as_array().unwrap().len(),
        2,
        "the sequence stopped"
    );
    assert_eq!(run["trace"][1]["status"], "failed");

    // Accepting 404 lets the sequence go on; the condition skips the last step.
    ok(put(&app, &w.admin, &path, doc(&missing, json!([404]))).await);
    let run = ok(post(&app, &w.admin, &run_path, json!({"sequenceId": "s"})).await);
    assert_eq!(run["ok"], true, "{run}");
    assert_eq!(run["controls"]["out"], "404");
    assert_eq!(run["trace"][3]["status"], "skipped");
    assert_eq!(run["controls"]["flag"], Value::Null);

    ok(put(&app, &w.admin, &path, doc(&refused, json!([]))).await);
    let run = ok(post(&app, &w.admin, &run_path, json!({"sequenceId": "s"})).await);
    assert_eq!(run["ok"], false);
    assert!(
        run["error"].as_str().unwrap().contains("may not reach"),
        "{run}"
    );

    // Bad run requests.
    for (body, says) in [
        (json!({"sequenceId": "nope"}), "no sequence"),
        (json!({"elementId": "e1"}), "not a button"),
        (
            json!({"sequenceId": "s", "controls": {"ghost": 1}}),
            "no control `ghost`",
        ),
        (
            json!({"sequenceId": "s", "controls": {"flag": "yes"}}),
            "does not fit",
        ),
        (json!({}), "sequenceId"),
    ] {
        let r = post(&app, &w.admin, &run_path, body).await;
        assert!(r.0.is_client_error(), "{}", r.1);
        assert!(
            r.1["message"].as_str().unwrap().contains(says),
            "{says}: {}",
            r.1
        );
    }
}

#[tokio::test]
async fn running_needs_trigger_api_actions_and_can_view_authoring_can_contribute() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    ok(put(
        &app,
        &w.admin,
        &format!("/v2/workbooks/{}/document", w.workbook),
        seed_document(&w.connector),
    )
    .await);
    let token_for = |m: sigil_core::Member| {
        let app = &app;
        let admin = w.admin.clone();
        async move {
            let (cid, secret) = app.create_credentials(&admin, m.id).await;
            let (_, t) = app.client_credentials(&cid, &secret).await;
            (m, t["access_token"].as_str().unwrap().to_owned())
        }
    };
    let (viewer, viewer_token) = token_for(
        app.add_member("v@example.com", BuiltinAccountType::Viewer, "pw-12345678")
            .await,
    )
    .await;
    let run_path = format!("/v2/workbooks/{}/run", w.workbook);
    let body = json!({"elementId": "el-button", "controls": {"team-name": "from a viewer", "team-description": "d"}});
    // No grant: the workbook does not exist for the viewer.
    let r = post(&app, &viewer_token, &run_path, body.clone()).await;
    assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
    ok(post(
        &app,
        &w.admin,
        &format!("/v2/workspaces/{}/grants", w.workspace),
        json!({"grants": [{"grantee": {"memberId": viewer.id.to_string()}, "permission": "view"}]}),
    )
    .await);
    let run = ok(post(&app, &viewer_token, &run_path, body.clone()).await);
    assert_eq!(
        run["ok"], true,
        "Can View and trigger-api-actions may run: {run}"
    );
    // Authoring needs Can Contribute.
    let r = put(
        &app,
        &viewer_token,
        &format!("/v2/workbooks/{}/document", w.workbook),
        seed_document(&w.connector),
    )
    .await;
    assert_error(&r, reqwest::StatusCode::FORBIDDEN, "forbidden");
    // Without trigger-api-actions: 403, and no team is made.
    let (s, t) = post(
        &app,
        &w.admin,
        "/v2/accountTypes",
        json!({"name": "Reader", "permissions": ["view"]}),
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::CREATED, "{t}");
    let mut reader = app
        .add_member("r@example.com", BuiltinAccountType::Viewer, "pw-12345678")
        .await;
    reader.account_type_id = t["accountTypeId"].as_str().unwrap().parse().unwrap();
    app.store.update_member(&reader, false).await.unwrap();
    let (_, reader_token) = token_for(reader).await;
    let r = post(&app, &reader_token, &run_path,
        json!({"elementId": "el-button", "controls": {"team-name": "from a reader", "team-description": "d"}})).await;
    assert_error(&r, reqwest::StatusCode::FORBIDDEN, "forbidden");
    assert!(r.1["message"]
        .as_str()
        .unwrap()
        .contains("trigger-api-actions"));
    let (_, teams) = app.get("/v2/teams?limit=100", Some(&w.admin)).await;
    assert!(!teams.to_string().contains("from a reader"));
}

#[tokio::test]
async fn webhooks_run_a_sequence_and_describe_its_variables() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    ok(put(
        &app,
        &w.admin,
        &format!("/v2/workbooks/{}/document", w.workbook),
        seed_document(&w.connector),
    )
    .await);
    let (s, schema) = app
        .get(
            &format!("/v2/webhooks/{}/create-team/schema", w.workbook),
            Some(&w.admin),
        )
        .await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert_eq!(
        schema,
        json!({"variables": {"team-name": {"type": "string"}, "team-description": {"type": "string"}}})
    );
    let (s, t) = post(
        &app,
        &w.admin,
        &format!("/v2/webhooks/{}/create-team", w.workbook),
        json!({"team-name": "webhook team", "team-description": "d"}),
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::ACCEPTED, "{t}");
    let trace = t["traceId"].as_str().unwrap().to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let run = loop {
        let (_, r) = app
            .get(&format!("/v2/webhooks/runs/{trace}"), Some(&w.admin))
            .await;
        if r["done"] == true {
            break r;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run never finished"
        );
        tokio::task::yield_now().await;
    };
    assert_eq!(run["ok"], true, "{run}");
    let (_, teams) = app.get("/v2/teams?limit=100", Some(&w.admin)).await;
    assert!(teams.to_string().contains("webhook team"));
    // The run is kept in the store: another node on the same database answers it.
    let node2 = app.second_node().await;
    let (s, again) = node2
        .get(&format!("/v2/webhooks/runs/{trace}"), Some(&w.admin))
        .await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert_eq!(again, run, "the same run from any node");
    // A member who may trigger actions, sees the workbook, but neither started the
    // run nor authors the workbook: there is no such run for them.
    let viewer = app
        .add_member("w@example.com", BuiltinAccountType::Viewer, "pw-12345678")
        .await;
    ok(post(
        &app,
        &w.admin,
        &format!("/v2/workspaces/{}/grants", w.workspace),
        json!({"grants": [{"grantee": {"memberId": viewer.id.to_string()}, "permission": "view"}]}),
    )
    .await);
    let (cid, secret) = app.create_credentials(&w.admin, viewer.id).await;
    let (_, t) = app.client_credentials(&cid, &secret).await;
    let viewer_token = t["access_token"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!("/v2/webhooks/runs/{trace}"), Some(&viewer_token))
        .await;
    assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
    // Their own run they can read.
    let (s, t) = post(
        &app,
        &viewer_token,
        &format!("/v2/webhooks/{}/create-team", w.workbook),
        json!({"team-name": "viewer's webhook team", "team-description": "d"}),
    )
    .await;
    assert_eq!(s, reqwest::StatusCode::ACCEPTED, "{t}");
    let mine = t["traceId"].as_str().unwrap().to_owned();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let (s, r) = app
            .get(&format!("/v2/webhooks/runs/{mine}"), Some(&viewer_token))
            .await;
        assert_eq!(s, reqwest::StatusCode::OK, "{r}");
        if r["done"] == true {
            assert_eq!(r["ok"], true, "{r}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the run never finished"
        );
        tokio::task::yield_now().await;
    }
    // And the workbook's trace lists both, with who ran them.
    use sigil_store::WorkbookStore;
    let runs = app
        .store
        .workbook_runs(w.workbook.parse().unwrap(), 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(
        runs[0].member_id, viewer.id,
        "newest first, with who ran it"
    );
    assert!(runs
        .iter()
        .all(|r| r.trigger == "webhook" && r.finished && r.ok));
    // The same trace through the REST API, for the workbook's authors only.
    let path = format!("/v2/workbooks/{}/runs", w.workbook);
    let (s, v) = app.get(&path, Some(&w.admin)).await;
    assert_eq!(s, reqwest::StatusCode::OK, "{v}");
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{v}");
    assert_eq!(entries[0]["trigger"], "webhook");
    assert_eq!(entries[0]["ok"], true);
    assert_eq!(entries[0]["finished"], true);
    assert_eq!(entries[0]["sequenceId"], "create-team");
    assert!(
        entries[0]["runBy"]
            .as_str()
            .unwrap()
            .contains("w@example.com"),
        "{v}"
    );
    assert_eq!(entries[0]["steps"][0]["type"], "callApi");
    assert_eq!(entries[0]["steps"][0]["status"], "ok");
    assert_eq!(
        entries[0]["steps"][0]["httpStatus"].as_u64().unwrap() / 100,
        2,
        "{v}"
    );
    assert!(
        entries[0]["steps"][0].get("inputs").is_none(),
        "never the values typed"
    );
    assert!(
        !v.to_string().contains("viewer's webhook team"),
        "never the values typed: {v}"
    );
    let (s, one) = app.get(&format!("{path}?limit=1"), Some(&w.admin)).await;
    assert_eq!(s, reqwest::StatusCode::OK);
    assert_eq!(one["entries"].as_array().unwrap().len(), 1);
    let r = app.get(&format!("{path}?limit=0"), Some(&w.admin)).await;
    assert_error(&r, reqwest::StatusCode::BAD_REQUEST, "bad_request");
    let (s, _) = app.get(&path, Some(&viewer_token)).await;
    assert!(
        s == reqwest::StatusCode::FORBIDDEN || s == reqwest::StatusCode::NOT_FOUND,
        "a Viewer does not read the trace: {s}"
    );
    let r = post(
        &app,
        &w.admin,
        &format!("/v2/webhooks/{}/nope", w.workbook),
        json!({}),
    )
    .await;
    assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
    let r = app.get("/v2/webhooks/runs/unknown", Some(&w.admin)).await;
    assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn kinds_sigil_does_not_hold_list_empty_404_by_id_and_501_on_writes() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for kind in ["datasets", "dataModels", "reports"] {
        let (s, list) = app.get(&format!("/v2/{kind}"), Some(&admin)).await;
        assert_eq!(s, reqwest::StatusCode::OK);
        assert_eq!(
            list,
            json!({"entries": [], "nextPage": null, "total": 0, "hasMore": false})
        );
        let r = app.get(&format!("/v2/{kind}/abc"), Some(&admin)).await;
        assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
        assert!(r.1["message"].as_str().unwrap().contains("`abc`"));
        let r = app
            .get(&format!("/v2/{kind}/abc/columns"), Some(&admin))
            .await;
        assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
        let r = post(&app, &admin, &format!("/v2/{kind}/abc/grants"), json!({})).await;
        if kind == "dataModels" {
            // Sigma defines no grants on data models.
            assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
        } else {
            assert_error(&r, reqwest::StatusCode::NOT_IMPLEMENTED, "not_implemented");
        }
        let r = app.get(&format!("/v2/{kind}"), None).await;
        assert_error(&r, reqwest::StatusCode::UNAUTHORIZED, "unauthorized");
    }
    // Their lists check what a list checks, though they hold nothing.
    for bad in [
        "/v2/connections?limit=null",
        "/v2/datasets?skipPermissionCheck=null",
        "/v2/dataModels?page=0",
        "/v2/reports?isArchived=maybe",
        "/v2/reports?limit=5&limit=6",
    ] {
        let r = app.get(bad, Some(&admin)).await;
        assert_error(&r, reqwest::StatusCode::BAD_REQUEST, "bad_request");
    }
    for good in [
        "/v2/connections?limit=5&page=2&includeArchived=true&search=x",
        "/v2/reports?isArchived=false&excludeTags=true&page=&limit=",
    ] {
        let (s, list) = app.get(good, Some(&admin)).await;
        assert_eq!(s, reqwest::StatusCode::OK, "{good}: {list}");
    }
    // A method Sigma does not define on a path: 405 naming the ones it does.
    for (method, path, allow) in [
        (Method::PUT, "/v2/datasets", "GET"),
        (Method::PUT, "/v2/connections", "GET,POST"),
        (Method::POST, "/v2/dataModels", "GET"),
        (Method::DELETE, "/v2/datasets/abc", "GET"),
        (Method::POST, "/v2/reports/abc", "GET"),
        (Method::PUT, "/v2/reports/abc/schedules/s", "PATCH,DELETE"),
        (Method::DELETE, "/v2/connections/paths", "GET"),
    ] {
        let res = app
            .http
            .request(method.clone(), app.url(path))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        let got = res
            .headers()
            .get("allow")
            // axum names HEAD with GET, which it answers too.
            .map(|v| v.to_str().unwrap().replace(' ', "").replace(",HEAD", ""));
        let r = crate::common::json_of(res).await;
        assert_error(
            &r,
            reqwest::StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        );
        assert_eq!(got.as_deref(), Some(allow), "{method} {path}");
    }
    // Sigma's writes on them: 501; a data model's materialization too.
    let r = post(&app, &admin, "/v2/dataModels/abc:materialize", json!({})).await;
    assert_error(&r, reqwest::StatusCode::NOT_IMPLEMENTED, "not_implemented");
    let r = post(&app, &admin, "/v2/reports", json!({"name": "r"})).await;
    assert_error(&r, reqwest::StatusCode::NOT_IMPLEMENTED, "not_implemented");
    assert!(r.1["message"]
        .as_str()
        .unwrap()
        .contains("holds no reports"));
}

#[tokio::test]
async fn a_connector_a_workbook_calls_and_a_credential_a_connector_uses_are_not_deleted() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    ok(put(
        &app,
        &w.admin,
        &format!("/v2/workbooks/{}/document", w.workbook),
        seed_document(&w.connector),
    )
    .await);
    let (_, k) = app
        .get(
            &format!("/v2/api-connectors/{}", w.connector),
            Some(&w.admin),
        )
        .await;
    let cred = k["authId"].as_str().unwrap().to_owned();

    let r = app
        .delete(&format!("/v2/api-credentials/{cred}"), Some(&w.admin))
        .await;
    assert_error(&r, reqwest::StatusCode::CONFLICT, "conflict");
    assert!(
        r.1["message"].as_str().unwrap().contains("`Create team`"),
        "the message names the connector: {}",
        r.1
    );
    let r = app
        .delete(
            &format!("/v2/api-connectors/{}", w.connector),
            Some(&w.admin),
        )
        .await;
    assert_error(&r, reqwest::StatusCode::CONFLICT, "conflict");
    assert!(
        r.1["message"].as_str().unwrap().contains("`Team maker`"),
        "the message names the workbook: {}",
        r.1
    );
    // Both are still there.
    for path in [
        format!("/v2/api-credentials/{cred}"),
        format!("/v2/api-connectors/{}", w.connector),
    ] {
        assert_eq!(
            app.get(&path, Some(&w.admin)).await.0,
            reqwest::StatusCode::OK
        );
    }

    // Once the workbook no longer calls it, the connector goes; then the credential.
    ok(put(
        &app,
        &w.admin,
        &format!("/v2/workbooks/{}/document", w.workbook),
        json!({"pages": [{"pageId": "page-1", "name": "Page 1", "elements": []}]}),
    )
    .await);
    ok(app
        .delete(
            &format!("/v2/api-connectors/{}", w.connector),
            Some(&w.admin),
        )
        .await);
    ok(app
        .delete(&format!("/v2/api-credentials/{cred}"), Some(&w.admin))
        .await);
    let r = app
        .get(&format!("/v2/api-credentials/{cred}"), Some(&w.admin))
        .await;
    assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
}

/// Sigma's read endpoints that need a query engine answer what sigil holds: its
/// elements, saved versions and export schedules, and empty lists for columns,
/// queries, lineage, sources and materialization schedules; 404 for an unknown workbook or element, and for a member who cannot
/// view the workbook.
#[tokio::test]
async fn workbook_read_endpoints_answer_what_sigil_holds_in_sigmas_shapes() {
    let app = TestApp::spawn().await;
    let w = world(&app).await;
    let doc_path = format!("/v2/workbooks/{}/document", w.workbook);
    ok(put(&app, &w.admin, &doc_path, seed_document(&w.connector)).await);
    let mut second = seed_document(&w.connector);
    second["pages"][0]["name"] = json!("Renamed");
    let saved = ok(put(&app, &w.admin, &doc_path, second).await);
    assert_eq!(saved["version"], 3);
    let wb = |rest: &str| format!("/v2/workbooks/{}{rest}", w.workbook);

    let elements = ok(app.get(&wb("/elements"), Some(&w.admin)).await);
    let ids: Vec<&str> = elements["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["elementId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["el-name", "el-desc", "el-out", "el-button"]);
    assert_eq!(elements["entries"][0]["name"], "Team name");
    assert_eq!(elements["entries"][3]["name"], "Create team");
    assert_eq!(elements["entries"][3]["type"], "button");
    assert_eq!(elements["total"], 4);
    assert_eq!(elements["nextPage"], Value::Null);
    let first = ok(app.get(&wb("/elements?limit=2"), Some(&w.admin)).await);
    assert_eq!(first["entries"].as_array().unwrap().len(), 2);
    assert!(first["nextPage"].is_string(), "{first}");

    let empty = json!({"entries": [], "nextPage": null, "total": 0, "hasMore": false});
    for rest in [
        "/columns",
        "/queries",
        "/lineage",
        "/materialization-schedules",
        "/elements/el-name/columns",
    ] {
        assert_eq!(
            ok(app.get(&wb(rest), Some(&w.admin)).await),
            empty,
            "{rest}"
        );
    }
    // Export schedules are held (none yet): Sigma's first list answers an array.
    assert_eq!(
        ok(app.get(&wb("/schedules"), Some(&w.admin)).await),
        json!([])
    );
    let v21 = format!("/v2.1/workbooks/{}/schedules", w.workbook);
    assert_eq!(ok(app.get(&v21, Some(&w.admin)).await), empty);
    // Each is documented in /openapi.json under Sigma's operation id.
    let (_, api) = app.get("/openapi.json", None).await;
    for (path, id, summary) in [
        (
            "/v2/workbooks/{workbookId}/columns",
            "getWorkbookColumns",
            "List a workbook's columns",
        ),
        (
            "/v2/workbooks/{workbookId}/schedules",
            "listWorkbookSchedules",
            "List a workbook's export schedules",
        ),
        (
            "/v2/workbooks/{workbookId}/version-history",
            "getVersionHistory",
            "List a workbook's versions",
        ),
    ] {
        let op = &api["paths"][path]["get"];
        assert_eq!(op["operationId"], id, "{path}");
        assert_eq!(op["summary"], summary, "{path}");
    }
    let v21 = format!("/v2.1/workbooks/{}/materialization-schedules", w.workbook);
    assert_eq!(ok(app.get(&v21, Some(&w.admin)).await), empty);
    assert_eq!(
        ok(app
            .get(&wb("/lineage/elements/el-button"), Some(&w.admin))
            .await),
        json!({"dependencies": {}, "edges": []})
    );
    assert_eq!(
        ok(app.get(&wb("/sources"), Some(&w.admin)).await),
        json!([])
    );

    // Every save is a version, newest first, saved by the Admin.
    let history = ok(app.get(&wb("/version-history"), Some(&w.admin)).await);
    let versions: Vec<i64> = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [3, 2, 1]);
    for e in history["entries"].as_array().unwrap() {
        assert_eq!(e["publishedBy"], app.init.member_id.to_string());
        assert!(time::OffsetDateTime::parse(
            e["publishedAt"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok());
        assert_eq!(e["tags"], json!([]));
    }
    let (_, current) = app.get(&wb(""), Some(&w.admin)).await;
    assert_eq!(current["latestVersion"], 3);

    // Unknown elements and workbooks are 404; so is a workbook the caller cannot view.
    for rest in ["/elements/nope/columns", "/lineage/elements/nope"] {
        let r = app.get(&wb(rest), Some(&w.admin)).await;
        assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
        assert!(r.1["message"].as_str().unwrap().contains("nope"), "{}", r.1);
    }
    let stranger = app
        .add_member("s@example.com", BuiltinAccountType::Creator, "pw-12345678")
        .await;
    let (cid, secret) = app.create_credentials(&w.admin, stranger.id).await;
    let (_, t) = app.client_credentials(&cid, &secret).await;
    let stranger_token = t["access_token"].as_str().unwrap().to_owned();
    let unknown = "/v2/workbooks/00000000-0000-4000-8000-000000000000";
    for rest in [
        "/elements",
        "/columns",
        "/queries",
        "/lineage",
        "/sources",
        "/schedules",
        "/materialization-schedules",
        "/version-history",
        "/elements/el-name/columns",
        "/lineage/elements/el-name",
    ] {
        let r = app.get(&format!("{unknown}{rest}"), Some(&w.admin)).await;
        assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
        let r = app.get(&wb(rest), Some(&stranger_token)).await;
        assert_error(&r, reqwest::StatusCode::NOT_FOUND, "not_found");
        let r = app.get(&wb(rest), None).await;
        assert_error(&r, reqwest::StatusCode::UNAUTHORIZED, "unauthorized");
    }
}
