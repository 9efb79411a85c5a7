//! The storage suite: every test runs on SQLite (a temporary file) and on PostgreSQL
//! (a fresh schema in the database named by `SIGIL_TEST_POSTGRES_URL`). Under CI
//! (`CI=true`) a missing PostgreSQL URL fails the run instead of skipping.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;

use sigil_core::{
    AccountType, BuiltinAccountType, ClientCredential, CredentialScope, Member, MemberId,
    Organization, OrganizationId, TokenFamilyId,
};
use sigil_store::prelude::*;
use sigil_store::{ApiCall, ApiConnector, ApiCredential, ApiDocument};
use sigil_store::{
    Bootstrap, DeleteAccountType, MemberFilter, NewTeam, Position, RefreshToken, RevocationKind,
    RotateOutcome, SqlStore, StoreError, TeamCursor, TeamFilter,
};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, Executor};
use time::Duration;

const PG_ENV: &str = "SIGIL_TEST_POSTGRES_URL";

async fn on_sqlite<F, Fut>(test: F)
where
    F: FnOnce(Arc<SqlStore>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let opts =
        SqliteConnectOptions::from_str(&format!("sqlite://{}", dir.path().join("t.db").display()))
            .unwrap();
    let store = Arc::new(SqlStore::connect_sqlite(opts).await.unwrap());
    test(store.clone()).await;
    store.close().await;
}

async fn on_postgres<F, Fut>(test: F)
where
    F: FnOnce(Arc<SqlStore>) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(url) = std::env::var(PG_ENV) else {
        assert!(
            std::env::var("CI").is_err(),
            "{PG_ENV} must be set under CI: the PostgreSQL suite may not be skipped"
        );
        eprintln!("skipping the PostgreSQL half: {PG_ENV} is not set");
        return;
    };
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    admin
        .execute(format!("CREATE SCHEMA {schema}").as_str())
        .await
        .unwrap();
    let opts = PgConnectOptions::from_str(&url)
        .unwrap()
        .options([("search_path", schema.as_str())]);
    let store = Arc::new(SqlStore::connect_postgres(opts).await.unwrap());
    test(store.clone()).await;
    store.close().await;
    admin
        .execute(format!("DROP SCHEMA {schema} CASCADE").as_str())
        .await
        .unwrap();
}

/// Declares one test per backend for a suite function.
macro_rules! suite {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::on_sqlite(|s| super::$name(s)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::on_postgres(|s| super::$name(s)).await;
                }
            )*
        }
    };
}

suite!(
    workbooks_are_nodes_with_versioned_documents,
    api_credentials_connectors_documents_and_calls_round_trip,
    bootstrap_is_all_or_nothing_and_once,
    every_write_moves_the_generation_on_sqlite_only,
    members_are_found_by_id_and_case_insensitive_email,
    duplicate_email_is_a_conflict,
    credentials_are_stored_and_revoked_with_their_tokens,
    refresh_tokens_rotate_once,
    reusing_a_refresh_token_revokes_its_family,
    concurrent_rotation_of_one_token_succeeds_once,
    concurrent_refresh_inserts_commit_and_a_bad_one_fails_alone,
    expired_and_unknown_refresh_tokens_are_refused,
    revocation_feed_is_ordered_and_windowed,
    prune_deletes_only_expired_refresh_tokens,
    a_closed_database_is_a_failure_not_an_absence,
    account_types_are_listed_created_and_deleted_with_reassignment,
    members_are_paged_by_keyset_or_offset_with_filters,
    teams_are_created_with_workspace_and_members_and_deleted_whole,
    deactivating_a_member_revokes_its_refresh_tokens,
    grants_upsert_one_per_grantee_and_apply_through_teams_and_ancestors,
    concurrent_grants_of_one_grantee_never_make_two,
    nodes_are_listed_by_parent_visibility_and_permission,
    upserts_answer_each_grant_as_it_now_stands,
);

