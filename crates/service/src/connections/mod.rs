//! Warehouse connections (Sigma's `/v2/connections`), kept as records: sigil runs no
//! warehouse query, but keeps a connection's settings, the paths clients look up in
//! it and the grants on both, with Sigma's rules. Secrets (passwords, service
//! accounts, client secrets, key pairs) are sealed bound to the connection's id and
//! never answered. Testing a connection opens a TCP connection to its host under the
//! connectors' address policy, and sends nothing. Writes are an Admin's; a member
//! sees the connections it holds a grant on (itself or through a team).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Map, Value};
use sigil_connect::policy::Network;
use sigil_connect::reach::{probe, ReachError};
use sigil_connect::sealing::Keyring;
use sigil_core::clock;
use sigil_store::connections::ConnectionFilter;
pub use sigil_store::connections::{Connection, ConnectionGrant, ConnectionPath};
use sigil_store::Store;
use uuid::Uuid;

use crate::api_credentials::display_name;
use crate::error::{ServiceError, ServiceResult};
use crate::grants::{GrantInput, Grants, Permissions};
use crate::paging::{check_search, Page, PageRequest};
use crate::Caller;

mod details;

pub use details::destination;
use details::{check_path, endpoint, kind_of, number_writebacks, split_details, Kind, Split};

/// The permissions of a grant on a connection or one of its paths.
const CONNECTION_PERMISSIONS: Permissions<&'static str> = Permissions {
    parse: |p| ["usage", "annotate"].into_iter().find(|k| *k == p),
    names: "usage or annotate",
};

/// A connection as a client gives it on create and on `PUT`.
#[derive(Debug, Clone, Default)]
pub struct ConnectionInput {
    pub name: String,
    /// `{"type": "snowflake", …}`: the connection's settings and secrets.
    pub details: Value,
    pub description: Option<Value>,
    pub pool_sizes: Option<Value>,
    pub timeout_secs: Option<f64>,
    pub use_friendly_names: Option<bool>,
}

/// A connection and its settings (secrets taken out), as answered.
#[derive(Debug, Clone)]
pub struct ConnectionEntry {
    pub connection: Connection,
    /// `{"details": {…}, "poolSizes": …, "timeoutSecs": …, "useFriendlyNames": …,
    /// "useOauth": …, "description": …}`.
    pub settings: Value,
}

/// What testing a connection found: `read` and `write` as Sigma answers them, and
/// why.
#[derive(Debug, Clone)]
pub struct ConnectionTest {
    pub read: &'static str,
    pub write: &'static str,
    pub message: String,
}

pub struct Connections {
    store: Arc<dyn Store>,
    keyring: Arc<Keyring>,
    grants: Arc<Grants>,
    allowed: Vec<Network>,
    probe_within: Duration,
}

impl Connections {
    pub fn new(
        store: Arc<dyn Store>,
        keyring: Arc<Keyring>,
        grants: Arc<Grants>,
        allowed: Vec<Network>,
        probe_within: Duration,
    ) -> Self {
        Connections {
            store,
            keyring,
            grants,
            allowed,
            probe_within,
        }
    }

    fn entry(c: Connection) -> ServiceResult<ConnectionEntry> {
        let settings = serde_json::from_str(&c.settings).map_err(|e| {
            ServiceError::internal(anyhow::anyhow!("connection {}: settings: {e}", c.id))
        })?;
        Ok(ConnectionEntry {
            connection: c,
            settings,
        })
    }

    /// A connection the caller may see: any to an Admin; to a member, one it holds a
    /// grant on. Archived ones only with `archived`.
    async fn visible(
        &self,
        caller: &Caller,
        id: Uuid,
        archived: bool,
    ) -> ServiceResult<Connection> {
        let not_found = || ServiceError::not_found(format!("no connection `{id}`"));
        let c = self
            .store
            .connection(id)
            .await?
            .filter(|c| archived || !c.is_archived)
            .ok_or_else(not_found)?;
        if caller.is_admin() || self.store.holds_connection_grant(id, caller.id()).await? {
            Ok(c)
        } else {
            Err(not_found())
        }
    }

