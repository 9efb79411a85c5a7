//! Warehouse connections kept as records (`/v2/connections…`): created, read back
//! field by field, replaced, patched, deleted (archived) and restored; secrets
//! sealed and never answered; grants on a connection and on its paths; lookups that
//! record paths; the reachability test under the address policy; 501 for what needs
//! a warehouse; permissions and bad input, on both databases.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::BuiltinAccountType;
use sigil_store::connections::{Connection, ConnectionStore};
use uuid::Uuid;

use crate::common::*;

async fn send(app: &TestApp, m: Method, t: &str, path: &str, body: Value) -> (StatusCode, Value) {
    app.send_json(m, path, Some(t), &body).await
}

fn loopback_allowed(o: &mut Options) {
    o.config.connect.allowed_networks = vec!["127.0.0.0/8".into()];
}

#[tokio::test]
async fn connections_are_kept_as_records_on_sqlite() {
    connections(TestApp::spawn_with(loopback_allowed).await).await;
}

#[tokio::test]
async fn connections_are_kept_as_records_on_postgres() {
    if let Some(app) = TestApp::spawn_on_postgres_with(loopback_allowed).await {
        connections(app).await;
    }
}

/// The connection's row as the store holds it.
async fn stored(app: &TestApp, id: &str) -> Connection {
    app.store
        .connection(id.parse().unwrap())
        .await
        .unwrap()
        .expect("the connection is stored")
}

fn message(r: &(StatusCode, Value)) -> String {
    r.1["message"].as_str().unwrap_or_default().to_owned()
}

