//! [`SnapshotStore`] for [`SqlStore`]: named copies of the whole organization, for
//! tests. A snapshot is one table `sigil_snapshot_<id>_<table>` per copied table,
//! made with `CREATE TABLE … AS SELECT *`; a restore empties the live tables and
//! copies the rows back, all in one transaction. Plain SQL on both dialects: no row
//! is decoded in Rust, so a restore of 10,000 grants costs what the database spends.

use super::*;
use crate::{SnapshotInfo, SnapshotStore};

/// The tables a snapshot copies, parents before children: the order rows are put
/// back in (and the reverse of the order they are emptied in). No two tables refer
/// to each other, and a table that refers to itself is copied in one statement,
/// which both databases check at its end.
pub(crate) const COPIED: &[&str] = &[
    "organizations",
    "account_types",
    "members",
    "client_credentials",
    "refresh_tokens",
    "inodes",
    "teams",
    "team_members",
    "grants",
    "api_credentials",
    "api_connectors",
    "api_documents",
    "api_calls",
    "workbook_documents",
    "workbook_versions",
    "workbook_runs",
    "favorites",
    "recents",
    "user_attributes",
    "user_attribute_members",
    "user_attribute_teams",
    "user_attribute_tenants",
    "version_tags",
    "workbook_tags",
    "bookmarks",
    "embeds",
    "connections",
    "connection_paths",
    "connection_grants",
    "export_schedules",
];

/// Emptied by a restore but never copied: web sessions all end (a session opened
/// after the snapshot must not survive it, and one that signed out before the
/// restore must not come back), and grant counts are rebuilt by their triggers as
/// the grants are put back.
pub(crate) const EMPTIED: &[&str] = &["web_sessions", "inode_grant_counts"];

/// Left alone: the revocation feed is append-only (nodes read it by sequence number,
/// and a restore adds to it), the snapshot registry, and the migrations' bookkeeping.
pub(crate) const KEPT: &[&str] = &["revocations", "test_snapshots", "_sqlx_migrations"];

fn copy_name(id: i64, table: &str) -> String {
    format!("sigil_snapshot_{id}_{table}")
}

#[async_trait]
impl SnapshotStore for SqlStore {
    async fn take_snapshot(&self, name: &str, at: OffsetDateTime) -> StoreResult<()> {
        // Copying changes no live row: the caches stay (the generation stays put).
        let res: Result<(), sqlx::Error> = on_log_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                let old: Option<(i64,)> =
                    sqlx::query_as("SELECT id FROM test_snapshots WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some((old,)) = old {
                    for t in COPIED {
                        sqlx::query(&format!("DROP TABLE IF EXISTS {}", copy_name(old, t)))
                            .execute(&mut *tx)
                            .await?;
                    }
                    sqlx::query("DELETE FROM test_snapshots WHERE id = $1")
                        .bind(old)
                        .execute(&mut *tx)
                        .await?;
                }
                let (id,): (i64,) =
                    sqlx::query_as("SELECT COALESCE(MAX(id), 0) + 1 FROM test_snapshots")
                        .fetch_one(&mut *tx)
                        .await?;
                for t in COPIED {
                    sqlx::query(&format!(
                        "CREATE TABLE {} AS SELECT * FROM {t}",
                        copy_name(id, t)
                    ))
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query("INSERT INTO test_snapshots (name, id, taken_at) VALUES ($1, $2, $3)")
                    .bind(name)
                    .bind(id)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await
            }
            .await
        });
        Ok(res?)
    }

    async fn restore_snapshot(
        &self,
        name: &str,
        at: OffsetDateTime,
    ) -> StoreResult<Option<OffsetDateTime>> {
        if let Pool::Sqlite { write, .. } = &self.pool {
            let _moves_generation = GenerationBump(&self.generation);
            let mut conn = write.acquire().await?;
            // Foreign keys are checked per deleted row against every table that
            // refers to it (members: about thirty columns, several unindexed), which
            // was most of a restore's time. The rows come back from a snapshot of the
            // same tables, consistent when it was taken; `foreign_key_check` below
            // proves it before the commit. The pragma is a no-op inside a
            // transaction, hence outside it, and it is put back whatever happens.
            sqlx::query("PRAGMA foreign_keys = OFF")
                .execute(&mut *conn)
                .await?;
            let res = restore_sqlite(&mut conn, name, at).await;
            let back = sqlx::query("PRAGMA foreign_keys = ON")
                .execute(&mut *conn)
                .await;
            if back.is_err() {
                // A connection that may have lost its foreign keys is not reused.
                conn.detach();
            }
            back?;
            return Ok(res?);
        }
        let res: Result<Option<OffsetDateTime>, sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                let found: Option<(i64, OffsetDateTime)> =
                    sqlx::query_as("SELECT id, taken_at FROM test_snapshots WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((id, taken_at)) = found else {
                    return Ok(None);
                };
                // One statement; TRUNCATE fires the write notifications (0012).
                let all: Vec<&str> = EMPTIED.iter().chain(COPIED).copied().collect();
                sqlx::query(&format!("TRUNCATE {}", all.join(", ")))
                    .execute(&mut *tx)
                    .await?;
                for t in COPIED {
                    sqlx::query(&format!(
                        "INSERT INTO {t} SELECT * FROM {}",
                        copy_name(id, t)
                    ))
                    .execute(&mut *tx)
                    .await?;
                }
                record_restore(&mut tx, taken_at, at).await?;
                tx.commit().await?;
                Ok(Some(taken_at))
            }
            .await
        });
        Ok(res?)
    }

    async fn list_snapshots(&self) -> StoreResult<Vec<SnapshotInfo>> {
        let rows: Vec<(String, OffsetDateTime)> = on_pool!(self, pool, {
            sqlx::query_as("SELECT name, taken_at FROM test_snapshots ORDER BY name")
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(name, taken_at)| SnapshotInfo { name, taken_at })
            .collect())
    }

    async fn delete_snapshot(&self, name: &str) -> StoreResult<bool> {
        let res: Result<bool, sqlx::Error> = on_log_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                let found: Option<(i64,)> =
                    sqlx::query_as("DELETE FROM test_snapshots WHERE name = $1 RETURNING id")
                        .bind(name)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((id,)) = found else {
                    return Ok(false);
                };
                for t in COPIED {
                    sqlx::query(&format!("DROP TABLE IF EXISTS {}", copy_name(id, t)))
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(true)
            }
            .await
        });
        Ok(res?)
    }

    async fn live_tables(&self) -> StoreResult<Vec<String>> {
        let sql = match self.dialect() {
            Dialect::Sqlite => {
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'sigil_snapshot_%' ORDER BY name"
            }
            Dialect::Postgres => {
                "SELECT table_name::text FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
                 AND table_name NOT LIKE 'sigil_snapshot_%' ORDER BY table_name"
            }
        };
        let rows: Vec<(String,)> =
            on_pool!(self, pool, { sqlx::query_as(sql).fetch_all(pool).await? });
        Ok(rows.into_iter().map(|(n,)| n).collect())
    }
}

