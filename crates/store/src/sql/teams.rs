//! [`TeamStore`] for [`SqlStore`]: teams and their memberships.

use super::*;
use crate::TeamStore;

#[async_trait]
impl TeamStore for SqlStore {
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
        // Rows in one order (by member id) whatever the request's, so that two
        // requests naming the same members cannot deadlock.
        let mut add: Vec<&TeamMember> = add.iter().collect();
        add.sort_by_key(|tm| tm.member_id.0);
        let mut remove: Vec<&MemberId> = remove.iter().collect();
        remove.sort_by_key(|m| m.0);
        let mut attempt = 0;
        loop {
            let result: Result<(), sqlx::Error> = on_writer!(self, pool, {
                async {
                    let mut tx = pool.begin().await?;
                    for tm in &add {
                        bind_team_member!(tm).execute(&mut *tx).await?;
                    }
                    for m in &remove {
                        sqlx::query(
                            "DELETE FROM team_members WHERE team_id = $1 AND member_id = $2",
                        )
                        .bind(team.0)
                        .bind(m.0)
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await
                }
                .await
            });
            match result {
                Ok(()) => return Ok(()),
                Err(e) if StoreError::is_retryable(&e) && attempt < RETRIES => {
                    attempt += 1;
                    before_retry(attempt).await;
                }
                Err(e) if StoreError::is_retryable(&e) => {
                    return Err(StoreError::Busy(format!("changing team members: {e}")))
                }
                Err(e) => return Err(e.into()),
            }
        }
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
}
