//! `/v2/api-connectors` (Sigma): connectors, in Sigma's `params`/`config` shapes; and
//! sigil's own: building a connector from an imported document's operation, calling a
//! connector, a dry run that shows the request with every secret masked, and the call
//! log. Managing needs `manage-api-connectors`; calling needs `trigger-api-actions`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_connect::connector::{CallConfig, Compiled, Config, Params};
use sigil_connect::credential::UsableCredential;
use sigil_connect::engine::{Call, CallError, CallOutcome};
use sigil_connect::openapi::{self, OperationKey};
use sigil_core::{clock, ApiCallId, ApiConnectorId, ApiCredentialId, MemberId, Permission};
use sigil_store::{ApiCall, ApiConnector, Store};
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentMember};
use crate::pagination::{token_page, TokenList, TokenParams};
use crate::routes::api_credentials;
use crate::routes::credentials::Empty;
use crate::routes::display_name;
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
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
    pub description: Option<String>,
}

fn body_of(c: &ApiConnector) -> Result<ApiConnectorBody, ApiError> {
    let params: Params = serde_json::from_str(&c.params).map_err(ApiError::internal)?;
    let mut p = serde_json::to_value(&Params {
        body_params: params.derived_body_params(),
        ..params
    })
    .map_err(ApiError::internal)?;
    if let Some(o) = p.as_object_mut() {
        o.entry("bodyParams").or_insert(Value::Array(Vec::new()));
    }
    Ok(ApiConnectorBody {
        api_connector_id: c.id.to_string(),
        name: c.name.clone(),
        description: c.description.clone(),
        params: p,
        config: serde_json::from_str(&c.config).map_err(ApiError::internal)?,
        auth_id: c.auth_id.map(|a| a.to_string()),
        created_by: c.created_by.to_string(),
        updated_by: c.updated_by.to_string(),
        created_at: clock::rfc3339(c.created_at),
        updated_at: clock::rfc3339(c.updated_at),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateApiConnector {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::routes::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[schema(value_type = Option<Object>)]
    pub params: Option<Value>,
    #[schema(value_type = Option<Object>)]
    pub config: Option<Value>,
    /// `null` removes the credential.
    #[serde(default, deserialize_with = "crate::routes::present")]
    #[schema(value_type = Option<String>)]
    pub auth_id: Option<Option<String>>,
}

fn parse_params(v: Value) -> Result<(Params, Compiled), ApiError> {
    let params: Params = serde_path_to_error::deserialize(v)
        .map_err(|e| ApiError::bad_request(format!("params.{}: {}", e.path(), e.inner())))?;
    let compiled = params
        .compile()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok((params, compiled))
}

fn parse_config(v: Option<Value>) -> Result<(Config, CallConfig), ApiError> {
    let config: Config = match v {
        None | Some(Value::Null) => Config::default(),
        Some(v) => serde_path_to_error::deserialize(v)
            .map_err(|e| ApiError::bad_request(format!("config.{}: {}", e.path(), e.inner())))?,
    };
    let checked = config
        .check()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok((config, checked))
}

/// The credential named by `authId`, checked to allow the connector's host.
async fn check_auth(
    st: &AppState,
    raw: &str,
    compiled: &Compiled,
) -> Result<ApiCredentialId, ApiError> {
    let cred = api_credentials::load(st, raw)
        .await
        .map_err(|_| ApiError::bad_request(format!("authId: no API credential `{raw}`")))?;
    let allow = sigil_connect::policy::Allowlist::parse(&cred.allowlist)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("credential {}: {e}", cred.id)))?;
    let host = compiled.host();
    allow.check(&host).map_err(|_| {
        ApiError::bad_request(format!(
            "params.url: host `{host}` is not in the allowlist of credential `{raw}` ({})",
            cred.allowlist.join(", ")
        ))
    })?;
    Ok(cred.id)
}

fn not_found(raw: &str) -> ApiError {
    ApiError::not_found(format!("no API connector `{raw}`"))
}

/// The connector `id` (asked for as `raw`), unless it is absent or archived.
async fn live(st: &AppState, id: ApiConnectorId, raw: &str) -> Result<ApiConnector, ApiError> {
    st.store
        .api_connector(id)
        .await?
        .filter(|c| !c.is_archived)
        .ok_or_else(|| not_found(raw))
}

async fn load(st: &AppState, raw: &str) -> Result<ApiConnector, ApiError> {
    let id: ApiConnectorId = raw.parse().map_err(|_| not_found(raw))?;
    live(st, id, raw).await
}

async fn insert(
    st: &AppState,
    caller: &CurrentMember,
    name: String,
    description: Option<String>,
    params: Params,
    config: Config,
    auth_id: Option<ApiCredentialId>,
) -> Result<ApiConnector, ApiError> {
    let now = clock::now();
    let row = ApiConnector {
        id: ApiConnectorId::new(),
        name,
        description,
        auth_id,
        params: serde_json::to_string(&params).map_err(ApiError::internal)?,
        config: serde_json::to_string(&config).map_err(ApiError::internal)?,
        is_archived: false,
        created_by: caller.member.id,
        updated_by: caller.member.id,
        created_at: now,
        updated_at: now,
    };
    st.store.insert_api_connector(&row).await?;
    Ok(row)
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
    // Those who run actions pick connectors too.
    if caller.require(Permission::ManageApiConnectors).is_err() {
        caller.require(Permission::TriggerApiActions)?;
    }
    let page = q.check()?;
    let after = page.after.map(|(n, id)| (n, ApiConnectorId::from(id)));
    let rows = st
        .store
        .list_api_connectors(page.name.as_deref(), after, page.size + 1)
        .await?;
    let (rows, next_page_token) = token_page(rows, page.size, |c| (&c.name, c.id.0));
    Ok(Json(TokenList {
        next_page_token,
        entries: rows
            .into_iter()
            .map(|c| ApiConnectorEntry {
                api_connector_id: c.id.to_string(),
                name: c.name,
                description: c.description,
            })
            .collect(),
    }))
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
    caller.require(Permission::ManageApiConnectors)?;
    let name = display_name(&req.name)?;
    let (params, compiled) = parse_params(req.params)?;
    let (config, _) = parse_config(req.config)?;
    let auth = match &req.auth_id {
        Some(a) => Some(check_auth(&st, a, &compiled).await?),
        None => None,
    };
    let row = insert(&st, &caller, name, req.description, params, config, auth).await?;
    Ok(Json(body_of(&row)?))
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ApiConnectorBody>, ApiError> {
    if caller.require(Permission::ManageApiConnectors).is_err() {
        caller.require(Permission::TriggerApiActions)?;
    }
    Ok(Json(body_of(&load(&st, &id).await?)?))
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
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateApiConnector>,
) -> Result<Json<ApiConnectorBody>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    let mut row = load(&st, &id).await?;
    if let Some(n) = &req.name {
        row.name = display_name(n)?;
    }
    if let Some(d) = req.description {
        row.description = d;
    }
    let params_value = match req.params {
        Some(p) => p,
        None => serde_json::from_str(&row.params).map_err(ApiError::internal)?,
    };
    let (params, compiled) = parse_params(params_value)?;
    if let Some(c) = req.config {
        let (config, _) = parse_config(Some(c))?;
        row.config = serde_json::to_string(&config).map_err(ApiError::internal)?;
    }
    match req.auth_id {
        Some(Some(a)) => row.auth_id = Some(check_auth(&st, &a, &compiled).await?),
        Some(None) => row.auth_id = None,
        None => {
            // A new URL must still fit the credential kept.
            if let Some(a) = row.auth_id {
                check_auth(&st, &a.to_string(), &compiled).await?;
            }
        }
    }
    row.params = serde_json::to_string(&params).map_err(ApiError::internal)?;
    row.updated_by = caller.member.id;
    row.updated_at = clock::now();
    if !st.store.update_api_connector(&row).await? {
        return Err(ApiError::not_found(format!("no API connector `{id}`")));
    }
    Ok(Json(body_of(&row)?))
}

/// Delete an API connector
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
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_api_connector(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Empty>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    let mut row = load(&st, &id).await?;
    row.is_archived = true;
    row.updated_by = caller.member.id;
    row.updated_at = clock::now();
    st.store.update_api_connector(&row).await?;
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
    caller.require(Permission::ManageApiConnectors)?;
    let (_, doc) = crate::routes::api_documents::parsed(&st, &req.document_id).await?;
    let key = match (&req.operation_id, &req.method, &req.path) {
        (Some(id), None, None) => OperationKey::Id(id.clone()),
        (None, Some(m), Some(p)) => OperationKey::Route {
            method: m.clone(),
            path: p.clone(),
        },
        _ => {
            return Err(ApiError::bad_request(
                "name the operation by `operationId`, or by `method` and `path`",
            ))
        }
    };
    let op = doc
        .find(&key)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?
        .ok_or_else(|| {
            ApiError::not_found(match &key {
                OperationKey::Id(id) => format!("the document has no operation `{id}`"),
                OperationKey::Route { method, path } => {
                    format!("the document has no operation {method} {path}")
                }
            })
        })?;
    let params = openapi::connector_params(&doc, &op, req.base_url.as_deref())
        .map_err(|e| ApiError::bad_request(format!("at {}: {}", e.at, e.message)))?;
    let compiled = params
        .compile()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let (config, _) = parse_config(req.config)?;
    let auth = match &req.auth_id {
        Some(a) => Some(check_auth(&st, a, &compiled).await?),
        None => None,
    };
    let name = match req.name {
        Some(n) => display_name(&n)?,
        None => op
            .summary
            .clone()
            .or(op.operation_id.clone())
            .unwrap_or_else(|| format!("{} {}", op.method, op.path)),
    };
    let row = insert(&st, &caller, name, req.description, params, config, auth).await?;
    Ok(Json(body_of(&row)?))
}

// ---- calling ----

/// A connector ready to call: parsed, compiled, its credential opened.
pub struct Ready {
    pub row: ApiConnector,
    pub compiled: Compiled,
    pub config: CallConfig,
    pub credential: Option<UsableCredential>,
}

/// The connector `raw`, ready to call; remembered per store generation (see
/// `read_cache`), so a repeated call reads nothing from the database.
pub async fn ready(st: &AppState, raw: &str) -> Result<Arc<Ready>, ApiError> {
    let id: ApiConnectorId = raw.parse().map_err(|_| not_found(raw))?;
    st.reads
        .connectors
        .get_or_load(st.store.as_ref(), id, || load_ready(st, id, raw))
        .await
}

async fn load_ready(st: &AppState, id: ApiConnectorId, raw: &str) -> Result<Arc<Ready>, ApiError> {
    let row = live(st, id, raw).await?;
    let params: Params = serde_json::from_str(&row.params).map_err(ApiError::internal)?;
    let compiled = params
        .compile()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored connector {id}: {e}")))?;
    let config: Config = serde_json::from_str(&row.config).map_err(ApiError::internal)?;
    let config = config
        .check()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored connector {id}: {e}")))?;
    let credential = match row.auth_id {
        None => None,
        Some(a) => {
            let c = st
                .store
                .api_credential(a)
                .await?
                .filter(|c| !c.is_archived)
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "the connector's credential `{a}` was deleted; give it another authId"
                    ))
                })?;
            Some(api_credentials::usable(st, &c)?)
        }
    };
    Ok(Arc::new(Ready {
        row,
        compiled,
        config,
        credential,
    }))
}

