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
    let grants = st.store.applicable_grants(member, inode).await?;
    let mut best = grants.iter().map(|g| g.permission).max();
    if !is_admin && best < Some(GrantPermission::Edit) {
        // A member manages everything in its own home folder.
        let path = st.store.inode_path(inode).await?;
        if path
            .first()
            .is_some_and(|root| root.kind == "home" && root.owner_id == Some(member))
        {
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

/// Loads a node of `kind` the caller may act on with at least `need`. A node the
/// caller cannot even view is 404, as if it did not exist; one it can view but not
/// act on as asked is 403.
pub async fn require(
    st: &AppState,
    caller: &CurrentMember,
    raw_id: &str,
    kind: &str,
    need: GrantPermission,
) -> Result<(Inode, Access), ApiError> {
    let not_found = || ApiError::not_found(format!("no {kind} `{raw_id}`"));
    let id: InodeId = raw_id.parse().map_err(|_| not_found())?;
    let node = st
        .store
        .inode(id)
        .await?
        .filter(|n| n.kind == kind && !n.is_archived)
        .ok_or_else(not_found)?;
    let access = if caller.account_type.is_admin() {
        // Admins manage everything: no need to read the grants.
        Access {
            permission: Some(GrantPermission::Edit),
            is_admin: true,
            grants: Vec::new(),
        }
    } else {
        access_of(st, caller.member.id, false, id).await?
    };
    match access.permission {
        None => Err(not_found()),
        Some(p) if p < need => Err(ApiError::forbidden(format!(
            "this needs {} on the {kind}; you have {}",
            label(need),
            label(p)
        ))),
        Some(_) => Ok((node, access)),
    }
}
