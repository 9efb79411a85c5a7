//! [`WorkbookStore`] for [`SqlStore`]: workbook documents beside their nodes.

use async_trait::async_trait;
use sigil_core::{InodeId, MemberId};
use time::OffsetDateTime;

use super::{Pool, SqlStore};
use crate::error::StoreResult;
use crate::records::Inode;
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

    async fn save_workbook_document(
        &self,
        id: InodeId,
        document: &str,
        by: MemberId,
        at: OffsetDateTime,
    ) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            let v: Option<(i64,)> = sqlx::query_as(
                "UPDATE workbook_documents SET document = $2, version = version + 1, \
                 updated_by = $3, updated_at = $4 WHERE inode_id = $1 RETURNING version",
            )
            .bind(id.0)
            .bind(document)
            .bind(by.0)
            .bind(at)
            .fetch_optional(&mut *tx)
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
}
