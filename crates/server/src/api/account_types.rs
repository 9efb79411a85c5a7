//! `/v2/accountTypes`: the built-in and custom account types and their permissions
//! (Sigma). Every operation needs the Admin account type.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{AccountType, AccountTypeId};
use sigil_service::account_types::NewAccountType;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::shape::{Empty, TokenList};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AdminMember, ApiJson, ApiQuery, Id};
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
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    page_size: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionBody {
    pub permission: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAccountType {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Permission names, e.g. `["view", "explore", "trigger-api-actions"]`.
    #[schema(value_type = Vec<crate::api::schemas::PermissionSchema>, inline)]
    pub permissions: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    /// Members holding the deleted type move to this one; required while any do.
    reassign_to_account_type_id: Option<String>,
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
    admin: AdminMember,
    ApiQuery(q): ApiQuery<TokenPaging>,
) -> Result<Json<TokenList<AccountTypeBody>>, ApiError> {
    let token = q.page_token.or(q.next_page_token);
    let list = st
        .services
        .account_types
        .list(&admin, token.as_deref(), q.page_size.as_deref())
        .await?;
    Ok(Json(TokenList::of(list, |t| AccountTypeBody::from(&t))))
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
    admin: AdminMember,
    Id(id): Id<AccountTypeId>,
) -> Result<Json<AccountTypeBody>, ApiError> {
    let t = st.services.account_types.get(&admin, id).await?;
    Ok(Json(AccountTypeBody::from(&t)))
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
    admin: AdminMember,
    Id(id): Id<AccountTypeId>,
) -> Result<Json<Vec<PermissionBody>>, ApiError> {
    let t = st.services.account_types.get(&admin, id).await?;
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
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn create_account_type(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiJson(req): ApiJson<CreateAccountType>,
) -> Result<(StatusCode, Json<AccountTypeBody>), ApiError> {
    let t = st
        .services
        .account_types
        .create(
            &admin,
            NewAccountType {
                name: req.name,
                description: req.description,
                permissions: req.permissions,
            },
        )
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
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn delete_account_type(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(id): Id<AccountTypeId>,
    ApiQuery(q): ApiQuery<DeleteParams>,
) -> Result<Json<Empty>, ApiError> {
    let reassign = match q.reassign_to_account_type_id.as_deref() {
        None => None,
        Some(raw) => Some(raw.parse::<AccountTypeId>().map_err(|_| {
            ApiError::bad_request(format!(
                "reassignToAccountTypeId `{raw}` is not an account type id"
            ))
        })?),
    };
    st.services
        .account_types
        .delete(&admin, id, reassign)
        .await?;
    Ok(Json(Empty {}))
}
