//! [`GrantStore`] for [`SqlStore`]: grants on the file tree, and the page reader of
//! grant lists (whose totals on one node come from the trigger-kept counts).

use super::*;
use crate::GrantStore;

impl SqlStore {
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
}

#[async_trait]
impl GrantStore for SqlStore {
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
    ) -> StoreResult<Vec<Grant>> {
        // Row locks are taken in one order (members, then teams, by id), whatever the
        // request's order, so that two requests naming the same grantees cannot
        // deadlock; the answer keeps the request's order.
        let mut order: Vec<usize> = (0..grants.len()).collect();
        order.sort_by_key(|&i| match grants[i].0 {
            Grantee::Member(m) => (0, m.0),
            Grantee::Team(t) => (1, t.0),
        });
        let mut attempt = 0;
        let sorted: Vec<GrantRow> = loop {
            let result: Result<Vec<GrantRow>, sqlx::Error> = on_writer!(self, pool, {
                async {
                    let mut tx = pool.begin().await?;
                    let mut rows = Vec::with_capacity(grants.len());
                    for &i in &order {
                        let (grantee, permission) = &grants[i];
                        let (sql, member, team) = match grantee {
                            Grantee::Member(m) => (UPSERT_MEMBER_GRANT, Some(m.0), None),
                            Grantee::Team(t) => (UPSERT_TEAM_GRANT, None, Some(t.0)),
                        };
                        let written: Option<GrantRow> = sqlx::query_as(sql)
                            .bind(GrantId::new().0)
                            .bind(inode.0)
                            .bind(member)
                            .bind(team)
                            .bind(permission.as_str())
                            .bind(by.0)
                            .bind(at)
                            .fetch_optional(&mut *tx)
                            .await?;
                        let row = match written {
                            Some(r) => r,
                            // The same permission again: nothing was written, the
                            // grant stands.
                            None => {
                                let (column, id) = match grantee {
                                    Grantee::Member(m) => ("member_id", m.0),
                                    Grantee::Team(t) => ("team_id", t.0),
                                };
                                let sql = format!(
                                    "SELECT {GRANT_COLUMNS} FROM grants WHERE inode_id = $1 AND {column} = $2"
                                );
                                sqlx::query_as(&sql)
                                    .bind(inode.0)
                                    .bind(id)
                                    .fetch_one(&mut *tx)
                                    .await?
                            }
                        };
                        rows.push(row);
                    }
                    tx.commit().await?;
                    Ok(rows)
                }
                .await
            });
            match result {
                Ok(rows) => break rows,
                Err(e) if StoreError::is_retryable(&e) && attempt < RETRIES => {
                    attempt += 1;
                    before_retry(attempt).await;
                }
                Err(e) if StoreError::is_retryable(&e) => {
                    return Err(StoreError::Busy(format!("granting access: {e}")))
                }
                Err(e) => return Err(e.into()),
            }
        };
        let mut answered: Vec<Option<GrantRow>> = (0..grants.len()).map(|_| None).collect();
        for (row, &i) in sorted.into_iter().zip(&order) {
            answered[i] = Some(row);
        }
        answered
            .into_iter()
            .map(|r| {
                r.ok_or_else(|| StoreError::Corrupt("a grant went unanswered".into()))?
                    .try_into()
            })
            .collect()
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
}
