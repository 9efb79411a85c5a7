//! The OAuth grants of [`Auth`]: client credentials, refresh tokens, token exchange
//! (impersonation) and member passwords. Shared by `POST /v2/auth/token`, the Report
//! token API and the web sign-in, which differ only in how they phrase the answer.

use std::sync::Arc;

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sigil_core::{CredentialScope, MemberId, TokenFamilyId};
use sigil_store::{RefreshToken, RevocationKind, RotateOutcome, StoreError};
use time::Duration;

use super::client_cache::CachedClient;
use super::secrets::{new_refresh_token, refresh_token_hash, verify_password_async};
use super::tokens::{AccessClaims, TokenSubject};
use super::Auth;

pub const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";

/// Why a grant failed, in OAuth 2.0 terms (RFC 6749 §5.2).
#[derive(Debug, thiserror::Error)]
pub enum AuthFailure {
    #[error("{0}")]
    InvalidRequest(String),
    /// Unknown client, wrong secret, revoked credential or inactive owner: the
    /// answer does not say which.
    #[error("invalid client credentials")]
    InvalidClient,
    #[error("{0}")]
    InvalidGrant(String),
    #[error("{0}")]
    UnauthorizedClient(String),
    #[error("unsupported grant_type `{0}`")]
    UnsupportedGrantType(String),
    #[error("storage failure")]
    Store(#[from] StoreError),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl AuthFailure {
    pub fn oauth_code(&self) -> &'static str {
        match self {
            AuthFailure::InvalidRequest(_) => "invalid_request",
            AuthFailure::InvalidClient => "invalid_client",
            AuthFailure::InvalidGrant(_) => "invalid_grant",
            AuthFailure::UnauthorizedClient(_) => "unauthorized_client",
            AuthFailure::UnsupportedGrantType(_) => "unsupported_grant_type",
            AuthFailure::Store(_) | AuthFailure::Internal(_) => "server_error",
        }
    }

    /// A service error met while granting a token: only internal ones arise there.
    pub fn from_service(e: crate::error::ServiceError) -> Self {
        AuthFailure::Internal(e.into())
    }
}

/// A new access token and its refresh token.
#[derive(Debug, Clone)]
pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub expires_in: u64,
    pub claims: AccessClaims,
}

/// Client ID and secret as the client sent them.
#[derive(Debug, Clone)]
pub struct ClientAuth {
    pub client_id: String,
    pub client_secret: String,
}

impl Auth {
    /// The credential `client_id`, not revoked, and its active owner; no secret is
    /// checked here.
    async fn client(&self, client_id: &str) -> Result<Arc<CachedClient>, AuthFailure> {
        // An entry read before a revocation of its owner or a restore of a snapshot
        // is read again.
        let cached = self.clients.get(client_id).filter(|c| {
            !self
                .revocations
                .is_member_revoked_since(c.owner.id, c.fetched_unix)
                && !self
                    .revocations
                    .is_credential_revoked_since(&c.credential.client_id, c.fetched_unix)
                && !self.revocations.restored_since(c.fetched_unix)
        });
        let client = match cached {
            Some(c) => c,
            None => {
                let cred = self
                    .store
                    .client_credential(client_id)
                    .await?
                    .filter(|c| !c.is_revoked())
                    .ok_or(AuthFailure::InvalidClient)?;
                let owner = self
                    .store
                    .member(cred.owner_id)
                    .await?
                    .filter(|m| !m.is_inactive)
                    .ok_or(AuthFailure::InvalidClient)?;
                self.clients.put(cred, owner)
            }
        };
        Ok(client)
    }

    /// Checks a client ID and secret; answers the credential and its active owner.
    pub async fn authenticate_client(
        &self,
        auth: &ClientAuth,
    ) -> Result<Arc<CachedClient>, AuthFailure> {
        let client = self.client(&auth.client_id).await?;
        if !self
            .secrets
            .verify(&auth.client_secret, &client.credential.secret_hash)
        {
            return Err(AuthFailure::InvalidClient);
        }
        Ok(client)
    }

