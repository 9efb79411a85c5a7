//! sigil as a test double: seed files (load, a bad file loading nothing, the export
//! and seed round trip on both dialects), reset and snapshots (state read back,
//! tokens issued since revoked, Admins only, off unless configured) and injected
//! faults (the configured share, only the routes named, labelled and counted).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_service::config::FaultRule;
use sigil_service::seed::{export, load, SeedFile};

use sigil_store::prelude::*;

use crate::common::*;

const SEED: &str = r#"
accountTypes:
  - name: Analyst
    description: Explores
    permissions: [view, explore, use-api]
members:
  - email: ada@example.com
    firstName: Ada
    lastName: Lovelace
    accountType: Analyst
    password: correct horse battery
    clientCredentials:
      - name: ada-ci
        clientId: ada-ci
        clientSecret: ada-secret-0123456789abcdef0123456789
  - email: grace@example.com
    firstName: Grace
    accountType: Creator
  - email: gone@example.com
    accountType: Viewer
    inactive: true
teams:
  - name: Data
    description: The data team
    visibility: public
    members:
      - ada@example.com
      - {email: grace@example.com, admin: true}
  - name: Ops
userAttributes:
  - name: Region
    description: Sales region
    defaultValue: EMEA
    users: [{email: ada@example.com, value: LATAM}]
    teams: [{team: Ops, value: APAC}, {team: Data, value: AMER}]
    organization: GLOBAL
apiCredentials:
  - name: Upstream
    authorizedDomains: [api.example.com]
    credential: {authMethod: bearer, bearer: {token: upstream-token}}
apiDocuments:
  - name: Things API
    text: |
      openapi: 3.0.3
      info: {title: Things, version: "1"}
      paths:
        /things:
          get: {operationId: listThings, responses: {"200": {description: ok}}}
connectors:
  - name: List things
    credential: Upstream
    params: {method: GET, url: "https://api.example.com/things"}
workspaces:
  - name: Sales
    description: Sales numbers
    owner: grace@example.com
    grants:
      - {team: Data, permission: explore}
      - {member: grace@example.com, permission: edit}
    folders:
      - name: Q1
        grants:
          - {team: Ops, permission: view}
        workbooks:
          - name: Pipeline
            grants:
              - {member: ada@example.com, permission: organize}
  - name: Empty
"#;

fn seed() -> SeedFile {
    SeedFile::parse(SEED).expect("the test seed parses")
}

const CLIENT_SECRET: &str = "admin-secret-0123456789abcdef0123456789";

/// Known bootstrap credentials and the testing endpoints, with the seed above.
fn options(o: &mut Options) {
    o.config.bootstrap.client_id = Some("admin-ci".into());
    o.config.bootstrap.client_secret =
        Some(sigil_service::secret::Secret::new(CLIENT_SECRET.into()));
    o.config.testing.endpoints = true;
    o.seed = Some(seed());
}

async fn token(app: &TestApp, id: &str, secret: &str) -> String {
    let (s, b) = app.client_credentials(id, secret).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["access_token"].as_str().unwrap().to_owned()
}

/// Members, teams (with members), workspaces and their grants, as the API answers
/// them: what a reset must bring back exactly.
async fn state(app: &TestApp, t: &str) -> Value {
    let (_, members) = app.get("/v2/members?limit=1000", Some(t)).await;
    let (_, teams) = app.get("/v2/teams?limit=1000", Some(t)).await;
    let (_, workspaces) = app.get("/v2/workspaces?limit=1000", Some(t)).await;
    let mut team_members = Vec::new();
    for team in teams["entries"].as_array().unwrap() {
        let id = team["teamId"].as_str().unwrap();
        let (_, m) = app
            .get(&format!("/v2/teams/{id}/members?limit=1000"), Some(t))
            .await;
        team_members.push(m);
    }
    let mut grants = Vec::new();
    for w in workspaces["entries"].as_array().unwrap() {
        let id = w["workspaceId"].as_str().unwrap();
        let (_, g) = app
            .get(&format!("/v2/workspaces/{id}/grants?limit=100"), Some(t))
            .await;
        grants.push(g);
    }
    json!({"members": members, "teams": teams, "teamMembers": team_members,
           "workspaces": workspaces, "grants": grants})
}

