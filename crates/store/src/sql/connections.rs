//! [`ConnectionStore`] for [`SqlStore`]: warehouse connections kept as records, the
//! paths looked up in them and the grants on both.

use super::*;
use crate::connections::{
    Connection, ConnectionFilter, ConnectionGrant, ConnectionPath, ConnectionStore,
};

const CONNECTION_COLUMNS: &str = "id, name, kind, settings, sealed, is_archived, created_by, \
     updated_by, created_at, updated_at, last_active_at";

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    id: Uuid,
    name: String,
    kind: String,
    settings: String,
    sealed: Option<String>,
    is_archived: bool,
    created_by: Uuid,
    updated_by: Uuid,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
    last_active_at: OffsetDateTime,
}

impl From<ConnectionRow> for Connection {
    fn from(r: ConnectionRow) -> Self {
        Connection {
            id: r.id,
            name: r.name,
            kind: r.kind,
            settings: r.settings,
            sealed: r.sealed,
            is_archived: r.is_archived,
            created_by: MemberId(r.created_by),
            updated_by: MemberId(r.updated_by),
            created_at: r.created_at,
            updated_at: r.updated_at,
            last_active_at: r.last_active_at,
        }
    }
}

const PATH_COLUMNS: &str = "id, connection_id, path, is_table, created_at";

#[derive(sqlx::FromRow)]
struct PathRow {
    id: Uuid,
    connection_id: Uuid,
    path: String,
    is_table: bool,
    created_at: OffsetDateTime,
}

impl TryFrom<PathRow> for ConnectionPath {
    type Error = StoreError;
    fn try_from(r: PathRow) -> StoreResult<Self> {
        Ok(ConnectionPath {
            id: r.id,
            connection_id: r.connection_id,
            path: serde_json::from_str(&r.path)
                .map_err(|e| StoreError::Corrupt(format!("connection path {}: {e}", r.id)))?,
            is_table: r.is_table,
            created_at: r.created_at,
        })
    }
}

