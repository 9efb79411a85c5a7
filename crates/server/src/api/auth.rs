//! `POST /v2/auth/token`: OAuth 2.0 token endpoint, as Sigma serves it. The body is
//! read as a form whatever the Content-Type says.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;
use sigil_service::auth::grants::{ACCESS_TOKEN_TYPE, TOKEN_EXCHANGE};
use sigil_service::auth::{AuthFailure, ClientAuth, Exchange, Issued};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(post_token))
}

/// A successful token response.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires (3600 by default).
    pub expires_in: u64,
    /// Only for token exchange: `urn:ietf:params:oauth:token-type:access_token`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
}

impl TokenResponse {
    fn from_issued(i: Issued, issued_token_type: Option<&'static str>) -> Self {
        TokenResponse {
            access_token: i.access_token,
            refresh_token: i.refresh_token,
            token_type: "bearer",
            expires_in: i.expires_in,
            issued_token_type,
        }
    }
}

/// The form fields of the token request.
#[allow(dead_code)]
#[derive(ToSchema)]
pub struct TokenForm {
    /// `client_credentials`, `refresh_token` or
    /// `urn:ietf:params:oauth:grant-type:token-exchange`.
    grant_type: String,
    /// With `client_credentials` (or send HTTP Basic).
    client_id: Option<String>,
    client_secret: Option<String>,
    /// With `refresh_token`.
    refresh_token: Option<String>,
    /// With token exchange: an HS256 JWT signed with the client secret, `kid` = client
    /// ID, `sub` = the email of the member to act as.
    subject_token: Option<String>,
    /// `urn:ietf:params:oauth:token-type:jwt`.
    subject_token_type: Option<String>,
    /// With token exchange: the Admin's own access token, from the client
    /// credentials that signed `subject_token` (or send their client ID and secret).
    actor_token: Option<String>,
    actor_token_type: Option<String>,
}

fn oauth_error(f: AuthFailure, challenge_basic: bool) -> ApiError {
    ApiError::oauth(f, challenge_basic)
}

fn invalid_request(m: impl Into<String>) -> ApiError {
    oauth_error(AuthFailure::InvalidRequest(m.into()), false)
}

/// Parses the body into unique parameters (RFC 6749 §3.2: no repeats): a form, or
/// (as Sigma's document also declares) a JSON object of strings. The body's own form
/// decides, whatever the Content-Type says.
fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if first == Some(&b'[') {
        return Err(
            "the body must be a form (grant_type=client_credentials&client_id=…) or a JSON object"
                .into(),
        );
    }
    if first == Some(&b'{') {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body)
            .map_err(|e| format!("malformed JSON in the request body: {e}"))?;
        return map
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Ok((k, s)),
                _ => Err(format!("parameter `{k}` must be a string")),
            })
            .collect();
    }
    if std::str::from_utf8(body).is_err() {
        return Err("the body is not valid UTF-8".into());
    }
    let pairs: Vec<(String, String)> = form_urlencoded_pairs(body);
    for (i, (k, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(k2, _)| k2 == k) {
            return Err(format!("parameter `{k}` is repeated"));
        }
    }
    Ok(pairs)
}

fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// What the Authorization header carries, if anything.
enum HeaderAuth {
    None,
    Basic(ClientAuth),
    Bearer(String),
}

fn header_auth(headers: &HeaderMap) -> Result<HeaderAuth, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(HeaderAuth::None);
    };
    let bad_basic = || oauth_error(AuthFailure::InvalidClient, true);
    let value = value.to_str().map_err(|_| bad_basic())?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD.decode(rest.trim()).map_err(|_| bad_basic())?;
        let text = String::from_utf8(decoded).map_err(|_| bad_basic())?;
        let (id, secret) = text.split_once(':').ok_or_else(bad_basic)?;
        // RFC 6749 §2.3.1: each part is form-urlencoded before base64.
        let decode = |s: &str| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
                .ok()
                .and_then(|mut v| v.pop())
                .map(|(_, v)| v)
                .unwrap_or_else(|| s.to_owned())
        };
        Ok(HeaderAuth::Basic(ClientAuth {
            client_id: decode(id),
            client_secret: decode(secret),
        }))
    } else if scheme.eq_ignore_ascii_case("bearer") && !rest.trim().is_empty() {
        Ok(HeaderAuth::Bearer(rest.trim().to_owned()))
    } else {
        Err(invalid_request(
            "unsupported Authorization scheme: use Basic with the client ID and secret",
        ))
    }
}

