//! An acknowledged write is saved: for every PATCH operation, every field it can
//! change is read back by the GET of the same resource.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;

use crate::common::TestApp;

async fn patch(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (s, b) = app.send_json(Method::PATCH, path, Some(token), &body).await;
    assert_eq!(s, StatusCode::OK, "PATCH {path}: {b}");
    b
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (s, b) = app.send_json(Method::POST, path, Some(token), &body).await;
    assert_eq!(s, StatusCode::OK, "POST {path}: {b}");
    b
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let (s, b) = app.get(path, Some(token)).await;
    assert_eq!(s, StatusCode::OK, "GET {path}: {b}");
    b
}

/// Every `(field, value)` of `want` is what `got` holds.
#[track_caller]
fn holds(got: &Value, want: &[(&str, Value)]) {
    for (k, v) in want {
        assert_eq!(&got[*k], v, "`{k}` read back: {got}");
    }
}

#[tokio::test]
async fn files_members_teams_and_workspaces_read_back_every_patched_field() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    let other = app
        .add_member(
            "owner@example.com",
            BuiltinAccountType::Creator,
            "password1",
        )
        .await
        .id
        .to_string();

    // Files: name, description, owner, parent; and a workbook's owner as workbooks see it.
    let ws = post(&app, &t, "/v2/workspaces", json!({"name": "W"})).await;
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let f1 = post(
        &app,
        &t,
        "/v2/files",
        json!({"type": "folder", "name": "a", "parentId": ws}),
    )
    .await;
    let f2 = post(
        &app,
        &t,
        "/v2/files",
        json!({"type": "folder", "name": "b", "parentId": ws}),
    )
    .await;
    let wb = post(
        &app,
        &t,
        "/v2/workbooks",
        json!({"folderId": f1["id"], "name": "wb"}),
    )
    .await;
    let wb_id = wb["workbookId"].as_str().unwrap().to_owned();
    let path = format!("/v2/files/{wb_id}");
    let want = [
        ("name", json!("renamed")),
        ("description", json!("about it")),
        ("ownerId", json!(other)),
        ("parentId", f2["id"].clone()),
    ];
    let answered = patch(&app, &t, &path, json!({"name": "renamed", "description": "about it", "ownerId": other, "parentId": f2["id"]})).await;
    holds(&answered, &want);
    holds(&get(&app, &t, &path).await, &want);
    let w = get(&app, &t, &format!("/v2/workbooks/{wb_id}")).await;
    assert_eq!(w["ownerId"], json!(other), "{w}");
    assert_eq!(w["name"], "renamed");
    // Archive, then restore: the flag reads back both ways.
    app.delete(&path, Some(&t)).await;
    assert_eq!(get(&app, &t, &path).await["isArchived"], true);
    patch(&app, &t, &path, json!({"restore": true})).await;
    assert_eq!(get(&app, &t, &path).await["isArchived"], false);

    // Members.
    let m = post(
        &app,
        &t,
        "/v2/members",
        json!({"email": "m@example.com", "firstName": "A", "lastName": "B"}),
    )
    .await;
    let mpath = format!("/v2/members/{}", m["memberId"].as_str().unwrap());
    let want = [
        ("firstName", json!("Ada")),
        ("lastName", json!("Lovelace")),
        ("email", json!("ada@example.com")),
        ("memberType", json!("Creator")),
        ("profileImgUrl", json!("https://example.com/a.png")),
        ("userKind", json!("guest")),
    ];
    let answered = patch(&app, &t, &mpath, json!({"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com", "memberType": "Creator", "profileImgUrl": "https://example.com/a.png", "userKind": "guest"})).await;
    holds(&answered, &want);
    holds(&get(&app, &t, &mpath).await, &want);
    patch(
        &app,
        &t,
        &mpath,
        json!({"isArchived": true, "profileImgUrl": null}),
    )
    .await;
    holds(
        &get(&app, &t, &mpath).await,
        &[("isArchived", json!(true)), ("profileImgUrl", Value::Null)],
    );
    patch(
        &app,
        &t,
        &mpath,
        json!({"isArchived": false, "isInactive": true}),
    )
    .await;
    holds(
        &get(&app, &t, &mpath).await,
        &[("isArchived", json!(false)), ("isInactive", json!(true))],
    );

    // Teams.
    let team = post(&app, &t, "/v2/teams", json!({"name": "T"})).await;
    let tpath = format!("/v2/teams/{}", team["teamId"].as_str().unwrap());
    let want = [
        ("name", json!("Team two")),
        ("description", json!("d")),
        ("visibility", json!("public")),
        ("isArchived", json!(true)),
    ];
    let answered = patch(
        &app,
        &t,
        &tpath,
        json!({"name": "Team two", "description": "d", "visibility": "public", "isArchived": true}),
    )
    .await;
    holds(&answered, &want);
    holds(&get(&app, &t, &tpath).await, &want);
    patch(
        &app,
        &t,
        &format!("{tpath}/members"),
        json!({"add": [other]}),
    )
    .await;
    let members = get(&app, &t, &format!("{tpath}/members")).await;
    assert_eq!(members["entries"][0]["userId"], json!(other));
    patch(
        &app,
        &t,
        &format!("{tpath}/members"),
        json!({"remove": [other]}),
    )
    .await;
    assert_eq!(get(&app, &t, &format!("{tpath}/members")).await["total"], 0);

    // Workspaces.
    let wpath = format!("/v2/workspaces/{ws}");
    holds(
        &patch(&app, &t, &wpath, json!({"name": "W2"})).await,
        &[("name", json!("W2"))],
    );
    holds(&get(&app, &t, &wpath).await, &[("name", json!("W2"))]);
}

