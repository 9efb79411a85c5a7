//! `/v2/workspaces` (Sigma): workspaces and their grants, as the workspace grants
//! document describes them, plus sigil's own `GET /v2/inodes/{inodeId}/access/{memberId}`
//! ("what may this member do here, and why").

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{GrantId, GrantPermission, InodeId, MemberId};
use sigil_service::access::label;
use sigil_service::grants::GrantInput;
use sigil_service::workspaces::{Created, WorkspaceFilter};
use sigil_service::Inode;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::bodies::{GrantBody, GranteeBody};
use crate::api::shape::{json_bytes, render_json, url_id, who, Empty, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, CurrentMember, Id, Ids};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workspaces, create_workspace))
        .routes(routes!(list_workspaces_v2_1))
        .routes(routes!(get_workspace, update_workspace, delete_workspace))
        .routes(routes!(list_workspace_grants, create_workspace_grants))
        .routes(routes!(create_workspace_grants_singular))
        .routes(routes!(delete_workspace_grant))
        .routes(routes!(explain_access))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceBody {
    pub workspace_id: String,
    /// A short, URL-friendly form of the id.
    pub workspace_url_id: String,
    pub name: String,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

fn workspace_body(w: &Inode) -> WorkspaceBody {
    WorkspaceBody {
        workspace_id: w.id.to_string(),
        workspace_url_id: url_id(w.id),
        name: w.name.clone(),
        created_by: who(w.created_by),
        updated_by: who(w.updated_by.or(w.created_by)),
        created_at: sigil_core::clock::rfc3339(w.created_at),
        updated_at: sigil_core::clock::rfc3339(w.updated_at),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WorkspaceQuery {
    /// Page number, from 1.
    #[param(schema_with = crate::api::schemas::page_number)]
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// Case-insensitive part of the name.
    #[param(schema_with = crate::api::schemas::search_text)]
    name: Option<String>,
    /// Exact name.
    exact_name: Option<String>,
}

async fn list(
    st: AppState,
    caller: CurrentMember,
    q: WorkspaceQuery,
) -> Result<Json<PageOf<WorkspaceBody>>, ApiError> {
    let req = PageParams {
        page: q.page,
        limit: q.limit,
    }
    .check()?;
    let filter = WorkspaceFilter {
        name: q.name.filter(|s| !s.is_empty()),
        exact_name: q.exact_name.filter(|s| !s.is_empty()),
        visible_to: None,
    };
    let page = st.services.workspaces.list(&caller, filter, req).await?;
    Ok(Json(PageOf::of(page, |w| workspace_body(&w))))
}

/// List workspaces
///
/// Admins see every workspace; others those they hold a grant on, directly or
/// through a team.
#[utoipa::path(
    get,
    path = "/v2/workspaces",
    tag = "workspaces",
    operation_id = "listWorkspaces",
    params(WorkspaceQuery),
    responses((status = 200, body = PageOf<WorkspaceBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_workspaces(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
) -> Result<Json<PageOf<WorkspaceBody>>, ApiError> {
    list(st, caller, q).await
}

/// List workspaces (v2.1)
#[utoipa::path(
    get,
    path = "/v2.1/workspaces",
    tag = "workspaces",
    operation_id = "v2_1_listWorkspaces",
    params(WorkspaceQuery),
    responses((status = 200, body = PageOf<WorkspaceBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_workspaces_v2_1(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<WorkspaceQuery>,
) -> Result<Json<PageOf<WorkspaceBody>>, ApiError> {
    list(st, caller, q).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceRequest {
    pub name: String,
    /// With an existing name: create nothing and answer the existing ids.
    #[serde(default)]
    pub no_duplicates: Option<bool>,
}

/// The answer to a create with `noDuplicates` and a taken name.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExistingWorkspaces {
    pub workspace_ids: Vec<String>,
    pub workspace_url_ids: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CreatedOrExisting {
    Created(WorkspaceBody),
    Existing(ExistingWorkspaces),
}

/// Create a workspace
///
/// The creator holds Can Manage on it. With `noDuplicates` and a name already taken,
/// nothing is created and the existing workspaces' ids are answered. Needs the
/// `create-workspaces` permission.
#[utoipa::path(
    post,
    path = "/v2/workspaces",
    tag = "workspaces",
    operation_id = "createWorkspace",
    request_body = WorkspaceRequest,
    responses(
        (status = 200, body = CreatedOrExisting),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_workspace(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<WorkspaceRequest>,
) -> Result<Json<CreatedOrExisting>, ApiError> {
    let created = st
        .services
        .workspaces
        .create(&caller, &req.name, req.no_duplicates.unwrap_or(false))
        .await?;
    Ok(Json(match created {
        Created::Created(ws) => CreatedOrExisting::Created(workspace_body(&ws)),
        Created::Existing(existing) => CreatedOrExisting::Existing(ExistingWorkspaces {
            workspace_ids: existing.iter().map(|w| w.id.to_string()).collect(),
            workspace_url_ids: existing.iter().map(|w| url_id(w.id)).collect(),
        }),
    }))
}

/// Get a workspace
///
/// Needs Can View; a workspace the caller cannot view is 404.
#[utoipa::path(
    get,
    path = "/v2/workspaces/{workspaceId}",
    tag = "workspaces",
    operation_id = "getWorkspace",
    params(("workspaceId" = String, Path)),
    responses((status = 200, body = WorkspaceBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_workspace(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
) -> Result<Json<WorkspaceBody>, ApiError> {
    let ws = st.services.workspaces.get(&caller, id).await?;
    Ok(Json(workspace_body(&ws)))
}

/// Rename a workspace
///
/// Needs Can Manage. With `noDuplicates`, a name another workspace has gets 409.
#[utoipa::path(
    patch,
    path = "/v2/workspaces/{workspaceId}",
    tag = "workspaces",
    operation_id = "updateWorkspace",
    params(("workspaceId" = String, Path)),
    request_body = WorkspaceRequest,
    responses(
        (status = 200, body = WorkspaceBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn update_workspace(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiJson(req): ApiJson<WorkspaceRequest>,
) -> Result<Json<WorkspaceBody>, ApiError> {
    let ws = st
        .services
        .workspaces
        .rename(&caller, id, &req.name, req.no_duplicates.unwrap_or(false))
        .await?;
    Ok(Json(workspace_body(&ws)))
}

/// Delete a workspace
///
/// Archives it; needs Can Manage.
#[utoipa::path(
    delete,
    path = "/v2/workspaces/{workspaceId}",
    tag = "workspaces",
    operation_id = "deleteWorkspace",
    params(("workspaceId" = String, Path)),
    responses(
        (status = 200, body = Empty),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_workspace(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
) -> Result<Json<Empty>, ApiError> {
    st.services.workspaces.archive(&caller, id).await?;
    Ok(Json(Empty {}))
}

/// List a workspace's grants
///
/// Needs Can Manage (or Admin); a workspace the caller cannot view is 404.
#[utoipa::path(
    get,
    path = "/v2/workspaces/{workspaceId}/grants",
    tag = "workspaces",
    operation_id = "listWorkspaceGrants",
    params(("workspaceId" = String, Path), PageParams),
    responses(
        (status = 200, body = PageOf<GrantBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_workspace_grants(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    let req = p.check()?;
    let org = st.services.organization.id;
    let body = st
        .services
        .grants
        .of_workspace_rendered(&caller, id, req, |page| {
            render_json(&PageOf::of(page, |g| GrantBody::of(org, &g)))
        })
        .await?;
    Ok(json_bytes(body))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantRequest {
    pub grantee: GranteeBody,
    /// `view`, `explore`, `organize` or `edit`.
    #[schema(value_type = crate::api::schemas::GrantPermissionSchema, inline)]
    pub permission: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantsRequest {
    /// 1 to 100 grants.
    #[schema(min_items = 1, max_items = 100)]
    pub grants: Vec<GrantRequest>,
}

async fn grant_on_workspace(
    st: AppState,
    caller: CurrentMember,
    id: InodeId,
    req: GrantsRequest,
) -> Result<Json<Empty>, ApiError> {
    let grants: Vec<GrantInput> = req
        .grants
        .into_iter()
        .map(|g| GrantInput {
            grantee: g.grantee.into(),
            permission: g.permission,
        })
        .collect();
    st.services
        .grants
        .grant_on_workspace(&caller, id, &grants)
        .await?;
    Ok(Json(Empty {}))
}

/// Grant members or teams access to a workspace
///
/// Creates and/or updates: one grant per grantee per workspace; a new permission
/// replaces the old one. At most 100 a request; all or nothing. Needs Can Manage.
#[utoipa::path(
    post,
    path = "/v2/workspaces/{workspaceId}/grants",
    tag = "workspaces",
    operation_id = "createWorkspaceGrant",
    params(("workspaceId" = String, Path)),
    request_body = GrantsRequest,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "Bad, unknown or too many grants; nothing written", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_workspace_grants(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiJson(req): ApiJson<GrantsRequest>,
) -> Result<Json<Empty>, ApiError> {
    grant_on_workspace(st, caller, id, req).await
}

/// Grant access (singular path)
///
/// The spelling the workspace grants document's curl examples use.
#[utoipa::path(
    post,
    path = "/v2/workspace/{workspaceId}/grants",
    tag = "workspaces",
    operation_id = "createWorkspaceGrantSingular",
    params(("workspaceId" = String, Path)),
    request_body = GrantsRequest,
    responses(
        (status = 200, body = Empty),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_workspace_grants_singular(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiJson(req): ApiJson<GrantsRequest>,
) -> Result<Json<Empty>, ApiError> {
    grant_on_workspace(st, caller, id, req).await
}

/// Revoke a workspace grant
#[utoipa::path(
    delete,
    path = "/v2/workspaces/{workspaceId}/grants/{grantId}",
    tag = "workspaces",
    operation_id = "deleteWorkspaceGrant",
    params(("workspaceId" = String, Path), ("grantId" = String, Path)),
    responses(
        (status = 200, body = Empty),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_workspace_grant(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(id, grant): Ids<InodeId, GrantId>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .grants
        .revoke_on_workspace(&caller, id, grant)
        .await?;
    Ok(Json(Empty {}))
}

/// Why a member has (or lacks) a permission on a node.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessBody {
    pub inode_id: String,
    pub member_id: String,
    /// The effective permission, or null when the member cannot even view the node.
    #[schema(value_type = Option<crate::api::schemas::GrantPermissionSchema>, inline)]
    pub permission: Option<GrantPermission>,
    /// Sigma's label: Can View, Can Explore, Can Contribute, Can Manage.
    pub label: Option<&'static str>,
    /// Admins manage everything whatever the grants say.
    pub is_admin: bool,
    /// The grants that apply: the member's own and its teams', on the node and its
    /// ancestors.
    pub grants: Vec<GrantBody>,
}

/// What may a member do on a node, and why (sigil)
///
/// Answers the effective permission and the grants that give it. Admins may ask about
/// anyone; others about themselves, or about anyone on a node they manage.
#[utoipa::path(
    get,
    path = "/v2/inodes/{inodeId}/access/{memberId}",
    tag = "workspaces",
    operation_id = "explainAccess",
    params(("inodeId" = String, Path), ("memberId" = String, Path)),
    responses(
        (status = 200, body = AccessBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn explain_access(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(inode, member): Ids<InodeId, MemberId>,
) -> Result<Json<AccessBody>, ApiError> {
    let d = st.services.access.explain(&caller, inode, member).await?;
    let org = st.services.organization.id;
    Ok(Json(AccessBody {
        inode_id: inode.to_string(),
        member_id: member.to_string(),
        permission: d.permission,
        label: d.permission.map(label),
        is_admin: d.is_admin,
        grants: d.grants.iter().map(|g| GrantBody::of(org, g)).collect(),
    }))
}
