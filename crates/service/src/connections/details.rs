//! A connection's `details`: the types Sigma's document defines and what each must
//! hold, the checks of every setting, how secrets are split from settings, where a
//! write-back destination writes, how paths are read, and where a connection is
//! reached.

use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::error::{ServiceError, ServiceResult};

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
pub(super) struct Kind {
    pub(super) name: &'static str,
    required: &'static [&'static str],
    /// How many parts name a table (`DATABASE.SCHEMA.TABLE` is 3).
    pub(super) table_depth: usize,
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

pub(super) fn kind_of(name: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.name == name)
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
    ("writeAccess.writeCatalog", "string"),
    ("writeAccess.writeProject", "string"),
    ("writeAccess.writeDataset", "string"),
    ("writeAccess.materializationWarehouse", "string"),
    ("writeAccess.useDynamicTables", "boolean"),
    ("userAttributes.role", "string"),
    ("userAttributes.warehouse", "string"),
    ("inputTableAuditLogSchema.writeDatabase", "string"),
    ("inputTableAuditLogSchema.writeCatalog", "string"),
    ("inputTableAuditLogSchema.writeSchema", "string"),
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
                .position(|w| !w.is_object() || destination(w).1.is_empty())
        })
    {
        return Err(ServiceError::invalid_field(
            "details.writebackSchemas",
            format!("details.writebackSchemas[{i}] must name a `writeSchema`"),
        ));
    }
    Ok(())
}

/// A connection's details, checked: its kind, its settings and its secrets.
pub(super) struct Split {
    pub(super) kind: &'static Kind,
    pub(super) settings: Map<String, Value>,
    pub(super) secrets: Map<String, Value>,
}

/// Checks `details` and splits it into settings and secrets.
pub(super) fn split_details(details: &Value) -> ServiceResult<Split> {
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

/// Where a write-back destination writes: its database (or catalog, or BigQuery
/// project) and its schema (or dataset), whichever names the request's type uses.
/// Empty when not named.
pub fn destination(w: &Value) -> (String, String) {
    let first = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| w.get(*k).and_then(Value::as_str))
            .unwrap_or_default()
            .to_owned()
    };
    (
        first(&["writeDatabase", "writeCatalog", "writeProject", "database"]),
        first(&["writeSchema", "writeDataset", "schema"]),
    )
}

/// Gives each write-back destination an id, keeping one a client or an earlier
/// write gave the same destination, so that ids stay put across updates.
pub(super) fn number_writebacks(details: &mut Map<String, Value>, before: Option<&Value>) {
    let old_id = |place: &(String, String)| -> Option<Value> {
        let b = before?;
        let mut all: Vec<&Value> = b["writebackSchemas"]
            .as_array()
            .into_iter()
            .flatten()
            .collect();
        all.push(&b["writeAccess"]);
        all.push(&b["inputTableAuditLogSchema"]);
        all.into_iter()
            .find(|w| w.get("writebackSchemaId").is_some() && destination(w) == *place)
            .map(|w| w["writebackSchemaId"].clone())
    };
    let mark = |w: &mut Value| {
        let place = destination(w);
        if let Some(o) = w.as_object_mut() {
            if !o.contains_key("writebackSchemaId") && !place.1.is_empty() {
                let id = old_id(&place).unwrap_or_else(|| json!(Uuid::now_v7().to_string()));
                o.insert("writebackSchemaId".into(), id);
            }
        }
    };
    if let Some(w) = details.get_mut("writeAccess") {
        mark(w);
    }
    if let Some(Value::Array(ws)) = details.get_mut("writebackSchemas") {
        for w in ws {
            mark(w);
        }
    }
    if let Some(w) = details.get_mut("inputTableAuditLogSchema") {
        mark(w);
    }
}

pub(super) fn check_path(kind: &Kind, path: &[Value]) -> ServiceResult<Vec<String>> {
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
pub(super) fn endpoint(kind: &Kind, d: &Value) -> Result<(String, u16), String> {
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