fn bootstrap_data() -> Bootstrap {
    let now = sigil_core::clock::now();
    let organization = Organization {
        id: OrganizationId::new(),
        name: "acme".into(),
        created_at: now,
    };
    let account_types: Vec<AccountType> = BuiltinAccountType::ALL
        .into_iter()
        .map(|k| AccountType::builtin(organization.id, k))
        .collect();
    let mut admin = Member::new(
        organization.id,
        "Admin@Example.com",
        account_types[0].id,
        None,
        now,
    );
    // Stored lower-case whatever the caller passes.
    admin.email = "Admin@Example.com".into();
    admin.first_name = "Ada".into();
    admin.password_hash = Some("$argon2id$stub".into());
    admin.home_folder_id = Some(sigil_core::InodeId::new());
    let credential = credential_for(&admin, "c0ffee");
    Bootstrap {
        organization,
        account_types,
        admin,
        credential,
    }
}

fn credential_for(owner: &Member, client_id: &str) -> ClientCredential {
    ClientCredential {
        client_id: client_id.into(),
        organization_id: owner.organization_id,
        owner_id: owner.id,
        name: "test".into(),
        description: String::new(),
        scopes: vec![CredentialScope::Api, CredentialScope::Embed],
        secret_hash: vec![1, 2, 3],
        created_by: Some(owner.id),
        created_at: sigil_core::clock::now(),
        revoked_at: None,
    }
}

fn refresh_for(
    member: MemberId,
    client_id: Option<&str>,
    hash: &[u8],
    ttl: Duration,
) -> RefreshToken {
    let now = sigil_core::clock::now();
    RefreshToken {
        token_hash: hash.to_vec(),
        family_id: TokenFamilyId::new(),
        client_id: client_id.map(str::to_owned),
        member_id: member,
        actor_id: None,
        created_at: now,
        expires_at: now + ttl,
    }
}

async fn bootstrapped(store: &SqlStore) -> Bootstrap {
    let b = bootstrap_data();
    store.bootstrap(&b).await.unwrap();
    b
}

async fn workbooks_are_nodes_with_versioned_documents(store: Arc<SqlStore>) {
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
        .save_workbook_document(wb.id, "{\"pages\":[{}]}", b.admin.id, now)
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
            .save_workbook_document(other, "{}", b.admin.id, now)
            .await
            .unwrap(),
        None
    );
}

