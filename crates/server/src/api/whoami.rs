//! `GET /v2/whoami`: who the access token acts as.

use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ErrorBody};
use crate::extract::Principal;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(whoami))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmI {
    pub user_id: String,
    pub organization_id: String,
}

/// Get current user
///
/// The member the access token acts as, and its organization. Answered from the
/// token alone.
#[utoipa::path(
    get,
    path = "/v2/whoami",
    tag = "members",
    operation_id = "whoami",
    responses((status = 200, body = WhoAmI), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %p.member_id))]
pub async fn whoami(p: Principal) -> Result<Json<WhoAmI>, ApiError> {
    Ok(Json(WhoAmI {
        user_id: p.member_id.to_string(),
        organization_id: p.organization_id.to_string(),
    }))
}
