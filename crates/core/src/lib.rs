//! Domain types of sigil: identifiers, organizations, members, teams, account types
//! and API client credentials, with the rules that do not depend on HTTP or SQL.
//!
//! Everything here is plain data; the store persists it and the server exposes it.

pub mod account_type;
pub mod clock;
pub mod credential;
pub mod id;
pub mod member;
pub mod team;
pub mod workbook;

pub use account_type::{AccountType, BuiltinAccountType, Permission};
pub use credential::{ClientCredential, CredentialScope};
pub use id::{
    AccountTypeId, ApiCallId, ApiConnectorId, ApiCredentialId, ApiDocumentId, GrantId, InodeId,
    MemberId, OrganizationId, TeamId, TokenFamilyId,
};
pub use member::{Member, Organization, UserKind};
pub use team::{GrantPermission, Team, TeamMember, Visibility};