async fn api_credentials_connectors_documents_and_calls_round_trip(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let now = sigil_core::clock::now();
    let cred = |name: &str| ApiCredential {
        id: sigil_core::ApiCredentialId::new(),
        name: name.into(),
        description: None,
        auth_method: "bearer".into(),
        allowlist: vec!["*.example.com".into()],
        public: r#"{"authMethod":"bearer"}"#.into(),
        sealed: "sgl1.k.n.c".into(),
        is_archived: false,
        created_by: b.admin.id,
        updated_by: b.admin.id,
        created_at: now,
        updated_at: now,
    };
    let (c1, c2, c3) = (cred("b"), cred("a"), cred("c"));
    for c in [&c1, &c2, &c3] {
        store.insert_api_credential(c).await.unwrap();
    }
    assert_eq!(store.api_credential(c1.id).await.unwrap().unwrap(), c1);
    let page = store.list_api_credentials(None, None, 2).await.unwrap();
    assert_eq!(
        page.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let rest = store
        .list_api_credentials(None, Some(("b".into(), c1.id)), 2)
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].name, "c");
    let mut archived = c3.clone();
    archived.is_archived = true;
    assert!(store.update_api_credential(&archived).await.unwrap());
    assert_eq!(
        store
            .list_api_credentials(None, None, 10)
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .list_api_credentials(Some("a"), None, 10)
            .await
            .unwrap()
            .len(),
        1
    );
    let mut ghost = cred("ghost");
    ghost.id = sigil_core::ApiCredentialId::new();
    assert!(
        !store.update_api_credential(&ghost).await.unwrap(),
        "absent, not failed"
    );

    let conn = ApiConnector {
        id: sigil_core::ApiConnectorId::new(),
        name: "teams".into(),
        description: Some("d".into()),
        auth_id: Some(c1.id),
        params: "{}".into(),
        config: "{}".into(),
        is_archived: false,
        created_by: b.admin.id,
        updated_by: b.admin.id,
        created_at: now,
        updated_at: now,
    };
    store.insert_api_connector(&conn).await.unwrap();
    assert_eq!(store.api_connector(conn.id).await.unwrap().unwrap(), conn);
    assert_eq!(
        store.list_api_connectors(None, None, 10).await.unwrap(),
        vec![conn.clone()]
    );

    let doc = ApiDocument {
        id: sigil_core::ApiDocumentId::new(),
        name: "sigma".into(),
        source_url: None,
        spec_version: "openapi-3.1".into(),
        title: "Sigma".into(),
        operation_count: 3,
        created_by: b.admin.id,
        created_at: now,
    };
    let body = "x".repeat(4_000_000);
    store.insert_api_document(&doc, &body).await.unwrap();
    assert_eq!(store.api_document(doc.id).await.unwrap().unwrap(), doc);
    assert_eq!(
        store
            .api_document_body(doc.id)
            .await
            .unwrap()
            .unwrap()
            .len(),
        body.len()
    );
    assert_eq!(
        store.list_api_documents(None, 10).await.unwrap(),
        vec![doc.clone()]
    );
    assert!(store.delete_api_document(doc.id).await.unwrap());
    assert!(store.api_document(doc.id).await.unwrap().is_none());

    let calls: Vec<ApiCall> = (0..3)
        .map(|i| ApiCall {
            id: sigil_core::ApiCallId::from(uuid::Uuid::now_v7()),
            connector_id: conn.id,
            member_id: b.admin.id,
            at: now + Duration::milliseconds(i),
            status: Some(200),
            error: None,
            duration_ms: 1.5,
            bytes_sent: 10,
            bytes_received: 20,
            response_body: None,
        })
        .collect();
    store.insert_api_calls(&calls).await.unwrap();
    let calls = store.list_api_calls(conn.id, None, 2).await.unwrap();
    assert_eq!(calls.len(), 2);
    assert!(calls[0].at > calls[1].at, "newest first");
    let older = store
        .list_api_calls(conn.id, Some(calls[1].id), 2)
        .await
        .unwrap();
    assert_eq!(older.len(), 1);

    // A batch larger than one INSERT's chunk lands whole, every field intact.
    let batch: Vec<ApiCall> = (0..1_203)
        .map(|i| ApiCall {
            id: sigil_core::ApiCallId::from(uuid::Uuid::now_v7()),
            connector_id: conn.id,
            member_id: b.admin.id,
            at: now + Duration::seconds(1) + Duration::milliseconds(i),
            status: (i % 2 == 0).then_some(502),
            error: (i % 2 == 1).then(|| format!("timed out #{i}")),
            duration_ms: i as f64 + 0.25,
            bytes_sent: i as u64,
            bytes_received: u64::MAX,
            response_body: (i == 1_202).then(|| "{\"last\": true}".to_owned()),
        })
        .collect();
    store.insert_api_calls(&batch).await.unwrap();
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let page = store.list_api_calls(conn.id, before, 500).await.unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.id);
        seen.extend(page);
    }
    assert_eq!(seen.len(), 1_206);
    let newest = &seen[0];
    assert_eq!(newest.id, batch[1_202].id);
    assert_eq!(newest.status, Some(502));
    assert_eq!(newest.error, None);
    assert_eq!(newest.duration_ms, 1_202.25);
    assert_eq!(newest.bytes_sent, 1_202);
    // Stored as a signed 64-bit integer: the largest count is clamped, not wrapped.
    assert_eq!(newest.bytes_received, i64::MAX as u64);
    assert_eq!(newest.response_body.as_deref(), Some("{\"last\": true}"));
    let odd = seen.iter().find(|c| c.id == batch[7].id).unwrap();
    assert_eq!(
        (odd.status, odd.error.as_deref()),
        (None, Some("timed out #7"))
    );

    // Pruning goes by the ids' time: calls made 40 days ago go, the rest stay.
    let at = |days_ago: i64| {
        let t = now - Duration::days(days_ago);
        let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            t.unix_timestamp() as u64,
            t.nanosecond(),
        ));
        ApiCall {
            id: sigil_core::ApiCallId::from(id),
            at: t,
            ..batch[0].clone()
        }
    };
    let old: Vec<ApiCall> = (0..3).map(|_| at(40)).collect();
    store
        .insert_api_calls(&[old.clone(), vec![at(29)]].concat())
        .await
        .unwrap();
    assert_eq!(
        store
            .prune_api_calls(now - Duration::days(30))
            .await
            .unwrap(),
        3
    );
    let left = store.list_api_calls(conn.id, None, 2_000).await.unwrap();
    assert_eq!(
        left.len(),
        1_207,
        "1,206 recent calls and the 29-day-old one"
    );
    assert!(left.iter().all(|c| old.iter().all(|o| o.id != c.id)));
    assert_eq!(
        store
            .prune_api_calls(now - Duration::days(30))
            .await
            .unwrap(),
        0,
        "nothing more to prune"
    );
}