fn comparable(mut v: Value) -> Value {
    match &mut v {
        Value::Object(map) => {
            for k in [
                "organizationId",
                "createdAt",
                "updatedAt",
                "homeFolderId",
                "grantId",
            ] {
                map.remove(k);
            }
            for (_, x) in map.iter_mut() {
                *x = comparable(x.take());
            }
        }
        Value::Array(items) => {
            for x in items.iter_mut() {
                *x = comparable(x.take());
            }
            // Grants are listed by grant id, which a seed does not keep.
            if items.iter().all(|g| g.get("permission").is_some()) {
                items.sort_by_key(|g| g.to_string());
            }
        }
        _ => {}
    }
    v
}

#[tokio::test]
async fn a_seed_file_loads_members_teams_workspaces_grants_credentials_and_connectors() {
    let app = TestApp::spawn_with(options).await;
    let t = app.admin_token().await;
    let (_, members) = app.get("/v2/members?limit=100", Some(&t)).await;
    let emails: Vec<&str> = members["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["ada@example.com", "admin@example.com", "grace@example.com"],
        "an inactive member is not listed by default"
    );
    let ada = &members["entries"][0];
    assert_eq!(
        (ada["firstName"].as_str(), ada["lastName"].as_str()),
        (Some("Ada"), Some("Lovelace"))
    );

    // Ada's client credentials work, and act as Ada.
    let at = token(&app, "ada-ci", "ada-secret-0123456789abcdef0123456789").await;
    let (_, me) = app.get("/v2/whoami", Some(&at)).await;
    assert_eq!(me["userId"], ada["memberId"]);
    // Her password too (the Report token API's BASIC method checks it).
    let hash = app
        .store
        .member_by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap()
        .password_hash
        .unwrap();
    assert!(sigil_service::auth::secrets::verify_password(
        "correct horse battery",
        &hash
    ));

    let (_, teams) = app.get("/v2/teams?limit=100", Some(&t)).await;
    let data = teams["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Data")
        .unwrap()
        .clone();
    assert_eq!(data["description"], "The data team");
    assert_eq!(data["visibility"], "public");
    let (_, tm) = app
        .get(
            &format!("/v2/teams/{}/members", data["teamId"].as_str().unwrap()),
            Some(&t),
        )
        .await;
    assert_eq!(tm["entries"].as_array().unwrap().len(), 2, "{tm}");

    let (_, ws) = app.get("/v2/workspaces?name=Sales", Some(&t)).await;
    let sales = &ws["entries"][0];
    assert_eq!(sales["name"], "Sales");
    let (_, g) = app
        .get(
            &format!(
                "/v2/workspaces/{}/grants",
                sales["workspaceId"].as_str().unwrap()
            ),
            Some(&t),
        )
        .await;
    let mut perms: Vec<String> = g["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["permission"].as_str().unwrap().to_owned())
        .collect();
    perms.sort();
    assert_eq!(perms, ["edit", "explore"]);

    // User attributes: Ada's own value; Grace's from her team.
    let grace = members["entries"][2]["memberId"].as_str().unwrap();
    let (_, attrs) = app
        .get(&format!("/v2/members/{grace}/user-attributes"), Some(&t))
        .await;
    assert_eq!(attrs["entries"][0]["name"], "Region");
    assert_eq!(attrs["entries"][0]["value"]["val"], "AMER");
    assert_eq!(attrs["entries"][0]["source"], "team");
    let (_, attrs) = app
        .get(
            &format!(
                "/v2/members/{}/user-attributes",
                ada["memberId"].as_str().unwrap()
            ),
            Some(&t),
        )
        .await;
    assert_eq!(attrs["entries"][0]["value"]["val"], "LATAM");
    let region = attrs["entries"][0]["userAttributeId"].as_str().unwrap();
    let (_, teams_of) = app
        .get(&format!("/v2/user-attributes/{region}/teams"), Some(&t))
        .await;
    assert_eq!(teams_of["entries"][0]["priority"], 1);
    assert_eq!(
        teams_of["entries"][0]["value"]["val"], "APAC",
        "Ops first, as listed"
    );

    let (_, creds) = app.get("/v2/api-credentials", Some(&t)).await;
    assert_eq!(creds["entries"][0]["name"], "Upstream");
    assert!(
        !creds.to_string().contains("upstream-token"),
        "secrets never answered"
    );
    let (_, conns) = app.get("/v2/api-connectors", Some(&t)).await;
    assert_eq!(conns["entries"][0]["name"], "List things");
    let id = conns["entries"][0]["apiConnectorId"].as_str().unwrap();
    let (_, conn) = app.get(&format!("/v2/api-connectors/{id}"), Some(&t)).await;
    assert_eq!(conn["authId"], creds["entries"][0]["apiCredentialId"]);
    assert_eq!(conn["params"]["url"], "https://api.example.com/things");
}

#[tokio::test]
async fn a_bad_seed_file_loads_nothing_and_names_the_entry_and_field() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    let before = state(&app, &t).await;
    let services = &app.state.services;

    // Found before anything is written.
    let mut bad = seed();
    bad.workspaces[0].folders[0].workbooks[0].grants[0].permission = "own".into();
    let e = load(services, &bad, app.init.member_id).await.unwrap_err();
    assert_eq!(
        e.field(),
        Some("workspaces[0].folders[0].workbooks[0].grants[0].permission"),
        "{e}"
    );
    let mut bad = seed();
    bad.teams[0]
        .members
        .push(sigil_service::seed::SeedTeamMember::Email(
            "nobody@example.com".into(),
        ));
    let e = load(services, &bad, app.init.member_id).await.unwrap_err();
    assert_eq!(e.field(), Some("teams[0].members[2]"), "{e}");
    assert!(e.to_string().contains("nobody@example.com"), "{e}");

    // Found only while writing, after members, teams and credentials were written:
    // the connector's host is not one its credential may be sent to.
    let mut late = seed();
    late.connectors[0].params = json!({"method": "GET", "url": "https://elsewhere.example.org/"});
    let e = load(services, &late, app.init.member_id).await.unwrap_err();
    assert_eq!(e.field(), Some("connectors[0]"), "{e}");
    assert!(e.to_string().contains("allowlist"), "{e}");

    assert_eq!(state(&app, &t).await, before, "nothing was loaded");
    let (_, types) = app.get("/v2/account-types", Some(&t)).await;
    assert!(!types.to_string().contains("Analyst"), "{types}");
    let (_, creds) = app.get("/v2/api-credentials", Some(&t)).await;
    assert_eq!(creds["entries"].as_array().unwrap().len(), 0, "{creds}");
    assert!(app
        .store
        .client_credential("ada-ci")
        .await
        .unwrap()
        .is_none());

    // The file itself, then, loads.
    load(services, &seed(), app.init.member_id).await.unwrap();
    let (_, members) = app.get("/v2/members", Some(&t)).await;
    assert_eq!(members["entries"].as_array().unwrap().len(), 3);
}

