//! Version tags (Sigma's `/v2/tags`) and tagging workbook versions
//! (`POST /v2/workbooks/tag`). A tag marks at most one version of each workbook;
//! tagging another version moves it, and the tagged version's document stays
//! readable. Tags themselves are an Admin's to make, change and delete; tagging a
//! workbook needs Can Manage on it, reading its tags Can View.

use std::sync::Arc;

use sigil_core::{GrantPermission, InodeId};
use sigil_store::{Store, VersionTag, WorkbookTag};
use uuid::Uuid;

use crate::access::{Access, Target};
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{Page, PageRequest};
use crate::workbooks::{WorkbookEntry, Workbooks};
use crate::Caller;

/// The colors Sigma offers a tag.
pub const COLORS: [&str; 6] = ["cyan", "grass", "violet", "plum", "amber", "bronze"];

pub struct Tags {
    store: Arc<dyn Store>,
    access: Arc<Access>,
    workbooks: Arc<Workbooks>,
}

impl Tags {
    pub fn new(store: Arc<dyn Store>, access: Arc<Access>, workbooks: Arc<Workbooks>) -> Self {
        Tags {
            store,
            access,
            workbooks,
        }
    }

    /// Every member may list the tags (as Sigma's clients do to pick one).
    pub async fn list(
        &self,
        _caller: &Caller,
        search: Option<&str>,
        req: PageRequest,
    ) -> ServiceResult<Page<VersionTag>> {
        let (rows, total) = self
            .store
            .list_version_tags(search, req.offset(), req.limit)
            .await?;
        Ok(Page::of_window(rows, total, req))
    }