fn call_error(e: CallError) -> ApiError {
    let m = e.to_string();
    match e {
        CallError::Policy(_) => ApiError::forbidden(format!("the call is refused: {m}")),
        CallError::Timeout(_) => ApiError::Upstream {
            status: StatusCode::GATEWAY_TIMEOUT,
            message: m,
        },
        CallError::RateLimited { .. } => ApiError::TooManyRequests(m),
        CallError::Unsupported(_) => ApiError::bad_request(m),
        CallError::TooLarge(_)
        | CallError::TooManyRedirects(_)
        | CallError::BadRedirect(_)
        | CallError::Token(_)
        | CallError::Transport(_) => ApiError::Upstream {
            status: StatusCode::BAD_GATEWAY,
            message: m,
        },
    }
}

/// Calls a ready connector with `values` and records the call.
pub async fn call_ready(
    st: &AppState,
    ready: &Ready,
    member: MemberId,
    values: &BTreeMap<String, Value>,
) -> Result<CallOutcome, ApiError> {
    let request = ready
        .compiled
        .render(values)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let key = ready.row.id.to_string();
    let started = std::time::Instant::now();
    let result = st
        .engine
        .call(Call {
            connector_key: &key,
            request,
            credential: ready.credential.as_ref(),
            config: &ready.config,
        })
        .await;
    let at = clock::now();
    let record = match &result {
        Ok(o) => ApiCall {
            // Time-ordered, so that calls in the same millisecond list in order.
            id: ApiCallId::from(uuid::Uuid::now_v7()),
            connector_id: ready.row.id,
            member_id: member,
            at,
            status: Some(o.status),
            error: None,
            duration_ms: o.duration_ms,
            bytes_sent: o.bytes_sent,
            bytes_received: o.bytes_received,
            response_body: st
                .config
                .connect
                .record_response_bodies
                .then(|| o.body.to_string()),
        },
        Err(e) => ApiCall {
            // Time-ordered, so that calls in the same millisecond list in order.
            id: ApiCallId::from(uuid::Uuid::now_v7()),
            connector_id: ready.row.id,
            member_id: member,
            at,
            status: None,
            error: Some(e.to_string()),
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            bytes_sent: 0,
            bytes_received: 0,
            response_body: None,
        },
    };
    st.audit.record(record);
    result.map_err(call_error)
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
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CallRequest>,
) -> Result<Json<CallResponse>, ApiError> {
    caller.require(Permission::TriggerApiActions)?;
    let ready = ready(&st, &id).await?;
    let out = call_ready(&st, &ready, caller.member.id, &req.parameters).await?;
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
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<CallRequest>,
) -> Result<Json<PreviewResponse>, ApiError> {
    if caller.require(Permission::ManageApiConnectors).is_err() {
        caller.require(Permission::TriggerApiActions)?;
    }
    let ready = ready(&st, &id).await?;
    let request = ready
        .compiled
        .render(&req.parameters)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut preview =
        sigil_connect::engine::preview(&request, ready.credential.as_ref().map(|c| &c.credential));
    // A secret written into the connector's own static values is masked as well.
    if let Some(c) = &ready.credential {
        let mut text = preview.to_string();
        for s in c.credential.secrets() {
            let quoted = serde_json::to_string(s).expect("strings serialize");
            text = text.replace(&quoted[1..quoted.len() - 1], "****");
        }
        preview = serde_json::from_str(&text).map_err(ApiError::internal)?;
    }
    Ok(Json(PreviewResponse {
        request: preview,
        parameters: ready
            .compiled
            .parameters()
            .iter()
            .map(|(k, t)| (k.clone(), t.as_str().to_owned()))
            .collect(),
    }))
}

