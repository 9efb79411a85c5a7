//! The seeded world each operation runs against, made through the API: two members,
//! a team, a workspace with a folder and a workbook (a page, controls and a sequence,
//! an export schedule),
//! grants, a warehouse connection with a table path and grants on both, an API
//! credential and connector, a custom account type and client
//! credentials. Values a schema alone cannot make valid (ids, an allowlisted URL, a
//! permission name) come from here, chosen by parameter or property name, so an
//! operation added later reuses them.

use std::cell::Cell;
use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{json, Value};

use super::schema::Fill;
use crate::common::TestApp;

/// The operations that write an export schedule, as a pattern.
macro_rules! SCHEDULE_WRITE {
    () => {
        "postWorkbookSchedule" | "updateWorkbookSchedule"
    };
}

pub struct World {
    ids: BTreeMap<&'static str, String>,
}

async fn ok(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Value {
    let (status, got) = app.send_json(method, path, Some(token), &body).await;
    assert!(status.is_success(), "seeding {path}: {status} {got}");
    got
}

fn text(v: &Value, key: &str) -> String {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {v}"))
        .to_owned()
}

impl World {
    pub async fn seed(app: &TestApp, admin: &str, serial: &Cell<u64>) -> World {
        let n = serial.get() + 1;
        serial.set(n);
        let mut ids = BTreeMap::new();
        let post = |path: &'static str, body: Value| ok(app, Method::POST, path, admin, body);
        let post_to = |path: &str, body: Value| {
            let path = path.to_owned();
            async move { ok(app, Method::POST, &path, admin, body).await }
        };
        let a = post(
            "/v2/members",
            json!({"email": format!("a{n}@example.com"), "firstName": "Ada", "lastName": "World", "memberType": "Creator"}),
        )
        .await;
        ids.insert("memberId", text(&a, "memberId"));
        ids.insert("email", text(&a, "email"));
        let b = post(
            "/v2/members",
            json!({"email": format!("b{n}@example.com"), "firstName": "Bo", "lastName": "World", "memberType": "Viewer"}),
        )
        .await;
        ids.insert("otherMemberId", text(&b, "memberId"));
        let t = post(
            "/v2/teams",
            json!({"name": format!("World team {n}"), "members": [ids["memberId"], ids["otherMemberId"]]}),
        )
        .await;
        ids.insert("teamId", text(&t, "teamId"));
        let w = post("/v2/workspaces", json!({"name": format!("World {n}")})).await;
        ids.insert("workspaceId", text(&w, "workspaceId"));
        let f = post(
            "/v2/files",
            json!({"type": "folder", "name": "Folder", "parentId": ids["workspaceId"]}),
        )
        .await;
        ids.insert("folderId", text(&f, "id"));
        let wb = post(
            "/v2/workbooks",
            json!({"folderId": ids["workspaceId"], "name": format!("Workbook {n}")}),
        )
        .await;
        ids.insert("workbookId", text(&wb, "workbookId"));
        ok(
            app,
            Method::PUT,
            &format!("/v2/workbooks/{}/document", ids["workbookId"]),
            admin,
            json!({"pages": [{"pageId": "page-1", "name": "Page 1", "elements": [
                {"type": "control", "elementId": "el-in", "controlId": "in", "controlType": "text-input", "label": "In"},
                {"type": "control", "elementId": "el-note", "controlId": "note", "controlType": "text-area", "label": "Note"},
                {"type": "button", "elementId": "el-go", "text": "Go", "onClick": [{"sequenceId": "go", "actions": [
                    {"type": "setControlValue", "controlId": "in", "value": {"source": "static", "value": "done"}}]}]}
            // An element whose id is also a page's, so that one `sourceId` serves
            // every `sourceType` of an embed.
            ]}, {"pageId": "page-2", "name": "Page 2", "elements": [
                {"type": "text", "elementId": "page-1", "text": "About"}]}]}),
        )
        .await;
        let g = post(
            "/v2/grants",
            json!({"grantee": {"memberId": ids["memberId"]}, "permission": "view", "inodeId": ids["workbookId"]}),
        )
        .await;
        ids.insert("grantId", text(&g, "grantId"));
        // A user attribute with a value on each kind of holder.
        let attr = post(
            "/v2/user-attributes",
            json!({"name": format!("World attribute {n}"), "defaultValue": {"type": "string", "val": "d"}}),
        )
        .await;
        let attr = text(&attr, "userAttributeId");
        let org = app.state.services.organization.id.to_string();
        for (seg, key, holder) in [
            ("teams", "teamId", ids["teamId"].clone()),
            ("users", "userId", ids["memberId"].clone()),
            ("tenants", "tenantOrganizationId", org.clone()),
        ] {
            ok(
                app,
                Method::POST,
                &format!("/v2/user-attributes/{attr}/{seg}"),
                admin,
                json!({"assignments": [{key: holder, "value": {"type": "string", "val": "v"}}]}),
            )
            .await;
        }
        ids.insert("userAttributeId", attr);
        ids.insert("tenantOrganizationId", org);
        // A version tag on the workbook.
        let tag = post(
            "/v2/tags",
            json!({"name": format!("World tag {n}"), "color": "cyan"}),
        )
        .await;
        ids.insert("tagId", text(&tag, "versionTagId"));
        ids.insert("tagName", format!("World tag {n}"));
        ok(
            app,
            Method::POST,
            "/v2/workbooks/tag",
            admin,
            json!({"workbookId": ids["workbookId"], "tag": ids["tagName"]}),
        )
        .await;
        // A saved view and an embed of the workbook.
        let b = post_to(
            &format!("/v2/workbooks/{}/bookmarks", ids["workbookId"]),
            json!({"workbookVersion": 1, "name": "World view", "isShared": true, "exploreKey": "k"}),
        )
        .await;
        ids.insert("bookmarkId", text(&b, "bookmarkId"));
        let e = post_to(
            &format!("/v2/workbooks/{}/embeds", ids["workbookId"]),
            json!({"embedType": "public", "sourceType": "workbook"}),
        )
        .await;
        ids.insert("embedId", text(&e, "embedId"));
        // An export schedule of the workbook, with every part a request can set.
        let s = post_to(
            &format!("/v2/workbooks/{}/schedules", ids["workbookId"]),
            json!({"target": [{"email": "to@example.com"}],
                   "schedule": {"cronSpec": "0 9 * * 1", "timezone": "UTC"},
                   "configV2": {"title": "Weekly", "messageBody": "Here", "exportAttachments": [
                       {"formatOptions": {"type": "PDF"}, "workbookExportSource": {"type": "page", "pageIds": ["page-1"]}}],
                       "workbookVariant": {"tagId": ids["tagId"], "bookmarkId": ids["bookmarkId"]},
                       "formatting": {"pivotHeaderStyle": "merged"}},
                   "config": {"formatOptions": {"type": "CSV"}, "title": "t", "messageBody": "m",
                              "rowLimit": 100, "chartId": "el-in"}}),
        )
        .await;
        ids.insert("scheduleId", text(&s, "scheduledNotificationId"));
        // A favorite, for the operations that read or remove one.
        post(
            "/v2/favorites",
            json!({"memberId": ids["memberId"], "inodeId": ids["workbookId"]}),
        )
        .await;
        let path = format!("/v2/workspaces/{}/grants", ids["workspaceId"]);
        ok(
            app,
            Method::POST,
            &path,
            admin,
            json!({"grants": [{"grantee": {"teamId": ids["teamId"]}, "permission": "view"}]}),
        )
        .await;
        let (_, list) = app.get(&path, Some(admin)).await;
        let wg = list["entries"]
            .as_array()
            .and_then(|e| e.iter().find(|g| g["teamId"] == ids["teamId"]))
            .unwrap_or_else(|| panic!("the team's workspace grant in {list}"));
        ids.insert("workspaceGrantId", text(wg, "grantId"));
        // A warehouse connection on a loopback address (refused by the address policy,
        // so that testing it answers at once), grants on it, a table looked up in it
        // and grants on that (two each, so that their lists have a second page).
        let wh = post(
            "/v2/connections",
            json!({"name": format!("World warehouse {n}"), "details": {"type": "postgres",
                   "host": "127.0.0.1", "port": 9, "database": "world", "user": "u",
                   "password": "p", "writeAccess": {"writeSchema": "w"}}}),
        )
        .await;
        ids.insert("connectionId", text(&wh, "connectionId"));
        let grants = |id: &str| format!("/v2/connections/{id}/grants");
        post_to(
            &grants(&ids["connectionId"]),
            json!({"grants": [{"grantee": {"teamId": ids["teamId"]}, "permission": "usage"},
                              {"grantee": {"memberId": ids["otherMemberId"]}, "permission": "annotate"}]}),
        )
        .await;
        let (_, list) = app.get(&grants(&ids["connectionId"]), Some(admin)).await;
        ids.insert("connectionGrantId", text(&list["entries"][0], "grantId"));
        let table = post_to(
            &format!("/v2/connection/{}/lookup", ids["connectionId"]),
            json!({"path": ["public", format!("world_{n}")]}),
        )
        .await;
        assert_eq!(table["kind"], "table", "{table}");
        ids.insert("connectionPathId", text(&table, "inodeId"));
        let path_grants = format!("/v2/connections/paths/{}/grants", ids["connectionPathId"]);
        post_to(
            &path_grants,
            json!({"grants": [{"grantee": {"memberId": ids["memberId"]}, "permission": "annotate"},
                              {"grantee": {"teamId": ids["teamId"]}, "permission": "usage"}]}),
        )
        .await;
        let (_, list) = app.get(&path_grants, Some(admin)).await;
        ids.insert("pathGrantId", text(&list["entries"][0], "grantId"));
        let cred = post(
            "/v2/api-credentials",
            json!({"name": format!("World credential {n}"), "allowlist": ["127.0.0.1"],
                   "credential": {"authMethod": "bearer", "bearer": {"token": "t"}}}),
        )
        .await;
        ids.insert("connectorCredentialId", text(&cred, "apiCredentialId"));
        let unused = post(
            "/v2/api-credentials",
            json!({"name": format!("World spare credential {n}"), "allowlist": ["127.0.0.1"],
                   "credential": {"authMethod": "bearer", "bearer": {"token": "t"}}}),
        )
        .await;
        ids.insert("apiCredentialId", text(&unused, "apiCredentialId"));
        let conn = post(
            "/v2/api-connectors",
            json!({"name": format!("World connector {n}"), "authId": ids["connectorCredentialId"], "params": {
                "method": "GET", "url": app.url("/v2/whoami"), "headers": [], "pathParams": [],
                "queryParams": [], "body": ""}}),
        )
        .await;
        ids.insert("apiConnectorId", text(&conn, "apiConnectorId"));
        let at = post(
            "/v2/accountTypes",
            json!({"name": format!("World type {n}"), "description": "d", "permissions": ["view"]}),
        )
        .await;
        ids.insert("accountTypeId", text(&at, "accountTypeId"));
        let (_, types) = app.get("/v2/accountTypes", Some(admin)).await;
        let viewer = types["entries"]
            .as_array()
            .and_then(|e| e.iter().find(|t| t["accountTypeName"] == "Viewer"))
            .unwrap_or_else(|| panic!("Viewer in {types}"));
        ids.insert("viewerTypeId", text(viewer, "accountTypeId"));
        let c = post(
            "/v2/credentials",
            json!({"ownerId": app.init.member_id.to_string(), "name": format!("World client {n}")}),
        )
        .await;
        ids.insert("clientId", text(&c, "clientId"));
        ids.insert("baseUrl", app.url(""));
        ids.insert("adminClientId", app.init.client_id.clone());
        ids.insert("adminMemberId", app.init.member_id.to_string());
        ids.insert("adminClientSecret", app.init.client_secret.to_string());
        World { ids }
    }

    /// The value of a path parameter; `None` names a parameter the world has nothing
    /// for (a kind sigil does not hold), which the test reports.
    pub fn path_param(&self, template: &str, name: &str) -> Option<String> {
        let key = match name {
            "grantId" if template.starts_with("/v2/workspaces/") => "workspaceGrantId",
            "grantId" if template.starts_with("/v2/connections/paths/") => "pathGrantId",
            "grantId" if template.starts_with("/v2/connections/") => "connectionGrantId",
            "inodeId" | "tableId" if template.starts_with("/v2/connections/") => "connectionPathId",
            "inodeId" | "fileId" | "documentId" => "workbookId",
            "userId" => "memberId",
            "versionTag" => "tagName",
            "sequenceId" => return Some("go".into()),
            "elementId" => return Some("el-in".into()),
            "pageId" => return Some("page-1".into()),
            other => other,
        };
        self.ids.get(key).cloned()
    }

    /// Values a query parameter takes from the world, by name.
    pub fn query_value(&self, name: &str) -> Option<String> {
        Some(match name {
            "email" => self.ids["email"].clone(),
            "search" | "name" => "World".into(),
            "parentId" => self.ids["workspaceId"].clone(),
            "inodeId" => self.ids["workbookId"].clone(),
            "teamId" => self.ids["teamId"].clone(),
            "connectionId" => self.ids["connectionId"].clone(),
            "userId" | "memberId" => self.ids["memberId"].clone(),
            "reassignToAccountTypeId" => self.ids["viewerTypeId"].clone(),
            "limit" | "pageSize" => "2".into(),
            "orderBy" => "name".into(),
            _ => return None,
        })
    }

    /// What a request-body property is to be, by its path in the body and its name.
    pub fn body_fill(&self, op: &str, path: &str, name: &str, serial: &Cell<u64>) -> Fill {
        let id = |k: &str| Fill::Value(json!(self.ids[k]));
        let id_list = |k: &str| Fill::Value(json!([self.ids[k]]));
        let unique = |stem: &str| {
            let n = serial.get() + 1;
            serial.set(n);
            format!("{stem}{n}")
        };
        match (op, name) {
            ("postToken", "grant_type") => Fill::Value(json!("client_credentials")),
            ("postToken", "client_id") => id("adminClientId"),
            ("postToken", "client_secret") => id("adminClientSecret"),
            (_, "email") => Fill::Value(json!(format!("{}@example.com", unique("body")))),
            (_, "memberType") => Fill::Value(json!("Creator")),
            (_, "memberId" | "ownerId" | "userId") => id("memberId"),
            (_, "newOwnerId") => id("otherMemberId"),
            (_, "teamId") => id("teamId"),
            ("createTeam", "members") => Fill::Value(json!([self.ids["memberId"]])),
            ("updateTeamMembers", "add") => id_list("adminMemberId"),
            ("updateTeamMembers", "remove") => Fill::Value(json!([self.ids["memberId"]])),
            (_, "folderId" | "parentId" | "destinationFolderId") => id("folderId"),
            (_, "inodeId") => id("workbookId"),
            (_, "userAttributeId") => id("userAttributeId"),
            ("tagWorkbook", "tag") => id("tagName"),
            ("tagWorkbook", "workbookId") => id("workbookId"),
            ("tagWorkbook" | "postWorkbookBookmarks", "workbookVersion") => Fill::Value(json!(1)),
            ("createWorkbookEmbed", "sourceId") => Fill::Value(json!("page-1")),
            (SCHEDULE_WRITE!(), "cronSpec") => Fill::Value(json!("0 9 * * 1")),
            (SCHEDULE_WRITE!(), "timezone") => Fill::Value(json!("America/New_York")),
            (SCHEDULE_WRITE!(), "ccEmail" | "bccEmail") => {
                Fill::Value(json!(format!("{}@example.com", unique("cc"))))
            }
            (SCHEDULE_WRITE!(), "ccTeamId" | "bccTeamId") => id("teamId"),
            (SCHEDULE_WRITE!(), "webhookUrl" | "googleSpreadsheetUrl" | "googleDriveFolderUrl") => {
                Fill::Value(json!("https://example.com/hook"))
            }
            (SCHEDULE_WRITE!(), "elementIds") => Fill::Value(json!(["el-in"])),
            (SCHEDULE_WRITE!(), "pageIds") => Fill::Value(json!(["page-1"])),
            (SCHEDULE_WRITE!(), "elementId" | "chartId") => Fill::Value(json!("el-in")),
            (SCHEDULE_WRITE!(), "tagId") => id("tagId"),
            (SCHEDULE_WRITE!(), "bookmarkId") => id("bookmarkId"),
            (_, "tenantOrganizationId") => id("tenantOrganizationId"),
            (_, "authId") => id("apiCredentialId"),
            (_, "allowlist") => Fill::Value(json!(["127.0.0.1"])),
            // A connector's path parameter is a `{key}` in its URL.
            (_, "key") if path.contains(".pathParams[]") => Fill::Value(json!("item")),
            (_, "url") if path.starts_with(".params") => Fill::Value(json!(format!(
                "{}/v2/members/{{item}}",
                self.ids["baseUrl"]
            ))),
            (_, "url" | "accessTokenUrl" | "temporaryCredentialsUrl") => {
                Fill::Value(json!(format!("{}/v2/whoami", self.ids["baseUrl"])))
            }
            (_, "retryableStatusCodes") => Fill::Value(json!([503])),
            (_, "profileImgUrl") => Fill::Value(json!("https://example.com/a.png")),
            ("createAccountType", "permissions") => Fill::Value(json!(["view"])),
            (_, "body") if path.ends_with(".params.body") => Fill::Value(json!("")),
            (_, "name") => Fill::Value(json!(unique("Conformance "))),
            _ => Fill::Schema,
        }
    }
}