    pub async fn create(
        &self,
        caller: &Caller,
        name: &str,
        color: &str,
        description: Option<String>,
    ) -> ServiceResult<VersionTag> {
        caller.require_admin()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(ServiceError::invalid_field(
                "name",
                "name must be 1 to 100 characters, none of them control characters",
            ));
        }
        if !COLORS.contains(&color) {
            return Err(ServiceError::invalid_field(
                "color",
                format!("color must be one of {}", COLORS.join(", ")),
            ));
        }
        let now = sigil_core::clock::now();
        let t = VersionTag {
            id: Uuid::now_v7(),
            name: name.to_owned(),
            description: description.unwrap_or_default(),
            color: color.to_owned(),
            owner_id: caller.id(),
            created_by: caller.id(),
            updated_by: caller.id(),
            created_at: now,
            updated_at: now,
        };
        self.store.insert_version_tag(&t).await?;
        Ok(t)
    }

    /// A tag's name, if there is such a tag.
    pub async fn name_of(&self, id: Uuid) -> ServiceResult<Option<String>> {
        Ok(self.store.version_tag(id).await?.map(|t| t.name))
    }

    async fn load(&self, id: Uuid) -> ServiceResult<VersionTag> {
        self.store
            .version_tag(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no version tag `{id}`")))
    }

    pub async fn update(
        &self,
        caller: &Caller,
        id: Uuid,
        description: Option<String>,
    ) -> ServiceResult<VersionTag> {
        caller.require_admin()?;
        let mut t = self.load(id).await?;
        if let Some(d) = description {
            t.description = d;
        }
        t.updated_by = caller.id();
        t.updated_at = sigil_core::clock::now();
        if !self.store.update_version_tag(&t).await? {
            return Err(ServiceError::not_found(format!("no version tag `{id}`")));
        }
        Ok(t)
    }

    /// Deletes a tag and takes it off every workbook.
    pub async fn delete(&self, caller: &Caller, id: Uuid) -> ServiceResult<()> {
        caller.require_admin()?;
        if self.store.delete_version_tag(id).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(format!("no version tag `{id}`")))
        }
    }

    /// The workbooks a tag marks that the caller can see, by name.
    pub async fn workbooks(
        &self,
        caller: &Caller,
        id: Uuid,
        req: PageRequest,
    ) -> ServiceResult<Page<WorkbookEntry>> {
        self.load(id).await?;
        let (nodes, total) = self
            .store
            .tagged_workbooks(id, req.offset(), req.limit)
            .await?;
        let mut visible = Vec::with_capacity(nodes.len());
        for n in nodes {
            let p = self
                .access
                .decide(caller.id(), caller.is_admin(), n.id, None)
                .await?
                .permission;
            if p.is_some() {
                visible.push(n);
            }
        }
        let entries = self.workbooks.entries_of(visible).await?;
        Ok(Page::of_window(entries, total, req))
    }

    /// Tags a version of a workbook (its newest when `version` is unset); the tag,
    /// by name, must exist. Answers what was tagged.
    pub async fn tag(
        &self,
        caller: &Caller,
        workbook: InodeId,
        tag: &str,
        version: Option<i64>,
        is_default: bool,
    ) -> ServiceResult<WorkbookTag> {
        let (node, _) = self
            .access
            .require(caller, workbook, Target::WORKBOOK, GrantPermission::Edit)
            .await?;
        let t = self.store.version_tag_by_name(tag).await?.ok_or_else(|| {
            ServiceError::invalid_field("tag", format!("tag: no version tag is named `{tag}`"))
        })?;
        let version = match version {
            Some(v) => v,
            None => self
                .store
                .workbook_document(node.id)
                .await?
                .map(|(_, v)| v)
                .ok_or_else(|| ServiceError::not_found(format!("no workbook `{workbook}`")))?,
        };
        if self
            .store
            .workbook_version_document(node.id, version)
            .await?
            .is_none()
        {
            return Err(ServiceError::invalid_field(
                "workbookVersion",
                format!("workbookVersion: the workbook has no version {version}"),
            ));
        }
        let wt = WorkbookTag {
            workbook_id: node.id,
            tag_id: t.id,
            tag_name: t.name,
            version,
            tagged_workbook_id: Uuid::now_v7(),
            is_default,
            tagged_by: caller.id(),
            tagged_at: sigil_core::clock::now(),
        };
        self.store.tag_workbook(&wt).await?;
        Ok(wt)
    }

    /// A workbook's tags, by tag name.
    pub async fn of_workbook(
        &self,
        caller: &Caller,
        workbook: InodeId,
        req: PageRequest,
    ) -> ServiceResult<Page<WorkbookTag>> {
        let (node, _) = self
            .access
            .require(caller, workbook, Target::WORKBOOK, GrantPermission::View)
            .await?;
        let all = self.store.workbook_tags(&[node.id]).await?;
        Ok(Page::of_all(all, req))
    }

    /// Takes a tag off a workbook; 404 when it was not on it.
    pub async fn untag(&self, caller: &Caller, workbook: InodeId, tag: Uuid) -> ServiceResult<()> {
        let (node, _) = self
            .access
            .require(caller, workbook, Target::WORKBOOK, GrantPermission::Edit)
            .await?;
        if self.store.untag_workbook(node.id, tag).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(format!(
                "the version tag `{tag}` is not on this workbook"
            )))
        }
    }

    /// The document of the version a tag marks, with that version.
    pub async fn tagged_document(
        &self,
        caller: &Caller,
        workbook: InodeId,
        tag: &str,
    ) -> ServiceResult<(serde_json::Value, WorkbookTag)> {
        let (node, _) = self
            .access
            .require(caller, workbook, Target::WORKBOOK, GrantPermission::View)
            .await?;
        let wt = self
            .store
            .workbook_tags(&[node.id])
            .await?
            .into_iter()
            .find(|t| t.tag_name.eq_ignore_ascii_case(tag))
            .ok_or_else(|| {
                ServiceError::not_found(format!("no version tag `{tag}` on this workbook"))
            })?;
        let text = self
            .store
            .workbook_version_document(node.id, wt.version)
            .await?
            .ok_or_else(|| ServiceError::internal(anyhow::anyhow!("a tagged version vanished")))?;
        let doc = serde_json::from_str(&text).map_err(ServiceError::internal)?;
        Ok((doc, wt))
    }
}
