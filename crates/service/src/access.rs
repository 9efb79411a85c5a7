//! The access decision on the file tree, in one place: view < explore < organize <
//! edit (Can View, Can Explore, Can Contribute, Can Manage). A member's effective
//! permission on a node is the highest of its own grants and its teams' grants on the
//! node and on every ancestor; a member manages what it owns (its home folder among
//! it) and what is in it; Admins manage everything. Decisions are remembered per store generation, so team and grant
//! changes take effect on the next request.

use std::sync::Arc;

use sigil_core::{GrantPermission, InodeId, MemberId};
use sigil_store::{Grant, Inode, Store};

use crate::account_types::AccountTypes;
use crate::cache::GenCache;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::members::Members;

/// What a member may do on a node, and the grants that say so.
#[derive(Debug, Clone)]
pub struct Decision {
    pub permission: Option<GrantPermission>,
    pub is_admin: bool,
    pub grants: Vec<Grant>,
}

impl Decision {
    fn admin() -> Self {
        Decision {
            permission: Some(GrantPermission::Edit),
            is_admin: true,
            grants: Vec::new(),
        }
    }
}

/// Sigma's label for a permission.
pub fn label(p: GrantPermission) -> &'static str {
    match p {
        GrantPermission::View => "Can View",
        GrantPermission::Explore => "Can Explore",
        GrantPermission::Organize => "Can Contribute",
        GrantPermission::Edit => "Can Manage",
    }
}

/// Which nodes [`Access::require`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// Only nodes of this kind (`workspace`, …); any kind when `None`.
    pub kind: Option<&'static str>,
    /// Archived nodes count as existing (to read or restore them).
    pub archived: bool,
}

impl Target {
    pub const WORKSPACE: Target = Target {
        kind: Some("workspace"),
        archived: false,
    };
    pub const WORKBOOK: Target = Target {
        kind: Some("workbook"),
        archived: false,
    };
    pub const ANY: Target = Target {
        kind: None,
        archived: false,
    };
    pub const ANY_ARCHIVED_TOO: Target = Target {
        kind: None,
        archived: true,
    };
}

pub struct Access {
    store: Arc<dyn Store>,
    members: Arc<Members>,
    account_types: Arc<AccountTypes>,
    nodes: GenCache<InodeId, Option<Inode>>,
    decisions: GenCache<(MemberId, InodeId), Decision>,
}

impl Access {
    pub fn new(
        store: Arc<dyn Store>,
        members: Arc<Members>,
        account_types: Arc<AccountTypes>,
    ) -> Self {
        Access {
            store,
            members,
            account_types,
            nodes: GenCache::new(50_000),
            decisions: GenCache::new(50_000),
        }
    }

    /// The node `id`, remembered per store generation.
    pub async fn node(&self, id: InodeId) -> ServiceResult<Option<Inode>> {
        Ok(self
            .nodes
            .get_or_load(self.store.as_ref(), id, || self.store.inode(id))
            .await?)
    }

    /// The node and its ancestors, root first.
    pub async fn path(&self, id: InodeId) -> ServiceResult<Vec<Inode>> {
        Ok(self.store.inode_path(id).await?)
    }

    /// What `member` may do on `inode`. `path` (root first, the node last) saves a
    /// read when the caller has it already.
    pub async fn decide(
        &self,
        member: MemberId,
        is_admin: bool,
        inode: InodeId,
        path: Option<&[Inode]>,
    ) -> ServiceResult<Decision> {
        if is_admin {
            // Admins manage everything: no need to read the grants.
            return Ok(Decision::admin());
        }
        self.decisions
            .get_or_load(self.store.as_ref(), (member, inode), || {
                self.compute(member, inode, path)
            })
            .await
    }

    async fn compute(
        &self,
        member: MemberId,
        inode: InodeId,
        path: Option<&[Inode]>,
    ) -> ServiceResult<Decision> {
        let grants = self.store.applicable_grants(member, inode).await?;
        let mut best = grants.iter().map(|g| g.permission).max();
        if best < Some(GrantPermission::Edit) {
            // An owner manages what it owns, and everything in it: its home folder, and
            // the workbooks and folders it made or was given, grant or no grant.
            let owns = |p: &[Inode]| p.iter().any(|n| n.owner_id == Some(member));
            let owned = match path {
                Some(p) => owns(p),
                None => owns(&self.store.inode_path(inode).await?),
            };
            if owned {
                best = Some(GrantPermission::Edit);
            }
        }
        Ok(Decision {
            permission: best,
            is_admin: false,
            grants,
        })
    }

    /// What the caller may do on `inode`.
    pub async fn of_caller(&self, caller: &Caller, inode: InodeId) -> ServiceResult<Decision> {
        self.decide(caller.id(), caller.is_admin(), inode, None)
            .await
    }

    /// Whether the caller manages `inode` (Can Manage, or Admin).
    pub async fn can_manage(&self, caller: &Caller, inode: InodeId) -> ServiceResult<bool> {
        Ok(self.of_caller(caller, inode).await?.permission == Some(GrantPermission::Edit))
    }

    /// The node `id` the caller may act on with at least `need`. A node the caller
    /// cannot even view is "not found", as if it did not exist; one it can view but
    /// not act on as asked is forbidden.
    pub async fn require(
        &self,
        caller: &Caller,
        id: InodeId,
        target: Target,
        need: GrantPermission,
    ) -> ServiceResult<(Inode, Decision)> {
        let what = target.kind.unwrap_or("file");
        let not_found = || ServiceError::not_found(format!("no {what} `{id}`"));
        let node = self
            .node(id)
            .await?
            .filter(|n| {
                target.kind.is_none_or(|k| n.kind == k) && (target.archived || !n.is_archived)
            })
            .ok_or_else(not_found)?;
        let decision = self.of_caller(caller, id).await?;
        match decision.permission {
            None => Err(not_found()),
            Some(p) if p < need => Err(ServiceError::forbidden(format!(
                "this needs {} on the {what}; you have {}",
                label(need),
                label(p)
            ))),
            Some(_) => Ok((node, decision)),
        }
    }

    /// What `member` may do on node `inode`, and the grants that give it. Admins may
    /// ask about anyone; others about themselves, or about anyone on a node they
    /// manage.
    pub async fn explain(
        &self,
        caller: &Caller,
        inode: InodeId,
        member: MemberId,
    ) -> ServiceResult<Decision> {
        self.store
            .inode(inode)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no node `{inode}`")))?;
        if !caller.is_admin() && member != caller.id() && !self.can_manage(caller, inode).await? {
            return Err(ServiceError::forbidden(
                "asking about another member needs Can Manage on the node",
            ));
        }
        let target = self
            .members
            .cached(member)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no member `{member}`")))?;
        let target_admin = self
            .account_types
            .cached(target.account_type_id)
            .await?
            .is_some_and(|t| t.is_admin());
        // The grants are the point here: an Admin's are read too.
        if target_admin {
            let grants = self.store.applicable_grants(member, inode).await?;
            return Ok(Decision {
                grants,
                ..Decision::admin()
            });
        }
        self.decide(member, false, inode, None).await
    }
}
