//! Saved views (Sigma's bookmarks) and embeds of workbooks, kept as records: sigil
//! applies no saved view and serves no embed, but keeps what clients create, change
//! and list, with Sigma's rules of who sees what. A bookmark is seen by its owner,
//! and by everyone who can view the workbook once shared; only its owner (or an
//! Admin) changes it. Embeds need Can Manage on the workbook.

use std::sync::Arc;

use sigil_core::{GrantPermission, InodeId};
use sigil_store::{Bookmark, Embed, Store};
use uuid::Uuid;

use crate::access::{Access, Target};
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{Page, PageRequest};
use crate::workbooks::Workbooks;
use crate::Caller;

pub struct WorkbookRecords {
    store: Arc<dyn Store>,
    access: Arc<Access>,
    workbooks: Arc<Workbooks>,
}

/// A new saved view.
#[derive(Debug, Clone)]
pub struct NewBookmark {
    pub version: i64,
    pub name: String,
    pub is_shared: bool,
    pub explore_key: String,
}

/// A change to a saved view; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct BookmarkUpdate {
    pub name: Option<String>,
    pub is_shared: Option<bool>,
    pub is_default: Option<bool>,
    pub explore_key: Option<String>,
}

fn check_name(name: &str) -> ServiceResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 || n.chars().any(char::is_control) {
        return Err(ServiceError::invalid_field(
            "name",
            "name must be 1 to 200 characters, none of them control characters",
        ));
    }
    Ok(n.to_owned())
}

impl WorkbookRecords {
    pub fn new(store: Arc<dyn Store>, access: Arc<Access>, workbooks: Arc<Workbooks>) -> Self {
        WorkbookRecords {
            store,
            access,
            workbooks,
        }
    }

    async fn workbook(
        &self,
        caller: &Caller,
        id: InodeId,
        need: GrantPermission,
    ) -> ServiceResult<InodeId> {
        let (node, _) = self
            .access
            .require(caller, id, Target::WORKBOOK, need)
            .await?;
        Ok(node.id)
    }

    pub async fn bookmarks(
        &self,
        caller: &Caller,
        workbook: InodeId,
        req: PageRequest,
    ) -> ServiceResult<Page<Bookmark>> {
        let wb = self
            .workbook(caller, workbook, GrantPermission::View)
            .await?;
        let (rows, total) = self
            .store
            .bookmarks_seen_by(wb, Some(caller.id()), req.offset(), req.limit)
            .await?;
        Ok(Page::of_window(rows, total, req))
    }

    /// A saved view the caller can see on this workbook.
    pub async fn bookmark(
        &self,
        caller: &Caller,
        workbook: InodeId,
        id: Uuid,
    ) -> ServiceResult<Bookmark> {
        let wb = self
            .workbook(caller, workbook, GrantPermission::View)
            .await?;
        self.store
            .bookmark(id)
            .await?
            .filter(|b| b.workbook_id == wb && (b.is_shared || b.owner_id == caller.id()))
            .ok_or_else(|| ServiceError::not_found(format!("no bookmark `{id}` on this workbook")))
    }

    pub async fn create_bookmark(
        &self,
        caller: &Caller,
        workbook: InodeId,
        new: NewBookmark,
    ) -> ServiceResult<Bookmark> {
        let wb = self
            .workbook(caller, workbook, GrantPermission::View)
            .await?;
        let name = check_name(&new.name)?;
        if self
            .store
            .workbook_version_document(wb, new.version)
            .await?
            .is_none()
        {
            return Err(ServiceError::invalid_field(
                "workbookVersion",
                format!(
                    "workbookVersion: the workbook has no version {}",
                    new.version
                ),
            ));
        }
        let now = sigil_core::clock::now();
        let b = Bookmark {
            id: Uuid::now_v7(),
            workbook_id: wb,
            version: new.version,
            name,
            is_shared: new.is_shared,
            is_default: false,
            explore_key: new.explore_key,
            owner_id: caller.id(),
            created_at: now,
            updated_at: now,
        };
        self.store.save_bookmark(&b).await?;
        Ok(b)
    }

    /// Changes a saved view: its owner's, or an Admin's, to change.
    pub async fn update_bookmark(
        &self,
        caller: &Caller,
        workbook: InodeId,
        id: Uuid,
        change: BookmarkUpdate,
    ) -> ServiceResult<Bookmark> {
        let mut b = self.bookmark(caller, workbook, id).await?;
        if b.owner_id != caller.id() && !caller.is_admin() {
            return Err(ServiceError::forbidden(
                "only the bookmark's owner or an Admin may change it",
            ));
        }
        if let Some(n) = change.name {
            b.name = check_name(&n)?;
        }
        if let Some(s) = change.is_shared {
            b.is_shared = s;
        }
        if let Some(d) = change.is_default {
            b.is_default = d;
        }
        if let Some(k) = change.explore_key {
            b.explore_key = k;
        }
        b.updated_at = sigil_core::clock::now();
        self.store.save_bookmark(&b).await?;
        Ok(b)
    }

