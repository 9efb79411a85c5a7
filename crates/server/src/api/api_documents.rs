//! `/v2/api-documents` (sigil's own): OpenAPI documents imported from a URL (fetched
//! through the connectors' SSRF-safe client) or uploaded, and their operations, from
//! which connectors are built (`POST /v2/api-connectors/from-operation`). Needs
//! `manage-api-connectors`.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use bytes::Bytes;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use sigil_core::{clock, ApiDocumentId};
use sigil_service::documents::{ImportSource, Operation};
use sigil_service::ApiDocument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::shape::{Empty, TokenList, TokenParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api_documents, import_api_document))
        .routes(routes!(get_api_document, delete_api_document))
        .routes(routes!(list_operations))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiDocumentBody {
    pub document_id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// `openapi-3.0`, `openapi-3.1` or `swagger-2.0`.
    pub spec_version: String,
    pub title: String,
    pub operation_count: u32,
    pub created_by: String,
    pub created_at: String,
}

impl From<&ApiDocument> for ApiDocumentBody {
    fn from(d: &ApiDocument) -> Self {
        ApiDocumentBody {
            document_id: d.id.to_string(),
            name: d.name.clone(),
            source_url: d.source_url.clone(),
            spec_version: d.spec_version.clone(),
            title: d.title.clone(),
            operation_count: d.operation_count,
            created_by: d.created_by.to_string(),
            created_at: clock::rfc3339(d.created_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// A name for an uploaded document (default: its `info.title`).
    pub name: Option<String>,
}

/// A JSON body's top-level keys: enough to tell a document from an import request,
/// without building the document's tree (everything else is skipped unread).
#[derive(Deserialize)]
struct Probe {
    openapi: Option<IgnoredAny>,
    swagger: Option<IgnoredAny>,
}

/// Reads the body up to `limit` bytes: the documents' own limit, not the smaller one
/// of other requests.
async fn read_body(body: Body, limit: usize) -> Result<Bytes, ApiError> {
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        let e = e.into_inner();
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&*e);
        while let Some(c) = cause {
            if c.is::<http_body_util::LengthLimitError>() {
                return ApiError::PayloadTooLarge(format!(
                    "the document is larger than {limit} bytes, the most sigil imports (documents.max_bytes)"
                ));
            }
            cause = c.source();
        }
        ApiError::bad_request(format!("the request body could not be read: {e}"))
    })
}

/// The JSON forms of an import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImportRequest {
    pub name: Option<String>,
    /// Fetch the document from here (through the same address checks as connector
    /// calls).
    pub url: Option<String>,
    /// The document's text, JSON or YAML.
    pub content: Option<String>,
}

/// Import an OpenAPI document
///
/// Four ways: `{"name", "url"}` fetches it; `{"name", "content"}` takes its text; an
/// OpenAPI document itself as the JSON body; or YAML with a YAML content type. OpenAPI
/// 3.0, 3.1 and Swagger 2.0. A broken document gets 400 saying where it breaks.
#[utoipa::path(
    post,
    path = "/v2/api-documents",
    tag = "connectors",
    operation_id = "importApiDocument",
    params(ImportParams),
    request_body(content = ImportRequest, description = "Or the document itself, JSON or YAML"),
    responses(
        (status = 200, body = ApiDocumentBody),
        (status = 400, description = "Not a usable document; says where", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn import_api_document(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<ImportParams>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ApiDocumentBody>, ApiError> {
    // Refused before a large body is read.
    st.services.documents.may_import(&caller)?;
    let body = read_body(body, st.services.documents.max_bytes()).await?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut name = q.name;
    let source = if content_type.contains("yaml") {
        ImportSource::Text(body)
    } else {
        let probe: Probe = serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(format!(
                "the body is not a JSON object (line {}, column {}); send YAML with a YAML content type",
                e.line(),
                e.column()
            ))
        })?;
        if probe.openapi.is_some() || probe.swagger.is_some() {
            ImportSource::Text(body)
        } else {
            let req: ImportRequest = serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("the import request: {e}")))?;
            name = req.name.or(name);
            match (req.url, req.content) {
                (Some(url), None) => ImportSource::Url(url),
                (None, Some(text)) => ImportSource::Text(Bytes::from(text)),
                _ => {
                    return Err(ApiError::bad_request(
                        "give exactly one of `url` and `content` (or send the document itself)",
                    ))
                }
            }
        }
    };
    let row = st.services.documents.import(&caller, name, source).await?;
    Ok(Json(ApiDocumentBody::from(&row)))
}

/// List imported OpenAPI documents
#[utoipa::path(
    get,
    path = "/v2/api-documents",
    tag = "connectors",
    operation_id = "listApiDocuments",
    params(TokenParams),
    responses(
        (status = 200, body = TokenList<ApiDocumentBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_api_documents(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<TokenParams>,
) -> Result<Json<TokenList<ApiDocumentBody>>, ApiError> {
    let list = st.services.documents.list(&caller, q.check()?).await?;
    Ok(Json(TokenList::of(list, |d| ApiDocumentBody::from(&d))))
}

/// Get an imported OpenAPI document
#[utoipa::path(
    get,
    path = "/v2/api-documents/{documentId}",
    tag = "connectors",
    operation_id = "getApiDocument",
    params(("documentId" = String, Path)),
    responses(
        (status = 200, body = ApiDocumentBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_api_document(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiDocumentId>,
) -> Result<Json<ApiDocumentBody>, ApiError> {
    let row = st.services.documents.get(&caller, id).await?;
    Ok(Json(ApiDocumentBody::from(&row)))
}

/// Delete an imported OpenAPI document
///
/// Connectors built from it keep working: they hold their own copy of what they need.
#[utoipa::path(
    delete,
    path = "/v2/api-documents/{documentId}",
    tag = "connectors",
    operation_id = "deleteApiDocument",
    params(("documentId" = String, Path)),
    responses(
        (status = 200, body = Empty),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn delete_api_document(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiDocumentId>,
) -> Result<Json<Empty>, ApiError> {
    st.services.documents.delete(&caller, id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct OperationFilter {
    /// Only this method (`GET`, `POST`, …).
    pub method: Option<String>,
    /// Only paths containing this text.
    pub path: Option<String>,
    /// Only this operation id.
    pub operation_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperationList {
    #[schema(value_type = Vec<Object>)]
    pub entries: Vec<Operation>,
    pub total: usize,
}

/// List a document's operations
///
/// Method, path, summary, parameters, request-body schema (references expanded to a
/// bounded depth; a reference cycle stays a `$ref`) and servers.
#[utoipa::path(
    get,
    path = "/v2/api-documents/{documentId}/operations",
    tag = "connectors",
    operation_id = "listApiDocumentOperations",
    params(("documentId" = String, Path), OperationFilter),
    responses(
        (status = 200, body = OperationList),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_operations(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<ApiDocumentId>,
    ApiQuery(f): ApiQuery<OperationFilter>,
) -> Result<Json<OperationList>, ApiError> {
    let filter = sigil_service::documents::OperationFilter {
        method: f.method,
        path: f.path,
        operation_id: f.operation_id,
    };
    let entries = st
        .services
        .documents
        .operations(&caller, id, &filter)
        .await?;
    Ok(Json(OperationList {
        total: entries.len(),
        entries,
    }))
}