    /// The settings to store, and the sealed secrets, of `input` for connection `id`.
    fn settings_of(
        &self,
        id: Uuid,
        input: &ConnectionInput,
        use_oauth: Option<bool>,
        before: Option<&Value>,
    ) -> ServiceResult<(&'static Kind, String, Option<String>)> {
        let Split {
            kind,
            settings: mut details,
            secrets,
        } = split_details(&input.details)?;
        number_writebacks(&mut details, before.map(|b| &b["details"]));
        if let Some(t) = input.timeout_secs {
            if !(t.is_finite() && t > 0.0 && t <= 86_400.0) {
                return Err(ServiceError::invalid_field(
                    "timeoutSecs",
                    "timeoutSecs must be more than 0 and at most 86400",
                ));
            }
        }
        if let Some(p) = &input.pool_sizes {
            let Some(o) = p.as_object() else {
                return Err(ServiceError::invalid_field(
                    "poolSizes",
                    "poolSizes must be an object",
                ));
            };
            for (k, v) in o {
                if k != "isPoolConfigured"
                    && !v
                        .as_f64()
                        .is_some_and(|n| n.fract() == 0.0 && (0.0..=10_000.0).contains(&n))
                {
                    return Err(ServiceError::invalid_field(
                        format!("poolSizes.{k}"),
                        format!("poolSizes.{k} must be a whole number from 0 to 10000"),
                    ));
                }
            }
        }
        if let Some(d) = &input.description {
            if !d.is_object() {
                return Err(ServiceError::invalid_field(
                    "description",
                    "description must be an object",
                ));
            }
        }
        let settings = json!({
            "details": details,
            "description": input.description,
            "poolSizes": input.pool_sizes,
            "timeoutSecs": input.timeout_secs,
            "useFriendlyNames": input.use_friendly_names,
            "useOauth": use_oauth,
        });
        let sealed = if secrets.is_empty() {
            None
        } else {
            let plain = serde_json::to_vec(&secrets).map_err(ServiceError::internal)?;
            Some(self.keyring.seal(&plain, id.as_bytes()))
        };
        Ok((kind, settings.to_string(), sealed))
    }

    pub async fn create(
        &self,
        caller: &Caller,
        input: ConnectionInput,
    ) -> ServiceResult<ConnectionEntry> {
        caller.require_admin()?;
        let name = display_name(&input.name)?;
        let id = Uuid::now_v7();
        let (kind, settings, sealed) = self.settings_of(id, &input, None, None)?;
        let now = clock::now();
        let c = Connection {
            id,
            name,
            kind: kind.name.to_owned(),
            settings,
            sealed,
            is_archived: false,
            created_by: caller.id(),
            updated_by: caller.id(),
            created_at: now,
            updated_at: now,
            last_active_at: now,
        };
        self.store.insert_connection(&c).await?;
        Self::entry(c)
    }

    /// A connection the caller may see; a deleted one is "not found", as after a
    /// delete anywhere else (it is still listed with `includeArchived`, and `PUT`
    /// with `restore` brings it back).
    pub async fn get(&self, caller: &Caller, id: Uuid) -> ServiceResult<ConnectionEntry> {
        Self::entry(self.visible(caller, id, false).await?)
    }

    pub async fn list(
        &self,
        caller: &Caller,
        search: Option<String>,
        include_archived: bool,
        req: PageRequest,
    ) -> ServiceResult<Page<ConnectionEntry>> {
        check_search("search", search.as_deref())?;
        let filter = ConnectionFilter {
            search: search.filter(|s| !s.is_empty()),
            include_archived,
            visible_to: (!caller.is_admin()).then(|| caller.id()),
        };
        let (rows, total) = self
            .store
            .list_connections(&filter, req.offset(), req.limit)
            .await?;
        let rows = rows
            .into_iter()
            .map(Self::entry)
            .collect::<ServiceResult<_>>()?;
        Ok(Page::of_window(rows, total, req))
    }

    /// Replaces a connection's name and details (Sigma's `PUT`): what is not sent is
    /// not kept, secrets included. An archived connection comes back with `restore`.
    pub async fn replace(
        &self,
        caller: &Caller,
        id: Uuid,
        input: ConnectionInput,
        restore: bool,
    ) -> ServiceResult<ConnectionEntry> {
        caller.require_admin()?;
        let mut c = self.visible(caller, id, true).await?;
        if c.is_archived && !restore {
            return Err(ServiceError::invalid_field(
                "restore",
                format!("connection `{id}` is deleted: send `\"restore\": true` to bring it back"),
            ));
        }
        let name = display_name(&input.name)?;
        let before: Value = serde_json::from_str(&c.settings).unwrap_or(Value::Null);
        let use_oauth = before["useOauth"].as_bool();
        let (kind, settings, sealed) = self.settings_of(id, &input, use_oauth, Some(&before))?;
        let now = clock::now();
        c.name = name;
        c.kind = kind.name.to_owned();
        c.settings = settings;
        c.sealed = sealed;
        c.is_archived = false;
        c.updated_by = caller.id();
        c.updated_at = now;
        self.save(c).await
    }

