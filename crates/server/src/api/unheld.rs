//! Kinds of thing Sigma has and sigil does not hold: datasets, data models and
//! reports. Their lists answer an empty page (so clients that walk
//! every kind work), their by-id operations 404, and their writes 501 saying so.

use axum::extract::RawQuery;
use axum::http::{header, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Json;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::shape::{page_request, PageOf};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{query_flag, Principal};
use crate::state::AppState;

/// (path segment, what one is called)
const KINDS: [(&str, &str); 3] = [
    ("datasets", "dataset"),
    ("dataModels", "data model"),
    ("reports", "report"),
];

/// Sigma's operations on these kinds (from `sigma-rest-api-2026-08.json`), so that a
/// method Sigma does not define gets 405 with `Allow`, a path it does not define 404,
/// a read 404 (nothing is held) and a write 501. `{}` is one segment.
const SIGMA_OPERATIONS: &[(&str, &str)] = &[
    ("GET", "/v2/dataModels"),
    ("GET", "/v2/dataModels/{}"),
    ("GET", "/v2/dataModels/{}/sources"),
    ("GET", "/v2/dataModels/{}/tags"),
    ("POST", "/v2/dataModels/tag"),
    ("GET", "/v2/dataModels/{}/materializationSchedules"),
    ("GET", "/v2/dataModels/{}/materializations/{}"),
    ("POST", "/v2/dataModels/{}:materialize"),
    ("POST", "/v2/dataModels/{}/swapSources"),
    ("GET", "/v2/dataModels/{}/lineage"),
    ("GET", "/v2/dataModels/{}/elements"),
    ("GET", "/v2/dataModels/{}/columns"),
    ("GET", "/v2/datasets"),
    ("GET", "/v2/datasets/{}"),
    ("GET", "/v2/datasets/{}/sources"),
    ("POST", "/v2/datasets/{}/migrate"),
    ("GET POST", "/v2/datasets/{}/materialization"),
    ("GET POST", "/v2/datasets/{}/grants"),
    ("DELETE", "/v2/datasets/{}/grants/{}"),
    ("GET POST", "/v2/reports"),
    ("GET", "/v2/reports/{}"),
    ("GET", "/v2/reports/{}/sources"),
    ("GET", "/v2/reports/{}/version-history"),
    ("POST", "/v2/reports/{}/copy"),
    ("POST", "/v2/reports/{}/tag/{}/copy"),
    ("POST", "/v2/reports/{}/swapSources"),
    ("GET", "/v2/reports/{}/queries"),
    ("GET", "/v2/reports/{}/controls"),
    ("GET", "/v2/reports/{}/lineage"),
    ("GET", "/v2/reports/{}/columns"),
    ("GET", "/v2/reports/{}/elements"),
    ("GET", "/v2/reports/{}/lineage/elements/{}"),
    ("GET", "/v2/reports/{}/elements/{}/query"),
    ("GET", "/v2/reports/{}/elements/{}/columns"),
    ("POST", "/v2/reports/{}/export"),
    ("POST", "/v2/reports/{}/send"),
    ("GET POST", "/v2/reports/{}/schedules"),
    ("PATCH DELETE", "/v2/reports/{}/schedules/{}"),
    ("POST", "/v2/reports/{}/grants"),
    ("DELETE", "/v2/reports/{}/grants/{}"),
    ("GET", "/v2/reports/{}/pages"),
    ("GET", "/v2/reports/{}/pages/{}/elements"),
    ("GET", "/v2/reports/{}/tags"),
    ("POST", "/v2/reports/tag"),
    ("DELETE", "/v2/reports/{}/tags/{}"),
];

/// Whether `path` is an instance of `template` (`{}` is one non-empty segment, or
/// its start before a literal suffix such as `:materialize`).
fn matches(template: &str, path: &str) -> bool {
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    t.len() == p.len()
        && t.iter().zip(&p).all(|(t, p)| match t.strip_prefix("{}") {
            Some(suffix) => !p.is_empty() && p.len() > suffix.len() && p.ends_with(suffix),
            None => t == p,
        })
}

/// The methods Sigma defines on `path`: those of the matching template with the most
/// literal text (`/v2/dataModels/tag` over `/v2/dataModels/{}`).
fn methods_for(path: &str) -> Option<&'static str> {
    SIGMA_OPERATIONS
        .iter()
        .filter(|(_, t)| matches(t, path))
        .max_by_key(|(_, t)| t.replace("{}", "").len())
        .map(|(m, _)| *m)
}

