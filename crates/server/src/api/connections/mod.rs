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
use sigil_service::connections::ConnectionInput;
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

mod body;

pub use body::ConnectionBody;

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
