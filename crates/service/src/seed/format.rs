//! The seed file's shape: what `sigil serve --seed`, `sigil seed` read and `sigil
//! export` writes, in YAML or JSON. Things refer to each other by name (a grant names
//! its member by email and its team by name), so a file is written by hand without
//! ids; an `id` may be given to keep it stable.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedFile {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub account_types: Vec<SeedAccountType>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<SeedMember>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<SeedTeam>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_attributes: Vec<SeedUserAttribute>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_credentials: Vec<SeedApiCredential>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub api_documents: Vec<SeedApiDocument>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub connectors: Vec<SeedConnector>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workspaces: Vec<SeedNode>,
}

/// A custom account type (the built-in ones always exist).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedAccountType {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub name: String,
    pub description: String,
    /// Permission names (`view`, `explore`, `create-workbooks`, …).
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedMember {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub email: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub first_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub last_name: String,
    /// By name: `Admin`, `Creator`, `Explorer`, `Viewer` or a custom type's.
    pub account_type: String,
    /// A password to sign in with (8 characters or more).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The stored argon2 hash instead of a password (what `export --include-secrets`
    /// writes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub inactive: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub client_credentials: Vec<SeedClient>,
}

/// API client credentials, owned by the member they are listed under.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedClient {
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub client_id: String,
    /// 32 characters or more. Required when loading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedTeam {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `public` (the default) or `private`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub visibility: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<SeedTeamMember>,
}

/// A team member: an email, or `{email, admin: true}` for a team admin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SeedTeamMember {
    Email(String),
    Full {
        email: String,
        #[serde(default)]
        admin: bool,
    },
}

impl SeedTeamMember {
    pub fn email(&self) -> &str {
        match self {
            SeedTeamMember::Email(e) | SeedTeamMember::Full { email: e, .. } => e,
        }
    }

    pub fn admin(&self) -> bool {
        matches!(self, SeedTeamMember::Full { admin: true, .. })
    }
}

/// A user attribute and its values: per member (by email), per team (by name, in
/// priority order: the first wins between teams) and for the organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedUserAttribute {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub users: Vec<SeedUserValue>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub teams: Vec<SeedTeamValue>,
    /// The value for the organization (Sigma's tenant).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedUserValue {
    pub email: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedTeamValue {
    pub team: String,
    pub value: String,
}

/// A grant: to a member (by email) or a team (by name).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedGrant {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Sigma's names: `view`, `explore`, `organize` (Can Contribute) or `edit` (Can Manage).
    pub permission: String,
}

/// A workspace or a folder, with what it holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedNode {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The owner's email; the loading Admin when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<SeedGrant>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub folders: Vec<SeedNode>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workbooks: Vec<SeedWorkbook>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedWorkbook {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The workbook document (pages, elements, sequences), as the REST API and the
    /// editor read and write it. Empty: one empty page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<SeedGrant>,
}

/// An API credential, as `POST /v2/api-credentials` takes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedApiCredential {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Hostname globs the credential may be sent to; `["*"]` allows any.
    pub authorized_domains: Vec<String>,
    /// `{"authMethod": "bearer", "bearer": {"token": …}}` and so on.
    pub credential: Value,
}

/// An imported OpenAPI document (JSON or YAML text), as the connector pages'
/// **Manage OpenAPI** keeps it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedApiDocument {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// The document's `info.title` when unset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it was imported from, if anywhere (kept, not fetched).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// The document itself.
    pub text: String,
}

/// An API connector, as `POST /v2/api-connectors` takes it, naming its credential.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeedConnector {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The API credential's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
    pub params: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<Value>,
}

/// Which of YAML and JSON a file is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedFormat {
    Yaml,
    Json,
}

impl SeedFile {
    /// Parses YAML or JSON (JSON is YAML too, but its own parser gives better
    /// messages): a file whose first non-blank character is `{` is JSON.
    pub fn parse(text: &str) -> Result<SeedFile, String> {
        if text.trim_start().starts_with('{') {
            let de = &mut serde_json::Deserializer::from_str(text);
            serde_path_to_error::deserialize(de).map_err(|e| {
                let path = e.path().to_string();
                format!("at `{path}`: {}", e.into_inner())
            })
        } else {
            serde_saphyr::from_str(text).map_err(|e| e.to_string())
        }
    }

    pub fn render(&self, format: SeedFormat) -> Result<String, String> {
        match format {
            SeedFormat::Json => serde_json::to_string_pretty(self)
                .map(|mut s| {
                    s.push('\n');
                    s
                })
                .map_err(|e| e.to_string()),
            SeedFormat::Yaml => serde_saphyr::to_string(self).map_err(|e| e.to_string()),
        }
    }
}
