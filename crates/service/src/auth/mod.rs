//! Authentication: [`Auth`], the service behind tokens and client credentials; keys,
//! access tokens, client secrets and passwords, the revocation set, and [`grants`],
//! the OAuth grants shared by `/v2/auth/token`, the Report token API and the web
//! sign-in.

pub mod client_cache;
pub mod grants;
pub mod keys;
pub mod revocation;
pub mod secrets;
pub mod tokens;

use std::sync::Arc;
use std::time::Duration;

use sigil_core::{ClientCredential, CredentialScope, MemberId, OrganizationId};
use sigil_store::{RevocationKind, Store};

pub use grants::{AuthFailure, ClientAuth, Exchange, Issued};
pub use revocation::RevocationSet;
pub use tokens::{AccessClaims, TokenError, TokenIssuer};

use crate::account_types::AccountTypes;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::members::Members;
use client_cache::ClientCache;
use secrets::{new_client_id, new_client_secret, ClientSecrets};

const MAX_NAME: usize = 255;
const MAX_DESCRIPTION: usize = 1024;

/// New client credentials for a member.
#[derive(Debug, Clone, Default)]
pub struct NewClientCredentials {
    /// The member the credentials act as.
    pub owner_id: String,
    pub name: String,
    pub description: Option<String>,
    /// `api` and/or `embed`; `["api"]` when absent.
    pub scopes: Option<Vec<String>>,
}

/// Credentials just made: the only time the secret is known.
#[derive(Debug, Clone)]
pub struct CreatedClientCredentials {
    pub credential: ClientCredential,
    pub client_secret: String,
}

/// Tokens, client credentials and who a token acts as.
pub struct Auth {
    store: Arc<dyn Store>,
    organization: OrganizationId,
    tokens: TokenIssuer,
    secrets: ClientSecrets,
    revocations: Arc<RevocationSet>,
    clients: ClientCache,
    account_types: Arc<AccountTypes>,
    members: Arc<Members>,
    refresh_ttl_secs: u64,
    /// An argon2 hash of a random password, verified against when an email is
    /// unknown so that timing does not reveal which emails exist. Made on first use.
    dummy_hash: tokio::sync::OnceCell<String>,
}

/// What [`Auth`] is built from.
pub struct AuthParts {
    pub store: Arc<dyn Store>,
    pub organization: OrganizationId,
    pub tokens: TokenIssuer,
    pub secrets: ClientSecrets,
    pub revocations: Arc<RevocationSet>,
    pub account_types: Arc<AccountTypes>,
    pub members: Arc<Members>,
    pub refresh_ttl_secs: u64,
}

impl Auth {
    pub fn new(p: AuthParts) -> Self {
        Auth {
            store: p.store,
            organization: p.organization,
            tokens: p.tokens,
            secrets: p.secrets,
            revocations: p.revocations,
            clients: ClientCache::new(),
            account_types: p.account_types,
            members: p.members,
            refresh_ttl_secs: p.refresh_ttl_secs,
            dummy_hash: tokio::sync::OnceCell::new(),
        }
    }

    /// The issuer of access tokens (tests issue tokens at chosen times with it).
    pub fn tokens(&self) -> &TokenIssuer {
        &self.tokens
    }

    /// What protects client secrets (hashing and sealing).
    pub fn secrets(&self) -> &ClientSecrets {
        &self.secrets
    }

    pub fn revocations(&self) -> &RevocationSet {
        &self.revocations
    }

    /// Reads revocations made by other nodes sharing the database, within `window`;
    /// answers how many were new.
    pub async fn sync_revocations(&self, window: Duration) -> ServiceResult<usize> {
        Ok(self.revocations.sync(self.store.as_ref(), window).await?)
    }

    /// Checks an access token's signature, expiry, organization and revocation. No
    /// database round trip.
    pub fn verify(&self, token: &str) -> ServiceResult<AccessClaims> {
        let claims = self.tokens.verify(token).map_err(|e| match e {
            TokenError::Expired => {
                ServiceError::Unauthenticated("the access token has expired".into())
            }
            TokenError::Invalid => {
                ServiceError::Unauthenticated("the access token is invalid".into())
            }
        })?;
        if claims.org != self.organization {
            return Err(ServiceError::Unauthenticated(
                "the access token is invalid".into(),
            ));
        }
        if self.revocations.is_revoked(&claims) {
            return Err(ServiceError::Unauthenticated(
                "the access token has been revoked".into(),
            ));
        }
        Ok(claims)
    }

