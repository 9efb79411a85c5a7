//! [`FileStore`] for [`SqlStore`]: the file tree of workspaces, folders and
//! workbooks.

use super::*;
use crate::FileStore;

#[async_trait]
impl FileStore for SqlStore {
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
            // reaches a level exactly when some grant at that level applies to it; an
            // owner manages what it owns (its home folder among it) and what is in it.
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
                     UNION ALL SELECT id, 0 FROM inodes WHERE owner_id = ? \
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
                 updated_by = $5, updated_at = $6, owner_id = $7 WHERE id = $8",
            )
            .bind(&i.name)
            .bind(&i.description)
            .bind(i.parent_id.map(|p| p.0))
            .bind(i.is_archived)
            .bind(i.updated_by.map(|u| u.0))
            .bind(i.updated_at)
            .bind(i.owner_id.map(|o| o.0))
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
}
