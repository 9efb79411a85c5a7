//! Newtype identifiers. Each kind of thing gets its own type so that a member id can
//! never be passed where a team id is expected; all are UUIDs on the wire.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! define_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh random identifier.
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                Self(u)
            }
        }
    };
}

define_id!(
    /// The one organization a sigil database holds.
    OrganizationId
);
define_id!(
    /// A member (user) of the organization.
    MemberId
);
define_id!(
    /// An account type, built in or custom.
    AccountTypeId
);
define_id!(
    /// A team of members.
    TeamId
);
define_id!(
    /// A node of the file tree: workspace, folder or workbook.
    InodeId
);
define_id!(
    /// A grant of a permission on a node to a member or a team.
    GrantId
);
define_id!(
    /// A chain of refresh tokens descending from one grant; reuse of any used
    /// token in the chain revokes the whole chain.
    TokenFamilyId
);
define_id!(
    /// An outbound API credential (`/v2/api-credentials`).
    ApiCredentialId
);
define_id!(
    /// An API connector (`/v2/api-connectors`).
    ApiConnectorId
);
define_id!(
    /// An imported OpenAPI document.
    ApiDocumentId
);
define_id!(
    /// One recorded connector call (the audit log).
    ApiCallId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_strings_and_json() {
        let id = MemberId::new();
        let text = id.to_string();
        assert_eq!(text.len(), 36);
        assert_eq!(text.parse::<MemberId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<MemberId>(&json).unwrap(), id);
        assert!("not-a-uuid".parse::<MemberId>().is_err());
    }
}
