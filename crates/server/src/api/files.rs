//! `/v2/files` and `GET /v2/members/{memberId}/files` (Sigma): the file tree of
//! workspaces, folders (home folders among them) and workbooks. Every node answers its
//! `path` and the caller's `permission` on it.

use axum::extract::{RawQuery, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{GrantPermission, InodeId, MemberId};
use sigil_service::files::{kind_name, FileEntry, FileUpdate, NewFile};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::shape::{url_id, who, Empty, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, query_flag, ApiJson, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_files, create_file))
        .routes(routes!(get_file, update_file, delete_file))
        .routes(routes!(list_member_files))
}

/// A node of the file tree, as Sigma answers it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileBody {
    pub id: String,
    pub url_id: String,
    pub name: String,
    /// `workspace`, `folder` or `workbook`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Empty for a workspace or a home folder (they have no parent).
    pub parent_id: String,
    pub parent_url_id: String,
    /// The caller's effective permission on the node.
    pub permission: Option<&'static str>,
    /// The names of the node's ancestors, root first, joined by `/`.
    pub path: String,
    pub badge: Option<String>,
    pub is_archived: bool,
    pub description: String,
    pub owner_id: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

pub(crate) fn file_body(e: FileEntry) -> FileBody {
    let n = e.node;
    FileBody {
        id: n.id.to_string(),
        url_id: url_id(n.id),
        kind: kind_name(&n.kind).to_owned(),
        parent_id: n.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        parent_url_id: n.parent_id.map(url_id).unwrap_or_default(),
        permission: e.permission.map(GrantPermission::as_str),
        path: e.path,
        badge: None,
        is_archived: n.is_archived,
        description: n.description,
        owner_id: n.owner_id.map(|o| o.to_string()),
        created_by: who(n.created_by),
        updated_by: who(n.updated_by.or(n.created_by)),
        created_at: sigil_core::clock::rfc3339(n.created_at),
        updated_at: sigil_core::clock::rfc3339(n.updated_at),
        name: n.name,
    }
}

/// The query of file lists. `typeFilters` is an array: repeat it
/// (`typeFilters=workbook&typeFilters=folder`) or separate values by commas.
#[derive(Debug, Default, IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct FileQuery {
    /// Page number, from 1.
    #[param(schema_with = crate::api::schemas::page_number)]
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// Case-insensitive part of the name.
    #[param(schema_with = crate::api::schemas::search_text)]
    name: Option<String>,
    /// Kinds, any of Sigma's: `workspace`, `folder`, `workbook`, `dataset`,
    /// `data-model`, `sql`, `worksheet`, `dashboard`, `template`, `table`, `symlink`,
    /// `report`. sigil holds the first three; the others match nothing.
    #[param(value_type = Option<Vec<String>>)]
    type_filters: Vec<String>,
    /// Only nodes under this one.
    parent_id: Option<String>,
    /// With `parentId`: only its direct children (default true).
    direct_child_filter: Option<String>,
    /// Only nodes on which the member has at least this permission.
    permission_filter: Option<String>,
}

impl FileQuery {
    /// Reads the raw query string: repeated keys are allowed for the array.
    fn parse(raw: Option<&str>) -> Result<FileQuery, ApiError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("invalid query: {e}")))?;
        let mut q = FileQuery::default();
        for (k, v) in pairs {
            let one = |slot: &mut Option<String>| -> Result<(), ApiError> {
                if slot.is_some() {
                    return Err(ApiError::bad_request(format!(
                        "invalid query: `{k}` is given twice"
                    )));
                }
                *slot = Some(v.clone());
                Ok(())
            };
            match k.as_str() {
                "page" => one(&mut q.page)?,
                "limit" => one(&mut q.limit)?,
                "name" => one(&mut q.name)?,
                "parentId" => one(&mut q.parent_id)?,
                "directChildFilter" => one(&mut q.direct_child_filter)?,
                "permissionFilter" => one(&mut q.permission_filter)?,
                "typeFilters" | "typeFilters[]" => q.type_filters.extend(
                    v.split(',')
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned),
                ),
                // Unknown parameters are ignored, as Sigma does.
                _ => {}
            }
        }
        Ok(q)
    }
}

/// The query's filters, checked.
fn file_query(q: &FileQuery) -> Result<sigil_service::files::FileQuery, ApiError> {
    let type_filters = q.type_filters.clone();
    let parent_id = match q.parent_id.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(parse_id::<InodeId>("inodeId", raw)?),
    };
    let permission_filter = match q.permission_filter.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(p) => Some(GrantPermission::parse(p).ok_or_else(|| {
            ApiError::bad_request(format!(
                "permissionFilter must be view, explore, organize or edit, got `{p}`"
            ))
        })?),
    };
    Ok(sigil_service::files::FileQuery {
        name: q.name.clone(),
        type_filters,
        parent_id,
        direct_children_only: query_flag(
            "directChildFilter",
            q.direct_child_filter.as_deref(),
            true,
        )?,
        permission_filter,
    })
}

