//! The file tree, workbooks and grants.

use crate::*;

pub(crate) async fn workbooks_are_nodes_with_versioned_documents(store: Arc<SqlStore>) {
    use sigil_store::WorkbookStore;
    let b = bootstrapped(&store).await;
    let now = sigil_core::clock::now();
    let ws = sigil_store::Inode::new("workspace", "ws", None, Some(b.admin.id), now);
    store.insert_inode(&ws).await.unwrap();
    let wb = sigil_store::Inode::new("workbook", "wb", Some(ws.id), Some(b.admin.id), now);
    store.create_workbook(&wb, "{\"pages\":[]}").await.unwrap();
    assert_eq!(store.inode(wb.id).await.unwrap().unwrap().kind, "workbook");
    assert_eq!(
        store.workbook_document(wb.id).await.unwrap(),
        Some(("{\"pages\":[]}".to_owned(), 1))
    );
    let v = store
        .save_workbook_document(wb.id, "{\"pages\":[{}]}", b.admin.id, now, None)
        .await
        .unwrap();
    assert_eq!(v, Some(2));
    let other = sigil_core::InodeId::new();
    let versions = store.workbook_versions(&[wb.id, other]).await.unwrap();
    assert_eq!(versions.len(), 1, "an absent workbook is left out");
    assert_eq!(versions[&wb.id], 2);
    assert_eq!(
        store.workbook_document(other).await.unwrap(),
        None,
        "absent, not failed"
    );
    assert_eq!(
        store
            .save_workbook_document(other, "{}", b.admin.id, now, None)
            .await
            .unwrap(),
        None
    );
    // A save from an old version is refused, and leaves the document as it was.
    assert_eq!(
        store
            .save_workbook_document(wb.id, "{\"pages\":[1]}", b.admin.id, now, Some(1))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.workbook_document(wb.id).await.unwrap(),
        Some(("{\"pages\":[{}]}".to_owned(), 2))
    );
    assert_eq!(
        store
            .save_workbook_document(wb.id, "{\"pages\":[2]}", b.admin.id, now, Some(2))
            .await
            .unwrap(),
        Some(3)
    );
    // Every version is in the history, newest first; the refused save is not.
    let history = store.workbook_history(wb.id).await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [3, 2, 1]
    );
    assert!(history
        .iter()
        .all(|v| v.saved_by == Some(b.admin.id) && v.saved_at == now));
    assert!(store.workbook_history(other).await.unwrap().is_empty());

    // The run trace keeps only the newest runs, newest first, every field read back.
    let run = |n: i64| sigil_store::WorkbookRun {
        id: uuid::Uuid::now_v7(),
        workbook_id: wb.id,
        member_id: b.admin.id,
        at: now,
        trigger: "button".into(),
        sequence_id: format!("s{n}"),
        ok: n % 2 == 0,
        failed_step: (n % 2 == 1).then_some(1),
        error: (n % 2 == 1).then(|| "step 1 failed".to_owned()),
        duration_ms: 1.5,
        steps: "[]".into(),
        finished: true,
        outcome: None,
    };
    let mut written = Vec::new();
    for n in 0..5 {
        let r = run(n);
        store.insert_workbook_run(&r, 3).await.unwrap();
        written.push(r);
    }
    let read = store.workbook_runs(wb.id, 10).await.unwrap();
    let newest: Vec<_> = written.iter().rev().take(3).cloned().collect();
    assert_eq!(read.len(), 3, "only the newest three are kept");
    for (a, b) in read.iter().zip(&newest) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.sequence_id, b.sequence_id);
        assert_eq!(a.ok, b.ok);
        assert_eq!(a.failed_step, b.failed_step);
        assert_eq!(a.error, b.error);
        assert_eq!(a.trigger, b.trigger);
        assert_eq!(a.member_id, b.member_id);
        assert_eq!(a.duration_ms, b.duration_ms);
        assert_eq!(a.steps, b.steps);
        assert_eq!(a.at.unix_timestamp(), b.at.unix_timestamp());
    }
    assert!(store.workbook_runs(other, 10).await.unwrap().is_empty());

    // A webhook's run: written pending, then finished with its outcome.
    let mut pending = run(6);
    pending.trigger = "webhook".into();
    pending.finished = false;
    store.insert_workbook_run(&pending, 3).await.unwrap();
    let read = store.workbook_run(pending.id).await.unwrap().unwrap();
    assert!(!read.finished);
    assert_eq!(read.outcome, None);
    let mut done = pending.clone();
    done.finished = true;
    done.ok = false;
    done.failed_step = Some(2);
    done.error = Some("step 2 failed".into());
    done.duration_ms = 9.25;
    done.steps = "[{\"step\":1}]".into();
    done.outcome = Some("{\"ok\":false}".into());
    assert!(store.finish_workbook_run(&done).await.unwrap());
    let read = store.workbook_run(pending.id).await.unwrap().unwrap();
    assert_eq!((read.finished, read.ok), (true, false));
    assert_eq!(read.failed_step, Some(2));
    assert_eq!(read.error, done.error);
    assert_eq!(read.duration_ms, 9.25);
    assert_eq!(read.steps, done.steps);
    assert_eq!(read.outcome, done.outcome);
    assert_eq!(read.trigger, "webhook");
    assert_eq!(
        store.workbook_run(uuid::Uuid::now_v7()).await.unwrap(),
        None
    );
    let mut gone = done.clone();
    gone.id = uuid::Uuid::now_v7();
    assert!(
        !store.finish_workbook_run(&gone).await.unwrap(),
        "no such run"
    );
}

