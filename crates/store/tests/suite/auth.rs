//! First run, client credentials, refresh tokens, the revocation feed, and failures.

use crate::*;

pub(crate) async fn every_write_moves_the_generation_on(store: Arc<SqlStore>) {
    let before = store.generation();
    let b = bootstrapped(&store).await;
    match store.dialect() {
        sigil_store::Dialect::Postgres => {
            // Other nodes write too: a generation only once their writes are heard of
            // (the listener is up), and then every write, heard or made, moves it.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            let listening = loop {
                if let Some(g) = store.generation() {
                    break g;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "the listener never came up"
                );
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            };
            assert!(store.bootstrap(&bootstrap_data()).await.is_err());
            assert!(store.generation().unwrap() > listening, "a write moves it");
        }
        sigil_store::Dialect::Sqlite => {
            let after_bootstrap = store.generation().unwrap();
            assert!(after_bootstrap > before.unwrap(), "a write moves it");
            store.member(b.admin.id).await.unwrap();
            assert_eq!(store.generation(), Some(after_bootstrap), "a read does not");
            // A failed write moves it too: whatever it may have done is behind it.
            assert!(store.bootstrap(&bootstrap_data()).await.is_err());
            assert!(store.generation().unwrap() > after_bootstrap);
        }
    }
}

pub(crate) async fn bootstrap_is_all_or_nothing_and_once(store: Arc<SqlStore>) {
    assert!(store.organization().await.unwrap().is_none());
    let b = bootstrapped(&store).await;
    let org = store.organization().await.unwrap().unwrap();
    assert_eq!(org, b.organization);
    let admin = store.member(b.admin.id).await.unwrap().unwrap();
    assert_eq!(
        admin.email, "admin@example.com",
        "emails are stored lower-case"
    );
    let at = store
        .account_type(admin.account_type_id)
        .await
        .unwrap()
        .unwrap();
    assert!(at.is_admin());
    assert_eq!(at.permissions, BuiltinAccountType::Admin.permissions());
    let cred = store.client_credential("c0ffee").await.unwrap().unwrap();
    assert_eq!(
        cred.scopes,
        vec![CredentialScope::Api, CredentialScope::Embed]
    );

    // A second bootstrap fails and writes nothing, not even its account types.
    let again = bootstrap_data();
    let err = store.bootstrap(&again).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyInitialized), "{err:?}");
    assert_eq!(
        store.organization().await.unwrap().unwrap().id,
        b.organization.id
    );
    assert!(store.member(again.admin.id).await.unwrap().is_none());
    assert!(store
        .account_type(again.account_types[0].id)
        .await
        .unwrap()
        .is_none());
}

pub(crate) async fn credentials_are_stored_and_revoked_with_their_tokens(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let c = credential_for(&b.admin, "beef");
    store.insert_client_credential(&c).await.unwrap();
    let dup = store.insert_client_credential(&c).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
    // The hash and the sealed secret read back as written; a credential made before
    // secrets were sealed reads back without one.
    let read = store.client_credential("beef").await.unwrap().unwrap();
    assert_eq!(read.secret_hash, c.secret_hash);
    assert_eq!(read.secret_sealed, c.secret_sealed);
    let mut old = credential_for(&b.admin, "0ld");
    old.secret_sealed = None;
    store.insert_client_credential(&old).await.unwrap();
    let read = store.client_credential("0ld").await.unwrap().unwrap();
    assert_eq!(read.secret_sealed, None);
    let t = refresh_for(b.admin.id, Some("beef"), b"h1", Duration::hours(1));
    store.insert_refresh_token(&t).await.unwrap();

    let now = sigil_core::clock::now();
    assert!(store.revoke_client_credential("beef", now).await.unwrap());
    assert!(
        !store.revoke_client_credential("beef", now).await.unwrap(),
        "only once"
    );
    assert!(!store.revoke_client_credential("nope", now).await.unwrap());
    let stored = store.client_credential("beef").await.unwrap().unwrap();
    assert_eq!(stored.revoked_at, Some(now));
    let next = refresh_for(b.admin.id, None, b"h2", Duration::hours(1));
    assert_eq!(
        store.rotate_refresh_token(b"h1", &next, now).await.unwrap(),
        RotateOutcome::Revoked
    );
    let feed = store
        .revocations_since(0, now - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].kind, RevocationKind::Credential);
    assert_eq!(feed[0].subject, "beef");
}

