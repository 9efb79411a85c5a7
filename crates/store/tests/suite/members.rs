//! Members and account types.

use crate::*;

pub(crate) async fn members_are_found_by_id_and_case_insensitive_email(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let found = store
        .member_by_email("ADMIN@example.COM")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, b.admin.id);
    assert!(store
        .member_by_email("nobody@example.com")
        .await
        .unwrap()
        .is_none());
    assert!(store.member(MemberId::new()).await.unwrap().is_none());

    let at = store.set_member_password(b.admin.id, "$argon2id$new", sigil_core::clock::now());
    assert!(at.await.unwrap());
    let m = store.member(b.admin.id).await.unwrap().unwrap();
    assert_eq!(m.password_hash.as_deref(), Some("$argon2id$new"));
    assert!(!store
        .set_member_password(MemberId::new(), "x", sigil_core::clock::now())
        .await
        .unwrap());
}

pub(crate) async fn duplicate_email_is_a_conflict(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let twin = Member {
        id: MemberId::new(),
        email: "ADMIN@example.com".into(),
        home_folder_id: Some(sigil_core::InodeId::new()),
        ..b.admin.clone()
    };
    let err = store.insert_member(&twin, &[]).await.unwrap_err();
    assert!(
        matches!(&err, StoreError::Conflict(m) if m.contains("email")),
        "{err:?}"
    );
    // Nothing of it stays: not the member, not its home folder.
    assert!(store.member(twin.id).await.unwrap().is_none());
    let other = Member {
        email: "other@example.com".into(),
        ..twin.clone()
    };
    store.insert_member(&other, &[]).await.unwrap();
}

pub(crate) async fn account_types_are_listed_created_and_deleted_with_reassignment(
    store: Arc<SqlStore>,
) {
    let b = bootstrapped(&store).await;
    let names = |v: Vec<AccountType>| v.into_iter().map(|t| t.name).collect::<Vec<_>>();
    assert_eq!(
        names(store.list_account_types(None, 10).await.unwrap()),
        ["Admin", "Creator", "Explorer", "Viewer"]
    );
    assert_eq!(
        names(store.list_account_types(Some("Creator"), 1).await.unwrap()),
        ["Explorer"]
    );
    let custom = AccountType {
        name: "Custom".into(),
        builtin: false,
        permissions: vec![sigil_core::Permission::View],
        ..AccountType::builtin(b.organization.id, BuiltinAccountType::Viewer)
    };
    let now = sigil_core::clock::now();
    store.insert_account_type(&custom, now).await.unwrap();
    let dup = AccountType {
        id: sigil_core::AccountTypeId::new(),
        ..custom.clone()
    };
    assert!(matches!(
        store.insert_account_type(&dup, now).await.unwrap_err(),
        StoreError::Conflict(_)
    ));
    let holder = Member {
        id: MemberId::new(),
        email: "holder@example.com".into(),
        account_type_id: custom.id,
        home_folder_id: None,
        ..b.admin.clone()
    };
    store.insert_member(&holder, &[]).await.unwrap();
    assert_eq!(
        store
            .delete_account_type(custom.id, None, now)
            .await
            .unwrap(),
        DeleteAccountType::InUse { members: 1 }
    );
    assert!(store.account_type(custom.id).await.unwrap().is_some());
    let viewer = b.account_types[3].id;
    assert_eq!(
        store
            .delete_account_type(custom.id, Some(viewer), now)
            .await
            .unwrap(),
        DeleteAccountType::Deleted { reassigned: 1 }
    );
    assert_eq!(
        store
            .member(holder.id)
            .await
            .unwrap()
            .unwrap()
            .account_type_id,
        viewer
    );
    assert_eq!(
        store
            .delete_account_type(custom.id, None, now)
            .await
            .unwrap(),
        DeleteAccountType::NotFound
    );
}

pub(crate) async fn members_are_paged_by_keyset_or_offset_with_filters(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    for e in ["c@x.io", "a@x.io", "d@x.io", "b@x.io"] {
        store
            .insert_member(&member_named(&b, e), &[])
            .await
            .unwrap();
    }
    let all = MemberFilter::default();
    let emails = |v: &[Member]| v.iter().map(|m| m.email.clone()).collect::<Vec<_>>();
    let (p1, total) = store
        .list_members(&all, &Position::Start, 2, true)
        .await
        .unwrap();
    assert_eq!(emails(&p1), ["a@x.io", "admin@example.com"]);
    assert_eq!(total, Some(5));
    let (p2, total) = store
        .list_members(&all, &Position::After("admin@example.com".into()), 2, false)
        .await
        .unwrap();
    assert_eq!(emails(&p2), ["b@x.io", "c@x.io"]);
    assert_eq!(total, None);
    let (p3, _) = store
        .list_members(&all, &Position::Offset(4), 2, false)
        .await
        .unwrap();
    assert_eq!(emails(&p3), ["d@x.io"]);

    let mut d = store.member_by_email("d@x.io").await.unwrap().unwrap();
    d.is_archived = true;
    store.update_member(&d, false).await.unwrap();
    let (_, total) = store
        .list_members(&all, &Position::Start, 10, true)
        .await
        .unwrap();
    assert_eq!(total, Some(4), "archived members are left out by default");
    let with_archived = MemberFilter {
        include_archived: true,
        ..all.clone()
    };
    let (_, total) = store
        .list_members(&with_archived, &Position::Start, 10, true)
        .await
        .unwrap();
    assert_eq!(total, Some(5));
    let search = MemberFilter {
        search: Some("ADMIN".into()),
        ..all.clone()
    };
    let (found, _) = store
        .list_members(&search, &Position::Start, 10, true)
        .await
        .unwrap();
    assert_eq!(emails(&found), ["admin@example.com"]);
    let wildcard = MemberFilter {
        search: Some("_".into()),
        ..all
    };
    let (found, _) = store
        .list_members(&wildcard, &Position::Start, 10, true)
        .await
        .unwrap();
    assert!(found.is_empty(), "LIKE wildcards in a search are literal");
}

pub(crate) async fn deactivating_a_member_revokes_its_refresh_tokens(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let t = refresh_for(b.admin.id, None, b"tok", Duration::hours(1));
    store.insert_refresh_token(&t).await.unwrap();
    let mut admin = store.member(b.admin.id).await.unwrap().unwrap();
    admin.is_inactive = true;
    admin.updated_at = sigil_core::clock::now();
    store.update_member(&admin, true).await.unwrap();
    let now = sigil_core::clock::now();
    let next = refresh_for(b.admin.id, None, b"next", Duration::hours(1));
    assert_eq!(
        store
            .rotate_refresh_token(b"tok", &next, now)
            .await
            .unwrap(),
        RotateOutcome::Revoked
    );
    let feed = store
        .revocations_since(0, now - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(feed[0].kind, RevocationKind::Member);
    assert_eq!(feed[0].subject, b.admin.id.to_string());
}
