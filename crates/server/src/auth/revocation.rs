//! The in-memory revocation set. Every node holds the revocations of the last
//! access-token lifetime (older ones cannot match a live token); a revocation made on
//! this node is inserted at once, and [`RevocationSet::sync`] reads those made by other
//! nodes sharing the database from the `revocations` feed.

use std::collections::HashSet;
use std::sync::RwLock;
use std::time::Duration;

use sigil_core::{MemberId, TokenFamilyId};
use sigil_store::{RevocationKind, Store, StoreResult};

use super::tokens::AccessClaims;

#[derive(Debug, Default)]
pub struct RevocationSet {
    inner: RwLock<Inner>,
}

/// One set per kind, keyed so that a lookup needs no allocation.
#[derive(Debug, Default)]
struct Inner {
    credentials: HashSet<String>,
    members: HashSet<MemberId>,
    families: HashSet<TokenFamilyId>,
    last_seq: i64,
}

impl Inner {
    fn insert(&mut self, kind: RevocationKind, subject: &str) {
        match kind {
            RevocationKind::Credential => {
                self.credentials.insert(subject.to_owned());
            }
            // A subject that is not a UUID cannot match any token: nothing to hold.
            RevocationKind::Member => {
                if let Ok(id) = subject.parse() {
                    self.members.insert(id);
                }
            }
            RevocationKind::Family => {
                if let Ok(id) = subject.parse() {
                    self.families.insert(id);
                }
            }
        }
    }
}

impl RevocationSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a revocation made on this node; takes effect for the next request.
    pub fn insert(&self, kind: RevocationKind, subject: &str) {
        self.inner
            .write()
            .expect("revocation lock poisoned")
            .insert(kind, subject);
    }

    /// Whether anything the token hangs on has been revoked.
    pub fn is_revoked(&self, c: &AccessClaims) -> bool {
        let g = self.inner.read().expect("revocation lock poisoned");
        c.cid
            .as_ref()
            .is_some_and(|cid| g.credentials.contains(cid))
            || c.fam.is_some_and(|f| g.families.contains(&f))
            || g.members.contains(&c.sub)
            || c.act.is_some_and(|a| g.members.contains(&a))
    }

    /// Reads new entries of the feed, back to one token lifetime ago.
    pub async fn sync(&self, store: &dyn Store, window: Duration) -> StoreResult<usize> {
        let after = self
            .inner
            .read()
            .expect("revocation lock poisoned")
            .last_seq;
        let not_before = time::OffsetDateTime::now_utc() - window;
        let rows = store.revocations_since(after, not_before).await?;
        let n = rows.len();
        if n > 0 {
            let mut g = self.inner.write().expect("revocation lock poisoned");
            for r in rows {
                g.last_seq = g.last_seq.max(r.seq);
                g.insert(r.kind, &r.subject);
            }
        }
        Ok(n)
    }
}