pub(crate) async fn workspace_for(
    store: &SqlStore,
    b: &Bootstrap,
    name: &str,
) -> sigil_store::Inode {
    let now = sigil_core::clock::now();
    let ws = sigil_store::Inode::new("workspace", name, None, Some(b.admin.id), now);
    let g = sigil_store::Grant {
        id: sigil_core::GrantId::new(),
        inode_id: ws.id,
        member_id: Some(b.admin.id),
        team_id: None,
        permission: sigil_core::GrantPermission::Edit,
        created_by: Some(b.admin.id),
        updated_by: Some(b.admin.id),
        created_at: now,
        updated_at: now,
    };
    store.create_workspace(&ws, &g).await.unwrap();
    ws
}

pub(crate) async fn grants_upsert_one_per_grantee_and_apply_through_teams_and_ancestors(
    store: Arc<SqlStore>,
) {
    use sigil_core::GrantPermission::*;
    use sigil_store::Grantee;
    let b = bootstrapped(&store).await;
    let ws = workspace_for(&store, &b, "ws").await;
    let m = member_named(&b, "g@x.io");
    store.insert_member(&m, &[]).await.unwrap();
    let t1 = sigil_core::clock::now();
    store
        .upsert_grants(ws.id, &[(Grantee::Member(m.id), View)], b.admin.id, t1)
        .await
        .unwrap();
    let t2 = t1 + Duration::seconds(5);
    store
        .upsert_grants(ws.id, &[(Grantee::Member(m.id), Organize)], m.id, t2)
        .await
        .unwrap();
    let (grants, total) = store.grants_on(ws.id, None, 0, 10, true).await.unwrap();
    assert_eq!(total, Some(2), "the creator's grant and one for the member");
    let g = grants.iter().find(|g| g.member_id == Some(m.id)).unwrap();
    assert_eq!(g.permission, Organize);
    assert_eq!((g.created_at, g.updated_at), (t1, t2), "createdAt stays");
    assert_eq!(g.updated_by, Some(m.id));
    // Granting the same permission again changes nothing.
    store
        .upsert_grants(
            ws.id,
            &[(Grantee::Member(m.id), Organize)],
            b.admin.id,
            t2 + Duration::seconds(5),
        )
        .await
        .unwrap();
    assert_eq!(store.grant(g.id).await.unwrap().unwrap().updated_at, t2);

    // A team grant on a parent reaches a member of the team on a child folder.
    let now = sigil_core::clock::now();
    let folder = sigil_store::Inode::new("folder", "f", Some(ws.id), Some(b.admin.id), now);
    let ws_only = sigil_store::Grant {
        id: sigil_core::GrantId::new(),
        inode_id: folder.id,
        member_id: Some(b.admin.id),
        team_id: None,
        permission: View,
        created_by: None,
        updated_by: None,
        created_at: now,
        updated_at: now,
    };
    store.create_workspace(&folder, &ws_only).await.unwrap();
    let other = member_named(&b, "o@x.io");
    store.insert_member(&other, &[]).await.unwrap();
    assert!(store
        .applicable_grants(other.id, folder.id)
        .await
        .unwrap()
        .is_empty());
    let team = sigil_core::Team {
        id: sigil_core::TeamId::new(),
        name: "t".into(),
        description: String::new(),
        visibility: sigil_core::Visibility::Private,
        workspace_id: None,
        is_archived: false,
        created_by: None,
        updated_by: None,
        created_at: now,
        updated_at: now,
    };
    let tm = sigil_core::TeamMember {
        team_id: team.id,
        member_id: other.id,
        is_team_admin: false,
        added_by: None,
        created_at: now,
    };
    store
        .insert_team(&NewTeam {
            team: team.clone(),
            members: vec![tm],
            workspace: None,
        })
        .await
        .unwrap();
    store
        .upsert_grants(ws.id, &[(Grantee::Team(team.id), Explore)], b.admin.id, now)
        .await
        .unwrap();
    let applied = store.applicable_grants(other.id, folder.id).await.unwrap();
    assert_eq!(applied.len(), 1);
    // The generic listing: on the folder alone, or with its ancestors.
    let direct = sigil_store::GrantFilter {
        inode: Some(folder.id),
        ..Default::default()
    };
    assert_eq!(store.list_grants(&direct, None, 0, 10).await.unwrap().1, 1);
    let inherited = sigil_store::GrantFilter {
        include_ancestors: true,
        ..direct.clone()
    };
    let (all, total) = store.list_grants(&inherited, None, 0, 10).await.unwrap();
    assert_eq!(
        total, 4,
        "the folder's grant and the workspace's three: {all:?}"
    );
    let by_team = sigil_store::GrantFilter {
        team: Some(team.id),
        ..Default::default()
    };
    assert_eq!(store.list_grants(&by_team, None, 0, 10).await.unwrap().1, 1);
    let via_teams = sigil_store::GrantFilter {
        member: Some(other.id),
        include_teams: true,
        ..Default::default()
    };
    assert_eq!(
        store.list_grants(&via_teams, None, 0, 10).await.unwrap().1,
        1
    );
    assert_eq!(
        (applied[0].team_id, applied[0].permission),
        (Some(team.id), Explore)
    );
    let counted = |inode| {
        let store = store.clone();
        async move {
            store
                .grants_on(inode, None, 0, 1, true)
                .await
                .unwrap()
                .1
                .unwrap()
        }
    };
    assert_eq!(counted(ws.id).await, 3, "kept by the triggers");
    // Leaving the team ends it.
    store
        .change_team_members(team.id, &[], &[other.id])
        .await
        .unwrap();
    assert!(store
        .applicable_grants(other.id, folder.id)
        .await
        .unwrap()
        .is_empty());

    assert!(store.delete_grant(g.id).await.unwrap());
    assert!(!store.delete_grant(g.id).await.unwrap());
    assert_eq!(counted(ws.id).await, 2);
    // A deleted team's grants leave the count with it.
    store.delete_team(team.id).await.unwrap();
    assert_eq!(counted(ws.id).await, 1);
    assert_eq!(counted(folder.id).await, 1);
    assert_eq!(counted(sigil_core::InodeId::new()).await, 0);
}

