//! `/v2/api-documents` (sigil's own): OpenAPI documents imported from a URL (fetched
//! through the connectors' SSRF-safe client) or uploaded, and their operations, from
//! which connectors are built (`POST /v2/api-connectors/from-operation`). Needs
//! `manage-api-connectors`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::Json;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_connect::openapi::{self, Document, Operation};
use sigil_core::{clock, ApiDocumentId, Permission};
use sigil_store::ApiDocument;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery, CurrentMember};
use crate::pagination::{token_page, TokenList, TokenParams};
use crate::routes::credentials::Empty;
use crate::state::AppState;

/// Documents are larger than other request bodies: Sigma's own is 3.6 MB.
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_api_documents, import_api_document))
        .routes(routes!(get_api_document, delete_api_document))
        .routes(routes!(list_operations))
        .layer(DefaultBodyLimit::max(MAX_DOCUMENT_BYTES))
}

/// Parsed documents, by id: parsing a large one takes tens of milliseconds, and the
/// operations of one document are usually looked at several times in a row.
#[derive(Default)]
pub struct ParsedDocuments(Mutex<HashMap<ApiDocumentId, Arc<Document>>>);

impl ParsedDocuments {
    const CAPACITY: usize = 16;

    fn get(&self, id: ApiDocumentId) -> Option<Arc<Document>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&id)
            .cloned()
    }

    fn put(&self, id: ApiDocumentId, d: Arc<Document>) {
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= Self::CAPACITY {
            m.clear();
        }
        m.insert(id, d);
    }

    fn forget(&self, id: ApiDocumentId) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    }
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

fn spec_name(v: openapi::SpecVersion) -> &'static str {
    match v {
        openapi::SpecVersion::Swagger2 => "swagger-2.0",
        openapi::SpecVersion::OpenApi30 => "openapi-3.0",
        openapi::SpecVersion::OpenApi31 => "openapi-3.1",
    }
}

fn import_error(e: openapi::ImportError) -> ApiError {
    ApiError::bad_request(format!(
        "the document is not usable at {}: {}",
        e.at, e.message
    ))
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
    body: Bytes,
) -> Result<Json<ApiDocumentBody>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut name = q.name;
    let mut source_url = None;
    let text: Bytes = if content_type.contains("yaml") {
        body
    } else {
        let v: Value = serde_json::from_slice(&body).map_err(|e| {
            ApiError::bad_request(format!(
                "the body is not JSON (line {}, column {}); send YAML with a YAML content type",
                e.line(),
                e.column()
            ))
        })?;
        if v.get("openapi").is_some() || v.get("swagger").is_some() {
            body
        } else {
            let req: ImportRequest = serde_json::from_value(v)
                .map_err(|e| ApiError::bad_request(format!("the import request: {e}")))?;
            name = req.name.or(name);
            match (req.url, req.content) {
                (Some(url), None) => {
                    let fetched =
                        st.engine.fetch(&url).await.map_err(|e| {
                            ApiError::bad_request(format!("cannot fetch `{url}`: {e}"))
                        })?;
                    source_url = Some(url);
                    fetched
                }
                (None, Some(text)) => Bytes::from(text),
                _ => {
                    return Err(ApiError::bad_request(
                        "give exactly one of `url` and `content` (or send the document itself)",
                    ))
                }
            }
        }
    };
    // Parsing a large document is CPU work: keep it off the request threads.
    let parsed = {
        let t = text.clone();
        tokio::task::spawn_blocking(move || openapi::parse(&t))
            .await
            .map_err(ApiError::internal)?
            .map_err(import_error)?
    };
    let count = parsed.operations().map_err(import_error)?.len();
    let text = String::from_utf8(text.to_vec())
        .map_err(|_| ApiError::bad_request("the document is not UTF-8 text"))?;
    let name = name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| {
            if parsed.title.is_empty() {
                "Untitled API".to_owned()
            } else {
                parsed.title.clone()
            }
        });
    let row = ApiDocument {
        id: ApiDocumentId::new(),
        name,
        source_url,
        spec_version: spec_name(parsed.version).to_owned(),
        title: parsed.title.clone(),
        operation_count: u32::try_from(count).unwrap_or(u32::MAX),
        created_by: caller.member.id,
        created_at: clock::now(),
    };
    st.store.insert_api_document(&row, &text).await?;
    st.documents.put(row.id, Arc::new(parsed));
    Ok(Json(ApiDocumentBody::from(&row)))
}

/// The parsed document `raw`, or 404.
pub(crate) async fn parsed(
    st: &AppState,
    raw: &str,
) -> Result<(ApiDocument, Arc<Document>), ApiError> {
    let not_found = || ApiError::not_found(format!("no API document `{raw}`"));
    let id: ApiDocumentId = raw.parse().map_err(|_| not_found())?;
    let row = st.store.api_document(id).await?.ok_or_else(not_found)?;
    if let Some(d) = st.documents.get(id) {
        return Ok((row, d));
    }
    let text = st
        .store
        .api_document_body(id)
        .await?
        .ok_or_else(not_found)?;
    let doc = tokio::task::spawn_blocking(move || openapi::parse(text.as_bytes()))
        .await
        .map_err(ApiError::internal)?
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored document {id}: {e}")))?;
    let doc = Arc::new(doc);
    st.documents.put(id, doc.clone());
    Ok((row, doc))
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
    caller.require(Permission::ManageApiConnectors)?;
    let page = q.check()?;
    let after = page.after.map(|(n, id)| (n, ApiDocumentId::from(id)));
    let rows = st.store.list_api_documents(after, page.size + 1).await?;
    let (rows, next_page_token) = token_page(rows, page.size, |d| (&d.name, d.id.0));
    Ok(Json(TokenList {
        next_page_token,
        entries: rows.iter().map(ApiDocumentBody::from).collect(),
    }))
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ApiDocumentBody>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    let not_found = || ApiError::not_found(format!("no API document `{id}`"));
    let doc_id: ApiDocumentId = id.parse().map_err(|_| not_found())?;
    let row = st.store.api_document(doc_id).await?.ok_or_else(not_found)?;
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Empty>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    let not_found = || ApiError::not_found(format!("no API document `{id}`"));
    let doc_id: ApiDocumentId = id.parse().map_err(|_| not_found())?;
    if !st.store.delete_api_document(doc_id).await? {
        return Err(not_found());
    }
    st.documents.forget(doc_id);
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
    ApiPath(id): ApiPath<String>,
    ApiQuery(f): ApiQuery<OperationFilter>,
) -> Result<Json<OperationList>, ApiError> {
    caller.require(Permission::ManageApiConnectors)?;
    let (_, doc) = parsed(&st, &id).await?;
    let ops = doc
        .operations()
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored document {id}: {e}")))?;
    let entries: Vec<Operation> = ops
        .into_iter()
        .filter(|o| {
            f.method
                .as_deref()
                .is_none_or(|m| o.method.eq_ignore_ascii_case(m))
        })
        .filter(|o| f.path.as_deref().is_none_or(|p| o.path.contains(p)))
        .filter(|o| {
            f.operation_id
                .as_deref()
                .is_none_or(|i| o.operation_id.as_deref() == Some(i))
        })
        .collect();
    Ok(Json(OperationList {
        total: entries.len(),
        entries,
    }))
}
