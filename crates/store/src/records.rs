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
    /// A snapshot was restored: subject is when the snapshot was taken, in Unix
    /// milliseconds. Access tokens issued after then and before the restore are void.
    Restore,
}

impl RevocationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RevocationKind::Credential => "credential",
            RevocationKind::Member => "member",
            RevocationKind::Family => "family",
            RevocationKind::Restore => "restore",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "credential" => Some(RevocationKind::Credential),
            "member" => Some(RevocationKind::Member),
            "family" => Some(RevocationKind::Family),
            "restore" => Some(RevocationKind::Restore),
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

/// Where a page starts: at the beginning, after a keyset position handed out with
/// an earlier page (constant cost), or after skipping rows (when no position is known).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position<C> {
    Start,
    After(C),
    Offset(u64),
}

impl<C> Position<C> {
    pub fn as_ref(&self) -> Position<&C> {
        match self {
            Position::Start => Position::Start,
            Position::After(c) => Position::After(c),
            Position::Offset(n) => Position::Offset(*n),
        }
    }

    /// The keyset position to seek after, if any, and the rows to skip.
    pub fn into_parts(self) -> (Option<C>, u64) {
        match self {
            Position::Start => (None, 0),
            Position::After(c) => (Some(c), 0),
            Position::Offset(n) => (None, n),
        }
    }
}

/// Filters of `GET /v2/members`.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    /// Case-insensitive substring of the email, first or last name.
    pub search: Option<String>,
    /// Exact email (case-insensitive).
    pub email: Option<String>,
    pub include_archived: bool,
    pub include_inactive: bool,
}

/// Filters of `GET /v2/teams`.
#[derive(Debug, Clone, Default)]
pub struct TeamFilter {
    /// Case-insensitive substring of the name.
    pub name: Option<String>,
    /// Case-insensitive substring of the description.
    pub description: Option<String>,
    pub visibility: Option<sigil_core::Visibility>,
    /// Only teams this member may see: public ones and those it belongs to.
    pub visible_to: Option<MemberId>,
}

/// The keyset position of a team list: teams are ordered by name, then id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TeamCursor {
    pub name: String,
    pub id: sigil_core::TeamId,
}

/// A node of the file tree as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inode {
    pub id: sigil_core::InodeId,
    /// `workspace`, `folder`, `home` or `workbook`.
    pub kind: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<sigil_core::InodeId>,
    pub owner_id: Option<MemberId>,
    pub created_by: Option<MemberId>,
    pub updated_by: Option<MemberId>,
    pub is_archived: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Inode {
    /// A new node of `kind` owned and created by `by`.
    pub fn new(
        kind: &str,
        name: &str,
        parent_id: Option<sigil_core::InodeId>,
        by: Option<MemberId>,
        now: OffsetDateTime,
    ) -> Self {
        Inode {
            id: sigil_core::InodeId::new(),
            kind: kind.into(),
            name: name.into(),
            description: String::new(),
            parent_id,
            owner_id: by,
            created_by: by,
            updated_by: by,
            is_archived: false,
            created_at: now,
            updated_at: now,
        }
    }
}

/// The keyset position of a list ordered by name, then id.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NameCursor {
    pub name: String,
    pub id: uuid::Uuid,
}

/// Who a grant is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grantee {
    Member(MemberId),
    Team(sigil_core::TeamId),
}

/// Filters of `GET /v2/grants`; every one given must hold.
#[derive(Debug, Clone, Default)]
pub struct GrantFilter {
    /// Grants on this node (and, with `include_ancestors`, on its ancestors).
    pub inode: Option<sigil_core::InodeId>,
    pub include_ancestors: bool,
    /// Grants to this member (and, with `include_teams`, to its teams).
    pub member: Option<MemberId>,
    pub include_teams: bool,
    /// Grants to this team.
    pub team: Option<sigil_core::TeamId>,
}

/// Filters of `GET /v2/files`; every one given must hold. Archived nodes are left out.
#[derive(Debug, Clone, Default)]
pub struct InodeFilter {
    /// Only nodes under this one: its children, or with `descendants` every level.
    pub parent: Option<sigil_core::InodeId>,
    pub descendants: bool,
    /// Case-insensitive part of the name.
    pub name: Option<String>,
    /// Only these kinds (`workspace`, `folder`, `workbook`).
    pub kinds: Vec<String>,
    /// Only nodes this member can see: under a node it or its teams hold a grant on,
    /// or in its home folder.
    pub visible_to: Option<MemberId>,
    /// With `visible_to`: only nodes on which it has at least this permission.
    pub min_permission: Option<sigil_core::GrantPermission>,
}