#[tokio::test]
async fn api_credentials_and_connectors_read_back_every_patched_field() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    let c = post(&app, &t, "/v2/api-credentials", json!({"name": "c", "allowlist": ["a.example.com"], "credential": {"authMethod": "bearer", "bearer": {"token": "one"}}})).await;
    let cpath = format!(
        "/v2/api-credentials/{}",
        c["apiCredentialId"].as_str().unwrap()
    );
    let want = [
        ("name", json!("c2")),
        ("description", json!("desc")),
        ("allowlist", json!(["b.example.com", "*.example.org"])),
        ("authMethod", json!("basic")),
    ];
    let answered = patch(&app, &t, &cpath, json!({"name": "c2", "description": "desc", "allowlist": ["b.example.com", "*.example.org"], "credential": {"authMethod": "basic", "basic": {"username": "u", "password": "p"}}})).await;
    holds(&answered, &want);
    let back = get(&app, &t, &cpath).await;
    holds(&back, &want);
    assert_eq!(back["credential"]["basic"]["username"], "u");

    let k = post(
        &app,
        &t,
        "/v2/api-connectors",
        json!({"name": "k", "params": {"method": "GET", "url": "https://b.example.com/x"}}),
    )
    .await;
    let kpath = format!(
        "/v2/api-connectors/{}",
        k["apiConnectorId"].as_str().unwrap()
    );
    let params = json!({"method": "POST", "url": "https://b.example.com/teams", "body": "{\"name\": {{n}}}"});
    let config = json!({"timeout": {"requestSec": 12.0}, "retry": {"maxRetries": 2.0, "retryableStatusCodes": [503.0]}});
    let answered = patch(&app, &t, &kpath, json!({"name": "k2", "description": "d", "params": params, "config": config, "authId": c["apiCredentialId"]})).await;
    let back = get(&app, &t, &kpath).await;
    for got in [&answered, &back] {
        holds(
            got,
            &[
                ("name", json!("k2")),
                ("description", json!("d")),
                ("authId", c["apiCredentialId"].clone()),
            ],
        );
        assert_eq!(got["params"]["method"], "POST");
        assert_eq!(got["params"]["url"], "https://b.example.com/teams");
        assert_eq!(got["params"]["body"], "{\"name\": {{n}}}");
        assert_eq!(got["config"]["timeout"]["requestSec"], 12.0);
        assert_eq!(got["config"]["retry"]["maxRetries"], 2.0);
    }
    patch(
        &app,
        &t,
        &kpath,
        json!({"authId": null, "description": null}),
    )
    .await;
    holds(&get(&app, &t, &kpath).await, &[("authId", Value::Null)]);
}
