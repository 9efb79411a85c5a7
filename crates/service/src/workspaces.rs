//! Workspaces (Sigma's `/v2/workspaces`): the roots of the file tree. Their grants are
//! in [`crate::grants`].

use std::sync::Arc;

use sigil_core::{GrantId, GrantPermission, InodeId, Permission};
use sigil_store::{Grant, Inode, NameCursor, Store};

pub use sigil_store::WorkspaceFilter;

use crate::access::{Access, Target};
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{Page, PageCursors, PageRequest};

const MAX_NAME: usize = 255;

/// What creating a workspace led to.
#[derive(Debug, Clone)]
pub enum Created {
    Created(Inode),
    /// With `no_duplicates` and a name already taken: the workspaces of that name,
    /// and nothing created.
    Existing(Vec<Inode>),
}

pub struct Workspaces {
    store: Arc<dyn Store>,
    access: Arc<Access>,
    cursors: Arc<PageCursors>,
}

fn check_name(n: &str) -> ServiceResult<String> {
    let t = n.trim();
    if t.is_empty() || t.chars().count() > MAX_NAME {
        return Err(ServiceError::invalid_field(
            "name",
            format!("name must be 1 to {MAX_NAME} characters"),
        ));
    }
    Ok(t.to_owned())
}

impl Workspaces {
    pub fn new(store: Arc<dyn Store>, access: Arc<Access>, cursors: Arc<PageCursors>) -> Self {
        Workspaces {
            store,
            access,
            cursors,
        }
    }

    /// Admins see every workspace; others those they hold a grant on, directly or
    /// through a team. `filter.visible_to` is set here.
    pub async fn list(
        &self,
        caller: &Caller,
        mut filter: WorkspaceFilter,
        req: PageRequest,
    ) -> ServiceResult<Page<Inode>> {
        crate::paging::check_search("name", filter.name.as_deref())?;
        crate::paging::check_search("exactName", filter.exact_name.as_deref())?;
        filter.visible_to = (!caller.is_admin()).then_some(caller.id());
        let key = format!(
            "workspaces|{:?}|{:?}|{:?}",
            filter.name, filter.exact_name, filter.visible_to
        );
        let store = self.store.clone();
        self.cursors
            .page(
                key,
                req,
                |pos, limit, with_total| async move {
                    store
                        .list_workspaces(&filter, &pos, limit, with_total)
                        .await
                },
                |w: &Inode| NameCursor {
                    name: w.name.clone(),
                    id: w.id.0,
                },
            )
            .await
    }

    /// Creates a workspace on which the creator holds Can Manage. With
    /// `no_duplicates` and a name already taken, nothing is created. Needs the
    /// `create-workspaces` permission.
    pub async fn create(
        &self,
        caller: &Caller,
        name: &str,
        no_duplicates: bool,
    ) -> ServiceResult<Created> {
        if !caller.account_type.has(Permission::CreateWorkspaces) {
            return Err(ServiceError::forbidden(
                "creating workspaces needs the create-workspaces permission",
            ));
        }
        let name = check_name(name)?;
        if no_duplicates {
            let existing = self.store.workspaces_named(&name).await?;
            if !existing.is_empty() {
                return Ok(Created::Existing(existing));
            }
        }
        let now = sigil_core::clock::now();
        let by = caller.id();
        let ws = Inode::new("workspace", &name, None, Some(by), now);
        let grant = Grant {
            id: GrantId::new(),
            inode_id: ws.id,
            member_id: Some(by),
            team_id: None,
            permission: GrantPermission::Edit,
            created_by: Some(by),
            updated_by: Some(by),
            created_at: now,
            updated_at: now,
        };
        self.store.create_workspace(&ws, &grant).await?;
        Ok(Created::Created(ws))
    }

    /// Needs Can View; a workspace the caller cannot view is "not found".
    pub async fn get(&self, caller: &Caller, id: InodeId) -> ServiceResult<Inode> {
        Ok(self
            .access
            .require(caller, id, Target::WORKSPACE, GrantPermission::View)
            .await?
            .0)
    }

    /// Renames a workspace; needs Can Manage. With `no_duplicates`, a name another
    /// workspace has is a conflict.
    pub async fn rename(
        &self,
        caller: &Caller,
        id: InodeId,
        name: &str,
        no_duplicates: bool,
    ) -> ServiceResult<Inode> {
        let (mut ws, _) = self
            .access
            .require(caller, id, Target::WORKSPACE, GrantPermission::Edit)
            .await?;
        let name = check_name(name)?;
        if no_duplicates
            && self
                .store
                .workspaces_named(&name)
                .await?
                .iter()
                .any(|w| w.id != ws.id)
        {
            return Err(ServiceError::conflict(format!(
                "a workspace named `{name}` exists"
            )));
        }
        ws.name = name;
        ws.updated_by = Some(caller.id());
        ws.updated_at = sigil_core::clock::now();
        self.store.update_inode(&ws).await?;
        Ok(ws)
    }

    /// Archives a workspace; needs Can Manage.
    pub async fn archive(&self, caller: &Caller, id: InodeId) -> ServiceResult<()> {
        let (mut ws, _) = self
            .access
            .require(caller, id, Target::WORKSPACE, GrantPermission::Edit)
            .await?;
        ws.is_archived = true;
        ws.updated_by = Some(caller.id());
        ws.updated_at = sigil_core::clock::now();
        self.store.update_inode(&ws).await?;
        Ok(())
    }
}
