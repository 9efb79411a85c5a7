//! User attributes: the attribute itself, values per user, team and tenant, a
//! team's view, assigning several to a team, and a member's effective value (user
//! over team over default; between teams, the one given the attribute first).
//! Admin only; bad input names the field; every write read back.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;

use crate::common::*;

async fn send(app: &TestApp, m: Method, t: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(m, path, Some(t), &body).await
}

fn v(s: &str) -> Value {
    json!({"type": "string", "val": s})
}

async fn team(app: &TestApp, t: &str, name: &str, members: &[&str]) -> String {
    let (s, b) = send(
        app,
        Method::POST,
        t,
        "/v2/teams",
        json!({"name": name, "members": members}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["teamId"].as_str().unwrap().to_owned()
}

/// `(attribute name, value, source)` of a member's effective attributes.
async fn effective(app: &TestApp, t: &str, member: &str) -> Vec<(String, Value, Value)> {
    let (s, b) = app
        .get(&format!("/v2/members/{member}/user-attributes"), Some(t))
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_owned(),
                e["value"]["val"].clone(),
                e["source"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn user_attributes_hold_values_per_user_team_and_tenant_with_sigmas_precedence() {
    precedence(TestApp::spawn().await).await;
}

#[tokio::test]
async fn user_attributes_hold_values_per_user_team_and_tenant_on_postgres() {
    if let Some(app) = TestApp::spawn_on_postgres().await {
        precedence(app).await;
    }
}

async fn precedence(app: TestApp) {
    let admin = app.admin_token().await;
    let ada = app
        .add_member(
            "ada@example.com",
            BuiltinAccountType::Creator,
            "pw-attrs-0001",
        )
        .await;
    let (cid, secret) = app.create_credentials(&admin, ada.id).await;
    let (_, at) = app.client_credentials(&cid, &secret).await;
    let ada_t = at["access_token"].as_str().unwrap().to_owned();
    let ada_id = ada.id.to_string();

    // Create, with a default; read back; a second of the same name is 409.
    let (s, region) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/user-attributes",
        json!({"name": "Region", "description": "Sales region", "defaultValue": v("EMEA")}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{region}");
    assert_eq!(region["name"], "Region");
    assert_eq!(region["description"], "Sales region");
    assert_eq!(region["defaultValue"], v("EMEA"));
    let region_id = region["userAttributeId"].as_str().unwrap().to_owned();
    let (_, got) = app
        .get(&format!("/v2/user-attributes/{region_id}"), Some(&admin))
        .await;
    assert_eq!(got, region);
    let (s, e) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/user-attributes",
        json!({"name": "region"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, tier) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/user-attributes",
        json!({"name": "Tier"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let tier_id = tier["userAttributeId"].as_str().unwrap().to_owned();
    assert_eq!(tier["defaultValue"], Value::Null);
    for (body, field) in [
        (json!({"name": ""}), "name"),
        (
            json!({"name": "X", "defaultValue": {"type": "number", "val": "1"}}),
            "defaultValue.type",
        ),
    ] {
        let (s, e) = send(&app, Method::POST, &admin, "/v2/user-attributes", body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert!(e["message"].as_str().unwrap().contains(field), "{e}");
    }
    let (_, list) = app.get("/v2/user-attributes?name=reg", Some(&admin)).await;
    assert_eq!(list["entries"].as_array().unwrap().len(), 1);
    assert_eq!(list["total"], 1);

    // Only the default so far.
    assert_eq!(
        effective(&app, &ada_t, &ada_id).await,
        [
            ("Region".into(), json!("EMEA"), json!("default")),
            ("Tier".into(), Value::Null, Value::Null)
        ]
    );

    // Two teams disagree: the team given the attribute first wins.
    let west = team(&app, &admin, "West", &[&ada_id]).await;
    let east = team(&app, &admin, "East", &[&ada_id]).await;
    let path = format!("/v2/user-attributes/{region_id}/teams");
    let (s, b) = send(
        &app,
        Method::POST,
        &admin,
        &path,
        json!({"assignments": [
        {"teamId": east, "value": v("APAC")}, {"teamId": west, "value": v("AMER")}]}),
    )
    .await;
    assert_eq!((s, b), (StatusCode::OK, json!({})));
    let (_, teams) = app.get(&path, Some(&admin)).await;
    let got: Vec<(Value, Value, Value)> = teams["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["teamId"].clone(),
                e["value"]["val"].clone(),
                e["priority"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (json!(east), json!("APAC"), json!(1)),
            (json!(west), json!("AMER"), json!(2))
        ]
    );
    assert_eq!(
        effective(&app, &ada_t, &ada_id).await[0],
        ("Region".into(), json!("APAC"), json!("team"))
    );
    // Changing a value keeps the team's place.
    let (s, _) = send(
        &app,
        Method::POST,
        &admin,
        &path,
        json!({"assignments": [{"teamId": east, "value": v("ANZ")}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(effective(&app, &ada_t, &ada_id).await[0].1, json!("ANZ"));

    // The member's own value wins over every team.
    let upath = format!("/v2/user-attributes/{region_id}/users");
    let (s, _) = send(
        &app,
        Method::POST,
        &admin,
        &upath,
        json!({"assignments": [{"userId": ada_id, "value": v("LATAM")}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, users) = app.get(&upath, Some(&admin)).await;
    assert_eq!(users["entries"][0]["userId"], ada_id.as_str());
    assert_eq!(users["entries"][0]["value"], v("LATAM"));
    assert_eq!(
        effective(&app, &ada_t, &ada_id).await[0],
        ("Region".into(), json!("LATAM"), json!("user"))
    );
    // Removed one by one, it falls back: team, then default.
    let (s, _) = app.delete(&format!("{upath}/{ada_id}"), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.delete(&format!("{upath}/{ada_id}"), Some(&admin)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "already gone");
    assert_eq!(effective(&app, &ada_t, &ada_id).await[0].2, json!("team"));
    let (s, _) = send(
        &app,
        Method::PATCH,
        &admin,
        &path,
        json!({"delete": [{"teamId": east}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(effective(&app, &ada_t, &ada_id).await[0].1, json!("AMER"));
    let (s, _) = app.delete(&format!("{path}/{west}"), Some(&admin)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        effective(&app, &ada_t, &ada_id).await[0],
        ("Region".into(), json!("EMEA"), json!("default"))
    );

    // A team's view, and several attributes assigned to it at once.
    let (s, b) = send(&app, Method::POST, &admin, &format!("/v2/teams/{west}/assignedUserAttributes"),
        json!({"assignments": [{"userAttributeId": region_id, "value": v("AMER")}, {"userAttributeId": tier_id, "value": v("gold")}]})).await;
    assert_eq!((s, b), (StatusCode::OK, json!({})));
    let (_, of_team) = app
        .get(&format!("/v2/teams/{west}/user-attributes"), Some(&admin))
        .await;
    let got: Vec<(Value, Value)> = of_team["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["userAttributeName"].clone(), e["value"]["val"].clone()))
        .collect();
    assert_eq!(
        got,
        [
            (json!("Region"), json!("AMER")),
            (json!("Tier"), json!("gold"))
        ]
    );
    assert_eq!(
        effective(&app, &ada_t, &ada_id).await,
        [
            ("Region".into(), json!("AMER"), json!("team")),
            ("Tier".into(), json!("gold"), json!("team"))
        ]
    );

    // Tenants: the one organization sigil holds.
    let org = app.state.services.organization.id.to_string();
    let tpath = format!("/v2/user-attributes/{tier_id}/tenants");
    let (s, _) = send(
        &app,
        Method::POST,
        &admin,
        &tpath,
        json!({"assignments": [{"tenantOrganizationId": org, "value": v("silver")}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, tenants) = app.get(&tpath, Some(&admin)).await;
    assert_eq!(tenants["entries"][0]["tenantOrganizationId"], org.as_str());
    let (s, e) = send(
        &app,
        Method::POST,
        &admin,
        &tpath,
        json!({"assignments": [
        {"tenantOrganizationId": "0190a0a0-0000-7000-8000-000000000000", "value": v("x")}]}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("assignments[0].tenantOrganizationId"),
        "{e}"
    );
    let (s, _) = send(
        &app,
        Method::PATCH,
        &admin,
        &tpath,
        json!({"delete": [{"tenantOrganizationId": org}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, tenants) = app.get(&tpath, Some(&admin)).await;
    assert_eq!(tenants["total"], 0);

    // Bad input: nothing written, the field named.
    for (body, field) in [
        (
            json!({"assignments": [{"userId": ada_id, "value": v("a")}, {"userId": "0190a0a0-0000-7000-8000-000000000000", "value": v("b")}]}),
            "assignments[1].userId",
        ),
        (
            json!({"assignments": [{"userId": ada_id, "value": v("a")}, {"userId": ada_id, "value": v("b")}]}),
            "assignments[1].userId",
        ),
        (
            json!({"assignments": [{"teamId": west, "value": v("a")}]}),
            "assignments[0].userId",
        ),
    ] {
        let (s, e) = send(&app, Method::POST, &admin, &upath, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert!(
            e["message"].as_str().unwrap().contains(field),
            "{field}: {e}"
        );
    }
    let (_, users) = app.get(&upath, Some(&admin)).await;
    assert_eq!(users["total"], 0, "nothing written");
    // Empty lists change nothing; removing is idempotent (twice, or a holder with
    // no value, is passed over).
    let (s, _) = send(
        &app,
        Method::POST,
        &admin,
        &upath,
        json!({"assignments": []}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(&app, Method::PATCH, &admin, &upath, json!({"delete": []})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = send(&app, Method::PATCH, &admin, &upath,
        json!({"delete": [{"userId": ada_id}, {"userId": ada_id}, {"userId": "0190a0a0-0000-7000-8000-000000000000"}]})).await;
    assert_eq!(s, StatusCode::OK);
    let (s, e) = send(
        &app,
        Method::PATCH,
        &admin,
        &upath,
        json!({"delete": [{"userId": "nope"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("delete[0].userId"),
        "{e}"
    );
    let (s, _) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/user-attributes/0190a0a0-0000-7000-8000-000000000000/users",
        json!({"assignments": [{"userId": ada_id, "value": v("a")}]}),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Admin only (the member may read its own effective values).
    let (s, _) = app.get("/v2/user-attributes", Some(&ada_t)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = send(
        &app,
        Method::POST,
        &ada_t,
        &upath,
        json!({"assignments": [{"userId": ada_id, "value": v("me")}]}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let admin_id = app.init.member_id.to_string();
    let (s, _) = app
        .get(
            &format!("/v2/members/{admin_id}/user-attributes"),
            Some(&ada_t),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Deleting a team takes its values; deleting the attribute takes all of them.
    let (s, _) = app.delete(&format!("/v2/teams/{west}"), Some(&admin)).await;
    assert!(s.is_success());
    assert_eq!(
        effective(&app, &ada_t, &ada_id).await[1],
        ("Tier".into(), Value::Null, Value::Null)
    );
    let (s, _) = app
        .delete(&format!("/v2/user-attributes/{region_id}"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .get(&format!("/v2/user-attributes/{region_id}"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(effective(&app, &ada_t, &ada_id).await.len(), 1);
}
