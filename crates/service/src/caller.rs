//! [`Caller`]: who is asking, checked. Built from a bearer token by the REST API and
//! from a session by the web pages ([`crate::auth::Auth::caller`]); services never see
//! a token or a cookie.

use std::sync::Arc;

use sigil_core::{AccountType, Member, MemberId, Permission};

use crate::error::ServiceError;

/// An active member and its account type, as they are now.
#[derive(Debug, Clone)]
pub struct Caller {
    pub member: Member,
    pub account_type: Arc<AccountType>,
}

impl Caller {
    pub fn id(&self) -> MemberId {
        self.member.id
    }

    pub fn is_admin(&self) -> bool {
        self.account_type.is_admin()
    }

    /// Whether the account type grants `p` (Admins hold every permission).
    pub fn has(&self, p: Permission) -> bool {
        self.account_type.has(p) || self.is_admin()
    }

    /// Forbidden unless the account type grants `p`.
    pub fn require(&self, p: Permission) -> Result<(), ServiceError> {
        if self.has(p) {
            Ok(())
        } else {
            Err(ServiceError::forbidden(format!(
                "this operation needs an account type with the `{}` permission",
                p.as_str()
            )))
        }
    }

    /// Forbidden unless `p` or else `or` is granted: reading connectors, say, is open
    /// to those who manage them and to those who run actions with them.
    pub fn require_either(&self, p: Permission, or: Permission) -> Result<(), ServiceError> {
        if self.has(p) {
            Ok(())
        } else {
            self.require(or)
        }
    }

    /// Forbidden unless the account type is Admin.
    pub fn require_admin(&self) -> Result<(), ServiceError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(ServiceError::forbidden(
                "this operation needs a member with the Admin account type",
            ))
        }
    }
}
