//! The stylesheet and script, embedded in the binary and served under names that
//! carry a hash of their content, so that a browser may keep them forever and a new
//! build is fetched at once.

use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");

/// FNV-1a: enough to tell one build's file from another's.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

struct Named {
    css: String,
    js: String,
}

fn names() -> &'static Named {
    static N: OnceLock<Named> = OnceLock::new();
    N.get_or_init(|| Named {
        css: format!("/static/app.{:012x}.css", fnv(CSS) & 0xffff_ffff_ffff),
        js: format!("/static/app.{:012x}.js", fnv(JS) & 0xffff_ffff_ffff),
    })
}

pub fn css() -> &'static str {
    &names().css
}

pub fn js() -> &'static str {
    &names().js
}

pub async fn serve(Path(name): Path<String>) -> Response {
    let path = format!("/static/{name}");
    let (body, mime) = if path == names().css {
        (CSS, "text/css; charset=utf-8")
    } else if path == names().js {
        (JS, "text/javascript; charset=utf-8")
    } else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
        .into_response()
}
