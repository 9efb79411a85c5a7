//! Statements that bind a whole record (a member, a node, a grant, a credential…),
//! as macros so that each compiles against either dialect's query type, and the
//! SQL texts they share.

pub(super) const INSERT_REFRESH: &str = "INSERT INTO refresh_tokens \
     (token_hash, family_id, client_id, member_id, actor_id, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub(super) const INSERT_ACCOUNT_TYPE: &str =
    "INSERT INTO account_types (id, organization_id, name, \
     description, builtin, permissions, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

pub(super) const UPSERT_MEMBER_GRANT: &str =
    "INSERT INTO grants (id, inode_id, member_id, team_id, \
     permission, created_by, updated_by, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7) \
     ON CONFLICT (inode_id, member_id) WHERE member_id IS NOT NULL DO UPDATE \
     SET permission = excluded.permission, updated_by = excluded.updated_by, \
     updated_at = excluded.updated_at WHERE grants.permission <> excluded.permission \
     RETURNING id, inode_id, member_id, team_id, permission, created_by, updated_by, \
     created_at, updated_at";

pub(super) const UPSERT_TEAM_GRANT: &str = "INSERT INTO grants (id, inode_id, member_id, team_id, \
     permission, created_by, updated_by, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7) \
     ON CONFLICT (inode_id, team_id) WHERE team_id IS NOT NULL DO UPDATE \
     SET permission = excluded.permission, updated_by = excluded.updated_by, \
     updated_at = excluded.updated_at WHERE grants.permission <> excluded.permission \
     RETURNING id, inode_id, member_id, team_id, permission, created_by, updated_by, \
     created_at, updated_at";

pub(super) const INSERT_REVOCATION: &str =
    "INSERT INTO revocations (kind, subject, created_at) VALUES ($1, $2, $3)";

macro_rules! bind_refresh {
    ($t:expr) => {
        sqlx::query(INSERT_REFRESH)
            .bind($t.token_hash.as_slice())
            .bind($t.family_id.0)
            .bind($t.client_id.as_deref())
            .bind($t.member_id.0)
            .bind($t.actor_id.map(|a| a.0))
            .bind($t.created_at)
            .bind($t.expires_at)
    };
}

macro_rules! bind_member {
    ($m:expr) => {
        sqlx::query(
            "INSERT INTO members (id, organization_id, email, first_name, last_name, \
             account_type_id, password_hash, is_inactive, is_archived, user_kind, \
             profile_img_url, home_folder_id, invite_requested, created_by, updated_by, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind($m.id.0)
        .bind($m.organization_id.0)
        .bind(sigil_core::member::normalize_email(&$m.email))
        .bind(&$m.first_name)
        .bind(&$m.last_name)
        .bind($m.account_type_id.0)
        .bind($m.password_hash.as_deref())
        .bind($m.is_inactive)
        .bind($m.is_archived)
        .bind($m.user_kind.as_str())
        .bind($m.profile_img_url.as_deref())
        .bind($m.home_folder_id.map(|h| h.0))
        .bind($m.invite_requested)
        .bind($m.created_by.map(|x| x.0))
        .bind($m.updated_by.map(|x| x.0))
        .bind($m.created_at)
        .bind($m.updated_at)
    };
}

/// Inserts a member, its home folder and its team memberships on `$tx`.
macro_rules! insert_member_tx {
    ($tx:expr, $m:expr, $teams:expr) => {{
        bind_member!($m).execute(&mut *$tx).await?;
        if let Some(home) = $m.home_folder_id {
            bind_inode!(Inode {
                id: home,
                owner_id: Some($m.id),
                ..Inode::new("home", "My Documents", None, $m.created_by, $m.created_at)
            })
            .execute(&mut *$tx)
            .await?;
        }
        for tm in $teams {
            bind_team_member!(tm).execute(&mut *$tx).await?;
        }
    }};
}

macro_rules! bind_inode {
    ($i:expr) => {{
        let i = $i;
        sqlx::query(
            "INSERT INTO inodes (id, kind, name, description, parent_id, owner_id, created_by, \
             updated_by, is_archived, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(i.id.0)
        .bind(i.kind)
        .bind(i.name)
        .bind(i.description)
        .bind(i.parent_id.map(|p: InodeId| p.0))
        .bind(i.owner_id.map(|o: MemberId| o.0))
        .bind(i.created_by.map(|o: MemberId| o.0))
        .bind(i.updated_by.map(|o: MemberId| o.0))
        .bind(i.is_archived)
        .bind(i.created_at)
        .bind(i.updated_at)
    }};
}

macro_rules! bind_team_member {
    ($tm:expr) => {
        sqlx::query(
            "INSERT INTO team_members (team_id, member_id, is_team_admin, added_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (team_id, member_id) DO UPDATE SET is_team_admin = excluded.is_team_admin",
        )
        .bind($tm.team_id.0)
        .bind($tm.member_id.0)
        .bind($tm.is_team_admin)
        .bind($tm.added_by.map(|a: MemberId| a.0))
        .bind($tm.created_at)
    };
}

macro_rules! bind_grant {
    ($g:expr) => {
        sqlx::query(
            "INSERT INTO grants (id, inode_id, member_id, team_id, permission, created_by, \
             updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($g.id.0)
        .bind($g.inode_id.0)
        .bind($g.member_id.map(|m: MemberId| m.0))
        .bind($g.team_id.map(|t: TeamId| t.0))
        .bind($g.permission.as_str())
        .bind($g.created_by.map(|m: MemberId| m.0))
        .bind($g.updated_by.map(|m: MemberId| m.0))
        .bind($g.created_at)
        .bind($g.updated_at)
    };
}

macro_rules! bind_credential {
    ($c:expr) => {
        sqlx::query(
            "INSERT INTO client_credentials (client_id, organization_id, owner_id, name, \
             description, scopes, secret_hash, secret_sealed, created_by, created_at, \
             revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&$c.client_id)
        .bind($c.organization_id.0)
        .bind($c.owner_id.0)
        .bind(&$c.name)
        .bind(&$c.description)
        .bind(join_list(&$c.scopes, |s| s.as_str()))
        .bind($c.secret_hash.as_slice())
        .bind($c.secret_sealed.as_deref())
        .bind($c.created_by.map(|m| m.0))
        .bind($c.created_at)
        .bind($c.revoked_at)
    };
}
