//! Row types, decoded the same way from both dialects, and the column lists that go
//! with them.

use super::*;

#[derive(sqlx::FromRow)]
pub(super) struct OrganizationRow {
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) created_at: OffsetDateTime,
}

impl From<OrganizationRow> for Organization {
    fn from(r: OrganizationRow) -> Self {
        Organization {
            id: r.id.into(),
            name: r.name,
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct MemberRow {
    pub(super) id: Uuid,
    pub(super) organization_id: Uuid,
    pub(super) email: String,
    pub(super) first_name: String,
    pub(super) last_name: String,
    pub(super) account_type_id: Uuid,
    pub(super) password_hash: Option<String>,
    pub(super) is_inactive: bool,
    pub(super) is_archived: bool,
    pub(super) user_kind: String,
    pub(super) profile_img_url: Option<String>,
    pub(super) home_folder_id: Option<Uuid>,
    pub(super) invite_requested: bool,
    pub(super) created_by: Option<Uuid>,
    pub(super) updated_by: Option<Uuid>,
    pub(super) created_at: OffsetDateTime,
    pub(super) updated_at: OffsetDateTime,
}

pub(super) const MEMBER_COLUMNS: &str = "id, organization_id, email, first_name, last_name, \
     account_type_id, password_hash, is_inactive, is_archived, user_kind, profile_img_url, \
     home_folder_id, invite_requested, created_by, updated_by, created_at, updated_at";

impl From<MemberRow> for Member {
    fn from(r: MemberRow) -> Self {
        Member {
            is_archived: r.is_archived,
            // The column's CHECK allows only known kinds.
            user_kind: UserKind::parse(&r.user_kind).unwrap_or_default(),
            profile_img_url: r.profile_img_url,
            home_folder_id: r.home_folder_id.map(Into::into),
            invite_requested: r.invite_requested,
            created_by: r.created_by.map(Into::into),
            updated_by: r.updated_by.map(Into::into),
            id: r.id.into(),
            organization_id: r.organization_id.into(),
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            account_type_id: r.account_type_id.into(),
            password_hash: r.password_hash,
            is_inactive: r.is_inactive,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct TeamRow {
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) visibility: String,
    pub(super) workspace_id: Option<Uuid>,
    pub(super) is_archived: bool,
    pub(super) created_by: Option<Uuid>,
    pub(super) updated_by: Option<Uuid>,
    pub(super) created_at: OffsetDateTime,
    pub(super) updated_at: OffsetDateTime,
}

pub(super) const TEAM_COLUMNS: &str =
    "id, name, description, visibility, workspace_id, is_archived, \
     created_by, updated_by, created_at, updated_at";

impl TryFrom<TeamRow> for Team {
    type Error = StoreError;
    fn try_from(r: TeamRow) -> StoreResult<Self> {
        Ok(Team {
            id: r.id.into(),
            name: r.name,
            description: r.description,
            visibility: Visibility::parse(&r.visibility)
                .ok_or_else(|| StoreError::Corrupt(format!("visibility `{}`", r.visibility)))?,
            workspace_id: r.workspace_id.map(Into::into),
            is_archived: r.is_archived,
            created_by: r.created_by.map(Into::into),
            updated_by: r.updated_by.map(Into::into),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct InodeRow {
    pub(super) id: Uuid,
    pub(super) kind: String,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) parent_id: Option<Uuid>,
    pub(super) owner_id: Option<Uuid>,
    pub(super) created_by: Option<Uuid>,
    pub(super) updated_by: Option<Uuid>,
    pub(super) is_archived: bool,
    pub(super) created_at: OffsetDateTime,
    pub(super) updated_at: OffsetDateTime,
}

pub(super) const INODE_COLUMNS: &str =
    "id, kind, name, description, parent_id, owner_id, created_by, \
     updated_by, is_archived, created_at, updated_at";

impl From<InodeRow> for Inode {
    fn from(r: InodeRow) -> Self {
        Inode {
            id: r.id.into(),
            kind: r.kind,
            name: r.name,
            description: r.description,
            parent_id: r.parent_id.map(Into::into),
            owner_id: r.owner_id.map(Into::into),
            created_by: r.created_by.map(Into::into),
            updated_by: r.updated_by.map(Into::into),
            is_archived: r.is_archived,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct GrantRow {
    pub(super) id: Uuid,
    pub(super) inode_id: Uuid,
    pub(super) member_id: Option<Uuid>,
    pub(super) team_id: Option<Uuid>,
    pub(super) permission: String,
    pub(super) created_by: Option<Uuid>,
    pub(super) updated_by: Option<Uuid>,
    pub(super) created_at: OffsetDateTime,
    pub(super) updated_at: OffsetDateTime,
}

pub(super) const GRANT_COLUMNS: &str = "id, inode_id, member_id, team_id, permission, created_by, \
     updated_by, created_at, updated_at";

impl TryFrom<GrantRow> for Grant {
    type Error = StoreError;
    fn try_from(r: GrantRow) -> StoreResult<Self> {
        Ok(Grant {
            id: r.id.into(),
            inode_id: r.inode_id.into(),
            member_id: r.member_id.map(Into::into),
            team_id: r.team_id.map(Into::into),
            permission: GrantPermission::parse(&r.permission)
                .ok_or_else(|| StoreError::Corrupt(format!("permission `{}`", r.permission)))?,
            created_by: r.created_by.map(Into::into),
            updated_by: r.updated_by.map(Into::into),
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct TeamMemberRow {
    pub(super) team_id: Uuid,
    pub(super) member_id: Uuid,
    pub(super) is_team_admin: bool,
    pub(super) added_by: Option<Uuid>,
    pub(super) created_at: OffsetDateTime,
}

impl From<TeamMemberRow> for TeamMember {
    fn from(r: TeamMemberRow) -> Self {
        TeamMember {
            team_id: r.team_id.into(),
            member_id: r.member_id.into(),
            is_team_admin: r.is_team_admin,
            added_by: r.added_by.map(Into::into),
            created_at: r.created_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AccountTypeRow {
    pub(super) id: Uuid,
    pub(super) organization_id: Uuid,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) builtin: bool,
    pub(super) permissions: String,
}

pub(super) const ACCOUNT_TYPE_COLUMNS: &str =
    "id, organization_id, name, description, builtin, permissions";

impl TryFrom<AccountTypeRow> for AccountType {
    type Error = StoreError;
    fn try_from(r: AccountTypeRow) -> StoreResult<Self> {
        Ok(AccountType {
            id: r.id.into(),
            organization_id: r.organization_id.into(),
            name: r.name,
            description: r.description,
            builtin: r.builtin,
            permissions: split_list(&r.permissions, Permission::parse, "permission")?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct CredentialRow {
    pub(super) client_id: String,
    pub(super) organization_id: Uuid,
    pub(super) owner_id: Uuid,
    pub(super) name: String,
    pub(super) description: String,
    pub(super) scopes: String,
    pub(super) secret_hash: Vec<u8>,
    pub(super) secret_sealed: Option<String>,
    pub(super) created_by: Option<Uuid>,
    pub(super) created_at: OffsetDateTime,
    pub(super) revoked_at: Option<OffsetDateTime>,
}

pub(super) const CREDENTIAL_COLUMNS: &str =
    "client_id, organization_id, owner_id, name, description, \
     scopes, secret_hash, secret_sealed, created_by, created_at, revoked_at";

impl TryFrom<CredentialRow> for ClientCredential {
    type Error = StoreError;
    fn try_from(r: CredentialRow) -> StoreResult<Self> {
        Ok(ClientCredential {
            client_id: r.client_id,
            organization_id: r.organization_id.into(),
            owner_id: r.owner_id.into(),
            name: r.name,
            description: r.description,
            scopes: split_list(&r.scopes, CredentialScope::parse, "scope")?,
            secret_hash: r.secret_hash,
            secret_sealed: r.secret_sealed,
            created_by: r.created_by.map(Into::into),
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RefreshRow {
    pub(super) token_hash: Vec<u8>,
    pub(super) family_id: Uuid,
    pub(super) client_id: Option<String>,
    pub(super) member_id: Uuid,
    pub(super) actor_id: Option<Uuid>,
    pub(super) created_at: OffsetDateTime,
    pub(super) expires_at: OffsetDateTime,
    pub(super) revoked_at: Option<OffsetDateTime>,
}

impl From<&RefreshRow> for RefreshToken {
    fn from(r: &RefreshRow) -> Self {
        RefreshToken {
            token_hash: r.token_hash.clone(),
            family_id: TokenFamilyId(r.family_id),
            client_id: r.client_id.clone(),
            member_id: r.member_id.into(),
            actor_id: r.actor_id.map(Into::into),
            created_at: r.created_at,
            expires_at: r.expires_at,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct RevocationRow {
    pub(super) seq: i64,
    pub(super) kind: String,
    pub(super) subject: String,
    pub(super) created_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    pub(super) id_hash: Vec<u8>,
    pub(super) member_id: Uuid,
    pub(super) csrf_token: String,
    pub(super) created_at: OffsetDateTime,
    pub(super) last_seen_at: OffsetDateTime,
}

impl From<SessionRow> for crate::records::WebSession {
    fn from(r: SessionRow) -> Self {
        crate::records::WebSession {
            id_hash: r.id_hash,
            member_id: r.member_id.into(),
            csrf_token: r.csrf_token,
            created_at: r.created_at,
            last_seen_at: r.last_seen_at,
        }
    }
}
