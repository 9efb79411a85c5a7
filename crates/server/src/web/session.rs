//! Who is signed in, and what protects the pages: the session cookie (`HttpOnly`,
//! `SameSite=Lax`, `Secure` behind https), [`WebUser`] for pages that need a member,
//! [`Posted`] for every state-changing form (same-origin and the session's CSRF
//! token, or a clear page), and the security headers every page is sent with.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use sigil_service::sessions::Session;

use crate::state::AppState;
use crate::web::error_page;

pub const COOKIE: &str = "sigil_session";

/// The value of our cookie in a request, if any.
pub fn cookie_of(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// The `Set-Cookie` header that starts a session (or, with `None`, ends it).
pub fn set_cookie(state: &AppState, value: Option<&str>) -> HeaderValue {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let v = match value {
        Some(v) => format!("{COOKIE}={v}; Path=/; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A signed-in member and their session.
#[derive(Debug, Clone)]
pub struct WebUser {
    pub session: Session,
    pub cookie: String,
}

impl WebUser {
    pub fn caller(&self) -> &sigil_service::Caller {
        &self.session.caller
    }
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(cookie) = cookie_of(parts) else {
            return Err(Redirect::to("/signin").into_response());
        };
        match state.services.sessions.resolve(&cookie).await {
            Ok(Some(session)) => Ok(WebUser { session, cookie }),
            Ok(None) => {
                let mut r = Redirect::to("/signin").into_response();
                r.headers_mut()
                    .insert(header::SET_COOKIE, set_cookie(state, None));
                Err(r)
            }
            Err(e) => Err(crate::web::service_error_page(None, e)),
        }
    }
}

/// Whether the request came from one of our own pages: its `Origin` (or, without
/// one, its `Referer`) names this server's host. Requests with neither (not from a
/// browser) are judged by the CSRF token alone.
pub fn same_origin(parts: &Parts) -> bool {
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let from = parts
        .headers
        .get(header::ORIGIN)
        .or_else(|| parts.headers.get(header::REFERER))
        .and_then(|v| v.to_str().ok());
    match from {
        None => true,
        Some(o) => {
            let rest = o.split_once("://").map(|(_, r)| r).unwrap_or("");
            let authority = rest.split('/').next().unwrap_or("");
            !authority.is_empty() && authority.eq_ignore_ascii_case(host)
        }
    }
}

pub fn forged(user: Option<&WebUser>) -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        user,
        "This form cannot be accepted",
        "The form has expired or did not come from this site. Go back, reload the page and try again.",
    )
}

/// The fields of a submitted form, in order; names may repeat (multiple selects).
#[derive(Debug, Clone, Default)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, trimmed of nothing; `""` when absent.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }

    /// The value of `name`, `None` when absent or empty.
    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name)).filter(|v| !v.trim().is_empty())
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn checked(&self, name: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v != "false")
    }
}

/// A state-changing form from a signed-in member: same origin, and the session's
/// CSRF token in `_csrf`. Anything else gets a clear page, never the action.
pub struct Posted {
    pub user: WebUser,
    pub fields: Fields,
    /// The files of a `multipart/form-data` form; empty ones (no file chosen) left out.
    pub uploads: Vec<Upload>,
}

/// A file sent with a form.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field's name.
    pub field: String,
    pub file_name: String,
    pub bytes: bytes::Bytes,
}

fn too_large() -> Response {
    error_page(
        StatusCode::PAYLOAD_TOO_LARGE,
        None,
        "Too much",
        "The form is larger than sigil accepts.",
    )
}

fn unreadable() -> Response {
    error_page(
        StatusCode::BAD_REQUEST,
        None,
        "That did not work",
        "The form could not be read.",
    )
}

/// Room for a multipart form's other fields beside its largest file.
const MULTIPART_FIELDS_BYTES: usize = 256 * 1024;

/// A `multipart/form-data` form: text fields and files. It is read up to the largest
/// file sigil takes (an OpenAPI document) and the form's other fields.
async fn read_multipart(req: Request, state: &AppState) -> Result<(Fields, Vec<Upload>), Response> {
    let limit = state.services.documents.max_bytes() + MULTIPART_FIELDS_BYTES;
    let req = req.map(|b| Body::new(http_body_util::Limited::new(b, limit)));
    let mut m = axum::extract::Multipart::from_request(req, state)
        .await
        .map_err(|_| unreadable())?;
    let mut fields = Vec::new();
    let mut uploads = Vec::new();
    loop {
        let part = match m.next_field().await {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(unreadable()),
        };
        let name = part.name().unwrap_or_default().to_owned();
        match part.file_name().map(str::to_owned) {
            Some(file_name) => {
                let bytes = part.bytes().await.map_err(|_| unreadable())?;
                if !(file_name.is_empty() && bytes.is_empty()) {
                    uploads.push(Upload {
                        field: name,
                        file_name,
                        bytes,
                    });
                }
            }
            None => {
                let text = part.text().await.map_err(|_| unreadable())?;
                fields.push((name, text));
            }
        }
    }
    Ok((Fields(fields), uploads))
}

/// Largest form body a page sends.
const MAX_FORM_BYTES: usize = 1024 * 1024;

pub async fn read_fields(body: Body) -> Result<Fields, Response> {
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| too_large())?;
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .map(Fields)
        .map_err(|_| unreadable())
}

impl FromRequest<AppState> for Posted {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = WebUser::from_request_parts(&mut parts, state).await?;
        if !same_origin(&parts) {
            tracing::warn!("a cross-site form post was refused");
            return Err(forged(Some(&user)));
        }
        let multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let (fields, uploads) = if multipart {
            read_multipart(Request::from_parts(parts, body), state).await?
        } else {
            (read_fields(body).await?, Vec::new())
        };
        let token = fields.get("_csrf");
        let expected = user.session.csrf.as_bytes();
        let ok = token.len() == expected.len()
            && token
                .bytes()
                .zip(expected.iter())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if !ok {
            tracing::warn!("a form post with a stale or forged token was refused");
            return Err(forged(Some(&user)));
        }
        Ok(Posted {
            user,
            fields,
            uploads,
        })
    }
}

/// Headers every page is sent with: no inline script and nothing from elsewhere, no
/// framing, no referrer beyond this site, no sniffing, and no caching of pages.
pub async fn security_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    let is_html = h
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_html {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
