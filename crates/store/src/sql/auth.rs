//! [`AuthStore`] for [`SqlStore`]: first-run bootstrap, the organization, client
//! credentials, refresh tokens (with SQLite's group commit) and the revocation feed.

use super::*;
use crate::AuthStore;

pub(super) type Pending = (RefreshToken, oneshot::Sender<StoreResult<()>>);

/// Group commit for refresh tokens on SQLite: every token request stores one, and
/// SQLite commits one transaction at a time, so concurrent inserts are gathered into
/// one multi-row INSERT. Each caller still returns only after its row is committed.
#[derive(Clone)]
pub(super) struct RefreshWriter {
    tx: mpsc::Sender<Pending>,
}

/// Most rows per INSERT (7 parameters each, far below SQLite's limit).
pub(super) const MAX_BATCH: usize = 256;

impl RefreshWriter {
    pub(super) fn spawn(pool: SqlitePool) -> Self {
        let (tx, mut rx) = mpsc::channel::<Pending>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
            while let Some(first) = rx.recv().await {
                batch.push(first);
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(p) => batch.push(p),
                        Err(_) => break,
                    }
                }
                match insert_refresh_batch(&pool, &batch).await {
                    Ok(()) => {
                        for (_, reply) in batch.drain(..) {
                            let _ = reply.send(Ok(()));
                        }
                    }
                    // One bad row must not fail its neighbours: retry one by one so
                    // each caller gets its own answer.
                    Err(_) => {
                        for (t, reply) in batch.drain(..) {
                            let r = bind_refresh!(t).execute(&pool).await;
                            let _ = reply.send(r.map(|_| ()).map_err(Into::into));
                        }
                    }
                }
            }
        });
        RefreshWriter { tx }
    }

    pub(super) async fn insert(&self, t: RefreshToken) -> StoreResult<()> {
        let (reply, answer) = oneshot::channel();
        let closed = || StoreError::Database(sqlx::Error::PoolClosed);
        self.tx.send((t, reply)).await.map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

pub(super) async fn insert_refresh_batch(
    pool: &SqlitePool,
    batch: &[Pending],
) -> Result<(), sqlx::Error> {
    let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "INSERT INTO refresh_tokens \
         (token_hash, family_id, client_id, member_id, actor_id, created_at, expires_at) ",
    );
    q.push_values(batch, |mut b, (t, _)| {
        b.push_bind(t.token_hash.clone())
            .push_bind(t.family_id.0)
            .push_bind(t.client_id.clone())
            .push_bind(t.member_id.0)
            .push_bind(t.actor_id.map(|a| a.0))
            .push_bind(t.created_at)
            .push_bind(t.expires_at);
    });
    q.build().execute(pool).await.map(|_| ())
}

