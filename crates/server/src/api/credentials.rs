//! `POST /v2/credentials` and `DELETE /v2/credentials/{clientId}`: API client
//! credentials (Sigma). The secret is shown once, in the creation response.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_service::auth::NewClientCredentials;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::shape::Empty;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AdminMember, ApiJson, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_credentials))
        .routes(routes!(delete_credentials))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
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
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn create_credentials(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiJson(req): ApiJson<CreateCredentialsRequest>,
) -> Result<Json<CreateCredentialsResponse>, ApiError> {
    let created = st
        .services
        .auth
        .create_client_credentials(
            &admin,
            NewClientCredentials {
                owner_id: req.owner_id,
                name: req.name,
                description: req.description,
                scopes: req.scopes,
            },
        )
        .await?;
    Ok(Json(CreateCredentialsResponse {
        client_id: created.credential.client_id,
        client_secret: created.client_secret,
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
#[tracing::instrument(skip_all, fields(caller = %admin.id(), client_id = %client_id))]
pub async fn delete_credentials(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(client_id): Id<String>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .auth
        .revoke_client_credentials(&admin, &client_id)
        .await?;
    Ok(Json(Empty {}))
}
