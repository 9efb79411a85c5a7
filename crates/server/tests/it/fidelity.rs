//! Places where sigil followed Sigma's documents less faithfully than clients need:
//! each test is one item of the reference document that a real client sends.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_error, TestApp};

#[tokio::test]
async fn member_types_are_matched_without_regard_to_case() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    for (i, kind) in ["viewer", "CREATOR", "admin", "Explorer"]
        .iter()
        .enumerate()
    {
        let (s, m) = app
            .send_json(
                Method::POST,
                "/v2/members",
                Some(&t),
                &json!({"email": format!("m{i}@example.com"), "firstName": "A", "lastName": "B", "memberType": kind}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{kind}: {m}");
        assert_eq!(
            m["memberType"].as_str().unwrap().to_lowercase(),
            kind.to_lowercase()
        );
        let id = m["memberId"].as_str().unwrap();
        let (s, m) = app
            .send_json(
                Method::PATCH,
                &format!("/v2/members/{id}"),
                Some(&t),
                &json!({"memberType": "vIeWeR"}),
            )
            .await;
        assert_eq!(
            (s, m["memberType"].as_str()),
            (StatusCode::OK, Some("Viewer"))
        );
    }
    // Two account types may not differ only by case.
    let r = app
        .send_json(
            Method::POST,
            "/v2/accountTypes",
            Some(&t),
            &json!({"name": "CREATOR", "permissions": ["view"]}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn type_filters_take_repeated_keys_commas_and_every_kind_sigma_allows() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    let (_, ws) = app
        .send_json(
            Method::POST,
            "/v2/workspaces",
            Some(&t),
            &json!({"name": "W"}),
        )
        .await;
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let (_, f) = app
        .send_json(
            Method::POST,
            "/v2/files",
            Some(&t),
            &json!({"type": "folder", "name": "f", "parentId": ws}),
        )
        .await;
    app.send_json(
        Method::POST,
        "/v2/workbooks",
        Some(&t),
        &json!({"folderId": f["id"], "name": "wb"}),
    )
    .await;
    let me = app.init.member_id;
    for base in ["/v2/files".to_string(), format!("/v2/members/{me}/files")] {
        let kinds = |q: &str| {
            let path = format!("{base}?{q}");
            let app = &app;
            let t = t.clone();
            async move {
                let (s, b) = app.get(&path, Some(&t)).await;
                assert_eq!(s, StatusCode::OK, "{path}: {b}");
                let mut k: Vec<String> = b["entries"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["type"].as_str().unwrap().to_owned())
                    .collect();
                k.sort();
                k.dedup();
                k
            }
        };
        assert_eq!(
            kinds("typeFilters=workbook&typeFilters=folder").await,
            ["folder", "workbook"]
        );
        assert_eq!(
            kinds("typeFilters=workbook,folder").await,
            ["folder", "workbook"]
        );
        assert_eq!(
            kinds("typeFilters=workbook&typeFilters=dataset").await,
            ["workbook"]
        );
        for unheld in [
            "table",
            "dataset",
            "data-model",
            "sql",
            "worksheet",
            "dashboard",
            "template",
            "symlink",
            "report",
        ] {
            assert!(
                kinds(&format!("typeFilters={unheld}")).await.is_empty(),
                "{unheld}"
            );
        }
        let r = app
            .get(&format!("{base}?typeFilters=spreadsheet"), Some(&t))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        // Parameters Sigma does not define are ignored.
        assert_eq!(
            kinds("typeFilters=workbook&somethingElse=1").await,
            ["workbook"]
        );
    }
}

#[tokio::test]
async fn sigmas_bodies_accept_every_property_and_ignore_unknown_ones_while_ours_stay_strict() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    let post = |path: &'static str, body: serde_json::Value| {
        let (app, t) = (&app, t.clone());
        async move { app.send_json(Method::POST, path, Some(&t), &body).await }
    };
    let (s, ws) = post("/v2/workspaces", json!({"name": "W", "futureField": 1})).await;
    assert_eq!(s, StatusCode::OK, "{ws}");
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let (s, wb) = post(
        "/v2/workbooks",
        json!({"folderId": ws, "name": "wb", "description": "About it", "somethingNew": true}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{wb}");
    let id = wb["workbookId"].as_str().unwrap();
    let (_, f) = app.get(&format!("/v2/files/{id}"), Some(&t)).await;
    assert_eq!(f["description"], "About it", "description is honoured: {f}");
    let (s, b) = post(
        "/v2/files",
        json!({"type": "folder", "name": "f", "parentId": ws, "source": {"type": "table"}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = post(
        "/v2/members",
        json!({"email": "x@example.com", "firstName": "A", "lastName": "B", "extra": [1]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, b) = post("/v2/teams", json!({"name": "T", "color": "blue"})).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    // sigil's own formats stay strict.
    let r = app
        .send_json(
            Method::POST,
            &format!("/v2/workbooks/{id}/run"),
            Some(&t),
            &json!({"sequenceId": "s", "whatever": 1}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn team_names_are_unique_without_regard_to_case() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    let (s, a) = app
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&t),
            &json!({"name": "Sales"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let r = app
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&t),
            &json!({"name": "sALES"}),
        )
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let (s, b) = app
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&t),
            &json!({"name": "Sales West"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "a name containing another is fine");
    let bpath = format!("/v2/teams/{}", b["teamId"].as_str().unwrap());
    let r = app
        .send_json(Method::PATCH, &bpath, Some(&t), &json!({"name": "SALES"}))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    assert_eq!(
        app.get(&bpath, Some(&t)).await.1["name"],
        "Sales West",
        "nothing written"
    );
    // Renaming a team to its own name (another case) is not a conflict.
    let apath = format!("/v2/teams/{}", a["teamId"].as_str().unwrap());
    let (s, _) = app
        .send_json(Method::PATCH, &apath, Some(&t), &json!({"name": "SALES"}))
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn grants_and_connectors_answer_every_property_sigmas_schemas_require() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    let (_, ws) = app
        .send_json(
            Method::POST,
            "/v2/workspaces",
            Some(&t),
            &json!({"name": "W"}),
        )
        .await;
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let (_, list) = app.get(&format!("/v2/grants?inodeId={ws}"), Some(&t)).await;
    for g in list["entries"].as_array().unwrap() {
        assert_eq!(g["inodeType"], "folder", "{g}");
    }
    let (_, one) = app
        .get(
            &format!(
                "/v2/grants/{}",
                list["entries"][0]["grantId"].as_str().unwrap()
            ),
            Some(&t),
        )
        .await;
    assert_eq!(one["inodeType"], "folder");

    let (s, k) = app
        .send_json(
            Method::POST,
            "/v2/api-connectors",
            Some(&t),
            &json!({"name": "k", "params": {"method": "GET", "url": "https://api.example.com/x"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{k}");
    let c = &k["config"];
    assert_eq!(c["timeout"]["requestSec"], 30.0, "{c}");
    assert_eq!(c["retry"]["maxRetries"], 0.0);
    assert_eq!(c["retry"]["retryableStatusCodes"], json!([]));
    assert_eq!(c["redirects"]["maxRedirects"], 5.0);
    assert_eq!(c["rateLimit"]["maxRequestsPerWindow"], 1_000_000.0);
    // What was answered can be written back unchanged.
    let id = k["apiConnectorId"].as_str().unwrap();
    let (s, back) = app
        .send_json(
            Method::PATCH,
            &format!("/v2/api-connectors/{id}"),
            Some(&t),
            &json!({"config": k["config"]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{back}");
    assert_eq!(back["config"], k["config"]);
}

#[tokio::test]
async fn searches_holding_control_characters_are_refused_not_matched_to_everything() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    for path in [
        "/v2/members?search=%00",
        "/v2/members?email=a%01b",
        "/v2/teams?name=%00",
        "/v2/workspaces?name=%00",
        "/v2/files?name=%00",
    ] {
        let r = app.get(path, Some(&t)).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            r.1["message"]
                .as_str()
                .unwrap()
                .contains("control characters"),
            "{path}: {}",
            r.1
        );
    }
    let (s, b) = app.get("/v2/members?search=admin", Some(&t)).await;
    assert_eq!((s, b["total"].as_u64()), (StatusCode::OK, Some(1)));
}

#[tokio::test]
async fn owners_keep_access_to_what_they_own_without_a_grant() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let owner = app
        .add_member(
            "owner@example.com",
            sigil_core::BuiltinAccountType::Creator,
            "password1",
        )
        .await;
    let (_, creds) = app
        .send_json(
            Method::POST,
            "/v2/credentials",
            Some(&admin),
            &json!({"ownerId": owner.id.to_string(), "name": "o"}),
        )
        .await;
    let (_, tok) = app
        .client_credentials(
            creds["clientId"].as_str().unwrap(),
            creds["clientSecret"].as_str().unwrap(),
        )
        .await;
    let tok = tok["access_token"].as_str().unwrap().to_owned();
    // An Admin makes a workbook owned by the member, in a workspace the member has no grant on.
    let (_, ws) = app
        .send_json(
            Method::POST,
            "/v2/workspaces",
            Some(&admin),
            &json!({"name": "W"}),
        )
        .await;
    let (s, wb) = app
        .send_json(
            Method::POST,
            "/v2/workbooks",
            Some(&admin),
            &json!({"folderId": ws["workspaceId"], "name": "Theirs", "ownerId": owner.id.to_string()}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{wb}");
    let id = wb["workbookId"].as_str().unwrap();
    let (s, w) = app.get(&format!("/v2/workbooks/{id}"), Some(&tok)).await;
    assert_eq!(s, StatusCode::OK, "the owner opens it: {w}");
    let (_, access) = app
        .get(
            &format!("/v2/inodes/{id}/access/{}", owner.id),
            Some(&admin),
        )
        .await;
    assert_eq!(access["permission"], "edit", "{access}");
    let (_, files) = app
        .get(
            &format!("/v2/members/{}/files?typeFilters=workbook", owner.id),
            Some(&admin),
        )
        .await;
    assert!(
        files["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == id),
        "the owner's files list it: {files}"
    );
    // The workspace itself is not theirs.
    let (s, _) = app
        .get(
            &format!("/v2/workspaces/{}", ws["workspaceId"].as_str().unwrap()),
            Some(&tok),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_method_a_path_does_not_have_gets_405_naming_the_ones_it_has() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    for (method, path, allowed) in [
        (Method::DELETE, "/v2/whoami", "GET"),
        (Method::PUT, "/v2/members", "POST"),
        (Method::PATCH, "/v2/workspaces", "GET"),
    ] {
        let res = app
            .http
            .request(method.clone(), app.url(path))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        let allow = res
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let r = crate::common::json_of(res).await;
        assert_error(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert!(allow.contains(allowed), "{method} {path}: Allow `{allow}`");
    }
}

#[tokio::test]
async fn an_empty_paging_value_is_an_unset_one() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    for path in [
        "/v2/members?page=&limit=",
        "/v2/teams?limit=",
        "/v2/accountTypes?pageSize=&pageToken=",
        "/v2/api-connectors?pageSize=&pageToken=&orderBy=",
        "/v2/api-credentials?pageSize=",
    ] {
        let (status, body) = app.get(path, Some(&t)).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let (_, types) = app.get("/v2/accountTypes?pageSize=", Some(&t)).await;
    assert_eq!(types["entries"].as_array().unwrap().len(), 4, "{types}");
    for path in [
        "/v2/members?limit=0",
        "/v2/accountTypes?pageSize=0",
        "/v2/teams?page=x",
    ] {
        let r = app.get(path, Some(&t)).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
}
