//! [`TagStore`] for [`SqlStore`]: version tags and the workbook versions they mark.

use super::*;
use crate::{TagStore, VersionTag, WorkbookTag};

const TAG_COLUMNS: &str =
    "id, name, description, color, owner_id, created_by, updated_by, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct TagRow {
    id: Uuid,
    name: String,
    description: String,
    color: String,
    owner_id: Uuid,
    created_by: Uuid,
    updated_by: Uuid,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<TagRow> for VersionTag {
    fn from(r: TagRow) -> Self {
        VersionTag {
            id: r.id,
            name: r.name,
            description: r.description,
            color: r.color,
            owner_id: MemberId(r.owner_id),
            created_by: MemberId(r.created_by),
            updated_by: MemberId(r.updated_by),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct WorkbookTagRow {
    workbook_id: Uuid,
    tag_id: Uuid,
    name: String,
    version: i64,
    tagged_workbook_id: Uuid,
    is_default: bool,
    tagged_by: Uuid,
    tagged_at: OffsetDateTime,
}

impl From<WorkbookTagRow> for WorkbookTag {
    fn from(r: WorkbookTagRow) -> Self {
        WorkbookTag {
            workbook_id: InodeId(r.workbook_id),
            tag_id: r.tag_id,
            tag_name: r.name,
            version: r.version,
            tagged_workbook_id: r.tagged_workbook_id,
            is_default: r.is_default,
            tagged_by: MemberId(r.tagged_by),
            tagged_at: r.tagged_at,
        }
    }
}

const WORKBOOK_TAG_COLUMNS: &str = "wt.workbook_id, wt.tag_id, t.name, wt.version, \
     wt.tagged_workbook_id, wt.is_default, wt.tagged_by, wt.tagged_at";

#[async_trait]
impl TagStore for SqlStore {
    async fn insert_version_tag(&self, t: &VersionTag) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_writer!(self, pool, {
            async {
                sqlx::query(
                    "INSERT INTO version_tags (id, name, name_key, description, color, owner_id, \
                     created_by, updated_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(t.id)
                .bind(&t.name)
                .bind(t.name.to_lowercase())
                .bind(&t.description)
                .bind(&t.color)
                .bind(t.owner_id.0)
                .bind(t.created_by.0)
                .bind(t.updated_by.0)
                .bind(t.created_at)
                .bind(t.updated_at)
                .execute(pool)
                .await?;
                Ok(())
            }
            .await
        });
        res.map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(format!("a version tag is named `{}` already", t.name))
            }
            other => other.into(),
        })
    }

    async fn version_tag(&self, id: Uuid) -> StoreResult<Option<VersionTag>> {
        let sql = format!("SELECT {TAG_COLUMNS} FROM version_tags WHERE id = $1");
        let row: Option<TagRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn version_tag_by_name(&self, name: &str) -> StoreResult<Option<VersionTag>> {
        let sql = format!("SELECT {TAG_COLUMNS} FROM version_tags WHERE name_key = $1");
        let row: Option<TagRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql)
                .bind(name.to_lowercase())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Into::into))
    }

    async fn list_version_tags(
        &self,
        search: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<VersionTag>, u64)> {
        let pattern = search.map(|n| format!("%{}%", n.to_lowercase()));
        let sql = format!(
            "SELECT {TAG_COLUMNS} FROM version_tags WHERE ($1 IS NULL OR name_key LIKE $1) \
             ORDER BY name_key, id LIMIT $2 OFFSET $3"
        );
        let (rows, total): (Vec<TagRow>, (i64,)) = on_pool!(self, pool, {
            (
                sqlx::query_as(&sql)
                    .bind(pattern.as_deref())
                    .bind(i64::from(limit))
                    .bind(offset as i64)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as(
                    "SELECT COUNT(*) FROM version_tags WHERE ($1 IS NULL OR name_key LIKE $1)",
                )
                .bind(pattern.as_deref())
                .fetch_one(pool)
                .await?,
            )
        });
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.0.max(0) as u64,
        ))
    }

    async fn update_version_tag(&self, t: &VersionTag) -> StoreResult<bool> {
        let n = on_writer!(self, pool, {
            sqlx::query(
                "UPDATE version_tags SET description = $1, updated_by = $2, updated_at = $3 \
                 WHERE id = $4",
            )
            .bind(&t.description)
            .bind(t.updated_by.0)
            .bind(t.updated_at)
            .bind(t.id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    async fn delete_version_tag(&self, id: Uuid) -> StoreResult<bool> {
        let res: Result<bool, sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                sqlx::query("DELETE FROM workbook_tags WHERE tag_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let n = sqlx::query("DELETE FROM version_tags WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n > 0)
            }
            .await
        });
        Ok(res?)
    }

    async fn tag_workbook(&self, t: &WorkbookTag) -> StoreResult<()> {
        on_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO workbook_tags (workbook_id, tag_id, version, tagged_workbook_id, \
                 is_default, tagged_by, tagged_at) VALUES ($1, $2, $3, $4, $7, $5, $6) \
                 ON CONFLICT (workbook_id, tag_id) DO UPDATE SET version = excluded.version, \
                 tagged_workbook_id = excluded.tagged_workbook_id, \
                 is_default = excluded.is_default, \
                 tagged_by = excluded.tagged_by, tagged_at = excluded.tagged_at",
            )
            .bind(t.workbook_id.0)
            .bind(t.tag_id)
            .bind(t.version)
            .bind(t.tagged_workbook_id)
            .bind(t.tagged_by.0)
            .bind(t.tagged_at)
            .bind(t.is_default)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn untag_workbook(&self, workbook: InodeId, tag: Uuid) -> StoreResult<bool> {
        let n = on_writer!(self, pool, {
            sqlx::query("DELETE FROM workbook_tags WHERE workbook_id = $1 AND tag_id = $2")
                .bind(workbook.0)
                .bind(tag)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    async fn workbook_tags(&self, ids: &[InodeId]) -> StoreResult<Vec<WorkbookTag>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // One query for a whole page of workbooks (each list of workbooks asks).
        let mut c = Conditions::default();
        let marks = vec!["?"; ids.len()].join(", ");
        c.push(
            &format!("wt.workbook_id IN ({marks})"),
            ids.iter().map(|i| Arg::Uuid(i.0)).collect(),
        );
        let sql = format!(
            "SELECT {WORKBOOK_TAG_COLUMNS} FROM workbook_tags wt \
             JOIN version_tags t ON t.id = wt.tag_id{} ORDER BY t.name_key, t.id",
            c.sql()
        );
        let rows: Vec<WorkbookTagRow> = on_pool!(self, pool, {
            bind_args!(sqlx::query_as(&sql), &c.args)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(WorkbookTag::from).collect())
    }

    async fn tagged_workbooks(
        &self,
        tag: Uuid,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Inode>, u64)> {
        let cols = INODE_COLUMNS
            .split(", ")
            .map(|c| format!("n.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT {cols} FROM workbook_tags wt JOIN inodes n ON n.id = wt.workbook_id \
             WHERE wt.tag_id = $1 AND n.is_archived = FALSE ORDER BY n.name, n.id \
             LIMIT $2 OFFSET $3"
        );
        let (rows, total): (Vec<InodeRow>, (i64,)) = on_pool!(self, pool, {
            (
                sqlx::query_as(&sql)
                    .bind(tag)
                    .bind(i64::from(limit))
                    .bind(offset as i64)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as(
                    "SELECT COUNT(*) FROM workbook_tags wt JOIN inodes n ON n.id = wt.workbook_id \
                     WHERE wt.tag_id = $1 AND n.is_archived = FALSE",
                )
                .bind(tag)
                .fetch_one(pool)
                .await?,
            )
        });
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.0.max(0) as u64,
        ))
    }
}
