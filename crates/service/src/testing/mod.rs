//! sigil as a test double: putting the organization back between tests (reset to
//! the seeded state, named snapshots) and the faults injected into answers. Every
//! operation here is off unless `testing.endpoints` is set (it then answers "not
//! found", as if it did not exist), and allowed only to an Admin.

mod faults;

use std::sync::Arc;

use sigil_store::{RevocationKind, SnapshotInfo, Store};

use crate::auth::Auth;
use crate::config::FaultRule;
use crate::error::{ServiceError, ServiceResult};
use crate::sessions::Sessions;
use crate::Caller;

pub use faults::{Fault, Faults};

/// The snapshot taken at start (after first run and the seed file), that
/// [`Testing::reset`] goes back to.
pub const INITIAL: &str = "initial";

/// Snapshot names: short, and safe to show anywhere.
fn check_name(name: &str) -> ServiceResult<()> {
    let ok = (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(ServiceError::invalid_field(
            "name",
            "a snapshot name is 1 to 64 letters, digits, `-`, `_` or `.`",
        ))
    }
}

pub struct Testing {
    store: Arc<dyn Store>,
    auth: Arc<Auth>,
    sessions: Arc<Sessions>,
    enabled: bool,
    faults: Arc<Faults>,
}

impl Testing {
    pub fn new(
        store: Arc<dyn Store>,
        auth: Arc<Auth>,
        sessions: Arc<Sessions>,
        config: &crate::config::TestingConfig,
    ) -> Self {
        Testing {
            store,
            auth,
            sessions,
            enabled: config.endpoints,
            faults: Arc::new(Faults::new(config.faults.clone())),
        }
    }

    /// Whether the `/_sigil/` operations exist.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The faults in force, for the layer that injects them.
    pub fn faults(&self) -> &Arc<Faults> {
        &self.faults
    }

    fn check(&self, caller: &Caller) -> ServiceResult<()> {
        if !self.enabled {
            return Err(ServiceError::NotFound(
                "the testing endpoints are off (set testing.endpoints)".into(),
            ));
        }
        caller.require_admin()
    }

    /// At start, with the endpoints on: takes the snapshot [`INITIAL`] unless one
    /// exists (a database that was seeded before keeps its first state).
    pub async fn take_initial(&self) -> ServiceResult<bool> {
        if !self.enabled {
            return Ok(false);
        }
        let exists = self
            .store
            .list_snapshots()
            .await?
            .iter()
            .any(|s| s.name == INITIAL);
        if exists {
            return Ok(false);
        }
        self.store
            .take_snapshot(INITIAL, sigil_core::clock::now())
            .await?;
        Ok(true)
    }

    /// Puts the organization back as it was at start (the snapshot `initial`).
    pub async fn reset(&self, caller: &Caller) -> ServiceResult<SnapshotInfo> {
        self.restore(caller, INITIAL).await
    }

    pub async fn take(&self, caller: &Caller, name: &str) -> ServiceResult<SnapshotInfo> {
        self.check(caller)?;
        check_name(name)?;
        let at = sigil_core::clock::now();
        self.store.take_snapshot(name, at).await?;
        Ok(SnapshotInfo {
            name: name.to_owned(),
            taken_at: at,
        })
    }

    /// Restores snapshot `name`: every table as it was, every web session ended, and
    /// every access token issued since the snapshot void (on every node, through
    /// the revocation feed); caches move on with the store's generation.
    pub async fn restore(&self, caller: &Caller, name: &str) -> ServiceResult<SnapshotInfo> {
        self.check(caller)?;
        check_name(name)?;
        let at = sigil_core::clock::now();
        let taken_at = self
            .store
            .restore_snapshot(name, at)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("no snapshot is named `{name}`")))?;
        let since_ms = (taken_at.unix_timestamp_nanos() / 1_000_000) as i64;
        let at_ms = (at.unix_timestamp_nanos() / 1_000_000) as i64;
        self.auth
            .revocations()
            .insert_at(RevocationKind::Restore, &since_ms.to_string(), at_ms);
        self.sessions.forget_failures();
        Ok(SnapshotInfo {
            name: name.to_owned(),
            taken_at,
        })
    }

    pub async fn list(&self, caller: &Caller) -> ServiceResult<Vec<SnapshotInfo>> {
        self.check(caller)?;
        Ok(self.store.list_snapshots().await?)
    }

    pub async fn delete(&self, caller: &Caller, name: &str) -> ServiceResult<()> {
        self.check(caller)?;
        check_name(name)?;
        if self.store.delete_snapshot(name).await? {
            Ok(())
        } else {
            Err(ServiceError::NotFound(format!(
                "no snapshot is named `{name}`"
            )))
        }
    }

    /// The lifetime, in seconds, of the access tokens the token endpoint issues now.
    pub fn token_ttl(&self, caller: &Caller) -> ServiceResult<u64> {
        self.check(caller)?;
        Ok(self.auth.tokens().ttl_secs())
    }

    /// Shortens the lifetime of access tokens issued from now on (to test a client's
    /// refresh): 1 to the configured `auth.access_token_ttl_secs`; `None` puts the
    /// configured lifetime back. Tokens already issued keep theirs.
    pub fn set_token_ttl(&self, caller: &Caller, secs: Option<u64>) -> ServiceResult<u64> {
        self.check(caller)?;
        self.auth.tokens().set_ttl_secs(secs).map_err(|max| {
            ServiceError::invalid_field(
                "accessTokenTtlSecs",
                format!(
                    "accessTokenTtlSecs must be between 1 and {max} (auth.access_token_ttl_secs)"
                ),
            )
        })
    }

    /// The fault rules in force.
    pub fn fault_rules(&self, caller: &Caller) -> ServiceResult<Vec<FaultRule>> {
        self.check(caller)?;
        Ok(self.faults.rules())
    }

    /// Replaces the fault rules (their counts start again).
    pub fn set_fault_rules(&self, caller: &Caller, rules: Vec<FaultRule>) -> ServiceResult<()> {
        self.check(caller)?;
        for (i, r) in rules.iter().enumerate() {
            r.validate()
                .map_err(|m| ServiceError::invalid_field(format!("faults[{i}]"), m))?;
        }
        self.faults.replace(rules);
        Ok(())
    }
}
