//! Workbook operations that need no query engine: `POST
//! /v2/workbooks/{workbookId}/copy` and `/restoreVersion`; and the two that would,
//! `/export` and `/send`, which answer 501 saying so (after the same checks as any
//! other read of the workbook, so a wrong id is still a 404).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use sigil_core::{GrantPermission, InodeId};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::workbooks::{workbook_body, WorkbookBody};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, ApiJson, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(copy_workbook))
        .routes(routes!(copy_tagged_workbook))
        .routes(routes!(restore_workbook_version))
        .routes(routes!(export_workbook))
        .routes(routes!(send_workbook))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CopyWorkbook {
    /// Where the copy goes: a workspace or folder the caller can contribute to. The
    /// original's folder when unset.
    pub destination_folder_id: Option<String>,
    /// The original's name when unset.
    pub name: Option<String>,
    /// The original's description when unset.
    pub description: Option<String>,
    /// `all` (Admins only), `accessible` (the caller's own and the shared ones) or
    /// `none` (the default): which saved views come along, as views of the copy's
    /// first version.
    #[schema(value_type = Option<String>)]
    pub copy_bookmarks: Option<String>,
}

/// Copy a workbook
///
/// A new workbook with the same document, owned by the caller, in the folder given.
/// Needs Can View on the original, Can Contribute on the folder and the
/// `create-workbooks` permission.
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/copy",
    tag = "workbooks",
    operation_id = "copyWorkbook",
    params(("workbookId" = String, Path)),
    request_body = CopyWorkbook,
    responses(
        (status = 200, body = WorkbookBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn copy_workbook(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiJson(req): ApiJson<CopyWorkbook>,
) -> Result<Json<WorkbookBody>, ApiError> {
    check_copy_bookmarks(req.copy_bookmarks.as_deref())?;
    let destination = req
        .destination_folder_id
        .as_deref()
        .map(|d| parse_id::<InodeId>("inodeId", d))
        .transpose()?;
    if req.copy_bookmarks.as_deref() == Some("all") && !caller.is_admin() {
        return Err(ApiError::forbidden("copyBookmarks `all` is for Admins"));
    }
    let e = st
        .services
        .workbooks
        .copy(&caller, id, destination, req.name, req.description)
        .await?;
    copy_views(&st, &caller, id, &e, req.copy_bookmarks.as_deref()).await?;
    Ok(Json(workbook_body(&st, e)))
}

/// Copy a tagged version of a workbook
///
/// As `POST /v2/workbooks/{workbookId}/copy`, from the version the tag (by name)
/// marks.
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/tag/{versionTag}/copy",
    tag = "workbooks",
    operation_id = "copyTaggedWorkbook",
    params(("workbookId" = String, Path), ("versionTag" = String, Path, description = "The tag's name")),
    request_body = CopyWorkbook,
    responses(
        (status = 200, body = WorkbookBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn copy_tagged_workbook(
    State(st): State<AppState>,
    caller: CurrentMember,
    axum::extract::Path((raw, tag)): axum::extract::Path<(String, String)>,
    ApiJson(req): ApiJson<CopyWorkbook>,
) -> Result<Json<WorkbookBody>, ApiError> {
    let id: InodeId = parse_id("workbookId", &raw)?;
    check_copy_bookmarks(req.copy_bookmarks.as_deref())?;
    let (_, tagged) = st.services.tags.tagged_document(&caller, id, &tag).await?;
    let destination = req
        .destination_folder_id
        .as_deref()
        .map(|d| parse_id::<InodeId>("inodeId", d))
        .transpose()?;
    let e = st
        .services
        .workbooks
        .copy_version(
            &caller,
            id,
            Some(tagged.version),
            destination,
            req.name,
            req.description,
        )
        .await?;
    copy_views(&st, &caller, id, &e, req.copy_bookmarks.as_deref()).await?;
    Ok(Json(workbook_body(&st, e)))
}

/// The saved views a copy takes along (none unless asked).
async fn copy_views(
    st: &AppState,
    caller: &CurrentMember,
    from: InodeId,
    to: &sigil_service::workbooks::WorkbookEntry,
    mode: Option<&str>,
) -> Result<(), ApiError> {
    st.services
        .workbook_records
        .copy_bookmarks(caller, from, to.node.id, mode.unwrap_or("none"))
        .await?;
    Ok(())
}

fn check_copy_bookmarks(c: Option<&str>) -> Result<(), ApiError> {
    match c {
        Some(c) if !["all", "accessible", "none"].contains(&c) => Err(ApiError::bad_request(
            format!("copyBookmarks must be all, accessible or none, got `{c}`"),
        )),
        _ => Ok(()),
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RestoreVersion {
    /// The version whose document becomes the newest version.
    #[schema(minimum = 1)]
    pub version: f64,
}

/// Restore a workbook version
///
/// Saves the document of an earlier version as a new version; no version is
/// deleted or overwritten. Needs Can Contribute.
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/restoreVersion",
    tag = "workbooks",
    operation_id = "restoreWorkbookVersion",
    params(("workbookId" = String, Path)),
    request_body = RestoreVersion,
    responses(
        (status = 200, body = WorkbookBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn restore_workbook_version(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiJson(req): ApiJson<RestoreVersion>,
) -> Result<Json<WorkbookBody>, ApiError> {
    let v = req.version;
    if v.fract() != 0.0 || !(1.0..=i64::MAX as f64).contains(&v) {
        return Err(ApiError::bad_request(format!(
            "version must be a whole number from 1, got {v}"
        )));
    }
    let e = st
        .services
        .workbooks
        .restore_version(&caller, id, v as i64)
        .await?;
    Ok(Json(workbook_body(&st, e)))
}

/// Export a workbook's data (not supported)
///
/// Exporting data needs the warehouse queries sigil does not run: 501, after the
/// workbook is found and the caller may view it.
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/export",
    tag = "workbooks",
    operation_id = "exportWorkbook",
    params(("workbookId" = String, Path)),
    request_body(content = Object, description = "Sigma's export request; not read."),
    responses(
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 501, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn export_workbook(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    _body: ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    st.services
        .workbooks
        .load(&caller, id, GrantPermission::View)
        .await?;
    Err(ApiError::NotImplemented(
        "exporting a workbook's data needs warehouse queries, which sigil does not run".into(),
    ))
}

/// Send a workbook (not supported)
///
/// Sending to email, Slack or storage needs rendered data sigil does not produce:
/// 501, after the workbook is found and the caller may view it. sigil sends nothing.
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/send",
    tag = "workbooks",
    operation_id = "sendWorkbook",
    params(("workbookId" = String, Path)),
    request_body(content = Object, description = "Sigma's send request; not read."),
    responses(
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 501, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn send_workbook(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    _body: ApiJson<Value>,
) -> Result<Json<Value>, ApiError> {
    st.services
        .workbooks
        .load(&caller, id, GrantPermission::View)
        .await?;
    Err(ApiError::NotImplemented(
        "sending a workbook needs rendered data, which sigil does not produce; nothing was sent"
            .into(),
    ))
}
