//! Teams and their memberships.

use crate::*;

pub(crate) async fn teams_are_created_with_workspace_and_members_and_deleted_whole(
    store: Arc<SqlStore>,
) {
    let b = bootstrapped(&store).await;
    let m = member_named(&b, "t@x.io");
    store.insert_member(&m, &[]).await.unwrap();
    let now = sigil_core::clock::now();
    let mk = |name: &str, vis| sigil_core::Team {
        id: sigil_core::TeamId::new(),
        name: name.into(),
        description: String::new(),
        visibility: vis,
        workspace_id: None,
        is_archived: false,
        created_by: Some(b.admin.id),
        updated_by: Some(b.admin.id),
        created_at: now,
        updated_at: now,
    };
    let ws_id = sigil_core::InodeId::new();
    let mut red = mk("red", sigil_core::Visibility::Private);
    red.workspace_id = Some(ws_id);
    let ws = sigil_store::Inode {
        id: ws_id,
        ..sigil_store::Inode::new("workspace", "red", None, Some(b.admin.id), now)
    };
    let grant = sigil_store::Grant {
        id: sigil_core::GrantId::new(),
        inode_id: ws_id,
        member_id: None,
        team_id: Some(red.id),
        permission: sigil_core::GrantPermission::Edit,
        created_by: Some(b.admin.id),
        updated_by: Some(b.admin.id),
        created_at: now,
        updated_at: now,
    };
    let tm = sigil_core::TeamMember {
        team_id: red.id,
        member_id: m.id,
        is_team_admin: true,
        added_by: Some(b.admin.id),
        created_at: now,
    };
    store
        .insert_team(&NewTeam {
            team: red.clone(),
            members: vec![tm.clone()],
            workspace: Some((ws, grant)),
        })
        .await
        .unwrap();
    let blue = mk("blue", sigil_core::Visibility::Public);
    store
        .insert_team(&NewTeam {
            team: blue.clone(),
            members: vec![],
            workspace: None,
        })
        .await
        .unwrap();
    assert_eq!(store.team(red.id).await.unwrap().unwrap(), red);

    let names = |v: &[sigil_core::Team]| v.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    let (all, total) = store
        .list_teams(&TeamFilter::default(), &Position::Start, 10, true)
        .await
        .unwrap();
    assert_eq!(
        (names(&all), total),
        (vec!["blue".to_string(), "red".to_string()], Some(2))
    );
    let after = TeamCursor {
        name: "blue".into(),
        id: blue.id,
    };
    let (rest, _) = store
        .list_teams(&TeamFilter::default(), &Position::After(after), 10, false)
        .await
        .unwrap();
    assert_eq!(names(&rest), ["red"]);
    let outsider = TeamFilter {
        visible_to: Some(b.admin.id),
        ..TeamFilter::default()
    };
    let (seen, _) = store
        .list_teams(&outsider, &Position::Start, 10, true)
        .await
        .unwrap();
    assert_eq!(
        names(&seen),
        ["blue"],
        "a private team is hidden from non-members"
    );
    let insider = TeamFilter {
        visible_to: Some(m.id),
        ..TeamFilter::default()
    };
    let (seen, _) = store
        .list_teams(&insider, &Position::Start, 10, true)
        .await
        .unwrap();
    assert_eq!(names(&seen), ["blue", "red"]);

    assert_eq!(store.team_membership(red.id, m.id).await.unwrap(), Some(tm));
    assert_eq!(names(&store.member_teams(m.id).await.unwrap()), ["red"]);
    let ghost = MemberId::new();
    assert_eq!(
        store.missing_members(&[m.id, ghost, ghost]).await.unwrap(),
        vec![ghost]
    );
    store
        .change_team_members(red.id, &[], &[m.id])
        .await
        .unwrap();
    assert_eq!(store.team_members(red.id, None, 0, 10).await.unwrap().1, 0);

    assert!(store.delete_team(red.id).await.unwrap());
    assert!(!store.delete_team(red.id).await.unwrap());
    assert!(store.team(red.id).await.unwrap().is_none());
    assert_eq!(
        store.missing_teams(&[red.id, blue.id]).await.unwrap(),
        vec![red.id]
    );
}
