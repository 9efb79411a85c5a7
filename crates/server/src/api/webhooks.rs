//! `POST /v2/webhooks/{workbookId}/{sequenceId}` (Sigma) and its `/schema`, and
//! sigil's own `GET /v2/webhooks/runs/{traceId}`: a workbook's action sequence started
//! from outside, answered at once with a trace id.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use serde_json::Value;
use sigil_core::InodeId;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::bodies::RunBody;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CurrentMember, Id, Ids};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(trigger_webhook))
        .routes(routes!(webhook_schema))
        .routes(routes!(get_run))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TraceBody {
    pub trace_id: String,
}

/// The values a webhook's body gives, by Control ID (directly or under `variables`).
fn given_values(body: &[u8]) -> Result<BTreeMap<String, Value>, ApiError> {
    // An empty body is allowed: the sequence runs on the initial values.
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(BTreeMap::new());
    }
    let body: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?;
    match body {
        Value::Null => Ok(BTreeMap::new()),
        Value::Object(mut m) => match m.remove("variables") {
            Some(Value::Object(v)) if m.is_empty() => Ok(v.into_iter().collect()),
            Some(_) => Err(ApiError::bad_request(
                "`variables` must be an object of values by Control ID",
            )),
            None => Ok(m.into_iter().collect()),
        },
        _ => Err(ApiError::bad_request(
            "the body must be an object of values by Control ID",
        )),
    }
}

/// Trigger a workbook action sequence by webhook
///
/// Starts the sequence with the body's values (by Control ID, or under `variables`)
/// over the controls' initial values, and answers 202 with a trace id at once; `GET
/// /v2/webhooks/runs/{traceId}` (sigil's own) answers the run once it is done.
#[utoipa::path(
    post,
    path = "/v2/webhooks/{workbookId}/{sequenceId}",
    tag = "workbooks",
    operation_id = "webhooks",
    params(("workbookId" = String, Path), ("sequenceId" = String, Path)),
    request_body(content = Object, description = "Values by Control ID"),
    responses(
        (status = 202, body = TraceBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn trigger_webhook(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(id, sequence_id): Ids<InodeId, String>,
    body: bytes::Bytes,
) -> Result<(StatusCode, Json<TraceBody>), ApiError> {
    let given = given_values(&body)?;
    let trace_id = st
        .services
        .workbooks
        .trigger_webhook(&caller, id, &sequence_id, given)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(TraceBody { trace_id })))
}

/// A webhook run's outcome
///
/// 404 for an unknown trace id; `{"done": false}` while the run goes on.
#[utoipa::path(
    get,
    path = "/v2/webhooks/runs/{traceId}",
    tag = "workbooks",
    operation_id = "getWebhookRun",
    params(("traceId" = String, Path)),
    responses(
        (status = 200, description = "The run, or {\"done\": false}", body = Object),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_run(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(trace_id): Id<String>,
) -> Result<Json<Value>, ApiError> {
    match st
        .services
        .workbooks
        .webhook_run(&caller, &trace_id)
        .await?
    {
        None => Ok(Json(serde_json::json!({"done": false}))),
        Some(out) => {
            let mut v = serde_json::to_value(RunBody::from(out)).map_err(ApiError::internal)?;
            v["done"] = Value::Bool(true);
            Ok(Json(v))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SchemaBody {
    /// By Control ID: `{"type": "string" | "number" | "boolean"}`.
    #[schema(value_type = Object)]
    pub variables: BTreeMap<String, Value>,
}

/// The variables a webhook takes
///
/// The controls the sequence reads (by Control ID), with their JSON types.
#[utoipa::path(
    get,
    path = "/v2/webhooks/{workbookId}/{sequenceId}/schema",
    tag = "workbooks",
    operation_id = "getWebhookSchema",
    params(("workbookId" = String, Path), ("sequenceId" = String, Path)),
    responses(
        (status = 200, body = SchemaBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn webhook_schema(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(id, sequence_id): Ids<InodeId, String>,
) -> Result<Json<SchemaBody>, ApiError> {
    let types = st
        .services
        .workbooks
        .webhook_schema(&caller, id, &sequence_id)
        .await?;
    Ok(Json(SchemaBody {
        variables: types
            .into_iter()
            .map(|(k, ty)| (k, serde_json::json!({"type": ty})))
            .collect(),
    }))
}
