//! `/v2/workspaces` (Sigma): workspaces and their grants, as the workspace grants
//! document describes them, plus sigil's own `GET /v2/inodes/{inodeId}/access/{memberId}`
//! ("what may this member do here, and why").

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sigil_core::{GrantId, GrantPermission, MemberId, Permission, TeamId};
use sigil_store::{Grant, Grantee, Inode, NameCursor, WorkspaceFilter};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::access::{access_of, label, require, Target};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentMember};
use crate::pagination::{PageOf, PageParams};
use crate::routes::credentials::Empty;
use crate::routes::{url_id, who};
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

const MAX_NAME: usize = 255;
const MAX_GRANTS: usize = 100;

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

/// A grant, with every field of the workspace grants document.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantBody {
    pub grant_id: String,
    pub inode_id: String,
    pub organization_id: String,
    pub member_id: Option<String>,
    pub team_id: Option<String>,
    /// `view`, `explore`, `organize` or `edit`.
    #[schema(value_type = String)]
    pub permission: GrantPermission,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

pub(crate) fn grant_body(st: &AppState, g: &Grant) -> GrantBody {
    GrantBody {
        grant_id: g.id.to_string(),
        inode_id: g.inode_id.to_string(),
        organization_id: st.organization.id.to_string(),
        member_id: g.member_id.map(|m| m.to_string()),
        team_id: g.team_id.map(|t| t.to_string()),
        permission: g.permission,
        created_by: who(g.created_by),
        updated_by: who(g.updated_by.or(g.created_by)),
        created_at: sigil_core::clock::rfc3339(g.created_at),
        updated_at: sigil_core::clock::rfc3339(g.updated_at),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WorkspaceQuery {
    /// Page number, from 1.
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    limit: Option<String>,
    /// Case-insensitive part of the name.
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
        visible_to: (!caller.account_type.is_admin()).then_some(caller.member.id),
    };
    let key = format!(
        "workspaces|{:?}|{:?}|{:?}",
        filter.name, filter.exact_name, filter.visible_to
    );
    let store = st.store.clone();
    let page = st
        .cursors
        .page(
            key,
            req,
            |pos, limit, with_total| async move {
                store
                    .list_workspaces(&filter, &pos, limit, with_total)
                    .await
            },
            |w: &Inode| NameCursor {
                name: w.name.clone(),
                id: w.id.0,
            },
        )
        .await?;
    Ok(Json(page.map(|w| workspace_body(&w))))
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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

fn check_name(n: &str) -> Result<String, ApiError> {
    let t = n.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME {
        return Err(ApiError::bad_request(format!(
            "name must be 1 to {MAX_NAME} characters"
        )));
    }
    Ok(t.to_owned())
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
    if !caller.account_type.has(Permission::CreateWorkspaces) {
        return Err(ApiError::forbidden(
            "creating workspaces needs the create-workspaces permission",
        ));
    }
    let name = check_name(&req.name)?;
    if req.no_duplicates.unwrap_or(false) {
        let existing = st.store.workspaces_named(&name).await?;
        if !existing.is_empty() {
            return Ok(Json(CreatedOrExisting::Existing(ExistingWorkspaces {
                workspace_ids: existing.iter().map(|w| w.id.to_string()).collect(),
                workspace_url_ids: existing.iter().map(|w| url_id(w.id)).collect(),
            })));
        }
    }
    let now = sigil_core::clock::now();
    let by = caller.member.id;
    let ws = Inode::new("workspace", &name, None, Some(by), now);
    let grant = Grant {
        id: GrantId::new(),
        inode_id: ws.id,
        member_id: Some(by),
        team_id: None,
        permission: GrantPermission::Edit,
        created_by: Some(by),
        updated_by: Some(by),
        created_at: now,
        updated_at: now,
    };
    st.store.create_workspace(&ws, &grant).await?;
    Ok(Json(CreatedOrExisting::Created(workspace_body(&ws))))
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<WorkspaceBody>, ApiError> {
    let (ws, _) = require(&st, &caller, &id, Target::WORKSPACE, GrantPermission::View).await?;
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
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<WorkspaceRequest>,
) -> Result<Json<WorkspaceBody>, ApiError> {
    let (mut ws, _) = require(&st, &caller, &id, Target::WORKSPACE, GrantPermission::Edit).await?;
    let name = check_name(&req.name)?;
    if req.no_duplicates.unwrap_or(false)
        && st
            .store
            .workspaces_named(&name)
            .await?
            .iter()
            .any(|w| w.id != ws.id)
    {
        return Err(ApiError::Conflict(format!(
            "a workspace named `{name}` exists"
        )));
    }
    ws.name = name;
    ws.updated_by = Some(caller.member.id);
    ws.updated_at = sigil_core::clock::now();
    st.store.update_inode(&ws).await?;
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Empty>, ApiError> {
    let (mut ws, _) = require(&st, &caller, &id, Target::WORKSPACE, GrantPermission::Edit).await?;
    ws.is_archived = true;
    ws.updated_by = Some(caller.member.id);
    ws.updated_at = sigil_core::clock::now();
    st.store.update_inode(&ws).await?;
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
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Response, ApiError> {
    let req = p.check()?;
    let (ws, _) = require(&st, &caller, &id, Target::WORKSPACE, GrantPermission::Edit).await?;
    // A rendered page stays right until the next write (see `read_cache`); automation
    // that polls a workspace's grants is then served without touching the database.
    let body = st
        .reads
        .grant_pages
        .get_or_load(st.store.as_ref(), (ws.id, req.page, req.limit), || async {
            let store = st.store.clone();
            let page = st
                .cursors
                .page(
                    format!("grants|{}", ws.id),
                    req,
                    |pos, limit, with_total| async move {
                        let (after, offset) = pos.into_parts();
                        store
                            .grants_on(ws.id, after, offset, limit, with_total)
                            .await
                    },
                    |g: &Grant| g.id,
                )
                .await?;
            let json = serde_json::to_vec(&page.map(|g| grant_body(&st, &g)))
                .map_err(ApiError::internal)?;
            Ok::<_, ApiError>(Bytes::from(json))
        })
        .await?;
    Ok(json_bytes(body))
}

fn json_bytes(body: Bytes) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GranteeBody {
    pub member_id: Option<String>,
    pub team_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub grantee: GranteeBody,
    /// `view`, `explore`, `organize` or `edit`.
    pub permission: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantsRequest {
    /// 1 to 100 grants.
    pub grants: Vec<GrantRequest>,
}

/// Checks one grantee and permission of a request; errors start with `prefix`.
pub(crate) async fn resolve_grant(
    st: &AppState,
    prefix: &str,
    grantee: &GranteeBody,
    permission: &str,
) -> Result<(Grantee, GrantPermission), ApiError> {
    let bad = |m: String| ApiError::bad_request(format!("{prefix}{m}"));
    let permission = GrantPermission::parse(permission).ok_or_else(|| {
        bad(format!(
            "unknown permission `{permission}`; use view, explore, organize or edit"
        ))
    })?;
    let grantee = match (&grantee.member_id, &grantee.team_id) {
        (Some(m), None) => {
            let unknown = || bad(format!("unknown member `{m}`"));
            let id: MemberId = m.parse().map_err(|_| unknown())?;
            if st.store.member(id).await?.is_none_or(|x| x.is_inactive) {
                return Err(unknown());
            }
            Grantee::Member(id)
        }
        (None, Some(t)) => {
            let unknown = || bad(format!("unknown team `{t}`"));
            let id: TeamId = t.parse().map_err(|_| unknown())?;
            if st.store.team(id).await?.is_none() {
                return Err(unknown());
            }
            Grantee::Team(id)
        }
        _ => {
            return Err(bad(
                "grantee must be {\"memberId\": …} or {\"teamId\": …}".into()
            ))
        }
    };
    Ok((grantee, permission))
}

/// Checks every grant of a request before anything is written; the first problem is
/// answered, naming the grantee or permission.
async fn check_grants(
    st: &AppState,
    req: &GrantsRequest,
) -> Result<Vec<(Grantee, GrantPermission)>, ApiError> {
    if req.grants.is_empty() || req.grants.len() > MAX_GRANTS {
        return Err(ApiError::bad_request(format!(
            "grants must hold 1 to {MAX_GRANTS} entries, got {}",
            req.grants.len()
        )));
    }
    let mut out: Vec<(Grantee, GrantPermission)> = Vec::new();
    for (i, g) in req.grants.iter().enumerate() {
        let (grantee, permission) =
            resolve_grant(st, &format!("grants[{i}]: "), &g.grantee, &g.permission).await?;
        if out.iter().any(|(g, _)| *g == grantee) {
            return Err(ApiError::bad_request(format!(
                "grants[{i}]: the same grantee appears twice in one request"
            )));
        }
        out.push((grantee, permission));
    }
    Ok(out)
}

async fn grant_on_workspace(
    st: AppState,
    caller: CurrentMember,
    id: String,
    req: GrantsRequest,
) -> Result<Json<Empty>, ApiError> {
    let (ws, _) = require(&st, &caller, &id, Target::WORKSPACE, GrantPermission::Edit).await?;
    let grants = check_grants(&st, &req).await?;
    st.store
        .upsert_grants(ws.id, &grants, caller.member.id, sigil_core::clock::now())
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
    ApiPath(id): ApiPath<String>,
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
    ApiPath(id): ApiPath<String>,
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
    ApiPath((id, grant)): ApiPath<(String, String)>,
) -> Result<Json<Empty>, ApiError> {
    let (ws, _) = require(&st, &caller, &id, Target::WORKSPACE, GrantPermission::Edit).await?;
    let not_found = || ApiError::not_found(format!("no grant `{grant}` on this workspace"));
    let gid: GrantId = grant.parse().map_err(|_| not_found())?;
    match st.store.grant(gid).await? {
        Some(g) if g.inode_id == ws.id => {
            st.store.delete_grant(gid).await?;
            Ok(Json(Empty {}))
        }
        _ => Err(not_found()),
    }
}

/// Why a member has (or lacks) a permission on a node.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccessBody {
    pub inode_id: String,
    pub member_id: String,
    /// The effective permission, or null when the member cannot even view the node.
    #[schema(value_type = Option<String>)]
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
    ApiPath((inode, member)): ApiPath<(String, String)>,
) -> Result<Json<AccessBody>, ApiError> {
    let node_missing = || ApiError::not_found(format!("no node `{inode}`"));
    let inode_id: sigil_core::InodeId = inode.parse().map_err(|_| node_missing())?;
    st.store.inode(inode_id).await?.ok_or_else(node_missing)?;
    let member_missing = || ApiError::not_found(format!("no member `{member}`"));
    let member_id: MemberId = member.parse().map_err(|_| member_missing())?;
    let caller_admin = caller.account_type.is_admin();
    if !caller_admin && member_id != caller.member.id {
        let mine = access_of(&st, caller.member.id, false, inode_id).await?;
        if mine.permission < Some(GrantPermission::Edit) {
            return Err(ApiError::forbidden(
                "asking about another member needs Can Manage on the node",
            ));
        }
    }
    let target = st
        .store
        .member(member_id)
        .await?
        .ok_or_else(member_missing)?;
    let target_admin = st
        .account_types
        .get(st.store.as_ref(), target.account_type_id)
        .await?
        .is_some_and(|t| t.is_admin());
    let a = access_of(&st, member_id, target_admin, inode_id).await?;
    Ok(Json(AccessBody {
        inode_id: inode_id.to_string(),
        member_id: member_id.to_string(),
        permission: a.permission,
        label: a.permission.map(label),
        is_admin: a.is_admin,
        grants: a.grants.iter().map(|g| grant_body(&st, g)).collect(),
    }))
}
