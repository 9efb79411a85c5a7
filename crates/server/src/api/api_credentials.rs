//! `/v2/api-credentials` (Sigma): outbound credentials for API connectors. Secrets are
//! sealed (AES-256-GCM, bound to the credential's id) before they reach the store and
//! are never answered, logged or put in an error. Needs `manage-api-connectors`.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::{clock, ApiCredentialId};
use sigil_service::api_credentials::{ApiCredentialUpdate, NewApiCredential};
use sigil_service::ApiCredential;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::shape::{Empty, TokenList, TokenParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api_credentials, create_api_credential))
        .routes(routes!(
            get_api_credential,
            update_api_credential,
            delete_api_credential
        ))
}

/// A credential as every read answers it: no secrets.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiCredentialBody {
    pub api_credential_id: String,
    pub name: String,
    /// `""` when none was given: Sigma's schema has a string here, never null.
    pub description: String,
    pub auth_method: String,
    pub allowlist: Vec<String>,
    /// `{"authMethod": …, "<method>": {…}}` without passwords, tokens or secrets.
    #[schema(value_type = Object)]
    pub credential: Value,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

/// An entry of the list.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiCredentialEntry {
    pub api_credential_id: String,
    pub name: String,
    pub description: String,
    pub auth_method: String,
    pub allowlist: Vec<String>,
}

fn body_of(c: &ApiCredential) -> Result<ApiCredentialBody, ApiError> {
    Ok(ApiCredentialBody {
        api_credential_id: c.id.to_string(),
        name: c.name.clone(),
        description: c.description.clone().unwrap_or_default(),
        auth_method: c.auth_method.clone(),
        allowlist: c.allowlist.clone(),
        credential: serde_json::from_str(&c.public).map_err(ApiError::internal)?,
        created_by: c.created_by.to_string(),
        updated_by: c.updated_by.to_string(),
        created_at: clock::rfc3339(c.created_at),
        updated_at: clock::rfc3339(c.updated_at),
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiCredential {
    pub name: String,
    /// Hostname globs; required, not empty; `["*"]` allows any host.
    pub allowlist: Vec<String>,
    /// `{"authMethod": "basic", "basic": {"username", "password"}}`, and so on for
    /// `bearer`, `apiKey`, `oAuthClientCredentials`, `oAuthAuthorizationCode`,
    /// `oAuthPasswordCredentials`, `awsSigV4`.
    #[schema(value_type = Object)]
    pub credential: Value,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateApiCredential {
    pub name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::api::shape::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub allowlist: Option<Vec<String>>,
    /// Replaces the method and every secret; omit it to keep the stored secrets.
    #[schema(value_type = Option<Object>)]
    pub credential: Option<Value>,
}

/// List API credentials
///
/// Unarchived credentials by name, with token paging. Never any secret.
#[utoipa::path(
    get,
    path = "/v2/api-credentials",
    tag = "connectors",
    operation_id = "listApiCredentials",
    params(TokenParams),
    responses(
        (status = 200, body = TokenList<ApiCredentialEntry>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_api_credentials(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<TokenParams>,
) -> Result<Json<TokenList<ApiCredentialEntry>>, ApiError> {
    let list = st
        .services
        .api_credentials
        .list(&caller, q.check()?)
        .await?;
    Ok(Json(TokenList::of(list, |c| ApiCredentialEntry {
        api_credential_id: c.id.to_string(),
        name: c.name,
        description: c.description.unwrap_or_default(),
        auth_method: c.auth_method,
        allowlist: c.allowlist,
    })))
}

/// Create an API credential
///
/// Secrets are sealed at rest and never answered.
#[utoipa::path(
    post,
    path = "/v2/api-credentials",
    tag = "connectors",
    operation_id = "createApiCredential",
    request_body = CreateApiCredential,
    responses(
        (status = 200, body = ApiCredentialBody),
        (status = 400, description = "A bad field, named", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_api_credential(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<CreateApiCredential>,
) -> Result<Json<ApiCredentialBody>, ApiError> {
    let row = st
        .services
        .api_credentials
        .create(
            &caller,
            NewApiCredential {
                name: req.name,
                description: req.description,
                allowlist: req.allowlist,
                credential: req.credential,
            },
        )
        .await?;
    Ok(Json(body_of(&row)?))
}

/// Get an API credential
#[utoipa::path(
    get,
    path = "/v2/api-credentials/{apiCredentialId}",
    tag = "connectors",
    operation_id = "getApiCredential",
    params(("apiCredentialId" = String, Path)),
    responses(
        (status = 200, body = ApiCredentialBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_api_credential(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiCredentialId>,
) -> Result<Json<ApiCredentialBody>, ApiError> {
    let row = st.services.api_credentials.get(&caller, id).await?;
    Ok(Json(body_of(&row)?))
}

/// Update an API credential
///
/// Omitted fields stay; without `credential` the stored secrets stay.
#[utoipa::path(
    patch,
    path = "/v2/api-credentials/{apiCredentialId}",
    tag = "connectors",
    operation_id = "updateApiCredential",
    params(("apiCredentialId" = String, Path)),
    request_body = UpdateApiCredential,
    responses(
        (status = 200, body = ApiCredentialBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn update_api_credential(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiCredentialId>,
    ApiJson(req): ApiJson<UpdateApiCredential>,
) -> Result<Json<ApiCredentialBody>, ApiError> {
    let update = ApiCredentialUpdate {
        name: req.name,
        description: req.description,
        allowlist: req.allowlist,
        credential: req.credential,
        keep_secrets: false,
    };
    let row = st
        .services
        .api_credentials
        .update(&caller, id, update)
        .await?;
    Ok(Json(body_of(&row)?))
}

/// Delete an API credential
///
/// Archives it, unless a connector still calls with it (409, naming the connectors).
#[utoipa::path(
    delete,
    path = "/v2/api-credentials/{apiCredentialId}",
    tag = "connectors",
    operation_id = "deleteApiCredential",
    params(("apiCredentialId" = String, Path)),
    responses(
        (status = 200, body = Empty),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Not deleted: a connector still calls with it", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_api_credential(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiCredentialId>,
) -> Result<Json<Empty>, ApiError> {
    st.services.api_credentials.archive(&caller, id).await?;
    Ok(Json(Empty {}))
}
