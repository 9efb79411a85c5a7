//! `/v2/grants` (Sigma): grants on any node of the file tree, by node, member or team.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{GrantPermission, InodeId};
use sigil_store::{Grant, GrantFilter, Grantee};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::access::access_of;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{query_flag, ApiJson, ApiPath, ApiQuery, CurrentMember};
use crate::pagination::{PageOf, PageParams};
use crate::routes::workspaces::{grant_body, resolve_grant, GrantBody, GranteeBody};
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
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
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
    /// `workspace`, `folder` or `workbook`.
    pub inode_type: String,
}

fn parse<T: std::str::FromStr>(field: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::bad_request(format!("{field} `{raw}` is not an id")))
}

async fn can_manage(
    st: &AppState,
    caller: &CurrentMember,
    inode: InodeId,
) -> Result<bool, ApiError> {
    if caller.account_type.is_admin() {
        // Admins manage everything: no need to read the grants.
        return Ok(true);
    }
    let a = access_of(st, caller.member.id, false, inode).await?;
    Ok(a.permission == Some(GrantPermission::Edit))
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
        (status = 200, body = PageOf<GrantBody>),
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
) -> Result<Json<PageOf<GrantBody>>, ApiError> {
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
    if !caller.account_type.is_admin() {
        let allowed = match (filter.inode, filter.member, filter.team) {
            (Some(i), _, _) => can_manage(&st, &caller, i).await?,
            (None, Some(m), _) => m == caller.member.id,
            (None, None, Some(t)) => st
                .store
                .team_membership(t, caller.member.id)
                .await?
                .is_some(),
            (None, None, None) => false,
        };
        if !allowed {
            return Err(ApiError::forbidden(
                "list grants on a node you manage, your own grants, or your teams' grants",
            ));
        }
    }
    let key = format!("grants-query|{:?}", filter);
    let store = st.store.clone();
    let page = st
        .cursors
        .page(
            key,
            req,
            |pos, limit, _| async move {
                let (after, offset) = pos.into_parts();
                let (rows, total) = store.list_grants(&filter, after, offset, limit).await?;
                Ok((rows, Some(total)))
            },
            |g: &Grant| g.id,
        )
        .await?;
    Ok(Json(page.map(|g| grant_body(&st, &g))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateGrant {
    pub grantee: GranteeBody,
    /// `view`, `explore`, `organize` or `edit`.
    pub permission: String,
    pub inode_id: String,
}

async fn with_type(st: &AppState, g: &Grant) -> Result<GrantWithType, ApiError> {
    let kind = st
        .store
        .inode(g.inode_id)
        .await?
        .map(|i| i.kind)
        .unwrap_or_default();
    Ok(GrantWithType {
        grant: grant_body(st, g),
        inode_type: if kind == "home" {
            "folder".into()
        } else {
            kind
        },
    })
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
    let not_found = || ApiError::not_found(format!("no node `{}`", req.inode_id));
    let inode: InodeId = req.inode_id.parse().map_err(|_| not_found())?;
    st.store
        .inode(inode)
        .await?
        .filter(|n| !n.is_archived)
        .ok_or_else(not_found)?;
    let a = access_of(&st, caller.member.id, caller.account_type.is_admin(), inode).await?;
    match a.permission {
        None => return Err(not_found()),
        Some(p) if p < GrantPermission::Edit => {
            return Err(ApiError::forbidden(
                "granting access needs Can Manage on the node",
            ))
        }
        Some(_) => {}
    }
    let (grantee, permission) = resolve_grant(&st, "", &req.grantee, &req.permission).await?;
    st.store
        .upsert_grants(
            inode,
            &[(grantee, permission)],
            caller.member.id,
            sigil_core::clock::now(),
        )
        .await?;
    let filter = GrantFilter {
        inode: Some(inode),
        member: match grantee {
            Grantee::Member(m) => Some(m),
            Grantee::Team(_) => None,
        },
        team: match grantee {
            Grantee::Team(t) => Some(t),
            Grantee::Member(_) => None,
        },
        ..GrantFilter::default()
    };
    let (rows, _) = st.store.list_grants(&filter, None, 0, 1).await?;
    let g = rows
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("grant vanished after upsert")))?;
    Ok(Json(with_type(&st, &g).await?))
}

/// The grant, if the caller may see it: Admins, the member it is for, members of the
/// team it is for, and those who manage its node. Others get 404.
async fn visible_grant(
    st: &AppState,
    caller: &CurrentMember,
    raw: &str,
) -> Result<Grant, ApiError> {
    let not_found = || ApiError::not_found(format!("no grant `{raw}`"));
    let id: sigil_core::GrantId = raw.parse().map_err(|_| not_found())?;
    let g = st.store.grant(id).await?.ok_or_else(not_found)?;
    if caller.account_type.is_admin() || g.member_id == Some(caller.member.id) {
        return Ok(g);
    }
    if let Some(t) = g.team_id {
        if st
            .store
            .team_membership(t, caller.member.id)
            .await?
            .is_some()
        {
            return Ok(g);
        }
    }
    if can_manage(st, caller, g.inode_id).await? {
        return Ok(g);
    }
    Err(not_found())
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<GrantWithType>, ApiError> {
    let g = visible_grant(&st, &caller, &id).await?;
    Ok(Json(with_type(&st, &g).await?))
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<GrantWithType>, ApiError> {
    let g = visible_grant(&st, &caller, &id).await?;
    if !can_manage(&st, &caller, g.inode_id).await? {
        return Err(ApiError::forbidden(
            "revoking a grant needs Can Manage on its node",
        ));
    }
    let body = with_type(&st, &g).await?;
    st.store.delete_grant(g.id).await?;
    Ok(Json(body))
}
