//! Members and teams through HTTP: shapes, every bad input of the issue, paging, and
//! tokens of a deleted member.

use crate::common::{assert_error, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(Method::POST, path, Some(token), &body).await
}

async fn patch(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(Method::PATCH, path, Some(token), &body).await
}

async fn new_member(app: &TestApp, admin: &str, email: &str, kind: &str) -> Value {
    let (status, body) = post(
        app,
        "/v2/members",
        admin,
        json!({"email": email, "firstName": "First", "lastName": "Last", "memberType": kind}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn a_member_is_created_with_sigmas_shape_and_a_home_folder() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (status, m) = app
        .send_json(
            Method::POST,
            "/v2/members?sendInvite=true",
            Some(&admin),
            &json!({"email": "Grace@Example.com", "firstName": "Grace", "lastName": "Hopper", "memberType": "Creator"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(
        keys(&m),
        [
            "createdAt",
            "createdBy",
            "email",
            "firstName",
            "homeFolderId",
            "isArchived",
            "isInactive",
            "lastName",
            "memberId",
            "memberType",
            "organizationId",
            "profileImgUrl",
            "updatedAt",
            "updatedBy",
            "userKind"
        ]
    );
    assert_eq!(m["email"], "grace@example.com");
    assert_eq!(m["memberType"], "Creator");
    assert_eq!(m["userKind"], "internal");
    assert_eq!(m["createdBy"], app.init.member_id.to_string());
    assert_eq!(m["profileImgUrl"], Value::Null);
    assert!(m["homeFolderId"]
        .as_str()
        .unwrap()
        .parse::<uuid::Uuid>()
        .is_ok());
    assert!(m["memberId"]
        .as_str()
        .unwrap()
        .parse::<uuid::Uuid>()
        .is_ok());
    let created = m["createdAt"].as_str().unwrap();
    assert!(
        created.ends_with('Z') && created.len() == 24,
        "RFC 3339 UTC: {created}"
    );
    time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339).unwrap();

    let (status, again) = app
        .get(
            &format!("/v2/members/{}", m["memberId"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, m);

    // Guests.
    let (_, g) = post(
        &app,
        "/v2/members",
        &admin,
        json!({"email": "guest@example.com", "firstName": "G", "lastName": "H", "isGuest": true}),
    )
    .await;
    assert_eq!(g["userKind"], "guest");
    assert_eq!(
        g["memberType"], "Viewer",
        "Viewer when memberType is absent"
    );
}

#[tokio::test]
async fn bad_member_bodies_get_clear_errors_and_write_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    new_member(&app, &admin, "taken@example.com", "Viewer").await;
    let ghost_team = uuid::Uuid::new_v4().to_string();
    let cases = [
        (
            json!({"email": "TAKEN@example.com", "firstName": "a", "lastName": "b"}),
            StatusCode::CONFLICT,
            "taken@example.com",
        ),
        (
            json!({"email": "not-an-email", "firstName": "a", "lastName": "b"}),
            StatusCode::BAD_REQUEST,
            "email",
        ),
        (
            json!({"email": "x@example.com", "firstName": "a", "lastName": "b", "memberType": "Wizard"}),
            StatusCode::BAD_REQUEST,
            "Wizard",
        ),
        (
            json!({"email": "x@example.com", "firstName": "a", "lastName": "b", "addToTeams": [{"teamId": ghost_team}]}),
            StatusCode::BAD_REQUEST,
            &ghost_team,
        ),
        (
            json!({"email": "x@example.com", "lastName": "b"}),
            StatusCode::BAD_REQUEST,
            "firstName",
        ),
        (
            json!({"email": "x@example.com", "firstName": 5, "lastName": "b"}),
            StatusCode::BAD_REQUEST,
            "firstName",
        ),
        (
            json!({"email": "x@example.com", "firstName": "a".repeat(256), "lastName": "b"}),
            StatusCode::BAD_REQUEST,
            "firstName",
        ),
        (
            json!({"email": "x@example.com", "firstName": "a", "lastName": "b", "userKind": "robot"}),
            StatusCode::BAD_REQUEST,
            "userKind",
        ),
    ];
    for (body, status, word) in cases {
        let r = post(&app, "/v2/members", &admin, body.clone()).await;
        assert_eq!(r.0, status, "{body} → {}", r.1);
        assert!(
            r.1["message"].as_str().unwrap().contains(word),
            "{body} → {}",
            r.1
        );
    }
    let (_, list) = app.get("/v2/members", Some(&admin)).await;
    assert_eq!(list["total"], 2, "only the admin and taken@: {list}");
}

#[tokio::test]
async fn members_are_listed_in_pages_with_filters() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for i in 0..5 {
        new_member(&app, &admin, &format!("user{i}@example.com"), "Viewer").await;
    }
    let (status, p1) = app.get("/v2/members?limit=2", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(keys(&p1), ["entries", "hasMore", "nextPage", "total"]);
    assert_eq!(p1["total"], 6);
    assert_eq!(p1["hasMore"], true);
    assert_eq!(p1["nextPage"], "2");
    let mut seen: Vec<String> = Vec::new();
    let mut next = Some("1".to_string());
    while let Some(page) = next {
        let (_, p) = app
            .get(&format!("/v2.1/members?limit=2&page={page}"), Some(&admin))
            .await;
        for e in p["entries"].as_array().unwrap() {
            seen.push(e["email"].as_str().unwrap().to_owned());
        }
        next = p["nextPage"].as_str().map(str::to_owned);
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted, "ordered by email");
    assert_eq!(seen.len(), 6, "every member exactly once: {seen:?}");

    // Without limit: still the object, never a bare array.
    let (_, all) = app.get("/v2/members", Some(&admin)).await;
    assert_eq!(all["entries"].as_array().unwrap().len(), 6);
    assert_eq!(all["nextPage"], Value::Null);
    assert_eq!(all["hasMore"], false);

    let (_, found) = app.get("/v2/members?search=USER3", Some(&admin)).await;
    assert_eq!(found["total"], 1);
    let (_, found) = app
        .get("/v2/members?email=User4@example.com", Some(&admin))
        .await;
    assert_eq!(found["entries"][0]["email"], "user4@example.com");
    let (_, none) = app.get("/v2/members?search=%25", Some(&admin)).await;
    assert_eq!(none["total"], 0, "LIKE wildcards are literal");

    for q in [
        "limit=0",
        "limit=1001",
        "limit=x",
        "page=0",
        "page=-2",
        "page=abc",
        "includeArchived=maybe",
    ] {
        let r = app.get(&format!("/v2/members?{q}"), Some(&admin)).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
    // A page past the end is empty, not an error.
    let (status, past) = app.get("/v2/members?page=99&limit=2", Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(past["entries"].as_array().unwrap().len(), 0);
    assert_eq!(past["total"], 6);
}

#[tokio::test]
async fn patching_a_member_covers_names_type_email_and_archiving() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let m = new_member(&app, &admin, "ada@example.com", "Viewer").await;
    let other = new_member(&app, &admin, "bob@example.com", "Viewer").await;
    let path = format!("/v2/members/{}", m["memberId"].as_str().unwrap());

    let (status, p) = patch(
        &app,
        &path,
        &admin,
        json!({"firstName": "Ada", "lastName": "Lovelace", "memberType": "Creator", "email": "ADA.L@example.com", "profileImgUrl": "https://img/x.png"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["firstName"], "Ada");
    assert_eq!(p["memberType"], "Creator");
    assert_eq!(p["email"], "ada.l@example.com");
    assert_eq!(p["profileImgUrl"], "https://img/x.png");
    assert_ne!(p["updatedAt"], m["updatedAt"]);
    assert_eq!(p["createdAt"], m["createdAt"]);
    let (_, p) = patch(&app, &path, &admin, json!({"profileImgUrl": null})).await;
    assert_eq!(p["profileImgUrl"], Value::Null);

    let r = patch(&app, &path, &admin, json!({"email": "bob@example.com"})).await;
    assert_error(&r, StatusCode::CONFLICT, "conflict");
    let r = patch(&app, &path, &admin, json!({"memberType": "Wizard"})).await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    // Without archiving, newOwnerId is checked but moves nothing (Sigma pairs it with
    // `isArchived: true`; a client may send its whole body).
    let (status, p) = patch(
        &app,
        &path,
        &admin,
        json!({"newOwnerId": other["memberId"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["isArchived"], false);
    let r = patch(
        &app,
        &path,
        &admin,
        json!({"newOwnerId": uuid::Uuid::new_v4().to_string()}),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.1["message"].as_str().unwrap().contains("newOwnerId"));
    let r = patch(
        &app,
        &path,
        &admin,
        json!({"isArchived": true, "newOwnerId": uuid::Uuid::new_v4().to_string()}),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    // A property Sigma's schema does not define is ignored, and changes nothing.
    let before = app.get(&path, Some(&admin)).await.1;
    let (status, after) = patch(&app, &path, &admin, json!({"favouriteColour": "red"})).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["firstName"], before["firstName"]);
    assert_eq!(after["memberType"], before["memberType"]);
    let (status, p) = patch(
        &app,
        &path,
        &admin,
        json!({"isArchived": true, "newOwnerId": other["memberId"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["isArchived"], true);
    // Archived members leave the default list.
    let (_, list) = app.get("/v2/members", Some(&admin)).await;
    assert_eq!(list["total"], 2);
    let (_, list) = app
        .get("/v2/members?includeArchived=true", Some(&admin))
        .await;
    assert_eq!(list["total"], 3);

    let r = patch(
        &app,
        "/v2/members/not-a-uuid",
        &admin,
        json!({"firstName": "x"}),
    )
    .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = patch(
        &app,
        &format!("/v2/members/{}", uuid::Uuid::new_v4()),
        &admin,
        json!({}),
    )
    .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    // An Admin may not deactivate itself.
    let r = patch(
        &app,
        &format!("/v2/members/{}", app.init.member_id),
        &admin,
        json!({"isInactive": true}),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
}

#[tokio::test]
async fn deleting_a_member_deactivates_it_and_stops_its_tokens_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let m = new_member(&app, &admin, "leaver@example.com", "Creator").await;
    let id: sigil_core::MemberId = m["memberId"].as_str().unwrap().parse().unwrap();
    let (cid, secret) = app.create_credentials(&admin, id).await;
    let (_, t) = app.client_credentials(&cid, &secret).await;
    let token = t["access_token"].as_str().unwrap().to_owned();
    let refresh = t["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/v2/whoami", Some(&token)).await.0, StatusCode::OK);

    let (status, body) = app.delete(&format!("/v2/members/{id}"), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({}));
    let r = app.get("/v2/whoami", Some(&token)).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");
    let r = app
        .token_form(&format!("grant_type=refresh_token&refresh_token={refresh}"))
        .await;
    assert_eq!(r.1["error"], "invalid_grant");
    let r = app.client_credentials(&cid, &secret).await;
    assert_error(&r, StatusCode::UNAUTHORIZED, "unauthorized");

    // Its history stays.
    let (status, gone) = app.get(&format!("/v2/members/{id}"), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(gone["isInactive"], true);
    let (_, list) = app.get("/v2/members", Some(&admin)).await;
    assert_eq!(list["total"], 1);
    let (_, list) = app
        .get("/v2/members?includeInactive=true", Some(&admin))
        .await;
    assert_eq!(list["total"], 2);
    // Deleting again is harmless; unknown ids and the Admin itself are refused.
    assert_eq!(
        app.delete(&format!("/v2/members/{id}"), Some(&admin))
            .await
            .0,
        StatusCode::OK
    );
    let r = app
        .delete(
            &format!("/v2/members/{}", uuid::Uuid::new_v4()),
            Some(&admin),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = app
        .delete(&format!("/v2/members/{}", app.init.member_id), Some(&admin))
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");

    // Reactivated, it can get new tokens.
    let (status, _) = patch(
        &app,
        &format!("/v2/members/{id}"),
        &admin,
        json!({"isInactive": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, pw) = app
        .send_json(
            Method::PUT,
            &format!("/v2/members/{id}/password"),
            Some(&admin),
            &json!({"password": "back-again-1"}),
        )
        .await;
    assert_eq!(pw, json!({}));
    let res = app
        .http
        .post(app.url("/sigma/rest/reports/generate-token"))
        .body("authType=BASIC&username=leaver@example.com&password=back-again-1")
        .send()
        .await
        .unwrap();
    let (_, body) = crate::common::json_of(res).await;
    let fresh = body["headerMap"]["accessToken"]
        .as_str()
        .expect("a token")
        .to_owned();
    let (status, me) = app.get("/v2/whoami", Some(&fresh)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
}

#[tokio::test]
async fn set_password_validates() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let path = format!("/v2/members/{}/password", app.init.member_id);
    let r = app
        .send_json(
            Method::PUT,
            &path,
            Some(&admin),
            &json!({"password": "short"}),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let r = app
        .send_json(
            Method::PUT,
            &format!("/v2/members/{}/password", uuid::Uuid::new_v4()),
            Some(&admin),
            &json!({"password": "long-enough-1"}),
        )
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_seed_tutorials_team_body_creates_a_team() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (status, t) = post(
        &app,
        "/v2/teams",
        &admin,
        json!({"name": "Data \"Team\"\nTwo", "description": "From the tutorial", "members": [], "createTeamFolder": false, "visibility": "private"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(
        keys(&t),
        [
            "createdAt",
            "createdBy",
            "description",
            "isArchived",
            "members",
            "name",
            "teamId",
            "updatedAt",
            "updatedBy",
            "visibility",
            "workspaceId"
        ]
    );
    assert_eq!(t["name"], "Data \"Team\"\nTwo");
    assert_eq!(t["workspaceId"], Value::Null);
    assert_eq!(t["members"], json!([]));
    assert_eq!(t["visibility"], "private");
    let (_, list) = app.get("/v2/teams", Some(&admin)).await;
    assert_eq!(list["entries"][0]["name"], "Data \"Team\"\nTwo");

    let m = new_member(&app, &admin, "member@example.com", "Viewer").await;
    let (status, t2) = post(
        &app,
        "/v2/teams",
        &admin,
        json!({"name": "With folder", "members": [m["memberId"]], "createTeamFolder": true, "visibility": "public"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{t2}");
    assert!(t2["workspaceId"]
        .as_str()
        .unwrap()
        .parse::<uuid::Uuid>()
        .is_ok());
    assert_eq!(t2["members"], json!([m["memberId"]]));
    let (_, teams) = app
        .get(
            &format!("/v2/members/{}/teams", m["memberId"].as_str().unwrap()),
            Some(&admin),
        )
        .await;
    assert_eq!(teams["total"], 1);
    assert_eq!(teams["entries"][0]["name"], "With folder");
}

#[tokio::test]
async fn bad_team_requests_write_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let m = new_member(&app, &admin, "real@example.com", "Viewer").await;
    let ghost = uuid::Uuid::new_v4().to_string();
    let cases = [
        (
            json!({"name": "T", "members": [m["memberId"], ghost]}),
            &ghost[..],
        ),
        (json!({"name": "T", "members": ["nope"]}), "nope"),
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(256)}), "name"),
        (json!({"name": "T", "visibility": "secret"}), "visibility"),
        (
            json!({"name": "T", "createTeamFolder": "yes"}),
            "createTeamFolder",
        ),
        (json!({"description": "no name"}), "name"),
    ];
    for (body, word) in cases {
        let r = post(&app, "/v2/teams", &admin, body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(
            r.1["message"].as_str().unwrap().contains(word),
            "{body} → {}",
            r.1
        );
    }
    let too_many: Vec<String> = (0..1001)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let r = post(
        &app,
        "/v2/teams",
        &admin,
        json!({"name": "T", "members": too_many}),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.1["message"].as_str().unwrap().contains("at most 1000"));
    let (_, list) = app.get("/v2/teams", Some(&admin)).await;
    assert_eq!(list["total"], 0);
    for q in ["visibility=secret", "limit=0", "page=zero"] {
        let r = app.get(&format!("/v2/teams?{q}"), Some(&admin)).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    }
}

#[tokio::test]
async fn team_members_are_added_and_removed_all_or_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let a = new_member(&app, &admin, "a@example.com", "Viewer").await;
    let b = new_member(&app, &admin, "b@example.com", "Viewer").await;
    let (_, t) = post(
        &app,
        "/v2/teams",
        &admin,
        json!({"name": "Crew", "members": [a["memberId"]]}),
    )
    .await;
    let team = t["teamId"].as_str().unwrap();
    let path = format!("/v2/teams/{team}/members");

    let (status, ms) = app.get(&path, Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        keys(&ms["entries"][0]),
        ["addedBy", "isTeamAdmin", "userId"]
    );
    assert_eq!(ms["entries"][0]["addedBy"], app.init.member_id.to_string());

    // `add` null, `remove` absent: nothing changes.
    let (status, body) = patch(&app, &path, &admin, json!({"add": null})).await;
    assert_eq!((status, body), (StatusCode::OK, json!({})));
    let ghost = uuid::Uuid::new_v4().to_string();
    let r = patch(
        &app,
        &path,
        &admin,
        json!({"add": [b["memberId"], ghost], "remove": [a["memberId"]]}),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(r.1["message"].as_str().unwrap().contains(&ghost));
    let (_, ms) = app.get(&path, Some(&admin)).await;
    assert_eq!(ms["total"], 1, "nothing was written: {ms}");
    assert_eq!(ms["entries"][0]["userId"], a["memberId"]);

    let (status, _) = patch(
        &app,
        &path,
        &admin,
        json!({"add": [b["memberId"]], "remove": [a["memberId"]]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, ms) = app.get(&path, Some(&admin)).await;
    assert_eq!(ms["total"], 1);
    assert_eq!(ms["entries"][0]["userId"], b["memberId"]);

    let (status, upd) = patch(
        &app,
        &format!("/v2/teams/{team}"),
        &admin,
        json!({"name": "Crew 2", "visibility": "public"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{upd}");
    assert_eq!(upd["name"], "Crew 2");
    let (status, _) = app.delete(&format!("/v2/teams/{team}"), Some(&admin)).await;
    assert_eq!(status, StatusCode::OK);
    let r = app.get(&format!("/v2/teams/{team}"), Some(&admin)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = app.get("/v2/teams/not-a-team", Some(&admin)).await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn remembered_pages_of_members_and_teams_follow_every_write_and_each_viewer() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let viewer = app
        .add_member(
            "v@example.com",
            sigil_core::BuiltinAccountType::Viewer,
            "pw-viewer-1",
        )
        .await;
    let (cid, secret) = app.create_credentials(&admin, viewer.id).await;
    let (_, t) = app.client_credentials(&cid, &secret).await;
    let viewer_token = t["access_token"].as_str().unwrap().to_owned();
    let names = |v: &Value, key: &str| -> Vec<String> {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e[key].as_str().unwrap().to_owned())
            .collect()
    };
    for (name, visibility) in [("Open", "public"), ("Closed", "private")] {
        let (s, b) = app
            .send_json(
                Method::POST,
                "/v2/teams",
                Some(&admin),
                &json!({"name": name, "visibility": visibility}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
    // The Admin's page, twice (the second from memory), then the viewer's: its own.
    for _ in 0..2 {
        let (_, all) = app.get("/v2/teams?limit=10", Some(&admin)).await;
        assert_eq!(names(&all, "name"), ["Closed", "Open"]);
    }
    let (_, seen) = app.get("/v2/teams?limit=10", Some(&viewer_token)).await;
    assert_eq!(names(&seen, "name"), ["Open"]);
    // A write moves both lists on.
    let (_, before) = app.get("/v2/members?limit=10", Some(&admin)).await;
    app.send_json(
        Method::POST,
        "/v2/members",
        Some(&admin),
        &json!({"email": "new@example.com", "firstName": "N", "lastName": "W"}),
    )
    .await;
    let (_, after) = app.get("/v2/members?limit=10", Some(&admin)).await;
    assert_eq!(after["total"], before["total"].as_u64().unwrap() + 1);
    assert!(names(&after, "email").contains(&"new@example.com".to_owned()));
    let (_, renamed) = app.get("/v2/teams?limit=10", Some(&admin)).await;
    let open = renamed["entries"][1]["teamId"].as_str().unwrap().to_owned();
    app.send_json(
        Method::PATCH,
        &format!("/v2/teams/{open}"),
        Some(&admin),
        &json!({"name": "Opened"}),
    )
    .await;
    let (_, all) = app.get("/v2/teams?limit=10", Some(&admin)).await;
    assert_eq!(names(&all, "name"), ["Closed", "Opened"]);
    let (_, seen) = app.get("/v2/teams?limit=10", Some(&viewer_token)).await;
    assert_eq!(names(&seen, "name"), ["Opened"]);
}
