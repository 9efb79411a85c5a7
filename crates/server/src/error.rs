//! [`ApiError`]: the one error type of the HTTP API, and the one place it becomes a
//! response in Sigma's shape, `{"code","message","requestId"}` (plus the OAuth
//! `error` field on the token endpoint). A service's [`ServiceError`] becomes an
//! `ApiError` here and nowhere else. The request id is filled in by
//! [`crate::middleware::request_context`], which sees every response.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sigil_service::auth::AuthFailure;
use sigil_service::ServiceError;
use utoipa::ToSchema;

/// Sigma's error body.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// OAuth 2.0 error code; only on `/v2/auth/token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
    /// OAuth 2.0 description, the same text as `message`; only on `/v2/auth/token`.
    #[serde(rename = "error_description", skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// Machine-readable code, e.g. `not_found`.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// The `x-request-id` of the request.
    pub request_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    NotImplemented(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    TooManyRequests(String),
    /// A connector's upstream failed: 502 (no usable answer) or 504 (timed out).
    #[error("{message}")]
    Upstream { status: StatusCode, message: String },
    /// An OAuth 2.0 error from the token endpoint (RFC 6749 §5.2).
    #[error("{message}")]
    OAuth {
        status: StatusCode,
        error: &'static str,
        message: String,
        /// Adds `WWW-Authenticate: Basic` (the client tried HTTP Basic and failed).
        challenge_basic: bool,
    },
    /// Anything unexpected: logged in full, answered as a bare 500.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// What the middleware needs to render an error body with the request id.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl ErrorInfo {
    /// The generic error for a status produced outside our handlers (405 from the
    /// router, 408 from the timeout layer, 500 from a caught panic…).
    pub fn for_status(status: StatusCode) -> Self {
        let message = match status {
            StatusCode::NOT_FOUND => "no such route".to_string(),
            StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this route".to_string(),
            StatusCode::PAYLOAD_TOO_LARGE => "request body too large".to_string(),
            StatusCode::REQUEST_TIMEOUT => "request timed out".to_string(),
            s if s.is_server_error() => "internal error".to_string(),
            s => s.canonical_reason().unwrap_or("error").to_lowercase(),
        };
        ErrorInfo {
            status,
            body: ErrorBody {
                error: None,
                error_description: None,
                code: code_for(status),
                message,
                request_id: String::new(),
            },
        }
    }
}

/// Sigma's `code` for a status.
pub fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::NOT_IMPLEMENTED => "not_implemented",
        StatusCode::SERVICE_UNAVAILABLE => "service_unavailable",
        StatusCode::BAD_GATEWAY => "bad_gateway",
        StatusCode::GATEWAY_TIMEOUT => "gateway_timeout",
        s if s.is_server_error() => "internal_error",
        _ => "bad_request",
    }
}

impl ApiError {
    pub fn bad_request(m: impl Into<String>) -> Self {
        ApiError::BadRequest(m.into())
    }

    pub fn not_found(m: impl Into<String>) -> Self {
        ApiError::NotFound(m.into())
    }

    pub fn forbidden(m: impl Into<String>) -> Self {
        ApiError::Forbidden(m.into())
    }

    pub fn unauthorized(m: impl Into<String>) -> Self {
        ApiError::Unauthorized(m.into())
    }

    pub fn internal(e: impl Into<anyhow::Error>) -> Self {
        ApiError::Internal(e.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Upstream { status, .. } => *status,
            ApiError::OAuth { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn info(&self) -> ErrorInfo {
        let status = self.status();
        let (error, error_description) = match self {
            ApiError::OAuth { error, message, .. } => (Some(*error), Some(message.clone())),
            _ => (None, None),
        };
        ErrorInfo {
            status,
            body: ErrorBody {
                error,
                error_description,
                code: code_for(status),
                message: self.to_string(),
                request_id: String::new(),
            },
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Invalid { message, .. } => ApiError::BadRequest(message),
            ServiceError::Unauthenticated(m) => ApiError::Unauthorized(m),
            ServiceError::Forbidden(m) => ApiError::Forbidden(m),
            ServiceError::NotFound(m) => ApiError::NotFound(m),
            ServiceError::Conflict(m) => ApiError::Conflict(m),
            ServiceError::TooLarge(m) => ApiError::PayloadTooLarge(m),
            ServiceError::NotImplemented(m) => ApiError::NotImplemented(m),
            ServiceError::Unavailable(m) => ApiError::Unavailable(m),
            ServiceError::RateLimited(m) => ApiError::TooManyRequests(m),
            ServiceError::Upstream { timed_out, message } => ApiError::Upstream {
                status: if timed_out {
                    StatusCode::GATEWAY_TIMEOUT
                } else {
                    StatusCode::BAD_GATEWAY
                },
                message,
            },
            ServiceError::Auth(f) => ApiError::oauth(f, false),
            ServiceError::Internal(e) => ApiError::Internal(e),
        }
    }
}

impl ApiError {
    /// A failed token grant, in OAuth terms; `challenge_basic` when the client tried
    /// HTTP Basic, so that a 401 asks for it again.
    pub fn oauth(f: AuthFailure, challenge_basic: bool) -> Self {
        let status = match f {
            AuthFailure::InvalidClient => StatusCode::UNAUTHORIZED,
            AuthFailure::Store(e) => return ApiError::Internal(e.into()),
            AuthFailure::Internal(e) => return ApiError::Internal(e),
            _ => StatusCode::BAD_REQUEST,
        };
        ApiError::OAuth {
            status,
            error: f.oauth_code(),
            message: f.to_string(),
            challenge_basic: challenge_basic && status == StatusCode::UNAUTHORIZED,
        }
    }
}

/// Renders an error body. Used by [`IntoResponse`] and by the middleware once it knows
/// the request id.
pub fn render(info: &ErrorInfo) -> Response {
    let mut res = (info.status, axum::Json(&info.body)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            // The cause goes to the log only; the body says nothing internal.
            ApiError::Internal(e) => tracing::error!(error = ?e, "internal error"),
            // Not sigil's failure: a client asked for something sigil does not hold.
            ApiError::NotImplemented(m) => tracing::warn!(reason = %m, "not implemented"),
            _ => {}
        }
        let info = self.info();
        let mut res = render(&info);
        if let ApiError::OAuth {
            challenge_basic: true,
            ..
        } = self
        {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"sigil\""),
            );
        }
        if info.status == StatusCode::SERVICE_UNAVAILABLE {
            // Worth trying again soon: the database was busy, or is coming back.
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if info.status == StatusCode::UNAUTHORIZED
            && !res.headers().contains_key(header::WWW_AUTHENTICATE)
        {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"sigil\""),
            );
        }
        res.extensions_mut().insert(info);
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_database_is_503_with_retry_after_never_500() {
        let e: ApiError =
            ServiceError::from(sigil_store::StoreError::Busy("deadlock".into())).into();
        let res = e.into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    }
}