pub(crate) async fn refresh_tokens_rotate_once(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let t = refresh_for(b.admin.id, Some("c0ffee"), b"first", Duration::hours(1));
    store.insert_refresh_token(&t).await.unwrap();
    let now = sigil_core::clock::now();
    let next = refresh_for(MemberId::new(), None, b"second", Duration::hours(1));
    let RotateOutcome::Rotated(presented) = store
        .rotate_refresh_token(b"first", &next, now)
        .await
        .unwrap()
    else {
        panic!("expected a rotation");
    };
    assert_eq!(presented, t);
    // The successor inherits family, client and member from the presented token.
    let third = refresh_for(MemberId::new(), None, b"third", Duration::hours(1));
    let RotateOutcome::Rotated(second) = store
        .rotate_refresh_token(b"second", &third, now)
        .await
        .unwrap()
    else {
        panic!("the successor must rotate too");
    };
    assert_eq!(second.family_id, t.family_id);
    assert_eq!(second.member_id, b.admin.id);
    assert_eq!(second.client_id.as_deref(), Some("c0ffee"));
}

pub(crate) async fn reusing_a_refresh_token_revokes_its_family(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let t = refresh_for(b.admin.id, None, b"a", Duration::hours(1));
    store.insert_refresh_token(&t).await.unwrap();
    let now = sigil_core::clock::now();
    let n1 = refresh_for(b.admin.id, None, b"b", Duration::hours(1));
    assert!(matches!(
        store.rotate_refresh_token(b"a", &n1, now).await.unwrap(),
        RotateOutcome::Rotated(_)
    ));
    let n2 = refresh_for(b.admin.id, None, b"c", Duration::hours(1));
    assert_eq!(
        store.rotate_refresh_token(b"a", &n2, now).await.unwrap(),
        RotateOutcome::Reused(t.family_id)
    );
    // The legitimate successor is revoked with the family, and nothing was stored for
    // the replay.
    assert_eq!(
        store.rotate_refresh_token(b"b", &n2, now).await.unwrap(),
        RotateOutcome::Revoked
    );
    assert_eq!(
        store.rotate_refresh_token(b"c", &n2, now).await.unwrap(),
        RotateOutcome::Unknown
    );
    let feed = store
        .revocations_since(0, now - Duration::minutes(1))
        .await
        .unwrap();
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].kind, RevocationKind::Family);
    assert_eq!(feed[0].subject, t.family_id.to_string());
}

