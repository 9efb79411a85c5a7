//! The file tree (Sigma's `/v2/files`): workspaces, folders (home folders among them)
//! and workbooks. Every node is answered with its path and the caller's permission on
//! it ([`FileEntry`]).

use std::sync::Arc;

use sigil_core::{GrantPermission, InodeId, MemberId, Permission};
use sigil_store::{Inode, NameCursor, Store};

pub use sigil_store::InodeFilter;

use crate::access::{Access, Target};
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::members::Members;
use crate::paging::{Page, PageCursors, PageRequest};

const MAX_NAME: usize = 255;

/// Every kind of file Sigma's `typeFilters` allows. sigil holds workspaces, folders
/// and workbooks; asking for the others is allowed and matches nothing.
pub const SIGMA_KINDS: [&str; 12] = [
    "workspace",
    "folder",
    "workbook",
    "dataset",
    "data-model",
    "sql",
    "worksheet",
    "dashboard",
    "template",
    "table",
    "symlink",
    "report",
];

/// The document of a new workbook.
pub const EMPTY_WORKBOOK: &str = r#"{"pages":[]}"#;

/// A node with what a listing shows of it.
#[derive(Debug, Clone)]
pub struct FileEntry {
    pub node: Inode,
    /// The names of the node's ancestors, root first, joined by `/`.
    pub path: String,
    /// The caller's effective permission on the node.
    pub permission: Option<GrantPermission>,
}

/// The kind of a node as Sigma's clients see it: a home folder is a folder.
pub fn kind_name(kind: &str) -> &str {
    if kind == "home" {
        "folder"
    } else {
        kind
    }
}

/// Sigma's `path` of a node: its ancestors' names, root first, joined by `/`.
pub fn ancestors(path: &[Inode], node: InodeId) -> String {
    path.iter()
        .filter(|p| p.id != node)
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join("/")
}

/// A file's name: trimmed, 1 to 255 characters, no `/`.
pub fn check_name(n: &str) -> ServiceResult<String> {
    let t = n.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME || t.contains('/') {
        return Err(ServiceError::invalid_field(
            "name",
            format!("name must be 1 to {MAX_NAME} characters, without `/`"),
        ));
    }
    Ok(t.to_owned())
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct FileQuery {
    /// Case-insensitive part of the name.
    pub name: Option<String>,
    /// Kinds as Sigma names them; empty means every kind.
    pub type_filters: Vec<String>,
    /// Only nodes under this one.
    pub parent_id: Option<InodeId>,
    /// With `parent_id`: only its direct children.
    pub direct_children_only: bool,
    /// Only nodes on which the member has at least this permission.
    pub permission_filter: Option<GrantPermission>,
}

/// A new folder (or, for `POST /v2/files`, a workbook).
#[derive(Debug, Clone, Default)]
pub struct NewFile {
    /// `folder` or `workbook`.
    pub kind: String,
    pub name: String,
    pub description: Option<String>,
    /// The workspace or folder to create it in.
    pub parent_id: Option<InodeId>,
    /// Defaults to the caller; only an Admin may name another member.
    pub owner_id: Option<String>,
}

/// A change to a node; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct FileUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    /// Needs Can Manage on the file (or Admin).
    pub owner_id: Option<String>,
    /// Move under this workspace or folder (Can Contribute on both ends).
    pub parent_id: Option<InodeId>,
    /// Bring an archived file back.
    pub restore: bool,
}

pub struct Files {
    store: Arc<dyn Store>,
    access: Arc<Access>,
    members: Arc<Members>,
    account_types: Arc<crate::account_types::AccountTypes>,
    /// Sigma's `type: workspace` makes a workspace, as `POST /v2/workspaces` does.
    workspaces: Arc<crate::workspaces::Workspaces>,
    cursors: Arc<PageCursors>,
}

impl Files {
    pub fn new(
        store: Arc<dyn Store>,
        access: Arc<Access>,
        members: Arc<Members>,
        account_types: Arc<crate::account_types::AccountTypes>,
        workspaces: Arc<crate::workspaces::Workspaces>,
        cursors: Arc<PageCursors>,
    ) -> Self {
        Files {
            store,
            access,
            members,
            account_types,
            workspaces,
            cursors,
        }
    }

    /// A page of the nodes `filter` selects, by name, with remembered positions.
    pub async fn node_page(
        &self,
        filter: InodeFilter,
        req: PageRequest,
    ) -> ServiceResult<Page<Inode>> {
        let store = self.store.clone();
        self.cursors
            .page(
                format!("files|{filter:?}"),
                req,
                |pos, limit, with_total| async move {
                    store.list_inodes(&filter, &pos, limit, with_total).await
                },
                |n: &Inode| NameCursor {
                    name: n.name.clone(),
                    id: n.id.0,
                },
            )
            .await
    }

