//! [`SqlStore`]: the SQLite and PostgreSQL implementation of [`Store`].
//!
//! Both dialects share one SQL text per operation (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT` work on both) and one Rust body: the [`on_pool!`] macro compiles each
//! body once against `SqlitePool` and once against `PgPool`, so a query cannot drift
//! between the two. Column types differ only in the migrations (`migrations/<dialect>`),
//! which share their numbering.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sigil_core::{
    AccountType, AccountTypeId, ClientCredential, CredentialScope, GrantId, GrantPermission,
    InodeId, Member, MemberId, Organization, Permission, Team, TeamId, TeamMember, TokenFamilyId,
    UserKind, Visibility,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::error::{StoreError, StoreResult};
use crate::records::{
    Bootstrap, DeleteAccountType, Grant, GrantFilter, Grantee, Inode, InodeFilter, MemberFilter,
    NameCursor, NewTeam, Position, RefreshToken, Revocation, RevocationKind, RotateOutcome,
    TeamCursor, TeamFilter, WorkspaceFilter,
};
use crate::Store;

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

#[derive(Clone)]
enum Pool {
    /// SQLite allows one writer at a time. Writes go through a one-connection pool, so
    /// that they queue in the pool (an async wait) instead of colliding in SQLite's
    /// busy handler, which sleeps; reads use the other pool concurrently (WAL).
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
        refresh: RefreshWriter,
    },
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the concrete read pool of either dialect.
macro_rules! on_pool {
    ($self:ident, $pool:ident, $body:expr) => {
        match &$self.pool {
            Pool::Sqlite { read: $pool, .. } => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// Like [`on_pool!`], for statements that write.
///
/// Every write moves the store's generation on once it has finished (committed or
/// failed, the guard drops either way), so a read cached under an older generation is
/// never served after the write.
macro_rules! on_writer {
    ($self:ident, $pool:ident, $body:expr) => {{
        let _moves_generation = $crate::sql::GenerationBump(&$self.generation);
        match &$self.pool {
            Pool::Sqlite { write: $pool, .. } => $body,
            Pool::Postgres($pool) => $body,
        }
    }};
}

/// Like [`on_writer!`], for append-only logs that no cached read depends on (the
/// connector call log): their writes leave the generation alone, so that a busy log
/// does not empty every cache.
macro_rules! on_log_writer {
    ($self:ident, $pool:ident, $body:expr) => {
        match &$self.pool {
            Pool::Sqlite { write: $pool, .. } => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

mod api;

/// Moves the generation on when dropped, i.e. after the write it guards has ended.
struct GenerationBump<'a>(&'a AtomicU64);

impl Drop for GenerationBump<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
    }
}

/// The SQL store. Cheap to clone; clones share the connection pool.
#[derive(Clone)]
pub struct SqlStore {
    pool: Pool,
    /// Counts this process's writes; see [`Store::generation`].
    generation: Arc<AtomicU64>,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqlStore({})", self.dialect().as_str())
    }
}

impl SqlStore {
    /// Connects to `url` (`sqlite:PATH` or `postgres://…`) and applies migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            Self::connect_postgres(opts).await
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?;
            Self::connect_sqlite(opts).await
        } else {
            // Never echo the URL: it may carry a password.
            let scheme = url.split(':').next().unwrap_or_default();
            Err(StoreError::UnsupportedUrl(format!(
                "scheme `{scheme}`; use sqlite:PATH or postgres://…"
            )))
        }
    }

    /// Opens (creating if needed) a SQLite database in WAL mode with foreign keys on
    /// and a busy timeout, then migrates it.
    pub async fn connect_sqlite(opts: SqliteConnectOptions) -> StoreResult<Self> {
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // NORMAL is durable in WAL mode except for the last transactions before a
            // power loss, and avoids an fsync per commit.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // A local file does not drop connections: skip the ping sqlx would otherwise
        // send before handing each one out.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(opts)
            .await?;
        Ok(SqlStore {
            pool: Pool::Sqlite {
                refresh: RefreshWriter::spawn(write.clone()),
                read,
                write,
            },
            generation: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Connects to PostgreSQL and migrates it.
    pub async fn connect_postgres(opts: PgConnectOptions) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(SqlStore {
            pool: Pool::Postgres(pool),
            generation: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Closes every connection; pending queries finish first.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite { read, write, .. } => {
                read.close().await;
                write.close().await;
            }
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}

// ---- row types: decoded the same way from both dialects ----

#[derive(sqlx::FromRow)]
struct OrganizationRow {
    id: Uuid,
    name: String,
    created_at: OffsetDateTime,
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
struct MemberRow {
    id: Uuid,
    organization_id: Uuid,
    email: String,
    first_name: String,
    last_name: String,
    account_type_id: Uuid,
    password_hash: Option<String>,
    is_inactive: bool,
    is_archived: bool,
    user_kind: String,
    profile_img_url: Option<String>,
    home_folder_id: Option<Uuid>,
    invite_requested: bool,
    created_by: Option<Uuid>,
    updated_by: Option<Uuid>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

const MEMBER_COLUMNS: &str = "id, organization_id, email, first_name, last_name, \
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
struct TeamRow {
    id: Uuid,
    name: String,
    description: String,
    visibility: String,
    workspace_id: Option<Uuid>,
    is_archived: bool,
    created_by: Option<Uuid>,
    updated_by: Option<Uuid>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

const TEAM_COLUMNS: &str = "id, name, description, visibility, workspace_id, is_archived, \
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
struct InodeRow {
    id: Uuid,
    kind: String,
    name: String,
    description: String,
    parent_id: Option<Uuid>,
    owner_id: Option<Uuid>,
    created_by: Option<Uuid>,
    updated_by: Option<Uuid>,
    is_archived: bool,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

const INODE_COLUMNS: &str = "id, kind, name, description, parent_id, owner_id, created_by, \
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
struct GrantRow {
    id: Uuid,
    inode_id: Uuid,
    member_id: Option<Uuid>,
    team_id: Option<Uuid>,
    permission: String,
    created_by: Option<Uuid>,
    updated_by: Option<Uuid>,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

const GRANT_COLUMNS: &str = "id, inode_id, member_id, team_id, permission, created_by, \
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
struct TeamMemberRow {
    team_id: Uuid,
    member_id: Uuid,
    is_team_admin: bool,
    added_by: Option<Uuid>,
    created_at: OffsetDateTime,
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
struct AccountTypeRow {
    id: Uuid,
    organization_id: Uuid,
    name: String,
    description: String,
    builtin: bool,
    permissions: String,
}

const ACCOUNT_TYPE_COLUMNS: &str = "id, organization_id, name, description, builtin, permissions";

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
struct CredentialRow {
    client_id: String,
    organization_id: Uuid,
    owner_id: Uuid,
    name: String,
    description: String,
    scopes: String,
    secret_hash: Vec<u8>,
    created_by: Option<Uuid>,
    created_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
}

const CREDENTIAL_COLUMNS: &str = "client_id, organization_id, owner_id, name, description, \
     scopes, secret_hash, created_by, created_at, revoked_at";

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
            created_by: r.created_by.map(Into::into),
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        })
    }
}

#[derive(sqlx::FromRow)]
struct RefreshRow {
    token_hash: Vec<u8>,
    family_id: Uuid,
    client_id: Option<String>,
    member_id: Uuid,
    actor_id: Option<Uuid>,
    created_at: OffsetDateTime,
    expires_at: OffsetDateTime,
    revoked_at: Option<OffsetDateTime>,
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
struct RevocationRow {
    seq: i64,
    kind: String,
    subject: String,
    created_at: OffsetDateTime,
}

fn split_list<T>(s: &str, parse: impl Fn(&str) -> Option<T>, what: &str) -> StoreResult<Vec<T>> {
    s.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| parse(p).ok_or_else(|| StoreError::Corrupt(format!("unknown {what} `{p}`"))))
        .collect()
}

fn join_list<T>(items: &[T], name: impl Fn(&T) -> &'static str) -> String {
    items.iter().map(name).collect::<Vec<_>>().join(",")
}

const INSERT_REFRESH: &str = "INSERT INTO refresh_tokens \
     (token_hash, family_id, client_id, member_id, actor_id, created_at, expires_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

const INSERT_ACCOUNT_TYPE: &str = "INSERT INTO account_types (id, organization_id, name, \
     description, builtin, permissions, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";

const UPSERT_MEMBER_GRANT: &str = "INSERT INTO grants (id, inode_id, member_id, team_id, \
     permission, created_by, updated_by, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7) \
     ON CONFLICT (inode_id, member_id) WHERE member_id IS NOT NULL DO UPDATE \
     SET permission = excluded.permission, updated_by = excluded.updated_by, \
     updated_at = excluded.updated_at WHERE grants.permission <> excluded.permission";

const UPSERT_TEAM_GRANT: &str = "INSERT INTO grants (id, inode_id, member_id, team_id, \
     permission, created_by, updated_by, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7) \
     ON CONFLICT (inode_id, team_id) WHERE team_id IS NOT NULL DO UPDATE \
     SET permission = excluded.permission, updated_by = excluded.updated_by, \
     updated_at = excluded.updated_at WHERE grants.permission <> excluded.permission";

const INSERT_REVOCATION: &str =
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

/// A value bound to a query assembled at run time.
enum Arg {
    Text(String),
    Int(i64),
    Uuid(Uuid),
}

/// Binds `$args` in order to `$q` (a query of either dialect).
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(v) => q.bind(v.clone()),
                Arg::Int(v) => q.bind(*v),
                Arg::Uuid(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// Collects conditions and their arguments, numbering placeholders `$1`, `$2`, …
#[derive(Default)]
struct Conditions {
    clauses: Vec<String>,
    args: Vec<Arg>,
}

impl Conditions {
    /// Adds a clause; each `?` in it becomes the next placeholder, taking `args` in order.
    fn push(&mut self, clause: &str, args: Vec<Arg>) {
        let mut out = String::new();
        let mut next = args.into_iter();
        for ch in clause.chars() {
            if ch == '?' {
                self.args
                    .push(next.next().expect("one argument per placeholder"));
                out.push_str(&format!("${}", self.args.len()));
            } else {
                out.push(ch);
            }
        }
        self.clauses.push(out);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn placeholder(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }
}

fn member_write_error(e: sqlx::Error, m: &Member) -> StoreError {
    if StoreError::is_unique_violation_on(&e, "email") {
        StoreError::Conflict(format!("a member with the email {}", m.email))
    } else if StoreError::is_unique_violation(&e) {
        StoreError::Conflict(format!("member {} or its home folder", m.id))
    } else {
        e.into()
    }
}

/// `%needle%` for LIKE, lower-cased, with LIKE's own characters escaped by `\`.
fn like_pattern(needle: &str) -> String {
    let mut p = String::from("%");
    for c in needle.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
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
             description, scopes, secret_hash, created_by, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&$c.client_id)
        .bind($c.organization_id.0)
        .bind($c.owner_id.0)
        .bind(&$c.name)
        .bind(&$c.description)
        .bind(join_list(&$c.scopes, |s| s.as_str()))
        .bind($c.secret_hash.as_slice())
        .bind($c.created_by.map(|m| m.0))
        .bind($c.created_at)
        .bind($c.revoked_at)
    };
}

type Pending = (RefreshToken, oneshot::Sender<StoreResult<()>>);

/// Group commit for refresh tokens on SQLite: every token request stores one, and
/// SQLite commits one transaction at a time, so concurrent inserts are gathered into
/// one multi-row INSERT. Each caller still returns only after its row is committed.
#[derive(Clone)]
struct RefreshWriter {
    tx: mpsc::Sender<Pending>,
}

/// Most rows per INSERT (7 parameters each, far below SQLite's limit).
const MAX_BATCH: usize = 256;

impl RefreshWriter {
    fn spawn(pool: SqlitePool) -> Self {
        let (tx, mut rx) = mpsc::channel::<Pending>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
            while let Some(first) = rx.recv().await {
                batch.push(first);
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(p) => batch.push(p),
                        Err(_) => break,
                    }
                }
                match insert_refresh_batch(&pool, &batch).await {
                    Ok(()) => {
                        for (_, reply) in batch.drain(..) {
                            let _ = reply.send(Ok(()));
                        }
                    }
                    // One bad row must not fail its neighbours: retry one by one so
                    // each caller gets its own answer.
                    Err(_) => {
                        for (t, reply) in batch.drain(..) {
                            let r = bind_refresh!(t).execute(&pool).await;
                            let _ = reply.send(r.map(|_| ()).map_err(Into::into));
                        }
                    }
                }
            }
        });
        RefreshWriter { tx }
    }

    async fn insert(&self, t: RefreshToken) -> StoreResult<()> {
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::Database(sqlx::Error::PoolClosed);
        self.tx.send((t, reply)).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

async fn insert_refresh_batch(pool: &SqlitePool, batch: &[Pending]) -> Result<(), sqlx::Error> {
    let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "INSERT INTO refresh_tokens \
         (token_hash, family_id, client_id, member_id, actor_id, created_at, expires_at) ",
    );
    q.push_values(batch, |mut b, (t, _)| {
        b.push_bind(t.token_hash.clone())
            .push_bind(t.family_id.0)
            .push_bind(t.client_id.clone())
            .push_bind(t.member_id.0)
            .push_bind(t.actor_id.map(|a| a.0))
            .push_bind(t.created_at)
            .push_bind(t.expires_at);
    });
    q.build().execute(pool).await.map(|_| ())
}

/// Splits a page position into the keyset clause (built by `keyset` from the cursor)
/// and the number of rows to skip.
fn split_position<C>(
    position: &Position<C>,
    keyset: impl FnOnce(&C) -> (&'static str, Vec<Arg>),
) -> (Option<(&'static str, Vec<Arg>)>, u64) {
    let (after, offset) = position.as_ref().into_parts();
    (after.map(keyset), offset)
}

/// The keyset clause of lists ordered by name, then id.
fn after_name_and_id(name: &str, id: Uuid) -> (&'static str, Vec<Arg>) {
    (
        "(name > ? OR (name = ? AND id > ?))",
        vec![
            Arg::Text(name.to_owned()),
            Arg::Text(name.to_owned()),
            Arg::Uuid(id),
        ],
    )
}

/// What a page-style list reads: from which table, which columns, in which order.
struct ListQuery {
    table: &'static str,
    columns: &'static str,
    order: &'static str,
}

impl SqlStore {
    /// Which of `ids` have no row in `table`, each once, in the order given; one query.
    async fn missing_ids(&self, table: &'static str, ids: &[Uuid]) -> StoreResult<Vec<Uuid>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut c = Conditions::default();
        let marks = vec!["?"; ids.len()].join(", ");
        c.push(
            &format!("id IN ({marks})"),
            ids.iter().map(|i| Arg::Uuid(*i)).collect(),
        );
        let sql = format!("SELECT id FROM {table}{}", c.sql());
        let found: Vec<Uuid> = on_pool!(self, pool, {
            bind_args!(sqlx::query_scalar(&sql), &c.args)
                .fetch_all(pool)
                .await?
        });
        let mut seen: std::collections::HashSet<Uuid> = found.into_iter().collect();
        // `insert` is false for ids found, and for ids already reported missing.
        Ok(ids.iter().copied().filter(|id| seen.insert(*id)).collect())
    }

    /// A page of grants matching `filter`, ordered by id. The total of the grants made
    /// on one node reads the count the triggers keep (migration 0004), not the rows.
    async fn grant_page(
        &self,
        filter: &GrantFilter,
        after: Option<GrantId>,
        offset: u64,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Grant>, Option<u64>)> {
        let counted_node = match filter {
            GrantFilter {
                inode: Some(i),
                include_ancestors: false,
                member: None,
                team: None,
                ..
            } => Some(*i),
            _ => None,
        };
        let mut c = Conditions::default();
        if let Some(i) = filter.inode {
            if filter.include_ancestors {
                c.push(
                    "inode_id IN (WITH RECURSIVE chain (id, parent_id, depth) AS ( \
                     SELECT id, parent_id, 0 FROM inodes WHERE id = ? UNION ALL \
                     SELECT n.id, n.parent_id, h.depth + 1 FROM inodes n \
                     JOIN chain h ON n.id = h.parent_id WHERE h.depth < 64) \
                     SELECT id FROM chain)",
                    vec![Arg::Uuid(i.0)],
                );
            } else {
                c.push("inode_id = ?", vec![Arg::Uuid(i.0)]);
            }
        }
        if let Some(m) = filter.member {
            if filter.include_teams {
                c.push(
                    "(member_id = ? OR team_id IN \
                     (SELECT team_id FROM team_members WHERE member_id = ?))",
                    vec![Arg::Uuid(m.0), Arg::Uuid(m.0)],
                );
            } else {
                c.push("member_id = ?", vec![Arg::Uuid(m.0)]);
            }
        }
        if let Some(t) = filter.team {
            c.push("team_id = ?", vec![Arg::Uuid(t.0)]);
        }
        let keyset = after.map(|a| ("id > ?", vec![Arg::Uuid(a.0)]));
        let page = ListQuery {
            table: "grants",
            columns: GRANT_COLUMNS,
            order: "id",
        };
        let count_rows = with_total && counted_node.is_none();
        let (rows, mut total): (Vec<GrantRow>, _) = self
            .fetch_page(page, c, keyset, offset, limit, count_rows)
            .await?;
        if let (true, Some(inode)) = (with_total, counted_node) {
            let n: Option<i64> = on_pool!(self, pool, {
                sqlx::query_scalar("SELECT grants FROM inode_grant_counts WHERE inode_id = $1")
                    .bind(inode.0)
                    .fetch_optional(pool)
                    .await?
            });
            total = Some(n.unwrap_or(0).max(0) as u64);
        }
        let grants = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<StoreResult<_>>()?;
        Ok((grants, total))
    }

    /// Reads one page of a list filtered by `filter`: after the keyset clause when
    /// given, else skipping `offset` rows; and, when `with_total`, how many rows the
    /// filter matches (without the keyset clause).
    async fn fetch_page<R>(
        &self,
        q: ListQuery,
        mut filter: Conditions,
        keyset: Option<(&str, Vec<Arg>)>,
        offset: u64,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<R>, Option<u64>)>
    where
        R: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
    {
        let count_sql = format!("SELECT COUNT(*) FROM {}{}", q.table, filter.sql());
        let count_args = filter.args.len();
        if let Some((clause, args)) = keyset {
            filter.push(clause, args);
        }
        let lim = filter.placeholder(Arg::Int(i64::from(limit)));
        let off = filter.placeholder(Arg::Int(offset as i64));
        let sql = format!(
            "SELECT {} FROM {}{} ORDER BY {} LIMIT {lim} OFFSET {off}",
            q.columns,
            q.table,
            filter.sql(),
            q.order
        );
        let args = &filter.args;
        let (rows, total): (Vec<R>, Option<i64>) = on_pool!(self, pool, {
            let rows = bind_args!(sqlx::query_as(&sql), args)
                .fetch_all(pool)
                .await?;
            let total = if with_total {
                Some(
                    bind_args!(sqlx::query_scalar(&count_sql), &args[..count_args])
                        .fetch_one(pool)
                        .await?,
                )
            } else {
                None
            };
            (rows, total)
        });
        Ok((rows, total.map(|t| t as u64)))
    }
}

#[async_trait]
impl Store for SqlStore {
    fn generation(&self) -> Option<u64> {
        match self.pool {
            // A SQLite database is served by one process, and every write of that
            // process goes through `on_writer!`.
            Pool::Sqlite { .. } => Some(self.generation.load(Ordering::Acquire)),
            // Other nodes write to the same PostgreSQL database unseen.
            Pool::Postgres(_) => None,
        }
    }

    fn dialect(&self) -> Dialect {
        match self.pool {
            Pool::Sqlite { .. } => Dialect::Sqlite,
            Pool::Postgres(_) => Dialect::Postgres,
        }
    }

    async fn ping(&self) -> StoreResult<()> {
        on_pool!(self, pool, {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    async fn bootstrap(&self, b: &Bootstrap) -> StoreResult<()> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (singleton) DO NOTHING",
            )
            .bind(b.organization.id.0)
            .bind(&b.organization.name)
            .bind(b.organization.created_at)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Err(StoreError::AlreadyInitialized);
            }
            for t in &b.account_types {
                sqlx::query(INSERT_ACCOUNT_TYPE)
                    .bind(t.id.0)
                    .bind(t.organization_id.0)
                    .bind(&t.name)
                    .bind(&t.description)
                    .bind(t.builtin)
                    .bind(join_list(&t.permissions, |p| p.as_str()))
                    .bind(b.organization.created_at)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_member_tx!(tx, b.admin, &[] as &[TeamMember]);
            bind_credential!(b.credential).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn organization(&self) -> StoreResult<Option<Organization>> {
        let row: Option<OrganizationRow> = on_pool!(self, pool, {
            sqlx::query_as("SELECT id, name, created_at FROM organizations")
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Into::into))
    }

    async fn member(&self, id: MemberId) -> StoreResult<Option<Member>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1");
        let row: Option<MemberRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn insert_member(&self, m: &Member, teams: &[TeamMember]) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                insert_member_tx!(tx, m, teams);
                tx.commit().await
            }
            .await
        });
        res.map_err(|e| member_write_error(e, m))
    }

    async fn update_member(&self, m: &Member, deactivated: bool) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "UPDATE members SET email = $1, first_name = $2, last_name = $3, \
                     account_type_id = $4, is_inactive = $5, is_archived = $6, user_kind = $7, \
                     profile_img_url = $8, updated_by = $9, updated_at = $10 WHERE id = $11",
                )
                .bind(sigil_core::member::normalize_email(&m.email))
                .bind(&m.first_name)
                .bind(&m.last_name)
                .bind(m.account_type_id.0)
                .bind(m.is_inactive)
                .bind(m.is_archived)
                .bind(m.user_kind.as_str())
                .bind(m.profile_img_url.as_deref())
                .bind(m.updated_by.map(|u| u.0))
                .bind(m.updated_at)
                .bind(m.id.0)
                .execute(&mut *tx)
                .await?;
                if deactivated {
                    sqlx::query(
                        "UPDATE refresh_tokens SET revoked_at = $1 \
                         WHERE (member_id = $2 OR actor_id = $2) AND revoked_at IS NULL",
                    )
                    .bind(m.updated_at)
                    .bind(m.id.0)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(INSERT_REVOCATION)
                        .bind(RevocationKind::Member.as_str())
                        .bind(m.id.to_string())
                        .bind(m.updated_at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await
            }
            .await
        });
        res.map_err(|e| member_write_error(e, m))
    }

    async fn list_members(
        &self,
        filter: &MemberFilter,
        position: &Position<String>,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Member>, Option<u64>)> {
        let mut c = Conditions::default();
        if !filter.include_archived {
            c.push("is_archived = FALSE", vec![]);
        }
        if !filter.include_inactive {
            c.push("is_inactive = FALSE", vec![]);
        }
        if let Some(e) = &filter.email {
            c.push(
                "email = ?",
                vec![Arg::Text(sigil_core::member::normalize_email(e))],
            );
        }
        if let Some(q) = &filter.search {
            let p = like_pattern(q);
            c.push(
                "(LOWER(email) LIKE ? ESCAPE '\\' OR LOWER(first_name) LIKE ? ESCAPE '\\' \
                 OR LOWER(last_name) LIKE ? ESCAPE '\\' \
                 OR LOWER(first_name || ' ' || last_name) LIKE ? ESCAPE '\\')",
                vec![
                    Arg::Text(p.clone()),
                    Arg::Text(p.clone()),
                    Arg::Text(p.clone()),
                    Arg::Text(p),
                ],
            );
        }
        let (keyset, offset) = split_position(position, |email| {
            ("email > ?", vec![Arg::Text(email.clone())])
        });
        let page = ListQuery {
            table: "members",
            columns: MEMBER_COLUMNS,
            order: "email",
        };
        let (rows, total): (Vec<MemberRow>, _) = self
            .fetch_page(page, c, keyset, offset, limit, with_total)
            .await?;
        Ok((rows.into_iter().map(Into::into).collect(), total))
    }

    async fn reassign_documents(&self, from: MemberId, to: MemberId) -> StoreResult<u64> {
        Ok(on_writer!(self, pool, {
            sqlx::query("UPDATE inodes SET owner_id = $1 WHERE owner_id = $2 AND kind <> 'home'")
                .bind(to.0)
                .bind(from.0)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    async fn insert_team(&self, t: &NewTeam) -> StoreResult<()> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            if let Some((ws, _)) = &t.workspace {
                bind_inode!(ws.clone()).execute(&mut *tx).await?;
            }
            let team = &t.team;
            sqlx::query(
                "INSERT INTO teams (id, name, description, visibility, workspace_id, is_archived, \
                 created_by, updated_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(team.id.0)
            .bind(&team.name)
            .bind(&team.description)
            .bind(team.visibility.as_str())
            .bind(team.workspace_id.map(|w| w.0))
            .bind(team.is_archived)
            .bind(team.created_by.map(|m| m.0))
            .bind(team.updated_by.map(|m| m.0))
            .bind(team.created_at)
            .bind(team.updated_at)
            .execute(&mut *tx)
            .await?;
            for tm in &t.members {
                bind_team_member!(tm).execute(&mut *tx).await?;
            }
            if let Some((_, g)) = &t.workspace {
                bind_grant!(g).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn team(&self, id: TeamId) -> StoreResult<Option<Team>> {
        let sql = format!("SELECT {TEAM_COLUMNS} FROM teams WHERE id = $1");
        let row: Option<TeamRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn update_team(&self, t: &Team) -> StoreResult<()> {
        on_writer!(self, pool, {
            sqlx::query(
                "UPDATE teams SET name = $1, description = $2, visibility = $3, is_archived = $4, \
                 updated_by = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(&t.name)
            .bind(&t.description)
            .bind(t.visibility.as_str())
            .bind(t.is_archived)
            .bind(t.updated_by.map(|m| m.0))
            .bind(t.updated_at)
            .bind(t.id.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn delete_team(&self, id: TeamId) -> StoreResult<bool> {
        Ok(on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM grants WHERE team_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM team_members WHERE team_id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            let n = sqlx::query("DELETE FROM teams WHERE id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            n == 1
        }))
    }

    async fn list_teams(
        &self,
        filter: &TeamFilter,
        position: &Position<TeamCursor>,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Team>, Option<u64>)> {
        let mut c = Conditions::default();
        if let Some(n) = &filter.name {
            c.push(
                "LOWER(name) LIKE ? ESCAPE '\\'",
                vec![Arg::Text(like_pattern(n))],
            );
        }
        if let Some(d) = &filter.description {
            c.push(
                "LOWER(description) LIKE ? ESCAPE '\\'",
                vec![Arg::Text(like_pattern(d))],
            );
        }
        if let Some(v) = filter.visibility {
            c.push("visibility = ?", vec![Arg::Text(v.as_str().into())]);
        }
        if let Some(m) = filter.visible_to {
            c.push(
                "(visibility = 'public' OR id IN \
                 (SELECT team_id FROM team_members WHERE member_id = ?))",
                vec![Arg::Uuid(m.0)],
            );
        }
        let (keyset, offset) = split_position(position, |c| after_name_and_id(&c.name, c.id.0));
        let page = ListQuery {
            table: "teams",
            columns: TEAM_COLUMNS,
            order: "name, id",
        };
        let (rows, total): (Vec<TeamRow>, _) = self
            .fetch_page(page, c, keyset, offset, limit, with_total)
            .await?;
        let teams = rows
            .into_iter()
            .map(TryInto::try_into)
            .collect::<StoreResult<_>>()?;
        Ok((teams, total))
    }

    async fn member_teams(&self, member: MemberId) -> StoreResult<Vec<Team>> {
        let sql = format!(
            "SELECT {TEAM_COLUMNS} FROM teams WHERE id IN \
             (SELECT team_id FROM team_members WHERE member_id = $1) ORDER BY name, id"
        );
        let rows: Vec<TeamRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(member.0).fetch_all(pool).await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn team_members(
        &self,
        team: TeamId,
        after: Option<MemberId>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<TeamMember>, u64)> {
        let mut c = Conditions::default();
        c.push("team_id = ?", vec![Arg::Uuid(team.0)]);
        let keyset = after.map(|a| ("member_id > ?", vec![Arg::Uuid(a.0)]));
        let page = ListQuery {
            table: "team_members",
            columns: "team_id, member_id, is_team_admin, added_by, created_at",
            order: "member_id",
        };
        let (rows, total): (Vec<TeamMemberRow>, _) = self
            .fetch_page(page, c, keyset, offset, limit, true)
            .await?;
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.unwrap_or_default(),
        ))
    }

    async fn team_membership(
        &self,
        team: TeamId,
        member: MemberId,
    ) -> StoreResult<Option<TeamMember>> {
        let row: Option<TeamMemberRow> = on_pool!(self, pool, {
            sqlx::query_as(
                "SELECT team_id, member_id, is_team_admin, added_by, created_at FROM team_members \
                 WHERE team_id = $1 AND member_id = $2",
            )
            .bind(team.0)
            .bind(member.0)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(Into::into))
    }

    async fn change_team_members(
        &self,
        team: TeamId,
        add: &[TeamMember],
        remove: &[MemberId],
    ) -> StoreResult<()> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            for tm in add {
                bind_team_member!(tm).execute(&mut *tx).await?;
            }
            for m in remove {
                sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND member_id = $2")
                    .bind(team.0)
                    .bind(m.0)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn missing_members(&self, ids: &[MemberId]) -> StoreResult<Vec<MemberId>> {
        let raw: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
        Ok(self
            .missing_ids("members", &raw)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    async fn missing_teams(&self, ids: &[TeamId]) -> StoreResult<Vec<TeamId>> {
        let raw: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
        Ok(self
            .missing_ids("teams", &raw)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    async fn inode(&self, id: InodeId) -> StoreResult<Option<Inode>> {
        let sql = format!("SELECT {INODE_COLUMNS} FROM inodes WHERE id = $1");
        let row: Option<InodeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn insert_inode(&self, i: &Inode) -> StoreResult<()> {
        on_writer!(self, pool, {
            bind_inode!(i.clone()).execute(pool).await?;
        });
        Ok(())
    }

    async fn inode_path(&self, id: InodeId) -> StoreResult<Vec<Inode>> {
        let cols = INODE_COLUMNS
            .split(", ")
            .map(|c| format!("n.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "WITH RECURSIVE chain (id, parent_id, depth) AS ( \
                 SELECT id, parent_id, 0 FROM inodes WHERE id = $1 \
                 UNION ALL \
                 SELECT i.id, i.parent_id, c.depth + 1 FROM inodes i \
                 JOIN chain c ON i.id = c.parent_id WHERE c.depth < 64) \
             SELECT {cols} FROM inodes n JOIN chain c ON n.id = c.id ORDER BY c.depth DESC"
        );
        let rows: Vec<InodeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn list_inodes(
        &self,
        filter: &InodeFilter,
        position: &Position<NameCursor>,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Inode>, Option<u64>)> {
        let mut c = Conditions::default();
        c.push("is_archived = FALSE", vec![]);
        if let Some(p) = filter.parent {
            if filter.descendants {
                c.push(
                    "id IN (WITH RECURSIVE below (id, depth) AS ( \
                     SELECT id, 0 FROM inodes WHERE parent_id = ? UNION ALL \
                     SELECT n.id, b.depth + 1 FROM inodes n JOIN below b ON n.parent_id = b.id \
                     WHERE b.depth < 64) SELECT id FROM below)",
                    vec![Arg::Uuid(p.0)],
                );
            } else {
                c.push("parent_id = ?", vec![Arg::Uuid(p.0)]);
            }
        }
        if let Some(n) = &filter.name {
            c.push(
                "LOWER(name) LIKE ? ESCAPE '\\'",
                vec![Arg::Text(like_pattern(n))],
            );
        }
        if !filter.kinds.is_empty() {
            let marks = vec!["?"; filter.kinds.len()].join(", ");
            c.push(
                &format!("kind IN ({marks})"),
                filter.kinds.iter().map(|k| Arg::Text(k.clone())).collect(),
            );
        }
        if let Some(m) = filter.visible_to {
            // The effective permission is the highest applicable grant, so a node
            // reaches a level exactly when some grant at that level applies to it.
            let levels: Vec<&str> = [
                GrantPermission::View,
                GrantPermission::Explore,
                GrantPermission::Organize,
                GrantPermission::Edit,
            ]
            .into_iter()
            .filter(|p| filter.min_permission.is_none_or(|min| *p >= min))
            .map(GrantPermission::as_str)
            .collect();
            let levels = levels
                .iter()
                .map(|l| format!("'{l}'"))
                .collect::<Vec<_>>()
                .join(", ");
            c.push(
                &format!(
                    "id IN (WITH RECURSIVE seen (id, depth) AS ( \
                     SELECT inode_id, 0 FROM grants WHERE permission IN ({levels}) \
                     AND (member_id = ? OR team_id IN \
                     (SELECT team_id FROM team_members WHERE member_id = ?)) \
                     UNION ALL SELECT id, 0 FROM inodes WHERE kind = 'home' AND owner_id = ? \
                     UNION ALL SELECT n.id, s.depth + 1 FROM inodes n JOIN seen s \
                     ON n.parent_id = s.id WHERE s.depth < 64) SELECT id FROM seen)"
                ),
                vec![Arg::Uuid(m.0), Arg::Uuid(m.0), Arg::Uuid(m.0)],
            );
        }
        let (keyset, offset) = split_position(position, |c| after_name_and_id(&c.name, c.id));
        let page = ListQuery {
            table: "inodes",
            columns: INODE_COLUMNS,
            order: "name, id",
        };
        let (rows, total): (Vec<InodeRow>, _) = self
            .fetch_page(page, c, keyset, offset, limit, with_total)
            .await?;
        Ok((rows.into_iter().map(Into::into).collect(), total))
    }

    async fn create_workspace(&self, ws: &Inode, creator_grant: &Grant) -> StoreResult<()> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            bind_inode!(ws.clone()).execute(&mut *tx).await?;
            bind_grant!(creator_grant).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn workspaces_named(&self, name: &str) -> StoreResult<Vec<Inode>> {
        let sql = format!(
            "SELECT {INODE_COLUMNS} FROM inodes \
             WHERE kind = 'workspace' AND is_archived = FALSE AND name = $1 ORDER BY id"
        );
        let rows: Vec<InodeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(name).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn update_inode(&self, i: &Inode) -> StoreResult<()> {
        on_writer!(self, pool, {
            sqlx::query(
                "UPDATE inodes SET name = $1, description = $2, parent_id = $3, is_archived = $4, \
                 updated_by = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(&i.name)
            .bind(&i.description)
            .bind(i.parent_id.map(|p| p.0))
            .bind(i.is_archived)
            .bind(i.updated_by.map(|u| u.0))
            .bind(i.updated_at)
            .bind(i.id.0)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn list_workspaces(
        &self,
        filter: &WorkspaceFilter,
        position: &Position<NameCursor>,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Inode>, Option<u64>)> {
        let mut c = Conditions::default();
        c.push("kind = 'workspace' AND is_archived = FALSE", vec![]);
        if let Some(n) = &filter.name {
            c.push(
                "LOWER(name) LIKE ? ESCAPE '\\'",
                vec![Arg::Text(like_pattern(n))],
            );
        }
        if let Some(n) = &filter.exact_name {
            c.push("name = ?", vec![Arg::Text(n.clone())]);
        }
        if let Some(m) = filter.visible_to {
            c.push(
                "id IN (SELECT inode_id FROM grants WHERE member_id = ? OR team_id IN \
                 (SELECT team_id FROM team_members WHERE member_id = ?))",
                vec![Arg::Uuid(m.0), Arg::Uuid(m.0)],
            );
        }
        let (keyset, offset) = split_position(position, |c| after_name_and_id(&c.name, c.id));
        let page = ListQuery {
            table: "inodes",
            columns: INODE_COLUMNS,
            order: "name, id",
        };
        let (rows, total): (Vec<InodeRow>, _) = self
            .fetch_page(page, c, keyset, offset, limit, with_total)
            .await?;
        Ok((rows.into_iter().map(Into::into).collect(), total))
    }

    async fn grants_on(
        &self,
        inode: InodeId,
        after: Option<GrantId>,
        offset: u64,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Grant>, Option<u64>)> {
        let filter = GrantFilter {
            inode: Some(inode),
            ..GrantFilter::default()
        };
        self.grant_page(&filter, after, offset, limit, with_total)
            .await
    }

    async fn upsert_grants(
        &self,
        inode: InodeId,
        grants: &[(Grantee, GrantPermission)],
        by: MemberId,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            for (grantee, permission) in grants {
                // The conflict targets are the partial unique indexes, so two requests
                // naming one grantee can never leave two grants.
                let (sql, member, team) = match grantee {
                    Grantee::Member(m) => (UPSERT_MEMBER_GRANT, Some(m.0), None),
                    Grantee::Team(t) => (UPSERT_TEAM_GRANT, None, Some(t.0)),
                };
                sqlx::query(sql)
                    .bind(GrantId::new().0)
                    .bind(inode.0)
                    .bind(member)
                    .bind(team)
                    .bind(permission.as_str())
                    .bind(by.0)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    async fn grant(&self, id: GrantId) -> StoreResult<Option<Grant>> {
        let sql = format!("SELECT {GRANT_COLUMNS} FROM grants WHERE id = $1");
        let row: Option<GrantRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn list_grants(
        &self,
        filter: &GrantFilter,
        after: Option<GrantId>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Grant>, u64)> {
        let (grants, total) = self.grant_page(filter, after, offset, limit, true).await?;
        Ok((grants, total.unwrap_or_default()))
    }

    async fn delete_grant(&self, id: GrantId) -> StoreResult<bool> {
        Ok(on_writer!(self, pool, {
            sqlx::query("DELETE FROM grants WHERE id = $1")
                .bind(id.0)
                .execute(pool)
                .await?
                .rows_affected()
                == 1
        }))
    }

    async fn applicable_grants(&self, member: MemberId, inode: InodeId) -> StoreResult<Vec<Grant>> {
        let g_columns = GRANT_COLUMNS
            .split(", ")
            .map(|c| format!("g.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            // Two index-driven halves instead of one OR: a node may hold a million
            // grants, and only the member's own and its teams' may be read.
            "WITH RECURSIVE chain (id, parent_id, depth) AS ( \
                 SELECT id, parent_id, 0 FROM inodes WHERE id = $1 \
                 UNION ALL \
                 SELECT i.id, i.parent_id, c.depth + 1 FROM inodes i \
                 JOIN chain c ON i.id = c.parent_id WHERE c.depth < 64) \
             SELECT {GRANT_COLUMNS} FROM grants \
             WHERE member_id = $2 AND inode_id IN (SELECT id FROM chain) \
             UNION ALL \
             SELECT {g_columns} FROM team_members tm JOIN grants g ON g.team_id = tm.team_id \
             WHERE tm.member_id = $2 AND g.inode_id IN (SELECT id FROM chain)"
        );
        let rows: Vec<GrantRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql)
                .bind(inode.0)
                .bind(member.0)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn member_by_email(&self, email: &str) -> StoreResult<Option<Member>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE email = $1");
        let email = sigil_core::member::normalize_email(email);
        let row: Option<MemberRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql)
                .bind(&email)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Into::into))
    }

    async fn account_type(&self, id: AccountTypeId) -> StoreResult<Option<AccountType>> {
        let sql = format!("SELECT {ACCOUNT_TYPE_COLUMNS} FROM account_types WHERE id = $1");
        let row: Option<AccountTypeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn account_type_by_name(&self, name: &str) -> StoreResult<Option<AccountType>> {
        let sql = format!("SELECT {ACCOUNT_TYPE_COLUMNS} FROM account_types WHERE name = $1");
        let row: Option<AccountTypeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(name).fetch_optional(pool).await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn list_account_types(
        &self,
        after_name: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<AccountType>> {
        let sql = format!(
            "SELECT {ACCOUNT_TYPE_COLUMNS} FROM account_types \
             WHERE ($1 IS NULL OR name > $1) ORDER BY name LIMIT $2"
        );
        let rows: Vec<AccountTypeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql)
                .bind(after_name)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_account_type(&self, t: &AccountType, at: OffsetDateTime) -> StoreResult<()> {
        let res = on_writer!(self, pool, {
            sqlx::query(INSERT_ACCOUNT_TYPE)
                .bind(t.id.0)
                .bind(t.organization_id.0)
                .bind(&t.name)
                .bind(&t.description)
                .bind(t.builtin)
                .bind(join_list(&t.permissions, |p| p.as_str()))
                .bind(at)
                .execute(pool)
                .await
                .map(|_| ())
        });
        res.map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict(format!("an account type named {}", t.name))
            } else {
                e.into()
            }
        })
    }

    async fn delete_account_type(
        &self,
        id: AccountTypeId,
        reassign_to: Option<AccountTypeId>,
        _at: OffsetDateTime,
    ) -> StoreResult<DeleteAccountType> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            // COUNT(*) is BIGINT on both dialects; a bare `SELECT 1` is INT4 on PostgreSQL.
            let exists: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM account_types WHERE id = $1")
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            if exists == 0 {
                return Ok(DeleteAccountType::NotFound);
            }
            let held: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE account_type_id = $1")
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            let reassigned = match reassign_to {
                Some(to) => sqlx::query(
                    "UPDATE members SET account_type_id = $1 WHERE account_type_id = $2",
                )
                .bind(to.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                None if held > 0 => {
                    return Ok(DeleteAccountType::InUse {
                        members: held as u64,
                    })
                }
                None => 0,
            };
            sqlx::query("DELETE FROM account_types WHERE id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(DeleteAccountType::Deleted { reassigned })
        })
    }

    async fn set_member_password(
        &self,
        id: MemberId,
        password_hash: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        let done = on_writer!(self, pool, {
            sqlx::query("UPDATE members SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(password_hash)
                .bind(at)
                .bind(id.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    async fn insert_client_credential(&self, c: &ClientCredential) -> StoreResult<()> {
        let res = on_writer!(
            self,
            pool,
            bind_credential!(c).execute(pool).await.map(|_| ())
        );
        res.map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict(format!("client id {}", c.client_id))
            } else {
                e.into()
            }
        })
    }

    async fn client_credential(&self, client_id: &str) -> StoreResult<Option<ClientCredential>> {
        let sql =
            format!("SELECT {CREDENTIAL_COLUMNS} FROM client_credentials WHERE client_id = $1");
        let row: Option<CredentialRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql)
                .bind(client_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn revoke_client_credential(
        &self,
        client_id: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE client_credentials SET revoked_at = $1 \
                 WHERE client_id = $2 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(client_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $1 \
                 WHERE client_id = $2 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_REVOCATION)
                .bind(RevocationKind::Credential.as_str())
                .bind(client_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(true)
    }

    async fn insert_refresh_token(&self, t: &RefreshToken) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite { refresh, .. } => refresh.insert(t.clone()).await,
            Pool::Postgres(pool) => {
                bind_refresh!(t).execute(pool).await?;
                Ok(())
            }
        }
    }

    async fn rotate_refresh_token(
        &self,
        presented_hash: &[u8],
        next: &RefreshToken,
        now: OffsetDateTime,
    ) -> StoreResult<RotateOutcome> {
        on_writer!(self, pool, {
            // Write first: the UPDATE takes the row (PostgreSQL) or the database
            // (SQLite) lock at once, so two concurrent presentations of one token
            // cannot both succeed, and SQLite never has to upgrade a read lock.
            let mut tx = pool.begin().await?;
            let claimed: Option<RefreshRow> = sqlx::query_as(
                "UPDATE refresh_tokens SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL \
                 RETURNING token_hash, family_id, client_id, member_id, actor_id, \
                 created_at, expires_at, revoked_at",
            )
            .bind(now)
            .bind(presented_hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = claimed {
                if row.expires_at <= now {
                    tx.rollback().await?;
                    return Ok(RotateOutcome::Expired);
                }
                let presented = RefreshToken::from(&row);
                let next = RefreshToken {
                    family_id: presented.family_id,
                    client_id: presented.client_id.clone(),
                    member_id: presented.member_id,
                    actor_id: presented.actor_id,
                    ..next.clone()
                };
                bind_refresh!(next).execute(&mut *tx).await?;
                tx.commit().await?;
                return Ok(RotateOutcome::Rotated(presented));
            }
            let existing: Option<RefreshRow> = sqlx::query_as(
                "SELECT token_hash, family_id, client_id, member_id, actor_id, created_at, \
                 expires_at, revoked_at FROM refresh_tokens WHERE token_hash = $1",
            )
            .bind(presented_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = existing else {
                return Ok(RotateOutcome::Unknown);
            };
            if row.revoked_at.is_some() {
                return Ok(RotateOutcome::Revoked);
            }
            // Used before: someone replayed it. Revoke the family (RFC 9700 §4.14.2).
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $1 \
                 WHERE family_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(row.family_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_REVOCATION)
                .bind(RevocationKind::Family.as_str())
                .bind(row.family_id.hyphenated().to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(RotateOutcome::Reused(TokenFamilyId(row.family_id)))
        })
    }

    async fn revocations_since(
        &self,
        after_seq: i64,
        not_before: OffsetDateTime,
    ) -> StoreResult<Vec<Revocation>> {
        let rows: Vec<RevocationRow> = on_pool!(self, pool, {
            sqlx::query_as(
                "SELECT seq, kind, subject, created_at FROM revocations \
                 WHERE seq > $1 AND created_at >= $2 ORDER BY seq",
            )
            .bind(after_seq)
            .bind(not_before)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(Revocation {
                    seq: r.seq,
                    kind: RevocationKind::parse(&r.kind).ok_or_else(|| {
                        StoreError::Corrupt(format!("revocation kind {}", r.kind))
                    })?,
                    subject: r.subject,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    async fn prune_refresh_tokens(&self, before: OffsetDateTime) -> StoreResult<u64> {
        Ok(on_writer!(self, pool, {
            sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}

// After every macro above, which it uses.
mod workbooks;
