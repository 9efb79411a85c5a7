//! `/v2/accountTypes`: the built-in and custom account types and their permissions
//! (Sigma). Every operation needs the Admin account type.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sigil_core::{AccountType, AccountTypeId, Permission};
use sigil_store::DeleteAccountType;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{AdminMember, ApiJson, ApiPath, ApiQuery};
use crate::pagination::TokenList;
use crate::routes::credentials::Empty;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_account_types, create_account_type))
        .routes(routes!(get_account_type, delete_account_type))
        .routes(routes!(list_account_type_permissions))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountTypeBody {
    pub account_type_id: String,
    pub account_type_name: String,
    pub description: String,
    pub is_custom: bool,
}

impl From<&AccountType> for AccountTypeBody {
    fn from(t: &AccountType) -> Self {
        AccountTypeBody {
            account_type_id: t.id.to_string(),
            account_type_name: t.name.clone(),
            description: t.description.clone(),
            is_custom: !t.builtin,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TokenPaging {
    /// The `nextPageToken` of the previous page.
    page_token: Option<String>,
    /// Accepted as a synonym of `pageToken`.
    next_page_token: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    page_size: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionBody {
    pub permission: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountType {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Permission names, e.g. `["view", "explore", "trigger-api-actions"]`.
    pub permissions: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// Members holding the deleted type move to this one; required while any do.
    reassign_to_account_type_id: Option<String>,
}

fn parse_id(raw: &str, what: &str) -> Result<AccountTypeId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::bad_request(format!("{what} `{raw}` is not an account type id")))
}

async fn load(st: &AppState, raw: &str) -> Result<AccountType, ApiError> {
    let id: AccountTypeId = raw
        .parse()
        .map_err(|_| ApiError::not_found(format!("no account type `{raw}`")))?;
    st.store
        .account_type(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no account type `{raw}`")))
}

/// List account types
///
/// Built-in and custom account types, by name, with token paging.
#[utoipa::path(
    get,
    path = "/v2/accountTypes",
    tag = "members",
    operation_id = "listAccountTypes",
    params(TokenPaging),
    responses(
        (status = 200, body = TokenList<AccountTypeBody>),
        (status = 400, description = "Bad pageSize or pageToken", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_account_types(
    State(st): State<AppState>,
    _admin: AdminMember,
    ApiQuery(q): ApiQuery<TokenPaging>,
) -> Result<Json<TokenList<AccountTypeBody>>, ApiError> {
    let size = crate::pagination::page_size(q.page_size.as_deref())?;
    let after = match q.page_token.or(q.next_page_token) {
        None => None,
        Some(t) => Some(
            URL_SAFE_NO_PAD
                .decode(&t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    ApiError::bad_request(format!("pageToken `{t}` is not one sigil issued"))
                })?,
        ),
    };
    let mut rows = st
        .store
        .list_account_types(after.as_deref(), size + 1)
        .await?;
    let more = rows.len() > size as usize;
    rows.truncate(size as usize);
    let next_page_token = if more {
        rows.last()
            .map(|t| URL_SAFE_NO_PAD.encode(t.name.as_bytes()))
    } else {
        None
    };
    Ok(Json(TokenList {
        entries: rows.iter().map(AccountTypeBody::from).collect(),
        next_page_token,
    }))
}

/// Get an account type
#[utoipa::path(
    get,
    path = "/v2/accountTypes/{accountTypeId}",
    tag = "members",
    operation_id = "getAccountType",
    params(("accountTypeId" = String, Path)),
    responses(
        (status = 200, body = AccountTypeBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_account_type(
    State(st): State<AppState>,
    _admin: AdminMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<AccountTypeBody>, ApiError> {
    Ok(Json(AccountTypeBody::from(&load(&st, &id).await?)))
}

/// List an account type's permissions
///
/// A bare array of `{permission, description}`.
#[utoipa::path(
    get,
    path = "/v2/accountTypes/{accountTypeId}/permissions",
    tag = "members",
    operation_id = "listAccountTypePermissions",
    params(("accountTypeId" = String, Path)),
    responses(
        (status = 200, body = Vec<PermissionBody>),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_account_type_permissions(
    State(st): State<AppState>,
    _admin: AdminMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Vec<PermissionBody>>, ApiError> {
    let t = load(&st, &id).await?;
    Ok(Json(
        t.permissions
            .iter()
            .map(|p| PermissionBody {
                permission: p.as_str(),
                description: p.description(),
            })
            .collect(),
    ))
}

/// Create a custom account type
#[utoipa::path(
    post,
    path = "/v2/accountTypes",
    tag = "members",
    operation_id = "createAccountType",
    request_body = CreateAccountType,
    responses(
        (status = 201, body = AccountTypeBody),
        (status = 400, description = "Bad name or unknown permission", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn create_account_type(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiJson(req): ApiJson<CreateAccountType>,
) -> Result<(StatusCode, Json<AccountTypeBody>), ApiError> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::bad_request("name must be 1 to 100 characters"));
    }
    let description = req.description.unwrap_or_default();
    if description.chars().count() > 1024 {
        return Err(ApiError::bad_request(
            "description must be at most 1024 characters",
        ));
    }
    let mut permissions = Vec::new();
    for p in &req.permissions {
        let perm = Permission::parse(p).ok_or_else(|| {
            ApiError::bad_request(format!(
                "unknown permission `{p}`; known: {}",
                Permission::ALL.map(Permission::as_str).join(", ")
            ))
        })?;
        if !permissions.contains(&perm) {
            permissions.push(perm);
        }
    }
    let t = AccountType {
        id: AccountTypeId::new(),
        organization_id: st.organization.id,
        name: name.to_owned(),
        description,
        builtin: false,
        permissions,
    };
    st.store
        .insert_account_type(&t, sigil_core::clock::now())
        .await?;
    Ok((StatusCode::CREATED, Json(AccountTypeBody::from(&t))))
}

/// Delete a custom account type
///
/// Members holding it move to `reassignToAccountTypeId`, in the same transaction;
/// without it, a type still held is refused (409) and nothing changes.
#[utoipa::path(
    delete,
    path = "/v2/accountTypes/{accountTypeId}",
    tag = "members",
    operation_id = "deleteAccountType",
    params(("accountTypeId" = String, Path), DeleteParams),
    responses(
        (status = 200, body = Empty),
        (status = 400, description = "Built-in type, or a bad replacement", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Still held by members", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn delete_account_type(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeleteParams>,
) -> Result<Json<Empty>, ApiError> {
    let t = load(&st, &id).await?;
    if t.builtin {
        return Err(ApiError::bad_request(format!(
            "`{}` is a built-in account type and cannot be deleted",
            t.name
        )));
    }
    let reassign = match q.reassign_to_account_type_id.as_deref() {
        None => None,
        Some(raw) => {
            let to = parse_id(raw, "reassignToAccountTypeId")?;
            if to == t.id {
                return Err(ApiError::bad_request(
                    "reassignToAccountTypeId must name another account type",
                ));
            }
            if st.store.account_type(to).await?.is_none() {
                return Err(ApiError::bad_request(format!(
                    "reassignToAccountTypeId `{raw}` names no account type"
                )));
            }
            Some(to)
        }
    };
    match st
        .store
        .delete_account_type(t.id, reassign, sigil_core::clock::now())
        .await?
    {
        DeleteAccountType::Deleted { reassigned } => {
            st.account_types.forget(t.id);
            tracing::info!(account_type = %t.id, reassigned, "account type deleted");
            Ok(Json(Empty {}))
        }
        DeleteAccountType::NotFound => Err(ApiError::not_found(format!("no account type `{id}`"))),
        DeleteAccountType::InUse { members } => Err(ApiError::Conflict(format!(
            "{members} member(s) still hold `{}`; pass reassignToAccountTypeId to move them",
            t.name
        ))),
    }
}
