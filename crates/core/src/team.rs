//! Teams and their members, and the permissions a grant can carry.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::{InodeId, MemberId, TeamId};

/// Who can see a team: everyone in the organization, or its members and Admins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    Public,
    Private,
}

impl Visibility {
    pub const ALL: [Visibility; 2] = [Visibility::Public, Visibility::Private];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Private => "private",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "public" => Some(Visibility::Public),
            "private" => Some(Visibility::Private),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub description: String,
    pub visibility: Visibility,
    /// The team's workspace, when one was created with it.
    pub workspace_id: Option<InodeId>,
    pub is_archived: bool,
    pub created_by: Option<MemberId>,
    pub updated_by: Option<MemberId>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TeamMember {
    pub team_id: TeamId,
    pub member_id: MemberId,
    pub is_team_admin: bool,
    pub added_by: Option<MemberId>,
    pub created_at: OffsetDateTime,
}

/// A permission on a node of the file tree, lowest first: Can View, Can Explore,
/// Can Contribute, Can Manage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GrantPermission {
    View,
    Explore,
    Organize,
    Edit,
}

impl GrantPermission {
    pub const ALL: [GrantPermission; 4] = [
        GrantPermission::View,
        GrantPermission::Explore,
        GrantPermission::Organize,
        GrantPermission::Edit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GrantPermission::View => "view",
            GrantPermission::Explore => "explore",
            GrantPermission::Organize => "organize",
            GrantPermission::Edit => "edit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "view" => Some(GrantPermission::View),
            "explore" => Some(GrantPermission::Explore),
            "organize" => Some(GrantPermission::Organize),
            "edit" => Some(GrantPermission::Edit),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permissions_are_ordered_view_to_edit() {
        assert!(GrantPermission::View < GrantPermission::Explore);
        assert!(GrantPermission::Explore < GrantPermission::Organize);
        assert!(GrantPermission::Organize < GrantPermission::Edit);
        for p in ["view", "explore", "organize", "edit"] {
            assert_eq!(GrantPermission::parse(p).unwrap().as_str(), p);
        }
        assert_eq!(Visibility::parse("secret"), None);
    }
}

#[cfg(test)]
mod all_lists {
    use super::*;

    #[test]
    fn every_listed_value_parses_back() {
        for v in Visibility::ALL {
            assert_eq!(Visibility::parse(v.as_str()), Some(v));
        }
        for p in GrantPermission::ALL {
            assert_eq!(GrantPermission::parse(p.as_str()), Some(p));
        }
        for k in crate::UserKind::ALL {
            assert_eq!(crate::UserKind::parse(k.as_str()), Some(k));
        }
    }
}
