//! `/v2/connections…` (and Sigma's `/v2/connection/{connectionId}/lookup`):
//! warehouse connections kept as records, their paths and grants. sigil runs no
//! warehouse query: testing a connection only opens a TCP connection to its host,
//! and syncing, dbt artifacts and a table's columns answer 501.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::clock::rfc3339;
use sigil_core::OrganizationId;
use sigil_service::connections::{ConnectionEntry, ConnectionInput};
use sigil_service::connections::{ConnectionGrant, ConnectionPath};
use sigil_service::grants::GrantInput;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::api::bodies::GranteeBody;
use crate::api::shape::{Empty, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{query_flag, ApiJson, ApiQuery, CurrentMember, Id, Ids};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_connections, create_connection))
        .routes(routes!(
            get_connection,
            update_connection,
            patch_connection,
            delete_connection
        ))
        .routes(routes!(test_connection))
        .routes(routes!(sync_connection))
        .routes(routes!(post_dbt_artifacts))
        .routes(routes!(list_connection_grants, create_connection_grants))
        .routes(routes!(delete_connection_grant))
        .routes(routes!(list_connection_paths))
        .routes(routes!(get_connection_path))
        .routes(routes!(lookup_connection))
        .routes(routes!(list_table_columns))
        .routes(routes!(list_path_grants, create_path_grants))
        .routes(routes!(delete_path_grant))
}

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

fn writeback(w: &Value, db: &str, schema: &str, fallback_db: String) -> WritebackBody {
    let database = text(w, db);
    WritebackBody {
        database: if database.is_empty() {
            fallback_db
        } else {
            database
        },
        schema: text(w, schema),
        writeback_schema_id: text(w, "writebackSchemaId"),
        description: text(w, "description"),
    }
}

