//! `/v2/grants` (Sigma): grants on any node of the file tree, by node, member or team.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{GrantId, InodeId};
use sigil_service::grants::{GrantEntry, GrantFilter, GrantInput};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::bodies::{GrantBody, GranteeBody};
use crate::api::shape::{PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, query_flag, ApiJson, ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_grants, create_grant))
        .routes(routes!(get_grant, delete_grant))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct GrantQuery {
    /// Page number, from 1.
    #[param(schema_with = crate::api::schemas::page_number)]
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// Grants on this node (and its ancestors, unless `directGrantsOnly`).
    inode_id: Option<String>,
    /// Grants to this team.
    team_id: Option<String>,
    /// Grants to this member (and its teams, unless `directGrantsOnly`).
    user_id: Option<String>,
    /// Only grants made on the node itself / to the member itself (default false).
    direct_grants_only: Option<String>,
}

/// A grant with the kind of node it is on.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantWithType {
    #[serde(flatten)]
    pub grant: GrantBody,
    /// Sigma's inode type: `folder` (workspaces and folders) or `workbook`.
    pub inode_type: String,
}

fn parse<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::bad_request(format!("{field} `{raw}` is not an id")))
}

fn with_type(st: &AppState, e: GrantEntry) -> GrantWithType {
    GrantWithType {
        grant: GrantBody::of(st.services.organization.id, &e.grant),
        inode_type: e.inode_type,
    }
}

/// List grants
///
/// By node (needs Can Manage on it), by member (the member itself) or by team (its
/// members); Admins may list any, or all with no filter.
#[utoipa::path(
    get,
    path = "/v2/grants",
    tag = "workspaces",
    operation_id = "listGrants",
    params(GrantQuery),
    responses(
        (status = 200, body = PageOf<GrantWithType>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_grants(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<GrantQuery>,
) -> Result<Json<PageOf<GrantWithType>>, ApiError> {
    let req = PageParams {
        page: q.page.clone(),
        limit: q.limit.clone(),
    }
    .check()?;
    let direct = query_flag("directGrantsOnly", q.direct_grants_only.as_deref(), false)?;
    let filter = GrantFilter {
        inode: q
            .inode_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|r| parse("inodeId", r))
            .transpose()?,
        include_ancestors: !direct,
        member: q
            .user_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|r| parse("userId", r))
            .transpose()?,
        include_teams: !direct,
        team: q
            .team_id
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|r| parse("teamId", r))
            .transpose()?,
    };
    let page = st.services.grants.list(&caller, filter, req).await?;
    Ok(Json(PageOf::of(page, |e| with_type(&st, e))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateGrant {
    pub grantee: GranteeBody,
    /// `view`, `explore`, `organize` or `edit`.
    #[schema(value_type = crate::api::schemas::GrantPermissionSchema, inline)]
    pub permission: String,
    pub inode_id: String,
    /// Sigma's version tag to grant on: accepted and ignored (sigil grants on the node).
    #[serde(default)]
    pub tag_id: Option<String>,
}

/// Grant access to a node
///
/// Creates or updates the grantee's grant on the node. Needs Can Manage on it.
#[utoipa::path(
    post,
    path = "/v2/grants",
    tag = "workspaces",
    operation_id = "createGrant",
    request_body = CreateGrant,
    responses(
        (status = 200, body = GrantWithType),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_grant(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<CreateGrant>,
) -> Result<Json<GrantWithType>, ApiError> {
    let inode: InodeId = parse_id("nodeId", &req.inode_id)?;
    let input = GrantInput {
        grantee: req.grantee.into(),
        permission: req.permission,
    };
    let e = st.services.grants.grant(&caller, inode, &input).await?;
    Ok(Json(with_type(&st, e)))
}

/// Get a grant
#[utoipa::path(
    get,
    path = "/v2/grants/{grantId}",
    tag = "workspaces",
    operation_id = "getGrant",
    params(("grantId" = String, Path)),
    responses(
        (status = 200, body = GrantWithType),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_grant(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<GrantId>,
) -> Result<Json<GrantWithType>, ApiError> {
    let e = st.services.grants.get(&caller, id).await?;
    Ok(Json(with_type(&st, e)))
}

/// Revoke a grant
///
/// Needs Can Manage on the grant's node; answers the revoked grant.
#[utoipa::path(
    delete,
    path = "/v2/grants/{grantId}",
    tag = "workspaces",
    operation_id = "deleteGrant",
    params(("grantId" = String, Path)),
    responses(
        (status = 200, body = GrantWithType),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_grant(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<GrantId>,
) -> Result<Json<GrantWithType>, ApiError> {
    let e = st.services.grants.revoke(&caller, id).await?;
    Ok(Json(with_type(&st, e)))
}
