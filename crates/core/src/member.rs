//! Organizations and members.

use time::OffsetDateTime;

use crate::id::{AccountTypeId, MemberId, OrganizationId};

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
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
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
