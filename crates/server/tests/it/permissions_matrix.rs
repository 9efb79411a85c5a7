//! Who may do what with members, teams and account types: every operation ×
//! {Admin, Creator, Explorer, Viewer, team admin} × {own, other's}, with the status
//! each gets. "Own" is the caller's own member record or a private team it belongs
//! to; "other's" is another member or a private team it is not in.

use crate::common::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sigil_core::{BuiltinAccountType, MemberId, TeamId, TeamMember};
use sigil_store::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    Admin,
    Creator,
    Explorer,
    Viewer,
    /// A Viewer who is team admin of its own team.
    TeamAdmin,
}

struct Caller {
    role: Role,
    id: MemberId,
    token: String,
}

#[derive(Clone, Copy, Debug)]
enum Whose {
    Own,
    Other,
}

/// The statuses expected for one operation: for an Admin, a team admin, and the
/// other roles, on own and other's targets.
struct Expect {
    admin: (u16, u16),
    team_admin: (u16, u16),
    others: (u16, u16),
}

const fn e(admin: (u16, u16), team_admin: (u16, u16), others: (u16, u16)) -> Expect {
    Expect {
        admin,
        team_admin,
        others,
    }
}

struct World {
    app: TestApp,
    callers: Vec<Caller>,
    own_team: TeamId,
    other_team: TeamId,
    admin_token: String,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let admin_token = app.admin_token().await;
    let mut callers = vec![Caller {
        role: Role::Admin,
        id: app.init.member_id,
        token: admin_token.clone(),
    }];
    for (role, kind) in [
        (Role::Creator, BuiltinAccountType::Creator),
        (Role::Explorer, BuiltinAccountType::Explorer),
        (Role::Viewer, BuiltinAccountType::Viewer),
        (Role::TeamAdmin, BuiltinAccountType::Viewer),
    ] {
        let m = app
            .add_member(
                &format!("{role:?}@example.com").to_lowercase(),
                kind,
                "pw-matrix-123",
            )
            .await;
        let (cid, secret) = app.create_credentials(&admin_token, m.id).await;
        let (_, t) = app.client_credentials(&cid, &secret).await;
        callers.push(Caller {
            role,
            id: m.id,
            token: t["access_token"].as_str().unwrap().to_owned(),
        });
    }
    let mk_team = |name: &str| json!({"name": name, "visibility": "private"});
    let (_, own) = app
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&admin_token),
            &mk_team("own"),
        )
        .await;
    let (_, other) = app
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&admin_token),
            &mk_team("other"),
        )
        .await;
    let own_team: TeamId = own["teamId"].as_str().unwrap().parse().unwrap();
    let other_team: TeamId = other["teamId"].as_str().unwrap().parse().unwrap();
    let now = sigil_core::clock::now();
    let members: Vec<TeamMember> = callers
        .iter()
        .map(|c| TeamMember {
            team_id: own_team,
            member_id: c.id,
            is_team_admin: c.role == Role::TeamAdmin,
            added_by: Some(app.init.member_id),
            created_at: now,
        })
        .collect();
    app.store
        .change_team_members(own_team, &members, &[])
        .await
        .unwrap();
    World {
        app,
        callers,
        own_team,
        other_team,
        admin_token,
    }
}

impl World {
    /// A member another caller can be pointed at; fresh for operations that change it.
    async fn other_member(&self) -> MemberId {
        let (_, m) = self
            .app
            .send_json(
                Method::POST,
                "/v2/members",
                Some(&self.admin_token),
                &json!({"email": format!("t{}@example.com", uuid::Uuid::new_v4().simple()), "firstName": "T", "lastName": "T"}),
            )
            .await;
        m["memberId"].as_str().unwrap().parse().unwrap()
    }

    /// A fresh private team the caller is not in (for deletes), or the shared ones.
    async fn fresh_team(&self, c: &Caller) -> TeamId {
        let (_, t) = self
            .app
            .send_json(
                Method::POST,
                "/v2/teams",
                Some(&self.admin_token),
                &json!({"name": format!("fresh {}", uuid::Uuid::new_v4()), "members": [c.id.to_string()]}),
            )
            .await;
        t["teamId"].as_str().unwrap().parse().unwrap()
    }
}

