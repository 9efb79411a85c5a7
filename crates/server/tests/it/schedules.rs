//! Export schedules kept as records: created in Sigma's request shape and answered
//! in its answer's shape, read back from both lists, changed, paused and resumed,
//! deleted; checked against the workbook (pages, elements, saved views), with
//! permissions and bad input, on both databases.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;

use crate::common::*;

async fn send(app: &TestApp, m: Method, t: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(m, path, Some(t), &body).await
}

#[tokio::test]
async fn export_schedules_are_kept_as_records_on_sqlite() {
    schedules(TestApp::spawn().await).await;
}

#[tokio::test]
async fn export_schedules_are_kept_as_records_on_postgres() {
    if let Some(app) = TestApp::spawn_on_postgres().await {
        schedules(app).await;
    }
}

fn ok(r: (StatusCode, Value)) -> Value {
    assert!(r.0.is_success(), "{} {}", r.0, r.1);
    r.1
}

async fn schedules(app: TestApp) {
    let admin = app.admin_token().await;
    let ws = ok(send(
        &app,
        Method::POST,
        &admin,
        "/v2/workspaces",
        json!({"name": "Reports"}),
    )
    .await);
    let wb = ok(send(
        &app,
        Method::POST,
        &admin,
        "/v2/workbooks",
        json!({"folderId": ws["workspaceId"], "name": "Weekly sales"}),
    )
    .await);
    let wb = wb["workbookId"].as_str().unwrap().to_owned();
    ok(send(
        &app,
        Method::PUT,
        &admin,
        &format!("/v2/workbooks/{wb}/document"),
        json!({"pages": [{"pageId": "p1", "name": "Summary", "elements": [
            {"type": "control", "elementId": "e1", "controlId": "region", "controlType": "text-input", "label": "Region"}]}]}),
    )
    .await);
    let view = ok(send(
        &app,
        Method::POST,
        &admin,
        &format!("/v2/workbooks/{wb}/bookmarks"),
        json!({"workbookVersion": 2, "name": "West", "isShared": true, "exploreKey": "west-key"}),
    )
    .await);
    let (_, team) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/teams",
        json!({"name": "Sales"}),
    )
    .await;
    let team_id = team["teamId"].as_str().unwrap().to_owned();
    let path = format!("/v2/workbooks/{wb}/schedules");

    // Created in the request's shape, answered in Sigma's answer's shape.
    let created = ok(send(
        &app,
        Method::POST,
        &admin,
        &path,
        json!({
            "target": [{"email": "boss@example.com"}, {"teamId": team_id}],
            "schedule": {"cronSpec": "0 9 * * 1", "timezone": "Europe/Paris"},
            "description": "Monday numbers",
            "configV2": {
                "title": "Weekly", "messageBody": "Attached.",
                "exportAttachments": [
                    {"formatOptions": {"type": "XLSX"}, "workbookExportSource": {"type": "element", "elementIds": ["e1"]}},
                    {"formatOptions": {"type": "PDF", "layout": "landscape"}, "workbookExportSource": {"type": "page", "pageIds": ["p1"]}}],
                "includeLink": true,
                "attachmentSettings": {"mergeAttachments": true},
                "conditionOptions": {"type": "workbook", "condition": {"type": "column", "elementId": "e1",
                    "columnId": "c", "op": "Equals", "mode": "any", "value": {"type": "text", "value": "West"}}},
                "workbookVariant": {"bookmarkId": view["bookmarkId"]}
            }
        }),
    )
    .await);
    let c = &created["configV2"];
    assert_eq!(c["title"], "Weekly");
    assert_eq!(c["messageBody"], "Attached.");
    assert_eq!(
        c["notificationAttachments"],
        json!([
            {"formatOptions": {"type": "EXCEL"}, "workbookExportSource": {"type": "element", "nodeIds": ["e1"]}},
            {"formatOptions": {"type": "PDF", "layout": "landscape", "scaleFactor": 1},
             "workbookExportSource": {"type": "page", "nodeIds": ["p1"]}}
        ])
    );
    assert_eq!(
        (&c["includeLink"], &c["runAsRecipient"]),
        (&json!(true), &json!(false))
    );
    assert_eq!(
        c["attachmentSettings"],
        json!({"mergePdfAttachments": true, "zipAttachments": false})
    );
    assert_eq!(
        c["conditionOptions"],
        json!({"type": "workbook", "conditions": [{"type": "sheetColumn", "sheetId": "e1",
            "columnId": "c", "op": "Equals", "mode": "any", "value": {"type": "string", "val": "West"}}]})
    );
    assert_eq!(c["notificationName"], "Weekly sales");
    assert_eq!(
        c["workbookVariant"],
        json!({"tagId": "", "exploreKey": "west-key", "bookmarkId": view["bookmarkId"]})
    );
    assert_eq!(
        created["schedule"],
        json!({"cronSpec": "0 9 * * 1", "timezone": "Europe/Paris"})
    );
    assert_eq!(created["target"][1]["teamId"], team_id.as_str());
    assert_eq!(created["description"], "Monday numbers");
    assert_eq!(created["ownerId"], app.init.member_id.to_string());
    assert_eq!(created["isSuspended"], false);
    assert_eq!(created["disabledAt"], Value::Null);
    assert_eq!(created["workbookId"], wb.as_str());
    let id = created["scheduledNotificationId"]
        .as_str()
        .unwrap()
        .to_owned();

    // Read back, the same from both lists (the first answers a bare array).
    let (_, got) = app.get(&path, Some(&admin)).await;
    assert_eq!(got, json!([created]));
    let (_, got) = app
        .get(&format!("/v2.1/workbooks/{wb}/schedules"), Some(&admin))
        .await;
    assert_eq!(got["total"], 1, "{got}");
    assert_eq!(got["entries"][0], created);

    // Paused, resumed, rescheduled: each read back.
    let one = format!("{path}/{id}");
    let paused = ok(send(
        &app,
        Method::PATCH,
        &admin,
        &one,
        json!({"suspensionAction": "pause"}),
    )
    .await);
    assert_eq!(paused["isSuspended"], true);
    assert_eq!(paused["disabledBy"], app.init.member_id.to_string());
    assert!(paused["disabledAt"].is_string());
    let (_, got) = app.get(&path, Some(&admin)).await;
    assert_eq!(got[0], paused);
    let changed = ok(send(
        &app,
        Method::PATCH,
        &admin,
        &one,
        json!({"suspensionAction": "resume", "schedule": {"cronSpec": "30 7 1 * *", "timezone": "UTC"}}),
    )
    .await);
    assert_eq!(changed["isSuspended"], false);
    assert_eq!(changed["disabledAt"], Value::Null);
    assert_eq!(changed["schedule"]["cronSpec"], "30 7 1 * *");
    assert_eq!(
        changed["configV2"], created["configV2"],
        "configV2 was not sent: kept"
    );
    let (_, got) = app.get(&path, Some(&admin)).await;
    assert_eq!(got[0], changed);

    // Bad input names its field and writes nothing.
    let good_config = json!({"title": "t", "messageBody": "m", "exportAttachments": []});
    for (body, field) in [
        (
            json!({"schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"}, "configV2": good_config}),
            "target",
        ),
        (
            json!({"target": [], "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"}, "configV2": good_config}),
            "target",
        ),
        (
            json!({"target": [{"email": "not-mail"}], "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"}, "configV2": good_config}),
            "target[0].email",
        ),
        (
            json!({"target": [{"teamId": "00000000-0000-0000-0000-000000000000"}], "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"}, "configV2": good_config}),
            "target[0].teamId",
        ),
        (
            json!({"target": [{"webhookUrl": "ftp://x"}], "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"}, "configV2": good_config}),
            "target[0].webhookUrl",
        ),
        (
            json!({"target": [{"email": "a@example.com"}], "schedule": {"cronSpec": "every monday", "timezone": "UTC"}, "configV2": good_config}),
            "schedule.cronSpec",
        ),
        (
            json!({"target": [{"email": "a@example.com"}], "schedule": {"cronSpec": "0 9 * * 1", "timezone": "not a zone"}, "configV2": good_config}),
            "schedule.timezone",
        ),
        (
            json!({"target": [{"email": "a@example.com"}], "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"}}),
            "configV2",
        ),
        (
            json!({"target": [{"email": "a@example.com"}], "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"},
                "configV2": {"title": "t", "messageBody": "m", "exportAttachments": [
                    {"formatOptions": {"type": "CSV"}, "workbookExportSource": {"type": "element", "elementIds": ["nope"]}}]}}),
            "configV2.exportAttachments[0].workbookExportSource.elementIds[0]",
        ),
        (
            json!({"target": [{"email": "a@example.com"}], "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"},
                "configV2": {"title": "t", "messageBody": "m", "exportAttachments": [
                    {"formatOptions": {"type": "DOCX"}, "workbookExportSource": {"type": "all"}}]}}),
            "configV2.exportAttachments[0].formatOptions.type",
        ),
        (
            json!({"target": [{"email": "a@example.com"}], "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"},
                "configV2": {"title": "t", "messageBody": "m", "exportAttachments": [],
                             "workbookVariant": {"tagId": "00000000-0000-0000-0000-000000000000"}}}),
            "configV2.workbookVariant.tagId",
        ),
    ] {
        let r = send(&app, Method::POST, &admin, &path, body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            r.1["message"].as_str().unwrap().contains(field),
            "{field}: {}",
            r.1
        );
    }
    let r = send(
        &app,
        Method::PATCH,
        &admin,
        &one,
        json!({"suspensionAction": "stop"}),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let (_, got) = app.get(&path, Some(&admin)).await;
    assert_eq!(got, json!([changed]), "nothing more was written");

    // The older `config`: one attachment, its chart and row limit.
    let old = ok(send(
        &app,
        Method::POST,
        &admin,
        &path,
        json!({"target": [{"slackConversationId": "C123"}],
               "schedule": {"cronSpec": "0 8 * * *", "timezone": "UTC"},
               "config": {"formatOptions": {"type": "PNG"}, "title": "Chart", "messageBody": "m",
                          "chartId": "e1", "rowLimit": 500}}),
    )
    .await);
    assert_eq!(
        old["configV2"]["notificationAttachments"],
        json!([{"formatOptions": {"type": "PNG", "pixelWidth": null, "pixelHeight": null},
                "chartId": "e1", "workbookExportSource": {"type": "element", "nodeIds": ["e1"]}}])
    );
    assert_eq!(old["configV2"]["rowLimit"], 500);

    // Permissions: viewing lists, exploring creates one's own; another's needs Can
    // Manage.
    let (viewer, viewer_token) = app
        .member_token(&admin, "viewer@example.com", BuiltinAccountType::Viewer)
        .await;
    let (explorer, explorer_token) = app
        .member_token(&admin, "explorer@example.com", BuiltinAccountType::Creator)
        .await;
    let r = app.get(&path, Some(&viewer_token)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    ok(send(
        &app,
        Method::POST,
        &admin,
        &format!("/v2/workbooks/{wb}/grants"),
        json!({"grants": [{"grantee": {"memberId": viewer.id.to_string()}, "permission": "view"},
                          {"grantee": {"memberId": explorer.id.to_string()}, "permission": "explore"}]}),
    )
    .await);
    let (s, got) = app.get(&path, Some(&viewer_token)).await;
    assert_eq!((s, got.as_array().map(Vec::len)), (StatusCode::OK, Some(2)));
    let mine = json!({"target": [{"email": "me@example.com"}],
                      "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"},
                      "configV2": {"title": "t", "messageBody": "m", "exportAttachments": []}});
    let r = send(&app, Method::POST, &viewer_token, &path, mine.clone()).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let mut for_admin = mine.clone();
    for_admin["ownerId"] = json!(app.init.member_id.to_string());
    let r = send(&app, Method::POST, &explorer_token, &path, for_admin).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    let own = ok(send(&app, Method::POST, &explorer_token, &path, mine).await);
    assert_eq!(own["ownerId"], explorer.id.to_string());
    let own_path = format!(
        "{path}/{}",
        own["scheduledNotificationId"].as_str().unwrap()
    );
    let r = send(
        &app,
        Method::PATCH,
        &explorer_token,
        &one,
        json!({"suspensionAction": "pause"}),
    )
    .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");
    ok(send(
        &app,
        Method::PATCH,
        &explorer_token,
        &own_path,
        json!({"suspensionAction": "pause"}),
    )
    .await);

    // Deleted: gone from the list; again is 404.
    let (s, _) = app.delete(&own_path, Some(&explorer_token)).await;
    assert_eq!(s, StatusCode::OK);
    let r = app.delete(&own_path, Some(&admin)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let (_, got) = app
        .get(&format!("/v2.1/workbooks/{wb}/schedules"), Some(&admin))
        .await;
    assert_eq!(got["total"], 2);
    assert!(got["entries"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["ownerId"] != explorer.id.to_string()));
}
