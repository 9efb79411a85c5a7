//! The rest of Sigma's administration API, as far as it is held: grants on
//! workbooks and revoking a member's tokens. Each with an Admin, a member with
//! access and one without, bad input, and the state read back after every write.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;

use crate::common::*;

async fn member_token(
    app: &TestApp,
    admin: &str,
    email: &str,
    kind: BuiltinAccountType,
) -> (String, String) {
    let (m, t) = app.member_token(admin, email, kind).await;
    (m.id.to_string(), t)
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(Method::POST, path, Some(token), &body).await
}

/// The grants on a node, as `(memberId or teamId, permission)`, sorted.
async fn grants_on(app: &TestApp, token: &str, inode: &str) -> Vec<(String, String)> {
    let (s, list) = app
        .get(&format!("/v2/grants?inodeId={inode}"), Some(token))
        .await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let mut out: Vec<(String, String)> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["inodeId"] == inode)
        .map(|g| {
            let who = g["memberId"].as_str().or(g["teamId"].as_str()).unwrap();
            (who.to_owned(), g["permission"].as_str().unwrap().to_owned())
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn workbook_grants_upsert_revoke_and_check_like_workspace_grants() {
    workbook_grants(TestApp::spawn().await).await;
}

#[tokio::test]
async fn workbook_grants_on_postgres() {
    if let Some(app) = TestApp::spawn_on_postgres().await {
        workbook_grants(app).await;
    }
}

async fn workbook_grants(app: TestApp) {
    let admin = app.admin_token().await;
    let (s, ws) = post(&app, &admin, "/v2/workspaces", json!({"name": "Docs"})).await;
    assert_eq!(s, StatusCode::OK, "{ws}");
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let (s, wb) = post(
        &app,
        &admin,
        "/v2/workbooks",
        json!({"folderId": ws, "name": "Pipeline"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{wb}");
    let wb = wb["workbookId"].as_str().unwrap().to_owned();
    let (ada, ada_t) =
        member_token(&app, &admin, "ada@example.com", BuiltinAccountType::Creator).await;
    let (bob, bob_t) =
        member_token(&app, &admin, "bob@example.com", BuiltinAccountType::Creator).await;
    let (s, team) = post(
        &app,
        &admin,
        "/v2/teams",
        json!({"name": "Readers", "members": []}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{team}");
    let team = team["teamId"].as_str().unwrap().to_owned();
    let path = format!("/v2/workbooks/{wb}/grants");

    // An Admin grants; the grants read back.
    let (s, body) = post(
        &app,
        &admin,
        &path,
        json!({"grants": [
        {"grantee": {"memberId": ada}, "permission": "edit"},
        {"grantee": {"teamId": team}, "permission": "view"}]}),
    )
    .await;
    assert_eq!((s, body), (StatusCode::OK, json!({})));
    let mut want = vec![
        (ada.clone(), "edit".to_owned()),
        (team.clone(), "view".to_owned()),
    ];
    want.sort();
    assert_eq!(grants_on(&app, &admin, &wb).await, want);

    // A member with Can Manage on the workbook grants too; a new permission replaces
    // the old one.
    let (s, body) = post(
        &app,
        &ada_t,
        &path,
        json!({"grants": [
        {"grantee": {"teamId": team}, "permission": "explore"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mut want = vec![
        (ada.clone(), "edit".to_owned()),
        (team.clone(), "explore".to_owned()),
    ];
    want.sort();
    assert_eq!(grants_on(&app, &admin, &wb).await, want);

    // A member without access: the workbook is not there for them.
    let (s, e) = post(
        &app,
        &bob_t,
        &path,
        json!({"grants": [
        {"grantee": {"memberId": bob}, "permission": "edit"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    // Viewing is not managing.
    let (s, _) = post(
        &app,
        &admin,
        &path,
        json!({"grants": [
        {"grantee": {"memberId": bob}, "permission": "view"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = post(
        &app,
        &bob_t,
        &path,
        json!({"grants": [
        {"grantee": {"memberId": bob}, "permission": "edit"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");

    // Bad input: nothing written, the field named.
    let before = grants_on(&app, &admin, &wb).await;
    for (body, field) in [
        (
            json!({"grants": [{"grantee": {"memberId": bob}, "permission": "organize"}]}),
            "grants[0].permission",
        ),
        (
            json!({"grants": [{"grantee": {"memberId": bob}, "permission": "own"}]}),
            "grants[0]",
        ),
        (
            json!({"grants": [{"grantee": {"memberId": bob}, "permission": "view"},
                           {"grantee": {"memberId": "0190a0a0-0000-7000-8000-000000000000"}, "permission": "view"}]}),
            "grants[1]",
        ),
        (json!({"grants": []}), "grants"),
    ] {
        let (s, e) = post(&app, &admin, &path, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert!(
            e["message"].as_str().unwrap().contains(field),
            "{field}: {e}"
        );
    }
    assert_eq!(grants_on(&app, &admin, &wb).await, before);
    let (s, e) = post(
        &app,
        &admin,
        &path,
        json!({"grants": [
        {"grantee": {"memberId": bob}, "permission": "view", "tagId": "t1"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_IMPLEMENTED, "{e}");
    assert!(e["message"].as_str().unwrap().contains("tagId"));
    // A workspace is not a workbook, and an unknown workbook is 404.
    let (s, _) = post(
        &app,
        &admin,
        &format!("/v2/workbooks/{ws}/grants"),
        json!({"grants": [
        {"grantee": {"memberId": bob}, "permission": "view"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = post(
        &app,
        &admin,
        "/v2/workbooks/0190a0a0-0000-7000-8000-000000000000/grants",
        json!({"grants": [
        {"grantee": {"memberId": bob}, "permission": "view"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Revoking: by the grant's id, on its own workbook only.
    let (_, list) = app
        .get(&format!("/v2/grants?inodeId={wb}"), Some(&admin))
        .await;
    let team_grant = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["teamId"] == team.as_str())
        .unwrap()["grantId"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, _) = app
        .delete(
            &format!("/v2/workbooks/{ws}/grants/{team_grant}"),
            Some(&admin),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "a workspace path");
    let (s, _) = app
        .delete(&format!("{path}/{team_grant}"), Some(&bob_t))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = app
        .delete(&format!("{path}/{team_grant}"), Some(&admin))
        .await;
    assert_eq!((s, body), (StatusCode::OK, json!({})));
    let mut want = vec![
        (ada.clone(), "edit".to_owned()),
        (bob.clone(), "view".to_owned()),
    ];
    want.sort();
    assert_eq!(grants_on(&app, &admin, &wb).await, want);
    let (s, _) = app
        .delete(&format!("{path}/{team_grant}"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "already gone");
}

#[tokio::test]
async fn revoking_a_members_tokens_ends_its_refresh_tokens_access_tokens_and_sessions() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let m = app
        .add_member(
            "ada@example.com",
            BuiltinAccountType::Creator,
            "pw-admin-api-1",
        )
        .await;
    let (cid, secret) = app.create_credentials(&admin, m.id).await;
    let (_, first) = app.client_credentials(&cid, &secret).await;
    let access = first["access_token"].as_str().unwrap().to_owned();
    let refresh = first["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/v2/whoami", Some(&access)).await.0, StatusCode::OK);

    // Not an Admin: refused, nothing revoked.
    let path = format!("/v2/members/{}/revoke", m.id);
    let (s, _) = post(&app, &access, &path, json!({})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/v2/whoami", Some(&access)).await.0, StatusCode::OK);

    let (s, body) = post(&app, &admin, &path, json!({})).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"memberId": m.id.to_string(), "results": {"oauth": {"tokensRevoked": 1}}})
    );
    assert_eq!(
        app.get("/v2/whoami", Some(&access)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, _) = app
        .token_form(&format!("grant_type=refresh_token&refresh_token={refresh}"))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the refresh token is revoked");
    // The member stays active and may get new tokens.
    let (s, again) = app.client_credentials(&cid, &secret).await;
    assert_eq!(s, StatusCode::OK);
    let fresh = again["access_token"].as_str().unwrap();
    assert_eq!(app.get("/v2/whoami", Some(fresh)).await.0, StatusCode::OK);
    let (_, member) = app
        .get(&format!("/v2/members/{}", m.id), Some(&admin))
        .await;
    assert_eq!(member["isInactive"], false);

    // Nothing left to revoke: zero; an unknown member: 404.
    let (s, body) = post(&app, &admin, &path, json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["results"]["oauth"]["tokensRevoked"], 1, "the new one");
    let (s, _) = post(
        &app,
        &admin,
        "/v2/members/0190a0a0-0000-7000-8000-000000000000/revoke",
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn favorites_and_recents_are_kept_per_member_and_answered_as_files() {
    favorites_and_recents(TestApp::spawn().await).await;
}

#[tokio::test]
async fn favorites_and_recents_on_postgres() {
    if let Some(app) = TestApp::spawn_on_postgres().await {
        favorites_and_recents(app).await;
    }
}

async fn favorites_and_recents(app: TestApp) {
    let admin = app.admin_token().await;
    let (ada, ada_t) =
        member_token(&app, &admin, "ada@example.com", BuiltinAccountType::Creator).await;
    let (bob, bob_t) =
        member_token(&app, &admin, "bob@example.com", BuiltinAccountType::Creator).await;
    let (_, ws) = post(&app, &admin, "/v2/workspaces", json!({"name": "Docs"})).await;
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let mut books = Vec::new();
    for name in ["One", "Two", "Three"] {
        let (s, wb) = post(
            &app,
            &admin,
            "/v2/workbooks",
            json!({"folderId": ws, "name": name}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{wb}");
        books.push(wb["workbookId"].as_str().unwrap().to_owned());
    }
    // Ada may view the workspace; Bob may not.
    let (s, _) = post(
        &app,
        &admin,
        &format!("/v2/workspaces/{ws}/grants"),
        json!({"grants": [{"grantee": {"memberId": ada}, "permission": "view"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    let names = |v: &Value| -> Vec<String> {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect()
    };
    // Ada favorites two, herself; an Admin adds the third for her.
    for (t, b) in [
        (&ada_t, &books[0]),
        (&ada_t, &books[1]),
        (&admin, &books[2]),
    ] {
        let (s, body) = post(
            &app,
            t,
            "/v2/favorites",
            json!({"memberId": ada, "inodeId": b}),
        )
        .await;
        assert_eq!((s, body), (StatusCode::OK, json!({})));
    }
    // Again: nothing changes.
    let (s, _) = post(
        &app,
        &ada_t,
        "/v2/favorites",
        json!({"memberId": ada, "inodeId": books[0]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, favs) = app
        .get(&format!("/v2/favorites/member/{ada}"), Some(&ada_t))
        .await;
    assert_eq!(s, StatusCode::OK, "{favs}");
    assert_eq!(names(&favs), ["Three", "Two", "One"], "newest first");
    assert_eq!(favs["total"], 3);
    assert_eq!(favs["entries"][0]["permission"], "view", "Ada's permission");
    assert_eq!(favs["entries"][0]["type"], "workbook");
    let (_, same) = app
        .get(&format!("/v2/members/{ada}/files/favorites"), Some(&admin))
        .await;
    assert_eq!(names(&same), names(&favs));
    let (_, paged) = app
        .get(&format!("/v2/favorites/member/{ada}?limit=2"), Some(&ada_t))
        .await;
    assert_eq!(
        (names(&paged), paged["nextPage"].as_str()),
        (vec!["Three".to_owned(), "Two".to_owned()], Some("2"))
    );
    let (_, rest) = app
        .get(
            &format!("/v2/favorites/member/{ada}?limit=2&page=2"),
            Some(&ada_t),
        )
        .await;
    assert_eq!(
        (names(&rest), rest["nextPage"].clone()),
        (vec!["One".to_owned()], Value::Null)
    );

    // Not hers to change, not his to see.
    let (s, _) = post(
        &app,
        &bob_t,
        "/v2/favorites",
        json!({"memberId": ada, "inodeId": books[0]}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .get(&format!("/v2/favorites/member/{ada}"), Some(&bob_t))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = post(
        &app,
        &bob_t,
        "/v2/favorites",
        json!({"memberId": bob, "inodeId": books[0]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "Bob cannot see it: {e}");
    let (s, e) = post(&app, &admin, "/v2/favorites", json!({"memberId": ada})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(e["message"].as_str().unwrap().contains("inodeId"), "{e}");
    let (s, _) = post(
        &app,
        &admin,
        "/v2/favorites",
        json!({"memberId": "0190a0a0-0000-7000-8000-000000000000", "inodeId": books[0]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Unfavorite; then it is gone, and a second time is 404.
    let path = format!("/v2/favorites/member/{ada}/file/{}", books[1]);
    let (s, _) = app.delete(&path, Some(&bob_t)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = app.delete(&path, Some(&ada_t)).await;
    assert_eq!((s, body), (StatusCode::OK, json!({})));
    let (_, favs) = app
        .get(&format!("/v2/favorites/member/{ada}"), Some(&ada_t))
        .await;
    assert_eq!(names(&favs), ["Three", "One"]);
    let (s, _) = app.delete(&path, Some(&ada_t)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Recents: the workbooks Ada opened through the API, last first; once each.
    let (_, none) = app
        .get(&format!("/v2/members/{ada}/files/recents"), Some(&ada_t))
        .await;
    assert_eq!(none["entries"].as_array().unwrap().len(), 0);
    for b in [&books[0], &books[2], &books[0]] {
        let (s, _) = app.get(&format!("/v2/workbooks/{b}"), Some(&ada_t)).await;
        assert_eq!(s, StatusCode::OK);
    }
    // Recorded without making the read wait: look until it is there.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let recents = loop {
        let (s, r) = app
            .get(
                &format!("/v2/members/{ada}/files/recents?includeExplorations=false"),
                Some(&ada_t),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        if names(&r) == ["One", "Three"] {
            break r;
        }
        assert!(std::time::Instant::now() < deadline, "recents: {r}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    };
    assert_eq!(recents["total"], 2);
    let (_, bobs) = app
        .get(&format!("/v2/members/{bob}/files/recents"), Some(&bob_t))
        .await;
    assert_eq!(bobs["entries"].as_array().unwrap().len(), 0, "per member");
    let (s, _) = app
        .get(
            &format!("/v2/members/{ada}/files/recents?includeExplorations=maybe"),
            Some(&ada_t),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // An archived workbook leaves both lists.
    let (s, _) = app
        .delete(&format!("/v2/files/{}", books[2]), Some(&admin))
        .await;
    assert!(s.is_success());
    let (_, favs) = app
        .get(&format!("/v2/favorites/member/{ada}"), Some(&ada_t))
        .await;
    assert_eq!(names(&favs), ["One"]);
    let (_, recents) = app
        .get(&format!("/v2/members/{ada}/files/recents"), Some(&ada_t))
        .await;
    assert_eq!(names(&recents), ["One"]);
}

#[tokio::test]
async fn a_workbook_is_copied_restored_to_a_version_and_refuses_export_and_send() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, ws) = post(&app, &admin, "/v2/workspaces", json!({"name": "Docs"})).await;
    let ws = ws["workspaceId"].as_str().unwrap().to_owned();
    let (_, other) = post(&app, &admin, "/v2/workspaces", json!({"name": "Other"})).await;
    let other = other["workspaceId"].as_str().unwrap().to_owned();
    let (_, wb) = post(
        &app,
        &admin,
        "/v2/workbooks",
        json!({"folderId": ws, "name": "Plan", "description": "v1"}),
    )
    .await;
    let wb = wb["workbookId"].as_str().unwrap().to_owned();
    let doc = |title: &str| json!({"pages": [{"pageId": "p1", "name": title, "elements": []}]});
    let put_doc = |d: Value| {
        let app = &app;
        let admin = admin.clone();
        let path = format!("/v2/workbooks/{wb}/document");
        async move { app.send_json(Method::PUT, &path, Some(&admin), &d).await }
    };
    let (s, b) = put_doc(doc("Two")).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let (s, _) = put_doc(doc("Three")).await;
    assert_eq!(s, StatusCode::OK);
    let pages = |id: String| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let (_, d) = app
                .get(&format!("/v2/workbooks/{id}/document"), Some(&admin))
                .await;
            d
        }
    };
    let current = pages(wb.clone()).await;

    // Copy into another workspace, renamed: the same document, a new workbook.
    let (s, copy) = post(
        &app,
        &admin,
        &format!("/v2/workbooks/{wb}/copy"),
        json!({"destinationFolderId": other, "name": "Plan (copy)", "copyBookmarks": "none"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{copy}");
    assert_eq!(copy["name"], "Plan (copy)");
    assert_eq!(copy["description"], "v1", "the original's, unless given");
    assert_eq!(copy["path"], "Other");
    assert_eq!(copy["latestVersion"], 1);
    assert_ne!(copy["workbookId"], wb.as_str());
    let copy_id = copy["workbookId"].as_str().unwrap().to_owned();
    let copied = pages(copy_id.clone()).await;
    assert_eq!(copied["document"], current["document"], "{copied}");
    let (_, listed) = app
        .get(&format!("/v2/workbooks/{copy_id}"), Some(&admin))
        .await;
    assert_eq!(listed["name"], "Plan (copy)");
    // No name, no folder: beside the original, under its name.
    let (s, twin) = post(&app, &admin, &format!("/v2/workbooks/{wb}/copy"), json!({})).await;
    assert_eq!(s, StatusCode::OK, "{twin}");
    assert_eq!(
        (twin["name"].as_str(), twin["path"].as_str()),
        (Some("Plan"), Some("Docs"))
    );

    // A Viewer cannot copy; a member without access finds nothing.
    let (_, viewer) =
        member_token(&app, &admin, "vic@example.com", BuiltinAccountType::Viewer).await;
    let (s, _) = post(
        &app,
        &viewer,
        &format!("/v2/workbooks/{wb}/copy"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, creator) =
        member_token(&app, &admin, "cat@example.com", BuiltinAccountType::Creator).await;
    let (s, _) = post(
        &app,
        &creator,
        &format!("/v2/workbooks/{wb}/copy"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, e) = post(
        &app,
        &admin,
        &format!("/v2/workbooks/{wb}/copy"),
        json!({"copyBookmarks": "some"}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");

    // Saved views come along when asked; a tagged version can be copied too.
    let (s, _) = post(
        &app,
        &admin,
        &format!("/v2/workbooks/{wb}/bookmarks"),
        json!({"workbookVersion": 2, "name": "Shared view", "isShared": true, "exploreKey": "k"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, with_views) = post(
        &app,
        &admin,
        &format!("/v2/workbooks/{wb}/copy"),
        json!({"copyBookmarks": "accessible"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{with_views}");
    let (_, views) = app
        .get(
            &format!(
                "/v2/workbooks/{}/bookmarks",
                with_views["workbookId"].as_str().unwrap()
            ),
            Some(&admin),
        )
        .await;
    assert_eq!(views["entries"][0]["name"], "Shared view", "{views}");
    let (s, _) = post(
        &app,
        &admin,
        "/v2/tags",
        json!({"name": "Two", "color": "cyan"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = post(
        &app,
        &admin,
        "/v2/workbooks/tag",
        json!({"workbookId": wb, "tag": "Two", "workbookVersion": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, tagged_copy) = post(
        &app,
        &admin,
        &format!("/v2/workbooks/{wb}/tag/Two/copy"),
        json!({"name": "From tag"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{tagged_copy}");
    let tagged_doc = pages(tagged_copy["workbookId"].as_str().unwrap().to_owned()).await;
    assert_eq!(
        tagged_doc["document"]["pages"][0]["name"], "Two",
        "version 2's document"
    );
    let (s, _) = post(
        &app,
        &admin,
        &format!("/v2/workbooks/{wb}/tag/Nope/copy"),
        json!({}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Restore version 2: a new version 4 with version 2's document.
    let (s, restored) = post(
        &app,
        &admin,
        &format!("/v2/workbooks/{wb}/restoreVersion"),
        json!({"version": 2}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{restored}");
    assert_eq!(restored["latestVersion"], 4);
    let now = pages(wb.clone()).await;
    assert_eq!(now["document"]["pages"][0]["name"], "Two", "{now}");
    for (body, field) in [
        (json!({"version": 9}), "version"),
        (json!({"version": 1.5}), "version"),
        (json!({}), "version"),
    ] {
        let (s, e) = post(
            &app,
            &admin,
            &format!("/v2/workbooks/{wb}/restoreVersion"),
            body,
        )
        .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert!(e["message"].as_str().unwrap().contains(field), "{e}");
    }
    assert_eq!(
        pages(wb.clone()).await["document"],
        now["document"],
        "nothing changed"
    );

    // Export and send: 501, said plainly; still 404 for what is not there.
    for op in ["export", "send"] {
        let (s, e) = post(&app, &admin, &format!("/v2/workbooks/{wb}/{op}"), json!({})).await;
        assert_eq!(s, StatusCode::NOT_IMPLEMENTED, "{e}");
        assert!(e["message"].as_str().unwrap().contains("sigil"), "{e}");
        let (s, _) = post(
            &app,
            &admin,
            &format!("/v2/workbooks/0190a0a0-0000-7000-8000-000000000000/{op}"),
            json!({}),
        )
        .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}
