//! Account types: the built-in and custom ones and their permissions (Sigma's
//! `/v2/accountTypes`), and [`AccountTypeCache`], account types by id kept in memory.
//!
//! Sigil has no operation that changes an account type in place (only create and
//! delete), so a cached entry never goes stale: a miss reads the database, a delete
//! drops the entry on this node, and a type deleted on another node lingers here
//! harmlessly because no member holds it any more.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sigil_core::{AccountType, AccountTypeId, OrganizationId, Permission};
use sigil_store::{DeleteAccountType, Store, StoreResult};

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{page_size_of, TokenList};

/// Account types by id. On SQLite an entry stands until this process changes the
/// type ([`forget`](Self::forget)); on PostgreSQL another node may change it, so an
/// entry stands only under the store generation it was read under.
#[derive(Debug, Default)]
pub struct AccountTypeCache {
    map: RwLock<HashMap<AccountTypeId, Held>>,
}

/// An account type and the store generation it was read under.
type Held = (Option<u64>, Arc<AccountType>);

impl AccountTypeCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub async fn get(
        &self,
        store: &dyn Store,
        id: AccountTypeId,
    ) -> StoreResult<Option<Arc<AccountType>>> {
        let shared = store.dialect() == sigil_store::Dialect::Postgres;
        let now = store.generation();
        if let Some((read_under, t)) = self.map.read().unwrap_or_else(|e| e.into_inner()).get(&id) {
            if !shared || (now.is_some() && *read_under == now) {
                return Ok(Some(t.clone()));
            }
        }
        let Some(t) = store.account_type(id).await? else {
            return Ok(None);
        };
        let t = Arc::new(t);
        if !shared || now.is_some() {
            self.map
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id, (now, t.clone()));
        }
        Ok(Some(t))
    }

    pub fn forget(&self, id: AccountTypeId) {
        self.map
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
    }
}

/// The account types service.
pub struct AccountTypes {
    store: Arc<dyn Store>,
    organization: OrganizationId,
    cache: AccountTypeCache,
}

/// What a new custom account type is made of.
#[derive(Debug, Clone, Default)]
pub struct NewAccountType {
    pub name: String,
    pub description: Option<String>,
    /// Permission names, e.g. `view`, `explore`, `trigger-api-actions`.
    pub permissions: Vec<String>,
}

impl AccountTypes {
    pub fn new(store: Arc<dyn Store>, organization: OrganizationId) -> Self {
        AccountTypes {
            store,
            organization,
            cache: AccountTypeCache::new(),
        }
    }

    /// The account type `id`, from memory when it was read before.
    pub async fn cached(&self, id: AccountTypeId) -> ServiceResult<Option<Arc<AccountType>>> {
        Ok(self.cache.get(self.store.as_ref(), id).await?)
    }

    /// The account type `id`; an error when a member refers to one that is gone.
    pub async fn of_member(&self, id: AccountTypeId) -> ServiceResult<Arc<AccountType>> {
        self.cached(id).await?.ok_or_else(|| {
            ServiceError::internal(anyhow::anyhow!(
                "a member has the dangling account type {id}"
            ))
        })
    }

    /// The names of the account types `ids` name.
    pub async fn names(
        &self,
        ids: impl IntoIterator<Item = AccountTypeId>,
    ) -> ServiceResult<HashMap<AccountTypeId, String>> {
        let mut names = HashMap::new();
        for id in ids {
            if names.contains_key(&id) {
                continue;
            }
            if let Some(t) = self.cached(id).await? {
                names.insert(id, t.name.clone());
            }
        }
        Ok(names)
    }

    /// The account type called `name`, for a field that names one.
    pub async fn named(&self, field: &str, name: &str) -> ServiceResult<AccountTypeId> {
        self.store
            .account_type_by_name(name)
            .await?
            .map(|t| t.id)
            .ok_or_else(|| {
                ServiceError::invalid_field(
                    field,
                    format!("{field} `{name}` names no account type"),
                )
            })
    }