async fn every_write_moves_the_generation_on_sqlite_only(store: Arc<SqlStore>) {
    let before = store.generation();
    let b = bootstrapped(&store).await;
    match store.dialect() {
        sigil_store::Dialect::Postgres => {
            assert_eq!(before, None, "other nodes write unseen: no generation");
            assert_eq!(store.generation(), None);
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

async fn bootstrap_is_all_or_nothing_and_once(store: Arc<SqlStore>) {
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

async fn members_are_found_by_id_and_case_insensitive_email(store: Arc<SqlStore>) {
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

async fn duplicate_email_is_a_conflict(store: Arc<SqlStore>) {
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

async fn credentials_are_stored_and_revoked_with_their_tokens(store: Arc<SqlStore>) {
    let b = bootstrapped(&store).await;
    let c = credential_for(&b.admin, "beef");
    store.insert_client_credential(&c).await.unwrap();
    let dup = store.insert_client_credential(&c).await.unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
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

async fn refresh_tokens_rotate_once(store: Arc<SqlStore>) {
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

async fn reusing_a_refresh_token_revokes_its_family(store: Arc<SqlStore>) {
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

async fn concurrent_rotation_of_one_token_succeeds_once(store: Arc<SqlStore>) {
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

async fn expired_and_unknown_refresh_tokens_are_refused(store: Arc<SqlStore>) {
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

async fn revocation_feed_is_ordered_and_windowed(store: Arc<SqlStore>) {
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

async fn prune_deletes_only_expired_refresh_tokens(store: Arc<SqlStore>) {
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

async fn a_closed_database_is_a_failure_not_an_absence(store: Arc<SqlStore>) {
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

async fn concurrent_refresh_inserts_commit_and_a_bad_one_fails_alone(store: Arc<SqlStore>) {
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

async fn account_types_are_listed_created_and_deleted_with_reassignment(store: Arc<SqlStore>) {
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

fn member_named(b: &Bootstrap, email: &str) -> Member {
    let mut m = Member::new(
        b.organization.id,
        email,
        b.account_types[3].id,
        Some(b.admin.id),
        sigil_core::clock::now(),
    );
    m.home_folder_id = Some(sigil_core::InodeId::new());
    m
}

async fn members_are_paged_by_keyset_or_offset_with_filters(store: Arc<SqlStore>) {
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

async fn teams_are_created_with_workspace_and_members_and_deleted_whole(store: Arc<SqlStore>) {
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

async fn deactivating_a_member_revokes_its_refresh_tokens(store: Arc<SqlStore>) {
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

async fn workspace_for(store: &SqlStore, b: &Bootstrap, name: &str) -> sigil_store::Inode {
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

async fn grants_upsert_one_per_grantee_and_apply_through_teams_and_ancestors(store: Arc<SqlStore>) {
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

async fn concurrent_grants_of_one_grantee_never_make_two(store: Arc<SqlStore>) {
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

async fn nodes_are_listed_by_parent_visibility_and_permission(store: Arc<SqlStore>) {
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

async fn upserts_answer_each_grant_as_it_now_stands(store: Arc<SqlStore>) {
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
