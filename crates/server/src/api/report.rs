//! `POST /sigma/rest/reports/generate-token`: the Report token API. Parameters come
//! from the query string and/or a form body; answers are in the document's
//! `headerMap` shape, success and failure alike.

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::state::AppState;
use sigil_service::auth::{AuthFailure, ClientAuth};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(generate_token))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeaderMap {
    /// `SUCCESS` or `FAILURE`.
    pub reply_type: &'static str,
    /// `"true"` or `"false"`, a string as in the document.
    pub success: &'static str,
    /// On success: a bearer token for the `/v2` API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// On failure: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportReply {
    pub header_map: HeaderMap,
}

fn reply(status: StatusCode, header_map: HeaderMap) -> Response {
    let mut res = (status, Json(ReportReply { header_map })).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn failure(status: StatusCode, reason: impl Into<String>) -> Response {
    reply(
        status,
        HeaderMap {
            reply_type: "FAILURE",
            success: "false",
            access_token: None,
            reason: Some(reason.into()),
        },
    )
}

/// Generate a report access token
///
/// `action=GENERATE_TOKEN` (the default) with `authType=APIKEY` and `clientId` +
/// `clitentToken` (the document's spelling; `clientToken` works too), or
/// `authType=BASIC` with `username` (a member's email) and `password`. Parameters may
/// be in the query string or a form body.
#[utoipa::path(
    post,
    path = "/sigma/rest/reports/generate-token",
    tag = "reports",
    operation_id = "generateReportToken",
    request_body(content = String, content_type = "application/x-www-form-urlencoded", description = "The same parameters, form-encoded (optional)"),
    params(
        ("action" = Option<String>, Query, description = "GENERATE_TOKEN"),
        ("authType" = String, Query, description = "APIKEY or BASIC"),
        ("clientId" = Option<String>, Query, description = "APIKEY: the client ID"),
        ("clitentToken" = Option<String>, Query, description = "APIKEY: the client secret"),
        ("clientToken" = Option<String>, Query, description = "APIKEY: the client secret"),
        ("username" = Option<String>, Query, description = "BASIC: the member's email"),
        ("password" = Option<String>, Query, description = "BASIC: the member's password"),
    ),
    responses(
        (status = 200, description = "replyType SUCCESS", body = ReportReply),
        (status = 400, description = "replyType FAILURE: missing or unknown parameters", body = ReportReply),
        (status = 401, description = "replyType FAILURE: wrong credentials", body = ReportReply),
    )
)]
#[tracing::instrument(skip_all, fields(auth_type))]
pub async fn generate_token(
    State(st): State<AppState>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut params: Vec<(String, String)> = Vec::new();
    for source in [query.as_deref().map(str::as_bytes), Some(&body[..])]
        .into_iter()
        .flatten()
    {
        match serde_urlencoded::from_bytes::<Vec<(String, String)>>(source) {
            Ok(p) => params.extend(p),
            Err(_) => return failure(StatusCode::BAD_REQUEST, "parameters must be form-encoded"),
        }
    }
    let get = |names: &[&str]| {
        params
            .iter()
            .find(|(k, v)| names.contains(&k.as_str()) && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let action = get(&["action"]).unwrap_or_else(|| "GENERATE_TOKEN".into());
    if !action.eq_ignore_ascii_case("GENERATE_TOKEN") {
        return failure(
            StatusCode::BAD_REQUEST,
            format!("unsupported action `{action}`: use GENERATE_TOKEN"),
        );
    }
    let Some(auth_type) = get(&["authType"]) else {
        return failure(
            StatusCode::BAD_REQUEST,
            "authType is required: APIKEY or BASIC",
        );
    };
    tracing::Span::current().record("auth_type", auth_type.as_str());
    let result = if auth_type.eq_ignore_ascii_case("APIKEY") {
        let (Some(client_id), Some(client_secret)) =
            (get(&["clientId"]), get(&["clitentToken", "clientToken"]))
        else {
            return failure(
                StatusCode::BAD_REQUEST,
                "authType APIKEY needs clientId and clitentToken",
            );
        };
        st.services
            .auth
            .client_credentials(&ClientAuth {
                client_id,
                client_secret,
            })
            .await
    } else if auth_type.eq_ignore_ascii_case("BASIC") {
        let (Some(username), Some(password)) = (get(&["username"]), get(&["password"])) else {
            return failure(
                StatusCode::BAD_REQUEST,
                "authType BASIC needs username and password",
            );
        };
        st.services.auth.password(&username, &password).await
    } else {
        return failure(
            StatusCode::BAD_REQUEST,
            format!("unsupported authType `{auth_type}`: use APIKEY or BASIC"),
        );
    };
    match result {
        Ok(issued) => reply(
            StatusCode::OK,
            HeaderMap {
                reply_type: "SUCCESS",
                success: "true",
                access_token: Some(issued.access_token),
                reason: None,
            },
        ),
        Err(AuthFailure::Store(e)) => {
            tracing::error!(error = ?e, "report token: storage failure");
            failure(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
        Err(AuthFailure::Internal(e)) => {
            tracing::error!(error = ?e, "report token: internal error");
            failure(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
        Err(AuthFailure::InvalidClient) => {
            failure(StatusCode::UNAUTHORIZED, "invalid clientId or clitentToken")
        }
        Err(AuthFailure::InvalidGrant(m)) => failure(StatusCode::UNAUTHORIZED, m),
        Err(other) => failure(StatusCode::BAD_REQUEST, other.to_string()),
    }
}
