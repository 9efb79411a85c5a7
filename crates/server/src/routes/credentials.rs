//! `POST /v2/credentials` and `DELETE /v2/credentials/{clientId}`: API client
//! credentials (Sigma). The secret is shown once, in the creation response.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{ClientCredential, CredentialScope, MemberId};
use sigil_store::RevocationKind;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::secrets::{new_client_id, new_client_secret};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AdminMember, ApiJson, ApiPath};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_credentials))
        .routes(routes!(delete_credentials))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCredentialsRequest {
    /// The member the credentials act as.
    pub owner_id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `api` and/or `embed`; defaults to `["api"]`.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateCredentialsResponse {
    pub client_id: String,
    /// Shown only here; sigil keeps only a hash.
    pub client_secret: String,
}

/// An empty JSON object, `{}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Empty {}

const MAX_NAME: usize = 255;
const MAX_DESCRIPTION: usize = 1024;

/// Create API credentials
///
/// Creates client credentials acting as `ownerId`. Needs the Admin account type.
#[utoipa::path(
    post,
    path = "/v2/credentials",
    tag = "credentials",
    operation_id = "createCredentials",
    request_body = CreateCredentialsRequest,
    responses(
        (status = 200, body = CreateCredentialsResponse),
        (status = 400, description = "Invalid body or unknown owner", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not an Admin", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn create_credentials(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiJson(req): ApiJson<CreateCredentialsRequest>,
) -> Result<Json<CreateCredentialsResponse>, ApiError> {
    let owner_id: MemberId = req.owner_id.parse().map_err(|_| {
        ApiError::bad_request(format!("ownerId `{}` is not a member id", req.owner_id))
    })?;
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::bad_request(format!(
            "name must be 1 to {MAX_NAME} characters"
        )));
    }
    let description = req.description.unwrap_or_default();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(ApiError::bad_request(format!(
            "description must be at most {MAX_DESCRIPTION} characters"
        )));
    }
    let scopes = match req.scopes {
        None => vec![CredentialScope::Api],
        Some(list) if list.is_empty() => {
            return Err(ApiError::bad_request(
                "scopes must not be empty; omit it for [\"api\"]",
            ))
        }
        Some(list) => {
            let mut out = Vec::new();
            for s in &list {
                let scope = CredentialScope::parse(s).ok_or_else(|| {
                    ApiError::bad_request(format!("unknown scope `{s}`: use `api` or `embed`"))
                })?;
                if !out.contains(&scope) {
                    out.push(scope);
                }
            }
            out
        }
    };
    let owner = st
        .store
        .member(owner_id)
        .await?
        .filter(|m| !m.is_inactive)
        .ok_or_else(|| {
            ApiError::bad_request(format!("ownerId `{owner_id}` names no active member"))
        })?;

    let client_id = new_client_id();
    let client_secret = new_client_secret();
    st.store
        .insert_client_credential(&ClientCredential {
            client_id: client_id.clone(),
            organization_id: st.organization.id,
            owner_id: owner.id,
            name: name.to_owned(),
            description,
            scopes,
            secret_hash: st.secrets.hash(&client_secret),
            created_by: Some(admin.0.member.id),
            created_at: sigil_core::clock::now(),
            revoked_at: None,
        })
        .await?;
    tracing::info!(%client_id, owner = %owner.id, "client credentials created");
    Ok(Json(CreateCredentialsResponse {
        client_id,
        client_secret,
    }))
}

/// Delete API credentials
///
/// Revokes the credentials and every token issued from them, at once. Needs the
/// Admin account type.
#[utoipa::path(
    delete,
    path = "/v2/credentials/{clientId}",
    tag = "credentials",
    operation_id = "deleteCredentials",
    params(("clientId" = String, Path, description = "The client ID")),
    responses(
        (status = 200, body = Empty),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "No such (live) credentials", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id, client_id = %client_id))]
pub async fn delete_credentials(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiPath(client_id): ApiPath<String>,
) -> Result<Json<Empty>, ApiError> {
    let revoked = st
        .store
        .revoke_client_credential(&client_id, sigil_core::clock::now())
        .await?;
    if !revoked {
        return Err(ApiError::not_found(format!(
            "no credentials with client ID `{client_id}`"
        )));
    }
    // Effective on this node for the very next request; other nodes read the feed.
    st.revocations
        .insert(RevocationKind::Credential, &client_id);
    tracing::info!("client credentials revoked");
    Ok(Json(Empty {}))
}
