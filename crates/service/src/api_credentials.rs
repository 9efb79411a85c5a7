//! API credentials (Sigma's `/v2/api-credentials`): outbound credentials for API
//! connectors. Secrets are sealed (AES-256-GCM, bound to the credential's id) before
//! they reach the store and are never answered, logged or put in an error. Needs
//! `manage-api-connectors`.

use std::sync::Arc;

use serde_json::Value;
use sigil_connect::credential::{Credential, UsableCredential};
use sigil_connect::policy::Allowlist;
use sigil_connect::sealing::Keyring;
use sigil_core::{clock, ApiCredentialId, Permission};
use sigil_store::{ApiCredential, Store};

use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{token_page, TokenList, TokenPage};

/// `a`, `a` and `b`, or `a`, `b` and 3 more: names in a message.
pub fn quoted_list(names: &[String]) -> String {
    let q: Vec<String> = names.iter().take(3).map(|n| format!("`{n}`")).collect();
    match (q.len(), names.len()) {
        (_, n) if n > 3 => format!("{} and {} more", q.join(", "), n - 3),
        (1, _) => q[0].clone(),
        _ => format!("{} and {}", q[..q.len() - 1].join(", "), q[q.len() - 1]),
    }
}

/// A display name of an API credential or connector: trimmed, 1 to 200 characters.
pub fn display_name(name: &str) -> ServiceResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(ServiceError::invalid_field(
            "name",
            "name must hold 1 to 200 characters",
        ));
    }
    Ok(n.to_owned())
}

/// A new credential.
#[derive(Debug, Clone)]
pub struct NewApiCredential {
    pub name: String,
    pub description: Option<String>,
    /// Hostname globs; required, not empty; `["*"]` allows any host.
    pub allowlist: Vec<String>,
    /// `{"authMethod": "basic", "basic": {…}}`, and so on.
    pub credential: Value,
}

/// A change to a credential; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ApiCredentialUpdate {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub allowlist: Option<Vec<String>>,
    /// Replaces the method and every secret; `None` keeps the stored secrets.
    pub credential: Option<Value>,
    /// With `credential` of the stored method: a secret it leaves out or empty keeps
    /// the stored one (a form that never shows secrets sends them this way).
    pub keep_secrets: bool,
}

pub struct ApiCredentials {
    store: Arc<dyn Store>,
    keyring: Arc<Keyring>,
}

/// Parses a credential's JSON, with errors that name the field but never quote a
/// value (it may be a secret).
pub fn parse_credential(v: Value) -> ServiceResult<Credential> {
    let method = v
        .get("authMethod")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let c: Credential = serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        // serde's "invalid type/value" messages quote the value, which may be a
        // secret: only messages about names are passed on.
        let inner = if ["missing field", "unknown field", "unknown variant"]
            .iter()
            .any(|p| inner.starts_with(p))
        {
            inner
        } else {
            "has the wrong type".to_owned()
        };
        match method {
            None => ServiceError::invalid_field(
                "credential.authMethod",
                "credential.authMethod is required: basic, bearer, apiKey, oAuthClientCredentials, \
                 oAuthAuthorizationCode, oAuthPasswordCredentials or awsSigV4",
            ),
            Some(_) if path == "." => {
                ServiceError::invalid_field("credential", format!("credential: {inner}"))
            }
            Some(_) => ServiceError::invalid_field(
                format!("credential.{path}"),
                format!("credential.{path}: {inner}"),
            ),
        }
    })?;
    c.validate()
        .map_err(|e| ServiceError::invalid_field(e.field.clone(), e.to_string()))?;
    Ok(c)
}

fn check_allowlist(list: &[String]) -> ServiceResult<()> {
    Allowlist::parse(list)
        .map(|_| ())
        .map_err(|e| ServiceError::invalid_field("allowlist", format!("allowlist: {e}")))
}

impl ApiCredentials {
    pub fn new(store: Arc<dyn Store>, keyring: Arc<Keyring>) -> Self {
        ApiCredentials { store, keyring }
    }

    /// The unarchived credential `id`, or "not found".
    pub async fn load(&self, id: ApiCredentialId) -> ServiceResult<ApiCredential> {
        self.store
            .api_credential(id)
            .await?
            .filter(|c| !c.is_archived)
            .ok_or_else(|| ServiceError::not_found(format!("no API credential `{id}`")))
    }

    fn seal(&self, id: ApiCredentialId, c: &Credential) -> ServiceResult<String> {
        let plain = serde_json::to_vec(c).map_err(ServiceError::internal)?;
        Ok(self.keyring.seal(&plain, id.0.as_bytes()))
    }