    pub async fn delete_bookmark(
        &self,
        caller: &Caller,
        workbook: InodeId,
        id: Uuid,
    ) -> ServiceResult<()> {
        let b = self.bookmark(caller, workbook, id).await?;
        if b.owner_id != caller.id() && !caller.is_admin() {
            return Err(ServiceError::forbidden(
                "only the bookmark's owner or an Admin may delete it",
            ));
        }
        self.store.delete_bookmark(b.id).await?;
        Ok(())
    }

    /// Copies a workbook's saved views to its copy `to` (as views of its first
    /// version, owned as before): `all` (Admins only), `accessible` (the caller's own
    /// and the shared ones) or `none`. Answers how many.
    pub async fn copy_bookmarks(
        &self,
        caller: &Caller,
        from: InodeId,
        to: InodeId,
        mode: &str,
    ) -> ServiceResult<usize> {
        let viewer = match mode {
            "none" => return Ok(0),
            "all" => {
                caller.require_admin()?;
                None
            }
            _ => Some(caller.id()),
        };
        let (views, _) = self
            .store
            .bookmarks_seen_by(from, viewer, 0, u32::MAX)
            .await?;
        let now = sigil_core::clock::now();
        for b in &views {
            self.store
                .save_bookmark(&Bookmark {
                    id: Uuid::now_v7(),
                    workbook_id: to,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    ..b.clone()
                })
                .await?;
        }
        Ok(views.len())
    }

    pub async fn embeds(
        &self,
        caller: &Caller,
        workbook: InodeId,
        req: PageRequest,
    ) -> ServiceResult<Page<Embed>> {
        let wb = self
            .workbook(caller, workbook, GrantPermission::Edit)
            .await?;
        let (rows, total) = self.store.embeds(wb, req.offset(), req.limit).await?;
        Ok(Page::of_window(rows, total, req))
    }

    /// Records an embed of the workbook, one of its pages or one of its elements
    /// (which must be in its document).
    pub async fn create_embed(
        &self,
        caller: &Caller,
        workbook: InodeId,
        embed_type: &str,
        source_type: &str,
        source_id: Option<String>,
    ) -> ServiceResult<Embed> {
        if embed_type != "public" {
            return Err(ServiceError::invalid_field(
                "embedType",
                "embedType must be `public`",
            ));
        }
        let wb = self
            .workbooks
            .load(caller, workbook, GrantPermission::Edit)
            .await?;
        let (source_id, source_name) = match source_type {
            "workbook" => (None, Some(wb.node.name.clone())),
            "page" | "element" => {
                let raw = source_id.ok_or_else(|| {
                    ServiceError::invalid_field(
                        "sourceId",
                        format!("sourceId is required for a {source_type}"),
                    )
                })?;
                let name = if source_type == "page" {
                    wb.document
                        .pages
                        .iter()
                        .find(|p| p.page_id == raw)
                        .map(|p| p.name.clone())
                } else {
                    wb.document
                        .pages
                        .iter()
                        .flat_map(|p| p.elements.iter())
                        .find(|e| e.element_id() == raw)
                        .map(|e| e.title())
                };
                let name = name.ok_or_else(|| {
                    ServiceError::invalid_field(
                        "sourceId",
                        format!("sourceId: the workbook has no {source_type} `{raw}`"),
                    )
                })?;
                (Some(raw), Some(name))
            }
            other => {
                return Err(ServiceError::invalid_field(
                    "sourceType",
                    format!("sourceType must be workbook, page or element, got `{other}`"),
                ))
            }
        };
        let e = Embed {
            id: Uuid::now_v7(),
            workbook_id: wb.node.id,
            embed_type: embed_type.to_owned(),
            source_type: source_type.to_owned(),
            source_id,
            source_name,
            created_by: caller.id(),
            created_at: sigil_core::clock::now(),
        };
        self.store.insert_embed(&e).await?;
        Ok(e)
    }

    pub async fn delete_embed(
        &self,
        caller: &Caller,
        workbook: InodeId,
        id: Uuid,
    ) -> ServiceResult<()> {
        let wb = self
            .workbook(caller, workbook, GrantPermission::Edit)
            .await?;
        if self.store.delete_embed(wb, id).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(format!(
                "no embed `{id}` on this workbook"
            )))
        }
    }
}
