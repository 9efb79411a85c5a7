//! The permission model on the file tree: view < explore < organize < edit (Can View,
//! Can Explore, Can Contribute, Can Manage). A member's effective permission on a node
//! is the highest of its own grants and its teams' grants on the node and on every
//! ancestor; Admins manage everything. Computed on each request, so team and grant
//! changes take effect on the next one.

use sigil_core::{GrantPermission, InodeId};
use sigil_store::{Grant, Inode};

use crate::error::ApiError;
use crate::extract::CurrentMember;
use crate::state::AppState;

/// What a member may do on a node, and the grants that say so.
#[derive(Debug, Clone)]
pub struct Access {
    pub permission: Option<GrantPermission>,
    pub is_admin: bool,
    pub grants: Vec<Grant>,
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

pub async fn access_of(
    st: &AppState,
    member: sigil_core::MemberId,
    is_admin: bool,
    inode: InodeId,
) -> Result<Access, ApiError> {
    access(st, member, is_admin, inode, None).await
}

/// [`access_of`] for a node whose path (root first, the node last) is already read.
pub async fn access_along(
    st: &AppState,
    member: sigil_core::MemberId,
    is_admin: bool,
    path: &[Inode],
) -> Result<Access, ApiError> {
    let node = path
        .last()
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("an empty path has no node")))?;
    access(st, member, is_admin, node.id, Some(path)).await
}

async fn access(
    st: &AppState,
    member: sigil_core::MemberId,
    is_admin: bool,
    inode: InodeId,
    path: Option<&[Inode]>,
) -> Result<Access, ApiError> {
    let grants = st.store.applicable_grants(member, inode).await?;
    let mut best = grants.iter().map(|g| g.permission).max();
    if !is_admin && best < Some(GrantPermission::Edit) {
        // A member manages everything in its own home folder.
        let owns_home = |p: &[Inode]| {
            p.first()
                .is_some_and(|root| root.kind == "home" && root.owner_id == Some(member))
        };
        let owned = match path {
            Some(p) => owns_home(p),
            None => owns_home(&st.store.inode_path(inode).await?),
        };
        if owned {
            best = Some(GrantPermission::Edit);
        }
    }
    Ok(Access {
        permission: if is_admin {
            Some(GrantPermission::Edit)
        } else {
            best
        },
        is_admin,
        grants,
    })
}

/// Which nodes [`require`] looks at.
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
    pub const ANY: Target = Target {
        kind: None,
        archived: false,
    };
    pub const ANY_ARCHIVED_TOO: Target = Target {
        kind: None,
        archived: true,
    };
}

/// Loads a node the caller may act on with at least `need`. A node the caller cannot
/// even view is 404, as if it did not exist; one it can view but not act on as asked
/// is 403.
pub async fn require(
    st: &AppState,
    caller: &CurrentMember,
    raw_id: &str,
    target: Target,
    need: GrantPermission,
) -> Result<(Inode, Access), ApiError> {
    let what = target.kind.unwrap_or("file");
    let not_found = || ApiError::not_found(format!("no {what} `{raw_id}`"));
    let id: InodeId = raw_id.parse().map_err(|_| not_found())?;
    let node = st
        .reads
        .inode(st.store.as_ref(), id)
        .await?
        .filter(|n| target.kind.is_none_or(|k| n.kind == k) && (target.archived || !n.is_archived))
        .ok_or_else(not_found)?;
    let access = if caller.account_type.is_admin() {
        // Admins manage everything: no need to read the grants.
        Access {
            permission: Some(GrantPermission::Edit),
            is_admin: true,
            grants: Vec::new(),
        }
    } else {
        st.reads
            .access
            .get_or_load(st.store.as_ref(), (caller.member.id, id), || {
                access_of(st, caller.member.id, false, id)
            })
            .await?
    };
    match access.permission {
        None => Err(not_found()),
        Some(p) if p < need => Err(ApiError::forbidden(format!(
            "this needs {} on the {what}; you have {}",
            label(need),
            label(p)
        ))),
        Some(_) => Ok((node, access)),
    }
}
