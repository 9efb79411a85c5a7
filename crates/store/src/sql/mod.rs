//! [`SqlStore`]: the SQLite and PostgreSQL implementation of [`Store`].
//!
//! Both dialects share one SQL text per operation (`$n` placeholders, `RETURNING`,
//! `ON CONFLICT` work on both) and one Rust body: the [`on_pool!`] macro compiles each
//! body once against `SqlitePool` and once against `PgPool`, so a query cannot drift
//! between the two. Column types differ only in the migrations (`migrations/<dialect>`),
//! which share their numbering.
//!
//! Here: the pools, the dialect macros and the write generation. Each resource's part
//! of the trait is in its own file (`members`, `teams`, `account_types`, `files`,
//! `grants`, `auth`, `api`, `workbooks`); statements binding a whole record are in
//! `binds`, run-time query assembly and the page reader in `query`, row types in
//! `rows`.

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
    TeamCursor, TeamFilter, WebSession, WorkspaceFilter,
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

#[macro_use]
mod binds;
#[macro_use]
mod query;
mod rows;

use binds::*;
use query::*;
use rows::*;

mod account_types;
mod api;
mod auth;
mod connections;
mod favorites;
mod files;
mod grants;
mod members;
mod notify;
mod schedules;
mod snapshots;
mod tags;
mod teams;
mod user_attributes;
mod workbook_records;
mod workbooks;

use auth::RefreshWriter;
pub use snapshots::classified_tables;

/// How often a transaction is run again after a deadlock or serialization failure.
const RETRIES: u32 = 4;

/// Waits before the next attempt of a transaction that collided: a short, growing,
/// jittered pause so that two colliders do not collide again in step.
async fn before_retry(attempt: u32) {
    let base = 5u64 << attempt.min(6);
    let jitter = uuid::Uuid::new_v4().as_u128() as u64 % base.max(1);
    tokio::time::sleep(Duration::from_millis(base + jitter)).await;
}

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
    /// Counts this process's writes (and, on PostgreSQL, every node's writes it
    /// hears of); see [`Store::generation`].
    generation: Arc<AtomicU64>,
    /// On PostgreSQL: whether the write notifications are heard.
    listening: Arc<notify::Listening>,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SqlStore({})", self.dialect().as_str())
    }
}

impl SqlStore {
    /// Connects to `url` (`sqlite:PATH` or `postgres://…`) and applies migrations,
    /// with SQLite's commits durable against power loss.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_durable(url, true).await
    }

    /// Like [`connect`](Self::connect); with `power_safe == false`, SQLite commits do
    /// not wait for the disk (`synchronous=NORMAL`): a killed process still loses
    /// nothing, but a power loss may lose the last commits.
    pub async fn connect_durable(url: &str, power_safe: bool) -> StoreResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)?;
            Self::connect_postgres(opts).await
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)?.synchronous(if power_safe {
                SqliteSynchronous::Full
            } else {
                SqliteSynchronous::Normal
            });
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
    /// and a busy timeout, then migrates it. `opts` says how durable commits are
    /// (SQLite's default, FULL, unless set).
    pub async fn connect_sqlite(opts: SqliteConnectOptions) -> StoreResult<Self> {
        let opts = opts
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // `synchronous` is the caller's: FULL (an fsync of the WAL per commit, so an
            // acknowledged write survives a power loss) unless it chose NORMAL.
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // A local file does not drop connections: skip the ping sqlx would otherwise
        // send before handing each one out.
        // Connections are never retired for age or idleness: a local file gains
        // nothing from it, and an in-memory database lives only while one of its
        // connections is open.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
            .test_before_acquire(false)
            .connect_with(opts.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&write).await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .max_lifetime(None)
            .idle_timeout(None)
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
            listening: Arc::default(),
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
        let generation = Arc::new(AtomicU64::new(0));
        let listening = Arc::new(notify::Listening::default());
        notify::spawn(pool.clone(), generation.clone(), listening.clone());
        Ok(SqlStore {
            pool: Pool::Postgres(pool),
            generation,
            listening,
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

#[async_trait]
impl Store for SqlStore {
    fn generation(&self) -> Option<u64> {
        match self.pool {
            // A SQLite database is served by one process, and every write of that
            // process goes through `on_writer!`.
            Pool::Sqlite { .. } => Some(self.generation.load(Ordering::Acquire)),
            // Other nodes write to the same database: only while their writes are
            // heard of (migration 0012's notifications).
            Pool::Postgres(_) => self
                .listening
                .up
                .load(Ordering::Acquire)
                .then(|| self.generation.load(Ordering::Acquire)),
        }
    }

    fn revocations_written(&self) -> Option<Arc<tokio::sync::Notify>> {
        match self.pool {
            Pool::Sqlite { .. } => None,
            Pool::Postgres(_) => Some(self.listening.revoked.clone()),
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
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn synchronous(store: &SqlStore) -> i64 {
        let Pool::Sqlite { write, read, .. } = &store.pool else {
            panic!("a SQLite store")
        };
        let w: (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(write)
            .await
            .unwrap();
        let r: (i64,) = sqlx::query_as("PRAGMA synchronous")
            .fetch_one(read)
            .await
            .unwrap();
        assert_eq!(w, r, "every connection of the store alike");
        w.0
    }

    #[tokio::test]
    async fn sqlite_commits_wait_for_the_disk_unless_asked_not_to() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("a.db").display());
        // 2 is FULL: an fsync per commit, so an acknowledged write survives a power loss.
        assert_eq!(
            synchronous(&SqlStore::connect(&url).await.unwrap()).await,
            2
        );
        let url = format!("sqlite:{}", dir.path().join("b.db").display());
        let normal = SqlStore::connect_durable(&url, false).await.unwrap();
        assert_eq!(synchronous(&normal).await, 1, "NORMAL when chosen");
    }
}