/// List files
///
/// The nodes the caller can see, by name. Filters: `parentId` (with
/// `directChildFilter`), `typeFilters`, `name`, `permissionFilter`.
#[utoipa::path(
    get,
    path = "/v2/files",
    tag = "workspaces",
    operation_id = "listFiles",
    params(FileQuery),
    responses((status = 200, body = PageOf<FileBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_files(
    State(st): State<AppState>,
    caller: CurrentMember,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageOf<FileBody>>, ApiError> {
    let q = FileQuery::parse(raw.as_deref())?;
    let req = PageParams {
        page: q.page.clone(),
        limit: q.limit.clone(),
    }
    .check()?;
    let page = st
        .services
        .files
        .list(&caller, file_query(&q)?, req)
        .await?;
    Ok(Json(PageOf::of(page, file_body)))
}

/// List the files a member can access
///
/// Admins may ask about anyone; a member about itself.
#[utoipa::path(
    get,
    path = "/v2/members/{memberId}/files",
    tag = "workspaces",
    operation_id = "listAccessibleInodes",
    params(("memberId" = String, Path), FileQuery),
    responses((status = 200, body = PageOf<FileBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_member_files(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(member): Id<MemberId>,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageOf<FileBody>>, ApiError> {
    let q = FileQuery::parse(raw.as_deref())?;
    let req = PageParams {
        page: q.page.clone(),
        limit: q.limit.clone(),
    }
    .check()?;
    let page = st
        .services
        .files
        .list_of_member(&caller, member, file_query(&q)?, req)
        .await?;
    Ok(Json(PageOf::of(page, file_body)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateFile {
    /// `workspace`, `folder` or `workbook` (`report`: 501, sigil holds none).
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The workspace or folder to create it in.
    #[serde(default)]
    pub parent_id: Option<String>,
    /// Defaults to the caller; only an Admin may name another member.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// Sigma's source to create from: accepted and ignored (sigil holds no datasets
    /// or tables to start from).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub source: Option<serde_json::Value>,
}

/// Create a folder
///
/// In a workspace or folder on which the caller can contribute (Can Contribute).
#[utoipa::path(
    post,
    path = "/v2/files",
    tag = "workspaces",
    operation_id = "createFile",
    request_body = CreateFile,
    responses(
        (status = 200, body = FileBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 501, description = "A type sigil does not create here yet", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_file(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<CreateFile>,
) -> Result<Json<FileBody>, ApiError> {
    let parent_id = match req.parent_id.as_deref() {
        None => None,
        Some(raw) => Some(parse_id::<InodeId>("inodeId", raw)?),
    };
    let input = NewFile {
        kind: req.kind,
        name: req.name,
        description: req.description,
        parent_id,
        owner_id: req.owner_id,
    };
    let e = st.services.files.create(&caller, input).await?;
    Ok(Json(file_body(e)))
}

/// Get a file
#[utoipa::path(
    get,
    path = "/v2/files/{inodeId}",
    tag = "workspaces",
    operation_id = "getFile",
    params(("inodeId" = String, Path)),
    responses((status = 200, body = FileBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_file(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
) -> Result<Json<FileBody>, ApiError> {
    let e = st.services.files.get(&caller, id).await?;
    Ok(Json(file_body(e)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateFile {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Needs Can Manage on the file (or Admin).
    pub owner_id: Option<String>,
    /// Move under this workspace or folder (Can Contribute on both ends).
    pub parent_id: Option<String>,
    /// Bring an archived file back.
    pub restore: Option<bool>,
}

/// Rename, move, restore or re-own a file
#[utoipa::path(
    patch,
    path = "/v2/files/{inodeId}",
    tag = "workspaces",
    operation_id = "updateFile",
    params(("inodeId" = String, Path)),
    request_body = UpdateFile,
    responses(
        (status = 200, body = FileBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn update_file(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiJson(req): ApiJson<UpdateFile>,
) -> Result<Json<FileBody>, ApiError> {
    let parent_id = match req.parent_id.as_deref() {
        None => None,
        Some(raw) => Some(parse_id::<InodeId>("inodeId", raw)?),
    };
    let update = FileUpdate {
        name: req.name,
        description: req.description,
        owner_id: req.owner_id,
        parent_id,
        restore: req.restore == Some(true),
    };
    let e = st.services.files.update(&caller, id, update).await?;
    Ok(Json(file_body(e)))
}

/// Archive a file
///
/// Needs Can Contribute; `PATCH … {"restore": true}` brings it back.
#[utoipa::path(
    delete,
    path = "/v2/files/{inodeId}",
    tag = "workspaces",
    operation_id = "deleteFile",
    params(("inodeId" = String, Path)),
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
pub async fn delete_file(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
) -> Result<Json<Empty>, ApiError> {
    st.services.files.archive(&caller, id).await?;
    Ok(Json(Empty {}))
}
