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
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::on_sqlite(|s| super::$module::$name(s)).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::on_postgres(|s| super::$module::$name(s)).await;
                }
            )*
        }
    };
}

mod api;
mod auth;
mod files;
mod members;
mod snapshots;
mod teams;

suite!(
    snapshots::every_table_is_copied_emptied_or_kept_by_a_snapshot,
    snapshots::a_restore_puts_rows_back_and_records_itself,
    files::workbooks_are_nodes_with_versioned_documents,
    api::api_credentials_connectors_documents_and_calls_round_trip,
    auth::bootstrap_is_all_or_nothing_and_once,
    auth::every_write_moves_the_generation_on,
    members::members_are_found_by_id_and_case_insensitive_email,
    members::duplicate_email_is_a_conflict,
    auth::credentials_are_stored_and_revoked_with_their_tokens,
    auth::refresh_tokens_rotate_once,
    auth::reusing_a_refresh_token_revokes_its_family,
    auth::concurrent_rotation_of_one_token_succeeds_once,
    auth::concurrent_refresh_inserts_commit_and_a_bad_one_fails_alone,
    auth::expired_and_unknown_refresh_tokens_are_refused,
    auth::revocation_feed_is_ordered_and_windowed,
    auth::prune_deletes_only_expired_refresh_tokens,
    auth::a_closed_database_is_a_failure_not_an_absence,
    auth::web_sessions_are_read_touched_and_ended,
    members::account_types_are_listed_created_and_deleted_with_reassignment,
    members::members_are_paged_by_keyset_or_offset_with_filters,
    teams::teams_are_created_with_workspace_and_members_and_deleted_whole,
    members::deactivating_a_member_revokes_its_refresh_tokens,
    files::grants_upsert_one_per_grantee_and_apply_through_teams_and_ancestors,
    files::concurrent_grants_of_one_grantee_never_make_two,
    files::nodes_are_listed_by_parent_visibility_and_permission,
    files::upserts_answer_each_grant_as_it_now_stands,
);

pub(crate) fn bootstrap_data() -> Bootstrap {
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

pub(crate) fn credential_for(owner: &Member, client_id: &str) -> ClientCredential {
    ClientCredential {
        client_id: client_id.into(),
        organization_id: owner.organization_id,
        owner_id: owner.id,
        name: "test".into(),
        description: String::new(),
        scopes: vec![CredentialScope::Api, CredentialScope::Embed],
        secret_hash: vec![1, 2, 3],
        secret_sealed: Some("sealed.k.nonce.ct".into()),
        created_by: Some(owner.id),
        created_at: sigil_core::clock::now(),
        revoked_at: None,
    }
}

pub(crate) fn refresh_for(
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

pub(crate) async fn bootstrapped(store: &SqlStore) -> Bootstrap {
    let b = bootstrap_data();
    store.bootstrap(&b).await.unwrap();
    b
}

pub(crate) fn member_named(b: &Bootstrap, email: &str) -> Member {
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
