//! The in-memory revocation set. Every node holds the revocations of the last
//! access-token lifetime (older ones cannot match a live token); a revocation made on
//! this node is inserted at once, and [`RevocationSet::sync`] reads those made by other
//! nodes sharing the database from the `revocations` feed.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use sigil_core::{MemberId, TokenFamilyId};
use sigil_store::{RevocationKind, Store, StoreResult};

use super::tokens::AccessClaims;

#[derive(Debug, Default)]
pub struct RevocationSet {
    inner: RwLock<Inner>,
}

/// One map per kind, keyed so that a lookup needs no allocation. Each value is when
/// the revocation happened (Unix milliseconds): it voids tokens issued at or before
/// then, so a member who is reactivated later can be issued new tokens.
#[derive(Debug, Default)]
struct Inner {
    credentials: HashMap<String, i64>,
    members: HashMap<MemberId, i64>,
    families: HashMap<TokenFamilyId, i64>,
    /// Restored snapshots, as (snapshot taken, restored) in Unix milliseconds: a
    /// token issued in between was issued in a state that no longer exists.
    restores: Vec<(i64, i64)>,
    last_seq: i64,
}

fn record<K: std::hash::Hash + Eq>(map: &mut HashMap<K, i64>, key: K, at: i64) {
    let slot = map.entry(key).or_insert(at);
    *slot = (*slot).max(at);
}

impl Inner {
    fn insert(&mut self, kind: RevocationKind, subject: &str, at: i64) {
        match kind {
            RevocationKind::Credential => record(&mut self.credentials, subject.to_owned(), at),
            // A subject that is not a UUID cannot match any token: nothing to hold.
            RevocationKind::Member => {
                if let Ok(id) = subject.parse() {
                    record(&mut self.members, id, at);
                }
            }
            RevocationKind::Family => {
                if let Ok(id) = subject.parse() {
                    record(&mut self.families, id, at);
                }
            }
            RevocationKind::Restore => {
                if let Ok(since) = subject.parse::<i64>() {
                    if !self.restores.contains(&(since, at)) {
                        self.restores.push((since, at));
                    }
                }
            }
        }
    }
}

fn voids<K: std::hash::Hash + Eq>(map: &HashMap<K, i64>, key: &K, issued_at: i64) -> bool {
    map.get(key).is_some_and(|&at| at >= issued_at)
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

impl RevocationSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a revocation made on this node now; takes effect for the next request.
    pub fn insert(&self, kind: RevocationKind, subject: &str) {
        let now = now_ms();
        self.inner
            .write()
            .expect("revocation lock poisoned")
            .insert(kind, subject, now);
    }

    /// Records a revocation made on this node at `at` (Unix milliseconds), as the
    /// feed will tell other nodes.
    pub fn insert_at(&self, kind: RevocationKind, subject: &str, at: i64) {
        self.inner
            .write()
            .expect("revocation lock poisoned")
            .insert(kind, subject, at);
    }

    /// Whether anything the token hangs on was revoked after it was issued.
    pub fn is_revoked(&self, c: &AccessClaims) -> bool {
        let g = self.inner.read().expect("revocation lock poisoned");
        c.cid
            .as_ref()
            .is_some_and(|cid| voids(&g.credentials, cid, c.iat_ms))
            || c.fam.is_some_and(|f| voids(&g.families, &f, c.iat_ms))
            || voids(&g.members, &c.sub, c.iat_ms)
            || c.act.is_some_and(|a| voids(&g.members, &a, c.iat_ms))
            || g.restores
                .iter()
                .any(|&(since, at)| c.iat_ms > since && c.iat_ms <= at)
    }

    /// Whether client credentials were revoked at or after `since` (Unix ms). A
    /// revoked credential never comes back in the database, except by restoring a
    /// snapshot taken before its revocation: hence a time, as for members.
    pub fn is_credential_revoked_since(&self, client_id: &str, since: i64) -> bool {
        let g = self.inner.read().expect("revocation lock poisoned");
        voids(&g.credentials, &client_id.to_owned(), since)
    }

    /// Whether a snapshot was restored at or after `since` (Unix ms): what was read
    /// before then may describe a state that no longer exists.
    pub fn restored_since(&self, since: i64) -> bool {
        let g = self.inner.read().expect("revocation lock poisoned");
        g.restores.iter().any(|&(_, at)| at >= since)
    }

    /// Whether a member was revoked (deactivated) at or after `since` (Unix ms).
    pub fn is_member_revoked_since(&self, member: MemberId, since: i64) -> bool {
        let g = self.inner.read().expect("revocation lock poisoned");
        voids(&g.members, &member, since)
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
                let at = (r.created_at.unix_timestamp_nanos() / 1_000_000) as i64;
                g.insert(r.kind, &r.subject, at);
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigil_core::OrganizationId;

    fn claims(iat: i64) -> AccessClaims {
        AccessClaims {
            iss: "sigil".into(),
            sub: MemberId::new(),
            org: OrganizationId::new(),
            cid: Some("cid".into()),
            fam: Some(TokenFamilyId::new()),
            act: None,
            jti: uuid::Uuid::new_v4(),
            iat: iat / 1000,
            exp: iat / 1000 + 3600,
            iat_ms: iat,
        }
    }

    #[test]
    fn revocations_void_tokens_issued_before_them() {
        let set = RevocationSet::new();
        let now = now_ms();
        let old = claims(now - 10_000);
        assert!(!set.is_revoked(&old));
        set.insert(RevocationKind::Member, &old.sub.to_string());
        assert!(set.is_revoked(&old));
        // A token issued after the revocation (a reactivated member) is fine.
        let newer = AccessClaims {
            iat_ms: now + 5_000,
            ..old.clone()
        };
        assert!(!set.is_revoked(&newer));
        assert!(set.is_member_revoked_since(old.sub, now - 1_000));
        assert!(!set.is_member_revoked_since(old.sub, now + 5_000));

        let c = claims(now - 1_000);
        set.insert(RevocationKind::Credential, "cid");
        assert!(set.is_revoked(&c));
        assert!(set.is_credential_revoked_since("cid", now - 1_000));
        assert!(!set.is_credential_revoked_since("cid", now + 5_000));
        set.insert(RevocationKind::Family, "not-a-uuid");
    }

    #[test]
    fn a_restore_voids_the_tokens_issued_between_the_snapshot_and_it() {
        let set = RevocationSet::new();
        let now = now_ms();
        let mut g = set.inner.write().unwrap();
        g.insert(RevocationKind::Restore, &(now - 10_000).to_string(), now);
        g.insert(RevocationKind::Restore, "not-a-time", now);
        drop(g);
        let before = claims(now - 20_000);
        let between = claims(now - 5_000);
        let after = claims(now + 1);
        assert!(!set.is_revoked(&before), "issued before the snapshot: kept");
        assert!(set.is_revoked(&between));
        assert!(!set.is_revoked(&after), "issued after the restore: valid");
        assert!(set.restored_since(now - 1));
        assert!(!set.restored_since(now + 1));
    }
}
