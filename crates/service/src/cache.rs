//! [`GenCache`]: reads remembered under the store's write generation
//! ([`Store::generation`]).
//!
//! On SQLite one process sees every write, so a read made under generation `g` is
//! current until the generation moves; the hot reads of a request (the caller's member
//! row, the node it names, its permission there, a rendered page of grants, a
//! connector ready to call) are then served from memory. On PostgreSQL other nodes
//! write unseen, the store answers no generation, and nothing is remembered. Each
//! service owns the caches of the data it owns.
//!
//! [`Store::generation`]: sigil_store::Store::generation

use sigil_store::Store;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// A bounded map of values, each tagged with the generation it was read under.
pub struct GenCache<K, V> {
    entries: Mutex<HashMap<K, (u64, V)>>,
    capacity: usize,
}

impl<K: Eq + Hash, V: Clone> GenCache<K, V> {
    pub fn new(capacity: usize) -> Self {
        GenCache {
            entries: Mutex::new(HashMap::new()),
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
        let generation = store.generation();
        if let Some(v) = self.get(&key, generation) {
            return Ok(v);
        }
        let v = load().await?;
        self.put(key, generation, v.clone());
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
