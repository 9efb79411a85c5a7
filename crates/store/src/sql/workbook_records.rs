//! [`WorkbookRecordStore`] for [`SqlStore`]: workbooks' saved views (bookmarks) and
//! embeds, kept as records.

use super::*;
use crate::{Bookmark, Embed, WorkbookRecordStore};

const BOOKMARK_COLUMNS: &str = "id, workbook_id, version, name, is_shared, is_default, \
     explore_key, owner_id, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct BookmarkRow {
    id: Uuid,
    workbook_id: Uuid,
    version: i64,
    name: String,
    is_shared: bool,
    is_default: bool,
    explore_key: String,
    owner_id: Uuid,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<BookmarkRow> for Bookmark {
    fn from(r: BookmarkRow) -> Self {
        Bookmark {
            id: r.id,
            workbook_id: InodeId(r.workbook_id),
            version: r.version,
            name: r.name,
            is_shared: r.is_shared,
            is_default: r.is_default,
            explore_key: r.explore_key,
            owner_id: MemberId(r.owner_id),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

const EMBED_COLUMNS: &str =
    "id, workbook_id, embed_type, source_type, source_id, source_name, created_by, created_at";

#[derive(sqlx::FromRow)]
struct EmbedRow {
    id: Uuid,
    workbook_id: Uuid,
    embed_type: String,
    source_type: String,
    source_id: Option<String>,
    source_name: Option<String>,
    created_by: Uuid,
    created_at: OffsetDateTime,
}

impl From<EmbedRow> for Embed {
    fn from(r: EmbedRow) -> Self {
        Embed {
            id: r.id,
            workbook_id: InodeId(r.workbook_id),
            embed_type: r.embed_type,
            source_type: r.source_type,
            source_id: r.source_id,
            source_name: r.source_name,
            created_by: MemberId(r.created_by),
            created_at: r.created_at,
        }
    }
}

#[async_trait]
impl WorkbookRecordStore for SqlStore {
    async fn save_bookmark(&self, b: &Bookmark) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_log_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                if b.is_default {
                    // One default a workbook.
                    sqlx::query(
                        "UPDATE bookmarks SET is_default = FALSE \
                         WHERE workbook_id = $1 AND id <> $2 AND is_default = TRUE",
                    )
                    .bind(b.workbook_id.0)
                    .bind(b.id)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO bookmarks (id, workbook_id, version, name, is_shared, \
                     is_default, explore_key, owner_id, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
                     is_shared = excluded.is_shared, is_default = excluded.is_default, \
                     explore_key = excluded.explore_key, updated_at = excluded.updated_at",
                )
                .bind(b.id)
                .bind(b.workbook_id.0)
                .bind(b.version)
                .bind(&b.name)
                .bind(b.is_shared)
                .bind(b.is_default)
                .bind(&b.explore_key)
                .bind(b.owner_id.0)
                .bind(b.created_at)
                .bind(b.updated_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await
            }
            .await
        });
        Ok(res?)
    }

    async fn bookmark(&self, id: Uuid) -> StoreResult<Option<Bookmark>> {
        let sql = format!("SELECT {BOOKMARK_COLUMNS} FROM bookmarks WHERE id = $1");
        let row: Option<BookmarkRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn bookmarks_seen_by(
        &self,
        workbook: InodeId,
        viewer: Option<MemberId>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Bookmark>, u64)> {
        let filter = "workbook_id = $1 AND ($2 IS NULL OR is_shared = TRUE OR owner_id = $2)";
        let viewer = viewer.map(|v| v.0);
        let sql = format!(
            "SELECT {BOOKMARK_COLUMNS} FROM bookmarks WHERE {filter} \
             ORDER BY name, id LIMIT $3 OFFSET $4"
        );
        let count = format!("SELECT COUNT(*) FROM bookmarks WHERE {filter}");
        let (rows, total): (Vec<BookmarkRow>, (i64,)) = on_pool!(self, pool, {
            (
                sqlx::query_as(&sql)
                    .bind(workbook.0)
                    .bind(viewer)
                    .bind(i64::from(limit))
                    .bind(offset as i64)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as(&count)
                    .bind(workbook.0)
                    .bind(viewer)
                    .fetch_one(pool)
                    .await?,
            )
        });
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.0.max(0) as u64,
        ))
    }

    async fn delete_bookmark(&self, id: Uuid) -> StoreResult<bool> {
        let n = on_log_writer!(self, pool, {
            sqlx::query("DELETE FROM bookmarks WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    async fn insert_embed(&self, e: &Embed) -> StoreResult<()> {
        on_log_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO embeds (id, workbook_id, embed_type, source_type, source_id, \
                 source_name, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(e.id)
            .bind(e.workbook_id.0)
            .bind(&e.embed_type)
            .bind(&e.source_type)
            .bind(e.source_id.as_deref())
            .bind(e.source_name.as_deref())
            .bind(e.created_by.0)
            .bind(e.created_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn embeds(
        &self,
        workbook: InodeId,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Embed>, u64)> {
        let sql = format!(
            "SELECT {EMBED_COLUMNS} FROM embeds WHERE workbook_id = $1 \
             ORDER BY id LIMIT $2 OFFSET $3"
        );
        let (rows, total): (Vec<EmbedRow>, (i64,)) = on_pool!(self, pool, {
            (
                sqlx::query_as(&sql)
                    .bind(workbook.0)
                    .bind(i64::from(limit))
                    .bind(offset as i64)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as("SELECT COUNT(*) FROM embeds WHERE workbook_id = $1")
                    .bind(workbook.0)
                    .fetch_one(pool)
                    .await?,
            )
        });
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.0.max(0) as u64,
        ))
    }

    async fn delete_embed(&self, workbook: InodeId, id: Uuid) -> StoreResult<bool> {
        let n = on_log_writer!(self, pool, {
            sqlx::query("DELETE FROM embeds WHERE workbook_id = $1 AND id = $2")
                .bind(workbook.0)
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }
}
