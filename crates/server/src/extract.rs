//! Extractors that hand handlers checked values: JSON bodies, paths and queries whose
//! rejections become [`ApiError`]s, and the authenticated caller ([`Principal`], and
//! [`AdminMember`] for operations that need the Admin account type).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use sigil_core::{AccountType, Member, MemberId, OrganizationId, Permission};

use crate::auth::tokens::{AccessClaims, TokenError};
use crate::error::ApiError;
use crate::state::AppState;

/// Reads a body the way the size limit and our error shape want it.
pub async fn read_body(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(format!(
                "request body is larger than the limit of {} bytes",
                state.config.max_body_bytes
            ))
        } else {
            ApiError::bad_request(format!("could not read the request body: {e}"))
        }
    })
}

/// A JSON body. Parsed whatever the Content-Type says (curl's `-d` sends a form
/// type); errors name the field that is wrong.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let bytes = read_body(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the request body is empty; expected a JSON object",
        ));
    }
    // Every body of this API is an object; serde would also accept a struct written
    // as an array, which no client means.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') && serde_json::from_slice::<serde_json::Value>(bytes).is_ok() {
        return Err(ApiError::bad_request(
            "invalid request body: expected a JSON object",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request(format!("malformed JSON in the request body: {inner}"))
        } else if path == "." {
            ApiError::bad_request(format!("invalid request body: {inner}"))
        } else {
            ApiError::bad_request(format!("invalid request body at `{path}`: {inner}"))
        }
    })
}

/// Path parameters, with a 400 in our shape when they do not parse.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| {
                ApiError::bad_request(format!("invalid path parameter: {}", e.body_text()))
            })
    }
}

/// Query parameters, with a 400 in our shape naming what does not parse.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::bad_request(format!("invalid query: {}", e.body_text())))
    }
}

/// A true/false query parameter; absent or empty means `default`, anything else 400.
pub fn query_flag(name: &str, value: Option<&str>, default: bool) -> Result<bool, ApiError> {
    match value {
        None | Some("") => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(ApiError::bad_request(format!(
            "{name} must be true or false, got `{other}`"
        ))),
    }
}

/// The caller, as its access token says, checked against signature, expiry and the
/// revocation set. No database round trip.
#[derive(Debug, Clone)]
pub struct Principal {
    pub member_id: MemberId,
    pub organization_id: OrganizationId,
    pub claims: AccessClaims,
}

fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    let value = parts.headers.get(header::AUTHORIZATION).ok_or_else(|| {
        ApiError::unauthorized("missing bearer token: send `Authorization: Bearer <access_token>`")
    })?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::unauthorized("malformed Authorization header"))?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| {
        ApiError::unauthorized("malformed Authorization header: expected `Bearer <access_token>`")
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::unauthorized(
            "malformed Authorization header: expected `Bearer <access_token>`",
        ));
    }
    Ok(token.trim())
}

impl Principal {
    pub fn from_token(state: &AppState, token: &str) -> Result<Self, ApiError> {
        let claims = state.tokens.verify(token).map_err(|e| match e {
            TokenError::Expired => ApiError::unauthorized("the access token has expired"),
            TokenError::Invalid => ApiError::unauthorized("the access token is invalid"),
        })?;
        if claims.org != state.organization.id {
            return Err(ApiError::unauthorized("the access token is invalid"));
        }
        if state.revocations.is_revoked(&claims) {
            return Err(ApiError::unauthorized("the access token has been revoked"));
        }
        Ok(Principal {
            member_id: claims.sub,
            organization_id: claims.org,
            claims,
        })
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        Principal::from_token(state, token)
    }
}

/// The caller's member record and account type, as they are now.
#[derive(Debug, Clone)]
pub struct CurrentMember {
    pub principal: Principal,
    pub member: Member,
    pub account_type: std::sync::Arc<AccountType>,
}

impl CurrentMember {
    pub async fn load(state: &AppState, principal: Principal) -> Result<Self, ApiError> {
        let member = state
            .reads
            .member(state.store.as_ref(), principal.member_id)
            .await?
            .filter(|m| !m.is_inactive)
            .ok_or_else(|| {
                ApiError::unauthorized("the access token's member is no longer active")
            })?;
        let account_type = state
            .account_types
            .get(state.store.as_ref(), member.account_type_id)
            .await?
            .ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!(
                    "member {} has a dangling account type",
                    member.id
                ))
            })?;
        Ok(CurrentMember {
            principal,
            member,
            account_type,
        })
    }
}

impl FromRequestParts<AppState> for CurrentMember {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        CurrentMember::load(state, principal).await
    }
}

/// A caller whose account type is Admin; anyone else gets 403.
#[derive(Debug, Clone)]
pub struct AdminMember(pub CurrentMember);

impl FromRequestParts<AppState> for AdminMember {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let current = CurrentMember::from_request_parts(parts, state).await?;
        if !current.account_type.is_admin() {
            return Err(ApiError::forbidden(
                "this operation needs a member with the Admin account type",
            ));
        }
        Ok(AdminMember(current))
    }
}

impl CurrentMember {
    /// 403 unless the caller's account type grants `p` (Admins hold every permission).
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if self.account_type.has(p) || self.account_type.is_admin() {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this operation needs an account type with the `{}` permission",
                p.as_str()
            )))
        }
    }
}
