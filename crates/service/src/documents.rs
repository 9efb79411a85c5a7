//! OpenAPI documents (sigil's own `/v2/api-documents`): imported from a URL (fetched
//! through the connectors' SSRF-safe client) or uploaded, and their operations, from
//! which connectors are built. Needs `manage-api-connectors`.
//!
//! What a document may cost is bounded by [`DocumentsConfig`]: its size and node
//! count (beyond them, 413), how many are parsed at once, and how much memory the
//! parsed documents kept for reuse may take ([`Parsed`], least recently used first
//! out). Parsing a large one takes tens of milliseconds and the operations of one
//! document are usually looked at several times in a row, hence the cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use sigil_connect::engine::{CallError, Engine};
pub use sigil_connect::openapi::Operation;
use sigil_connect::openapi::{self, Document, Limits};
use sigil_core::{clock, ApiDocumentId, Permission};
use sigil_store::{ApiDocument, Store};
use tokio::sync::Semaphore;

use crate::caller::Caller;
use crate::config::DocumentsConfig;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{token_page, TokenList, TokenPage};

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

/// Parsed documents by id, weighed by their estimated heap bytes: together they stay
/// within `budget`, the least recently used leaving first; one heavier than the whole
/// budget is not kept.
struct Parsed {
    budget: usize,
    inner: Mutex<ParsedInner>,
}

#[derive(Default)]
struct ParsedInner {
    entries: HashMap<ApiDocumentId, (Arc<Document>, u64)>,
    bytes: usize,
    /// Ticks on every use; an entry's tick says when it was last used.
    clock: u64,
}

impl Parsed {
    fn new(budget: usize) -> Self {
        Parsed {
            budget,
            inner: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ParsedInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn get(&self, id: ApiDocumentId) -> Option<Arc<Document>> {
        let mut g = self.lock();
        g.clock += 1;
        let now = g.clock;
        let (d, used) = g.entries.get_mut(&id)?;
        *used = now;
        Some(d.clone())
    }

    fn put(&self, id: ApiDocumentId, d: Arc<Document>) {
        let weight = d.weight();
        let mut g = self.lock();
        if let Some((old, _)) = g.entries.remove(&id) {
            g.bytes -= old.weight();
        }
        if weight > self.budget {
            return;
        }
        while g.bytes + weight > self.budget {
            // A few entries at most fit a budget of megabytes: a scan is enough.
            let Some(oldest) = g
                .entries
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| *k)
            else {
                break;
            };
            if let Some((old, _)) = g.entries.remove(&oldest) {
                g.bytes -= old.weight();
            }
        }
        g.clock += 1;
        let now = g.clock;
        g.bytes += weight;
        g.entries.insert(id, (d, now));
    }

    fn forget(&self, id: ApiDocumentId) {
        let mut g = self.lock();
        if let Some((old, _)) = g.entries.remove(&id) {
            g.bytes -= old.weight();
        }
    }

    /// Documents kept and their estimated bytes.
    fn usage(&self) -> (usize, usize) {
        let g = self.lock();
        (g.entries.len(), g.bytes)
    }
}

pub struct Documents {
    store: Arc<dyn Store>,
    engine: Arc<Engine>,
    limits: Limits,
    parsed: Parsed,
    /// One permit per parse under way.
    parsing: Arc<Semaphore>,
}

pub fn spec_name(v: openapi::SpecVersion) -> &'static str {
    match v {
        openapi::SpecVersion::Swagger2 => "swagger-2.0",
        openapi::SpecVersion::OpenApi30 => "openapi-3.0",
        openapi::SpecVersion::OpenApi31 => "openapi-3.1",
    }
}

fn import_error(e: openapi::ImportError) -> ServiceError {
    if e.too_large {
        return ServiceError::TooLarge(format!(
            "the document is too large to import ({}): {}",
            e.at, e.message
        ));
    }
    ServiceError::invalid_field(
        "document",
        format!("the document is not usable at {}: {}", e.at, e.message),
    )
}

impl Documents {
    pub fn new(store: Arc<dyn Store>, engine: Arc<Engine>, config: &DocumentsConfig) -> Self {
        Documents {
            store,
            engine,
            limits: config.limits(),
            parsed: Parsed::new(config.cache_bytes),
            parsing: Arc::new(Semaphore::new(config.max_concurrent_parses.max(1))),
        }
    }

    /// Whether `caller` may import documents: checked before a large body is read.
    pub fn may_import(&self, caller: &Caller) -> ServiceResult<()> {
        caller.require(Permission::ManageApiConnectors)
    }

    /// The largest document accepted, in bytes: a request carrying one may be read
    /// up to this much.
    pub fn max_bytes(&self) -> usize {
        self.limits.max_bytes
    }

    /// Parsed documents kept for reuse, and their estimated heap bytes.
    pub fn cache_usage(&self) -> (usize, usize) {
        self.parsed.usage()
    }

