//! Request-scoped middleware: the request id, and the rendering of every error
//! response in Sigma's shape with that id.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::{render, ErrorInfo};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the current request, in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub HeaderValue);

impl RequestId {
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or_default()
    }
}

/// A client's own id is kept when it is short and plain, so that logs on both sides
/// line up; anything else is replaced.
fn acceptable(v: &HeaderValue) -> bool {
    let b = v.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b':'))
}

/// Assigns the request id, and on the way out turns every error response into
/// Sigma's JSON body carrying it; every response gets `x-request-id`.
pub async fn request_context(mut req: Request, next: Next) -> Response {
    let id = match req.headers().get(REQUEST_ID_HEADER) {
        Some(v) if acceptable(v) => v.clone(),
        _ => HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
            .expect("a UUID is a valid header value"),
    };
    req.extensions_mut().insert(RequestId(id.clone()));
    let res = next.run(req).await;
    let mut res = finish_error(res, id.to_str().unwrap_or_default());
    res.headers_mut().insert(REQUEST_ID_HEADER, id);
    res
}

fn finish_error(mut res: Response, request_id: &str) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let info = match res.extensions_mut().remove::<ErrorInfo>() {
        Some(info) => info,
        None => {
            // An error made outside our handlers (router 405, timeout, caught panic):
            // give it the same shape as every other error.
            // JSON bodies are already ours; HTML ones are the web pages' own error pages.
            let keep = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
                v.as_bytes().starts_with(b"application/json")
                    || v.as_bytes().starts_with(b"text/html")
            });
            if keep {
                return res;
            }
            ErrorInfo::for_status(status)
        }
    };
    let mut info = info;
    info.body.request_id = request_id.to_owned();
    let mut out = render(&info);
    // Keep headers the handler set (WWW-Authenticate, Allow…), but not the old body's.
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}
