//! Workbooks: nodes of the file tree holding a versioned document of pages,
//! elements, controls and buttons' action sequences; validating and saving the
//! document, and running its sequences (from a button, or by webhook).
//!
//! Grants apply: reading needs Can View, authoring Can Contribute, running Can View
//! and `trigger-api-actions`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use sigil_core::workbook::{Action, ConnectorInfo, Element, Sequence, ValueSource, Workbook};
use sigil_core::{clock, GrantPermission, InodeId, Permission};
use sigil_store::{Inode, InodeFilter, Store};

use crate::access::{Access, Target};
use crate::caller::Caller;
use crate::connectors::Connectors;
use crate::error::{ServiceError, ServiceResult};
use crate::files::{ancestors, check_name, Files, EMPTY_WORKBOOK};
use crate::paging::{Page, PageRequest};
use crate::runs::{self, RunOutcome, RunRecord};

/// A workbook as lists answer it.
#[derive(Debug, Clone)]
pub struct WorkbookEntry {
    pub node: Inode,
    /// The names of its ancestors, root first, joined by `/`.
    pub path: String,
    pub version: i64,
    /// Its version tags, by name.
    pub tags: Vec<sigil_store::WorkbookTag>,
}

/// A workbook's document and its version.
#[derive(Debug, Clone)]
pub struct WorkbookDocument {
    pub node: Inode,
    pub document: Workbook,
    pub version: i64,
}

/// A new workbook.
#[derive(Debug, Clone, Default)]
pub struct NewWorkbook {
    /// The workspace or folder to create it in.
    pub folder_id: InodeId,
    pub name: String,
    pub description: Option<String>,
    /// Defaults to the caller; only an Admin may name another member.
    pub owner_id: Option<String>,
    /// The document to start with (validated as by a save).
    pub document: Option<Value>,
}

/// A connector a Call API action may call, with its dynamic parameters and types.
#[derive(Debug, Clone)]
pub struct ConnectorChoice {
    pub id: String,
    pub name: String,
    pub parameters: BTreeMap<String, String>,
}

/// Which sequences a run runs.
#[derive(Debug, Clone)]
pub enum RunTarget {
    /// One sequence, by id.
    Sequence(String),
    /// A button's On click sequences, in order.
    Button(String),
}

pub struct Workbooks {
    store: Arc<dyn Store>,
    access: Arc<Access>,
    files: Arc<Files>,
    connectors: Arc<Connectors>,
    favorites: Arc<crate::favorites::Favorites>,
}

/// Parses a document; errors name the path that is wrong.
pub fn parse_document(v: Value) -> ServiceResult<Workbook> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        ServiceError::invalid_field(
            format!("document.{path}"),
            format!("document.{path}: {}", e.into_inner()),
        )
    })
}

impl Workbooks {
    pub fn new(
        store: Arc<dyn Store>,
        access: Arc<Access>,
        files: Arc<Files>,
        connectors: Arc<Connectors>,
        favorites: Arc<crate::favorites::Favorites>,
    ) -> Self {
        Workbooks {
            store,
            access,
            files,
            connectors,
            favorites,
        }
    }

    /// [`load`](Self::load) with Can View, recorded as an open of the workbook (its
    /// member's recents): what the workbook's page does.
    pub async fn open(&self, caller: &Caller, id: InodeId) -> ServiceResult<WorkbookDocument> {
        let wb = self.load(caller, id, GrantPermission::View).await?;
        self.favorites.opened(caller.id(), wb.node.id);
        Ok(wb)
    }

    /// Workbooks with their paths and tags; their versions are read in one query.
    pub(crate) async fn entries_of(&self, nodes: Vec<Inode>) -> ServiceResult<Vec<WorkbookEntry>> {
        self.entries(nodes).await
    }

