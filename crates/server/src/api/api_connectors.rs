//! `/v2/api-connectors` (Sigma): connectors, in Sigma's `params`/`config` shapes; and
//! sigil's own: building a connector from an imported document's operation, calling a
//! connector, a dry run that shows the request with every secret masked, and the call
//! log. Managing needs `manage-api-connectors`; calling needs `trigger-api-actions`.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::{clock, ApiConnectorId, ApiDocumentId};
use sigil_service::connectors::{
    ConnectorUpdate, ConnectorView, FromOperation as FromOperationInput, NewConnector, Params,
};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::shape::{Empty, TokenList, TokenParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, ApiJson, ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api_connectors, create_api_connector))
        .routes(routes!(
            get_api_connector,
            update_api_connector,
            delete_api_connector
        ))
        .routes(routes!(create_from_operation))
        .routes(routes!(call_api_connector))
        .routes(routes!(preview_api_connector))
        .routes(routes!(list_api_calls))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiConnectorBody {
    pub api_connector_id: String,
    pub name: String,
    /// `""` when none was given: Sigma's schema has a string here, never null.
    pub description: String,
    /// `method`, `url`, `headers`, `pathParams`, `queryParams`, `body`, `bodyParams`.
    #[schema(value_type = Object)]
    pub params: Value,
    /// `timeout`, `retry`, `redirects`, `rateLimit`.
    #[schema(value_type = Object)]
    pub config: Value,
    pub auth_id: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiConnectorEntry {
    pub api_connector_id: String,
    pub name: String,
    pub description: String,
}

fn body_of(v: ConnectorView) -> Result<ApiConnectorBody, ApiError> {
    let c = v.row;
    let mut p = serde_json::to_value(&Params {
        body_params: v.params.derived_body_params(),
        ..v.params
    })
    .map_err(ApiError::internal)?;
    if let Some(o) = p.as_object_mut() {
        o.entry("bodyParams").or_insert(Value::Array(Vec::new()));
    }
    Ok(ApiConnectorBody {
        api_connector_id: c.id.to_string(),
        name: c.name,
        description: c.description.unwrap_or_default(),
        params: p,
        config: v.config,
        auth_id: c.auth_id.map(|a| a.to_string()),
        created_by: c.created_by.to_string(),
        updated_by: c.updated_by.to_string(),
        created_at: clock::rfc3339(c.created_at),
        updated_at: clock::rfc3339(c.updated_at),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiConnector {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[schema(value_type = Object)]
    pub params: Value,
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    /// The API credential (`apiCredentialId`) the calls use.
    #[serde(default)]
    pub auth_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateApiConnector {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::api::shape::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[schema(value_type = Option<Object>)]
    pub params: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    /// `null` removes the credential.
    #[serde(default, deserialize_with = "crate::api::shape::present")]
    #[schema(value_type = Option<String>)]
    pub auth_id: Option<Option<String>>,
}

/// List API connectors
#[utoipa::path(
    get,
    path = "/v2/api-connectors",
    tag = "connectors",
    operation_id = "listApiConnectors",
    params(TokenParams),
    responses(
        (status = 200, body = TokenList<ApiConnectorEntry>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_api_connectors(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<TokenParams>,
) -> Result<Json<TokenList<ApiConnectorEntry>>, ApiError> {
    let list = st.services.connectors.list(&caller, q.check()?).await?;
    Ok(Json(TokenList::of(list, |c| ApiConnectorEntry {
        api_connector_id: c.id.to_string(),
        name: c.name,
        description: c.description.unwrap_or_default(),
    })))
}

/// Create an API connector
///
/// Every template is checked now; a bad one gets 400 naming the field. With `authId`,
/// the URL's host must be in the credential's allowlist.
#[utoipa::path(
    post,
    path = "/v2/api-connectors",
    tag = "connectors",
    operation_id = "createApiConnector",
    request_body = CreateApiConnector,
    responses(
        (status = 200, body = ApiConnectorBody),
        (status = 400, description = "A bad field, named", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_api_connector(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<CreateApiConnector>,
) -> Result<Json<ApiConnectorBody>, ApiError> {
    let v = st
        .services
        .connectors
        .create(
            &caller,
            NewConnector {
                name: req.name,
                description: req.description,
                params: req.params,
                config: req.config,
                auth_id: req.auth_id,
            },
        )
        .await?;
    Ok(Json(body_of(v)?))
}

/// Get an API connector
#[utoipa::path(
    get,
    path = "/v2/api-connectors/{apiConnectorId}",
    tag = "connectors",
    operation_id = "getApiConnector",
    params(("apiConnectorId" = String, Path)),
    responses(
        (status = 200, body = ApiConnectorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_api_connector(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiConnectorId>,
) -> Result<Json<ApiConnectorBody>, ApiError> {
    let v = st.services.connectors.get(&caller, id).await?;
    Ok(Json(body_of(v)?))
}

/// Update an API connector
#[utoipa::path(
    patch,
    path = "/v2/api-connectors/{apiConnectorId}",
    tag = "connectors",
    operation_id = "updateApiConnector",
    params(("apiConnectorId" = String, Path)),
    request_body = UpdateApiConnector,
    responses(
        (status = 200, body = ApiConnectorBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn update_api_connector(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiConnectorId>,
    ApiJson(req): ApiJson<UpdateApiConnector>,
) -> Result<Json<ApiConnectorBody>, ApiError> {
    let update = ConnectorUpdate {
        name: req.name,
        description: req.description,
        params: req.params,
        config: req.config,
        auth_id: req.auth_id,
    };
    let v = st.services.connectors.update(&caller, id, update).await?;
    Ok(Json(body_of(v)?))
}

/// Delete an API connector
///
/// Archives it, unless a workbook's action still calls it (409, naming the workbooks).
#[utoipa::path(
    delete,
    path = "/v2/api-connectors/{apiConnectorId}",
    tag = "connectors",
    operation_id = "deleteApiConnector",
    params(("apiConnectorId" = String, Path)),
    responses(
        (status = 200, body = Empty),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not deleted: a workbook's action still calls it", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_api_connector(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiConnectorId>,
) -> Result<Json<Empty>, ApiError> {
    st.services.connectors.archive(&caller, id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FromOperation {
    /// An imported document (`POST /v2/api-documents`).
    pub document_id: String,
    /// The operation, by id …
    pub operation_id: Option<String>,
    /// … or by method and path (`POST`, `/v2/teams`).
    pub method: Option<String>,
    pub path: Option<String>,
    /// Default: the operation's summary, or its method and path.
    pub name: Option<String>,
    pub description: Option<String>,
    /// Instead of the document's first server (e.g. this server's own URL).
    pub base_url: Option<String>,
    pub auth_id: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
}

/// Create a connector from an operation of an imported document
///
/// The base URL from the document's servers (or `baseUrl`), the method and path, path
/// parameters as dynamic parameters, required query and header parameters, and a body
/// template with one placeholder per property of the request body, each typed from
/// the schema: `{"name": {{name}}, "description": {{description}}, …}`.
#[utoipa::path(
    post,
    path = "/v2/api-connectors/from-operation",
    tag = "connectors",
    operation_id = "createApiConnectorFromOperation",
    request_body = FromOperation,
    responses(
        (status = 200, body = ApiConnectorBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such document or operation", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_from_operation(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<FromOperation>,
) -> Result<Json<ApiConnectorBody>, ApiError> {
    let document_id: ApiDocumentId = parse_id("documentId", &req.document_id)?;
    let v = st
        .services
        .connectors
        .from_operation(
            &caller,
            FromOperationInput {
                document_id,
                operation_id: req.operation_id,
                method: req.method,
                path: req.path,
                name: req.name,
                description: req.description,
                base_url: req.base_url,
                auth_id: req.auth_id,
                config: req.config,
            },
        )
        .await?;
    Ok(Json(body_of(v)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallRequest {
    /// A value for each dynamic parameter, by name.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub parameters: BTreeMap<String, Value>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallResponse {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    #[schema(value_type = Object)]
    pub body: Value,
    pub duration_ms: f64,
}

/// Call an API connector
///
/// Sends the connector's request with these parameter values and answers what the
/// upstream answered (any status). 400 names a missing, unknown or mistyped
/// parameter; 403 a refused target; 429 the connector's rate limit; 502/504 an
/// upstream that failed or did not answer in time.
#[utoipa::path(
    post,
    path = "/v2/api-connectors/{apiConnectorId}/call",
    tag = "connectors",
    operation_id = "callApiConnector",
    params(("apiConnectorId" = String, Path)),
    request_body = CallRequest,
    responses(
        (status = 200, body = CallResponse),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 429, body = ErrorBody),
        (status = 502, body = ErrorBody),
        (status = 504, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn call_api_connector(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiConnectorId>,
    ApiJson(req): ApiJson<CallRequest>,
) -> Result<Json<CallResponse>, ApiError> {
    let out = st
        .services
        .connectors
        .call(&caller, id, &req.parameters)
        .await?;
    Ok(Json(CallResponse {
        status: out.status,
        headers: out.headers,
        body: out.body,
        duration_ms: out.duration_ms,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PreviewResponse {
    /// `method`, `url`, `headers` (`[{key, value}]`) and `body`, secrets as `****`.
    #[schema(value_type = Object)]
    pub request: Value,
    /// Every dynamic parameter and its type.
    pub parameters: BTreeMap<String, String>,
}

/// Dry-run an API connector
///
/// The request the call would send, with every secret masked (the "endpoint preview");
/// nothing is sent.
#[utoipa::path(
    post,
    path = "/v2/api-connectors/{apiConnectorId}/preview",
    tag = "connectors",
    operation_id = "previewApiConnector",
    params(("apiConnectorId" = String, Path)),
    request_body = CallRequest,
    responses(
        (status = 200, body = PreviewResponse),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn preview_api_connector(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiConnectorId>,
    ApiJson(req): ApiJson<CallRequest>,
) -> Result<Json<PreviewResponse>, ApiError> {
    let p = st
        .services
        .connectors
        .preview(&caller, id, &req.parameters)
        .await?;
    Ok(Json(PreviewResponse {
        request: p.request,
        parameters: p.parameters,
    }))
}

// ---- the call log ----

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiCallBody {
    pub call_id: String,
    pub api_connector_id: String,
    pub member_id: String,
    pub at: String,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: f64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CallPaging {
    pub page_token: Option<String>,
    /// 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub page_size: Option<String>,
}

/// List a connector's calls
///
/// Newest first: who, when, status or error, duration and bytes. Never a secret; a
/// response body only when `connect.record_response_bodies` is on.
#[utoipa::path(
    get,
    path = "/v2/api-connectors/{apiConnectorId}/calls",
    tag = "connectors",
    operation_id = "listApiConnectorCalls",
    params(("apiConnectorId" = String, Path), CallPaging),
    responses(
        (status = 200, body = TokenList<ApiCallBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_api_calls(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiConnectorId>,
    ApiQuery(q): ApiQuery<CallPaging>,
) -> Result<Json<TokenList<ApiCallBody>>, ApiError> {
    let list = st
        .services
        .connectors
        .calls(&caller, id, q.page_token.as_deref(), q.page_size.as_deref())
        .await?;
    Ok(Json(TokenList::of(list, |c| ApiCallBody {
        call_id: c.id.to_string(),
        api_connector_id: c.connector_id.to_string(),
        member_id: c.member_id.to_string(),
        at: clock::rfc3339(c.at),
        status: c.status,
        error: c.error,
        duration_ms: c.duration_ms,
        bytes_sent: c.bytes_sent,
        bytes_received: c.bytes_received,
        response_body: c.response_body,
    })))
}
