//! Account types and the permissions they carry. The four built-in types mirror
//! Sigma's defaults; each permission is a stable kebab-case name used by the API.

use serde::{Deserialize, Serialize};

use crate::id::{AccountTypeId, OrganizationId};

/// A feature permission an account type may grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Permission {
    /// Manage members, teams, account types and API client credentials.
    ManageOrganization,
    /// Create and manage API credentials and API connectors.
    ManageApiConnectors,
    /// Add API actions to workbooks.
    CreateApiActions,
    /// Run API actions from workbooks.
    TriggerApiActions,
    /// Create workspaces.
    CreateWorkspaces,
    /// Create and edit workbooks.
    CreateWorkbooks,
    /// Explore data in workbooks.
    Explore,
    /// View workbooks and other documents shared with the member.
    View,
    /// Use the REST API with client credentials.
    UseApi,
}

impl Permission {
    pub const ALL: [Permission; 9] = [
        Permission::ManageOrganization,
        Permission::ManageApiConnectors,
        Permission::CreateApiActions,
        Permission::TriggerApiActions,
        Permission::CreateWorkspaces,
        Permission::CreateWorkbooks,
        Permission::Explore,
        Permission::View,
        Permission::UseApi,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ManageOrganization => "manage-organization",
            Permission::ManageApiConnectors => "manage-api-connectors",
            Permission::CreateApiActions => "create-api-actions",
            Permission::TriggerApiActions => "trigger-api-actions",
            Permission::CreateWorkspaces => "create-workspaces",
            Permission::CreateWorkbooks => "create-workbooks",
            Permission::Explore => "explore",
            Permission::View => "view",
            Permission::UseApi => "use-api",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// What the permission allows, for a person.
    pub fn description(self) -> &'static str {
        match self {
            Permission::ManageOrganization => {
                "Manage members, teams, account types and API client credentials."
            }
            Permission::ManageApiConnectors => {
                "Create and manage API credentials and API connectors."
            }
            Permission::CreateApiActions => "Add API actions to workbooks.",
            Permission::TriggerApiActions => "Run API actions from workbooks.",
            Permission::CreateWorkspaces => "Create workspaces.",
            Permission::CreateWorkbooks => "Create and edit workbooks.",
            Permission::Explore => "Explore data in workbooks shared with the member.",
            Permission::View => "View workbooks and documents shared with the member.",
            Permission::UseApi => "Use the REST API with client credentials.",
        }
    }
}

/// The account types every organization starts with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinAccountType {
    Admin,
    Creator,
    Explorer,
    Viewer,
}

impl BuiltinAccountType {
    pub const ALL: [BuiltinAccountType; 4] = [
        BuiltinAccountType::Admin,
        BuiltinAccountType::Creator,
        BuiltinAccountType::Explorer,
        BuiltinAccountType::Viewer,
    ];

    pub fn name(self) -> &'static str {
        match self {
            BuiltinAccountType::Admin => "Admin",
            BuiltinAccountType::Creator => "Creator",
            BuiltinAccountType::Explorer => "Explorer",
            BuiltinAccountType::Viewer => "Viewer",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            BuiltinAccountType::Admin => "Full control of the organization.",
            BuiltinAccountType::Creator => "Creates workbooks, workspaces and API actions.",
            BuiltinAccountType::Explorer => "Explores and runs what others share.",
            BuiltinAccountType::Viewer => "Views what others share.",
        }
    }

    /// The documented permissions of each built-in type (see README, "Account types").
    pub fn permissions(self) -> Vec<Permission> {
        use Permission::*;
        match self {
            BuiltinAccountType::Admin => Permission::ALL.to_vec(),
            BuiltinAccountType::Creator => vec![
                ManageApiConnectors,
                CreateApiActions,
                TriggerApiActions,
                CreateWorkspaces,
                CreateWorkbooks,
                Explore,
                View,
                UseApi,
            ],
            BuiltinAccountType::Explorer => vec![TriggerApiActions, Explore, View, UseApi],
            BuiltinAccountType::Viewer => vec![TriggerApiActions, View, UseApi],
        }
    }
}

/// An account type as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountType {
    pub id: AccountTypeId,
    pub organization_id: OrganizationId,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub permissions: Vec<Permission>,
}

impl AccountType {
    pub fn has(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }

    pub fn is_admin(&self) -> bool {
        self.builtin && self.name == BuiltinAccountType::Admin.name()
    }

    /// A built-in type for a new organization, with a fresh id.
    pub fn builtin(organization_id: OrganizationId, kind: BuiltinAccountType) -> Self {
        AccountType {
            id: AccountTypeId::new(),
            organization_id,
            name: kind.name().to_owned(),
            description: kind.description().to_owned(),
            builtin: true,
            permissions: kind.permissions(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_names_round_trip() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(p));
            assert_eq!(
                serde_json::to_value(p).unwrap(),
                serde_json::Value::String(p.as_str().into())
            );
        }
        assert_eq!(Permission::parse("fly"), None);
    }

    #[test]
    fn builtin_types_carry_the_api_action_permissions() {
        let org = OrganizationId::new();
        let admin = AccountType::builtin(org, BuiltinAccountType::Admin);
        assert!(admin.is_admin());
        assert!(admin.has(Permission::ManageApiConnectors));
        let creator = AccountType::builtin(org, BuiltinAccountType::Creator);
        assert!(!creator.is_admin());
        assert!(creator.has(Permission::ManageApiConnectors));
        assert!(creator.has(Permission::CreateApiActions));
        assert!(!creator.has(Permission::ManageOrganization));
        let viewer = AccountType::builtin(org, BuiltinAccountType::Viewer);
        assert!(viewer.has(Permission::TriggerApiActions));
        assert!(!viewer.has(Permission::ManageApiConnectors));
    }
}
