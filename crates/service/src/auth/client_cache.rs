//! A small cache of client credentials and their owners, so that the token endpoint
//! does not read two rows per request. Entries are never trusted on their own: the
//! revocation set is consulted for the credential and the owner on every use, and an
//! entry older than a minute is read again (a safety net for changes made on other
//! nodes that the feed does not carry).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sigil_core::{ClientCredential, Member};

const TTL: Duration = Duration::from_secs(60);
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug)]
pub struct CachedClient {
    pub credential: ClientCredential,
    pub owner: Member,
    /// When it was read, in Unix milliseconds, to compare with member revocations.
    pub fetched_unix: i64,
    fetched: Instant,
}

#[derive(Debug, Default)]
pub struct ClientCache {
    entries: RwLock<HashMap<String, Arc<CachedClient>>>,
}

impl ClientCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, client_id: &str) -> Option<Arc<CachedClient>> {
        let g = self.entries.read().expect("client cache lock poisoned");
        g.get(client_id)
            .filter(|c| c.fetched.elapsed() < TTL)
            .cloned()
    }

    pub fn put(&self, credential: ClientCredential, owner: Member) -> Arc<CachedClient> {
        let entry = Arc::new(CachedClient {
            credential,
            owner,
            fetched_unix: super::revocation::now_ms(),
            fetched: Instant::now(),
        });
        let mut g = self.entries.write().expect("client cache lock poisoned");
        if g.len() >= MAX_ENTRIES {
            // Rare (ten thousand distinct clients within a minute): start afresh
            // rather than keep an eviction order on the hot path.
            g.clear();
        }
        g.insert(entry.credential.client_id.clone(), entry.clone());
        entry
    }

    pub fn remove(&self, client_id: &str) {
        self.entries
            .write()
            .expect("client cache lock poisoned")
            .remove(client_id);
    }
}