    /// The node with its path and the caller's permission on it.
    pub async fn entry(&self, caller: &Caller, node: Inode) -> ServiceResult<FileEntry> {
        // One read of the path serves both the `path` field and the home-folder rule.
        let path = self.store.inode_path(node.id).await?;
        let permission = self
            .access
            .decide(caller.id(), caller.is_admin(), node.id, Some(&path))
            .await?
            .permission;
        Ok(FileEntry {
            path: ancestors(&path, node.id),
            node,
            permission,
        })
    }

    async fn entries(&self, caller: &Caller, page: Page<Inode>) -> ServiceResult<Page<FileEntry>> {
        let mut entries = Vec::with_capacity(page.entries.len());
        for n in page.entries.iter().cloned() {
            entries.push(self.entry(caller, n).await?);
        }
        Ok(page.with_entries(entries))
    }

    /// The owner of a new file: the caller, or (for an Admin only) an active member.
    pub async fn owner_of(&self, caller: &Caller, raw: Option<&str>) -> ServiceResult<MemberId> {
        let Some(raw) = raw else {
            return Ok(caller.id());
        };
        let id: MemberId = raw.parse().map_err(|_| {
            ServiceError::invalid_field("ownerId", format!("ownerId `{raw}` is not a member id"))
        })?;
        if id != caller.id() && !caller.is_admin() {
            return Err(ServiceError::forbidden(
                "only an Admin may create files owned by someone else",
            ));
        }
        if self.members.active(id).await?.is_none() {
            return Err(ServiceError::invalid_field(
                "ownerId",
                format!("ownerId `{raw}` names no active member"),
            ));
        }
        Ok(id)
    }

    async fn list_for(
        &self,
        caller: &Caller,
        subject: MemberId,
        subject_admin: bool,
        q: FileQuery,
        req: PageRequest,
    ) -> ServiceResult<Page<FileEntry>> {
        crate::paging::check_search("name", q.name.as_deref())?;
        let mut kinds = Vec::new();
        for k in &q.type_filters {
            match k.as_str() {
                "folder" => {
                    kinds.push("folder".into());
                    kinds.push("home".into());
                }
                // Held kinds match their nodes; the others match nothing.
                k if SIGMA_KINDS.contains(&k) => kinds.push(k.to_owned()),
                other => {
                    return Err(ServiceError::invalid_field(
                        "typeFilters",
                        format!(
                            "typeFilters: unknown type `{other}`; use {}",
                            SIGMA_KINDS.join(", ")
                        ),
                    ))
                }
            }
        }
        let parent = match q.parent_id {
            None => None,
            Some(id) => Some(
                self.access
                    .require(caller, id, Target::ANY, GrantPermission::View)
                    .await?
                    .0
                    .id,
            ),
        };
        let filter = InodeFilter {
            parent,
            descendants: !q.direct_children_only,
            name: q.name.filter(|s| !s.is_empty()),
            kinds,
            visible_to: (!subject_admin).then_some(subject),
            min_permission: q.permission_filter,
        };
        let page = self.node_page(filter, req).await?;
        self.entries(caller, page).await
    }

    /// The nodes the caller can see, by name.
    pub async fn list(
        &self,
        caller: &Caller,
        q: FileQuery,
        req: PageRequest,
    ) -> ServiceResult<Page<FileEntry>> {
        self.list_for(caller, caller.id(), caller.is_admin(), q, req)
            .await
    }

    /// The nodes member `member` can access. Admins may ask about anyone; a member
    /// about itself.
    pub async fn list_of_member(
        &self,
        caller: &Caller,
        member: MemberId,
        q: FileQuery,
        req: PageRequest,
    ) -> ServiceResult<Page<FileEntry>> {
        if member != caller.id() && !caller.is_admin() {
            return Err(ServiceError::forbidden("you may list only your own files"));
        }
        let m = self
            .store
            .member(member)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no member `{member}`")))?;
        let admin = self
            .account_types
            .cached(m.account_type_id)
            .await?
            .is_some_and(|t| t.is_admin());
        self.list_for(caller, member, admin, q, req).await
    }

    /// A parent for something new: a workspace or folder the caller can contribute
    /// to.
    pub async fn parent_for_new(
        &self,
        caller: &Caller,
        field: &str,
        id: InodeId,
        what: &str,
    ) -> ServiceResult<Inode> {
        let parent = self
            .access
            .require(caller, id, Target::ANY, GrantPermission::Organize)
            .await?
            .0;
        if parent.kind == "workbook" {
            let prefix = if field == "folderId" {
                "folderId: "
            } else {
                ""
            };
            return Err(ServiceError::invalid_field(
                field,
                format!("{prefix}a {what} cannot be created inside a workbook"),
            ));
        }
        Ok(parent)
    }

