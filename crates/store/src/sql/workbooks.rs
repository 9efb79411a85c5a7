//! [`WorkbookStore`] for [`SqlStore`]: workbook documents beside their nodes, every
//! saved version of each, and the trace of their runs.

use async_trait::async_trait;
use sigil_core::{InodeId, MemberId};
use time::OffsetDateTime;

use std::collections::HashMap;

use uuid::Uuid;

use super::{Arg, Conditions, Pool, SqlStore};
use crate::error::StoreResult;
use crate::records::{Inode, WorkbookRun, WorkbookVersion};
use crate::WorkbookStore;

#[async_trait]
impl WorkbookStore for SqlStore {
    async fn create_workbook(&self, node: &Inode, document: &str) -> StoreResult<()> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            bind_inode!(node.clone()).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO workbook_documents (inode_id, document, version, updated_by, updated_at) \
                 VALUES ($1, $2, 1, $3, $4)",
            )
            .bind(node.id.0)
            .bind(document)
            .bind(node.created_by.map(|m| m.0))
            .bind(node.created_at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO workbook_versions (inode_id, version, document, saved_by, saved_at) \
                 VALUES ($1, 1, $2, $3, $4)",
            )
            .bind(node.id.0)
            .bind(document)
            .bind(node.created_by.map(|m| m.0))
            .bind(node.created_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn workbook_document(&self, id: InodeId) -> StoreResult<Option<(String, i64)>> {
        let row: Option<(String, i64)> = on_pool!(self, pool, {
            sqlx::query_as("SELECT document, version FROM workbook_documents WHERE inode_id = $1")
                .bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(row)
    }

    async fn workbooks_mentioning(&self, text: &str) -> StoreResult<Vec<String>> {
        // Only ids are looked for: nothing in them needs escaping for LIKE.
        let pattern = format!("%{text}%");
        let rows: Vec<(String,)> = on_pool!(self, pool, {
            sqlx::query_as(
                "SELECT i.name FROM workbook_documents d JOIN inodes i ON i.id = d.inode_id \
                 WHERE NOT i.is_archived AND d.document LIKE $1 ORDER BY i.name, i.id",
            )
            .bind(&pattern)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    async fn workbook_versions(&self, ids: &[InodeId]) -> StoreResult<HashMap<InodeId, i64>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut c = Conditions::default();
        let marks = vec!["?"; ids.len()].join(", ");
        c.push(
            &format!("inode_id IN ({marks})"),
            ids.iter().map(|i| Arg::Uuid(i.0)).collect(),
        );
        let sql = format!(
            "SELECT inode_id, version FROM workbook_documents{}",
            c.sql()
        );
        let rows: Vec<(Uuid, i64)> = on_pool!(self, pool, {
            bind_args!(sqlx::query_as(&sql), &c.args)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|(id, v)| (id.into(), v)).collect())
    }

    async fn save_workbook_document(
        &self,
        id: InodeId,
        document: &str,
        by: MemberId,
        at: OffsetDateTime,
        expected: Option<i64>,
    ) -> StoreResult<Option<i64>> {
        // Two texts rather than `($5 IS NULL OR version = $5)`, whose untyped NULL
        // PostgreSQL cannot infer.
        let sql = match expected {
            Some(_) => {
                "UPDATE workbook_documents SET document = $2, version = version + 1, \
                 updated_by = $3, updated_at = $4 WHERE inode_id = $1 AND version = $5 \
                 RETURNING version"
            }
            None => {
                "UPDATE workbook_documents SET document = $2, version = version + 1, \
                 updated_by = $3, updated_at = $4 WHERE inode_id = $1 RETURNING version"
            }
        };
        let row: Option<(i64,)> = on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            let q = sqlx::query_as(sql)
                .bind(id.0)
                .bind(document)
                .bind(by.0)
                .bind(at);
            let q = match expected {
                Some(v) => q.bind(v),
                None => q,
            };
            let v: Option<(i64,)> = q.fetch_optional(&mut *tx).await?;
            let Some((version,)) = v else {
                return Ok(None);
            };
            sqlx::query(
                "INSERT INTO workbook_versions (inode_id, version, document, saved_by, saved_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.0)
            .bind(version)
            .bind(document)
            .bind(by.0)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE inodes SET updated_by = $2, updated_at = $3 WHERE id = $1")
                .bind(id.0)
                .bind(by.0)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            v
        });
        Ok(row.map(|r| r.0))
    }

    async fn workbook_history(&self, id: InodeId) -> StoreResult<Vec<WorkbookVersion>> {
        let rows: Vec<(i64, Option<Uuid>, OffsetDateTime)> = on_pool!(self, pool, {
            sqlx::query_as(
                "SELECT version, saved_by, saved_at FROM workbook_versions \
                 WHERE inode_id = $1 ORDER BY version DESC",
            )
            .bind(id.0)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(version, saved_by, saved_at)| WorkbookVersion {
                version,
                saved_by: saved_by.map(Into::into),
                saved_at,
            })
            .collect())
    }

    async fn workbook_version_document(
        &self,
        id: InodeId,
        version: i64,
    ) -> StoreResult<Option<String>> {
        let row: Option<(String,)> = on_pool!(self, pool, {
            sqlx::query_as(
                "SELECT document FROM workbook_versions WHERE inode_id = $1 AND version = $2",
            )
            .bind(id.0)
            .bind(version)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|(d,)| d))
    }

    async fn insert_workbook_run(&self, run: &WorkbookRun, keep: u32) -> StoreResult<()> {
        on_log_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO workbook_runs (id, workbook_id, member_id, at, trigger_kind, \
                 sequence_id, ok, failed_step, error, duration_ms, steps, finished, outcome) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(run.id)
            .bind(run.workbook_id.0)
            .bind(run.member_id.0)
            .bind(run.at)
            .bind(&run.trigger)
            .bind(&run.sequence_id)
            .bind(run.ok)
            .bind(run.failed_step)
            .bind(&run.error)
            .bind(run.duration_ms)
            .bind(&run.steps)
            .bind(run.finished)
            .bind(&run.outcome)
            .execute(&mut *tx)
            .await?;
            // Ids are UUIDv7, so the newest `keep` are the greatest ids.
            sqlx::query(
                "DELETE FROM workbook_runs WHERE workbook_id = $1 AND id < \
                 (SELECT id FROM workbook_runs WHERE workbook_id = $1 \
                  ORDER BY id DESC LIMIT 1 OFFSET $2)",
            )
            .bind(run.workbook_id.0)
            .bind(i64::from(keep.max(1)) - 1)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn finish_workbook_run(&self, run: &WorkbookRun) -> StoreResult<bool> {
        let n = on_log_writer!(self, pool, {
            sqlx::query(
                "UPDATE workbook_runs SET ok = $2, failed_step = $3, error = $4, \
                 duration_ms = $5, steps = $6, finished = $7, outcome = $8 WHERE id = $1",
            )
            .bind(run.id)
            .bind(run.ok)
            .bind(run.failed_step)
            .bind(&run.error)
            .bind(run.duration_ms)
            .bind(&run.steps)
            .bind(run.finished)
            .bind(&run.outcome)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    async fn workbook_run(&self, id: Uuid) -> StoreResult<Option<WorkbookRun>> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM workbook_runs WHERE id = $1");
        let row: Option<RunRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn workbook_runs(&self, id: InodeId, limit: u32) -> StoreResult<Vec<WorkbookRun>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM workbook_runs \
                 WHERE workbook_id = $1 ORDER BY id DESC LIMIT $2"
        );
        let rows: Vec<RunRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql)
                .bind(id.0)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }
}

const RUN_COLUMNS: &str = "id, workbook_id, member_id, at, trigger_kind, sequence_id, ok, \
     failed_step, error, duration_ms, steps, finished, outcome";

#[derive(sqlx::FromRow)]
struct RunRow {
    id: Uuid,
    workbook_id: Uuid,
    member_id: Uuid,
    at: OffsetDateTime,
    trigger_kind: String,
    sequence_id: String,
    ok: bool,
    failed_step: Option<i64>,
    error: Option<String>,
    duration_ms: f64,
    steps: String,
    finished: bool,
    outcome: Option<String>,
}

impl From<RunRow> for WorkbookRun {
    fn from(r: RunRow) -> Self {
        WorkbookRun {
            id: r.id,
            workbook_id: r.workbook_id.into(),
            member_id: r.member_id.into(),
            at: r.at,
            trigger: r.trigger_kind,
            sequence_id: r.sequence_id,
            ok: r.ok,
            failed_step: r.failed_step,
            error: r.error,
            duration_ms: r.duration_ms,
            steps: r.steps,
            finished: r.finished,
            outcome: r.outcome,
        }
    }
}
