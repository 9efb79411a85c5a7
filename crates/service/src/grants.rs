//! Grants on the file tree: a workspace's grants as the workspace grants document
//! describes them (one grant per grantee, upserted, at most 100 a request, all or
//! nothing), and Sigma's generic `/v2/grants` on any node. Who may see and change
//! them is decided by [`Access`].

use std::sync::Arc;

use bytes::Bytes;
use sigil_core::{GrantId, GrantPermission, InodeId, MemberId, TeamId};
use sigil_store::{Grant, Grantee, Store};

pub use sigil_store::GrantFilter;

use crate::access::{Access, Target};
use crate::cache::GenCache;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::files::kind_name;
use crate::members::Members;
use crate::paging::{Page, PageCursors, PageRequest};

pub const MAX_GRANTS: usize = 100;

/// Who a grant is for, as a request names it.
#[derive(Debug, Clone, Default)]
pub struct GranteeInput {
    pub member_id: Option<String>,
    pub team_id: Option<String>,
}

/// A kind of permission a grant may carry: how to read one, and the valid ones as a
/// message lists them.
pub struct Permissions<P> {
    pub parse: fn(&str) -> Option<P>,
    pub names: &'static str,
}

impl<P> Clone for Permissions<P> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<P> Copy for Permissions<P> {}

/// The permissions of grants on files (workspaces, folders, workbooks).
const FILE_PERMISSIONS: Permissions<GrantPermission> = Permissions {
    parse: GrantPermission::parse,
    names: "view, explore, organize or edit",
};

/// One grant of a request.
#[derive(Debug, Clone, Default)]
pub struct GrantInput {
    pub grantee: GranteeInput,
    /// `view`, `explore`, `organize` or `edit`.
    pub permission: String,
}

/// A grant with the kind of node it is on (`workspace`, `folder`, `workbook`).
#[derive(Debug, Clone)]
pub struct GrantEntry {
    pub grant: Grant,
    pub inode_type: String,
}

pub struct Grants {
    store: Arc<dyn Store>,
    access: Arc<Access>,
    members: Arc<Members>,
    cursors: Arc<PageCursors>,
    /// Rendered pages of a workspace's grants: (workspace, page, limit).
    pages: GenCache<(InodeId, u64, u32), Bytes>,
}

impl Grants {
    pub fn new(
        store: Arc<dyn Store>,
        access: Arc<Access>,
        members: Arc<Members>,
        cursors: Arc<PageCursors>,
    ) -> Self {
        Grants {
            store,
            access,
            members,
            cursors,
            pages: GenCache::new(1_000),
        }
    }

    async fn workspace_grants(&self, ws: InodeId, req: PageRequest) -> ServiceResult<Page<Grant>> {
        let store = self.store.clone();
        self.cursors
            .page(
                format!("grants|{ws}"),
                req,
                |pos, limit, with_total| async move {
                    let (after, offset) = pos.into_parts();
                    store.grants_on(ws, after, offset, limit, with_total).await
                },
                |g: &Grant| g.id,
            )
            .await
    }

    /// A page of a workspace's grants. Needs Can Manage (or Admin).
    pub async fn of_workspace(
        &self,
        caller: &Caller,
        ws: InodeId,
        req: PageRequest,
    ) -> ServiceResult<Page<Grant>> {
        let (ws, _) = self
            .access
            .require(caller, ws, Target::WORKSPACE, GrantPermission::Edit)
            .await?;
        self.workspace_grants(ws.id, req).await
    }

    /// [`of_workspace`](Grants::of_workspace), rendered by `render` and remembered
    /// until the next write: automation that polls a workspace's grants is then
    /// served without touching the database.
    pub async fn of_workspace_rendered(
        &self,
        caller: &Caller,
        ws: InodeId,
        req: PageRequest,
        render: impl FnOnce(Page<Grant>) -> ServiceResult<Bytes>,
    ) -> ServiceResult<Bytes> {
        let (ws, _) = self
            .access
            .require(caller, ws, Target::WORKSPACE, GrantPermission::Edit)
            .await?;
        self.pages
            .get_or_load(
                self.store.as_ref(),
                (ws.id, req.page, req.limit),
                || async { render(self.workspace_grants(ws.id, req).await?) },
            )
            .await
    }