    /// Account types by name; `page_token` is the name after which the page starts.
    pub async fn list(
        &self,
        caller: &Caller,
        page_token: Option<&str>,
        page_size: Option<&str>,
    ) -> ServiceResult<TokenList<AccountType>> {
        caller.require_admin()?;
        let size = page_size_of(page_size)?;
        let after = match page_token.filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(
                URL_SAFE_NO_PAD
                    .decode(t)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| {
                        ServiceError::invalid_field(
                            "pageToken",
                            format!("pageToken `{t}` is not one sigil issued"),
                        )
                    })?,
            ),
        };
        let mut rows = self
            .store
            .list_account_types(after.as_deref(), size + 1)
            .await?;
        let more = rows.len() > size as usize;
        rows.truncate(size as usize);
        let next_page_token = if more {
            rows.last()
                .map(|t| URL_SAFE_NO_PAD.encode(t.name.as_bytes()))
        } else {
            None
        };
        Ok(TokenList {
            entries: rows,
            next_page_token,
        })
    }

    pub async fn get(&self, caller: &Caller, id: AccountTypeId) -> ServiceResult<AccountType> {
        caller.require_admin()?;
        self.store
            .account_type(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(format!("no account type `{id}`")))
    }

    pub async fn create(
        &self,
        caller: &Caller,
        input: NewAccountType,
    ) -> ServiceResult<AccountType> {
        caller.require_admin()?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(ServiceError::invalid_field(
                "name",
                "name must be 1 to 100 characters",
            ));
        }
        let description = input.description.unwrap_or_default();
        if description.chars().count() > 1024 {
            return Err(ServiceError::invalid_field(
                "description",
                "description must be at most 1024 characters",
            ));
        }
        let mut permissions = Vec::new();
        for p in &input.permissions {
            let perm = Permission::parse(p).ok_or_else(|| {
                ServiceError::invalid_field(
                    "permissions",
                    format!(
                        "unknown permission `{p}`; known: {}",
                        Permission::ALL.map(Permission::as_str).join(", ")
                    ),
                )
            })?;
            if !permissions.contains(&perm) {
                permissions.push(perm);
            }
        }
        // Names are matched without regard to case, so two may not differ only by it.
        if let Some(taken) = self.store.account_type_by_name(name).await? {
            return Err(ServiceError::conflict(format!(
                "an account type named `{}` exists",
                taken.name
            )));
        }
        let t = AccountType {
            id: AccountTypeId::new(),
            organization_id: self.organization,
            name: name.to_owned(),
            description,
            builtin: false,
            permissions,
        };
        self.store
            .insert_account_type(&t, sigil_core::clock::now())
            .await?;
        Ok(t)
    }

    /// Deletes a custom account type. Members holding it move to `reassign_to`, in the
    /// same transaction; without it, a type still held is refused and nothing changes.
    pub async fn delete(
        &self,
        caller: &Caller,
        id: AccountTypeId,
        reassign_to: Option<AccountTypeId>,
    ) -> ServiceResult<()> {
        let t = self.get(caller, id).await?;
        if t.builtin {
            return Err(ServiceError::invalid(format!(
                "`{}` is a built-in account type and cannot be deleted",
                t.name
            )));
        }
        if let Some(to) = reassign_to {
            if to == t.id {
                return Err(ServiceError::invalid_field(
                    "reassignToAccountTypeId",
                    "reassignToAccountTypeId must name another account type",
                ));
            }
            if self.store.account_type(to).await?.is_none() {
                return Err(ServiceError::invalid_field(
                    "reassignToAccountTypeId",
                    format!("reassignToAccountTypeId `{to}` names no account type"),
                ));
            }
        }
        match self
            .store
            .delete_account_type(t.id, reassign_to, sigil_core::clock::now())
            .await?
        {
            DeleteAccountType::Deleted { reassigned } => {
                self.cache.forget(t.id);
                tracing::info!(account_type = %t.id, reassigned, "account type deleted");
                Ok(())
            }
            DeleteAccountType::NotFound => {
                Err(ServiceError::not_found(format!("no account type `{id}`")))
            }
            DeleteAccountType::InUse { members } => Err(ServiceError::conflict(format!(
                "{members} member(s) still hold `{}`; pass reassignToAccountTypeId to move them",
                t.name
            ))),
        }
    }
}
