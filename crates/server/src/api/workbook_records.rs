//! Saved views (bookmarks) and embeds of a workbook, kept as records:
//! `/v2/workbooks/{workbookId}/bookmarks…` and `/v2/workbooks/{workbookId}/embeds…`.
//! sigil applies no saved view and serves no embed (an embed's URL is recorded,
//! not served).

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::InodeId;
use sigil_service::workbook_records::{BookmarkUpdate, NewBookmark};
use sigil_service::{Bookmark, Embed};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::api::shape::{present, Empty, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, ApiJson, ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_bookmarks, create_bookmark))
        .routes(routes!(get_bookmark, update_bookmark, delete_bookmark))
        .routes(routes!(list_embeds, create_embed))
        .routes(routes!(delete_embed))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BookmarkBody {
    pub bookmark_id: String,
    pub name: String,
    pub is_shared: bool,
    pub explore_key: String,
    pub is_default: bool,
}

impl From<Bookmark> for BookmarkBody {
    fn from(b: Bookmark) -> Self {
        BookmarkBody {
            bookmark_id: b.id.to_string(),
            name: b.name,
            is_shared: b.is_shared,
            explore_key: b.explore_key,
            is_default: b.is_default,
        }
    }
}

fn ids(workbook: &str, other: &str, name: &str) -> Result<(InodeId, Uuid), ApiError> {
    Ok((parse_id("workbookId", workbook)?, parse_id(name, other)?))
}

