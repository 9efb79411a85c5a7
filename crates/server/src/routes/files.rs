//! `/v2/files` and `GET /v2/members/{memberId}/files` (Sigma): the file tree of
//! workspaces, folders (home folders among them) and workbooks. Every node answers its
//! `path` and the caller's `permission` on it.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{GrantPermission, MemberId};
use sigil_store::{Inode, InodeFilter, NameCursor};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::access::{access_along, require, Target};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{query_flag, ApiJson, ApiPath, ApiQuery, CurrentMember};
use crate::pagination::{PageOf, PageParams, PageRequest};
use crate::routes::credentials::Empty;
use crate::routes::{url_id, who};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_files, create_file))
        .routes(routes!(get_file, update_file, delete_file))
        .routes(routes!(list_member_files))
}

const MAX_NAME: usize = 255;

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

fn kind_name(kind: &str) -> String {
    // A home folder is a folder to Sigma's clients.
    if kind == "home" {
        "folder".into()
    } else {
        kind.into()
    }
}

/// A page of the nodes `filter` selects, by name, with remembered positions.
pub(crate) async fn node_page(
    st: &AppState,
    filter: InodeFilter,
    req: PageRequest,
) -> Result<PageOf<Inode>, ApiError> {
    let store = st.store.clone();
    st.cursors
        .page(
            format!("files|{filter:?}"),
            req,
            |pos, limit, with_total| async move {
                store.list_inodes(&filter, &pos, limit, with_total).await
            },
            |n: &Inode| NameCursor {
                name: n.name.clone(),
                id: n.id.0,
            },
        )
        .await
}

