//! API client credentials: the client ID / secret pairs that `POST /v2/auth/token`
//! exchanges for tokens. Only a keyed hash of the secret is ever stored.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::{MemberId, OrganizationId};

/// What a credential may be used for (Sigma's `scopes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CredentialScope {
    Api,
    Embed,
}

impl CredentialScope {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialScope::Api => "api",
            CredentialScope::Embed => "embed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "api" => Some(CredentialScope::Api),
            "embed" => Some(CredentialScope::Embed),
            _ => None,
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
pub struct ClientCredential {
    /// Public identifier, 32 lowercase hex digits.
    pub client_id: String,
    pub organization_id: OrganizationId,
    pub owner_id: MemberId,
    pub name: String,
    pub description: String,
    pub scopes: Vec<CredentialScope>,
    /// Keyed hash (HMAC-SHA-256 under the server's key) of the secret: what a
    /// presented secret is compared with, in constant time.
    pub secret_hash: Vec<u8>,
    /// The secret sealed (AES-256-GCM, bound to the client id), so that a subject
    /// token it signed can be checked. `None` for credentials made before sigil kept
    /// it: they authenticate, but cannot impersonate without sending the secret.
    pub secret_sealed: Option<String>,
    pub created_by: Option<MemberId>,
    pub created_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
}

impl ClientCredential {
    pub fn is_revoked(&self) -> bool {
        self.revoked_at.is_some()
    }
}

impl std::fmt::Debug for ClientCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredential")
            .field("client_id", &self.client_id)
            .field("owner_id", &self.owner_id)
            .field("name", &self.name)
            .field("secret_hash", &"<redacted>")
            .field(
                "secret_sealed",
                &self.secret_sealed.as_ref().map(|_| "<redacted>"),
            )
            .field("revoked_at", &self.revoked_at)
            .finish_non_exhaustive()
    }
}