/// Get access token
///
/// The parameters come as a form or as a JSON object of strings, with the same rules.
/// Exchanges client credentials, a refresh token, or (token exchange) an Admin's
/// client credentials and a signed JWT naming a member, for an access token valid for
/// one hour and a refresh token. Refresh tokens rotate: each can be used once, and
/// reusing one revokes every token issued from it.
#[utoipa::path(
    post,
    path = "/v2/auth/token",
    tag = "auth",
    operation_id = "postToken",
    request_body(content(
        (TokenForm = "application/x-www-form-urlencoded"),
        (TokenForm = "application/json"),
    )),
    responses(
        (status = 200, description = "Tokens", body = TokenResponse),
        (status = 400, description = "invalid_request, invalid_grant, unsupported_grant_type", body = ErrorBody),
        (status = 401, description = "invalid_client", body = ErrorBody),
    ),
    security(("basic" = []), ())
)]
#[tracing::instrument(skip_all, fields(grant_type))]
pub async fn post_token(
    State(st): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let pairs = parse_form(&body).map_err(invalid_request)?;
    let grant_type = param(&pairs, "grant_type")
        .ok_or_else(|| invalid_request("grant_type is required"))?
        .to_owned();
    tracing::Span::current().record("grant_type", grant_type.as_str());

    let header = header_auth(&headers)?;
    let used_basic = matches!(header, HeaderAuth::Basic(_));
    let body_client = match (param(&pairs, "client_id"), param(&pairs, "client_secret")) {
        (Some(id), Some(secret)) => Some(ClientAuth {
            client_id: id.to_owned(),
            client_secret: secret.to_owned(),
        }),
        (Some(_), None) => return Err(invalid_request("client_secret is required with client_id")),
        (None, Some(_)) => return Err(invalid_request("client_id is required with client_secret")),
        (None, None) => None,
    };
    let (client, bearer) = match header {
        HeaderAuth::Basic(h) => {
            if body_client
                .as_ref()
                .is_some_and(|b| b.client_id != h.client_id || b.client_secret != h.client_secret)
            {
                return Err(invalid_request(
                    "client credentials were sent both in the Authorization header and in the body; use one",
                ));
            }
            (Some(h), None)
        }
        HeaderAuth::Bearer(t) => (body_client, Some(t)),
        HeaderAuth::None => (body_client, None),
    };
    let fail = |f: AuthFailure| oauth_error(f, used_basic);

    let issued = match grant_type.as_str() {
        "client_credentials" => {
            // RFC 6749 §5.2: no client authentication at all is `invalid_client`.
            let client = client.ok_or_else(|| ApiError::OAuth {
                status: StatusCode::UNAUTHORIZED,
                error: "invalid_client",
                message: "client authentication is required: send client_id and client_secret \
                          in the body or as HTTP Basic"
                    .into(),
                challenge_basic: true,
            })?;
            let i = st
                .services
                .auth
                .client_credentials(&client)
                .await
                .map_err(fail)?;
            TokenResponse::from_issued(i, None)
        }
        "refresh_token" => {
            let token = param(&pairs, "refresh_token")
                .ok_or_else(|| invalid_request("refresh_token is required"))?;
            let i = st
                .services
                .auth
                .refresh(token, client.as_ref())
                .await
                .map_err(fail)?;
            TokenResponse::from_issued(i, None)
        }
        TOKEN_EXCHANGE => {
            let subject_token = param(&pairs, "subject_token")
                .ok_or_else(|| invalid_request("subject_token is required"))?;
            let subject_token_type = param(&pairs, "subject_token_type")
                .ok_or_else(|| invalid_request("subject_token_type is required"))?;
            let actor_token = param(&pairs, "actor_token");
            if let (Some(a), Some(b)) = (actor_token, bearer.as_deref()) {
                if a != b {
                    return Err(invalid_request(
                        "actor_token must match the bearer token of the request",
                    ));
                }
            }
            if let Some(t) = param(&pairs, "actor_token_type") {
                if t != ACCESS_TOKEN_TYPE {
                    return Err(invalid_request(format!(
                        "actor_token_type must be `{ACCESS_TOKEN_TYPE}`"
                    )));
                }
            }
            let i = st
                .services
                .auth
                .token_exchange(Exchange {
                    client: client.as_ref(),
                    subject_token,
                    subject_token_type,
                    actor_token: actor_token.or(bearer.as_deref()),
                })
                .await
                .map_err(fail)?;
            TokenResponse::from_issued(i, Some(ACCESS_TOKEN_TYPE))
        }
        other => return Err(fail(AuthFailure::UnsupportedGrantType(other.to_owned()))),
    };
    let mut res = Json(issued).into_response();
    // RFC 6749 §5.1: token responses must not be cached.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_and_json_objects_are_parsed_and_anything_else_explained() {
        let p = parse_form(b"grant_type=client_credentials&client_id=a%2Bb").unwrap();
        assert_eq!(param(&p, "client_id"), Some("a+b"));
        let j = parse_form(br#"{"grant_type":"client_credentials","client_id":"a+b"}"#).unwrap();
        assert_eq!(param(&j, "client_id"), Some("a+b"));
        let e = parse_form(br#"{"grant_type": 1}"#).unwrap_err();
        assert!(e.contains("must be a string"), "{e}");
        assert!(parse_form(b"[1]").is_err());
        assert!(parse_form(b"{\"grant_type\": ").is_err());
        let e = parse_form(b"a=1&a=2").unwrap_err();
        assert!(e.contains("repeated"), "{e}");
        assert!(parse_form(b"\xff\xfe").is_err());
        assert!(parse_form(b"").unwrap().is_empty());
    }
}