/// List a workbook's saved views
///
/// Those the caller created and those shared with it. Needs Can View.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/bookmarks",
    tag = "workbooks",
    operation_id = "getWorkbookBookmarks",
    params(("workbookId" = String, Path), PageParams),
    responses((status = 200, body = PageOf<BookmarkBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_bookmarks(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(wb): Id<InodeId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<BookmarkBody>>, ApiError> {
    let page = st
        .services
        .workbook_records
        .bookmarks(&caller, wb, p.check()?)
        .await?;
    Ok(Json(PageOf::of(page, Into::into)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateBookmark {
    /// A version the workbook has.
    pub workbook_version: f64,
    pub name: String,
    pub is_shared: bool,
    pub explore_key: String,
}

/// Save a view of a workbook
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/bookmarks",
    tag = "workbooks",
    operation_id = "postWorkbookBookmarks",
    params(("workbookId" = String, Path)),
    request_body = CreateBookmark,
    responses((status = 200, body = BookmarkBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_bookmark(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(wb): Id<InodeId>,
    ApiJson(req): ApiJson<CreateBookmark>,
) -> Result<Json<BookmarkBody>, ApiError> {
    let v = req.workbook_version;
    if v.fract() != 0.0 || !(1.0..=i64::MAX as f64).contains(&v) {
        return Err(ApiError::bad_request(format!(
            "workbookVersion must be a whole number from 1, got {v}"
        )));
    }
    let b = st
        .services
        .workbook_records
        .create_bookmark(
            &caller,
            wb,
            NewBookmark {
                version: v as i64,
                name: req.name,
                is_shared: req.is_shared,
                explore_key: req.explore_key,
            },
        )
        .await?;
    Ok(Json(b.into()))
}

/// Get a saved view
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/bookmarks/{bookmarkId}",
    tag = "workbooks",
    operation_id = "getWorkbookBookmark",
    params(("workbookId" = String, Path), ("bookmarkId" = String, Path)),
    responses((status = 200, body = BookmarkBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn get_bookmark(
    State(st): State<AppState>,
    caller: CurrentMember,
    Path((wb, id)): Path<(String, String)>,
) -> Result<Json<BookmarkBody>, ApiError> {
    let (wb, id) = ids(&wb, &id, "bookmarkId")?;
    let b = st
        .services
        .workbook_records
        .bookmark(&caller, wb, id)
        .await?;
    Ok(Json(b.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBookmark {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<bool>)]
    pub is_shared: Option<Option<bool>>,
    /// One saved view a workbook is the default: setting one unsets the other.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<bool>)]
    pub is_default: Option<Option<bool>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub explore_key: Option<Option<String>>,
}

/// Change a saved view
///
/// Its owner, or an Admin. A field left out or null stays as it is.
#[utoipa::path(
    patch,
    path = "/v2/workbooks/{workbookId}/bookmarks/{bookmarkId}",
    tag = "workbooks",
    operation_id = "updateWorkbookBookmark",
    params(("workbookId" = String, Path), ("bookmarkId" = String, Path)),
    request_body = UpdateBookmark,
    responses((status = 200, body = BookmarkBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update_bookmark(
    State(st): State<AppState>,
    caller: CurrentMember,
    Path((wb, id)): Path<(String, String)>,
    ApiJson(req): ApiJson<UpdateBookmark>,
) -> Result<Json<BookmarkBody>, ApiError> {
    let (wb, id) = ids(&wb, &id, "bookmarkId")?;
    let b = st
        .services
        .workbook_records
        .update_bookmark(
            &caller,
            wb,
            id,
            BookmarkUpdate {
                name: req.name.flatten(),
                is_shared: req.is_shared.flatten(),
                is_default: req.is_default.flatten(),
                explore_key: req.explore_key.flatten(),
            },
        )
        .await?;
    Ok(Json(b.into()))
}

/// Delete a saved view
///
/// Its owner, or an Admin.
#[utoipa::path(
    delete,
    path = "/v2/workbooks/{workbookId}/bookmarks/{bookmarkId}",
    tag = "workbooks",
    operation_id = "deleteWorkbookBookmarks",
    params(("workbookId" = String, Path), ("bookmarkId" = String, Path)),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_bookmark(
    State(st): State<AppState>,
    caller: CurrentMember,
    Path((wb, id)): Path<(String, String)>,
) -> Result<Json<Empty>, ApiError> {
    let (wb, id) = ids(&wb, &id, "bookmarkId")?;
    st.services
        .workbook_records
        .delete_bookmark(&caller, wb, id)
        .await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedBody {
    pub embed_id: String,
    /// Recorded, not served: sigil serves no embeds.
    pub embed_url: String,
    pub public: bool,
    /// `workbook`, `page` or `element`.
    pub source_type: String,
    pub source_id: Option<String>,
    pub source_name: Option<String>,
}

fn embed_url(st: &AppState, e: &Embed) -> String {
    format!(
        "{}/embed/{}",
        st.services.base_url().trim_end_matches('/'),
        e.id
    )
}

/// List a workbook's embeds
///
/// Needs Can Manage.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/embeds",
    tag = "workbooks",
    operation_id = "listWorkbookEmbeds",
    params(("workbookId" = String, Path), PageParams),
    responses((status = 200, body = PageOf<EmbedBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_embeds(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(wb): Id<InodeId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<EmbedBody>>, ApiError> {
    let page = st
        .services
        .workbook_records
        .embeds(&caller, wb, p.check()?)
        .await?;
    Ok(Json(PageOf::of(page, |e| EmbedBody {
        embed_url: embed_url(&st, &e),
        embed_id: e.id.to_string(),
        public: e.embed_type == "public",
        source_type: e.source_type,
        source_id: e.source_id,
        source_name: e.source_name,
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateEmbed {
    /// `public`.
    pub embed_type: String,
    /// `workbook`, `page` or `element`.
    pub source_type: String,
    /// The page's or element's id, for those.
    pub source_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedEmbed {
    pub embed_id: String,
    /// Recorded, not served: sigil serves no embeds.
    pub embed_url: String,
}

/// Record an embed of a workbook, page or element
///
/// Needs Can Manage; a page or element must be in the document.
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/embeds",
    tag = "workbooks",
    operation_id = "createWorkbookEmbed",
    params(("workbookId" = String, Path)),
    request_body = CreateEmbed,
    responses((status = 200, body = CreatedEmbed), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_embed(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(wb): Id<InodeId>,
    ApiJson(req): ApiJson<CreateEmbed>,
) -> Result<Json<CreatedEmbed>, ApiError> {
    let e = st
        .services
        .workbook_records
        .create_embed(
            &caller,
            wb,
            &req.embed_type,
            &req.source_type,
            req.source_id,
        )
        .await?;
    Ok(Json(CreatedEmbed {
        embed_url: embed_url(&st, &e),
        embed_id: e.id.to_string(),
    }))
}

/// Delete an embed
#[utoipa::path(
    delete,
    path = "/v2/workbooks/{workbookId}/embeds/{embedId}",
    tag = "workbooks",
    operation_id = "deleteWorkbookEmbeds",
    params(("workbookId" = String, Path), ("embedId" = String, Path)),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_embed(
    State(st): State<AppState>,
    caller: CurrentMember,
    Path((wb, id)): Path<(String, String)>,
) -> Result<Json<Empty>, ApiError> {
    let (wb, id) = ids(&wb, &id, "embedId")?;
    st.services
        .workbook_records
        .delete_embed(&caller, wb, id)
        .await?;
    Ok(Json(Empty {}))
}