    /// Sigma's deprecated `PATCH`: the name and whether OAuth is used.
    pub async fn patch(
        &self,
        caller: &Caller,
        id: Uuid,
        name: Option<String>,
        use_oauth: Option<bool>,
    ) -> ServiceResult<ConnectionEntry> {
        caller.require_admin()?;
        let mut c = self.visible(caller, id, false).await?;
        if let Some(n) = name {
            c.name = display_name(&n)?;
        }
        if let Some(u) = use_oauth {
            let mut s: Value = serde_json::from_str(&c.settings).map_err(ServiceError::internal)?;
            s["useOauth"] = json!(u);
            c.settings = s.to_string();
        }
        c.updated_by = caller.id();
        c.updated_at = clock::now();
        self.save(c).await
    }

    async fn save(&self, c: Connection) -> ServiceResult<ConnectionEntry> {
        if !self.store.update_connection(&c).await? {
            return Err(ServiceError::not_found(format!("no connection `{}`", c.id)));
        }
        Self::entry(c)
    }

    /// Deletes a connection as Sigma does: it is archived, its grants and paths kept
    /// for a `restore`.
    pub async fn delete(&self, caller: &Caller, id: Uuid) -> ServiceResult<()> {
        caller.require_admin()?;
        let mut c = self.visible(caller, id, false).await?;
        c.is_archived = true;
        c.updated_by = caller.id();
        c.updated_at = clock::now();
        self.save(c).await.map(|_| ())
    }

    /// The secrets of a connection, opened (for tests and a future use; never
    /// answered by the API).
    pub fn secrets(&self, c: &Connection) -> ServiceResult<Map<String, Value>> {
        let Some(sealed) = &c.sealed else {
            return Ok(Map::new());
        };
        let plain = self
            .keyring
            .open(sealed, c.id.as_bytes())
            .map_err(|e| ServiceError::internal(anyhow::anyhow!("connection {}: {e}", c.id)))?;
        serde_json::from_slice(&plain).map_err(ServiceError::internal)
    }

    /// Whether the connection's host answers on its port, under the connectors'
    /// address policy. No query is sent: `read` is SUCCESS when a TCP connection
    /// opens, and `write` the same when write-back is configured (else DISABLED).
    pub async fn test(&self, caller: &Caller, id: Uuid) -> ServiceResult<ConnectionTest> {
        let mut c = self.visible(caller, id, false).await?;
        let entry = Self::entry(c.clone())?;
        let details = &entry.settings["details"];
        let kind = kind_of(&c.kind).ok_or_else(|| {
            ServiceError::internal(anyhow::anyhow!("connection {id} has type {}", c.kind))
        })?;
        let writes = details.get("writeAccess").is_some_and(|w| !w.is_null())
            || details["writebackSchemas"]
                .as_array()
                .is_some_and(|w| !w.is_empty());
        let outcome = match endpoint(kind, details) {
            Err(m) => Err(m),
            Ok((host, port)) => probe(&host, port, &self.allowed, self.probe_within)
                .await
                .map(|addr| {
                    format!("{host}:{port} ({addr}) accepted a connection; sigil sent no query")
                })
                .map_err(|e: ReachError| e.to_string()),
        };
        Ok(match outcome {
            Ok(message) => {
                c.last_active_at = clock::now();
                self.store.update_connection(&c).await?;
                ConnectionTest {
                    read: "SUCCESS",
                    write: if writes { "SUCCESS" } else { "DISABLED" },
                    message,
                }
            }
            Err(message) => ConnectionTest {
                read: "FAILED",
                write: if writes { "FAILED" } else { "DISABLED" },
                message,
            },
        })
    }

