//! Saved views (bookmarks) and embeds of workbooks, kept as records: who sees and
//! changes which, bad input naming the field, and every write read back, on both
//! databases.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;

use crate::common::*;

async fn send(app: &TestApp, m: Method, t: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(m, path, Some(t), &body).await
}

#[tokio::test]
async fn bookmarks_and_embeds_on_sqlite() {
    records(TestApp::spawn().await).await;
}

#[tokio::test]
async fn bookmarks_and_embeds_on_postgres() {
    if let Some(app) = TestApp::spawn_on_postgres().await {
        records(app).await;
    }
}

async fn records(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, ws) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/workspaces",
        json!({"name": "Docs"}),
    )
    .await;
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let (_, wb) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/workbooks",
        json!({"folderId": ws, "name": "Plan"}),
    )
    .await;
    let wb = wb["workbookId"].as_str().unwrap().to_owned();
    let (s, _) = send(&app, Method::PUT, &admin, &format!("/v2/workbooks/{wb}/document"), json!({"pages": [
        {"pageId": "p1", "name": "Overview", "elements": [
            {"type": "control", "elementId": "el-in", "controlId": "in", "controlType": "text-input", "label": "Region"}]}]})).await;
    assert_eq!(s, StatusCode::OK);
    let ada = app
        .add_member(
            "ada@example.com",
            BuiltinAccountType::Creator,
            "pw-records-01",
        )
        .await;
    let (cid, secret) = app.create_credentials(&admin, ada.id).await;
    let (_, at) = app.client_credentials(&cid, &secret).await;
    let ada_t = at["access_token"].as_str().unwrap().to_owned();
    let (s, _) = send(
        &app,
        Method::POST,
        &admin,
        &format!("/v2/workspaces/{ws}/grants"),
        json!({"grants": [{"grantee": {"memberId": ada.id.to_string()}, "permission": "view"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // Bookmarks: Ada's own private one, and the Admin's shared one.
    let path = format!("/v2/workbooks/{wb}/bookmarks");
    let (s, mine) = send(
        &app,
        Method::POST,
        &ada_t,
        &path,
        json!({"workbookVersion": 2, "name": "My view", "isShared": false, "exploreKey": "k1"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    assert_eq!(
        (
            mine["name"].as_str(),
            mine["isShared"].as_bool(),
            mine["isDefault"].as_bool()
        ),
        (Some("My view"), Some(false), Some(false))
    );
    let mine_id = mine["bookmarkId"].as_str().unwrap().to_owned();
    let (s, team) = send(
        &app,
        Method::POST,
        &admin,
        &path,
        json!({"workbookVersion": 1, "name": "Team view", "isShared": true, "exploreKey": "k2"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{team}");
    let team_id = team["bookmarkId"].as_str().unwrap().to_owned();
    let names = |v: &Value| -> Vec<String> {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, seen) = app.get(&path, Some(&ada_t)).await;
    assert_eq!(names(&seen), ["My view", "Team view"]);
    let (_, seen) = app.get(&path, Some(&admin)).await;
    assert_eq!(
        names(&seen),
        ["Team view"],
        "a private view is its owner's alone"
    );
    let (s, _) = app.get(&format!("{path}/{mine_id}"), Some(&admin)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Changed by its owner (null leaves a field); not by someone else's hand.
    let (s, changed) = send(
        &app,
        Method::PATCH,
        &ada_t,
        &format!("{path}/{mine_id}"),
        json!({"name": "Renamed", "isShared": true, "isDefault": true, "exploreKey": null}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{changed}");
    assert_eq!(changed["exploreKey"], "k1");
    let (_, got) = app.get(&format!("{path}/{mine_id}"), Some(&admin)).await;
    assert_eq!(
        (
            got["name"].as_str(),
            got["isShared"].as_bool(),
            got["isDefault"].as_bool()
        ),
        (Some("Renamed"), Some(true), Some(true))
    );
    let (s, _) = send(
        &app,
        Method::PATCH,
        &ada_t,
        &format!("{path}/{team_id}"),
        json!({"name": "Mine now"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // One default a workbook.
    let (s, _) = send(
        &app,
        Method::PATCH,
        &admin,
        &format!("{path}/{team_id}"),
        json!({"isDefault": true}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, got) = app.get(&format!("{path}/{mine_id}"), Some(&ada_t)).await;
    assert_eq!(got["isDefault"], false);

    for (body, field) in [
        (
            json!({"workbookVersion": 9, "name": "x", "isShared": false, "exploreKey": "k"}),
            "workbookVersion",
        ),
        (
            json!({"workbookVersion": 1, "name": "", "isShared": false, "exploreKey": "k"}),
            "name",
        ),
        (
            json!({"workbookVersion": 1, "name": "x", "isShared": false}),
            "exploreKey",
        ),
    ] {
        let (s, e) = send(&app, Method::POST, &admin, &path, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert!(
            e["message"].as_str().unwrap().contains(field),
            "{field}: {e}"
        );
    }
    let (s, _) = send(
        &app,
        Method::DELETE,
        &ada_t,
        &format!("{path}/{team_id}"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = send(
        &app,
        Method::DELETE,
        &admin,
        &format!("{path}/{team_id}"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, seen) = app.get(&path, Some(&ada_t)).await;
    assert_eq!(names(&seen), ["Renamed"]);

    // Embeds: Can Manage; a page or element must be in the document.
    let epath = format!("/v2/workbooks/{wb}/embeds");
    let (s, _) = send(
        &app,
        Method::POST,
        &ada_t,
        &epath,
        json!({"embedType": "public", "sourceType": "workbook"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a viewer");
    let mut made = Vec::new();
    for body in [
        json!({"embedType": "public", "sourceType": "workbook"}),
        json!({"embedType": "public", "sourceType": "page", "sourceId": "p1"}),
        json!({"embedType": "public", "sourceType": "element", "sourceId": "el-in"}),
    ] {
        let (s, e) = send(&app, Method::POST, &admin, &epath, body).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        assert!(e["embedUrl"]
            .as_str()
            .unwrap()
            .ends_with(e["embedId"].as_str().unwrap()));
        made.push(e["embedId"].as_str().unwrap().to_owned());
    }
    let (_, list) = app.get(&epath, Some(&admin)).await;
    let got: Vec<(Value, Value)> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["sourceType"].clone(), e["sourceName"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (json!("workbook"), json!("Plan")),
            (json!("page"), json!("Overview")),
            (json!("element"), json!("Region"))
        ]
    );
    assert_eq!(list["entries"][0]["public"], true);
    for (body, field) in [
        (
            json!({"embedType": "secure", "sourceType": "workbook"}),
            "embedType",
        ),
        (
            json!({"embedType": "public", "sourceType": "chart"}),
            "sourceType",
        ),
        (
            json!({"embedType": "public", "sourceType": "page"}),
            "sourceId",
        ),
        (
            json!({"embedType": "public", "sourceType": "element", "sourceId": "nope"}),
            "sourceId",
        ),
    ] {
        let (s, e) = send(&app, Method::POST, &admin, &epath, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert!(
            e["message"].as_str().unwrap().contains(field),
            "{field}: {e}"
        );
    }
    let (s, _) = send(
        &app,
        Method::DELETE,
        &admin,
        &format!("{epath}/{}", made[1]),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(
        &app,
        Method::DELETE,
        &admin,
        &format!("{epath}/{}", made[1]),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.get(&epath, Some(&admin)).await;
    assert_eq!(list["total"], 2);
}