    /// Checks one grantee and permission of a request; messages start with `prefix`.
    async fn resolve(
        &self,
        field: &str,
        prefix: &str,
        grantee: &GranteeInput,
        permission: &str,
    ) -> ServiceResult<(Grantee, GrantPermission)> {
        self.resolve_with(field, prefix, grantee, permission, FILE_PERMISSIONS)
            .await
    }

    /// [`Self::resolve`] for a kind of permission of its own: `parse` reads it, and
    /// `permissions.names` is how the message lists the valid ones.
    async fn resolve_with<P>(
        &self,
        field: &str,
        prefix: &str,
        grantee: &GranteeInput,
        permission: &str,
        permissions: Permissions<P>,
    ) -> ServiceResult<(Grantee, P)> {
        let bad = |m: String| ServiceError::invalid_field(field, format!("{prefix}{m}"));
        let parsed = (permissions.parse)(permission).ok_or_else(|| {
            bad(format!(
                "unknown permission `{permission}`; use {}",
                permissions.names
            ))
        })?;
        let grantee = self.grantee(field, prefix, grantee).await?;
        Ok((grantee, parsed))
    }

    /// Checks who a grant is for: an active member or an existing team, given by id;
    /// messages start with `prefix` and name `field`.
    pub async fn grantee(
        &self,
        field: &str,
        prefix: &str,
        grantee: &GranteeInput,
    ) -> ServiceResult<Grantee> {
        let bad = |m: String| ServiceError::invalid_field(field, format!("{prefix}{m}"));
        Ok(match (&grantee.member_id, &grantee.team_id) {
            (Some(m), None) => {
                let unknown = || bad(format!("unknown member `{m}`"));
                let id: MemberId = m.parse().map_err(|_| unknown())?;
                if self.members.active(id).await?.is_none() {
                    return Err(unknown());
                }
                Grantee::Member(id)
            }
            (None, Some(t)) => {
                let unknown = || bad(format!("unknown team `{t}`"));
                let id: TeamId = t.parse().map_err(|_| unknown())?;
                if self.store.team(id).await?.is_none() {
                    return Err(unknown());
                }
                Grantee::Team(id)
            }
            _ => {
                return Err(bad(
                    "grantee must be {\"memberId\": …} or {\"teamId\": …}".into()
                ))
            }
        })
    }

    /// Checks every grant of a request before anything is written; the first problem
    /// is answered, naming the grantee or permission.
    async fn check_all(
        &self,
        grants: &[GrantInput],
    ) -> ServiceResult<Vec<(Grantee, GrantPermission)>> {
        self.check_grants(grants, FILE_PERMISSIONS).await
    }

    /// [`Self::check_all`] for a kind of permission of its own (a connection's).
    pub async fn check_grants<P>(
        &self,
        grants: &[GrantInput],
        permissions: Permissions<P>,
    ) -> ServiceResult<Vec<(Grantee, P)>> {
        if grants.is_empty() || grants.len() > MAX_GRANTS {
            return Err(ServiceError::invalid_field(
                "grants",
                format!(
                    "grants must hold 1 to {MAX_GRANTS} entries, got {}",
                    grants.len()
                ),
            ));
        }
        let mut out: Vec<(Grantee, P)> = Vec::new();
        for (i, g) in grants.iter().enumerate() {
            let field = format!("grants[{i}]");
            let (grantee, permission) = self
                .resolve_with(
                    &field,
                    &format!("{field}: "),
                    &g.grantee,
                    &g.permission,
                    permissions,
                )
                .await?;
            if out.iter().any(|(g, _)| *g == grantee) {
                return Err(ServiceError::invalid_field(
                    &field,
                    format!("{field}: the same grantee appears twice in one request"),
                ));
            }
            out.push((grantee, permission));
        }
        Ok(out)
    }

