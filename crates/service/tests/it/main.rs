//! The service layer's own rules — permissions, validation with the field named,
//! conflicts — checked on the services directly, without HTTP: each test builds the
//! services on a temporary SQLite database initialized as `sigil init` would.

mod access_and_grants;
mod connectors;
mod members_and_teams;
mod workbooks;

use std::sync::Arc;

use sigil_core::{BuiltinAccountType, Member, MemberId};
use sigil_service::bootstrap::{initialize, InitOutput};
use sigil_service::startup::{build, load_keys};
use sigil_service::{Caller, Config, ServiceError, Services};
use sigil_store::prelude::*;
use sigil_store::SqlStore;

pub struct World {
    pub services: Arc<Services>,
    pub store: Arc<SqlStore>,
    pub init: InitOutput,
    pub admin: Caller,
    _dir: tempfile::TempDir,
}

impl World {
    pub async fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        let store = Arc::new(SqlStore::connect(&config.database_url()).await.unwrap());
        let keys = load_keys(&config).unwrap();
        let init = initialize(
            store.as_ref(),
            &keys.client_secrets(&config).unwrap(),
            "admin@example.com",
            "test org",
        )
        .await
        .unwrap();
        let services = build(Arc::new(config), store.clone(), &keys).await.unwrap();
        let admin = services.auth.caller(init.member_id).await.unwrap();
        World {
            services,
            store,
            init,
            admin,
            _dir: dir,
        }
    }

    /// A new member of a built-in account type, and the caller it would be.
    pub async fn member(&self, email: &str, kind: BuiltinAccountType) -> Caller {
        let r = self
            .services
            .members
            .create(
                &self.admin,
                sigil_service::members::NewMember {
                    email: email.into(),
                    first_name: "Test".into(),
                    last_name: kind.name().into(),
                    member_type: Some(kind.name().into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        self.caller(r.member.id).await
    }

    pub async fn caller(&self, id: MemberId) -> Caller {
        self.services.auth.caller(id).await.unwrap()
    }

    pub async fn reread(&self, id: MemberId) -> Member {
        self.store.member(id).await.unwrap().unwrap()
    }
}

/// Asserts an `Invalid` error naming `field`.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(r: Result<T, ServiceError>, field: &str) -> String {
    match r {
        Err(ServiceError::Invalid {
            field: Some(f),
            message,
        }) if f == field => message,
        other => panic!("expected Invalid naming `{field}`, got {other:?}"),
    }
}

#[track_caller]
pub fn assert_forbidden<T: std::fmt::Debug>(r: Result<T, ServiceError>) {
    assert!(
        matches!(r, Err(ServiceError::Forbidden(_))),
        "expected Forbidden, got {r:?}"
    );
}

#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(r: Result<T, ServiceError>) {
    assert!(
        matches!(r, Err(ServiceError::NotFound(_))),
        "expected NotFound, got {r:?}"
    );
}
