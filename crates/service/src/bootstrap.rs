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

/// What first run prints once: the only time the password and secret are shown.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitOutput {
    pub organization_id: OrganizationId,
    pub member_id: MemberId,
    pub email: String,
    pub password: String,
    pub client_id: String,
    pub client_secret: String,
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
    let password = new_password();
    let mut admin = Member::new(organization.id, admin_email, admin_type.id, None, now);
    admin.first_name = "Admin".into();
    admin.password_hash = Some(hash_password_async(password.clone()).await);
    admin.home_folder_id = Some(InodeId::new());
    let client_id = new_client_id();
    let client_secret = new_client_secret();
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
    admin_email: &str,
    organization_name: &str,
) -> Result<Option<InitOutput>, InitError> {
    if store.organization().await?.is_some() {
        return Ok(None);
    }
    match initialize(store, secrets, admin_email, organization_name).await {
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