    /// Starts a new token family for `member`.
    async fn issue_new(
        &self,
        member: MemberId,
        client_id: Option<String>,
        actor_id: Option<MemberId>,
    ) -> Result<Issued, AuthFailure> {
        let family_id = TokenFamilyId::new();
        let refresh = new_refresh_token();
        let now = sigil_core::clock::now();
        self.store
            .insert_refresh_token(&RefreshToken {
                token_hash: refresh_token_hash(&refresh),
                family_id,
                client_id: client_id.clone(),
                member_id: member,
                actor_id,
                created_at: now,
                expires_at: now + Duration::seconds(self.refresh_ttl_secs as i64),
            })
            .await?;
        Ok(self.sign(member, client_id, Some(family_id), actor_id, refresh))
    }

    fn sign(
        &self,
        member_id: MemberId,
        client_id: Option<String>,
        family_id: Option<TokenFamilyId>,
        actor_id: Option<MemberId>,
        refresh_token: String,
    ) -> Issued {
        let (access_token, claims) = self.tokens.issue(&TokenSubject {
            member_id,
            organization_id: self.organization,
            client_id,
            family_id,
            actor_id,
        });
        Issued {
            access_token,
            refresh_token,
            expires_in: self.tokens.ttl_secs(),
            claims,
        }
    }

    /// `grant_type=client_credentials`: a token acting as the credential's owner.
    pub async fn client_credentials(&self, auth: &ClientAuth) -> Result<Issued, AuthFailure> {
        let client = self.authenticate_client(auth).await?;
        if !client.credential.scopes.contains(&CredentialScope::Api) {
            return Err(AuthFailure::UnauthorizedClient(
                "these client credentials do not have the `api` scope".into(),
            ));
        }
        let cid = client.credential.client_id.clone();
        self.issue_new(client.owner.id, Some(cid), None).await
    }

    /// `grant_type=refresh_token`: rotates the refresh token. When client credentials
    /// are given they must be those the token was issued to.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        client: Option<&ClientAuth>,
    ) -> Result<Issued, AuthFailure> {
        let client_id = match client {
            Some(auth) => Some(
                self.authenticate_client(auth)
                    .await?
                    .credential
                    .client_id
                    .clone(),
            ),
            None => None,
        };
        let next_token = new_refresh_token();
        let now = sigil_core::clock::now();
        let placeholder = RefreshToken {
            token_hash: refresh_token_hash(&next_token),
            // The store copies family, client, member and actor from the presented token.
            family_id: TokenFamilyId::new(),
            client_id: None,
            member_id: MemberId::new(),
            actor_id: None,
            created_at: now,
            expires_at: now + Duration::seconds(self.refresh_ttl_secs as i64),
        };
        let presented = match self
            .store
            .rotate_refresh_token(&refresh_token_hash(refresh_token), &placeholder, now)
            .await?
        {
            RotateOutcome::Rotated(t) => t,
            RotateOutcome::Unknown => {
                return Err(AuthFailure::InvalidGrant("unknown refresh token".into()))
            }
            RotateOutcome::Expired => {
                return Err(AuthFailure::InvalidGrant(
                    "the refresh token has expired".into(),
                ))
            }
            RotateOutcome::Revoked => {
                return Err(AuthFailure::InvalidGrant(
                    "the refresh token has been revoked".into(),
                ))
            }
            RotateOutcome::Reused(family) => {
                self.revocations
                    .insert(RevocationKind::Family, &family.to_string());
                return Err(AuthFailure::InvalidGrant(
                    "the refresh token was already used; every token issued from it is now revoked"
                        .into(),
                ));
            }
        };
        if let Some(cid) = &client_id {
            if presented.client_id.as_ref() != Some(cid) {
                return Err(AuthFailure::InvalidGrant(
                    "the refresh token was not issued to this client".into(),
                ));
            }
        }
        // The owner, and the impersonating admin, must still be active.
        for id in std::iter::once(presented.member_id).chain(presented.actor_id) {
            let active = self.store.member(id).await?.is_some_and(|m| !m.is_inactive);
            if !active {
                return Err(AuthFailure::InvalidGrant(
                    "the refresh token's member is no longer active".into(),
                ));
            }
        }
        Ok(self.sign(
            presented.member_id,
            presented.client_id,
            Some(presented.family_id),
            presented.actor_id,
            next_token,
        ))
    }
}

