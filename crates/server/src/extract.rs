//! Extractors that hand REST handlers checked values: JSON bodies, paths and queries
//! whose rejections become [`ApiError`]s; ids in the path ([`Id`], [`Ids`]), where a
//! malformed id is "not found" like an unknown one; and the authenticated caller
//! ([`Principal`] from the token alone, [`CurrentMember`] with its member record,
//! [`AdminMember`] for operations that need the Admin account type).

use std::ops::Deref;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;
use sigil_core::{
    AccountTypeId, ApiConnectorId, ApiCredentialId, ApiDocumentId, GrantId, InodeId, MemberId,
    OrganizationId, TeamId,
};
use sigil_service::auth::AccessClaims;
use sigil_service::Caller;

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

/// What a path parameter holds: an id (malformed is "not found") or plain text.
pub trait PathValue: Sized {
    fn from_path(name: &str, raw: &str) -> Result<Self, ApiError>;
}

impl PathValue for String {
    fn from_path(_: &str, raw: &str) -> Result<Self, ApiError> {
        Ok(raw.to_owned())
    }
}

/// What a path parameter names, for the "not found" message: `memberId` → member.
fn noun(param: &str) -> &str {
    match param {
        "inodeId" => "file",
        "accountTypeId" => "account type",
        "apiCredentialId" => "API credential",
        "apiConnectorId" => "API connector",
        "documentId" => "API document",
        "connectionPathId" | "tableId" => "connection path",
        other => other.strip_suffix("Id").unwrap_or(other),
    }
}

/// Parses a uuid-shaped id, "not found" when it does not parse.
pub fn parse_id<T: std::str::FromStr>(name: &str, raw: &str) -> Result<T, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::not_found(format!("no {} `{raw}`", noun(name))))
}

macro_rules! path_ids {
    ($($t:ty),*) => {$(
        impl PathValue for $t {
            fn from_path(name: &str, raw: &str) -> Result<Self, ApiError> {
                parse_id(name, raw)
            }
        }
    )*};
}

path_ids!(
    MemberId,
    TeamId,
    InodeId,
    GrantId,
    AccountTypeId,
    ApiCredentialId,
    ApiConnectorId,
    ApiDocumentId,
    uuid::Uuid
);

async fn path_params(parts: &mut Parts) -> Result<Vec<(String, String)>, ApiError> {
    let raw = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|e| ApiError::bad_request(format!("invalid path parameter: {}", e.body_text())))?;
    Ok(raw
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect())
}

fn nth<T: PathValue>(params: &[(String, String)], i: usize) -> Result<T, ApiError> {
    let (name, raw) = params
        .get(i)
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("route has no path parameter {i}")))?;
    T::from_path(name, raw)
}

/// The route's one path parameter.
#[derive(Debug)]
pub struct Id<T>(pub T);

impl<T: PathValue + Send, S: Send + Sync> FromRequestParts<S> for Id<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let params = path_params(parts).await?;
        Ok(Id(nth(&params, 0)?))
    }
}

/// The route's two path parameters, in order.
#[derive(Debug)]
pub struct Ids<A, B>(pub A, pub B);

impl<A: PathValue + Send, B: PathValue + Send, S: Send + Sync> FromRequestParts<S> for Ids<A, B> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let params = path_params(parts).await?;
        Ok(Ids(nth(&params, 0)?, nth(&params, 1)?))
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

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts)?;
        let claims = state.services.auth.verify(token)?;
        Ok(Principal {
            member_id: claims.sub,
            organization_id: claims.org,
            claims,
        })
    }
}

/// The caller's member record and account type, as they are now.
#[derive(Debug, Clone)]
pub struct CurrentMember(pub Caller);

impl Deref for CurrentMember {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequestParts<AppState> for CurrentMember {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let principal = Principal::from_request_parts(parts, state).await?;
        Ok(CurrentMember(
            state.services.auth.caller(principal.member_id).await?,
        ))
    }
}

/// A caller whose account type is Admin; anyone else gets 403 before anything else
/// of the request is looked at.
#[derive(Debug, Clone)]
pub struct AdminMember(pub Caller);

impl Deref for AdminMember {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequestParts<AppState> for AdminMember {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let CurrentMember(caller) = CurrentMember::from_request_parts(parts, state).await?;
        caller.require_admin()?;
        Ok(AdminMember(caller))
    }
}
