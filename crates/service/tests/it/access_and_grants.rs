//! The access decision and grants: one path for every "may this member do X here",
//! the limits of a grant request, and what a member sees through a team's grant.

use sigil_core::BuiltinAccountType::{Creator, Explorer, Viewer};
use sigil_core::GrantPermission;
use sigil_service::grants::{GrantInput, GranteeInput};
use sigil_service::paging::PageRequest;
use sigil_service::teams::NewTeamInput;
use sigil_service::workspaces::{Created, WorkspaceFilter};
use sigil_service::ServiceError;

use crate::*;

fn to_member(id: sigil_core::MemberId, p: &str) -> GrantInput {
    GrantInput {
        grantee: GranteeInput {
            member_id: Some(id.to_string()),
            team_id: None,
        },
        permission: p.into(),
    }
}

#[tokio::test]
async fn a_teams_grant_reaches_its_members_and_no_further() {
    let w = World::new().await;
    let s = &w.services;
    let creator = w.member("c@example.com", Creator).await;
    let member = w.member("m@example.com", Explorer).await;
    let outsider = w.member("o@example.com", Viewer).await;
    assert_forbidden(s.workspaces.create(&outsider, "Nope", false).await);
    let Created::Created(ws) = s.workspaces.create(&creator, "Sales", false).await.unwrap() else {
        panic!("a new name creates")
    };
    let team = s
        .teams
        .create(
            &w.admin,
            NewTeamInput {
                name: "Analysts".into(),
                members: vec![member.id().to_string()],
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .team;
    s.grants
        .grant_on_workspace(
            &creator,
            ws.id,
            &[GrantInput {
                grantee: GranteeInput {
                    member_id: None,
                    team_id: Some(team.id.to_string()),
                },
                permission: "explore".into(),
            }],
        )
        .await
        .unwrap();
    let d = s.access.of_caller(&member, ws.id).await.unwrap();
    assert_eq!(d.permission, Some(GrantPermission::Explore));
    assert_eq!(d.grants.len(), 1);
    assert_eq!(
        s.workspaces.get(&member, ws.id).await.unwrap().name,
        "Sales"
    );
    let seen = s
        .workspaces
        .list(&member, WorkspaceFilter::default(), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(seen.total, 1);
    // Can Explore may not share; someone without access does not even see it.
    assert_forbidden(
        s.grants
            .grant_on_workspace(&member, ws.id, &[to_member(outsider.id(), "view")])
            .await,
    );
    assert!(!s.access.can_manage(&member, ws.id).await.unwrap());
    assert_not_found(s.workspaces.get(&outsider, ws.id).await);
    assert_not_found(
        s.grants
            .of_workspace(&outsider, ws.id, PageRequest::default())
            .await,
    );
    // Explaining another member's access needs Can Manage.
    assert_forbidden(s.access.explain(&member, ws.id, creator.id()).await);
    let why = s
        .access
        .explain(&creator, ws.id, member.id())
        .await
        .unwrap();
    assert_eq!(why.permission, Some(GrantPermission::Explore));
}

#[tokio::test]
async fn a_grant_request_is_checked_whole_before_anything_is_written() {
    let w = World::new().await;
    let s = &w.services;
    let a = w.member("a@example.com", Viewer).await;
    let Created::Created(ws) = s.workspaces.create(&w.admin, "W", false).await.unwrap() else {
        panic!()
    };
    let before = s
        .grants
        .of_workspace(&w.admin, ws.id, PageRequest::default())
        .await
        .unwrap()
        .total;
    let many: Vec<GrantInput> = (0..101).map(|_| to_member(a.id(), "view")).collect();
    assert_invalid(
        s.grants.grant_on_workspace(&w.admin, ws.id, &many).await,
        "grants",
    );
    let twice = [to_member(a.id(), "view"), to_member(a.id(), "edit")];
    let msg = assert_invalid(
        s.grants.grant_on_workspace(&w.admin, ws.id, &twice).await,
        "grants[1]",
    );
    assert!(msg.contains("twice"), "{msg}");
    let bad = [to_member(a.id(), "view"), to_member(a.id(), "owner")];
    assert_invalid(
        s.grants.grant_on_workspace(&w.admin, ws.id, &bad).await,
        "grants[1]",
    );
    let unknown = [to_member(sigil_core::MemberId::new(), "view")];
    assert_invalid(
        s.grants.grant_on_workspace(&w.admin, ws.id, &unknown).await,
        "grants[0]",
    );
    let after = s
        .grants
        .of_workspace(&w.admin, ws.id, PageRequest::default())
        .await
        .unwrap()
        .total;
    assert_eq!(before, after, "nothing written");
    // Upserted: a second grant to one member replaces the first.
    s.grants
        .grant_on_workspace(&w.admin, ws.id, &[to_member(a.id(), "view")])
        .await
        .unwrap();
    let e = s
        .grants
        .grant(&w.admin, ws.id, &to_member(a.id(), "organize"))
        .await
        .unwrap();
    assert_eq!(e.grant.permission, GrantPermission::Organize);
    assert_eq!(
        e.inode_type, "folder",
        "a workspace is a folder in Sigma's inode types"
    );
    let page = s
        .grants
        .of_workspace(&w.admin, ws.id, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(page.total, before + 1);
    // A revoked grant is gone, and revoking it again is "not found".
    s.grants.revoke(&w.admin, e.grant.id).await.unwrap();
    assert_not_found(s.grants.get(&w.admin, e.grant.id).await);
    assert!(matches!(
        s.grants.revoke(&w.admin, e.grant.id).await,
        Err(ServiceError::NotFound(_))
    ));
}
