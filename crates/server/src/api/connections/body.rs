//! The answer of a connection: every property of Sigma's document, read from the
//! settings sigil keeps.

use serde::Serialize;
use serde_json::Value;
use sigil_core::clock::rfc3339;
use sigil_core::OrganizationId;
use sigil_service::connections::{destination, ConnectionEntry};
use utoipa::ToSchema;

/// sigil's query timeout when a connection sets none, in seconds.
const DEFAULT_TIMEOUT_SECS: f64 = 900.0;

#[derive(Debug, Serialize, ToSchema)]
pub struct TimeoutBody {
    pub default: f64,
    pub worksheet: f64,
    pub dashboard: f64,
    pub download: f64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PoolSizesBody {
    pub is_pool_configured: bool,
    pub adhoc_pool_size: f64,
    pub catalog_pool_size: f64,
    pub result_pool_size: f64,
    pub schedule_pool_size: f64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WritebackBody {
    pub database: String,
    pub schema: String,
    pub writeback_schema_id: String,
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditLogSchemaBody {
    pub database: String,
    pub schema: String,
    pub writeback_schema_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionUserAttributesBody {
    pub role: String,
    pub warehouse: String,
}

/// A connection, with every property of Sigma's document. Properties its type does
/// not use are answered empty (`""`, `[]`, `false`); secrets never are.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionBody {
    pub organization_id: String,
    pub connection_id: String,
    pub is_sample: bool,
    pub is_audit_log: bool,
    pub last_active_at: String,
    pub name: String,
    /// `postgres`, `redshift`, `alloydb`, `bigQuery`, `snowflake`, `databricks`,
    /// `mysql`, `azuresql`, `sqlserver` or `starburst`.
    #[serde(rename = "type")]
    pub kind: String,
    pub use_oauth: bool,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub is_archived: bool,
    pub account: String,
    pub warehouse: String,
    pub user: String,
    pub role: String,
    pub timeout: TimeoutBody,
    pub pool_sizes: PoolSizesBody,
    pub write_access: bool,
    pub friendly_name: bool,
    pub writebacks: Vec<WritebackBody>,
    pub writeback_schemas: Vec<WritebackBody>,
    pub input_table_audit_log_schema: AuditLogSchemaBody,
    pub materialization_warehouse: String,
    pub exports_warehouse: String,
    pub oauth_metadata_url: String,
    pub oauth_client_id: String,
    pub oauth_scopes: Vec<String>,
    /// `unknown` when none is set.
    pub oauth_idp_type: String,
    pub oauth_use_pkce: Option<bool>,
    pub oauth_use_jwt: Option<bool>,
    pub oauth_audience: String,
    #[serde(rename = "isIndependentOAuth")]
    pub is_independent_oauth: bool,
    pub user_attributes: ConnectionUserAttributesBody,
    /// `allRoles` or `disabled`.
    pub role_switching: String,
}

fn text(v: &Value, key: &str) -> String {
    match &v[key] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn writeback(w: &Value, fallback_db: String) -> WritebackBody {
    let (database, schema) = destination(w);
    WritebackBody {
        database: if database.is_empty() {
            fallback_db
        } else {
            database
        },
        schema,
        writeback_schema_id: text(w, "writebackSchemaId"),
        description: text(w, "description"),
    }
}

impl ConnectionBody {
    pub(super) fn of(org: OrganizationId, e: ConnectionEntry) -> Self {
        let c = e.connection;
        let s = &e.settings;
        let d = &s["details"];
        let timeout = s["timeoutSecs"].as_f64().unwrap_or(DEFAULT_TIMEOUT_SECS);
        let pools = &s["poolSizes"];
        let size = |k: &str| pools[k].as_f64().unwrap_or(0.0);
        let any_size = pools
            .as_object()
            .is_some_and(|o| o.keys().any(|k| k != "isPoolConfigured"));
        let write = &d["writeAccess"];
        let writebacks: Vec<WritebackBody> = if !destination(write).1.is_empty() {
            vec![writeback(write, text(d, "database"))]
        } else {
            Vec::new()
        };
        let schemas: Vec<WritebackBody> = d["writebackSchemas"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|w| writeback(w, String::new()))
            .collect();
        let audit = &d["inputTableAuditLogSchema"];
        let oauth_set = d["metadataUrl"].is_string() || d["clientId"].is_string();
        ConnectionBody {
            organization_id: org.to_string(),
            connection_id: c.id.to_string(),
            is_sample: false,
            is_audit_log: false,
            last_active_at: rfc3339(c.last_active_at),
            name: c.name,
            kind: c.kind,
            use_oauth: s["useOauth"]
                .as_bool()
                .or(d["useOauth"].as_bool())
                .unwrap_or(d["authType"] == "oauth" || oauth_set),
            created_by: c.created_by.to_string(),
            updated_by: c.updated_by.to_string(),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
            is_archived: c.is_archived,
            account: text(d, "account"),
            warehouse: text(d, "warehouse"),
            user: text(d, "user"),
            role: text(d, "role"),
            timeout: TimeoutBody {
                default: timeout,
                worksheet: timeout,
                dashboard: timeout,
                download: timeout,
            },
            pool_sizes: PoolSizesBody {
                is_pool_configured: pools["isPoolConfigured"].as_bool().unwrap_or(any_size),
                adhoc_pool_size: size("adhocPoolSize"),
                catalog_pool_size: size("catalogPoolSize"),
                result_pool_size: size("resultPoolSize"),
                schedule_pool_size: size("schedulePoolSize"),
            },
            write_access: !write.is_null() || !schemas.is_empty(),
            friendly_name: s["useFriendlyNames"].as_bool().unwrap_or(false),
            writebacks,
            writeback_schemas: schemas,
            input_table_audit_log_schema: AuditLogSchemaBody {
                database: destination(audit).0,
                schema: destination(audit).1,
                writeback_schema_id: text(audit, "writebackSchemaId"),
            },
            materialization_warehouse: text(write, "materializationWarehouse"),
            exports_warehouse: text(d, "exportsWarehouse"),
            oauth_metadata_url: text(d, "metadataUrl"),
            oauth_client_id: text(d, "clientId"),
            oauth_scopes: d["scopes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect(),
            oauth_idp_type: d["idpType"].as_str().unwrap_or("unknown").to_owned(),
            oauth_use_pkce: d["usePkce"].as_bool(),
            oauth_use_jwt: d["useJwt"].as_bool(),
            oauth_audience: text(d, "audience"),
            is_independent_oauth: oauth_set,
            user_attributes: ConnectionUserAttributesBody {
                role: text(&d["userAttributes"], "role"),
                warehouse: text(&d["userAttributes"], "warehouse"),
            },
            role_switching: d["roleSwitching"].as_str().unwrap_or("disabled").to_owned(),
        }
    }
}
