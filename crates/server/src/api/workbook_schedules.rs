//! `/v2/workbooks/{workbookId}/schedules…` (and `/v2.1/…/schedules`): a workbook's
//! export schedules, kept as records. sigil sends nothing on a schedule.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::clock::rfc3339;
use sigil_core::InodeId;
use sigil_service::schedules::{ScheduleEntry, ScheduleInput};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::api::shape::{present, Empty, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, ApiJson, ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_schedules, create_schedule))
        .routes(routes!(list_schedules_v2_1))
        .routes(routes!(update_schedule, delete_schedule))
}

/// An export schedule, as Sigma answers it; `target` and `description` are sigil's
/// own additions (Sigma's answer leaves the recipients out).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleBody {
    pub scheduled_notification_id: String,
    pub workbook_id: String,
    /// `{"cronSpec", "timezone"}`.
    #[schema(value_type = Object)]
    pub schedule: Value,
    /// The export's settings, in Sigma's answer's shape.
    #[schema(value_type = Object)]
    pub config_v2: Value,
    pub is_suspended: bool,
    pub owner_id: String,
    pub last_updated_by_user: String,
    pub disabled_at: Option<String>,
    pub disabled_by: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
    #[schema(value_type = Vec<Object>)]
    pub target: Value,
    pub description: Option<String>,
}

impl From<ScheduleEntry> for ScheduleBody {
    fn from(e: ScheduleEntry) -> Self {
        let s = e.schedule;
        ScheduleBody {
            scheduled_notification_id: s.id.to_string(),
            workbook_id: s.workbook_id.to_string(),
            schedule: e.timing,
            config_v2: e.config,
            is_suspended: s.is_suspended,
            owner_id: s.owner_id.to_string(),
            last_updated_by_user: s.updated_by.to_string(),
            disabled_at: s.disabled_at.map(rfc3339),
            disabled_by: s.disabled_by.map(|m| m.to_string()),
            created_by: s.created_by.to_string(),
            updated_by: s.updated_by.to_string(),
            created_at: rfc3339(s.created_at),
            updated_at: rfc3339(s.updated_at),
            target: e.targets,
            description: s.description,
        }
    }
}

async fn list(
    st: &AppState,
    caller: &CurrentMember,
    workbook: InodeId,
    p: PageParams,
) -> Result<Json<PageOf<ScheduleBody>>, ApiError> {
    let page = st
        .services
        .schedules
        .list(caller, workbook, p.check()?)
        .await?;
    Ok(Json(PageOf::of(page, Into::into)))
}

/// List a workbook's export schedules
///
/// A bare array, as Sigma's first version of this list answers (`page` and `limit`
/// still cut it); `/v2.1/…/schedules` answers a page. Kept as records: sigil sends
/// nothing. Needs Can View.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/schedules",
    tag = "workbooks",
    operation_id = "listWorkbookSchedules",
    params(("workbookId" = String, Path), PageParams),
    responses((status = 200, body = Vec<ScheduleBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_schedules(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(wb): Id<InodeId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<Vec<ScheduleBody>>, ApiError> {
    Ok(Json(list(&st, &caller, wb, p).await?.0.entries))
}

/// List a workbook's export schedules (v2.1)
#[utoipa::path(
    get,
    path = "/v2.1/workbooks/{workbookId}/schedules",
    tag = "workbooks",
    operation_id = "v2_1_listWorkbookSchedules",
    params(("workbookId" = String, Path), PageParams),
    responses((status = 200, body = PageOf<ScheduleBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_schedules_v2_1(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(wb): Id<InodeId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<ScheduleBody>>, ApiError> {
    list(&st, &caller, wb, p).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateSchedule {
    /// Recipients: emails, teams, Slack conversations, Google Sheets or Drive
    /// folders, webhooks (1 to 100).
    #[schema(value_type = Vec<Object>)]
    pub target: Value,
    /// `{"cronSpec": "0 9 * * 1", "timezone": "America/New_York"}`.
    #[schema(value_type = Object)]
    pub schedule: Value,
    #[schema(value_type = Option<Object>)]
    pub config_v2: Option<Value>,
    /// Sigma's older settings of one attachment, used when `configV2` is absent.
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    pub description: Option<String>,
    /// Who the export runs as; only an Admin names another member.
    pub owner_id: Option<String>,
}

/// Schedule an export of a workbook
///
/// Kept as a record: sigil sends nothing. Needs Can Explore.
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/schedules",
    tag = "workbooks",
    operation_id = "postWorkbookSchedule",
    params(("workbookId" = String, Path)),
    request_body = CreateSchedule,
    responses((status = 200, body = ScheduleBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_schedule(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(wb): Id<InodeId>,
    ApiJson(req): ApiJson<CreateSchedule>,
) -> Result<Json<ScheduleBody>, ApiError> {
    let e = st
        .services
        .schedules
        .create(
            &caller,
            wb,
            ScheduleInput {
                target: Some(req.target),
                schedule: Some(req.schedule),
                config_v2: req.config_v2,
                config: req.config,
                description: Some(req.description),
                owner_id: req.owner_id,
                suspension: None,
            },
        )
        .await?;
    Ok(Json(e.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateSchedule {
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub target: Option<Option<Value>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Object>)]
    pub schedule: Option<Option<Value>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Object>)]
    pub config_v2: Option<Option<Value>>,
    /// `pause` or `resume`.
    pub suspension_action: Option<String>,
}

fn ids(workbook: &str, schedule: &str) -> Result<(InodeId, Uuid), ApiError> {
    Ok((
        parse_id("workbookId", workbook)?,
        parse_id("scheduleId", schedule)?,
    ))
}

/// Change an export schedule
///
/// A part left out (or null) stays as it is; `suspensionAction` pauses or resumes.
/// Its owner, or Can Manage.
#[utoipa::path(
    patch,
    path = "/v2/workbooks/{workbookId}/schedules/{scheduleId}",
    tag = "workbooks",
    operation_id = "updateWorkbookSchedule",
    params(("workbookId" = String, Path), ("scheduleId" = String, Path)),
    request_body = UpdateSchedule,
    responses((status = 200, body = ScheduleBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update_schedule(
    State(st): State<AppState>,
    caller: CurrentMember,
    Path((wb, id)): Path<(String, String)>,
    ApiJson(req): ApiJson<UpdateSchedule>,
) -> Result<Json<ScheduleBody>, ApiError> {
    let (wb, id) = ids(&wb, &id)?;
    let e = st
        .services
        .schedules
        .update(
            &caller,
            wb,
            id,
            ScheduleInput {
                target: req.target.flatten(),
                schedule: req.schedule.flatten(),
                config_v2: req.config_v2.flatten(),
                suspension: req.suspension_action,
                ..ScheduleInput::default()
            },
        )
        .await?;
    Ok(Json(e.into()))
}

/// Delete an export schedule
#[utoipa::path(
    delete,
    path = "/v2/workbooks/{workbookId}/schedules/{scheduleId}",
    tag = "workbooks",
    operation_id = "deleteWorkbookSchedule",
    params(("workbookId" = String, Path), ("scheduleId" = String, Path)),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_schedule(
    State(st): State<AppState>,
    caller: CurrentMember,
    Path((wb, id)): Path<(String, String)>,
) -> Result<Json<Empty>, ApiError> {
    let (wb, id) = ids(&wb, &id)?;
    st.services.schedules.delete(&caller, wb, id).await?;
    Ok(Json(Empty {}))
}