async fn run(
    w: &World,
    name: &str,
    method: Method,
    path: impl Fn(&Caller, Whose, MemberId, TeamId) -> String,
    body: Value,
    fresh: bool,
    expect: Expect,
) {
    for c in &w.callers {
        for whose in [Whose::Own, Whose::Other] {
            let member = match whose {
                Whose::Own => c.id,
                Whose::Other => w.other_member().await,
            };
            let team = match (whose, fresh) {
                (Whose::Own, true) => w.fresh_team(c).await,
                (Whose::Own, false) => w.own_team,
                (Whose::Other, true) => w.fresh_team(&w.callers[0]).await,
                (Whose::Other, false) => w.other_team,
            };
            let url = path(c, whose, member, team);
            // Team names are unique: each request names its own.
            let mut body = body.clone();
            if let Some(n) = body
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
            {
                static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
                let k = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                body["name"] = Value::String(format!("{n} {k}"));
            }
            let res = w
                .app
                .http
                .request(method.clone(), w.app.url(&url))
                .bearer_auth(&c.token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let (status, got) = crate::common::json_of(res).await;
            let pair = match c.role {
                Role::Admin => expect.admin,
                Role::TeamAdmin => expect.team_admin,
                _ => expect.others,
            };
            let want = match whose {
                Whose::Own => pair.0,
                Whose::Other => pair.1,
            };
            assert_eq!(
                status.as_u16(),
                want,
                "{name}: {:?} on {whose:?} ({method} {url}) → {got}",
                c.role
            );
            if want == 403 {
                assert_eq!(got["code"], "forbidden");
            }
            if want == 404 {
                assert_eq!(got["code"], "not_found");
            }
        }
    }
}

#[tokio::test]
async fn the_whole_matrix() {
    let w = world().await;
    let m = |_: &Caller, _: Whose, m: MemberId, _: TeamId| format!("/v2/members/{m}");
    let t = |_: &Caller, _: Whose, _: MemberId, t: TeamId| format!("/v2/teams/{t}");
    let none = Value::Null;

    run(
        &w,
        "list members",
        Method::GET,
        |_, _, _, _| "/v2/members".into(),
        none.clone(),
        false,
        e((200, 200), (403, 403), (403, 403)),
    )
    .await;
    run(
        &w,
        "list members v2.1",
        Method::GET,
        |_, _, _, _| "/v2.1/members".into(),
        none.clone(),
        false,
        e((200, 200), (403, 403), (403, 403)),
    )
    .await;
    run(
        &w,
        "create member",
        Method::POST,
        |_, _, _, _| "/v2/members".into(),
        json!({"email": "", "firstName": "x", "lastName": "y"}),
        false,
        // Admins reach validation (the empty email); others are refused first.
        e((400, 400), (403, 403), (403, 403)),
    )
    .await;
    run(
        &w,
        "get member",
        Method::GET,
        m,
        none.clone(),
        false,
        e((200, 200), (200, 403), (200, 403)),
    )
    .await;
    run(
        &w,
        "update member",
        Method::PATCH,
        m,
        json!({"firstName": "Renamed"}),
        false,
        e((200, 200), (403, 403), (403, 403)),
    )
    .await;
    run(
        &w,
        "delete member",
        Method::DELETE,
        m,
        none.clone(),
        false,
        // An Admin may not delete itself.
        e((400, 200), (403, 403), (403, 403)),
    )
    .await;
    run(
        &w,
        "member teams",
        Method::GET,
        |_, _, m, _| format!("/v2/members/{m}/teams"),
        none.clone(),
        false,
        e((200, 200), (200, 403), (200, 403)),
    )
    .await;
    run(
        &w,
        "set password",
        Method::PUT,
        |_, _, m, _| format!("/v2/members/{m}/password"),
        json!({"password": "new-password-1"}),
        false,
        e((200, 200), (403, 403), (403, 403)),
    )
    .await;

    run(
        &w,
        "list teams",
        Method::GET,
        |_, _, _, _| "/v2/teams".into(),
        none.clone(),
        false,
        e((200, 200), (200, 200), (200, 200)),
    )
    .await;
    run(
        &w,
        "create team",
        Method::POST,
        |_, _, _, _| "/v2/teams".into(),
        json!({"name": "new"}),
        false,
        e((200, 200), (403, 403), (403, 403)),
    )
    .await;
    run(
        &w,
        "get team",
        Method::GET,
        t,
        none.clone(),
        false,
        e((200, 200), (200, 404), (200, 404)),
    )
    .await;
    run(
        &w,
        "update team",
        Method::PATCH,
        t,
        json!({"description": "changed"}),
        false,
        e((200, 200), (403, 403), (403, 403)),
    )
    .await;
    run(
        &w,
        "delete team",
        Method::DELETE,
        t,
        none.clone(),
        true,
        e((200, 200), (403, 403), (403, 403)),
    )
    .await;
    run(
        &w,
        "team members",
        Method::GET,
        |_, _, _, t| format!("/v2/teams/{t}/members"),
        none.clone(),
        false,
        e((200, 200), (200, 404), (200, 404)),
    )
    .await;
    run(
        &w,
        "change team members",
        Method::PATCH,
        |_, _, _, t| format!("/v2/teams/{t}/members"),
        json!({"add": null, "remove": []}),
        false,
        e((200, 200), (200, 404), (403, 404)),
    )
    .await;

    run(
        &w,
        "list account types",
        Method::GET,
        |_, _, _, _| "/v2/accountTypes".into(),
        none.clone(),
        false,
        e((200, 200), (403, 403), (403, 403)),
    )
    .await;
    run(
        &w,
        "create account type",
        Method::POST,
        |_, _, _, _| "/v2/accountTypes".into(),
        json!({"name": "", "permissions": []}),
        false,
        e((400, 400), (403, 403), (403, 403)),
    )
    .await;

    // Public teams are readable by everyone.
    let (_, public) = w
        .app
        .send_json(
            Method::POST,
            "/v2/teams",
            Some(&w.admin_token),
            &json!({"name": "open", "visibility": "public"}),
        )
        .await;
    for c in &w.callers {
        let (status, _) = w
            .app
            .get(
                &format!("/v2/teams/{}", public["teamId"].as_str().unwrap()),
                Some(&c.token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{:?}", c.role);
        // And a non-admin's list holds public teams and its own, never other private ones.
        let (_, list) = w.app.get("/v2/teams?limit=1000", Some(&c.token)).await;
        let names: Vec<&str> = list["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        if c.role != Role::Admin {
            assert!(
                names.contains(&"open") && names.contains(&"own"),
                "{:?}: {names:?}",
                c.role
            );
            assert!(!names.contains(&"other"), "{:?}: {names:?}", c.role);
        }
    }
}
