//! Members and teams: who may do what, what is refused and naming which field, and
//! that a refused request writes nothing.

use sigil_core::BuiltinAccountType::{Creator, Viewer};
use sigil_service::members::{MemberFilter, MemberUpdate, NewMember};
use sigil_service::paging::PageRequest;
use sigil_service::teams::{NewTeamInput, TeamFilter};
use sigil_service::ServiceError;

use crate::*;

#[tokio::test]
async fn only_admins_manage_members_and_a_member_reads_only_itself() {
    let w = World::new().await;
    let m = w.member("m@example.com", Creator).await;
    let other = w.member("o@example.com", Viewer).await;
    let members = &w.services.members;
    assert_forbidden(
        members
            .list(&m, MemberFilter::default(), PageRequest::default())
            .await,
    );
    assert_forbidden(
        members
            .create(
                &m,
                NewMember {
                    email: "x@example.com".into(),
                    ..Default::default()
                },
            )
            .await,
    );
    assert_forbidden(members.get(&m, other.id()).await);
    assert_eq!(members.get(&m, m.id()).await.unwrap().member.id, m.id());
    let page = members
        .list(&w.admin, MemberFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.total, 3);
    assert!(page
        .entries
        .iter()
        .any(|r| r.member.id == m.id() && r.account_type.name == "Creator"));
}

#[tokio::test]
async fn bad_members_are_refused_naming_the_field_and_nothing_is_written() {
    let w = World::new().await;
    let members = &w.services.members;
    let new = |email: &str| NewMember {
        email: email.into(),
        first_name: "A".into(),
        last_name: "B".into(),
        ..Default::default()
    };
    assert_invalid(members.create(&w.admin, new("not-an-email")).await, "email");
    assert_invalid(
        members
            .create(
                &w.admin,
                NewMember {
                    member_type: Some("Wizard".into()),
                    ..new("a@example.com")
                },
            )
            .await,
        "memberType",
    );
    let msg = assert_invalid(
        members
            .create(
                &w.admin,
                NewMember {
                    add_to_teams: vec![sigil_service::members::AddToTeam {
                        team_id: uuid::Uuid::new_v4().to_string(),
                        is_team_admin: false,
                    }],
                    ..new("a@example.com")
                },
            )
            .await,
        "addToTeams",
    );
    assert!(msg.contains("unknown teams"), "{msg}");
    assert!(w
        .store
        .member_by_email("a@example.com")
        .await
        .unwrap()
        .is_none());
    members
        .create(&w.admin, new("a@example.com"))
        .await
        .unwrap();
    assert!(matches!(
        members.create(&w.admin, new("A@Example.com")).await,
        Err(ServiceError::Conflict(_))
    ));
}

#[tokio::test]
async fn an_admin_cannot_deactivate_itself_and_a_deactivated_member_is_no_caller() {
    let w = World::new().await;
    let members = &w.services.members;
    let r = members.deactivate(&w.admin, w.admin.id()).await;
    assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{r:?}");
    let r = members
        .update(
            &w.admin,
            w.admin.id(),
            MemberUpdate {
                is_inactive: Some(true),
                ..Default::default()
            },
        )
        .await;
    assert!(matches!(r, Err(ServiceError::Invalid { .. })), "{r:?}");
    assert!(!w.reread(w.admin.id()).await.is_inactive, "nothing written");

    let m = w.member("m@example.com", Viewer).await;
    members.deactivate(&w.admin, m.id()).await.unwrap();
    assert!(w.reread(m.id()).await.is_inactive);
    assert!(matches!(
        w.services.auth.caller(m.id()).await,
        Err(ServiceError::Unauthenticated(_))
    ));
    // Updates are written whole and read back.
    let o = w.member("o@example.com", Viewer).await;
    members
        .update(
            &w.admin,
            o.id(),
            MemberUpdate {
                first_name: Some(" Ada ".into()),
                member_type: Some("Creator".into()),
                profile_img_url: Some(Some("https://x/y.png".into())),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let back = w.reread(o.id()).await;
    assert_eq!(back.first_name, "Ada");
    assert_eq!(back.profile_img_url.as_deref(), Some("https://x/y.png"));
    assert_eq!(w.caller(o.id()).await.account_type.name, "Creator");
}

#[tokio::test]
async fn private_teams_are_hidden_and_team_admins_change_only_their_teams_members() {
    let w = World::new().await;
    let teams = &w.services.teams;
    let a = w.member("a@example.com", Viewer).await;
    let b = w.member("b@example.com", Viewer).await;
    let team = teams
        .create(
            &w.admin,
            NewTeamInput {
                name: "Secret".into(),
                members: vec![a.id().to_string()],
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .team;
    assert_forbidden(
        teams
            .create(
                &a,
                NewTeamInput {
                    name: "Mine".into(),
                    ..Default::default()
                },
            )
            .await,
    );
    assert_not_found(teams.get(&b, team.id).await);
    let listed = teams
        .list(&b, TeamFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 0, "a private team is not listed to others");
    assert_eq!(teams.get(&a, team.id).await.unwrap().members, [a.id()]);

    // A plain member may not change the members; a team admin may.
    assert_forbidden(
        teams
            .change_members(&a, team.id, &[b.id().to_string()], &[])
            .await,
    );
    teams
        .set_team_admin(&w.admin, team.id, a.id(), true)
        .await
        .unwrap();
    let bad = [b.id().to_string(), "nobody".to_string()];
    let msg = assert_invalid(teams.change_members(&a, team.id, &bad, &[]).await, "add");
    assert!(msg.contains("nobody"), "{msg}");
    assert_eq!(
        teams.get(&a, team.id).await.unwrap().members,
        [a.id()],
        "all or nothing"
    );
    teams
        .change_members(&a, team.id, &[b.id().to_string()], &[])
        .await
        .unwrap();
    let mut now = teams.get(&w.admin, team.id).await.unwrap().members;
    now.sort();
    let mut want = vec![a.id(), b.id()];
    want.sort();
    assert_eq!(now, want);
    assert!(
        w.store
            .team_membership(team.id, a.id())
            .await
            .unwrap()
            .unwrap()
            .is_team_admin,
        "adding members kept a's team-admin flag"
    );
}
