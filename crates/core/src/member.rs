//! Organizations and members.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::{AccountTypeId, InodeId, MemberId, OrganizationId};

/// Sigma's `userKind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UserKind {
    #[default]
    Internal,
    Guest,
    Embed,
}

impl UserKind {
    pub const ALL: [UserKind; 3] = [UserKind::Internal, UserKind::Guest, UserKind::Embed];

    pub fn as_str(self) -> &'static str {
        match self {
            UserKind::Internal => "internal",
            UserKind::Guest => "guest",
            UserKind::Embed => "embed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "internal" => Some(UserKind::Internal),
            "guest" => Some(UserKind::Guest),
            "embed" => Some(UserKind::Embed),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    pub id: OrganizationId,
    pub name: String,
    pub created_at: OffsetDateTime,
}

/// A member of the organization. The password hash is an argon2id PHC string and is
/// never serialized by the API.
#[derive(Clone, PartialEq, Eq)]
pub struct Member {
    pub id: MemberId,
    pub organization_id: OrganizationId,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub account_type_id: AccountTypeId,
    pub password_hash: Option<String>,
    pub is_inactive: bool,
    pub is_archived: bool,
    pub user_kind: UserKind,
    pub profile_img_url: Option<String>,
    pub home_folder_id: Option<InodeId>,
    /// `sendInvite` was asked for; sigil records it and sends no mail.
    pub invite_requested: bool,
    pub created_by: Option<MemberId>,
    pub updated_by: Option<MemberId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Member {
    /// A new, active, internal member with no password, home folder or history.
    pub fn new(
        organization_id: OrganizationId,
        email: &str,
        account_type_id: AccountTypeId,
        created_by: Option<MemberId>,
        now: OffsetDateTime,
    ) -> Self {
        Member {
            id: MemberId::new(),
            organization_id,
            email: normalize_email(email),
            first_name: String::new(),
            last_name: String::new(),
            account_type_id,
            password_hash: None,
            is_inactive: false,
            is_archived: false,
            user_kind: UserKind::Internal,
            profile_img_url: None,
            home_folder_id: None,
            invite_requested: false,
            created_by,
            updated_by: created_by,
            created_at: now,
            updated_at: now,
        }
    }
}

impl std::fmt::Debug for Member {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Member")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("account_type_id", &self.account_type_id)
            .field(
                "password_hash",
                &self.password_hash.as_ref().map(|_| "<redacted>"),
            )
            .field("is_inactive", &self.is_inactive)
            .finish_non_exhaustive()
    }
}

/// Emails compare case-insensitively; this is the form stored and looked up.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A light syntactic check: one `@`, something on each side, a dot in the domain, no
/// spaces. Deliverability is not sigil's business.
pub fn is_valid_email(email: &str) -> bool {
    let email = email.trim();
    if email.len() > 254 || email.chars().any(char::is_whitespace) {
        return false;
    }
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_rules() {
        assert!(is_valid_email("ada@example.com"));
        assert!(is_valid_email(" Ada@Example.com "));
        assert!(!is_valid_email("ada"));
        assert!(!is_valid_email("ada@localhost"));
        assert!(!is_valid_email("a da@example.com"));
        assert!(!is_valid_email("a@b@example.com"));
        assert!(!is_valid_email("@example.com"));
        assert_eq!(normalize_email(" Ada@Example.COM "), "ada@example.com");
    }
}
