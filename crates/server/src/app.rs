//! [`app`]: the routes of [`crate::api`] behind the middleware stack, ready to serve.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::Method;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::Response;
use axum::{Extension, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::error::ApiError;
use crate::metrics::track;
use crate::middleware::{request_context, RequestId};
use crate::state::AppState;

/// Unknown routes: Sigma's error body for the API, a page for everything else.
async fn fallback(uri: axum::http::Uri) -> Response {
    use axum::response::IntoResponse;
    let p = uri.path();
    if p.starts_with("/v2")
        || p.starts_with("/v2.1")
        || p.starts_with("/sigma/")
        || p.starts_with("/_sigil/")
    {
        ApiError::not_found("no such route").into_response()
    } else {
        crate::web::not_found_page()
    }
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    app_with(state, Router::new())
}

/// The application with `extra` routes behind the same middleware stack (the
/// benchmark adds a bare handler this way, to measure the stack itself).
pub fn app_with(state: AppState, extra: Router<AppState>) -> Router {
    let (router, mut doc) = crate::api::api().split_for_parts();
    // A connector built from this document (the tutorial's offline import) calls
    // this server when its public URL is known.
    if let Some(url) = &state.config.public_url {
        doc.servers = Some(vec![utoipa::openapi::Server::new(
            url.trim_end_matches('/'),
        )]);
    }
    let max_body = state.config.max_body_bytes;
    let body_timeout = Duration::from_secs(state.config.http.body_read_timeout_secs);
    let metrics = state.metrics.clone();
    let access_log = state.config.access_log;
    let testing = if state.services.testing.enabled() {
        crate::testing::router()
    } else {
        Router::new()
    };
    router
        .merge(crate::web::router())
        .merge(testing)
        .merge(extra)
        .fallback(fallback)
        .method_not_allowed_fallback(|method: Method| async move {
            ApiError::MethodNotAllowed(format!("method {method} is not allowed on this route"))
        })
        .layer(Extension(Arc::new(doc)))
        .layer(DefaultBodyLimit::max(max_body))
        // A body that stops arriving fails instead of holding the request open.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            body_timeout,
        ))
        // Innermost to outermost: a panic becomes a 500 that metrics count, the trace
        // span carries the request id, and request_context renders every error.
        .layer(CatchPanicLayer::new())
        // Inside the metrics: an injected answer is counted under its status too.
        .layer(from_fn_with_state(
            state.clone(),
            crate::testing::inject_faults,
        ))
        .layer(from_fn_with_state(metrics, track))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(MatchedPath::as_str)
                        .unwrap_or("unmatched");
                    let id = req
                        .extensions()
                        .get::<RequestId>()
                        .map(RequestId::as_str)
                        .unwrap_or_default();
                    tracing::info_span!("request", method = %req.method(), route, request_id = id)
                })
                .on_request(())
                .on_response(move |res: &Response, latency: Duration, _span: &Span| {
                    let status = res.status();
                    if access_log {
                        tracing::info!(
                            status = status.as_u16(),
                            latency_us = latency.as_micros() as u64,
                            "response"
                        );
                    } else if status.is_server_error() {
                        tracing::warn!(
                            status = status.as_u16(),
                            latency_us = latency.as_micros() as u64,
                            "response"
                        );
                    }
                }),
        )
        .layer(from_fn(request_context))
        .with_state(state)
}