    /// Parses off the request threads, no more than the configured number at once.
    /// The permit goes with the parse, so that a request given up on still holds its
    /// place until its parse is over.
    async fn parse(
        &self,
        text: Bytes,
        limits: Limits,
    ) -> ServiceResult<Result<Document, openapi::ImportError>> {
        let permit = self
            .parsing
            .clone()
            .acquire_owned()
            .await
            .map_err(ServiceError::internal)?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            openapi::parse_with(&text, &limits)
        })
        .await
        .map_err(ServiceError::internal)
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
                let fetched = self
                    .engine
                    .fetch(&url, self.limits.max_bytes)
                    .await
                    .map_err(|e| match e {
                        CallError::TooLarge(n) => ServiceError::TooLarge(format!(
                            "the document at `{url}` is larger than {n} bytes, the most sigil imports"
                        )),
                        e => ServiceError::invalid_field(
                            "url",
                            format!("cannot fetch `{url}`: {e}"),
                        ),
                    })?;
                (fetched, Some(url))
            }
        };
        let (row, text, parsed) = self
            .row(ApiDocumentId::new(), caller.id(), name, text, source_url)
            .await?;
        self.store.insert_api_document(&row, &text).await?;
        self.parsed.put(row.id, Arc::new(parsed));
        Ok(row)
    }

    /// A document's record and text, parsed and checked as an import is, not yet
    /// stored (also used by seed files, which choose the id).
    pub async fn row(
        &self,
        id: ApiDocumentId,
        by: sigil_core::MemberId,
        name: Option<String>,
        text: Bytes,
        source_url: Option<String>,
    ) -> ServiceResult<(ApiDocument, String, Document)> {
        let parsed = self
            .parse(text.clone(), self.limits)
            .await?
            .map_err(import_error)?;
        let count = parsed.operation_count();
        // The parse's copy is gone: this takes the buffer without copying it.
        let text = String::from_utf8(Vec::from(text)).map_err(|_| {
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
            id,
            name,
            source_url,
            spec_version: spec_name(parsed.version).to_owned(),
            title: parsed.title.clone(),
            operation_count: u32::try_from(count).unwrap_or(u32::MAX),
            created_by: by,
            created_at: clock::now(),
        };
        Ok((row, text, parsed))
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
        // A document stored under larger limits than today's still opens: it was
        // accepted once, and refusing it now would strand its connectors' editing.
        let unbounded = Limits {
            max_bytes: usize::MAX,
            max_nodes: usize::MAX,
        };
        let doc = self
            .parse(Bytes::from(text), unbounded)
            .await?
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

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(paths: usize) -> Arc<Document> {
        let paths: Vec<String> = (0..paths)
            .map(|i| format!("\"/p{i}\": {{\"get\": {{\"operationId\": \"op{i}\"}}}}"))
            .collect();
        let text = format!(
            "{{\"openapi\": \"3.0.0\", \"paths\": {{{}}}}}",
            paths.join(", ")
        );
        Arc::new(openapi::parse(text.as_bytes()).unwrap())
    }

    #[test]
    fn the_cache_keeps_what_fits_its_budget_and_lets_the_least_recently_used_go() {
        let (a, b, c) = (doc(10), doc(10), doc(10));
        let w = a.weight();
        let (ia, ib, ic) = (
            ApiDocumentId::new(),
            ApiDocumentId::new(),
            ApiDocumentId::new(),
        );
        let cache = Parsed::new(2 * w + w / 2);
        cache.put(ia, a);
        cache.put(ib, b);
        assert_eq!(cache.usage(), (2, 2 * w));
        // `a` is used, so `b` is the one that leaves for `c`.
        assert!(cache.get(ia).is_some());
        cache.put(ic, c);
        assert_eq!(cache.usage(), (2, 2 * w));
        assert!(cache.get(ib).is_none());
        assert!(cache.get(ia).is_some() && cache.get(ic).is_some());
        cache.forget(ia);
        assert_eq!(cache.usage(), (1, w));
    }

    #[test]
    fn a_document_heavier_than_the_budget_is_not_kept() {
        let small = doc(1);
        let cache = Parsed::new(small.weight());
        cache.put(ApiDocumentId::new(), small);
        let big = doc(50);
        assert!(big.weight() > cache.budget);
        cache.put(ApiDocumentId::new(), big);
        assert_eq!(
            cache.usage().0,
            1,
            "the small one stays, the big one is not kept"
        );
        let none = Parsed::new(0);
        none.put(ApiDocumentId::new(), doc(1));
        assert_eq!(none.usage(), (0, 0));
    }

    #[test]
    fn putting_the_same_id_again_replaces_its_weight() {
        let cache = Parsed::new(usize::MAX);
        let id = ApiDocumentId::new();
        cache.put(id, doc(10));
        let w = doc(3).weight();
        cache.put(id, doc(3));
        assert_eq!(cache.usage(), (1, w));
    }
}
