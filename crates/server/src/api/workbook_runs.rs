//! `GET /v2/workbooks/{workbookId}/runs` (ours, beyond Sigma): the newest runs of a
//! workbook's action sequences, as the web page's Runs shows them — who, when, from
//! what, and each step's status, duration and HTTP status. Never a credential and
//! never the values typed. For the workbook's authors (Can Contribute).

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::InodeId;
use sigil_service::runs::{RecordedStep, RunRecord, KEPT_RUNS};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_runs))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct RunsQuery {
    /// How many of the newest runs, 1 to 100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecordedStepBody {
    pub step: usize,
    /// `callApi` or `setControlValue`.
    #[serde(rename = "type")]
    pub kind: String,
    pub action_id: Option<String>,
    /// `ok`, `skipped` or `failed`.
    pub status: String,
    pub http_status: Option<u16>,
    pub duration_ms: f64,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunRecordBody {
    pub run_id: String,
    /// RFC 3339.
    pub started_at: String,
    /// The member who ran it, as the directory names them.
    pub run_by: String,
    /// `button` (a page, or `POST …/run`) or `webhook`.
    pub trigger: String,
    pub sequence_id: String,
    pub ok: bool,
    /// `false` while a webhook's run goes on.
    pub finished: bool,
    pub failed_step: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: f64,
    pub steps: Vec<RecordedStepBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunsBody {
    pub entries: Vec<RunRecordBody>,
}

fn step(s: RecordedStep) -> RecordedStepBody {
    RecordedStepBody {
        step: s.step,
        kind: s.kind,
        action_id: s.action_id,
        status: s.status,
        http_status: s.http_status,
        duration_ms: s.duration_ms,
        error: s.error,
    }
}

fn body(r: RunRecord) -> RunRecordBody {
    RunRecordBody {
        run_id: r.id,
        started_at: r
            .at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        run_by: r.by,
        trigger: r.trigger,
        sequence_id: r.sequence_id,
        ok: r.ok,
        finished: r.finished,
        failed_step: r.failed_step,
        error: r.error,
        duration_ms: r.duration_ms,
        steps: r.steps.into_iter().map(step).collect(),
    }
}

/// The newest runs of a workbook
///
/// Newest first; sigil keeps the newest 100 of each workbook. Needs Can Contribute.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/runs",
    tag = "workbooks",
    operation_id = "listWorkbookRuns",
    params(("workbookId" = String, Path), RunsQuery),
    responses(
        (status = 200, body = RunsBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_runs(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiQuery(q): ApiQuery<RunsQuery>,
) -> Result<Json<RunsBody>, ApiError> {
    let limit = match q.limit.as_deref() {
        None => 50,
        Some(raw) => match raw.trim().parse::<u32>() {
            Ok(n) if (1..=KEPT_RUNS).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(format!(
                    "limit must be a whole number from 1 to {KEPT_RUNS}, got `{raw}`"
                )))
            }
        },
    };
    let runs = st.services.workbooks.runs(&caller, id, limit).await?;
    Ok(Json(RunsBody {
        entries: runs.into_iter().map(body).collect(),
    }))
}