impl ConnectionBody {
    fn of(org: OrganizationId, e: ConnectionEntry) -> Self {
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
        let writebacks: Vec<WritebackBody> = if write.get("writeSchema").is_some() {
            vec![writeback(
                write,
                "writeDatabase",
                "writeSchema",
                text(d, "database"),
            )]
        } else {
            Vec::new()
        };
        let schemas: Vec<WritebackBody> = d["writebackSchemas"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|w| writeback(w, "database", "schema", String::new()))
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
                database: text(audit, "database"),
                schema: text(audit, "schema"),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListConnectionsParams {
    #[param(schema_with = crate::api::schemas::page_number)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// Include deleted (archived) connections.
    #[param(value_type = Option<bool>)]
    pub include_archived: Option<String>,
    /// Connections whose name holds this text, any case.
    pub search: Option<String>,
}

/// List connections
///
/// Every connection to an Admin; to a member, those it holds a grant on (itself or
/// through a team). By name.
#[utoipa::path(
    get,
    path = "/v2/connections",
    tag = "connections",
    operation_id = "listConnections",
    params(ListConnectionsParams),
    responses((status = 200, body = PageOf<ConnectionBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_connections(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(p): ApiQuery<ListConnectionsParams>,
) -> Result<Json<PageOf<ConnectionBody>>, ApiError> {
    let req = crate::api::shape::page_request(p.page.as_deref(), p.limit.as_deref())?;
    let archived = query_flag("includeArchived", p.include_archived.as_deref(), false)?;
    let page = st
        .services
        .connections
        .list(&caller, p.search, archived, req)
        .await?;
    let org = st.services.organization.id;
    Ok(Json(PageOf::of(page, |e| ConnectionBody::of(org, e))))
}

/// A connection as created or replaced.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionRequest {
    pub name: String,
    /// `{"type": …}` and the settings of that type; secrets (`password`,
    /// `serviceAccount`, `clientSecret`, `pythonSecrets`, …) are sealed and never
    /// answered.
    #[schema(value_type = Object)]
    pub details: Value,
    #[schema(value_type = Option<Object>)]
    pub description: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub pool_sizes: Option<Value>,
    pub timeout_secs: Option<f64>,
    pub use_friendly_names: Option<bool>,
    /// `PUT` only: bring a deleted connection back.
    pub restore: Option<bool>,
}

impl ConnectionRequest {
    fn input(self) -> (ConnectionInput, bool) {
        (
            ConnectionInput {
                name: self.name,
                details: self.details,
                description: self.description,
                pool_sizes: self.pool_sizes,
                timeout_secs: self.timeout_secs,
                use_friendly_names: self.use_friendly_names,
            },
            self.restore.unwrap_or(false),
        )
    }
}

/// Create a connection
///
/// Kept as a record: sigil stores the settings (secrets sealed) and runs no query.
/// Admins only.
#[utoipa::path(
    post,
    path = "/v2/connections",
    tag = "connections",
    operation_id = "createConnection",
    request_body = ConnectionRequest,
    responses((status = 201, body = ConnectionBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_connection(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<ConnectionRequest>,
) -> Result<(axum::http::StatusCode, Json<ConnectionBody>), ApiError> {
    let (input, _) = req.input();
    let e = st.services.connections.create(&caller, input).await?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(ConnectionBody::of(st.services.organization.id, e)),
    ))
}

/// Get a connection
#[utoipa::path(
    get,
    path = "/v2/connections/{connectionId}",
    tag = "connections",
    operation_id = "getConnection",
    params(("connectionId" = String, Path)),
    responses((status = 200, body = ConnectionBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn get_connection(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
) -> Result<Json<ConnectionBody>, ApiError> {
    let e = st.services.connections.get(&caller, id).await?;
    Ok(Json(ConnectionBody::of(st.services.organization.id, e)))
}

/// Update a connection
///
/// Replaces its name and details: what is not sent is not kept, secrets included.
/// `"restore": true` brings a deleted connection back. Admins only.
#[utoipa::path(
    put,
    path = "/v2/connections/{connectionId}",
    tag = "connections",
    operation_id = "updateConnection",
    params(("connectionId" = String, Path)),
    request_body = ConnectionRequest,
    responses((status = 200, body = ConnectionBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update_connection(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
    ApiJson(req): ApiJson<ConnectionRequest>,
) -> Result<Json<ConnectionBody>, ApiError> {
    let (input, restore) = req.input();
    let e = st
        .services
        .connections
        .replace(&caller, id, input, restore)
        .await?;
    Ok(Json(ConnectionBody::of(st.services.organization.id, e)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatchConnection {
    pub name: Option<String>,
    pub use_oauth: Option<bool>,
}

/// Update a connection's name or OAuth use (deprecated by Sigma for `PUT`)
#[utoipa::path(
    patch,
    path = "/v2/connections/{connectionId}",
    tag = "connections",
    operation_id = "updateConnectionDeprecated",
    params(("connectionId" = String, Path)),
    request_body = PatchConnection,
    responses((status = 200, body = ConnectionBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn patch_connection(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
    ApiJson(req): ApiJson<PatchConnection>,
) -> Result<Json<ConnectionBody>, ApiError> {
    let e = st
        .services
        .connections
        .patch(&caller, id, req.name, req.use_oauth)
        .await?;
    Ok(Json(ConnectionBody::of(st.services.organization.id, e)))
}

/// Delete a connection
///
/// It is archived, as in Sigma: listed with `includeArchived`, and brought back by
/// `PUT` with `"restore": true`, its paths and grants with it. Admins only.
#[utoipa::path(
    delete,
    path = "/v2/connections/{connectionId}",
    tag = "connections",
    operation_id = "deleteConnection",
    params(("connectionId" = String, Path)),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_connection(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
) -> Result<Json<Empty>, ApiError> {
    st.services.connections.delete(&caller, id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionTestBody {
    /// `SUCCESS` when the host accepted a TCP connection on its port, else `FAILED`.
    pub read: String,
    /// `DISABLED` without write-back; else as `read`.
    pub write: String,
    /// What was tried and what happened (sigil's own).
    pub message: String,
}

/// Test a connection
///
/// sigil sends no query: it resolves the connection's host and opens a TCP
/// connection to its port, under the same address policy as API connectors.
#[utoipa::path(
    get,
    path = "/v2/connections/{connectionId}/test",
    tag = "connections",
    operation_id = "testConnection",
    params(("connectionId" = String, Path)),
    responses((status = 200, body = ConnectionTestBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn test_connection(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
) -> Result<Json<ConnectionTestBody>, ApiError> {
    let t = st.services.connections.test(&caller, id).await?;
    Ok(Json(ConnectionTestBody {
        read: t.read.to_owned(),
        write: t.write.to_owned(),
        message: t.message,
    }))
}

/// Sync a connection (not held: 501)
#[utoipa::path(
    post,
    path = "/v2/connections/{connectionId}/sync",
    tag = "connections",
    operation_id = "syncConnectionPath",
    params(("connectionId" = String, Path)),
    responses((status = 501, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn sync_connection(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
) -> Result<Json<Empty>, ApiError> {
    st.services.connections.get(&caller, id).await?;
    Err(ApiError::NotImplemented(
        "sigil keeps connections as records and reads no warehouse, so there is nothing to sync"
            .into(),
    ))
}

/// Add dbt artifacts to a connection (not held: 501)
#[utoipa::path(
    post,
    path = "/v2/connections/{connectionId}/dbtArtifacts",
    tag = "connections",
    operation_id = "postConnectionDbtArtifacts",
    params(("connectionId" = String, Path)),
    responses((status = 501, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn post_dbt_artifacts(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
) -> Result<Json<Empty>, ApiError> {
    st.services.connections.get(&caller, id).await?;
    Err(ApiError::NotImplemented(
        "sigil keeps connections as records and holds no dbt metadata".into(),
    ))
}

/// List a warehouse table's columns (not held: 501)
#[utoipa::path(
    get,
    path = "/v2/connections/tables/{tableId}/columns",
    tag = "connections",
    operation_id = "listConnectionTableColumns",
    params(("tableId" = String, Path)),
    responses((status = 501, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_table_columns(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
) -> Result<Json<Empty>, ApiError> {
    st.services.connections.table_path(&caller, id).await?;
    Err(ApiError::NotImplemented(
        "sigil reads no warehouse, so it knows no table's columns".into(),
    ))
}

/// A grant on a connection or one of its paths.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionGrantBody {
    pub grant_id: String,
    /// The connection's id, or the path's.
    pub inode_id: String,
    pub organization_id: String,
    pub member_id: Option<String>,
    pub team_id: Option<String>,
    /// `usage` or `annotate`.
    pub permission: String,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

impl ConnectionGrantBody {
    fn of(org: OrganizationId, g: ConnectionGrant) -> Self {
        ConnectionGrantBody {
            grant_id: g.id.to_string(),
            inode_id: g.target_id.to_string(),
            organization_id: org.to_string(),
            member_id: g.member_id.map(|m| m.to_string()),
            team_id: g.team_id.map(|t| t.to_string()),
            permission: g.permission,
            created_by: g.created_by.to_string(),
            updated_by: g.updated_by.to_string(),
            created_at: rfc3339(g.created_at),
            updated_at: rfc3339(g.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConnectionGrantRequest {
    pub grantee: GranteeBody,
    /// `usage` (Can use) or `annotate` (Can use & annotate).
    pub permission: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ConnectionGrantsRequest {
    /// 1 to 100 grants; one per grantee; all or nothing.
    pub grants: Vec<ConnectionGrantRequest>,
}

fn grant_inputs(req: ConnectionGrantsRequest) -> Vec<GrantInput> {
    req.grants
        .into_iter()
        .map(|g| GrantInput {
            grantee: g.grantee.into(),
            permission: g.permission,
        })
        .collect()
}

async fn list_grants(
    st: &AppState,
    caller: &CurrentMember,
    id: Uuid,
    path: bool,
    p: PageParams,
) -> Result<Json<PageOf<ConnectionGrantBody>>, ApiError> {
    let page = st
        .services
        .connections
        .grants_on(caller, id, path, p.check()?)
        .await?;
    let org = st.services.organization.id;
    Ok(Json(PageOf::of(page, |g| ConnectionGrantBody::of(org, g))))
}

/// List the grants on a connection
#[utoipa::path(
    get,
    path = "/v2/connections/{connectionId}/grants",
    tag = "connections",
    operation_id = "listConnectionGrants",
    params(("connectionId" = String, Path), PageParams),
    responses((status = 200, body = PageOf<ConnectionGrantBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_connection_grants(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<ConnectionGrantBody>>, ApiError> {
    list_grants(&st, &caller, id, false, p).await
}

/// Grant members or teams use of a connection
///
/// Creates or updates one grant per grantee (a new permission replaces the old);
/// all or nothing. Admins only.
#[utoipa::path(
    post,
    path = "/v2/connections/{connectionId}/grants",
    tag = "connections",
    operation_id = "createConnectionGrant",
    params(("connectionId" = String, Path)),
    request_body = ConnectionGrantsRequest,
    responses((status = 200, body = Empty), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_connection_grants(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
    ApiJson(req): ApiJson<ConnectionGrantsRequest>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .connections
        .grant(&caller, id, false, &grant_inputs(req))
        .await?;
    Ok(Json(Empty {}))
}

/// Revoke a grant on a connection
#[utoipa::path(
    delete,
    path = "/v2/connections/{connectionId}/grants/{grantId}",
    tag = "connections",
    operation_id = "deleteConnectionGrant",
    params(("connectionId" = String, Path), ("grantId" = String, Path)),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_connection_grant(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(id, grant): Ids<Uuid, Uuid>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .connections
        .revoke(&caller, id, false, grant)
        .await?;
    Ok(Json(Empty {}))
}

/// A path recorded in a connection.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionPathBody {
    pub connection_id: String,
    /// The path's id (its `inodeId`).
    pub url_id: String,
    pub path: Vec<String>,
}

impl From<ConnectionPath> for ConnectionPathBody {
    fn from(p: ConnectionPath) -> Self {
        ConnectionPathBody {
            connection_id: p.connection_id.to_string(),
            url_id: p.id.to_string(),
            path: p.path,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct ListPathsParams {
    #[param(schema_with = crate::api::schemas::page_number)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// Only this connection's paths.
    pub connection_id: Option<String>,
}

/// List connection paths
///
/// The paths looked up in the connections the caller may see (sigil holds no
/// warehouse catalog: a path exists once it has been looked up).
#[utoipa::path(
    get,
    path = "/v2/connections/paths",
    tag = "connections",
    operation_id = "listConnectionPaths",
    params(ListPathsParams),
    responses((status = 200, body = PageOf<ConnectionPathBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_connection_paths(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(p): ApiQuery<ListPathsParams>,
) -> Result<Json<PageOf<ConnectionPathBody>>, ApiError> {
    let req = crate::api::shape::page_request(p.page.as_deref(), p.limit.as_deref())?;
    let connection = p
        .connection_id
        .as_deref()
        .map(|c| crate::extract::parse_id("connectionId", c))
        .transpose()?;
    let page = st
        .services
        .connections
        .paths(&caller, connection, req)
        .await?;
    Ok(Json(PageOf::of(page, Into::into)))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TablePathBody {
    pub connection_id: String,
    pub path: Vec<String>,
}

/// Get the connection path of a table
///
/// Sigma names this parameter `inodeId`; it is the id of a table path, as
/// `lookup` answers it.
#[utoipa::path(
    get,
    path = "/v2/connections/paths/{connectionPathId}",
    tag = "connections",
    operation_id = "getInodeConnectionPath",
    params(("connectionPathId" = String, Path)),
    responses((status = 200, body = TablePathBody), (status = 400, description = "Not a table", body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn get_connection_path(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
) -> Result<Json<TablePathBody>, ApiError> {
    let p = st.services.connections.table_path(&caller, id).await?;
    Ok(Json(TablePathBody {
        connection_id: p.connection_id.to_string(),
        path: p.path,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LookupRequest {
    /// `["DATABASE", "SCHEMA", "TABLE"]`, or fewer parts for a scope.
    #[schema(value_type = Vec<String>)]
    pub path: Vec<Value>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LookupBody {
    /// `table` or `scope`.
    pub kind: String,
    pub inode_id: String,
    pub url: String,
}

/// Look up a path in a connection
///
/// sigil holds no warehouse catalog: a path is recorded as named the first time it
/// is looked up, a table when it has as many parts as the connection's type (3 for
/// Snowflake, Databricks, BigQuery, SQL Server and Starburst; 2 for PostgreSQL,
/// Redshift, AlloyDB, MySQL and Azure SQL), a scope above that.
#[utoipa::path(
    post,
    path = "/v2/connection/{connectionId}/lookup",
    tag = "connections",
    operation_id = "lookupConnection",
    params(("connectionId" = String, Path)),
    request_body = LookupRequest,
    responses((status = 200, body = LookupBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn lookup_connection(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
    ApiJson(req): ApiJson<LookupRequest>,
) -> Result<Json<LookupBody>, ApiError> {
    let p = st
        .services
        .connections
        .lookup(&caller, id, &req.path)
        .await?;
    Ok(Json(LookupBody {
        kind: if p.is_table { "table" } else { "scope" }.to_owned(),
        url: format!(
            "{}/v2/connections/paths/{}/grants",
            st.services.base_url(),
            p.id
        ),
        inode_id: p.id.to_string(),
    }))
}

/// List the grants on a connection path
#[utoipa::path(
    get,
    path = "/v2/connections/paths/{connectionPathId}/grants",
    tag = "connections",
    operation_id = "listConnectionPathGrants",
    params(("connectionPathId" = String, Path), PageParams),
    responses((status = 200, body = PageOf<ConnectionGrantBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_path_grants(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<ConnectionGrantBody>>, ApiError> {
    list_grants(&st, &caller, id, true, p).await
}

/// Grant members or teams use of a connection path
#[utoipa::path(
    post,
    path = "/v2/connections/paths/{connectionPathId}/grants",
    tag = "connections",
    operation_id = "createConnectionPathGrant",
    params(("connectionPathId" = String, Path)),
    request_body = ConnectionGrantsRequest,
    responses((status = 200, body = Empty), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_path_grants(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<Uuid>,
    ApiJson(req): ApiJson<ConnectionGrantsRequest>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .connections
        .grant(&caller, id, true, &grant_inputs(req))
        .await?;
    Ok(Json(Empty {}))
}

/// Revoke a grant on a connection path
#[utoipa::path(
    delete,
    path = "/v2/connections/paths/{connectionPathId}/grants/{grantId}",
    tag = "connections",
    operation_id = "deleteConnectionPathGrant",
    params(("connectionPathId" = String, Path), ("grantId" = String, Path)),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_path_grant(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(id, grant): Ids<Uuid, Uuid>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .connections
        .revoke(&caller, id, true, grant)
        .await?;
    Ok(Json(Empty {}))
}
