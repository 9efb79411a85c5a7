//! Account types by id, kept in memory. Sigil has no operation that changes an
//! account type in place (only create and delete), so an entry never goes stale: a
//! miss reads the database, a delete drops the entry on this node, and a type deleted
//! on another node lingers here harmlessly because no member holds it any more.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use sigil_core::{AccountType, AccountTypeId};
use sigil_store::{Store, StoreResult};

#[derive(Debug, Default)]
pub struct AccountTypeCache {
    map: RwLock<HashMap<AccountTypeId, Arc<AccountType>>>,
}

impl AccountTypeCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn get(
        &self,
        store: &dyn Store,
        id: AccountTypeId,
    ) -> StoreResult<Option<Arc<AccountType>>> {
        if let Some(t) = self
            .map
            .read()
            .expect("account type cache lock poisoned")
            .get(&id)
        {
            return Ok(Some(t.clone()));
        }
        let Some(t) = store.account_type(id).await? else {
            return Ok(None);
        };
        let t = Arc::new(t);
        self.map
            .write()
            .expect("account type cache lock poisoned")
            .insert(id, t.clone());
        Ok(Some(t))
    }

    pub fn forget(&self, id: AccountTypeId) {
        self.map
            .write()
            .expect("account type cache lock poisoned")
            .remove(&id);
    }
}