pub(crate) async fn concurrent_rotation_of_one_token_succeeds_once(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let t = refresh_for(b.admin.id, None, b"race", Duration::hours(1));
    store.insert_refresh_token(&t).await.unwrap();
    let now = sigil_core::clock::now();
    let mut tasks = Vec::new();
    for i in 0..8u8 {
        let store = store.clone();
        let next = refresh_for(b.admin.id, None, &[b'n', i], Duration::hours(1));
        tasks.push(tokio::spawn(async move {
            store
                .rotate_refresh_token(b"race", &next, now)
                .await
                .unwrap()
        }));
    }
    let mut rotated = 0;
    for t in tasks {
        match t.await.unwrap() {
            RotateOutcome::Rotated(_) => rotated += 1,
            RotateOutcome::Reused(_) | RotateOutcome::Revoked => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(rotated, 1, "exactly one presentation may win");
}

pub(crate) async fn expired_and_unknown_refresh_tokens_are_refused(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let old = refresh_for(b.admin.id, None, b"old", Duration::seconds(-5));
    store.insert_refresh_token(&old).await.unwrap();
    let now = sigil_core::clock::now();
    let next = refresh_for(b.admin.id, None, b"next", Duration::hours(1));
    assert_eq!(
        store
            .rotate_refresh_token(b"old", &next, now)
            .await
            .unwrap(),
        RotateOutcome::Expired
    );
    // The expired presentation stored nothing.
    assert_eq!(
        store
            .rotate_refresh_token(b"next", &next, now)
            .await
            .unwrap(),
        RotateOutcome::Unknown
    );
    assert_eq!(
        store
            .rotate_refresh_token(b"never", &next, now)
            .await
            .unwrap(),
        RotateOutcome::Unknown
    );
}

pub(crate) async fn revocation_feed_is_ordered_and_windowed(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    for id in ["c1", "c2", "c3"] {
        store
            .insert_client_credential(&credential_for(&b.admin, id))
            .await
            .unwrap();
        store
            .revoke_client_credential(id, sigil_core::clock::now())
            .await
            .unwrap();
    }
    let since = sigil_core::clock::now() - Duration::minutes(1);
    let all = store.revocations_since(0, since).await.unwrap();
    let subjects: Vec<_> = all.iter().map(|r| r.subject.as_str()).collect();
    assert_eq!(subjects, ["c1", "c2", "c3"]);
    let after_first = store.revocations_since(all[0].seq, since).await.unwrap();
    assert_eq!(after_first.len(), 2);
    let future = sigil_core::clock::now() + Duration::minutes(1);
    assert!(store.revocations_since(0, future).await.unwrap().is_empty());
}

pub(crate) async fn prune_deletes_only_expired_refresh_tokens(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let old = refresh_for(b.admin.id, None, b"old", Duration::hours(-3));
    let live = refresh_for(b.admin.id, None, b"live", Duration::hours(3));
    store.insert_refresh_token(&old).await.unwrap();
    store.insert_refresh_token(&live).await.unwrap();
    let n = store
        .prune_refresh_tokens(sigil_core::clock::now() - Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(n, 1);
    let now = sigil_core::clock::now();
    let next = refresh_for(b.admin.id, None, b"n", Duration::hours(1));
    assert!(matches!(
        store
            .rotate_refresh_token(b"live", &next, now)
            .await
            .unwrap(),
        RotateOutcome::Rotated(_)
    ));
}

pub(crate) async fn a_closed_database_is_a_failure_not_an_absence(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    store.close().await;
    assert!(store.member(b.admin.id).await.is_err());
    assert!(store.member(MemberId::new()).await.is_err());
    assert!(store.organization().await.is_err());
    assert!(store.ping().await.is_err());
}

#[tokio::test]
async fn unsupported_urls_are_refused_without_echoing_them() {
    let err = SqlStore::connect("mysql://user:secret@host/db")
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("mysql"), "{text}");
    assert!(!text.contains("secret"), "{text}");
}

pub(crate) async fn concurrent_refresh_inserts_commit_and_a_bad_one_fails_alone(
    store: Arc<SqlStore>,
) {
    let b = bootstrapped(&store).await;
    let dup = refresh_for(b.admin.id, None, b"dup", Duration::hours(1));
    store.insert_refresh_token(&dup).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        let store = store.clone();
        // Token 100 repeats an existing hash; on SQLite it lands in a batch with others.
        let hash = if i == 100 {
            b"dup".to_vec()
        } else {
            i.to_le_bytes().to_vec()
        };
        let t = refresh_for(b.admin.id, None, &hash, Duration::hours(1));
        tasks.push(tokio::spawn(async move {
            (i, store.insert_refresh_token(&t).await)
        }));
    }
    for t in tasks {
        let (i, r) = t.await.unwrap();
        assert_eq!(r.is_err(), i == 100, "insert {i}: {r:?}");
    }
    let now = sigil_core::clock::now();
    for i in [0u32, 99, 101, 199] {
        let next = refresh_for(
            b.admin.id,
            None,
            format!("next{i}").as_bytes(),
            Duration::hours(1),
        );
        let out = store
            .rotate_refresh_token(&i.to_le_bytes(), &next, now)
            .await
            .unwrap();
        assert!(matches!(out, RotateOutcome::Rotated(_)), "{i}: {out:?}");
    }
}

pub(crate) async fn web_sessions_are_read_touched_and_ended(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let t0 = sigil_core::clock::now();
    let s = sigil_store::WebSession {
        id_hash: vec![7; 32],
        member_id: b.admin.id,
        csrf_token: "csrf".into(),
        created_at: t0,
        last_seen_at: t0,
    };
    store.insert_session(&s).await.unwrap();
    let other = sigil_store::WebSession {
        id_hash: vec![8; 32],
        ..s.clone()
    };
    store.insert_session(&other).await.unwrap();
    assert_eq!(store.session(&s.id_hash).await.unwrap().as_ref(), Some(&s));
    let t1 = t0 + Duration::seconds(90);
    store.touch_session(&s.id_hash, t1).await.unwrap();
    assert_eq!(
        store
            .session(&s.id_hash)
            .await
            .unwrap()
            .unwrap()
            .last_seen_at,
        t1
    );
    // Pruning by last use keeps the one touched later.
    assert_eq!(
        store
            .prune_sessions(t0 + Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    assert!(store.session(&other.id_hash).await.unwrap().is_none());
    assert!(store.session(&s.id_hash).await.unwrap().is_some());
    assert_eq!(store.delete_member_sessions(b.admin.id).await.unwrap(), 1);
    assert!(!store.delete_session(&s.id_hash).await.unwrap());
    // Live client credentials are listed; revoked ones are not.
    assert_eq!(
        store.list_client_credentials().await.unwrap()[0].client_id,
        b.credential.client_id
    );
    store
        .revoke_client_credential(&b.credential.client_id, t1)
        .await
        .unwrap();
    assert!(store.list_client_credentials().await.unwrap().is_empty());
}
