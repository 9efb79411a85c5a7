//! `POST /v2/workbooks/{workbookId}/grants` and `DELETE
//! /v2/workbooks/{workbookId}/grants/{grantId}`: grants on a workbook, with the same
//! upsert, limits and permission checks as a workspace's (listing them is
//! `GET /v2/grants?inodeId=…`).

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use sigil_core::{GrantId, InodeId};
use sigil_service::grants::GrantInput;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::bodies::GranteeBody;
use crate::api::shape::Empty;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, CurrentMember, Id, Ids};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_workbook_grants))
        .routes(routes!(delete_workbook_grant))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkbookGrantRequest {
    pub grantee: GranteeBody,
    /// `view`, `explore` or `edit`.
    #[schema(value_type = crate::api::schemas::WorkbookPermissionSchema, inline)]
    pub permission: String,
    /// A version tag to grant access to. sigil holds no version tags yet: a grant
    /// naming one answers 501.
    pub tag_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct WorkbookGrantsRequest {
    /// 1 to 100 grants.
    #[schema(min_items = 1, max_items = 100)]
    pub grants: Vec<WorkbookGrantRequest>,
}

/// Grant members or teams access to a workbook
///
/// Creates and/or updates: one grant per grantee per workbook; a new permission
/// replaces the old one. At most 100 a request; all or nothing. Needs Can Manage on
/// the workbook.
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/grants",
    tag = "workbooks",
    operation_id = "createWorkbookGrant",
    params(("workbookId" = String, Path)),
    request_body = WorkbookGrantsRequest,
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "Bad, unknown or too many grants; nothing written", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 501, description = "A grant names a version tag", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_workbook_grants(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiJson(req): ApiJson<WorkbookGrantsRequest>,
) -> Result<Json<Empty>, ApiError> {
    if let Some(i) = req.grants.iter().position(|g| g.tag_id.is_some()) {
        return Err(ApiError::NotImplemented(format!(
            "grants[{i}].tagId: sigil holds no version tags yet, so a grant on one cannot be made"
        )));
    }
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
        .grant_on_workbook(&caller, id, &grants)
        .await?;
    Ok(Json(Empty {}))
}

/// Revoke a grant on a workbook
#[utoipa::path(
    delete,
    path = "/v2/workbooks/{workbookId}/grants/{grantId}",
    tag = "workbooks",
    operation_id = "deleteWorkbookGrant",
    params(("workbookId" = String, Path), ("grantId" = String, Path)),
    responses(
        (status = 200, body = Empty),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_workbook_grant(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(id, grant): Ids<InodeId, GrantId>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .grants
        .revoke_on_workbook(&caller, id, grant)
        .await?;
    Ok(Json(Empty {}))
}