    async fn entries(&self, nodes: Vec<Inode>) -> ServiceResult<Vec<WorkbookEntry>> {
        let ids: Vec<_> = nodes.iter().map(|n| n.id).collect();
        let versions = self.store.workbook_versions(&ids).await?;
        let mut tags: std::collections::HashMap<InodeId, Vec<sigil_store::WorkbookTag>> =
            std::collections::HashMap::new();
        for t in self.store.workbook_tags(&ids).await? {
            tags.entry(t.workbook_id).or_default().push(t);
        }
        let mut out = Vec::with_capacity(nodes.len());
        for n in nodes {
            let version = versions.get(&n.id).copied().unwrap_or(1);
            let path = self.store.inode_path(n.id).await?;
            out.push(WorkbookEntry {
                tags: tags.remove(&n.id).unwrap_or_default(),
                path: ancestors(&path, n.id),
                node: n,
                version,
            });
        }
        Ok(out)
    }

    async fn entry(&self, node: Inode) -> ServiceResult<WorkbookEntry> {
        let mut e = self.entries(vec![node]).await?;
        e.pop()
            .ok_or_else(|| ServiceError::internal(anyhow::anyhow!("a workbook vanished")))
    }

    /// The workbook `id` with its parsed document, if the caller has `need` on it.
    pub async fn load(
        &self,
        caller: &Caller,
        id: InodeId,
        need: GrantPermission,
    ) -> ServiceResult<WorkbookDocument> {
        let (node, _) = self
            .access
            .require(caller, id, Target::WORKBOOK, need)
            .await?;
        let (text, version) = self
            .store
            .workbook_document(node.id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no workbook `{id}`")))?;
        let document: Workbook = serde_json::from_str(&text).map_err(|e| {
            ServiceError::internal(anyhow::anyhow!("stored workbook {}: {e}", node.id))
        })?;
        Ok(WorkbookDocument {
            node,
            document,
            version,
        })
    }

    /// Every saved version of the workbook `id`, newest first, if the caller can view
    /// it.
    pub async fn history(
        &self,
        caller: &Caller,
        id: InodeId,
    ) -> ServiceResult<Vec<sigil_store::WorkbookVersion>> {
        let (node, _) = self
            .access
            .require(caller, id, Target::WORKBOOK, GrantPermission::View)
            .await?;
        Ok(self.store.workbook_history(node.id).await?)
    }

    /// The workbooks the caller can view, by name. `archived` lists archived ones,
    /// which no list holds: that page is empty.
    pub async fn list(
        &self,
        caller: &Caller,
        archived: bool,
        req: PageRequest,
    ) -> ServiceResult<Page<WorkbookEntry>> {
        if archived {
            return Ok(Page::empty());
        }
        let filter = InodeFilter {
            kinds: vec!["workbook".into()],
            visible_to: (!caller.is_admin()).then_some(caller.id()),
            ..Default::default()
        };
        let page = self.files.node_page(filter, req).await?;
        let nodes = page.entries.clone();
        let entries = self.entries(nodes).await?;
        Ok(page.with_entries(entries))
    }

    /// Creates a workbook in a workspace or folder on which the caller can
    /// contribute; needs the `create-workbooks` permission.
    pub async fn create(&self, caller: &Caller, req: NewWorkbook) -> ServiceResult<WorkbookEntry> {
        caller.require(Permission::CreateWorkbooks)?;
        let name = check_name(&req.name)?;
        let parent = self
            .files
            .parent_for_new(caller, "folderId", req.folder_id, "workbook")
            .await?;
        let owner = self.files.owner_of(caller, req.owner_id.as_deref()).await?;
        let document = match req.document {
            None => EMPTY_WORKBOOK.to_owned(),
            Some(v) => {
                let doc = parse_document(v)?;
                self.validate(&doc).await?;
                serde_json::to_string(&doc).map_err(ServiceError::internal)?
            }
        };
        let mut n = Inode::new(
            "workbook",
            &name,
            Some(parent.id),
            Some(caller.id()),
            clock::now(),
        );
        n.owner_id = Some(owner);
        n.description = req.description.unwrap_or_default();
        self.store.create_workbook(&n, &document).await?;
        self.entry(n).await
    }

    /// A new workbook with the document of workbook `id` (which the caller can
    /// view), in `destination` (its own folder when unset; the caller must be able to
    /// contribute there), named `name` (the same name when unset); owned by the
    /// caller. Needs `create-workbooks`.
    pub async fn copy(
        &self,
        caller: &Caller,
        id: InodeId,
        destination: Option<InodeId>,
        name: Option<String>,
        description: Option<String>,
    ) -> ServiceResult<WorkbookEntry> {
        self.copy_version(caller, id, None, destination, name, description)
            .await
    }

    /// [`copy`](Self::copy) of one saved version of the workbook (its current
    /// document when `version` is unset).
    pub async fn copy_version(
        &self,
        caller: &Caller,
        id: InodeId,
        version: Option<i64>,
        destination: Option<InodeId>,
        name: Option<String>,
        description: Option<String>,
    ) -> ServiceResult<WorkbookEntry> {
        caller.require(Permission::CreateWorkbooks)?;
        let mut source = self.load(caller, id, GrantPermission::View).await?;
        if let Some(v) = version {
            let text = self
                .store
                .workbook_version_document(source.node.id, v)
                .await?
                .ok_or_else(|| ServiceError::not_found(format!("no version {v} of `{id}`")))?;
            source.document = serde_json::from_str(&text).map_err(ServiceError::internal)?;
        }
        let name = match name {
            Some(n) => check_name(&n)?,
            None => source.node.name.clone(),
        };
        let to = destination.or(source.node.parent_id).ok_or_else(|| {
            ServiceError::invalid_field("destinationFolderId", "destinationFolderId is required")
        })?;
        let parent = self
            .files
            .parent_for_new(caller, "destinationFolderId", to, "workbook")
            .await?;
        let document = serde_json::to_string(&source.document).map_err(ServiceError::internal)?;
        let mut n = Inode::new(
            "workbook",
            &name,
            Some(parent.id),
            Some(caller.id()),
            clock::now(),
        );
        n.owner_id = Some(caller.id());
        n.description = description.unwrap_or_else(|| source.node.description.clone());
        self.store.create_workbook(&n, &document).await?;
        tracing::info!(from = %id, workbook = %n.id, "workbook copied");
        self.entry(n).await
    }

    /// Saves the document of an earlier version as a new version (nothing is
    /// deleted). Needs what editing needs (Can Contribute); the old document must
    /// still be valid (its connectors, say, may be gone).
    pub async fn restore_version(
        &self,
        caller: &Caller,
        id: InodeId,
        version: i64,
    ) -> ServiceResult<WorkbookEntry> {
        let wb = self.load(caller, id, GrantPermission::Organize).await?;
        let text = self
            .store
            .workbook_version_document(wb.node.id, version)
            .await?
            .ok_or_else(|| {
                ServiceError::invalid_field(
                    "version",
                    format!("version: the workbook has no version {version}"),
                )
            })?;
        let doc: sigil_core::workbook::Workbook =
            serde_json::from_str(&text).map_err(ServiceError::internal)?;
        self.validate(&doc).await?;
        self.store
            .save_workbook_document(wb.node.id, &text, caller.id(), clock::now(), None)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no workbook `{id}`")))?;
        let node = self
            .store
            .inode(wb.node.id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no workbook `{id}`")))?;
        self.entry(node).await
    }

    /// The workbook `id`; recorded as an open of it (its caller's recents).
    pub async fn get(&self, caller: &Caller, id: InodeId) -> ServiceResult<WorkbookEntry> {
        let (n, _) = self
            .access
            .require(caller, id, Target::WORKBOOK, GrantPermission::View)
            .await?;
        self.favorites.opened(caller.id(), n.id);
        self.entry(n).await
    }

    /// Validates a document as a whole, reading the connectors it names.
    pub async fn validate(&self, doc: &Workbook) -> ServiceResult<()> {
        let mut infos: BTreeMap<String, Option<ConnectorInfo>> = BTreeMap::new();
        for (_, s) in doc.sequences() {
            for a in &s.actions {
                if let Action::CallApi { connector_id, .. } = a {
                    if infos.contains_key(connector_id) {
                        continue;
                    }
                    let ready = match connector_id.parse() {
                        Ok(id) => self.connectors.ready(id).await,
                        Err(_) => Err(ServiceError::not_found("no such connector")),
                    };
                    let info = match ready {
                        Ok(r) => Some(ConnectorInfo {
                            parameters: r.parameters(),
                        }),
                        Err(ServiceError::NotFound(_)) => None,
                        Err(ServiceError::Invalid { message, .. }) => {
                            return Err(ServiceError::invalid_field(
                                "document",
                                format!("connector `{connector_id}`: {message}"),
                            ))
                        }
                        Err(e) => return Err(e),
                    };
                    infos.insert(connector_id.clone(), info);
                }
            }
        }
        doc.validate(&|id| infos.get(id).cloned().flatten())
            .map_err(|e| ServiceError::invalid_field("document", e.to_string()))
    }

    /// Replaces the document, validated as a whole: a duplicate Control ID, a mapping
    /// to an unknown control or parameter, an unknown connector, or a type that cannot
    /// fit is refused naming the element, and nothing is saved. With
    /// `expected_version`, a document saved by someone else since is a conflict
    /// rather than overwritten. Needs Can Contribute.
    pub async fn save_document(
        &self,
        caller: &Caller,
        id: InodeId,
        document: Value,
        expected_version: Option<i64>,
    ) -> ServiceResult<WorkbookDocument> {
        let (node, _) = self
            .access
            .require(caller, id, Target::WORKBOOK, GrantPermission::Organize)
            .await?;
        let doc = parse_document(document)?;
        self.validate(&doc).await?;
        let text = serde_json::to_string(&doc).map_err(ServiceError::internal)?;
        let saved = self
            .store
            .save_workbook_document(node.id, &text, caller.id(), clock::now(), expected_version)
            .await?;
        let version = match (saved, expected_version) {
            (Some(v), _) => v,
            (None, Some(expected)) => {
                let now = self.store.workbook_versions(&[node.id]).await?;
                let Some(current) = now.get(&node.id) else {
                    return Err(ServiceError::not_found(format!("no workbook `{id}`")));
                };
                return Err(ServiceError::conflict(format!(
                    "the workbook was saved by someone else since you opened it (version {current} now, you had {expected}); reload it and make your changes again"
                )));
            }
            (None, None) => return Err(ServiceError::not_found(format!("no workbook `{id}`"))),
        };
        Ok(WorkbookDocument {
            node,
            document: doc,
            version,
        })
    }

    fn sequences_of(
        doc: &Workbook,
        id: InodeId,
        target: &RunTarget,
    ) -> ServiceResult<Vec<Sequence>> {
        match target {
            RunTarget::Sequence(s) => Ok(vec![doc
                .sequence(s)
                .ok_or_else(|| {
                    ServiceError::not_found(format!("workbook `{id}` has no sequence `{s}`"))
                })?
                .clone()]),
            RunTarget::Button(e) => {
                let button = doc
                    .pages
                    .iter()
                    .flat_map(|p| &p.elements)
                    .find(|x| x.element_id() == e)
                    .ok_or_else(|| {
                        ServiceError::not_found(format!("workbook `{id}` has no element `{e}`"))
                    })?;
                match button {
                    Element::Button { on_click, .. } => Ok(on_click.clone()),
                    other => Err(ServiceError::invalid_field(
                        "elementId",
                        format!("element `{e}` is a {}, not a button", other.kind()),
                    )),
                }
            }
        }
    }

    /// Runs a button's On click sequences (or one sequence) with the given control
    /// values. A failing step stops the run; the outcome says which and why. Needs
    /// `trigger-api-actions` and Can View.
    pub async fn run(
        &self,
        caller: &Caller,
        id: InodeId,
        target: RunTarget,
        controls: &BTreeMap<String, Value>,
    ) -> ServiceResult<RunOutcome> {
        caller.require(Permission::TriggerApiActions)?;
        let wb = self.load(caller, id, GrantPermission::View).await?;
        let sequences = Self::sequences_of(&wb.document, id, &target)?;
        let start = runs::start_values(&wb.document, controls)?;
        let sequences: Vec<&Sequence> = sequences.iter().collect();
        let out = runs::run(
            &self.connectors,
            caller.id(),
            &wb.document,
            &sequences,
            start,
        )
        .await;
        runs::record(&*self.store, wb.node.id, caller.id(), "button", &out).await;
        Ok(out)
    }

    /// The newest runs of a workbook, newest first, with each step's status, duration
    /// and HTTP status. For its authors: needs Can Contribute.
    pub async fn runs(
        &self,
        caller: &Caller,
        id: InodeId,
        limit: u32,
    ) -> ServiceResult<Vec<RunRecord>> {
        let (node, _) = self
            .access
            .require(caller, id, Target::WORKBOOK, GrantPermission::Organize)
            .await?;
        let rows = self
            .store
            .workbook_runs(node.id, limit.clamp(1, runs::KEPT_RUNS))
            .await?;
        let mut names: BTreeMap<sigil_core::MemberId, String> = BTreeMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            if let std::collections::btree_map::Entry::Vacant(slot) = names.entry(r.member_id) {
                let name = match self.store.member(r.member_id).await? {
                    Some(m) => {
                        let n = format!("{} {}", m.first_name, m.last_name);
                        if n.trim().is_empty() {
                            m.email
                        } else {
                            format!("{} ({})", n.trim(), m.email)
                        }
                    }
                    None => r.member_id.to_string(),
                };
                slot.insert(name);
            }
            out.push(RunRecord {
                id: r.id.to_string(),
                at: r.at,
                by: names[&r.member_id].clone(),
                trigger: r.trigger,
                sequence_id: r.sequence_id,
                ok: r.ok,
                finished: r.finished,
                failed_step: r.failed_step,
                error: r.error,
                duration_ms: r.duration_ms,
                steps: serde_json::from_str(&r.steps).unwrap_or_default(),
            });
        }
        Ok(out)
    }

    /// The connectors an author may pick for a Call API action, by name, with their
    /// dynamic parameters and types. Empty (not an error) for a member who may
    /// neither manage connectors nor trigger actions.
    pub async fn connector_choices(&self, caller: &Caller) -> ServiceResult<Vec<ConnectorChoice>> {
        if !caller.has(Permission::ManageApiConnectors)
            && !caller.has(Permission::TriggerApiActions)
        {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut page = crate::paging::TokenPage {
            size: 500,
            ..Default::default()
        };
        loop {
            let list = self.connectors.list(caller, page.clone()).await?;
            for c in &list.entries {
                let parameters = match self.connectors.ready(c.id).await {
                    Ok(r) => r.parameters(),
                    Err(_) => BTreeMap::new(),
                };
                out.push(ConnectorChoice {
                    id: c.id.to_string(),
                    name: c.name.clone(),
                    parameters,
                });
            }
            match list.entries.last() {
                Some(last) if list.next_page_token.is_some() => {
                    page.after = Some((last.name.clone(), last.id.0));
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// Starts sequence `sequence` with `given` values over the controls' initial
    /// values, and answers its trace id at once; [`webhook_run`](Self::webhook_run)
    /// answers the run once it is done.
    pub async fn trigger_webhook(
        &self,
        caller: &Caller,
        id: InodeId,
        sequence: &str,
        given: BTreeMap<String, Value>,
    ) -> ServiceResult<String> {
        caller.require(Permission::TriggerApiActions)?;
        let wb = self.load(caller, id, GrantPermission::View).await?;
        let seq = wb
            .document
            .sequence(sequence)
            .ok_or_else(|| {
                ServiceError::not_found(format!("workbook `{id}` has no sequence `{sequence}`"))
            })?
            .clone();
        let start = runs::start_values(&wb.document, &given)?;
        let member = caller.id();
        let row = runs::pending(wb.node.id, member, "webhook", sequence);
        self.store
            .insert_workbook_run(&row, runs::KEPT_RUNS)
            .await?;
        let trace_id = row.id.to_string();
        let connectors = self.connectors.clone();
        let store = self.store.clone();
        let doc = wb.document;
        tokio::spawn(async move {
            let out = runs::run(&connectors, member, &doc, &[&seq], start).await;
            tracing::info!(sequence = %out.sequence_id, ok = out.ok, "webhook run finished");
            let done = runs::finished(row, &out, true);
            match store.finish_workbook_run(&done).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(run = %done.id, "a webhook run was pruned before it finished")
                }
                Err(e) => {
                    tracing::error!(error = %e, run = %done.id, "a webhook run's outcome was not written")
                }
            }
        });
        Ok(trace_id)
    }

    /// A webhook run: `None` while it goes on. Readable from any node by the member
    /// who started it, an Admin, and the workbook's authors (Can Contribute); to
    /// anyone else it does not exist. A run left unfinished by a node that stopped is
    /// reported as interrupted.
    pub async fn webhook_run(
        &self,
        caller: &Caller,
        trace_id: &str,
    ) -> ServiceResult<Option<RunOutcome>> {
        caller.require(Permission::TriggerApiActions)?;
        let missing = || ServiceError::not_found(format!("no run `{trace_id}`"));
        let id: uuid::Uuid = trace_id.parse().map_err(|_| missing())?;
        let run = self
            .store
            .workbook_run(id)
            .await?
            .filter(|r| r.trigger == "webhook")
            .ok_or_else(missing)?;
        let may_read = run.member_id == caller.id()
            || caller.is_admin()
            || self
                .access
                .require(
                    caller,
                    run.workbook_id,
                    Target::WORKBOOK,
                    GrantPermission::Organize,
                )
                .await
                .is_ok();
        if !may_read {
            return Err(missing());
        }
        if !run.finished {
            if clock::now() - run.at < runs::INTERRUPTED_AFTER {
                return Ok(None);
            }
            return Ok(Some(RunOutcome {
                sequence_id: run.sequence_id,
                ok: false,
                controls: BTreeMap::new(),
                trace: Vec::new(),
                failed_step: None,
                error: Some(
                    "the run was interrupted: the node running it stopped before it finished"
                        .into(),
                ),
            }));
        }
        let text = run.outcome.ok_or_else(missing)?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| ServiceError::internal(anyhow::anyhow!("stored run {id}: {e}")))
    }

    /// The controls sequence `sequence` reads, by Control ID, with their JSON types.
    pub async fn webhook_schema(
        &self,
        caller: &Caller,
        id: InodeId,
        sequence: &str,
    ) -> ServiceResult<BTreeMap<String, &'static str>> {
        let wb = self.load(caller, id, GrantPermission::View).await?;
        let doc = &wb.document;
        let seq = doc.sequence(sequence).ok_or_else(|| {
            ServiceError::not_found(format!("workbook `{id}` has no sequence `{sequence}`"))
        })?;
        let controls = doc.controls();
        let mut variables = BTreeMap::new();
        let mut add = |cid: &str| {
            if let Some((_, k)) = controls.get(cid) {
                let ty = match k.value_type() {
                    "number" => "number",
                    "boolean" => "boolean",
                    _ => "string",
                };
                variables.insert(cid.to_owned(), ty);
            }
        };
        for a in &seq.actions {
            if let Some(c) = a.condition() {
                add(&c.control_id);
            }
            let sources: Vec<&ValueSource> = match a {
                Action::CallApi { parameters, .. } => parameters.values().collect(),
                Action::SetControlValue { value, .. } => value.iter().collect(),
            };
            for s in sources {
                if let ValueSource::Control { control_id } = s {
                    add(control_id);
                }
            }
        }
        Ok(variables)
    }
}