    /// Opens a stored credential for use by the engine.
    pub fn usable(&self, c: &ApiCredential) -> ServiceResult<UsableCredential> {
        let fail = |e: String| ServiceError::internal(anyhow::anyhow!("credential {}: {e}", c.id));
        let plain = self
            .keyring
            .open(&c.sealed, c.id.0.as_bytes())
            .map_err(|e| fail(e.to_string()))?;
        let credential: Credential =
            serde_json::from_slice(&plain).map_err(|e| fail(e.to_string()))?;
        let allowlist = Allowlist::parse(&c.allowlist).map_err(|e| fail(e.to_string()))?;
        Ok(UsableCredential {
            cache_key: format!("{}@{}", c.id, c.updated_at.unix_timestamp_nanos()),
            credential,
            allowlist,
        })
    }

    /// Unarchived credentials by name. Never any secret.
    pub async fn list(
        &self,
        caller: &Caller,
        page: TokenPage,
    ) -> ServiceResult<TokenList<ApiCredential>> {
        caller.require(Permission::ManageApiConnectors)?;
        let after = page.after.map(|(n, id)| (n, ApiCredentialId::from(id)));
        let rows = self
            .store
            .list_api_credentials(page.name.as_deref(), after, page.size + 1)
            .await?;
        Ok(token_page(rows, page.size, |c| (&c.name, c.id.0)))
    }

    pub async fn create(
        &self,
        caller: &Caller,
        req: NewApiCredential,
    ) -> ServiceResult<ApiCredential> {
        caller.require(Permission::ManageApiConnectors)?;
        let row = self.row(ApiCredentialId::new(), req, caller.id(), clock::now())?;
        self.store.insert_api_credential(&row).await?;
        tracing::info!(credential = %row.id, method = row.auth_method, "API credential created");
        Ok(row)
    }

    /// A new credential's record, checked and sealed, not yet stored (also used by
    /// seed files, which choose the id).
    pub fn row(
        &self,
        id: ApiCredentialId,
        req: NewApiCredential,
        by: sigil_core::MemberId,
        now: time::OffsetDateTime,
    ) -> ServiceResult<ApiCredential> {
        let name = display_name(&req.name)?;
        check_allowlist(&req.allowlist)?;
        let credential = parse_credential(req.credential)?;
        Ok(ApiCredential {
            id,
            name,
            description: req.description,
            auth_method: credential.auth_method().to_owned(),
            allowlist: req.allowlist,
            public: credential.public().to_string(),
            sealed: self.seal(id, &credential)?,
            is_archived: false,
            created_by: by,
            updated_by: by,
            created_at: now,
            updated_at: now,
        })
    }

    /// The whole credential, secrets included, as its JSON was given (for `sigil
    /// export --include-secrets`, an operator's command).
    pub fn reveal(&self, c: &ApiCredential) -> ServiceResult<Value> {
        let usable = self.usable(c)?;
        serde_json::to_value(&usable.credential).map_err(ServiceError::internal)
    }

    pub async fn get(&self, caller: &Caller, id: ApiCredentialId) -> ServiceResult<ApiCredential> {
        caller.require(Permission::ManageApiConnectors)?;
        self.load(id).await
    }

    /// Omitted fields stay; without `credential` the stored secrets stay.
    pub async fn update(
        &self,
        caller: &Caller,
        id: ApiCredentialId,
        req: ApiCredentialUpdate,
    ) -> ServiceResult<ApiCredential> {
        caller.require(Permission::ManageApiConnectors)?;
        let mut row = self.load(id).await?;
        if let Some(n) = &req.name {
            row.name = display_name(n)?;
        }
        if let Some(d) = req.description {
            row.description = d;
        }
        if let Some(a) = req.allowlist {
            check_allowlist(&a)?;
            row.allowlist = a;
        }
        if let Some(mut c) = req.credential {
            if req.keep_secrets {
                let stored = self.usable(&row)?.credential;
                c = sigil_connect::credential::keep_stored_secrets(c, &stored);
            }
            let credential = parse_credential(c)?;
            row.auth_method = credential.auth_method().to_owned();
            row.public = credential.public().to_string();
            row.sealed = self.seal(row.id, &credential)?;
        }
        row.updated_by = caller.id();
        row.updated_at = clock::now();
        if !self.store.update_api_credential(&row).await? {
            return Err(ServiceError::not_found(format!("no API credential `{id}`")));
        }
        Ok(row)
    }

    /// Archives a credential, unless a connector still calls with it.
    pub async fn archive(&self, caller: &Caller, id: ApiCredentialId) -> ServiceResult<()> {
        caller.require(Permission::ManageApiConnectors)?;
        let mut row = self.load(id).await?;
        let users = self.store.connectors_using_credential(id).await?;
        if !users.is_empty() {
            return Err(ServiceError::conflict(format!(
                "credential `{}` is used by {} {}: give {} another credential first",
                row.name,
                if users.len() == 1 {
                    "connector"
                } else {
                    "connectors"
                },
                quoted_list(&users),
                if users.len() == 1 { "it" } else { "them" },
            )));
        }
        row.is_archived = true;
        row.updated_by = caller.id();
        row.updated_at = clock::now();
        self.store.update_api_credential(&row).await?;
        Ok(())
    }
}
