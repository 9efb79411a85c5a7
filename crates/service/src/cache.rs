//! [`GenCache`]: reads remembered under the store's write generation
//! ([`Store::generation`]).
//!
//! On SQLite one process sees every write, so a read made under generation `g` is
//! current until the generation moves; the hot reads of a request (the caller's member
//! row, the node it names, its permission there, a rendered page of grants, a
//! connector ready to call) are then served from memory. On PostgreSQL the generation
//! also moves on for every other node's write the store hears of (LISTEN/NOTIFY), and
//! while it cannot hear them it answers no generation and nothing is remembered.
//! Callers that miss the same entry together wait for one load (after a write every
//! connection misses at once). Each service owns the caches of the data it owns.
//!
//! [`Store::generation`]: sigil_store::Store::generation

use sigil_store::Store;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

/// One load under way, which callers missing the same entry share.
type Loading<V> = Arc<OnceCell<V>>;

/// A bounded map of values, each tagged with the generation it was read under.
pub struct GenCache<K, V> {
    entries: Mutex<HashMap<K, (u64, V)>>,
    /// Loads under way, by key and generation.
    loading: Mutex<HashMap<(K, u64), Loading<V>>>,
    capacity: usize,
}

impl<K: Eq + Hash + Clone, V: Clone> GenCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        GenCache {
            entries: Mutex::new(HashMap::new()),
            loading: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// The value remembered for `key`, if it was read under generation `now`.
    pub fn get(&self, key: &K, now: Option<u64>) -> Option<V> {
        let now = now?;
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        match entries.get(key) {
            Some((g, v)) if *g == now => Some(v.clone()),
            _ => None,
        }
    }

    /// The value for `key`: remembered, or made by `load` and remembered under the
    /// generation read *before* `load` runs, so that a write finishing during the load
    /// leaves the entry already stale.
    pub async fn get_or_load<E, Fut>(
        &self,
        store: &dyn Store,
        key: K,
        load: impl FnOnce() -> Fut,
    ) -> Result<V, E>
    where
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        self.get_or_load_at(store.generation(), key, load).await
    }

    /// [`get_or_load`](Self::get_or_load) under a generation read by the caller.
    /// Callers missing the same entry under the same generation together run one
    /// `load` and share its value; if it fails, the next of them tries its own.
    pub async fn get_or_load_at<E, Fut>(
        &self,
        generation: Option<u64>,
        key: K,
        load: impl FnOnce() -> Fut,
    ) -> Result<V, E>
    where
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        if let Some(v) = self.get(&key, generation) {
            return Ok(v);
        }
        let Some(g) = generation else {
            return load().await;
        };
        let cell = {
            let mut loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
            // Loads of older generations can no longer be remembered.
            loading.retain(|(_, lg), _| *lg == g);
            loading.entry((key.clone(), g)).or_default().clone()
        };
        let loaded = cell.get_or_try_init(load).await.cloned();
        // Whoever takes the finished load off the list files its value, once.
        let first = {
            let mut loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
            let ours = loading
                .get(&(key.clone(), g))
                .is_some_and(|c| Arc::ptr_eq(c, &cell));
            ours && loading.remove(&(key.clone(), g)).is_some()
        };
        let v = loaded?;
        if first {
            self.put(key, Some(g), v.clone());
        }
        Ok(v)
    }

    /// Remembers `value`, read under generation `read_under` (taken *before* the read,
    /// so that a write finishing during the read leaves the entry already stale).
    pub fn put(&self, key: K, read_under: Option<u64>, value: V) {
        let Some(g) = read_under else { return };
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(&key) {
            // Entries of older generations are dead weight; drop them first, and
            // everything when the live ones alone fill the map.
            entries.retain(|_, (eg, _)| *eg == g);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(key, (g, value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_is_served_only_under_its_generation() {
        let c = GenCache::new(8);
        c.put("a", Some(1), 10);
        assert_eq!(c.get(&"a", Some(1)), Some(10));
        assert_eq!(c.get(&"a", Some(2)), None, "a write happened since");
        assert_eq!(c.get(&"a", None), None, "no generation: nothing is served");
        c.put("b", None, 20);
        assert_eq!(c.get(&"b", None), None);
    }

    #[tokio::test]
    async fn callers_missing_together_share_one_load() {
        let c: Arc<GenCache<&str, u32>> = Arc::new(GenCache::new(8));
        let loads = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let (tx, rx) = tokio::sync::watch::channel(false);
        let mut callers = Vec::new();
        for _ in 0..8 {
            let (c, loads, mut rx) = (c.clone(), loads.clone(), rx.clone());
            callers.push(tokio::spawn(async move {
                c.get_or_load_at(Some(1), "k", || async move {
                    loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    // Held until every caller has asked.
                    rx.wait_for(|go| *go).await.unwrap();
                    Ok::<u32, ()>(7)
                })
                .await
            }));
        }
        tokio::task::yield_now().await;
        tx.send(true).unwrap();
        for caller in callers {
            assert_eq!(caller.await.unwrap(), Ok(7));
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert_eq!(c.get(&"k", Some(1)), Some(7), "and it is remembered");
        // A failed load is not shared: the next caller loads again.
        let failed = c
            .get_or_load_at(Some(2), "k", || async { Err::<u32, &str>("down") })
            .await;
        assert_eq!(failed, Err("down"));
        let again = c
            .get_or_load_at(Some(2), "k", || async { Ok::<u32, &str>(8) })
            .await;
        assert_eq!(again, Ok(8));
        assert!(
            c.loading.lock().unwrap().is_empty(),
            "no load is left behind"
        );
    }

    #[test]
    fn the_map_stays_within_its_capacity() {
        let c = GenCache::new(2);
        c.put(1, Some(1), ());
        c.put(2, Some(1), ());
        c.put(3, Some(2), ());
        assert_eq!(c.get(&1, Some(1)), None, "stale entries went first");
        assert_eq!(c.get(&3, Some(2)), Some(()));
        c.put(4, Some(2), ());
        c.put(5, Some(2), ());
        assert!(c.entries.lock().unwrap().len() <= 2);
    }
}