async fn connections(app: TestApp) {
    let admin = app.admin_token().await;
    let upstream = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = upstream.local_addr().unwrap().port();

    // Create: every documented property is answered; secrets are not.
    let (s, c) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/connections",
        json!({"name": "  Analytics  ", "details": {
            "type": "snowflake", "host": "127.0.0.1", "port": port, "account": "acme", "warehouse": "WH",
            "role": "ANALYST", "authType": "basic-auth", "user": "svc",
            "password": {"type": "plain", "value": "s3cret-pass"},
            "writeAccess": {"writeDatabase": "DB", "writeSchema": "WRITE", "materializationWarehouse": "MWH"},
            "userAttributes": {"role": "attr_role"}, "roleSwitching": "allRoles",
            "exportsWarehouse": "EWH"},
            "timeoutSecs": 120, "useFriendlyNames": true,
            "poolSizes": {"adhocPoolSize": 5}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    assert!(!c.to_string().contains("s3cret-pass"), "{c}");
    let id = c["connectionId"].as_str().unwrap().to_owned();
    let expected = [
        ("name", json!("Analytics")),
        ("type", json!("snowflake")),
        ("account", json!("acme")),
        ("warehouse", json!("WH")),
        ("role", json!("ANALYST")),
        ("user", json!("svc")),
        ("isArchived", json!(false)),
        ("isSample", json!(false)),
        ("useOauth", json!(false)),
        ("writeAccess", json!(true)),
        ("friendlyName", json!(true)),
        ("materializationWarehouse", json!("MWH")),
        ("exportsWarehouse", json!("EWH")),
        ("roleSwitching", json!("allRoles")),
        ("oauthIdpType", json!("unknown")),
        (
            "userAttributes",
            json!({"role": "attr_role", "warehouse": ""}),
        ),
        (
            "timeout",
            json!({"default": 120.0, "worksheet": 120.0, "dashboard": 120.0, "download": 120.0}),
        ),
        (
            "poolSizes",
            json!({"isPoolConfigured": true, "adhocPoolSize": 5.0, "catalogPoolSize": 0.0,
                   "resultPoolSize": 0.0, "schedulePoolSize": 0.0}),
        ),
        (
            "organizationId",
            json!(app.state.services.organization.id.to_string()),
        ),
        ("createdBy", json!(app.init.member_id.to_string())),
    ];
    for (k, v) in &expected {
        assert_eq!(&c[*k], v, "{k} in {c}");
    }
    let wb = &c["writebacks"][0];
    assert_eq!(
        (&wb["database"], &wb["schema"]),
        (&json!("DB"), &json!("WRITE"))
    );
    let writeback_id = wb["writebackSchemaId"].as_str().unwrap().to_owned();
    assert!(!writeback_id.is_empty());

    // Read back: the same answer, and the secret sealed in the store as sent.
    let (s, got) = app
        .get(&format!("/v2/connections/{id}"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got, c);
    let record = stored(&app, &id).await;
    assert!(!record.settings.contains("s3cret-pass"));
    let secrets = app.state.services.connections.secrets(&record).unwrap();
    assert_eq!(
        secrets["password"],
        json!({"type": "plain", "value": "s3cret-pass"})
    );

    // Testing it opens a TCP connection to its host, and nothing else.
    let (s, t) = app
        .get(&format!("/v2/connections/{id}/test"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK, "{t}");
    assert_eq!(
        (&t["read"], &t["write"]),
        (&json!("SUCCESS"), &json!("SUCCESS")),
        "{t}"
    );

    // PUT replaces the details: what is not sent is gone, secrets included; the
    // write-back destination keeps its id.
    let (s, r) = send(
        &app,
        Method::PUT,
        &admin,
        &format!("/v2/connections/{id}"),
        json!({"name": "Analytics 2", "details": {"type": "snowflake", "host": "127.0.0.1",
               "account": "acme2", "writeAccess": {"writeDatabase": "DB", "writeSchema": "WRITE"}}}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["name"], "Analytics 2");
    assert_eq!(r["account"], "acme2");
    assert_eq!(r["warehouse"], "");
    assert_eq!(r["friendlyName"], false);
    assert_eq!(r["timeout"]["default"], 900.0);
    assert_eq!(
        r["writebacks"][0]["writebackSchemaId"],
        writeback_id.as_str()
    );
    let record = stored(&app, &id).await;
    assert!(app
        .state
        .services
        .connections
        .secrets(&record)
        .unwrap()
        .is_empty());
    let (_, got) = app
        .get(&format!("/v2/connections/{id}"), Some(&admin))
        .await;
    assert_eq!(got, r);

    // The deprecated PATCH: name and OAuth use.
    let (s, p) = send(
        &app,
        Method::PATCH,
        &admin,
        &format!("/v2/connections/{id}"),
        json!({"name": "Analytics 3", "useOauth": true}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{p}");
    let (_, got) = app
        .get(&format!("/v2/connections/{id}"), Some(&admin))
        .await;
    assert_eq!(
        (&got["name"], &got["useOauth"]),
        (&json!("Analytics 3"), &json!(true))
    );

    // A second connection, to list and search.
    let (s, pg) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/connections",
        json!({"name": "Billing", "details": {"type": "postgres", "host": "127.0.0.1",
               "port": port, "database": "billing", "user": "u", "password": "p"}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{pg}");
    let pg_id = pg["connectionId"].as_str().unwrap().to_owned();
    let (_, t) = app
        .get(&format!("/v2/connections/{pg_id}/test"), Some(&admin))
        .await;
    assert_eq!(
        (&t["read"], &t["write"]),
        (&json!("SUCCESS"), &json!("DISABLED")),
        "{t}"
    );
    let (_, list) = app.get("/v2/connections", Some(&admin)).await;
    let names: Vec<&str> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Analytics 3", "Billing"]);
    assert_eq!(list["total"], 2);
    let (_, found) = app.get("/v2/connections?search=bILL", Some(&admin)).await;
    assert_eq!(found["entries"].as_array().unwrap().len(), 1);
    assert_eq!(found["entries"][0]["connectionId"], pg_id.as_str());
    let (_, first) = app.get("/v2/connections?limit=1", Some(&admin)).await;
    assert_eq!(first["nextPage"], "2");
    assert_eq!(first["hasMore"], true);

    // Delete archives: gone from the list, kept with includeArchived, and back with
    // restore.
    let (s, _) = app
        .delete(&format!("/v2/connections/{pg_id}"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = app.get("/v2/connections", Some(&admin)).await;
    assert_eq!(list["total"], 1);
    let (_, all) = app
        .get("/v2/connections?includeArchived=true", Some(&admin))
        .await;
    assert_eq!(all["total"], 2);
    assert_eq!(all["entries"][1]["isArchived"], true, "{all}");
    let r = app
        .get(&format!("/v2/connections/{pg_id}"), Some(&admin))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let (_, t) = app
        .get(&format!("/v2/connections/{pg_id}/test"), Some(&admin))
        .await;
    assert_eq!(t["code"], "not_found", "{t}");
    let body = json!({"name": "Billing", "details": {"type": "postgres", "host": "127.0.0.1",
                      "port": port, "database": "billing"}});
    let r = send(
        &app,
        Method::PUT,
        &admin,
        &format!("/v2/connections/{pg_id}"),
        body.clone(),
    )
    .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    assert!(message(&r).contains("restore"), "{}", r.1);
    let mut restore = body;
    restore["restore"] = json!(true);
    let (s, back) = send(
        &app,
        Method::PUT,
        &admin,
        &format!("/v2/connections/{pg_id}"),
        restore,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{back}");
    assert_eq!(back["isArchived"], false);
    drop(upstream);
    let (_, t) = app
        .get(&format!("/v2/connections/{pg_id}/test"), Some(&admin))
        .await;
    assert_eq!(t["read"], "FAILED", "{t}");
    assert!(
        t["message"].as_str().unwrap().contains("did not accept"),
        "{t}"
    );

    grants_and_paths(&app, &admin, &id).await;
}

async fn grants_and_paths(app: &TestApp, admin: &str, id: &str) {
    let (member, member_token) = app
        .member_token(admin, "ana@example.com", BuiltinAccountType::Creator)
        .await;
    let (_, team) = send(
        app,
        Method::POST,
        admin,
        "/v2/teams",
        json!({"name": "Data", "members": [member.id.to_string()]}),
    )
    .await;
    let team_id = team["teamId"].as_str().unwrap().to_owned();

    // Without a grant a member sees nothing and changes nothing.
    let (_, list) = app.get("/v2/connections", Some(&member_token)).await;
    assert_eq!(list["total"], 0, "{list}");
    let r = app
        .get(&format!("/v2/connections/{id}"), Some(&member_token))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let r = send(
        app,
        Method::POST,
        &member_token,
        "/v2/connections",
        json!({"name": "Mine", "details": {"type": "bigQuery", "projectId": "p"}}),
    )
    .await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // Grants: all or nothing, naming the entry at fault.
    let grants = format!("/v2/connections/{id}/grants");
    for (bad, says) in [
        (
            json!({"grants": [{"grantee": {"teamId": team_id}, "permission": "view"}]}),
            "grants[0]",
        ),
        (
            json!({"grants": [{"grantee": {"teamId": team_id}, "permission": "usage"},
                              {"grantee": {"memberId": Uuid::new_v4().to_string()}, "permission": "usage"}]}),
            "grants[1]",
        ),
        (
            json!({"grants": [{"grantee": {"teamId": team_id}, "permission": "usage"},
                              {"grantee": {"teamId": team_id}, "permission": "annotate"}]}),
            "grants[1]",
        ),
        (json!({"grants": []}), "grants"),
    ] {
        let r = send(app, Method::POST, admin, &grants, bad).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(message(&r).contains(says), "{says}: {}", r.1);
    }
    let (_, none) = app.get(&grants, Some(admin)).await;
    assert_eq!(none["total"], 0, "a refused request wrote nothing: {none}");
    let (s, _) = send(
        app,
        Method::POST,
        admin,
        &grants,
        json!({"grants": [{"grantee": {"teamId": team_id}, "permission": "usage"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Again with another permission: the grant is updated, not doubled.
    let (s, _) = send(
        app,
        Method::POST,
        admin,
        &grants,
        json!({"grants": [{"grantee": {"teamId": team_id}, "permission": "annotate"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = app.get(&grants, Some(admin)).await;
    assert_eq!(list["total"], 1, "{list}");
    let g = &list["entries"][0];
    assert_eq!(g["teamId"], team_id.as_str());
    assert_eq!(g["memberId"], Value::Null);
    assert_eq!(g["permission"], "annotate");
    assert_eq!(g["inodeId"], id);
    assert_eq!(g["createdBy"], app.init.member_id.to_string());
    let grant_id = g["grantId"].as_str().unwrap().to_owned();

    // Through its team the member now sees the connection, but still cannot manage
    // its grants.
    let (_, list) = app.get("/v2/connections", Some(&member_token)).await;
    assert_eq!(list["total"], 1, "{list}");
    let (s, _) = app
        .get(&format!("/v2/connections/{id}"), Some(&member_token))
        .await;
    assert_eq!(s, StatusCode::OK);
    let r = app.get(&grants, Some(&member_token)).await;
    assert_error(&r, StatusCode::FORBIDDEN, "forbidden");

    // Lookups record paths: a scope above tables, a table at full depth (three parts
    // in Snowflake), the same id when looked up again.
    let lookup = format!("/v2/connection/{id}/lookup");
    let (s, scope) = send(
        app,
        Method::POST,
        &member_token,
        &lookup,
        json!({"path": ["DB"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{scope}");
    assert_eq!(scope["kind"], "scope");
    let (_, table) = send(
        app,
        Method::POST,
        admin,
        &lookup,
        json!({"path": ["DB", "S", "T"]}),
    )
    .await;
    assert_eq!(table["kind"], "table", "{table}");
    let (_, again) = send(
        app,
        Method::POST,
        admin,
        &lookup,
        json!({"path": ["DB", "S", "T"]}),
    )
    .await;
    assert_eq!(again["inodeId"], table["inodeId"]);
    for bad in [
        json!({"path": []}),
        json!({"path": ["A", "B", "C", "D"]}),
        json!({"path": ["A", ""]}),
        json!({"path": [{"x": 1}]}),
    ] {
        let r = send(app, Method::POST, admin, &lookup, bad.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(message(&r).contains("path"), "{bad}: {}", r.1);
    }
    let table_id = table["inodeId"].as_str().unwrap().to_owned();
    let (_, path) = app
        .get(&format!("/v2/connections/paths/{table_id}"), Some(admin))
        .await;
    assert_eq!(path, json!({"connectionId": id, "path": ["DB", "S", "T"]}));
    let r = app
        .get(
            &format!(
                "/v2/connections/paths/{}",
                scope["inodeId"].as_str().unwrap()
            ),
            Some(admin),
        )
        .await;
    assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
    let (_, paths) = app
        .get(
            &format!("/v2/connections/paths?connectionId={id}"),
            Some(&member_token),
        )
        .await;
    assert_eq!(paths["total"], 2, "{paths}");
    assert!(paths["entries"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["urlId"] == table_id.as_str() && p["path"] == json!(["DB", "S", "T"])));

    // Grants on a path.
    let path_grants = format!("/v2/connections/paths/{table_id}/grants");
    let (s, _) = send(
        app,
        Method::POST,
        admin,
        &path_grants,
        json!({"grants": [{"grantee": {"memberId": member.id.to_string()}, "permission": "usage"}]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = app.get(&path_grants, Some(admin)).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["entries"][0]["memberId"], member.id.to_string());
    assert_eq!(list["entries"][0]["inodeId"], table_id.as_str());
    let path_grant = list["entries"][0]["grantId"].as_str().unwrap().to_owned();
    // A path's grant is not the connection's, and the other way round.
    let r = app
        .delete(&format!("{grants}/{path_grant}"), Some(admin))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let (s, _) = app
        .delete(&format!("{path_grants}/{path_grant}"), Some(admin))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = app.get(&path_grants, Some(admin)).await;
    assert_eq!(list["total"], 0);

    // What needs a warehouse answers 501.
    for (m, path) in [
        (Method::POST, format!("/v2/connections/{id}/sync")),
        (Method::POST, format!("/v2/connections/{id}/dbtArtifacts")),
        (
            Method::GET,
            format!("/v2/connections/tables/{table_id}/columns"),
        ),
    ] {
        let r = send(app, m, admin, &path, json!({"path": []})).await;
        assert_error(&r, StatusCode::NOT_IMPLEMENTED, "not_implemented");
    }

    // Revoking the team's grant hides the connection from the member again.
    let (s, _) = app
        .delete(&format!("{grants}/{grant_id}"), Some(admin))
        .await;
    assert_eq!(s, StatusCode::OK);
    let r = app
        .delete(&format!("{grants}/{grant_id}"), Some(admin))
        .await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    let (_, list) = app.get("/v2/connections", Some(&member_token)).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn bad_connections_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (body, field) in [
        (
            json!({"name": "x", "details": {"host": "h"}}),
            "details.type",
        ),
        (
            json!({"name": "x", "details": {"type": "oracle"}}),
            "details.type",
        ),
        (json!({"name": "x", "details": "postgres"}), "details"),
        (
            json!({"name": "x", "details": {"type": "postgres", "database": "d"}}),
            "details.host",
        ),
        (
            json!({"name": "x", "details": {"type": "mysql", "user": "u", "password": "p", "host": "h"}}),
            "details.port",
        ),
        (
            json!({"name": "x", "details": {"type": "mysql", "user": "u", "password": "p", "host": "h", "port": 70000}}),
            "details.port",
        ),
        (
            json!({"name": "x", "details": {"type": "snowflake", "authType": "kerberos"}}),
            "details.authType",
        ),
        (
            json!({"name": "x", "details": {"type": "postgres", "host": 5, "database": "d"}}),
            "details.host",
        ),
        (
            json!({"name": "x", "details": {"type": "postgres", "host": "h", "database": "d", "password": 12}}),
            "details.password",
        ),
        (
            json!({"name": " ", "details": {"type": "bigQuery", "projectId": "p"}}),
            "name",
        ),
        (
            json!({"name": "x", "details": {"type": "bigQuery", "projectId": "p"}, "timeoutSecs": -1}),
            "timeoutSecs",
        ),
        (
            json!({"name": "x", "details": {"type": "bigQuery", "projectId": "p"}, "poolSizes": {"adhocPoolSize": 1.5}}),
            "poolSizes.adhocPoolSize",
        ),
    ] {
        let r = send(&app, Method::POST, &admin, "/v2/connections", body.clone()).await;
        assert_error(&r, StatusCode::BAD_REQUEST, "bad_request");
        assert!(message(&r).contains(field), "{body}: {}", r.1);
    }
    let (_, list) = app.get("/v2/connections", Some(&admin)).await;
    assert_eq!(list["total"], 0, "nothing was written: {list}");
    for path in [
        format!("/v2/connections/{}", Uuid::new_v4()),
        "/v2/connections/not-an-id".to_owned(),
        format!("/v2/connections/paths/{}", Uuid::new_v4()),
    ] {
        let r = app.get(&path, Some(&admin)).await;
        assert_error(&r, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn a_connection_on_a_private_address_fails_its_test_under_the_default_policy() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, c) = send(
        &app,
        Method::POST,
        &admin,
        "/v2/connections",
        json!({"name": "Internal", "details": {"type": "databricks", "host": "https://10.0.0.5/sql"}}),
    )
    .await;
    let id = c["connectionId"].as_str().unwrap();
    let (s, t) = app
        .get(&format!("/v2/connections/{id}/test"), Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        (&t["read"], &t["write"]),
        (&json!("FAILED"), &json!("DISABLED"))
    );
    let m = t["message"].as_str().unwrap();
    assert!(m.contains("10.0.0.5") && m.contains("private"), "{m}");
}
