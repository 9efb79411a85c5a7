//! `/v2/api-credentials` (Sigma): outbound credentials for API connectors. Secrets are
//! sealed (AES-256-GCM, bound to the credential's id) before they reach the store and
//! are never answered, logged or put in an error. Needs `manage-api-connectors`.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_connect::credential::{Credential, UsableCredential};
use sigil_connect::policy::Allowlist;
use sigil_core::{clock, ApiCredentialId, Permission};
use sigil_store::ApiCredential;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentMember};
use crate::pagination::{token_page, TokenList, TokenParams};
use crate::routes::credentials::Empty;
use crate::routes::display_name;
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
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
    pub auth_method: String,
    pub allowlist: Vec<String>,
}

fn body_of(c: &ApiCredential) -> Result<ApiCredentialBody, ApiError> {
    Ok(ApiCredentialBody {
        api_credential_id: c.id.to_string(),
        name: c.name.clone(),
        description: c.description.clone(),
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateApiCredential {
    pub name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::routes::present")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub allowlist: Option<Vec<String>>,
    /// Replaces the method and every secret; omit it to keep the stored secrets.
    #[schema(value_type = Option<Object>)]
    pub credential: Option<Value>,
}

fn parse_credential(v: Value) -> Result<Credential, ApiError> {
    let method = v
        .get("authMethod")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let c: Credential = serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde's "invalid type/value" messages quote the value, which may be a
        // secret: only messages about names are passed on.
        let inner = if ["missing field", "unknown field", "unknown variant"]
            .iter()
            .any(|p| inner.starts_with(p))
        {
            inner
        } else {
            "has the wrong type".to_owned()
        };
        match method {
            None => ApiError::bad_request(
                "credential.authMethod is required: basic, bearer, apiKey, oAuthClientCredentials, \
                 oAuthAuthorizationCode, oAuthPasswordCredentials or awsSigV4",
            ),
            Some(_) if path == "." => ApiError::bad_request(format!("credential: {inner}")),
            Some(_) => ApiError::bad_request(format!("credential.{path}: {inner}")),
        }
    })?;
    c.validate()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(c)
}

fn check_allowlist(list: &[String]) -> Result<(), ApiError> {
    Allowlist::parse(list)
        .map(|_| ())
        .map_err(|e| ApiError::bad_request(format!("allowlist: {e}")))
}

fn parse_id(raw: &str) -> Result<ApiCredentialId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::not_found(format!("no API credential `{raw}`")))
}

/// The unarchived credential `raw`, or 404.
pub(crate) async fn load(st: &AppState, raw: &str) -> Result<ApiCredential, ApiError> {
    st.store
        .api_credential(parse_id(raw)?)
        .await?
        .filter(|c| !c.is_archived)
        .ok_or_else(|| ApiError::not_found(format!("no API credential `{raw}`")))
}

fn seal(st: &AppState, id: ApiCredentialId, c: &Credential) -> Result<String, ApiError> {
    let plain = serde_json::to_vec(c).map_err(ApiError::internal)?;
    Ok(st.keyring.seal(&plain, id.0.as_bytes()))
}

/// Opens a stored credential for use by the engine.
pub(crate) fn usable(st: &AppState, c: &ApiCredential) -> Result<UsableCredential, ApiError> {
    let plain = st
        .keyring
        .open(&c.sealed, c.id.0.as_bytes())
        .map_err(|e| ApiError::internal(anyhow::anyhow!("credential {}: {e}", c.id)))?;
    let credential: Credential = serde_json::from_slice(&plain)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("credential {}: {e}", c.id)))?;
    let allowlist = Allowlist::parse(&c.allowlist)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("credential {}: {e}", c.id)))?;
    Ok(UsableCredential {
        cache_key: format!("{}@{}", c.id, c.updated_at.unix_timestamp_nanos()),
        credential,
        allowlist,
    })
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
    caller.require(Permission::ManageApiConnectors)?;
    let page = q.check()?;
    let after = page.after.map(|(n, id)| (n, ApiCredentialId::from(id)));
    let rows = st
        .store
        .list_api_credentials(page.name.as_deref(), after, page.size + 1)
        .await?;
    let (rows, next_page_token) = token_page(rows, page.size, |c| (&c.name, c.id.0));
    Ok(Json(TokenList {
        entries: rows
            .into_iter()
            .map(|c| ApiCredentialEntry {
                api_credential_id: c.id.to_string(),
                name: c.name,
                auth_method: c.auth_method,
                allowlist: c.allowlist,
            })
            .collect(),
        next_page_token,
    }))
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
    caller.require(Permission::ManageApiConnectors)?;
    let name = display_name(&req.name)?;
    check_allowlist(&req.allowlist)?;
    let credential = parse_credential(req.credential)?;
    let id = ApiCredentialId::new();
    let now = clock::now();
    let row = ApiCredential {
        id,
        name,
        description: req.description,
        auth_method: credential.auth_method().to_owned(),
        allowlist: req.allowlist,
        public: credential.public().to_string(),
        sealed: seal(&st, id, &credential)?,
        is_archived: false,
        created_by: caller.member.id,
        updated_by: caller.member.id,
        created_at: now,
        updated_at: now,
    };
    st.store.insert_api_credential(&row).await?;
    tracing::info!(credential = %id, method = row.auth_method, "API credential created");
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ApiCredentialBody>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    Ok(Json(body_of(&load(&st, &id).await?)?))
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
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateApiCredential>,
) -> Result<Json<ApiCredentialBody>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    let mut row = load(&st, &id).await?;
    if let Some(n) = &req.name {
        row.name = display_name(n)?;
    }
    if let Some(d) = req.description {
        row.description = d;
    }
    if let Some(a) = req.allowlist {
        check_allowlist(&a)?;
        row.allowlist = a;
    }
    if let Some(c) = req.credential {
        let credential = parse_credential(c)?;
        row.auth_method = credential.auth_method().to_owned();
        row.public = credential.public().to_string();
        row.sealed = seal(&st, row.id, &credential)?;
    }
    row.updated_by = caller.member.id;
    row.updated_at = clock::now();
    if !st.store.update_api_credential(&row).await? {
        return Err(ApiError::not_found(format!("no API credential `{id}`")));
    }
    Ok(Json(body_of(&row)?))
}

/// Delete an API credential
///
/// Archives it: it can no longer be used by new connectors, and connectors that name
/// it fail to call until given another.
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
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_api_credential(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Empty>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    let mut row = load(&st, &id).await?;
    row.is_archived = true;
    row.updated_by = caller.member.id;
    row.updated_at = clock::now();
    st.store.update_api_credential(&row).await?;
    Ok(Json(Empty {}))
}