async fn round_trip(a: TestApp, b_spawn: impl std::future::Future<Output = TestApp>) {
    let e1 = export(&a.state.services, true).await.unwrap();
    assert_eq!(e1.members.len(), 4, "the first Admin and the three seeded");
    assert!(
        e1.members.iter().all(|m| m.password.is_none()),
        "passwords are never exported, only their hashes"
    );
    let b = b_spawn.await;
    // B was seeded with A's export (the spawn's seed): export it again.
    let e2 = export(&b.state.services, true).await.unwrap();
    assert_eq!(e1, e2, "export, seed, export gives the same file");
    let ta = token(&a, "admin-ci", CLIENT_SECRET).await;
    let tb = token(&b, "admin-ci", CLIENT_SECRET).await;
    // The same as the API answers it, but for what a seed does not carry: the
    // organization's id, times, home folders and grant ids.
    assert_eq!(
        comparable(state(&a, &ta).await),
        comparable(state(&b, &tb).await)
    );
    // Without secrets: no client secret, password hash or credential secret.
    let bare = export(&a.state.services, false).await.unwrap();
    let text = bare.render(sigil_service::seed::SeedFormat::Yaml).unwrap();
    for secret in [CLIENT_SECRET, "ada-secret", "$argon2", "upstream-token"] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
    // The YAML it writes reads back as the same file.
    let yaml = e1.render(sigil_service::seed::SeedFormat::Yaml).unwrap();
    assert_eq!(SeedFile::parse(&yaml).unwrap(), e1);
    let json = e1.render(sigil_service::seed::SeedFormat::Json).unwrap();
    assert_eq!(SeedFile::parse(&json).unwrap(), e1);
}