/// Sigma's `path` of a node: its ancestors' names, root first, joined by `/`.
pub(crate) fn ancestors(path: &[Inode], node: sigil_core::InodeId) -> String {
    path.iter()
        .filter(|p| p.id != node)
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

/// The owner of a new file: the caller, or (for an Admin only) an active member.
pub(crate) async fn owner_of(
    st: &AppState,
    caller: &CurrentMember,
    raw: Option<&str>,
) -> Result<MemberId, ApiError> {
    let Some(raw) = raw else {
        return Ok(caller.member.id);
    };
    let id: MemberId = raw
        .parse()
        .map_err(|_| ApiError::bad_request(format!("ownerId `{raw}` is not a member id")))?;
    if id != caller.member.id && !caller.account_type.is_admin() {
        return Err(ApiError::forbidden(
            "only an Admin may create files owned by someone else",
        ));
    }
    if st.store.member(id).await?.is_none_or(|m| m.is_inactive) {
        return Err(ApiError::bad_request(format!(
            "ownerId `{raw}` names no active member"
        )));
    }
    Ok(id)
}

async fn file_body(st: &AppState, caller: &CurrentMember, n: &Inode) -> Result<FileBody, ApiError> {
    // One read of the path serves both the `path` field and the home-folder rule.
    let path = st.store.inode_path(n.id).await?;
    let permission = if caller.account_type.is_admin() {
        Some(GrantPermission::Edit)
    } else {
        access_along(st, caller.member.id, false, &path)
            .await?
            .permission
    };
    Ok(FileBody {
        id: n.id.to_string(),
        url_id: url_id(n.id),
        name: n.name.clone(),
        kind: kind_name(&n.kind),
        parent_id: n.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        parent_url_id: n.parent_id.map(url_id).unwrap_or_default(),
        permission: permission.map(GrantPermission::as_str),
        path: ancestors(&path, n.id),
        badge: None,
        is_archived: n.is_archived,
        description: n.description.clone(),
        owner_id: n.owner_id.map(|o| o.to_string()),
        created_by: who(n.created_by),
        updated_by: who(n.updated_by.or(n.created_by)),
        created_at: sigil_core::clock::rfc3339(n.created_at),
        updated_at: sigil_core::clock::rfc3339(n.updated_at),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// Page number, from 1.
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    limit: Option<String>,
    /// Case-insensitive part of the name.
    name: Option<String>,
    /// Comma-separated kinds: `workspace`, `folder`, `workbook`.
    type_filters: Option<String>,
    /// Only nodes under this one.
    parent_id: Option<String>,
    /// With `parentId`: only its direct children (default true).
    direct_child_filter: Option<String>,
    /// Only nodes on which the member has at least this permission.
    permission_filter: Option<String>,
}

async fn list(
    st: &AppState,
    caller: &CurrentMember,
    subject: MemberId,
    subject_admin: bool,
    q: FileQuery,
) -> Result<Json<PageOf<FileBody>>, ApiError> {
    let req = PageParams {
        page: q.page.clone(),
        limit: q.limit.clone(),
    }
    .check()?;
    let mut kinds = Vec::new();
    for k in q
        .type_filters
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        match k {
            "workspace" | "workbook" => kinds.push(k.to_owned()),
            "folder" => {
                kinds.push("folder".into());
                kinds.push("home".into());
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "typeFilters: unknown type `{other}`; use workspace, folder or workbook"
                )))
            }
        }
    }
    let parent = match q.parent_id.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => Some(
            require(st, caller, raw, Target::ANY, GrantPermission::View)
                .await?
                .0
                .id,
        ),
    };
    let direct = query_flag("directChildFilter", q.direct_child_filter.as_deref(), true)?;
    let min_permission = match q.permission_filter.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(p) => Some(GrantPermission::parse(p).ok_or_else(|| {
            ApiError::bad_request(format!(
                "permissionFilter must be view, explore, organize or edit, got `{p}`"
            ))
        })?),
    };
    let filter = InodeFilter {
        parent,
        descendants: !direct,
        name: q.name.filter(|s| !s.is_empty()),
        kinds,
        visible_to: (!subject_admin).then_some(subject),
        min_permission,
    };
    let page = node_page(st, filter, req).await?;
    let mut entries = Vec::with_capacity(page.entries.len());
    for n in &page.entries {
        entries.push(file_body(st, caller, n).await?);
    }
    Ok(Json(PageOf {
        entries,
        next_page: page.next_page,
        total: page.total,
        has_more: page.has_more,
    }))
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
    ApiQuery(q): ApiQuery<FileQuery>,
) -> Result<Json<PageOf<FileBody>>, ApiError> {
    let (id, admin) = (caller.member.id, caller.account_type.is_admin());
    list(&st, &caller, id, admin, q).await
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
    ApiPath(member): ApiPath<String>,
    ApiQuery(q): ApiQuery<FileQuery>,
) -> Result<Json<PageOf<FileBody>>, ApiError> {
    let missing = || ApiError::not_found(format!("no member `{member}`"));
    let id: MemberId = member.parse().map_err(|_| missing())?;
    if id != caller.member.id && !caller.account_type.is_admin() {
        return Err(ApiError::forbidden("you may list only your own files"));
    }
    let m = st.store.member(id).await?.ok_or_else(missing)?;
    let admin = st
        .account_types
        .get(st.store.as_ref(), m.account_type_id)
        .await?
        .is_some_and(|t| t.is_admin());
    list(&st, &caller, id, admin, q).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateFile {
    /// `folder` or `workbook` (workspaces: `POST /v2/workspaces`).
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
}

pub(crate) fn check_name(n: &str) -> Result<String, ApiError> {
    let t = n.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME || t.contains('/') {
        return Err(ApiError::bad_request(format!(
            "name must be 1 to {MAX_NAME} characters, without `/`"
        )));
    }
    Ok(t.to_owned())
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
    match req.kind.as_str() {
        "folder" => {}
        "workbook" => caller.require(sigil_core::Permission::CreateWorkbooks)?,
        "workspace" => {
            return Err(ApiError::bad_request(
                "create workspaces with POST /v2/workspaces",
            ))
        }
        "report" => {
            return Err(ApiError::NotImplemented(
                "sigil does not hold reports; it cannot create one".into(),
            ))
        }
        other => return Err(ApiError::bad_request(format!("unknown type `{other}`"))),
    }
    let name = check_name(&req.name)?;
    let parent_raw = req
        .parent_id
        .as_deref()
        .ok_or_else(|| ApiError::bad_request(format!("parentId is required for a {}", req.kind)))?;
    let parent = require(
        &st,
        &caller,
        parent_raw,
        Target::ANY,
        GrantPermission::Organize,
    )
    .await?
    .0;
    if parent.kind == "workbook" {
        return Err(ApiError::bad_request(format!(
            "a {} cannot be created inside a workbook",
            req.kind
        )));
    }
    let owner = owner_of(&st, &caller, req.owner_id.as_deref()).await?;
    let mut n = Inode::new(
        &req.kind,
        &name,
        Some(parent.id),
        Some(caller.member.id),
        sigil_core::clock::now(),
    );
    n.owner_id = Some(owner);
    n.description = req.description.unwrap_or_default();
    if n.kind == "workbook" {
        st.store
            .create_workbook(&n, crate::routes::workbooks::EMPTY_DOCUMENT)
            .await?;
    } else {
        st.store.insert_inode(&n).await?;
    }
    Ok(Json(file_body(&st, &caller, &n).await?))
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<FileBody>, ApiError> {
    let n = require(
        &st,
        &caller,
        &id,
        Target::ANY_ARCHIVED_TOO,
        GrantPermission::View,
    )
    .await?
    .0;
    Ok(Json(file_body(&st, &caller, &n).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateFile>,
) -> Result<Json<FileBody>, ApiError> {
    let (mut n, access) = require(
        &st,
        &caller,
        &id,
        Target::ANY_ARCHIVED_TOO,
        GrantPermission::Organize,
    )
    .await?;
    if n.is_archived && req.restore != Some(true) {
        return Err(ApiError::bad_request(
            "the file is archived: send restore: true to bring it back",
        ));
    }
    if req.restore == Some(true) {
        n.is_archived = false;
    }
    if let Some(name) = &req.name {
        n.name = check_name(name)?;
    }
    if let Some(d) = &req.description {
        n.description = d.clone();
    }
    if let Some(raw) = &req.owner_id {
        if access.permission != Some(GrantPermission::Edit) {
            return Err(ApiError::forbidden(
                "changing the owner needs Can Manage on the file",
            ));
        }
        let owner: MemberId = raw
            .parse()
            .map_err(|_| ApiError::bad_request(format!("ownerId `{raw}` is not a member id")))?;
        if st.store.member(owner).await?.is_none_or(|m| m.is_inactive) {
            return Err(ApiError::bad_request(format!(
                "ownerId `{raw}` names no active member"
            )));
        }
        n.owner_id = Some(owner);
    }
    if let Some(raw) = &req.parent_id {
        if matches!(n.kind.as_str(), "workspace" | "home") {
            return Err(ApiError::bad_request(format!(
                "a {} cannot be moved",
                kind_name(&n.kind)
            )));
        }
        let target = require(&st, &caller, raw, Target::ANY, GrantPermission::Organize)
            .await?
            .0;
        if target.kind == "workbook" {
            return Err(ApiError::bad_request(
                "files cannot be moved into a workbook",
            ));
        }
        // No node may end up inside itself.
        let path = st.store.inode_path(target.id).await?;
        if path.iter().any(|p| p.id == n.id) {
            return Err(ApiError::bad_request(
                "a folder cannot be moved inside itself",
            ));
        }
        n.parent_id = Some(target.id);
    }
    n.updated_by = Some(caller.member.id);
    n.updated_at = sigil_core::clock::now();
    st.store.update_inode(&n).await?;
    Ok(Json(file_body(&st, &caller, &n).await?))
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Empty>, ApiError> {
    let mut n = require(&st, &caller, &id, Target::ANY, GrantPermission::Organize)
        .await?
        .0;
    if n.kind == "home" {
        return Err(ApiError::bad_request("a home folder cannot be deleted"));
    }
    n.is_archived = true;
    n.updated_by = Some(caller.member.id);
    n.updated_at = sigil_core::clock::now();
    st.store.update_inode(&n).await?;
    Ok(Json(Empty {}))
}