fn answer(noun: &'static str, method: &Method, path: &str) -> Response {
    let Some(methods) = methods_for(path) else {
        return ApiError::not_found(format!("no such operation: {path}")).into_response();
    };
    if !methods.split(' ').any(|m| m == method.as_str()) {
        let allow = methods.replace(' ', ", ");
        return (
            [(header::ALLOW, allow.clone())],
            ApiError::MethodNotAllowed(format!(
                "method {method} is not allowed on this route; Sigma defines {allow}"
            )),
        )
            .into_response();
    }
    if *method == Method::GET {
        let id = path.split('/').nth(3).unwrap_or_default();
        ApiError::not_found(format!("no {noun} `{id}`: sigil holds no {noun}s")).into_response()
    } else {
        tracing::warn!(%method, path, "a write to a kind sigil does not hold");
        not_held(noun).into_response()
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    let mut r = OpenApiRouter::new()
        .routes(routes!(list_datasets))
        .routes(routes!(list_data_models))
        .routes(routes!(list_reports));
    for (segment, noun) in KINDS {
        let collection = format!("/v2/{segment}");
        if methods_for(&collection).is_some_and(|m| m.contains("POST")) {
            // POST /v2/reports.
            r = r.route(
                &collection,
                axum::routing::post(move |_: Principal, uri: Uri| async move {
                    answer(noun, &Method::POST, uri.path())
                }),
            );
        }
        r = r.route(
            &format!("{collection}/{{*rest}}"),
            any(move |_: Principal, method: Method, uri: Uri| async move {
                answer(noun, &method, uri.path())
            }),
        );
    }
    r
}

fn not_held(noun: &str) -> ApiError {
    ApiError::NotImplemented(format!(
        "sigil holds no {noun}s: it cannot create or change one"
    ))
}

/// An empty page, once the query has been checked as a list of what sigil holds would
/// check it: `page` and `limit`, Sigma's flags of the list (`true` or `false`) and its
/// search text; unknown parameters are ignored, as Sigma does.
fn empty(raw: Option<String>, flags: &[&str]) -> Result<Json<PageOf<serde_json::Value>>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|e| ApiError::bad_request(format!("invalid query: {e}")))?;
    let mut seen = std::collections::HashSet::new();
    let (mut page, mut limit) = (None, None);
    for (k, v) in &pairs {
        let known =
            matches!(k.as_str(), "page" | "limit" | "search") || flags.contains(&k.as_str());
        if known && !seen.insert(k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "invalid query: `{k}` is given twice"
            )));
        }
        match k.as_str() {
            "page" => page = Some(v.as_str()),
            "limit" => limit = Some(v.as_str()),
            "search" => sigil_service::paging::check_search("search", Some(v))?,
            f if flags.contains(&f) => {
                query_flag(f, Some(v), false)?;
            }
            _ => {}
        }
    }
    page_request(page, limit)?;
    Ok(Json(PageOf::empty()))
}

/// List datasets (always empty: sigil holds none)
#[utoipa::path(get, path = "/v2/datasets", tag = "workbooks", operation_id = "listDatasets",
    responses((status = 200, body = PageOf<Object>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_datasets(
    _caller: Principal,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageOf<serde_json::Value>>, ApiError> {
    empty(raw, &["skipPermissionCheck"])
}

/// List data models (always empty: sigil holds none)
#[utoipa::path(get, path = "/v2/dataModels", tag = "workbooks", operation_id = "listDataModels",
    responses((status = 200, body = PageOf<Object>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_data_models(
    _caller: Principal,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageOf<serde_json::Value>>, ApiError> {
    empty(raw, &["excludeTags", "skipPermissionCheck"])
}

/// List reports (always empty: sigil holds none)
#[utoipa::path(get, path = "/v2/reports", tag = "workbooks", operation_id = "listReports",
    responses((status = 200, body = PageOf<Object>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn list_reports(
    _caller: Principal,
    RawQuery(raw): RawQuery,
) -> Result<Json<PageOf<serde_json::Value>>, ApiError> {
    empty(raw, &["excludeTags", "skipPermissionCheck", "isArchived"])
}