#[async_trait]
impl AuthStore for SqlStore {
    async fn bootstrap(&self, b: &Bootstrap) -> StoreResult<()> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO organizations (id, name, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (singleton) DO NOTHING",
            )
            .bind(b.organization.id.0)
            .bind(&b.organization.name)
            .bind(b.organization.created_at)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Err(StoreError::AlreadyInitialized);
            }
            for t in &b.account_types {
                sqlx::query(INSERT_ACCOUNT_TYPE)
                    .bind(t.id.0)
                    .bind(t.organization_id.0)
                    .bind(&t.name)
                    .bind(&t.description)
                    .bind(t.builtin)
                    .bind(join_list(&t.permissions, |p| p.as_str()))
                    .bind(b.organization.created_at)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_member_tx!(tx, b.admin, &[] as &[TeamMember]);
            bind_credential!(b.credential).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    async fn organization(&self) -> StoreResult<Option<Organization>> {
        let row: Option<OrganizationRow> = on_pool!(self, pool, {
            sqlx::query_as("SELECT id, name, created_at FROM organizations")
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Into::into))
    }

    async fn insert_client_credential(&self, c: &ClientCredential) -> StoreResult<()> {
        let res = on_writer!(
            self,
            pool,
            bind_credential!(c).execute(pool).await.map(|_| ())
        );
        res.map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict(format!("client id {}", c.client_id))
            } else {
                e.into()
            }
        })
    }

    async fn client_credential(&self, client_id: &str) -> StoreResult<Option<ClientCredential>> {
        let sql =
            format!("SELECT {CREDENTIAL_COLUMNS} FROM client_credentials WHERE client_id = $1");
        let row: Option<CredentialRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql)
                .bind(client_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn revoke_client_credential(
        &self,
        client_id: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            let n = sqlx::query(
                "UPDATE client_credentials SET revoked_at = $1 \
                 WHERE client_id = $2 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(client_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $1 \
                 WHERE client_id = $2 AND revoked_at IS NULL",
            )
            .bind(at)
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_REVOCATION)
                .bind(RevocationKind::Credential.as_str())
                .bind(client_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        Ok(true)
    }

    async fn insert_refresh_token(&self, t: &RefreshToken) -> StoreResult<()> {
        match &self.pool {
            Pool::Sqlite { refresh, .. } => refresh.insert(t.clone()).await,
            Pool::Postgres(pool) => {
                bind_refresh!(t).execute(pool).await?;
                Ok(())
            }
        }
    }

    async fn rotate_refresh_token(
        &self,
        presented_hash: &[u8],
        next: &RefreshToken,
        now: OffsetDateTime,
    ) -> StoreResult<RotateOutcome> {
        on_writer!(self, pool, {
            // Write first: the UPDATE takes the row (PostgreSQL) or the database
            // (SQLite) lock at once, so two concurrent presentations of one token
            // cannot both succeed, and SQLite never has to upgrade a read lock.
            let mut tx = pool.begin().await?;
            let claimed: Option<RefreshRow> = sqlx::query_as(
                "UPDATE refresh_tokens SET used_at = $1 \
                 WHERE token_hash = $2 AND used_at IS NULL AND revoked_at IS NULL \
                 RETURNING token_hash, family_id, client_id, member_id, actor_id, \
                 created_at, expires_at, revoked_at",
            )
            .bind(now)
            .bind(presented_hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = claimed {
                if row.expires_at <= now {
                    tx.rollback().await?;
                    return Ok(RotateOutcome::Expired);
                }
                let presented = RefreshToken::from(&row);
                let next = RefreshToken {
                    family_id: presented.family_id,
                    client_id: presented.client_id.clone(),
                    member_id: presented.member_id,
                    actor_id: presented.actor_id,
                    ..next.clone()
                };
                bind_refresh!(next).execute(&mut *tx).await?;
                tx.commit().await?;
                return Ok(RotateOutcome::Rotated(presented));
            }
            let existing: Option<RefreshRow> = sqlx::query_as(
                "SELECT token_hash, family_id, client_id, member_id, actor_id, created_at, \
                 expires_at, revoked_at FROM refresh_tokens WHERE token_hash = $1",
            )
            .bind(presented_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(row) = existing else {
                return Ok(RotateOutcome::Unknown);
            };
            if row.revoked_at.is_some() {
                return Ok(RotateOutcome::Revoked);
            }
            // Used before: someone replayed it. Revoke the family (RFC 9700 §4.14.2).
            sqlx::query(
                "UPDATE refresh_tokens SET revoked_at = $1 \
                 WHERE family_id = $2 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(row.family_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_REVOCATION)
                .bind(RevocationKind::Family.as_str())
                .bind(row.family_id.hyphenated().to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(RotateOutcome::Reused(TokenFamilyId(row.family_id)))
        })
    }

    async fn revocations_since(
        &self,
        after_seq: i64,
        not_before: OffsetDateTime,
    ) -> StoreResult<Vec<Revocation>> {
        let rows: Vec<RevocationRow> = on_pool!(self, pool, {
            sqlx::query_as(
                "SELECT seq, kind, subject, created_at FROM revocations \
                 WHERE seq > $1 AND created_at >= $2 ORDER BY seq",
            )
            .bind(after_seq)
            .bind(not_before)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(Revocation {
                    seq: r.seq,
                    kind: RevocationKind::parse(&r.kind).ok_or_else(|| {
                        StoreError::Corrupt(format!("revocation kind {}", r.kind))
                    })?,
                    subject: r.subject,
                    created_at: r.created_at,
                })
            })
            .collect()
    }

    async fn prune_refresh_tokens(&self, before: OffsetDateTime) -> StoreResult<u64> {
        Ok(on_writer!(self, pool, {
            sqlx::query("DELETE FROM refresh_tokens WHERE expires_at < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    async fn list_client_credentials(&self) -> StoreResult<Vec<ClientCredential>> {
        let sql = format!(
            "SELECT {CREDENTIAL_COLUMNS} FROM client_credentials WHERE revoked_at IS NULL \
             ORDER BY name, client_id"
        );
        let rows: Vec<CredentialRow> =
            on_pool!(self, pool, { sqlx::query_as(&sql).fetch_all(pool).await? });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    // Session writes leave the generation alone: no cached read depends on them, and
    // a page view must not empty every cache.
    async fn insert_session(&self, s: &WebSession) -> StoreResult<()> {
        on_log_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO web_sessions (id_hash, member_id, csrf_token, created_at, \
                 last_seen_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(s.id_hash.as_slice())
            .bind(s.member_id.0)
            .bind(&s.csrf_token)
            .bind(s.created_at)
            .bind(s.last_seen_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn session(&self, id_hash: &[u8]) -> StoreResult<Option<WebSession>> {
        let row: Option<SessionRow> = on_pool!(self, pool, {
            sqlx::query_as(
                "SELECT id_hash, member_id, csrf_token, created_at, last_seen_at \
                 FROM web_sessions WHERE id_hash = $1",
            )
            .bind(id_hash)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(Into::into))
    }

    async fn touch_session(&self, id_hash: &[u8], at: OffsetDateTime) -> StoreResult<()> {
        on_log_writer!(self, pool, {
            sqlx::query("UPDATE web_sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(at)
                .bind(id_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<bool> {
        Ok(on_log_writer!(self, pool, {
            sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(pool)
                .await?
                .rows_affected()
                > 0
        }))
    }

    async fn delete_member_sessions(&self, member: MemberId) -> StoreResult<u64> {
        Ok(on_log_writer!(self, pool, {
            sqlx::query("DELETE FROM web_sessions WHERE member_id = $1")
                .bind(member.0)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    async fn prune_sessions(&self, before: OffsetDateTime) -> StoreResult<u64> {
        Ok(on_log_writer!(self, pool, {
            sqlx::query("DELETE FROM web_sessions WHERE last_seen_at < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
