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

/// Fields of `details` that hold secrets: sealed apart, never stored in the clear,
/// never answered.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "serviceAccount",
    "clientSecret",
    "pythonSecrets",
    "privateKey",
    "privateKeyPassphrase",
    "token",
    "accessToken",
];

/// A connection's type, as Sigma names it, and what its details must hold.
struct Kind {
    name: &'static str,
    required: &'static [&'static str],
    /// How many parts name a table (`DATABASE.SCHEMA.TABLE` is 3).
    table_depth: usize,
}

const KINDS: &[Kind] = &[
    Kind {
        name: "postgres",
        required: &["host", "database"],
        table_depth: 2,
    },
    Kind {
        name: "redshift",
        required: &["host", "database"],
        table_depth: 2,
    },
    Kind {
        name: "alloydb",
        required: &["host", "database"],
        table_depth: 2,
    },
    Kind {
        name: "bigQuery",
        required: &["projectId"],
        table_depth: 3,
    },
    Kind {
        name: "snowflake",
        required: &[],
        table_depth: 3,
    },
    Kind {
        name: "databricks",
        required: &["host"],
        table_depth: 3,
    },
    Kind {
        name: "mysql",
        required: &["user", "password", "host", "port"],
        table_depth: 2,
    },
    Kind {
        name: "azuresql",
        required: &["server", "database", "port", "user", "password"],
        table_depth: 2,
    },
    Kind {
        name: "sqlserver",
        required: &["server", "port", "user", "password"],
        table_depth: 3,
    },
    Kind {
        name: "starburst",
        required: &["host", "port", "user", "password"],
        table_depth: 3,
    },
];

fn kind_of(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
}

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

/// The shape of a secret: a string, or an object (`{"type": "plain", "value": …}`,
/// a secret manager's reference, a setup and a Python user).
fn check_secret(field: &str, v: &Value) -> ServiceResult<()> {
    if field == "pythonSecrets" {
        for user in ["setupUser", "pythonUser"] {
            let Some(u) = v.get(user).filter(|u| !u.is_null()) else {
                continue;
            };
            let strings = ["username", "password"].iter().all(|k| u[*k].is_string())
                && (u["role"].is_null() || u["role"].is_string());
            if !strings {
                return Err(ServiceError::invalid_field(
                    format!("details.pythonSecrets.{user}"),
                    format!(
                        "details.pythonSecrets.{user} must hold a `username` and a `password` \
                         (and may hold a `role`), all strings"
                    ),
                ));
            }
        }
    }
    if v.is_string() || v.is_object() {
        Ok(())
    } else {
        Err(ServiceError::invalid_field(
            format!("details.{field}"),
            format!("details.{field} must be a string or an object"),
        ))
    }
}

/// The JSON type of each setting Sigma's document types (strings are checked with
/// their lengths above); `a.b` is `b` inside the object `a`.
const TYPED: &[(&str, &str)] = &[
    ("useTls", "boolean"),
    ("useOauth", "boolean"),
    ("usePython", "boolean"),
    ("useSourceSwapPolicy", "boolean"),
    ("useReadUncommittedIsolation", "boolean"),
    ("usePkce", "boolean"),
    ("useJwt", "boolean"),
    ("writeAccess", "object"),
    ("pythonProperties", "object"),
    ("userAttributes", "object"),
    ("inputTableAuditLogSchema", "object"),
    ("additionalProjectIds", "array"),
    ("scopes", "array"),
    ("writebackSchemas", "array"),
    ("sourceSwapPolicyId", "string"),
    ("metadataUrl", "string"),
    ("clientId", "string"),
    ("audience", "string"),
    ("exportsWarehouse", "string"),
    ("writeAccess.writeSchema", "string"),
    ("writeAccess.writeDatabase", "string"),
    ("writeAccess.materializationWarehouse", "string"),
    ("writeAccess.useDynamicTables", "boolean"),
    ("userAttributes.role", "string"),
    ("userAttributes.warehouse", "string"),
    ("inputTableAuditLogSchema.database", "string"),
    ("inputTableAuditLogSchema.schema", "string"),
];

