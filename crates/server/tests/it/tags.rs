//! Version tags: made by an Admin, put on a workbook version (moving when put on
//! another), read back with the tagged version's document, listed both ways, and
//! taken off; permissions, bad input and state read back, on both databases.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;

use crate::common::*;

async fn send(app: &TestApp, m: Method, t: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(m, path, Some(t), &body).await
}

async fn token_of(app: &TestApp, admin: &str, email: &str, kind: BuiltinAccountType) -> String {
    app.member_token(admin, email, kind).await.1
}

#[tokio::test]
async fn version_tags_mark_workbook_versions_on_sqlite() {
    tags(TestApp::spawn().await).await;
}

#[tokio::test]
async fn version_tags_mark_workbook_versions_on_postgres() {
    if let Some(app) = TestApp::spawn_on_postgres().await {
        tags(app).await;
    }
}

async fn tags(app: TestApp) {
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
    let doc = |title: &str| json!({"pages": [{"pageId": "p1", "name": title, "elements": []}]});
    let (s, _) = send(
        &app,
        Method::PUT,
        &admin,
        &format!("/v2/workbooks/{wb}/document"),
        doc("Second"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // An Admin makes tags; names are unique without regard to case.
    let (s, prod) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/tags",
        json!({"name": "Production", "color": "grass", "description": "live"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{prod}");
    assert_eq!(prod["name"], "Production");
    let prod_id = prod["versionTagId"].as_str().unwrap().to_owned();
    let (s, e) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/tags",
        json!({"name": "production", "color": "cyan"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, e) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/tags",
        json!({"name": "Staging", "color": "pink"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(e["message"].as_str().unwrap().contains("color"), "{e}");
    let (s, _) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/tags",
        json!({"name": "Staging", "color": "amber"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = app.get("/v2/tags?search=prod", Some(&admin)).await;
    assert_eq!(list["entries"].as_array().unwrap().len(), 1, "{list}");
    let entry = &list["entries"][0];
    assert_eq!(
        (entry["color"].as_str(), entry["description"].as_str()),
        (Some("grass"), Some("live"))
    );
    let (s, patched) = send(
        &app,
        Method::PATCH,
        &admin,
        &format!("/v2/tags/{prod_id}"),
        json!({"description": "what users see"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{patched}");
    assert_eq!(patched["description"], "what users see");
    let (_, list) = app.get("/v2/tags?search=prod", Some(&admin)).await;
    assert_eq!(
        list["entries"][0]["description"], "what users see",
        "read back"
    );

    // Tag version 1; the tagged version's document reads back.
    let (s, tagged) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/workbooks/tag",
        json!({"workbookId": wb, "tag": "Production", "workbookVersion": 1}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{tagged}");
    assert_eq!(
        (
            tagged["versionTagId"].as_str(),
            tagged["taggedWorkbookVersion"].as_i64()
        ),
        (Some(prod_id.as_str()), Some(1))
    );
    let (s, d) = app
        .get(
            &format!("/v2/workbooks/{wb}/tags/Production/document"),
            Some(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    assert_eq!(
        (
            d["version"].as_i64(),
            d["document"]["pages"].as_array().map(Vec::len)
        ),
        (Some(1), Some(0)),
        "{d}"
    );
    // Without a version: the newest (2); the tag moves.
    let (s, tagged) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/workbooks/tag",
        json!({"workbookId": wb, "tag": "production"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{tagged}");
    assert_eq!(tagged["taggedWorkbookVersion"], 2);
    let (_, d) = app
        .get(
            &format!("/v2/workbooks/{wb}/tags/{prod_id}/document"),
            Some(&admin),
        )
        .await;
    assert_eq!(d["document"]["pages"][0]["name"], "Second", "{d}");
    let (_, tags_of) = app
        .get(&format!("/v2/workbooks/{wb}/tags"), Some(&admin))
        .await;
    assert_eq!(
        tags_of["entries"].as_array().unwrap().len(),
        1,
        "one mark per tag: {tags_of}"
    );
    assert_eq!(tags_of["entries"][0]["sourceWorkbookVersion"], 2);
    let (_, got) = app.get(&format!("/v2/workbooks/{wb}"), Some(&admin)).await;
    assert_eq!(got["tags"][0]["name"], "Production", "{got}");
    let (_, marked) = app
        .get(&format!("/v2/tags/{prod_id}/workbooks"), Some(&admin))
        .await;
    assert_eq!(marked["entries"][0]["workbookId"], wb.as_str());

    // Bad input: the field named, nothing changed.
    for (body, field, status) in [
        (
            json!({"workbookId": wb, "tag": "Nope"}),
            "tag",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"workbookId": wb, "tag": "Staging", "workbookVersion": 9}),
            "workbookVersion",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"workbookId": wb, "tag": "Staging", "workbookVersion": 1.5}),
            "workbookVersion",
            StatusCode::BAD_REQUEST,
        ),
        (
            json!({"workbookId": wb, "tag": "Staging", "sourceMappingConfig": [{"fromId": "a", "toId": "b"}]}),
            "sourceMappingConfig",
            StatusCode::NOT_IMPLEMENTED,
        ),
    ] {
        let (s, e) = send(&app, Method::POST, &admin, "/v2/workbooks/tag", body).await;
        assert_eq!(s, status, "{e}");
        assert!(
            e["message"].as_str().unwrap().contains(field),
            "{field}: {e}"
        );
    }
    let (_, tags_of) = app
        .get(&format!("/v2/workbooks/{wb}/tags"), Some(&admin))
        .await;
    assert_eq!(tags_of["total"], 1);

    // Permissions: tags are an Admin's to make; tagging needs Can Manage.
    let creator = token_of(&app, &admin, "cat@example.com", BuiltinAccountType::Creator).await;
    let (s, _) = send(
        &app,
        Method::POST,
        &creator,
        "/v2/tags",
        json!({"name": "Mine", "color": "plum"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = send(
        &app,
        Method::POST,
        &creator,
        "/v2/workbooks/tag",
        json!({"workbookId": wb, "tag": "Staging"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "cannot see it");
    let (_, marked) = app
        .get(&format!("/v2/tags/{prod_id}/workbooks"), Some(&creator))
        .await;
    assert_eq!(
        marked["entries"].as_array().unwrap().len(),
        0,
        "not listed to who cannot see it"
    );

    // Off the workbook, then the tag deleted.
    let (s, _) = app
        .delete(&format!("/v2/workbooks/{wb}/tags/{prod_id}"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .delete(&format!("/v2/workbooks/{wb}/tags/{prod_id}"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, got) = app.get(&format!("/v2/workbooks/{wb}"), Some(&admin)).await;
    assert_eq!(got["tags"], json!([]));
    let (s, _) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/workbooks/tag",
        json!({"workbookId": wb, "tag": "Production"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .delete(&format!("/v2/tags/{prod_id}"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, tags_of) = app
        .get(&format!("/v2/workbooks/{wb}/tags"), Some(&admin))
        .await;
    assert_eq!(tags_of["total"], 0, "a deleted tag comes off its workbooks");
    let (s, _) = app
        .get(
            &format!("/v2/workbooks/{wb}/tags/Production/document"),
            Some(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = send(
        &app,
        Method::PATCH,
        &admin,
        &format!("/v2/tags/{prod_id}"),
        json!({"description": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