// ---- the call log ----

/// Connector calls on their way to the store. Calls are queued and written in
/// batches by one task, so that logging never adds a database write to a call's
/// latency; a full queue drops the record with a warning rather than slow calls down.
pub struct AuditLog {
    tx: mpsc::Sender<ApiCall>,
    /// Recorded and not yet written (or failed).
    pending: Arc<std::sync::atomic::AtomicUsize>,
}

impl AuditLog {
    const QUEUE: usize = 65_536;
    const BATCH: usize = 512;
    const GATHER: std::time::Duration = std::time::Duration::from_millis(20);

    pub fn spawn(store: Arc<dyn Store>) -> Self {
        let (tx, mut rx) = mpsc::channel::<ApiCall>(Self::QUEUE);
        let pending = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let done = pending.clone();
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(Self::BATCH);
            while rx.recv_many(&mut batch, Self::BATCH).await > 0 {
                // Under load, gather for a moment: one transaction for many calls costs
                // the writer far less than one for each handful.
                let until = tokio::time::Instant::now() + Self::GATHER;
                while batch.len() < Self::BATCH {
                    let room = Self::BATCH - batch.len();
                    match tokio::time::timeout_at(until, rx.recv_many(&mut batch, room)).await {
                        Ok(n) if n > 0 => continue,
                        _ => break,
                    }
                }
                if let Err(e) = store.insert_api_calls(&batch).await {
                    tracing::error!(error = %e, calls = batch.len(), "cannot write the call log");
                }
                done.fetch_sub(batch.len(), std::sync::atomic::Ordering::AcqRel);
                batch.clear();
            }
        });
        AuditLog { tx, pending }
    }

    pub fn record(&self, call: ApiCall) {
        self.pending
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        if let Err(e) = self.tx.try_send(call) {
            self.pending
                .fetch_sub(1, std::sync::atomic::Ordering::AcqRel);
            tracing::warn!(error = %e, "the call log queue is full; a call went unrecorded");
        }
    }

    /// Waits until everything recorded so far is written (tests, shutdown).
    pub async fn flush(&self) {
        while self.pending.load(std::sync::atomic::Ordering::Acquire) > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
    }
}

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
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<CallPaging>,
) -> Result<Json<TokenList<ApiCallBody>>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    let connector = load(&st, &id).await?;
    let size = crate::pagination::page_size(q.page_size.as_deref())?;
    let before = match q.page_token.as_deref() {
        None => None,
        Some(t) => Some(ApiCallId::from(uuid::Uuid::parse_str(t).map_err(|_| {
            ApiError::bad_request(format!("pageToken `{t}` is not one sigil issued"))
        })?)),
    };
    let rows = st
        .store
        .list_api_calls(connector.id, before, size + 1)
        .await?;
    let (rows, next_page_token) = crate::pagination::cut_page(rows, size, |c| c.id.to_string());
    Ok(Json(TokenList {
        next_page_token,
        entries: rows
            .into_iter()
            .map(|c| ApiCallBody {
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
            })
            .collect(),
    }))
}
