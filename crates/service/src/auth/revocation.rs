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

    /// Whether anything the token hangs on was revoked after it was issued.
    pub fn is_revoked(&self, c: &AccessClaims) -> bool {
        let g = self.inner.read().expect("revocation lock poisoned");
        c.cid
            .as_ref()
            .is_some_and(|cid| g.credentials.contains_key(cid))
            || c.fam.is_some_and(|f| voids(&g.families, &f, c.iat_ms))
            || voids(&g.members, &c.sub, c.iat_ms)
            || c.act.is_some_and(|a| voids(&g.members, &a, c.iat_ms))
    }

    /// Whether client credentials were revoked (they never come back).
    pub fn is_credential_revoked(&self, client_id: &str) -> bool {
        let g = self.inner.read().expect("revocation lock poisoned");
        g.credentials.contains_key(client_id)
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

        let c = claims(now + 100_000);
        set.insert(RevocationKind::Credential, "cid");
        assert!(set.is_revoked(&c), "revoked credentials never come back");
        assert!(set.is_credential_revoked("cid"));
        set.insert(RevocationKind::Family, "not-a-uuid");
    }
}
