//! First run: the organization, the built-in account types, the first Admin member
//! and its API client credentials, created in one transaction. Used by `sigil init`
//! and by `sigil serve` on an empty database.

use serde::Serialize;
use sigil_core::member::is_valid_email;
use sigil_core::{
    AccountType, BuiltinAccountType, ClientCredential, CredentialScope, InodeId, Member, MemberId,
    Organization, OrganizationId,
};
use sigil_store::{Bootstrap, Store, StoreError};

use crate::auth::secrets::{
    hash_password_async, new_client_id, new_client_secret, new_password, ClientSecrets,
};

/// What first run prints once: the only time a generated password and secret are
/// shown.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitOutput {
    pub organization_id: OrganizationId,
    pub member_id: MemberId,
    pub email: String,
    pub password: String,
    pub client_id: String,
    pub client_secret: String,
    /// Which values came from the configuration (`bootstrap.*`) rather than being
    /// made here: those are not printed.
    #[serde(skip)]
    pub configured: Configured,
}

/// Which first-run values the configuration named.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Configured {
    pub email: bool,
    pub password: bool,
    pub client: bool,
}

/// What first run creates: the Admin's email and the organization's name, and the
/// password and client credential when they are known in advance.
#[derive(Debug, Clone, Copy)]
pub struct FirstRun<'a> {
    pub admin_email: &'a str,
    pub organization_name: &'a str,
    pub admin_password: Option<&'a str>,
    /// Client ID and secret.
    pub client: Option<(&'a str, &'a str)>,
    /// The Admin's id, when a seed file names it.
    pub admin_id: Option<MemberId>,
}

impl<'a> FirstRun<'a> {
    /// From the configuration: `bootstrap.*` where set (checked by
    /// [`Config::validate`](crate::Config::validate)).
    pub fn from_config(config: &'a crate::Config) -> Self {
        let b = &config.bootstrap;
        FirstRun {
            admin_email: config.first_admin_email(),
            organization_name: &config.organization_name,
            admin_password: b.admin_password.as_ref().map(|p| p.expose().as_str()),
            client: b
                .client_id
                .as_deref()
                .zip(b.client_secret.as_ref().map(|s| s.expose().as_str())),
            admin_id: None,
        }
    }

    fn configured(&self, email_configured: bool) -> Configured {
        Configured {
            email: email_configured,
            password: self.admin_password.is_some(),
            client: self.client.is_some(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("the database already holds an organization; nothing was changed")]
    AlreadyInitialized,
    #[error("`{0}` is not an email address")]
    InvalidEmail(String),
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for InitError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::AlreadyInitialized => InitError::AlreadyInitialized,
            other => InitError::Store(other),
        }
    }
}

pub async fn initialize(
    store: &dyn Store,
    secrets: &ClientSecrets,
    admin_email: &str,
    organization_name: &str,
) -> Result<InitOutput, InitError> {
    let run = FirstRun {
        admin_email,
        organization_name,
        admin_password: None,
        client: None,
        admin_id: None,
    };
    initialize_with(store, secrets, &run, false).await
}

/// Like [`initialize`], with what the configuration names; `email_configured` says
/// whether the email came from it (and so is not printed).
pub async fn initialize_with(
    store: &dyn Store,
    secrets: &ClientSecrets,
    run: &FirstRun<'_>,
    email_configured: bool,
) -> Result<InitOutput, InitError> {
    let admin_email = run.admin_email;
    let organization_name = run.organization_name;
    if !is_valid_email(admin_email) {
        return Err(InitError::InvalidEmail(admin_email.to_owned()));
    }
    // Checked first so that a second `init` does not spend an argon2 hash; the
    // transaction below is still what guarantees one organization.
    if store.organization().await?.is_some() {
        return Err(InitError::AlreadyInitialized);
    }
    let now = sigil_core::clock::now();
    let organization = Organization {
        id: OrganizationId::new(),
        name: organization_name.to_owned(),
        created_at: now,
    };
    let account_types: Vec<AccountType> = BuiltinAccountType::ALL
        .into_iter()
        .map(|k| AccountType::builtin(organization.id, k))
        .collect();
    let admin_type = account_types
        .iter()
        .find(|t| t.is_admin())
        .expect("the built-in types include Admin");
    let password = run
        .admin_password
        .map(str::to_owned)
        .unwrap_or_else(new_password);
    let mut admin = Member::new(organization.id, admin_email, admin_type.id, None, now);
    if let Some(id) = run.admin_id {
        admin.id = id;
    }
    admin.first_name = "Admin".into();
    admin.password_hash = Some(hash_password_async(password.clone()).await);
    admin.home_folder_id = Some(InodeId::new());
    let (client_id, client_secret) = match run.client {
        Some((id, secret)) => (id.to_owned(), secret.to_owned()),
        None => (new_client_id(), new_client_secret()),
    };
    let (secret_hash, secret_sealed) = secrets.protect(&client_id, &client_secret);
    let credential = ClientCredential {
        client_id: client_id.clone(),
        organization_id: organization.id,
        owner_id: admin.id,
        name: "initial admin credentials".into(),
        description: "Created by sigil on first run.".into(),
        scopes: vec![CredentialScope::Api],
        secret_hash,
        secret_sealed: Some(secret_sealed),
        created_by: Some(admin.id),
        created_at: now,
        revoked_at: None,
    };
    let out = InitOutput {
        organization_id: organization.id,
        member_id: admin.id,
        email: admin.email.clone(),
        password,
        client_id,
        client_secret,
        configured: run.configured(email_configured),
    };
    store
        .bootstrap(&Bootstrap {
            organization,
            account_types,
            admin,
            credential,
        })
        .await?;
    Ok(out)
}

/// First start on an empty database: initializes it as `sigil init` would, and
/// answers what to print once. `None` when it holds an organization already (or
/// another node, sharing it, initialized it first).
pub async fn initialize_if_empty(
    store: &dyn Store,
    secrets: &ClientSecrets,
    run: &FirstRun<'_>,
    email_configured: bool,
) -> Result<Option<InitOutput>, InitError> {
    if store.organization().await?.is_some() {
        return Ok(None);
    }
    match initialize_with(store, secrets, run, email_configured).await {
        Ok(out) => Ok(Some(out)),
        Err(InitError::AlreadyInitialized) => Ok(None),
        Err(e) => Err(e),
    }
}

/// `sigil member set-password`: an operator's command, run without a caller. Answers
/// the member's email.
pub async fn set_password_by_email(
    store: &dyn Store,
    email: &str,
    password: String,
) -> anyhow::Result<String> {
    use anyhow::Context;
    let member = store
        .member_by_email(email)
        .await?
        .with_context(|| format!("no member has the email `{email}`"))?;
    let hash = hash_password_async(password).await;
    store
        .set_member_password(member.id, &hash, sigil_core::clock::now())
        .await?;
    Ok(member.email)
}