/// Claims of the self-signed subject token of an impersonation request.
#[derive(Debug, Deserialize)]
struct SubjectClaims {
    sub: Option<String>,
    tenant: Option<String>,
    exp: Option<i64>,
}

/// The parameters of a token-exchange (impersonation) request.
#[derive(Debug)]
pub struct Exchange<'a> {
    /// The Admin's client ID and secret, when sent (HTTP Basic or the body).
    pub client: Option<&'a ClientAuth>,
    pub subject_token: &'a str,
    pub subject_token_type: &'a str,
    /// The Admin's own access token, when sent (as `actor_token` and/or bearer).
    pub actor_token: Option<&'a str>,
}

impl Auth {
    /// `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`: an Admin's client
    /// credentials get a token acting as the member the subject token names.
    ///
    /// As Sigma does it: the subject token is an HS256 JWT signed with the client
    /// secret, whose header `kid` is the client ID and whose `sub` is the member's
    /// email, and the Admin's access token from those credentials is the actor token.
    /// sigil opens the credential's sealed secret to check the signature. The client
    /// ID and secret may be sent instead (or as well); credentials made before sigil
    /// kept secrets sealed can impersonate only that way. Only credentials owned by an
    /// Admin may impersonate, and an Admin may not be impersonated.
    pub async fn token_exchange(&self, ex: Exchange<'_>) -> Result<Issued, AuthFailure> {
        if ex.subject_token_type != JWT_TOKEN_TYPE {
            return Err(AuthFailure::InvalidRequest(format!(
                "subject_token_type must be `{JWT_TOKEN_TYPE}`"
            )));
        }
        // The Admin's access token, if sent: valid, not revoked, from client credentials.
        let actor_client = match ex.actor_token {
            Some(actor) => {
                let claims = self.tokens.verify(actor).map_err(|_| {
                    AuthFailure::InvalidGrant("actor_token is not a valid access token".into())
                })?;
                if self.revocations.is_revoked(&claims) || claims.act.is_some() {
                    return Err(AuthFailure::InvalidGrant(
                        "actor_token must be the Admin's own access token".into(),
                    ));
                }
                Some(claims.cid.ok_or_else(|| {
                    AuthFailure::InvalidGrant(
                        "actor_token was not issued to client credentials".into(),
                    )
                })?)
            }
            None => None,
        };
        // Who asks, and the key of the subject token's signature.
        let (client, key) =
            match (ex.client, actor_client.as_deref()) {
                (Some(auth), actor) => {
                    let client = self.authenticate_client(auth).await?;
                    if actor.is_some_and(|a| a != client.credential.client_id) {
                        return Err(AuthFailure::InvalidGrant(
                            "actor_token was not issued to these client credentials".into(),
                        ));
                    }
                    (client, auth.client_secret.clone())
                }
                (None, Some(cid)) => {
                    let client = self.client(cid).await?;
                    let sealed = client.credential.secret_sealed.as_deref().ok_or_else(|| {
                        AuthFailure::InvalidGrant(format!(
                        "client credentials `{cid}` were created before sigil kept client secrets \
                         sealed, so the subject token's signature cannot be checked: send \
                         client_id and client_secret with the request, or create new credentials"
                    ))
                    })?;
                    let secret = self.secrets.open(cid, sealed).ok_or_else(|| {
                        AuthFailure::Internal(anyhow::anyhow!(
                        "the sealed secret of client credentials {cid} does not open under the \
                         configured sealing keys"
                    ))
                    })?;
                    (client, secret)
                }
                (None, None) => return Err(AuthFailure::InvalidRequest(
                    "token exchange needs actor_token (the Admin's access token from the client \
                     credentials that signed subject_token), or their client_id and client_secret"
                        .into(),
                )),
            };
        let (cred, owner) = (&client.credential, &client.owner);
        let owner_type = self
            .account_types
            .cached(owner.account_type_id)
            .await
            .map_err(AuthFailure::from_service)?
            .ok_or(AuthFailure::InvalidClient)?;
        if !owner_type.is_admin() {
            return Err(AuthFailure::UnauthorizedClient(
            "impersonation needs client credentials owned by a member with the Admin account type"
                .into(),
        ));
        }
        let header = decode_header(ex.subject_token)
            .map_err(|_| AuthFailure::InvalidGrant("subject_token is not a JWT".into()))?;
        if header.alg != Algorithm::HS256 {
            return Err(AuthFailure::InvalidGrant(
                "subject_token must be signed with HS256".into(),
            ));
        }
        if header.kid.as_deref() != Some(cred.client_id.as_str()) {
            return Err(AuthFailure::InvalidGrant(
                "subject_token's `kid` must be the client ID".into(),
            ));
        }
        let mut v = Validation::new(Algorithm::HS256);
        v.required_spec_claims.clear();
        v.validate_exp = false;
        v.validate_aud = false;
        let claims = decode::<SubjectClaims>(
            ex.subject_token,
            &DecodingKey::from_secret(key.as_bytes()),
            &v,
        )
        .map_err(|_| AuthFailure::InvalidGrant("subject_token's signature is invalid".into()))?
        .claims;
        if let Some(exp) = claims.exp {
            if exp <= time::OffsetDateTime::now_utc().unix_timestamp() {
                return Err(AuthFailure::InvalidGrant(
                    "subject_token has expired".into(),
                ));
            }
        }
        if let Some(tenant) = &claims.tenant {
            if tenant != &self.organization.to_string() {
                return Err(AuthFailure::InvalidGrant(format!(
                    "subject_token names tenant `{tenant}`, which is not this organization"
                )));
            }
        }
        let email = claims.sub.ok_or_else(|| {
            AuthFailure::InvalidGrant(
                "subject_token must name the member to act as in `sub`".into(),
            )
        })?;
        let subject = self
            .store
            .member_by_email(&email)
            .await?
            .filter(|m| !m.is_inactive)
            .ok_or_else(|| {
                AuthFailure::InvalidGrant(format!("no active member has the email `{email}`"))
            })?;
        let subject_is_admin = self
            .account_types
            .cached(subject.account_type_id)
            .await
            .map_err(AuthFailure::from_service)?
            .is_some_and(|t| t.is_admin());
        if subject_is_admin {
            return Err(AuthFailure::InvalidGrant(format!(
                "`{email}` has the Admin account type, and Admins cannot be impersonated"
            )));
        }
        self.issue_new(subject.id, Some(cred.client_id.clone()), Some(owner.id))
            .await
    }

    /// The active member with this email and password, if they match.
    ///
    /// An unknown email costs the same argon2 verification as a known one, so the
    /// answer time does not tell which emails are members.
    pub async fn verify_password(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Option<sigil_core::Member>, AuthFailure> {
        let member = self
            .store
            .member_by_email(email)
            .await?
            .filter(|m| !m.is_inactive);
        let phc = match member.as_ref().and_then(|m| m.password_hash.clone()) {
            Some(h) => h,
            None => self.dummy_password_hash().await,
        };
        let ok = verify_password_async(password.to_owned(), phc).await;
        Ok(member.filter(|m| ok && m.password_hash.is_some()))
    }

    /// A member's email and password (the Report token API's BASIC method).
    pub async fn password(&self, email: &str, password: &str) -> Result<Issued, AuthFailure> {
        match self.verify_password(email, password).await? {
            Some(m) => self.issue_new(m.id, None, None).await,
            None => Err(AuthFailure::InvalidGrant(
                "invalid username or password".into(),
            )),
        }
    }
}