    /// Creates and/or updates grants on a workspace: one grant per grantee; a new
    /// permission replaces the old one. All or nothing. Needs Can Manage.
    pub async fn grant_on_workspace(
        &self,
        caller: &Caller,
        ws: InodeId,
        grants: &[GrantInput],
    ) -> ServiceResult<()> {
        self.grant_on(caller, ws, Target::WORKSPACE, grants).await
    }

    /// Creates and/or updates grants on a workbook, as on a workspace. Sigma's
    /// workbook permissions are view, explore and edit: Can Contribute (`organize`)
    /// is a folder's and is refused, naming the grant.
    pub async fn grant_on_workbook(
        &self,
        caller: &Caller,
        workbook: InodeId,
        grants: &[GrantInput],
    ) -> ServiceResult<()> {
        for (i, g) in grants.iter().enumerate() {
            if g.permission == GrantPermission::Organize.as_str() {
                let field = format!("grants[{i}].permission");
                return Err(ServiceError::invalid_field(
                    &field,
                    format!("{field}: a workbook grant is view, explore or edit"),
                ));
            }
        }
        self.grant_on(caller, workbook, Target::WORKBOOK, grants)
            .await
    }

    async fn grant_on(
        &self,
        caller: &Caller,
        id: InodeId,
        target: Target,
        grants: &[GrantInput],
    ) -> ServiceResult<()> {
        let (node, _) = self
            .access
            .require(caller, id, target, GrantPermission::Edit)
            .await?;
        let grants = self.check_all(grants).await?;
        self.store
            .upsert_grants(node.id, &grants, caller.id(), sigil_core::clock::now())
            .await?;
        Ok(())
    }

    /// Revokes grant `grant` of workspace `ws`. Needs Can Manage.
    pub async fn revoke_on_workspace(
        &self,
        caller: &Caller,
        ws: InodeId,
        grant: GrantId,
    ) -> ServiceResult<()> {
        self.revoke_on(caller, ws, Target::WORKSPACE, grant, "workspace")
            .await
    }

    /// Revokes grant `grant` of workbook `workbook`. Needs Can Manage.
    pub async fn revoke_on_workbook(
        &self,
        caller: &Caller,
        workbook: InodeId,
        grant: GrantId,
    ) -> ServiceResult<()> {
        self.revoke_on(caller, workbook, Target::WORKBOOK, grant, "workbook")
            .await
    }

    async fn revoke_on(
        &self,
        caller: &Caller,
        id: InodeId,
        target: Target,
        grant: GrantId,
        kind: &str,
    ) -> ServiceResult<()> {
        let (node, _) = self
            .access
            .require(caller, id, target, GrantPermission::Edit)
            .await?;
        match self.store.grant(grant).await? {
            Some(g) if g.inode_id == node.id => {
                self.store.delete_grant(grant).await?;
                Ok(())
            }
            _ => Err(ServiceError::not_found(format!(
                "no grant `{grant}` on this {kind}"
            ))),
        }
    }

    /// Grants by node (needs Can Manage on it), by member (the member itself) or by
    /// team (its members); Admins may list any, or all with no filter.
    pub async fn list(
        &self,
        caller: &Caller,
        filter: GrantFilter,
        req: PageRequest,
    ) -> ServiceResult<Page<GrantEntry>> {
        if !caller.is_admin() {
            let allowed = match (filter.inode, filter.member, filter.team) {
                (Some(i), _, _) => self.access.can_manage(caller, i).await?,
                (None, Some(m), _) => m == caller.id(),
                (None, None, Some(t)) => {
                    self.store.team_membership(t, caller.id()).await?.is_some()
                }
                (None, None, None) => false,
            };
            if !allowed {
                return Err(ServiceError::forbidden(
                    "list grants on a node you manage, your own grants, or your teams' grants",
                ));
            }
        }
        let key = format!("grants-query|{:?}", filter);
        let store = self.store.clone();
        let page = self
            .cursors
            .page(
                key,
                req,
                |pos, limit, _| async move {
                    let (after, offset) = pos.into_parts();
                    let (rows, total) = store.list_grants(&filter, after, offset, limit).await?;
                    Ok((rows, Some(total)))
                },
                |g: &Grant| g.id,
            )
            .await?;
        let mut entries = Vec::with_capacity(page.entries.len());
        for g in page.entries.iter().cloned() {
            entries.push(self.entry(g).await?);
        }
        Ok(page.with_entries(entries))
    }

