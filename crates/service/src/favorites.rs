//! Favorites and recents: the nodes a member marked (`/v2/favorites`) and the
//! workbooks it opened last (`GET /v2/members/{id}/files/recents`), each answered as
//! file entries with that member's permission. A member manages its own; an Admin
//! anyone's.

use std::sync::Arc;

use sigil_core::{GrantPermission, InodeId, MemberId};
use sigil_store::{Inode, Store};

use crate::access::Access;
use crate::account_types::AccountTypes;
use crate::error::{ServiceError, ServiceResult};
use crate::files::FileEntry;
use crate::paging::{Page, PageRequest};
use crate::Caller;

pub struct Favorites {
    store: Arc<dyn Store>,
    access: Arc<Access>,
    account_types: Arc<AccountTypes>,
}

impl Favorites {
    pub fn new(
        store: Arc<dyn Store>,
        access: Arc<Access>,
        account_types: Arc<AccountTypes>,
    ) -> Self {
        Favorites {
            store,
            access,
            account_types,
        }
    }

    /// Member `member`, if the caller may manage its lists, and whether it is an
    /// Admin (which decides what it may see).
    async fn member(&self, caller: &Caller, member: MemberId) -> ServiceResult<bool> {
        if member != caller.id() && !caller.is_admin() {
            return Err(ServiceError::forbidden(
                "only the member itself or an Admin may do this",
            ));
        }
        let m = self
            .store
            .member(member)
            .await?
            .filter(|m| !m.is_inactive)
            .ok_or_else(|| ServiceError::not_found(format!("no member `{member}`")))?;
        Ok(self
            .account_types
            .cached(m.account_type_id)
            .await?
            .is_some_and(|t| t.is_admin()))
    }

    /// The member's permission on a node and the node's path.
    async fn entry_for(
        &self,
        member: MemberId,
        admin: bool,
        node: Inode,
    ) -> ServiceResult<FileEntry> {
        let path = self.store.inode_path(node.id).await?;
        let permission = self
            .access
            .decide(member, admin, node.id, Some(&path))
            .await?
            .permission;
        Ok(FileEntry {
            path: crate::files::ancestors(&path, node.id),
            node,
            permission,
        })
    }

    /// Marks `inode` a favorite of `member`; the member must be able to see it.
    pub async fn add(
        &self,
        caller: &Caller,
        member: MemberId,
        inode: InodeId,
    ) -> ServiceResult<()> {
        let admin = self.member(caller, member).await?;
        let visible = match self.store.inode(inode).await? {
            Some(n) if !n.is_archived => self
                .access
                .decide(member, admin, n.id, None)
                .await?
                .permission
                .is_some_and(|p| p >= GrantPermission::View),
            _ => false,
        };
        if !visible {
            return Err(ServiceError::not_found(format!(
                "no file `{inode}` the member can see"
            )));
        }
        // To the microsecond (not the API's milliseconds): it orders the list.
        self.store
            .set_favorite(member, inode, time::OffsetDateTime::now_utc())
            .await?;
        Ok(())
    }

    pub async fn remove(
        &self,
        caller: &Caller,
        member: MemberId,
        inode: InodeId,
    ) -> ServiceResult<()> {
        self.member(caller, member).await?;
        if self.store.delete_favorite(member, inode).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(format!(
                "`{inode}` is not a favorite of this member"
            )))
        }
    }

    /// The member's favorites, newest first, that it can still see.
    pub async fn favorites(
        &self,
        caller: &Caller,
        member: MemberId,
        req: PageRequest,
    ) -> ServiceResult<Page<FileEntry>> {
        let admin = self.member(caller, member).await?;
        let (nodes, total) = self
            .store
            .favorite_nodes(member, req.offset(), req.limit)
            .await?;
        self.page(member, admin, nodes, total, req).await
    }

    /// The workbooks the member opened, last first, that it can still see.
    pub async fn recents(
        &self,
        caller: &Caller,
        member: MemberId,
        req: PageRequest,
    ) -> ServiceResult<Page<FileEntry>> {
        let admin = self.member(caller, member).await?;
        let (nodes, total) = self
            .store
            .recent_nodes(member, req.offset(), req.limit)
            .await?;
        self.page(member, admin, nodes, total, req).await
    }

    async fn page(
        &self,
        member: MemberId,
        admin: bool,
        nodes: Vec<Inode>,
        total: u64,
        req: PageRequest,
    ) -> ServiceResult<Page<FileEntry>> {
        // Whether more follow is decided by what the database held, before entries
        // the member can no longer see are left out.
        let seen = req.offset() + nodes.len() as u64;
        let next_page = (seen < total).then_some(req.page + 1);
        let mut entries = Vec::with_capacity(nodes.len());
        for n in nodes {
            let e = self.entry_for(member, admin, n).await?;
            // Access lost since: listed no more (the row stays, for if it returns).
            if e.permission.is_some() {
                entries.push(e);
            }
        }
        Ok(Page {
            entries,
            next_page,
            total,
        })
    }

    /// Records that `member` opened `inode`, without making the caller wait: a
    /// failure is logged, never answered.
    pub fn opened(&self, member: MemberId, inode: InodeId) {
        let store = self.store.clone();
        // The time of the open, not of the write (writes may run out of order), and
        // to the microsecond (not the API's milliseconds): it orders the list.
        let at = time::OffsetDateTime::now_utc();
        tokio::spawn(async move {
            if let Err(e) = store.record_open(member, inode, at).await {
                tracing::warn!(error = %e, "could not record a recent document");
            }
        });
    }
}
