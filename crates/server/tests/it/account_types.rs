//! `/v2/accountTypes`: listing with token paging, reading, permissions, creating and
//! deleting custom types with reassignment; Admin only.

use crate::common::{assert_error, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::{BuiltinAccountType, Member, MemberId};
use sigil_store::prelude::*;

async fn create(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(Method::POST, "/v2/accountTypes", Some(token), &body)
        .await
}

#[tokio::test]
async fn builtin_types_are_listed_with_token_paging() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (status, body) = app.get("/v2/accountTypes", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let names: Vec<&str> = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["accountTypeName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Admin", "Creator", "Explorer", "Viewer"]);
    assert!(body.get("nextPageToken").is_none());
    for e in body["entries"].as_array().unwrap() {
        assert_eq!(e["isCustom"], false);
        assert!(e["description"].is_string());
        assert!(e["accountTypeId"]
            .as_str()
            .unwrap()
            .parse::<uuid::Uuid>()
            .is_ok());
    }

    let (_, first) = app.get("/v2/accountTypes?pageSize=3", Some(&admin)).await;
    assert_eq!(first["entries"].as_array().unwrap().len(), 3);
    let token = first["nextPageToken"].as_str().unwrap().to_owned();
    for param in ["pageToken", "nextPageToken"] {
        let (status, second) = app
            .get(
                &format!("/v2/accountTypes?pageSize=3&{param}={token}"),
                Some(&admin),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(second["entries"][0]["accountTypeName"], "Viewer");
        assert!(second.get("nextPageToken").is_none());
    }
}

#[tokio::test]
async fn bad_paging_gets_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for q in [
        "pageSize=0",
        "pageSize=1001",
        "pageSize=ten",
        "pageSize=-1",
        "pageToken=%%%",
    ] {
        let r = app
            .get(&format!("/v2/accountTypes?{q}"), Some(&admin))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn a_type_and_its_permissions_are_read_by_id() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let creator = app
        .store
        .account_type_by_name("Creator")
        .await
        .unwrap()
        .unwrap();
    let (status, body) = app
        .get(&format!("/v2/accountTypes/{}", creator.id), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["accountTypeName"], "Creator");
    let (status, perms) = app
        .get(
            &format!("/v2/accountTypes/{}/permissions", creator.id),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = perms
        .as_array()
        .expect("a bare array")
        .iter()
        .map(|p| p["permission"].as_str().unwrap())
        .collect();
    for p in [
        "manage-api-connectors",
        "create-api-actions",
        "trigger-api-actions",
    ] {
        assert!(names.contains(&p), "{p} in {names:?}");
    }
    assert!(perms[0]["description"].is_string());

    for path in [
        format!("/v2/accountTypes/{}", uuid::Uuid::new_v4()),
        "/v2/accountTypes/not-an-id".to_string(),
        format!("/v2/accountTypes/{}/permissions", uuid::Uuid::new_v4()),
    ] {
        let r = app.get(&path, Some(&admin)).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn custom_types_are_created_and_bad_ones_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (status, body) = create(
        &app,
        &admin,
        json!({"name": "Operator", "description": "Runs actions", "permissions": ["view", "trigger-api-actions"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["isCustom"], true);
    let id = body["accountTypeId"].as_str().unwrap();
    let (_, perms) = app
        .get(&format!("/v2/accountTypes/{id}/permissions"), Some(&admin))
        .await;
    assert_eq!(perms.as_array().unwrap().len(), 2);

    let r = create(&app, &admin, json!({"name": "Operator", "permissions": []})).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let r = create(&app, &admin, json!({"name": "Admin", "permissions": []})).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let r = create(&app, &admin, json!({"name": "X", "permissions": ["fly"]})).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.1["message"].as_str().unwrap().contains("fly"));
    let r = create(&app, &admin, json!({"name": " ", "permissions": []})).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = create(
        &app,
        &admin,
        json!({"name": "x".repeat(101), "permissions": []}),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = create(&app, &admin, json!({"name": "Y"})).await;
    assert!(r.1["message"].as_str().unwrap().contains("permissions"));
    let r = create(&app, &admin, json!({"name": "Y", "permissions": "view"})).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn deleting_a_held_type_needs_a_replacement_and_moves_its_members() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, body) = create(
        &app,
        &admin,
        json!({"name": "Temp", "permissions": ["view"]}),
    )
    .await;
    let temp: sigil_core::AccountTypeId = body["accountTypeId"].as_str().unwrap().parse().unwrap();
    let template = app
        .add_member(
            "someone@example.com",
            BuiltinAccountType::Viewer,
            "pw-someone-1",
        )
        .await;
    let holder = Member {
        id: MemberId::new(),
        email: "holder@example.com".into(),
        account_type_id: temp,
        home_folder_id: None,
        ..template
    };
    app.store.insert_member(&holder, &[]).await.unwrap();

    // Held, no replacement: 409, nothing changes.
    let r = app
        .delete(&format!("/v2/accountTypes/{temp}"), Some(&admin))
        .await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    assert!(r.1["message"]
        .as_str()
        .unwrap()
        .contains("reassignToAccountTypeId"));
    assert!(app.store.account_type(temp).await.unwrap().is_some());

    // Bad replacements: 400.
    for q in [
        format!("reassignToAccountTypeId={}", uuid::Uuid::new_v4()),
        "reassignToAccountTypeId=nope".to_string(),
        format!("reassignToAccountTypeId={temp}"),
    ] {
        let r = app
            .delete(&format!("/v2/accountTypes/{temp}?{q}"), Some(&admin))
            .await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }

    let explorer = app
        .store
        .account_type_by_name("Explorer")
        .await
        .unwrap()
        .unwrap();
    let (status, body) = app
        .delete(
            &format!(
                "/v2/accountTypes/{temp}?reassignToAccountTypeId={}",
                explorer.id
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({}));
    assert!(app.store.account_type(temp).await.unwrap().is_none());
    let moved = app.store.member(holder.id).await.unwrap().unwrap();
    assert_eq!(moved.account_type_id, explorer.id);

    // Built-in types cannot be deleted; unknown ones are 404.
    let r = app
        .delete(&format!("/v2/accountTypes/{}", explorer.id), Some(&admin))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = app
        .delete(&format!("/v2/accountTypes/{temp}"), Some(&admin))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn only_admins_may_use_account_types() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer_type = app
        .store
        .account_type_by_name("Viewer")
        .await
        .unwrap()
        .unwrap();
    for kind in [
        BuiltinAccountType::Creator,
        BuiltinAccountType::Explorer,
        BuiltinAccountType::Viewer,
    ] {
        let m = app
            .add_member(
                &format!("{}@example.com", kind.name().to_lowercase()),
                kind,
                "pw-long-enough",
            )
            .await;
        let (cid, secret) = app.create_credentials(&admin, m.id).await;
        let (_, t) = app.client_credentials(&cid, &secret).await;
        let token = t["access_token"].as_str().unwrap();
        let checks = [
            app.get("/v2/accountTypes", Some(token)).await,
            app.get(&format!("/v2/accountTypes/{}", viewer_type.id), Some(token))
                .await,
            app.get(
                &format!("/v2/accountTypes/{}/permissions", viewer_type.id),
                Some(token),
            )
            .await,
            create(
                &app,
                token,
                json!({"name": "Mine", "permissions": ["view"]}),
            )
            .await,
            app.delete(&format!("/v2/accountTypes/{}", viewer_type.id), Some(token))
                .await,
        ];
        for r in &checks {
            assert_error(r, StatusCode::FORBIDDEN, "forbidden");
        }
    }
    // Nothing was created by the refused requests.
    let (_, body) = app.get("/v2/accountTypes", Some(&admin)).await;
    assert_eq!(body["entries"].as_array().unwrap().len(), 4);
}