/// Checks the settings of [`TYPED`], and the items of the lists among them.
fn check_types(obj: &Map<String, Value>) -> ServiceResult<()> {
    let is = |v: &Value, t: &str| match t {
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        _ => v.is_string(),
    };
    for (path, t) in TYPED {
        let v = match path.split_once('.') {
            Some((outer, inner)) => obj.get(outer).and_then(|o| o.get(inner)),
            None => obj.get(*path),
        };
        // `null` is "not set" for the flags Sigma types as boolean-or-null, and
        // harmless elsewhere.
        if let Some(v) = v.filter(|v| !v.is_null()) {
            if !is(v, t) {
                return Err(ServiceError::invalid_field(
                    format!("details.{path}"),
                    format!(
                        "details.{path} must be a{} {t}",
                        if *t == "array" || *t == "object" {
                            "n"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        }
    }
    for list in ["additionalProjectIds", "scopes"] {
        if let Some(i) = obj
            .get(list)
            .and_then(Value::as_array)
            .and_then(|a| a.iter().position(|v| !v.is_string()))
        {
            return Err(ServiceError::invalid_field(
                format!("details.{list}"),
                format!("details.{list}[{i}] must be a string"),
            ));
        }
    }
    if let Some(i) = obj
        .get("writebackSchemas")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .position(|w| !(w["database"].is_string() && w["schema"].is_string()))
        })
    {
        return Err(ServiceError::invalid_field(
            "details.writebackSchemas",
            format!(
                "details.writebackSchemas[{i}] must hold a `database` and a `schema`, both strings"
            ),
        ));
    }
    Ok(())
}

/// A connection's details, checked: its kind, its settings and its secrets.
struct Split {
    kind: &'static Kind,
    settings: Map<String, Value>,
    secrets: Map<String, Value>,
}

/// Checks `details` and splits it into settings and secrets.
fn split_details(details: &Value) -> ServiceResult<Split> {
    let Some(obj) = details.as_object() else {
        return Err(ServiceError::invalid_field(
            "details",
            "details must be an object with a `type`",
        ));
    };
    let names: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    let kind = obj
        .get("type")
        .and_then(Value::as_str)
        .and_then(kind_of)
        .ok_or_else(|| {
            ServiceError::invalid_field(
                "details.type",
                format!("details.type must be one of {}", names.join(", ")),
            )
        })?;
    for field in kind.required {
        if obj.get(*field).is_none_or(Value::is_null) {
            return Err(ServiceError::invalid_field(
                format!("details.{field}"),
                format!("details.{field} is required for a {} connection", kind.name),
            ));
        }
    }
    for field in [
        "host",
        "server",
        "database",
        "user",
        "account",
        "warehouse",
        "role",
        "projectId",
        "workspaceUrl",
    ] {
        match obj.get(field) {
            Some(Value::String(s)) if s.trim().is_empty() && kind.required.contains(&field) => {
                return Err(ServiceError::invalid_field(
                    format!("details.{field}"),
                    format!("details.{field} must not be empty"),
                ))
            }
            Some(Value::String(s)) if s.chars().count() > 1000 => {
                return Err(ServiceError::invalid_field(
                    format!("details.{field}"),
                    format!("details.{field} must be at most 1000 characters"),
                ))
            }
            None | Some(Value::String(_)) | Some(Value::Null) => {}
            Some(_) => {
                return Err(ServiceError::invalid_field(
                    format!("details.{field}"),
                    format!("details.{field} must be a string"),
                ))
            }
        }
    }
    check_types(obj)?;
    if let Some(p) = obj.get("port").filter(|p| !p.is_null()) {
        if !p.as_u64().is_some_and(|p| (1..=65535).contains(&p))
            && !p
                .as_f64()
                .is_some_and(|p| p.fract() == 0.0 && (1.0..=65535.0).contains(&p))
        {
            return Err(ServiceError::invalid_field(
                "details.port",
                format!("details.port must be a whole number from 1 to 65535, got {p}"),
            ));
        }
    }
    for (field, allowed) in [
        ("authType", &["basic-auth", "key-pair", "oauth"][..]),
        ("roleSwitching", &["allRoles", "disabled"][..]),
        (
            "idpType",
            &[
                "aws_databricks",
                "azure_databricks",
                "gcp_databricks",
                "azuread",
                "auth0",
                "adfs",
                "okta",
                "ping",
                "snowflake",
                "unknown",
            ][..],
        ),
    ] {
        if let Some(v) = obj.get(field).filter(|v| !v.is_null()) {
            if !v.as_str().is_some_and(|s| allowed.contains(&s)) {
                return Err(ServiceError::invalid_field(
                    format!("details.{field}"),
                    format!("details.{field} must be one of {}", allowed.join(", ")),
                ));
            }
        }
    }
    let mut settings = Map::new();
    let mut secrets = Map::new();
    for (k, v) in obj {
        if SECRET_FIELDS.contains(&k.as_str()) {
            if !v.is_null() {
                check_secret(k, v)?;
                secrets.insert(k.clone(), v.clone());
            }
        } else {
            settings.insert(k.clone(), v.clone());
        }
    }
    Ok(Split {
        kind,
        settings,
        secrets,
    })
}

/// Gives each write-back destination an id, keeping one a client or an earlier
/// write gave it, so that ids stay put across updates.
fn number_writebacks(details: &mut Map<String, Value>, before: Option<&Value>) {
    let old_id = |db: &Value, schema: &Value| -> Option<Value> {
        let b = before?;
        let mut all: Vec<&Value> = b["writebackSchemas"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        all.push(&b["writeAccess"]);
        all.push(&b["inputTableAuditLogSchema"]);
        all.into_iter()
            .find(|w| {
                w.get("writebackSchemaId").is_some()
                    && (w
                        .get("database")
                        .or(w.get("writeDatabase"))
                        .unwrap_or(&Value::Null)
                        == db)
                    && (w
                        .get("schema")
                        .or(w.get("writeSchema"))
                        .unwrap_or(&Value::Null)
                        == schema)
            })
            .map(|w| w["writebackSchemaId"].clone())
    };
    let mark = |w: &mut Value, db_key: &str, schema_key: &str| {
        if let Some(o) = w.as_object_mut() {
            if !o.contains_key("writebackSchemaId") && o.contains_key(schema_key) {
                let db = o.get(db_key).cloned().unwrap_or(Value::Null);
                let schema = o[schema_key].clone();
                let id = old_id(&db, &schema).unwrap_or_else(|| json!(Uuid::now_v7().to_string()));
                o.insert("writebackSchemaId".into(), id);
            }
        }
    };
    if let Some(w) = details.get_mut("writeAccess") {
        mark(w, "writeDatabase", "writeSchema");
    }
    if let Some(Value::Array(ws)) = details.get_mut("writebackSchemas") {
        for w in ws {
            mark(w, "database", "schema");
        }
    }
    if let Some(w) = details.get_mut("inputTableAuditLogSchema") {
        mark(w, "database", "schema");
    }
}

fn check_path(kind: &Kind, path: &[Value]) -> ServiceResult<Vec<String>> {
    let bad = |m: String| ServiceError::invalid_field("path", m);
    if path.is_empty() || path.len() > kind.table_depth {
        return Err(bad(format!(
            "path must name 1 to {} parts in a {} connection (the last being a table), got {}",
            kind.table_depth,
            kind.name,
            path.len()
        )));
    }
    path.iter()
        .enumerate()
        .map(|(i, p)| {
            let s = match p {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return Err(bad(format!("path[{i}] must be a name, not {p}"))),
            };
            if s.is_empty() || s.chars().count() > 255 || s.chars().any(char::is_control) {
                return Err(bad(format!(
                    "path[{i}] must be 1 to 255 characters, none of them control characters"
                )));
            }
            Ok(s)
        })
        .collect()
}

/// Where a connection of this kind is reached: its host and port (a `port` in the
/// details wins over the type's usual one).
fn endpoint(kind: &Kind, d: &Value) -> Result<(String, u16), String> {
    let text = |k: &str| d[k].as_str().map(str::trim).filter(|s| !s.is_empty());
    let port = |default: u16| {
        d["port"]
            .as_f64()
            .filter(|p| (1.0..=65535.0).contains(p))
            .map_or(default, |p| p as u16)
    };
    let (host, port) = match kind.name {
        "postgres" | "alloydb" => (text("host"), port(5432)),
        "redshift" => (text("host"), port(5439)),
        "mysql" => (text("host"), port(3306)),
        "azuresql" | "sqlserver" => (text("server"), port(1433)),
        "starburst" => (text("host"), port(443)),
        "databricks" => (text("host"), port(443)),
        "bigQuery" => (Some("bigquery.googleapis.com"), port(443)),
        _ => {
            let host = text("host")
                .or(text("server"))
                .map(str::to_owned)
                .or_else(|| text("account").map(|a| format!("{a}.snowflakecomputing.com")));
            return host
                .map(|h| (h, port(443)))
                .ok_or_else(|| "the connection names no host, server or account".to_owned());
        }
    };
    host.map(|h| {
        // A host may be written as a URL (`https://dbc-….cloud.databricks.com`).
        let h = h.split("://").last().unwrap_or(h);
        (h.split('/').next().unwrap_or(h).to_owned(), port)
    })
    .ok_or_else(|| "the connection names no host".to_owned())
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
