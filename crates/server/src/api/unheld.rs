//! Kinds of thing Sigma has and sigil does not hold: datasets, data models,
//! connections and reports. Their lists answer an empty page (so clients that walk
//! every kind work), their by-id operations 404, and their writes 501 saying so.

use axum::extract::Path;
use axum::http::Method;
use axum::routing::any;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::shape::PageOf;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Principal;
use crate::state::AppState;

/// (path segment, what one is called)
const KINDS: [(&str, &str); 4] = [
    ("datasets", "dataset"),
    ("dataModels", "data model"),
    ("connections", "connection"),
    ("reports", "report"),
];

pub fn router() -> OpenApiRouter<AppState> {
    let mut r = OpenApiRouter::new()
        .routes(routes!(list_datasets))
        .routes(routes!(list_data_models))
        .routes(routes!(list_connections))
        .routes(routes!(list_reports));
    for (segment, noun) in KINDS {
        // Writes to the collection (POST /v2/connections, POST /v2/reports).
        r = r.route(
            &format!("/v2/{segment}"),
            axum::routing::post(move |_: Principal| async move { not_held(noun) })
                .put(move |_: Principal| async move { not_held(noun) }),
        );
        r = r.route(
            &format!("/v2/{segment}/{{*rest}}"),
            any(
                move |_: Principal, method: Method, Path(rest): Path<String>| async move {
                    by_id(noun, &method, &rest)
                },
            ),
        );
    }
    r
}

fn not_held(noun: &str) -> ApiError {
    ApiError::NotImplemented(format!(
        "sigil holds no {noun}s: it cannot create or change one"
    ))
}

fn by_id(noun: &str, method: &Method, rest: &str) -> ApiError {
    if *method == Method::GET {
        let id = rest.split('/').next().unwrap_or_default();
        ApiError::not_found(format!("no {noun} `{id}`: sigil holds no {noun}s"))
    } else {
        not_held(noun)
    }
}

fn empty() -> Json<PageOf<serde_json::Value>> {
    Json(PageOf::empty())
}

/// List datasets (always empty: sigil holds none)
#[utoipa::path(get, path = "/v2/datasets", tag = "workbooks", operation_id = "listDatasets",
    responses((status = 200, body = PageOf<Object>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_datasets(_caller: Principal) -> Json<PageOf<serde_json::Value>> {
    empty()
}

/// List data models (always empty: sigil holds none)
#[utoipa::path(get, path = "/v2/dataModels", tag = "workbooks", operation_id = "listDataModels",
    responses((status = 200, body = PageOf<Object>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_data_models(_caller: Principal) -> Json<PageOf<serde_json::Value>> {
    empty()
}

/// List connections (always empty: sigil holds none)
#[utoipa::path(get, path = "/v2/connections", tag = "workbooks", operation_id = "listConnections",
    responses((status = 200, body = PageOf<Object>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_connections(_caller: Principal) -> Json<PageOf<serde_json::Value>> {
    empty()
}

/// List reports (always empty: sigil holds none)
#[utoipa::path(get, path = "/v2/reports", tag = "workbooks", operation_id = "listReports",
    responses((status = 200, body = PageOf<Object>), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_reports(_caller: Principal) -> Json<PageOf<serde_json::Value>> {
    empty()
}
