//! Favorites and recents: `POST /v2/favorites`, `DELETE
//! /v2/favorites/member/{memberId}/file/{inodeId}`, `GET /v2/favorites/member/{memberId}`
//! and `GET /v2/members/{memberId}/files/favorites` (the same list), and `GET
//! /v2/members/{memberId}/files/recents`. Entries are file entries with that member's
//! permission.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use sigil_core::{InodeId, MemberId};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::files::{file_body, FileBody};
use crate::api::shape::{Empty, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, query_flag, ApiJson, ApiQuery, CurrentMember, Id, Ids};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(add_favorite))
        .routes(routes!(remove_favorite))
        .routes(routes!(list_favorites))
        .routes(routes!(list_favorite_inodes))
        .routes(routes!(list_recent_inodes))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddFavorite {
    pub member_id: String,
    pub inode_id: String,
}

/// Favorite a document or folder for a member
///
/// The member itself, or an Admin. The member must be able to see the node.
#[utoipa::path(
    post,
    path = "/v2/favorites",
    tag = "favorites",
    operation_id = "addFavorite",
    request_body = AddFavorite,
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
pub async fn add_favorite(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<AddFavorite>,
) -> Result<Json<Empty>, ApiError> {
    let member: MemberId = parse_id("memberId", &req.member_id)?;
    let inode: InodeId = parse_id("inodeId", &req.inode_id)?;
    st.services.favorites.add(&caller, member, inode).await?;
    Ok(Json(Empty {}))
}

/// Unfavorite a document or folder for a member
#[utoipa::path(
    delete,
    path = "/v2/favorites/member/{memberId}/file/{inodeId}",
    tag = "favorites",
    operation_id = "removeFavorite",
    params(("memberId" = String, Path), ("inodeId" = String, Path)),
    responses(
        (status = 200, body = Empty),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn remove_favorite(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(member, inode): Ids<MemberId, InodeId>,
) -> Result<Json<Empty>, ApiError> {
    st.services.favorites.remove(&caller, member, inode).await?;
    Ok(Json(Empty {}))
}

async fn favorites_page(
    st: &AppState,
    caller: &CurrentMember,
    member: MemberId,
    p: &PageParams,
) -> Result<Json<PageOf<FileBody>>, ApiError> {
    let page = st
        .services
        .favorites
        .favorites(caller, member, p.check()?)
        .await?;
    Ok(Json(PageOf::of(page, file_body)))
}

/// List a member's favorite documents
///
/// Newest first. The member itself, or an Admin.
#[utoipa::path(
    get,
    path = "/v2/favorites/member/{memberId}",
    tag = "favorites",
    operation_id = "listFavorites",
    params(("memberId" = String, Path), PageParams),
    responses(
        (status = 200, body = PageOf<FileBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_favorites(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(member): Id<MemberId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<FileBody>>, ApiError> {
    favorites_page(&st, &caller, member, &p).await
}

/// List the favorite documents of a member
///
/// The same list as `GET /v2/favorites/member/{memberId}`.
#[utoipa::path(
    get,
    path = "/v2/members/{memberId}/files/favorites",
    tag = "members",
    operation_id = "listFavoriteInodes",
    params(("memberId" = String, Path), PageParams),
    responses(
        (status = 200, body = PageOf<FileBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_favorite_inodes(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(member): Id<MemberId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<FileBody>>, ApiError> {
    favorites_page(&st, &caller, member, &p).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct RecentsQuery {
    /// Page number, from 1.
    #[param(schema_with = crate::api::schemas::page_number)]
    pub page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// `true` or `false`. sigil holds no explorations, so either gives the same list.
    #[param(value_type = Option<bool>)]
    pub include_explorations: Option<String>,
}

/// List a member's recent documents
///
/// The workbooks the member opened (through the web pages or `GET
/// /v2/workbooks/{workbookId}`), last opened first. The member itself, or an Admin.
#[utoipa::path(
    get,
    path = "/v2/members/{memberId}/files/recents",
    tag = "members",
    operation_id = "listRecentInodes",
    params(("memberId" = String, Path), RecentsQuery),
    responses(
        (status = 200, body = PageOf<FileBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_recent_inodes(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(member): Id<MemberId>,
    ApiQuery(q): ApiQuery<RecentsQuery>,
) -> Result<Json<PageOf<FileBody>>, ApiError> {
    query_flag(
        "includeExplorations",
        q.include_explorations.as_deref(),
        false,
    )?;
    let req = PageParams {
        page: q.page,
        limit: q.limit,
    }
    .check()?;
    let page = st.services.favorites.recents(&caller, member, req).await?;
    Ok(Json(PageOf::of(page, file_body)))
}