    /// Creates a folder (or a workbook with an empty document) in a workspace or
    /// folder on which the caller can contribute, or a workspace.
    pub async fn create(&self, caller: &Caller, req: NewFile) -> ServiceResult<FileEntry> {
        match req.kind.as_str() {
            "folder" => {}
            "workbook" => caller.require(Permission::CreateWorkbooks)?,
            "workspace" => {
                let id = match self.workspaces.create(caller, &req.name, false).await? {
                    crate::workspaces::Created::Created(ws) => ws.id,
                    // Only with `noDuplicates`, which this form does not have.
                    crate::workspaces::Created::Existing(same) => {
                        same.first().map(|w| w.id).ok_or_else(|| {
                            ServiceError::internal(anyhow::anyhow!(
                                "a workspace was neither made nor found"
                            ))
                        })?
                    }
                };
                return self.get(caller, id).await;
            }
            "report" => {
                return Err(ServiceError::NotImplemented(
                    "sigil does not hold reports; it cannot create one".into(),
                ))
            }
            other => {
                return Err(ServiceError::invalid_field(
                    "type",
                    format!("unknown type `{other}`"),
                ))
            }
        }
        let name = check_name(&req.name)?;
        let parent_id = req.parent_id.ok_or_else(|| {
            ServiceError::invalid_field(
                "parentId",
                format!("parentId is required for a {}", req.kind),
            )
        })?;
        let parent = self
            .parent_for_new(caller, "parentId", parent_id, &req.kind)
            .await?;
        let owner = self.owner_of(caller, req.owner_id.as_deref()).await?;
        let mut n = Inode::new(
            &req.kind,
            &name,
            Some(parent.id),
            Some(caller.id()),
            sigil_core::clock::now(),
        );
        n.owner_id = Some(owner);
        n.description = req.description.unwrap_or_default();
        if n.kind == "workbook" {
            self.store.create_workbook(&n, EMPTY_WORKBOOK).await?;
        } else {
            self.store.insert_inode(&n).await?;
        }
        self.entry(caller, n).await
    }

    /// A node the caller can view (archived ones too).
    pub async fn get(&self, caller: &Caller, id: InodeId) -> ServiceResult<FileEntry> {
        let n = self
            .access
            .require(caller, id, Target::ANY_ARCHIVED_TOO, GrantPermission::View)
            .await?
            .0;
        self.entry(caller, n).await
    }

    /// Renames, describes, moves, restores or re-owns a node.
    pub async fn update(
        &self,
        caller: &Caller,
        id: InodeId,
        req: FileUpdate,
    ) -> ServiceResult<FileEntry> {
        let (mut n, decision) = self
            .access
            .require(
                caller,
                id,
                Target::ANY_ARCHIVED_TOO,
                GrantPermission::Organize,
            )
            .await?;
        if n.is_archived && !req.restore {
            return Err(ServiceError::invalid(
                "the file is archived: send restore: true to bring it back",
            ));
        }
        if req.restore {
            n.is_archived = false;
        }
        if let Some(name) = &req.name {
            n.name = check_name(name)?;
        }
        if let Some(d) = &req.description {
            n.description = d.clone();
        }
        if let Some(raw) = &req.owner_id {
            if decision.permission != Some(GrantPermission::Edit) {
                return Err(ServiceError::forbidden(
                    "changing the owner needs Can Manage on the file",
                ));
            }
            let owner: MemberId = raw.parse().map_err(|_| {
                ServiceError::invalid_field(
                    "ownerId",
                    format!("ownerId `{raw}` is not a member id"),
                )
            })?;
            if self.members.active(owner).await?.is_none() {
                return Err(ServiceError::invalid_field(
                    "ownerId",
                    format!("ownerId `{raw}` names no active member"),
                ));
            }
            n.owner_id = Some(owner);
        }
        if let Some(to) = req.parent_id {
            if matches!(n.kind.as_str(), "workspace" | "home") {
                return Err(ServiceError::invalid_field(
                    "parentId",
                    format!("a {} cannot be moved", kind_name(&n.kind)),
                ));
            }
            let target = self
                .access
                .require(caller, to, Target::ANY, GrantPermission::Organize)
                .await?
                .0;
            if target.kind == "workbook" {
                return Err(ServiceError::invalid_field(
                    "parentId",
                    "files cannot be moved into a workbook",
                ));
            }
            // No node may end up inside itself.
            let path = self.store.inode_path(target.id).await?;
            if path.iter().any(|p| p.id == n.id) {
                return Err(ServiceError::invalid_field(
                    "parentId",
                    "a folder cannot be moved inside itself",
                ));
            }
            n.parent_id = Some(target.id);
        }
        n.updated_by = Some(caller.id());
        n.updated_at = sigil_core::clock::now();
        self.store.update_inode(&n).await?;
        self.entry(caller, n).await
    }

    /// Archives a node (to the trash); `update` with `restore` brings it back.
    pub async fn archive(&self, caller: &Caller, id: InodeId) -> ServiceResult<()> {
        let mut n = self
            .access
            .require(caller, id, Target::ANY, GrantPermission::Organize)
            .await?
            .0;
        if n.kind == "home" {
            return Err(ServiceError::invalid("a home folder cannot be deleted"));
        }
        n.is_archived = true;
        n.updated_by = Some(caller.id());
        n.updated_at = sigil_core::clock::now();
        self.store.update_inode(&n).await?;
        Ok(())
    }
}