/// Filters of `GET /v2/workspaces`.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceFilter {
    /// Case-insensitive part of the name.
    pub name: Option<String>,
    /// Exact name.
    pub exact_name: Option<String>,
    /// Only workspaces this member holds a grant on, directly or through a team.
    pub visible_to: Option<MemberId>,
}

/// A grant on a node, to a member or a team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: sigil_core::GrantId,
    pub inode_id: sigil_core::InodeId,
    pub member_id: Option<MemberId>,
    pub team_id: Option<sigil_core::TeamId>,
    pub permission: sigil_core::GrantPermission,
    pub created_by: Option<MemberId>,
    pub updated_by: Option<MemberId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// A team being created, with what comes with it, written in one transaction.
#[derive(Debug, Clone)]
pub struct NewTeam {
    pub team: sigil_core::Team,
    pub members: Vec<sigil_core::TeamMember>,
    /// The team workspace and the team's Can Manage grant on it.
    pub workspace: Option<(Inode, Grant)>,
}

/// An outbound API credential as stored: its secrets only sealed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCredential {
    pub id: sigil_core::ApiCredentialId,
    pub name: String,
    pub description: Option<String>,
    pub auth_method: String,
    pub allowlist: Vec<String>,
    /// The credential without secrets, JSON, as reads answer it.
    pub public: String,
    /// The whole credential, sealed (see `sigil_connect::sealing`).
    pub sealed: String,
    pub is_archived: bool,
    pub created_by: MemberId,
    pub updated_by: MemberId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An API connector as stored; `params` and `config` are Sigma's JSON objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConnector {
    pub id: sigil_core::ApiConnectorId,
    pub name: String,
    pub description: Option<String>,
    pub auth_id: Option<sigil_core::ApiCredentialId>,
    pub params: String,
    pub config: String,
    pub is_archived: bool,
    pub created_by: MemberId,
    pub updated_by: MemberId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An imported OpenAPI document, without its text (read apart, it may be megabytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiDocument {
    pub id: sigil_core::ApiDocumentId,
    pub name: String,
    pub source_url: Option<String>,
    pub spec_version: String,
    pub title: String,
    pub operation_count: u32,
    pub created_by: MemberId,
    pub created_at: OffsetDateTime,
}

/// One connector call, as the audit log keeps it: never a secret, and a response
/// body only when the configuration asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiCall {
    pub id: sigil_core::ApiCallId,
    pub connector_id: sigil_core::ApiConnectorId,
    pub member_id: MemberId,
    pub at: OffsetDateTime,
    pub status: Option<u16>,
    pub error: Option<String>,
    pub duration_ms: f64,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub response_body: Option<String>,
}

/// One saved version of a workbook's document, as its history lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkbookVersion {
    pub version: i64,
    pub saved_by: Option<MemberId>,
    pub saved_at: OffsetDateTime,
}

/// One run of a workbook's action sequence, as its trace keeps it: who, when,
/// whether it succeeded, and each step's status, duration and HTTP status as JSON.
/// Never a secret (the engine adds credentials after the trace is taken) and never the
/// values typed, which may be anyone's data — except a webhook run's `outcome`, read
/// back only by its starter, Admins and the workbook's authors.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkbookRun {
    /// UUIDv7: ordered by time.
    pub id: uuid::Uuid,
    pub workbook_id: sigil_core::InodeId,
    pub member_id: MemberId,
    pub at: OffsetDateTime,
    /// `button` or `webhook`.
    pub trigger: String,
    pub sequence_id: String,
    pub ok: bool,
    pub failed_step: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: f64,
    /// The steps, a JSON array.
    pub steps: String,
    /// `false` while a webhook's run goes on.
    pub finished: bool,
    /// A webhook run's whole outcome as JSON, once finished.
    pub outcome: Option<String>,
}

/// A web session as stored: only the SHA-256 of the cookie's id is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub id_hash: Vec<u8>,
    pub member_id: MemberId,
    /// Sent back with every state-changing form of the session.
    pub csrf_token: String,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
}
