//! Records that exist only for storage: bootstrap bundles, refresh tokens and the
//! revocation feed.

use sigil_core::{AccountType, ClientCredential, Member, MemberId, Organization, TokenFamilyId};
use time::OffsetDateTime;

/// What `sigil init` (or the first `serve`) writes, in one transaction.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    pub organization: Organization,
    pub account_types: Vec<AccountType>,
    pub admin: Member,
    pub credential: ClientCredential,
}

/// A refresh token as stored: only the SHA-256 of the token itself is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshToken {
    pub token_hash: Vec<u8>,
    pub family_id: TokenFamilyId,
    /// The client credential it descends from; `None` for tokens issued to a
    /// member's password (the Report token API's BASIC method).
    pub client_id: Option<String>,
    /// The member the tokens act as.
    pub member_id: MemberId,
    /// For impersonation: the admin who asked for the token.
    pub actor_id: Option<MemberId>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// What presenting a refresh token led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was valid: it is now used, and the successor stored. Holds the
    /// presented token's record.
    Rotated(RefreshToken),
    /// No such token.
    Unknown,
    /// The token expired.
    Expired,
    /// The token, or its family, was revoked.
    Revoked,
    /// The token had been used already; its whole family is now revoked.
    Reused(TokenFamilyId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevocationKind {
    /// A client credential: subject is its client ID.
    Credential,
    /// A member: subject is its id.
    Member,
    /// A refresh-token family: subject is its id.
    Family,
}

impl RevocationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RevocationKind::Credential => "credential",
            RevocationKind::Member => "member",
            RevocationKind::Family => "family",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "credential" => Some(RevocationKind::Credential),
            "member" => Some(RevocationKind::Member),
            "family" => Some(RevocationKind::Family),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    pub seq: i64,
    pub kind: RevocationKind,
    pub subject: String,
    pub created_at: OffsetDateTime,
}

/// What deleting an account type led to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteAccountType {
    /// Deleted; this many members were moved to the replacement type.
    Deleted { reassigned: u64 },
    /// No such account type.
    NotFound,
    /// Still held by this many members and no replacement was named; nothing changed.
    InUse { members: u64 },
}