/// SQLite's restore, on a connection with foreign keys off (see the caller).
async fn restore_sqlite(
    conn: &mut sqlx::SqliteConnection,
    name: &str,
    at: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    use sqlx::Connection;
    let mut tx = conn.begin().await?;
    let found: Option<(i64, OffsetDateTime)> =
        sqlx::query_as("SELECT id, taken_at FROM test_snapshots WHERE name = $1")
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((id, taken_at)) = found else {
        return Ok(None);
    };
    for t in EMPTIED.iter().chain(COPIED.iter().rev()) {
        sqlx::query(&format!("DELETE FROM {t}"))
            .execute(&mut *tx)
            .await?;
    }
    for t in COPIED {
        sqlx::query(&format!(
            "INSERT INTO {t} SELECT * FROM {}",
            copy_name(id, t)
        ))
        .execute(&mut *tx)
        .await?;
    }
    let broken: Option<(String,)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_optional(&mut *tx)
        .await?;
    if let Some((table,)) = broken {
        // Dropping `tx` rolls the restore back.
        return Err(sqlx::Error::Protocol(format!(
            "snapshot `{name}` breaks a foreign key of `{table}`; nothing was restored"
        )));
    }
    record_restore(&mut tx, taken_at, at).await?;
    tx.commit().await?;
    Ok(Some(taken_at))
}

/// The restore's entry in the revocation feed (see `RevocationKind::Restore`).
async fn record_restore<'c, DB>(
    tx: &mut sqlx::Transaction<'c, DB>,
    taken_at: OffsetDateTime,
    at: OffsetDateTime,
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'e> &'e mut DB::Connection: sqlx::Executor<'e, Database = DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> OffsetDateTime: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    let since_ms = (taken_at.unix_timestamp_nanos() / 1_000_000) as i64;
    sqlx::query(INSERT_REVOCATION)
        .bind(RevocationKind::Restore.as_str())
        .bind(since_ms.to_string())
        .bind(at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Every table the schema holds is either copied, emptied or kept by a restore.
pub fn classified_tables() -> Vec<&'static str> {
    let mut all: Vec<&str> = COPIED.iter().chain(EMPTIED).chain(KEPT).copied().collect();
    all.sort_unstable();
    all
}