    /// The caller a token acts as: its member, active, and its account type.
    pub async fn caller(&self, member: MemberId) -> ServiceResult<Caller> {
        let member = self
            .members
            .cached(member)
            .await?
            .filter(|m| !m.is_inactive)
            .ok_or_else(|| {
                ServiceError::Unauthenticated(
                    "the access token's member is no longer active".into(),
                )
            })?;
        let account_type = self.account_types.of_member(member.account_type_id).await?;
        Ok(Caller {
            member,
            account_type,
        })
    }

    async fn dummy_password_hash(&self) -> String {
        self.dummy_hash
            .get_or_init(|| secrets::hash_password_async(secrets::new_password()))
            .await
            .clone()
    }

    /// Creates client credentials acting as `owner_id`. Admin only. The secret is in
    /// the answer and nowhere else: sigil keeps a keyed hash of it.
    pub async fn create_client_credentials(
        &self,
        caller: &Caller,
        req: NewClientCredentials,
    ) -> ServiceResult<CreatedClientCredentials> {
        caller.require_admin()?;
        let owner_id: MemberId = req.owner_id.parse().map_err(|_| {
            ServiceError::invalid_field(
                "ownerId",
                format!("ownerId `{}` is not a member id", req.owner_id),
            )
        })?;
        let name = req.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(ServiceError::invalid_field(
                "name",
                format!("name must be 1 to {MAX_NAME} characters"),
            ));
        }
        let description = req.description.unwrap_or_default();
        if description.chars().count() > MAX_DESCRIPTION {
            return Err(ServiceError::invalid_field(
                "description",
                format!("description must be at most {MAX_DESCRIPTION} characters"),
            ));
        }
        let scopes = match req.scopes {
            None => vec![CredentialScope::Api],
            Some(list) if list.is_empty() => {
                return Err(ServiceError::invalid_field(
                    "scopes",
                    "scopes must not be empty; omit it for [\"api\"]",
                ))
            }
            Some(list) => {
                let mut out = Vec::new();
                for s in &list {
                    let scope = CredentialScope::parse(s).ok_or_else(|| {
                        ServiceError::invalid_field(
                            "scopes",
                            format!("unknown scope `{s}`: use `api` or `embed`"),
                        )
                    })?;
                    if !out.contains(&scope) {
                        out.push(scope);
                    }
                }
                out
            }
        };
        let owner = self.members.active(owner_id).await?.ok_or_else(|| {
            ServiceError::invalid_field(
                "ownerId",
                format!("ownerId `{owner_id}` names no active member"),
            )
        })?;
        let client_id = new_client_id();
        let client_secret = new_client_secret();
        let (secret_hash, secret_sealed) = self.secrets.protect(&client_id, &client_secret);
        let credential = ClientCredential {
            client_id: client_id.clone(),
            organization_id: self.organization,
            owner_id: owner.id,
            name: name.to_owned(),
            description,
            scopes,
            secret_hash,
            secret_sealed: Some(secret_sealed),
            created_by: Some(caller.id()),
            created_at: sigil_core::clock::now(),
            revoked_at: None,
        };
        self.store.insert_client_credential(&credential).await?;
        tracing::info!(%client_id, owner = %owner.id, "client credentials created");
        Ok(CreatedClientCredentials {
            credential,
            client_secret,
        })
    }

    /// Client credentials not revoked, by name. Admin only. Never a secret: sigil
    /// keeps only a keyed hash of each.
    pub async fn list_client_credentials(
        &self,
        caller: &Caller,
    ) -> ServiceResult<Vec<ClientCredential>> {
        caller.require_admin()?;
        Ok(self.store.list_client_credentials().await?)
    }

    /// Revokes client credentials and every token issued from them, at once. Admin
    /// only.
    pub async fn revoke_client_credentials(
        &self,
        caller: &Caller,
        client_id: &str,
    ) -> ServiceResult<()> {
        caller.require_admin()?;
        let revoked = self
            .store
            .revoke_client_credential(client_id, sigil_core::clock::now())
            .await?;
        if !revoked {
            return Err(ServiceError::not_found(format!(
                "no credentials with client ID `{client_id}`"
            )));
        }
        // Effective on this node for the very next request; other nodes read the feed.
        self.revocations
            .insert(RevocationKind::Credential, client_id);
        self.clients.remove(client_id);
        tracing::info!(client_id, "client credentials revoked");
        Ok(())
    }
}