pub(crate) async fn concurrent_grants_of_one_grantee_never_make_two(store: Arc<SqlStore>) {
    use sigil_core::GrantPermission::*;
    use sigil_store::Grantee;
    let b = bootstrapped(&store).await;
    let ws = workspace_for(&store, &b, "race").await;
    let m = member_named(&b, "r@x.io");
    store.insert_member(&m, &[]).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let store = store.clone();
        let by = b.admin.id;
        let perm = [View, Explore, Organize, Edit][i % 4];
        tasks.push(tokio::spawn(async move {
            store
                .upsert_grants(
                    ws.id,
                    &[(Grantee::Member(m.id), perm)],
                    by,
                    sigil_core::clock::now(),
                )
                .await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let (grants, _) = store.grants_on(ws.id, None, 0, 100, false).await.unwrap();
    assert_eq!(
        grants.iter().filter(|g| g.member_id == Some(m.id)).count(),
        1
    );
}

pub(crate) async fn nodes_are_listed_by_parent_visibility_and_permission(store: Arc<SqlStore>) {
    use sigil_core::GrantPermission::*;
    use sigil_store::{Grantee, InodeFilter};
    let b = bootstrapped(&store).await;
    let ws = workspace_for(&store, &b, "W").await;
    let now = sigil_core::clock::now();
    let f = sigil_store::Inode::new("folder", "F", Some(ws.id), Some(b.admin.id), now);
    store.insert_inode(&f).await.unwrap();
    let g = sigil_store::Inode::new("folder", "G", Some(f.id), Some(b.admin.id), now);
    store.insert_inode(&g).await.unwrap();
    let path: Vec<String> = store
        .inode_path(g.id)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.name)
        .collect();
    assert_eq!(path, ["W", "F", "G"]);

    let m = member_named(&b, "v@x.io");
    store.insert_member(&m, &[]).await.unwrap();
    let names = |v: Vec<sigil_store::Inode>| v.into_iter().map(|n| n.name).collect::<Vec<_>>();
    let list = |f: InodeFilter| {
        let store = store.clone();
        async move {
            store
                .list_inodes(&f, &Position::Start, 100, true)
                .await
                .unwrap()
        }
    };
    let visible = InodeFilter {
        visible_to: Some(m.id),
        ..Default::default()
    };
    assert_eq!(
        names(list(visible.clone()).await.0),
        ["My Documents"],
        "only its home folder"
    );
    store
        .upsert_grants(ws.id, &[(Grantee::Member(m.id), View)], b.admin.id, now)
        .await
        .unwrap();
    store
        .upsert_grants(f.id, &[(Grantee::Member(m.id), Organize)], b.admin.id, now)
        .await
        .unwrap();
    assert_eq!(
        names(list(visible.clone()).await.0),
        ["F", "G", "My Documents", "W"]
    );
    let contrib = InodeFilter {
        min_permission: Some(Organize),
        ..visible.clone()
    };
    assert_eq!(names(list(contrib).await.0), ["F", "G", "My Documents"]);
    let children = InodeFilter {
        parent: Some(ws.id),
        ..visible.clone()
    };
    assert_eq!(names(list(children).await.0), ["F"]);
    let below = InodeFilter {
        parent: Some(ws.id),
        descendants: true,
        kinds: vec!["folder".into()],
        ..visible
    };
    let (found, total) = list(below).await;
    assert_eq!(
        (names(found), total),
        (vec!["F".to_string(), "G".to_string()], Some(2))
    );
}

pub(crate) async fn upserts_answer_each_grant_as_it_now_stands(store: Arc<SqlStore>) {
    use sigil_core::GrantPermission::*;
    use sigil_store::Grantee;
    let b = bootstrapped(&store).await;
    let ws = workspace_for(&store, &b, "ws").await;
    let (m1, m2) = (member_named(&b, "a@x.io"), member_named(&b, "b@x.io"));
    store.insert_member(&m1, &[]).await.unwrap();
    store.insert_member(&m2, &[]).await.unwrap();
    let t1 = sigil_core::clock::now();
    let first = store
        .upsert_grants(
            ws.id,
            &[
                (Grantee::Member(m1.id), View),
                (Grantee::Member(m2.id), Edit),
            ],
            b.admin.id,
            t1,
        )
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(
        (first[0].member_id, first[0].permission, first[0].created_at),
        (Some(m1.id), View, t1)
    );
    assert_eq!(
        (first[1].member_id, first[1].permission),
        (Some(m2.id), Edit)
    );
    // One changed, one the same again: both answered, in the order asked.
    let t2 = t1 + Duration::seconds(5);
    let second = store
        .upsert_grants(
            ws.id,
            &[
                (Grantee::Member(m2.id), Edit),
                (Grantee::Member(m1.id), Explore),
            ],
            m2.id,
            t2,
        )
        .await
        .unwrap();
    assert_eq!(second[0].id, first[1].id);
    assert_eq!(
        (second[0].updated_at, second[0].updated_by),
        (t1, Some(b.admin.id)),
        "unchanged: the grant as it stood"
    );
    assert_eq!(
        second[1].id, first[0].id,
        "updated in place, not a new grant"
    );
    assert_eq!(
        (
            second[1].permission,
            second[1].created_at,
            second[1].updated_at
        ),
        (Explore, t1, t2)
    );
    // What the upsert answered is what a read finds.
    for g in &second {
        assert_eq!(store.grant(g.id).await.unwrap().as_ref(), Some(g));
    }
}
