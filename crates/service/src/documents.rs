//! OpenAPI documents (sigil's own `/v2/api-documents`): imported from a URL (fetched
//! through the connectors' SSRF-safe client) or uploaded, and their operations, from
//! which connectors are built. Needs `manage-api-connectors`. Parsed documents are
//! kept in memory here, since parsing a large one takes tens of milliseconds and the
//! operations of one document are usually looked at several times in a row.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use sigil_connect::engine::Engine;
pub use sigil_connect::openapi::Operation;
use sigil_connect::openapi::{self, Document};
use sigil_core::{clock, ApiDocumentId, Permission};
use sigil_store::{ApiDocument, Store};

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{token_page, TokenList, TokenPage};

/// Documents are larger than other request bodies: Sigma's own is 3.6 MB.
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024 * 1024;

/// Where an imported document comes from.
#[derive(Debug, Clone)]
pub enum ImportSource {
    /// Fetched from here, through the same address checks as connector calls.
    Url(String),
    /// The document's text, JSON or YAML.
    Text(Bytes),
}

/// Which operations of a document to list.
#[derive(Debug, Clone, Default)]
pub struct OperationFilter {
    /// Only this method (`GET`, `POST`, …).
    pub method: Option<String>,
    /// Only paths containing this text.
    pub path: Option<String>,
    /// Only this operation id.
    pub operation_id: Option<String>,
}

/// Parsed documents, by id.
#[derive(Default)]
struct Parsed(Mutex<HashMap<ApiDocumentId, Arc<Document>>>);

impl Parsed {
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

pub struct Documents {
    store: Arc<dyn Store>,
    engine: Arc<Engine>,
    parsed: Parsed,
}

pub fn spec_name(v: openapi::SpecVersion) -> &'static str {
    match v {
        openapi::SpecVersion::Swagger2 => "swagger-2.0",
        openapi::SpecVersion::OpenApi30 => "openapi-3.0",
        openapi::SpecVersion::OpenApi31 => "openapi-3.1",
    }
}

fn import_error(e: openapi::ImportError) -> ServiceError {
    ServiceError::invalid_field(
        "document",
        format!("the document is not usable at {}: {}", e.at, e.message),
    )
}

impl Documents {
    pub fn new(store: Arc<dyn Store>, engine: Arc<Engine>) -> Self {
        Documents {
            store,
            engine,
            parsed: Parsed::default(),
        }
    }

    /// Imports a document: OpenAPI 3.0, 3.1 or Swagger 2.0, JSON or YAML. A broken
    /// document is refused, saying where it breaks, and nothing is saved. `name`
    /// defaults to the document's `info.title`.
    pub async fn import(
        &self,
        caller: &Caller,
        name: Option<String>,
        source: ImportSource,
    ) -> ServiceResult<ApiDocument> {
        caller.require(Permission::ManageApiConnectors)?;
        let (text, source_url) = match source {
            ImportSource::Text(t) => (t, None),
            ImportSource::Url(url) => {
                let fetched = self.engine.fetch(&url).await.map_err(|e| {
                    ServiceError::invalid_field("url", format!("cannot fetch `{url}`: {e}"))
                })?;
                (fetched, Some(url))
            }
        };
        // Parsing a large document is CPU work: keep it off the request threads.
        let parsed = {
            let t = text.clone();
            tokio::task::spawn_blocking(move || openapi::parse(&t))
                .await
                .map_err(ServiceError::internal)?
                .map_err(import_error)?
        };
        let count = parsed.operations().map_err(import_error)?.len();
        let text = String::from_utf8(text.to_vec()).map_err(|_| {
            ServiceError::invalid_field("document", "the document is not UTF-8 text")
        })?;
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
            created_by: caller.id(),
            created_at: clock::now(),
        };
        self.store.insert_api_document(&row, &text).await?;
        self.parsed.put(row.id, Arc::new(parsed));
        Ok(row)
    }

    /// The parsed document `id`.
    pub async fn parsed(&self, id: ApiDocumentId) -> ServiceResult<(ApiDocument, Arc<Document>)> {
        let not_found = || ServiceError::not_found(format!("no API document `{id}`"));
        let row = self.store.api_document(id).await?.ok_or_else(not_found)?;
        if let Some(d) = self.parsed.get(id) {
            return Ok((row, d));
        }
        let text = self
            .store
            .api_document_body(id)
            .await?
            .ok_or_else(not_found)?;
        let doc = tokio::task::spawn_blocking(move || openapi::parse(text.as_bytes()))
            .await
            .map_err(ServiceError::internal)?
            .map_err(|e| ServiceError::internal(anyhow::anyhow!("stored document {id}: {e}")))?;
        let doc = Arc::new(doc);
        self.parsed.put(id, doc.clone());
        Ok((row, doc))
    }

    pub async fn list(
        &self,
        caller: &Caller,
        page: TokenPage,
    ) -> ServiceResult<TokenList<ApiDocument>> {
        caller.require(Permission::ManageApiConnectors)?;
        let after = page.after.map(|(n, id)| (n, ApiDocumentId::from(id)));
        let rows = self.store.list_api_documents(after, page.size + 1).await?;
        Ok(token_page(rows, page.size, |d| (&d.name, d.id.0)))
    }

    pub async fn get(&self, caller: &Caller, id: ApiDocumentId) -> ServiceResult<ApiDocument> {
        caller.require(Permission::ManageApiConnectors)?;
        self.store
            .api_document(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no API document `{id}`")))
    }

    /// Deletes a document. Connectors built from it keep working: they hold their own
    /// copy of what they need.
    pub async fn delete(&self, caller: &Caller, id: ApiDocumentId) -> ServiceResult<()> {
        caller.require(Permission::ManageApiConnectors)?;
        if !self.store.delete_api_document(id).await? {
            return Err(ServiceError::not_found(format!("no API document `{id}`")));
        }
        self.parsed.forget(id);
        Ok(())
    }

    /// A document's operations: method, path, summary, parameters, request-body
    /// schema and servers.
    pub async fn operations(
        &self,
        caller: &Caller,
        id: ApiDocumentId,
        f: &OperationFilter,
    ) -> ServiceResult<Vec<Operation>> {
        caller.require(Permission::ManageApiConnectors)?;
        let (_, doc) = self.parsed(id).await?;
        let ops = doc
            .operations()
            .map_err(|e| ServiceError::internal(anyhow::anyhow!("stored document {id}: {e}")))?;
        Ok(ops
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
            .collect())
    }
}
