//! [`FavoriteStore`] for [`SqlStore`]: members' favorite nodes and the nodes they
//! opened last.

use super::*;
use crate::FavoriteStore;

/// Which of the two lists.
#[derive(Clone, Copy)]
enum List {
    Favorites,
    Recents,
}

impl List {
    fn sql(self) -> (&'static str, &'static str) {
        match self {
            List::Favorites => ("favorites", "created_us"),
            List::Recents => ("recents", "opened_us"),
        }
    }
}

fn micros(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000) as i64
}

impl SqlStore {
    async fn member_nodes(
        &self,
        list: List,
        member: MemberId,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Inode>, u64)> {
        let (table, at) = list.sql();
        let cols = INODE_COLUMNS
            .split(", ")
            .map(|c| format!("n.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let page = format!(
            "SELECT {cols} FROM {table} l JOIN inodes n ON n.id = l.inode_id \
             WHERE l.member_id = $1 AND n.is_archived = FALSE \
             ORDER BY l.{at} DESC, n.id LIMIT $2 OFFSET $3"
        );
        let count = format!(
            "SELECT COUNT(*) FROM {table} l JOIN inodes n ON n.id = l.inode_id \
             WHERE l.member_id = $1 AND n.is_archived = FALSE"
        );
        let (rows, total): (Vec<InodeRow>, (i64,)) = on_pool!(self, pool, {
            (
                sqlx::query_as(&page)
                    .bind(member.0)
                    .bind(i64::from(limit))
                    .bind(offset as i64)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as(&count)
                    .bind(member.0)
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

#[async_trait]
impl FavoriteStore for SqlStore {
    async fn set_favorite(
        &self,
        member: MemberId,
        inode: InodeId,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        on_log_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO favorites (member_id, inode_id, created_us) VALUES ($1, $2, $3) \
                 ON CONFLICT (member_id, inode_id) DO NOTHING",
            )
            .bind(member.0)
            .bind(inode.0)
            .bind(micros(at))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn delete_favorite(&self, member: MemberId, inode: InodeId) -> StoreResult<bool> {
        let n = on_log_writer!(self, pool, {
            sqlx::query("DELETE FROM favorites WHERE member_id = $1 AND inode_id = $2")
                .bind(member.0)
                .bind(inode.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }

    async fn favorite_nodes(
        &self,
        member: MemberId,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Inode>, u64)> {
        self.member_nodes(List::Favorites, member, offset, limit)
            .await
    }

    async fn record_open(
        &self,
        member: MemberId,
        inode: InodeId,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        on_log_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO recents (member_id, inode_id, opened_us) VALUES ($1, $2, $3) \
                 ON CONFLICT (member_id, inode_id) DO UPDATE SET opened_us = \
                 CASE WHEN excluded.opened_us > recents.opened_us \
                 THEN excluded.opened_us ELSE recents.opened_us END",
            )
            .bind(member.0)
            .bind(inode.0)
            .bind(micros(at))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn recent_nodes(
        &self,
        member: MemberId,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Inode>, u64)> {
        self.member_nodes(List::Recents, member, offset, limit)
            .await
    }
}