const GRANT_COLUMNS: &str = "id, connection_id, target_id, member_id, team_id, permission, \
     created_by, updated_by, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct GrantRow {
    id: Uuid,
    connection_id: Uuid,
    target_id: Uuid,
    member_id: Option<Uuid>,
    team_id: Option<Uuid>,
    permission: String,
    created_by: Uuid,
    updated_by: Uuid,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<GrantRow> for ConnectionGrant {
    fn from(r: GrantRow) -> Self {
        ConnectionGrant {
            id: r.id,
            connection_id: r.connection_id,
            target_id: r.target_id,
            member_id: r.member_id.map(MemberId),
            team_id: r.team_id.map(TeamId),
            permission: r.permission,
            created_by: MemberId(r.created_by),
            updated_by: MemberId(r.updated_by),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// The grants of a member, itself or through its teams, on the connection `c.id`.
const HOLDS_GRANT: &str = "EXISTS (SELECT 1 FROM connection_grants g \
     WHERE g.connection_id = c.id AND (g.member_id = ? OR g.team_id IN \
     (SELECT team_id FROM team_members WHERE member_id = ?)))";

#[async_trait]
impl ConnectionStore for SqlStore {
    async fn insert_connection(&self, c: &Connection) -> StoreResult<()> {
        on_log_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO connections (id, name, kind, settings, sealed, is_archived, \
                 created_by, updated_by, created_at, updated_at, last_active_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(c.id)
            .bind(&c.name)
            .bind(&c.kind)
            .bind(&c.settings)
            .bind(c.sealed.as_deref())
            .bind(c.is_archived)
            .bind(c.created_by.0)
            .bind(c.updated_by.0)
            .bind(c.created_at)
            .bind(c.updated_at)
            .bind(c.last_active_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn update_connection(&self, c: &Connection) -> StoreResult<bool> {
        let n = on_log_writer!(self, pool, {
            sqlx::query(
                "UPDATE connections SET name = $2, kind = $3, settings = $4, sealed = $5, \
                 is_archived = $6, updated_by = $7, updated_at = $8, last_active_at = $9 \
                 WHERE id = $1",
            )
            .bind(c.id)
            .bind(&c.name)
            .bind(&c.kind)
            .bind(&c.settings)
            .bind(c.sealed.as_deref())
            .bind(c.is_archived)
            .bind(c.updated_by.0)
            .bind(c.updated_at)
            .bind(c.last_active_at)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    async fn connection(&self, id: Uuid) -> StoreResult<Option<Connection>> {
        let sql = format!("SELECT {CONNECTION_COLUMNS} FROM connections WHERE id = $1");
        let row: Option<ConnectionRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn list_connections(
        &self,
        filter: &ConnectionFilter,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<Connection>, u64)> {
        let mut c = Conditions::default();
        if !filter.include_archived {
            c.push("c.is_archived = FALSE", vec![]);
        }
        if let Some(s) = &filter.search {
            c.push(
                "LOWER(c.name) LIKE ? ESCAPE '\\'",
                vec![Arg::Text(like_pattern(s))],
            );
        }
        if let Some(m) = filter.visible_to {
            c.push(HOLDS_GRANT, vec![Arg::Uuid(m.0), Arg::Uuid(m.0)]);
        }
        let page = ListQuery {
            table: "connections c",
            columns: CONNECTION_COLUMNS,
            order: "name, id",
        };
        let (rows, total): (Vec<ConnectionRow>, _) =
            self.fetch_page(page, c, None, offset, limit, true).await?;
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.unwrap_or(0),
        ))
    }

    async fn holds_connection_grant(
        &self,
        connection: Uuid,
        member: MemberId,
    ) -> StoreResult<bool> {
        let sql = format!(
            "SELECT COUNT(*) FROM connections c WHERE c.id = $1 AND {}",
            HOLDS_GRANT.replacen('?', "$2", 2)
        );
        let n: i64 = on_pool!(self, pool, {
            sqlx::query_scalar(&sql)
                .bind(connection)
                .bind(member.0)
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    async fn record_connection_path(&self, p: &ConnectionPath) -> StoreResult<ConnectionPath> {
        let path = serde_json::to_string(&p.path)
            .map_err(|e| StoreError::Corrupt(format!("a connection path: {e}")))?;
        let sql = format!(
            "SELECT {PATH_COLUMNS} FROM connection_paths WHERE connection_id = $1 AND path = $2"
        );
        let row: PathRow = on_log_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "INSERT INTO connection_paths (id, connection_id, path, is_table, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (connection_id, path) DO NOTHING",
                )
                .bind(p.id)
                .bind(p.connection_id)
                .bind(&path)
                .bind(p.is_table)
                .bind(p.created_at)
                .execute(&mut *tx)
                .await?;
                let row = sqlx::query_as(&sql)
                    .bind(p.connection_id)
                    .bind(&path)
                    .fetch_one(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(row)
            }
            .await?
        });
        row.try_into()
    }

    async fn connection_path(&self, id: Uuid) -> StoreResult<Option<ConnectionPath>> {
        let sql = format!("SELECT {PATH_COLUMNS} FROM connection_paths WHERE id = $1");
        let row: Option<PathRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn list_connection_paths(
        &self,
        connection: Option<Uuid>,
        visible_to: Option<MemberId>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<ConnectionPath>, u64)> {
        let mut c = Conditions::default();
        c.push(
            "connection_id IN (SELECT id FROM connections WHERE is_archived = FALSE)",
            vec![],
        );
        if let Some(id) = connection {
            c.push("connection_id = ?", vec![Arg::Uuid(id)]);
        }
        if let Some(m) = visible_to {
            c.push(
                &format!("connection_id IN (SELECT c.id FROM connections c WHERE {HOLDS_GRANT})"),
                vec![Arg::Uuid(m.0), Arg::Uuid(m.0)],
            );
        }
        let page = ListQuery {
            table: "connection_paths",
            columns: PATH_COLUMNS,
            order: "connection_id, path, id",
        };
        let (rows, total): (Vec<PathRow>, _) =
            self.fetch_page(page, c, None, offset, limit, true).await?;
        Ok((
            rows.into_iter()
                .map(TryInto::try_into)
                .collect::<StoreResult<_>>()?,
            total.unwrap_or(0),
        ))
    }

    async fn upsert_connection_grants(
        &self,
        connection: Uuid,
        target: Uuid,
        grants: &[(Grantee, String)],
        by: MemberId,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        // Locks in one order (members, then teams, by id), as for grants on files.
        let mut order: Vec<&(Grantee, String)> = grants.iter().collect();
        order.sort_by_key(|(g, _)| match g {
            Grantee::Member(m) => (0, m.0),
            Grantee::Team(t) => (1, t.0),
        });
        let mut attempt = 0;
        loop {
            let result: Result<(), sqlx::Error> = on_log_writer!(self, pool, {
                async {
                    let mut tx = pool.begin().await?;
                    for (grantee, permission) in &order {
                        let (conflict, member, team) = match grantee {
                            Grantee::Member(m) => ("member_id", Some(m.0), None),
                            Grantee::Team(t) => ("team_id", None, Some(t.0)),
                        };
                        let sql = format!(
                            "INSERT INTO connection_grants (id, connection_id, target_id, \
                             member_id, team_id, permission, created_by, updated_by, \
                             created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $8) \
                             ON CONFLICT (target_id, {conflict}) WHERE {conflict} IS NOT NULL \
                             DO UPDATE SET permission = excluded.permission, \
                             updated_by = excluded.updated_by, updated_at = excluded.updated_at \
                             WHERE connection_grants.permission <> excluded.permission"
                        );
                        sqlx::query(&sql)
                            .bind(Uuid::now_v7())
                            .bind(connection)
                            .bind(target)
                            .bind(member)
                            .bind(team)
                            .bind(permission.as_str())
                            .bind(by.0)
                            .bind(at)
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
                    return Err(StoreError::Busy(format!("granting on a connection: {e}")))
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn connection_grants(
        &self,
        target: Uuid,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<ConnectionGrant>, u64)> {
        let mut c = Conditions::default();
        c.push("target_id = ?", vec![Arg::Uuid(target)]);
        let page = ListQuery {
            table: "connection_grants",
            columns: GRANT_COLUMNS,
            order: "id",
        };
        let (rows, total): (Vec<GrantRow>, _) =
            self.fetch_page(page, c, None, offset, limit, true).await?;
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.unwrap_or(0),
        ))
    }

    async fn delete_connection_grant(&self, target: Uuid, id: Uuid) -> StoreResult<bool> {
        let n = on_log_writer!(self, pool, {
            sqlx::query("DELETE FROM connection_grants WHERE target_id = $1 AND id = $2")
                .bind(target)
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }
}