    async fn entry(&self, grant: Grant) -> ServiceResult<GrantEntry> {
        // Sigma's inode types have no workspace: a workspace is a folder there.
        let kind = self
            .access
            .node(grant.inode_id)
            .await?
            .map(|i| match kind_name(&i.kind) {
                "workspace" => "folder".to_owned(),
                k => k.to_owned(),
            })
            .unwrap_or_default();
        Ok(GrantEntry {
            grant,
            inode_type: kind,
        })
    }

    /// Creates or updates the grantee's grant on any node. Needs Can Manage on it.
    pub async fn grant(
        &self,
        caller: &Caller,
        inode: InodeId,
        input: &GrantInput,
    ) -> ServiceResult<GrantEntry> {
        let not_found = || ServiceError::not_found(format!("no node `{inode}`"));
        self.access
            .node(inode)
            .await?
            .filter(|n| !n.is_archived)
            .ok_or_else(not_found)?;
        match self.access.of_caller(caller, inode).await?.permission {
            None => return Err(not_found()),
            Some(p) if p < GrantPermission::Edit => {
                return Err(ServiceError::forbidden(
                    "granting access needs Can Manage on the node",
                ))
            }
            Some(_) => {}
        }
        let (grantee, permission) = self
            .resolve("grantee", "", &input.grantee, &input.permission)
            .await?;
        let written = self
            .store
            .upsert_grants(
                inode,
                &[(grantee, permission)],
                caller.id(),
                sigil_core::clock::now(),
            )
            .await?;
        let g = written.into_iter().next().ok_or_else(|| {
            ServiceError::internal(anyhow::anyhow!("an upsert answered no grant"))
        })?;
        self.entry(g).await
    }

    /// The grant, if the caller may see it: Admins, the member it is for, members of
    /// the team it is for, and those who manage its node. Others get "not found".
    async fn visible(&self, caller: &Caller, id: GrantId) -> ServiceResult<Grant> {
        let not_found = || ServiceError::not_found(format!("no grant `{id}`"));
        let g = self.store.grant(id).await?.ok_or_else(not_found)?;
        if caller.is_admin() || g.member_id == Some(caller.id()) {
            return Ok(g);
        }
        if let Some(t) = g.team_id {
            if self.store.team_membership(t, caller.id()).await?.is_some() {
                return Ok(g);
            }
        }
        if self.access.can_manage(caller, g.inode_id).await? {
            return Ok(g);
        }
        Err(not_found())
    }

    pub async fn get(&self, caller: &Caller, id: GrantId) -> ServiceResult<GrantEntry> {
        let g = self.visible(caller, id).await?;
        self.entry(g).await
    }

    /// Revokes a grant; needs Can Manage on its node. Answers the revoked grant.
    pub async fn revoke(&self, caller: &Caller, id: GrantId) -> ServiceResult<GrantEntry> {
        let g = self.visible(caller, id).await?;
        if !self.access.can_manage(caller, g.inode_id).await? {
            return Err(ServiceError::forbidden(
                "revoking a grant needs Can Manage on its node",
            ));
        }
        let entry = self.entry(g).await?;
        self.store.delete_grant(entry.grant.id).await?;
        Ok(entry)
    }
}