#[tokio::test]
async fn export_then_seed_gives_the_same_state_on_sqlite() {
    let a = TestApp::spawn_with(options).await;
    let e1 = export(&a.state.services, true).await.unwrap();
    round_trip(
        a,
        TestApp::spawn_with(move |o| {
            options(o);
            o.seed = Some(e1);
        }),
    )
    .await;
}

#[tokio::test]
async fn export_then_seed_gives_the_same_state_on_postgres() {
    let Some(a) = TestApp::spawn_on_postgres_with(options).await else {
        return;
    };
    let e1 = export(&a.state.services, true).await.unwrap();
    round_trip(a, async move {
        TestApp::spawn_on_postgres_with(move |o| {
            options(o);
            o.seed = Some(e1);
        })
        .await
        .unwrap()
    })
    .await;
}

async fn reset_brings_back_the_seeded_state(app: TestApp) {
    let t = app.admin_token().await;
    let seeded = state(&app, &t).await;
    // Change members, teams and grants every way.
    let (s, _) = app
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&t),
            &json!({"name": "Temp", "members": []}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, m) = app
        .send_json(
            Method::POST,
            "/v2/members",
            Some(&t),
            &json!({"email": "new@example.com", "firstName": "N", "lastName": "M", "memberType": "Viewer"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{m}");
    let (_, ws) = app.get("/v2/workspaces?name=Sales", Some(&t)).await;
    let sales = ws["entries"][0]["workspaceId"].as_str().unwrap().to_owned();
    let (_, grants) = app
        .get(&format!("/v2/workspaces/{sales}/grants"), Some(&t))
        .await;
    let grant = grants["entries"][0]["grantId"].as_str().unwrap();
    let (s, _) = app
        .delete(&format!("/v2/workspaces/{sales}/grants/{grant}"), Some(&t))
        .await;
    assert!(s.is_success());
    assert_ne!(state(&app, &t).await, seeded);

    let (s, body) = app
        .send_json(Method::POST, "/_sigil/reset", Some(&t), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "initial");
    // Every token issued since the snapshot is void, this one too.
    let (s, _) = app.get("/v2/whoami", Some(&t)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let t = app.admin_token().await;
    assert_eq!(state(&app, &t).await, seeded, "exactly the seeded state");
    // The rendered-page caches moved on: a second read agrees.
    assert_eq!(state(&app, &t).await, seeded);

    // Named snapshots: a token from before the snapshot stays valid, one from
    // after it does not.
    let (s, snap) = app
        .send_json(
            Method::POST,
            "/_sigil/snapshots",
            Some(&t),
            &json!({"name": "s1"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{snap}");
    let (s, _) = app
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&t),
            &json!({"name": "After", "members": []}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let later = app.admin_token().await;
    let (s, _) = app
        .send_json(
            Method::POST,
            "/_sigil/snapshots/s1/restore",
            Some(&t),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get("/v2/whoami", Some(&later)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "issued after the snapshot");
    let (s, _) = app.get("/v2/whoami", Some(&t)).await;
    assert_eq!(s, StatusCode::OK, "issued before the snapshot");
    assert_eq!(state(&app, &t).await, seeded);
    let (_, list) = app.get("/_sigil/snapshots", Some(&t)).await;
    let names: Vec<&str> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["initial", "s1"]);
    let (s, _) = app.delete("/_sigil/snapshots/s1", Some(&t)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = app
        .send_json(
            Method::POST,
            "/_sigil/snapshots/s1/restore",
            Some(&t),
            &json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{e}");
    let (s, e) = app
        .send_json(
            Method::POST,
            "/_sigil/snapshots",
            Some(&t),
            &json!({"name": "no spaces"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");

    // Admins only.
    let ada = token(&app, "ada-ci", "ada-secret-0123456789abcdef0123456789").await;
    let (s, _) = app
        .send_json(Method::POST, "/_sigil/reset", Some(&ada), &json!({}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get("/_sigil/snapshots", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn reset_and_snapshots_bring_back_exactly_what_was_saved_on_sqlite() {
    reset_brings_back_the_seeded_state(TestApp::spawn_with(options).await).await;
}

#[tokio::test]
async fn reset_and_snapshots_bring_back_exactly_what_was_saved_on_postgres() {
    let Some(app) = TestApp::spawn_on_postgres_with(options).await else {
        return;
    };
    reset_brings_back_the_seeded_state(app).await;
}

/// Waits (without a fixed sleep) until `ok` holds, for at most 10 s.
async fn until<F: std::future::Future<Output = bool>>(what: &str, mut ok: impl FnMut() -> F) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !ok().await {
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restore_reaches_the_other_node() {
    let Some(a) = TestApp::spawn_on_postgres_with(|o| {
        options(o);
        // Only the write notifications can carry it in time, not the poll.
        o.config.auth.revocation_poll_ms = 60_000;
    })
    .await
    else {
        return;
    };
    let b = a.second_node().await;
    until("node B listens", || async {
        b.store.generation().is_some()
    })
    .await;
    let (_stop, rx) = tokio::sync::watch::channel(false);
    let _bg = sigil_service::startup::spawn_background(b.state.services.clone(), rx);
    let t = a.admin_token().await;
    let tb = token(&b, "admin-ci", CLIENT_SECRET).await;
    let (_, before) = b.get("/v2/teams", Some(&tb)).await;
    let (s, _) = a
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&t),
            &json!({"name": "Temp", "members": []}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    until("node B serves the new team", || async {
        b.get("/v2/teams", Some(&tb)).await.1 != before
    })
    .await;
    let (s, _) = a
        .send_json(Method::POST, "/_sigil/reset", Some(&t), &json!({}))
        .await;
    assert_eq!(s, StatusCode::OK);
    until(
        "node B refuses a token issued after the snapshot",
        || async { b.get("/v2/whoami", Some(&tb)).await.0 == StatusCode::UNAUTHORIZED },
    )
    .await;
    let tb = token(&b, "admin-ci", CLIENT_SECRET).await;
    let (_, after) = b.get("/v2/teams", Some(&tb)).await;
    assert_eq!(after, before, "node B serves the restored state");
}

#[tokio::test]
async fn the_testing_endpoints_are_off_unless_configured() {
    let app = TestApp::spawn().await;
    let t = app.admin_token().await;
    for (method, path) in [
        (Method::POST, "/_sigil/reset"),
        (Method::GET, "/_sigil/snapshots"),
        (Method::PUT, "/_sigil/faults"),
    ] {
        let (s, body) = app.send_json(method, path, Some(&t), &json!({})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    assert!(
        app.store.list_snapshots().await.unwrap().is_empty(),
        "no snapshot taken"
    );
}

#[tokio::test]
async fn injected_faults_hit_the_configured_share_of_the_named_routes_only() {
    let app = TestApp::spawn_with(|o| {
        options(o);
        o.config.testing.faults = vec![FaultRule {
            route: "/v2/teams".into(),
            method: Some("GET".into()),
            status: Some(429),
            delay_ms: 0,
            retry_after_secs: 3,
            probability: Some(0.3),
            count: None,
        }];
    })
    .await;
    let t = app.admin_token().await;
    let (mut faulted, mut served) = (0, 0);
    for _ in 0..1000 {
        let res = app
            .http
            .get(app.url("/v2/teams?limit=1"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        match res.status() {
            StatusCode::TOO_MANY_REQUESTS => {
                assert_eq!(res.headers()["retry-after"], "3");
                assert_eq!(res.headers()["x-sigil-fault"], "testing.faults[0]");
                let (_, body) = json_of(res).await;
                assert_eq!(body["code"], "too_many_requests");
                faulted += 1;
            }
            StatusCode::OK => served += 1,
            other => panic!("unexpected {other}"),
        }
    }
    // 300 expected; four standard deviations (about 14.5 each) either way.
    assert!((242..=358).contains(&faulted), "{faulted} of 1000");
    assert_eq!(faulted + served, 1000);
    // Only the route named: another route and another method never get one.
    for _ in 0..200 {
        let (s, _) = app.get("/v2/teams/x/members", Some(&t)).await;
        assert_ne!(s, StatusCode::TOO_MANY_REQUESTS);
        let (s, _) = app.get("/v2/members?limit=1", Some(&t)).await;
        assert_eq!(s, StatusCode::OK);
    }
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let line = format!(
        "sigil_injected_faults_total{{method=\"GET\",route=\"/v2/teams\",fault=\"429\"}} {faulted}"
    );
    assert!(metrics.contains(&line), "{line} in\n{metrics}");

    // Replaced at run time: the first three requests of any route fail with 503,
    // then the client that backs off gets through.
    let (s, body) = app
        .send_json(
            Method::PUT,
            "/_sigil/faults",
            Some(&t),
            &json!({"faults": [{"route": "*", "status": 503, "count": 3}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mut attempts = 0;
    let status = loop {
        attempts += 1;
        let (s, _) = app.get("/v2/whoami", Some(&t)).await;
        if s != StatusCode::SERVICE_UNAVAILABLE || attempts > 10 {
            break s;
        }
    };
    assert_eq!((status, attempts), (StatusCode::OK, 4));
    // The testing endpoints themselves are never faulted, so faults can be taken back.
    let (s, _) = app
        .send_json(
            Method::PUT,
            "/_sigil/faults",
            Some(&t),
            &json!({"faults": []}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = app
        .send_json(
            Method::PUT,
            "/_sigil/faults",
            Some(&t),
            &json!({"faults": [{"route": "*", "status": 418}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap().contains("418"));
}

#[tokio::test]
async fn a_delay_fault_serves_the_request_late_and_says_so() {
    let app = TestApp::spawn_with(|o| {
        o.config.testing.faults = vec![FaultRule {
            route: "/v2/whoami".into(),
            method: None,
            status: None,
            delay_ms: 150,
            retry_after_secs: 1,
            probability: None,
            count: Some(1),
        }];
    })
    .await;
    let t = app.admin_token().await;
    let started = std::time::Instant::now();
    let res = app
        .http
        .get(app.url("/v2/whoami"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["x-sigil-fault"], "testing.faults[0]");
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    let res = app
        .http
        .get(app.url("/v2/whoami"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert!(
        res.headers().get("x-sigil-fault").is_none(),
        "count 1: once"
    );
}

#[tokio::test]
async fn the_token_lifetime_can_be_shortened_at_run_time_to_test_refresh() {
    let app = TestApp::spawn_with(options).await;
    let t = app.admin_token().await;
    let (s, b) = app.get("/_sigil/tokens", Some(&t)).await;
    assert_eq!(
        (s, b["accessTokenTtlSecs"].as_u64()),
        (StatusCode::OK, Some(3600))
    );
    let (s, b) = app
        .send_json(
            Method::PUT,
            "/_sigil/tokens",
            Some(&t),
            &json!({"accessTokenTtlSecs": 2}),
        )
        .await;
    assert_eq!(
        (s, b["accessTokenTtlSecs"].as_u64()),
        (StatusCode::OK, Some(2))
    );
    // New tokens say so, and their claims agree.
    let (s, tok) = app.client_credentials("admin-ci", CLIENT_SECRET).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(tok["expires_in"], 2);
    let c = app
        .state
        .services
        .auth
        .verify(tok["access_token"].as_str().unwrap())
        .expect("a valid token");
    assert_eq!(c.exp - c.iat, 2);
    // Never above the configured lifetime, never 0; null puts it back.
    for bad in [
        json!({"accessTokenTtlSecs": 0}),
        json!({"accessTokenTtlSecs": 7200}),
    ] {
        let (s, e) = app
            .send_json(Method::PUT, "/_sigil/tokens", Some(&t), &bad)
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
        assert!(e["message"]
            .as_str()
            .unwrap()
            .contains("accessTokenTtlSecs"));
    }
    let (s, b) = app
        .send_json(
            Method::PUT,
            "/_sigil/tokens",
            Some(&t),
            &json!({"accessTokenTtlSecs": null}),
        )
        .await;
    assert_eq!(
        (s, b["accessTokenTtlSecs"].as_u64()),
        (StatusCode::OK, Some(3600))
    );
    let (_, tok) = app.client_credentials("admin-ci", CLIENT_SECRET).await;
    assert_eq!(tok["expires_in"], 3600);
}