    /// Sigma's connection lookup. sigil holds no warehouse catalog, so a path is
    /// recorded as it is named the first time it is looked up (a table when it names
    /// as many parts as the connection's type has, a scope above that) and answered
    /// with the same id after.
    pub async fn lookup(
        &self,
        caller: &Caller,
        id: Uuid,
        path: &[Value],
    ) -> ServiceResult<ConnectionPath> {
        let c = self.visible(caller, id, false).await?;
        let kind = kind_of(&c.kind).ok_or_else(|| {
            ServiceError::internal(anyhow::anyhow!("connection {id} has type {}", c.kind))
        })?;
        let parts = check_path(kind, path)?;
        let p = ConnectionPath {
            id: Uuid::now_v7(),
            connection_id: id,
            is_table: parts.len() == kind.table_depth,
            path: parts,
            created_at: clock::now(),
        };
        Ok(self.store.record_connection_path(&p).await?)
    }

    /// The paths recorded in the connections the caller may see.
    pub async fn paths(
        &self,
        caller: &Caller,
        connection: Option<Uuid>,
        req: PageRequest,
    ) -> ServiceResult<Page<ConnectionPath>> {
        if let Some(id) = connection {
            self.visible(caller, id, false).await?;
        }
        let visible_to = (!caller.is_admin()).then(|| caller.id());
        let (rows, total) = self
            .store
            .list_connection_paths(connection, visible_to, req.offset(), req.limit)
            .await?;
        Ok(Page::of_window(rows, total, req))
    }

    /// A recorded path the caller may see.
    pub async fn path(&self, caller: &Caller, id: Uuid) -> ServiceResult<ConnectionPath> {
        let not_found = || ServiceError::not_found(format!("no connection path `{id}`"));
        let p = self
            .store
            .connection_path(id)
            .await?
            .ok_or_else(not_found)?;
        self.visible(caller, p.connection_id, false)
            .await
            .map_err(|_| not_found())?;
        Ok(p)
    }

    /// A recorded table's path (Sigma's `GET /v2/connections/paths/{inodeId}`).
    pub async fn table_path(&self, caller: &Caller, id: Uuid) -> ServiceResult<ConnectionPath> {
        let p = self.path(caller, id).await?;
        if !p.is_table {
            return Err(ServiceError::invalid_field(
                "inodeId",
                format!("`{id}` is a scope ({}), not a table", p.path.join(".")),
            ));
        }
        Ok(p)
    }

    /// The grant target: a connection, or (with `path`) one of its paths.
    async fn target(&self, caller: &Caller, id: Uuid, path: bool) -> ServiceResult<(Uuid, Uuid)> {
        caller.require_admin()?;
        if path {
            let p = self.path(caller, id).await?;
            Ok((p.connection_id, p.id))
        } else {
            self.visible(caller, id, false).await?;
            Ok((id, id))
        }
    }

    /// Grants on a connection (or, with `path`, on a path of one). Admins only.
    pub async fn grants_on(
        &self,
        caller: &Caller,
        id: Uuid,
        path: bool,
        req: PageRequest,
    ) -> ServiceResult<Page<ConnectionGrant>> {
        let (_, target) = self.target(caller, id, path).await?;
        let (rows, total) = self
            .store
            .connection_grants(target, req.offset(), req.limit)
            .await?;
        Ok(Page::of_window(rows, total, req))
    }

    /// Creates or updates grants (`usage`, `annotate`), one per grantee; all or
    /// nothing.
    pub async fn grant(
        &self,
        caller: &Caller,
        id: Uuid,
        path: bool,
        grants: &[GrantInput],
    ) -> ServiceResult<()> {
        let (connection, target) = self.target(caller, id, path).await?;
        let checked = self
            .grants
            .check_grants(grants, CONNECTION_PERMISSIONS)
            .await?;
        let rows: Vec<_> = checked
            .into_iter()
            .map(|(g, p)| (g, p.to_owned()))
            .collect();
        self.store
            .upsert_connection_grants(connection, target, &rows, caller.id(), clock::now())
            .await?;
        Ok(())
    }

    pub async fn revoke(
        &self,
        caller: &Caller,
        id: Uuid,
        path: bool,
        grant: Uuid,
    ) -> ServiceResult<()> {
        let (_, target) = self.target(caller, id, path).await?;
        if self.store.delete_connection_grant(target, grant).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(format!("no grant `{grant}` here")))
        }
    }
}
