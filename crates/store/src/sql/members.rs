//! [`MemberStore`] for [`SqlStore`]: members, their home folders and passwords.

use super::*;
use crate::MemberStore;

pub(super) fn member_write_error(e: sqlx::Error, m: &Member) -> StoreError {
    if StoreError::is_unique_violation_on(&e, "email") {
        StoreError::Conflict(format!("a member with the email {}", m.email))
    } else if StoreError::is_unique_violation(&e) {
        StoreError::Conflict(format!("member {} or its home folder", m.id))
    } else {
        e.into()
    }
}

#[async_trait]
impl MemberStore for SqlStore {
    async fn member(&self, id: MemberId) -> StoreResult<Option<Member>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1");
        let row: Option<MemberRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn insert_member(&self, m: &Member, teams: &[TeamMember]) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                insert_member_tx!(tx, m, teams);
                tx.commit().await
            }
            .await
        });
        res.map_err(|e| member_write_error(e, m))
    }

    async fn update_member(&self, m: &Member, deactivated: bool) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                sqlx::query(
                    "UPDATE members SET email = $1, first_name = $2, last_name = $3, \
                     account_type_id = $4, is_inactive = $5, is_archived = $6, user_kind = $7, \
                     profile_img_url = $8, updated_by = $9, updated_at = $10 WHERE id = $11",
                )
                .bind(sigil_core::member::normalize_email(&m.email))
                .bind(&m.first_name)
                .bind(&m.last_name)
                .bind(m.account_type_id.0)
                .bind(m.is_inactive)
                .bind(m.is_archived)
                .bind(m.user_kind.as_str())
                .bind(m.profile_img_url.as_deref())
                .bind(m.updated_by.map(|u| u.0))
                .bind(m.updated_at)
                .bind(m.id.0)
                .execute(&mut *tx)
                .await?;
                if deactivated {
                    sqlx::query(
                        "UPDATE refresh_tokens SET revoked_at = $1 \
                         WHERE (member_id = $2 OR actor_id = $2) AND revoked_at IS NULL",
                    )
                    .bind(m.updated_at)
                    .bind(m.id.0)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(INSERT_REVOCATION)
                        .bind(RevocationKind::Member.as_str())
                        .bind(m.id.to_string())
                        .bind(m.updated_at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await
            }
            .await
        });
        res.map_err(|e| member_write_error(e, m))
    }

    async fn revoke_member_tokens(&self, id: MemberId, at: OffsetDateTime) -> StoreResult<u64> {
        let res: Result<u64, sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                let n = sqlx::query(
                    "UPDATE refresh_tokens SET revoked_at = $1 \
                     WHERE (member_id = $2 OR actor_id = $2) AND revoked_at IS NULL",
                )
                .bind(at)
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query(INSERT_REVOCATION)
                    .bind(RevocationKind::Member.as_str())
                    .bind(id.to_string())
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(n)
            }
            .await
        });
        Ok(res?)
    }

    async fn list_members(
        &self,
        filter: &MemberFilter,
        position: &Position<String>,
        limit: u32,
        with_total: bool,
    ) -> StoreResult<(Vec<Member>, Option<u64>)> {
        let mut c = Conditions::default();
        if !filter.include_archived {
            c.push("is_archived = FALSE", vec![]);
        }
        if !filter.include_inactive {
            c.push("is_inactive = FALSE", vec![]);
        }
        if let Some(e) = &filter.email {
            c.push(
                "email = ?",
                vec![Arg::Text(sigil_core::member::normalize_email(e))],
            );
        }
        if let Some(q) = &filter.search {
            let p = like_pattern(q);
            c.push(
                "(LOWER(email) LIKE ? ESCAPE '\\' OR LOWER(first_name) LIKE ? ESCAPE '\\' \
                 OR LOWER(last_name) LIKE ? ESCAPE '\\' \
                 OR LOWER(first_name || ' ' || last_name) LIKE ? ESCAPE '\\')",
                vec![
                    Arg::Text(p.clone()),
                    Arg::Text(p.clone()),
                    Arg::Text(p.clone()),
                    Arg::Text(p),
                ],
            );
        }
        let (keyset, offset) = split_position(position, |email| {
            ("email > ?", vec![Arg::Text(email.clone())])
        });
        let page = ListQuery {
            table: "members",
            columns: MEMBER_COLUMNS,
            order: "email",
        };
        let (rows, total): (Vec<MemberRow>, _) = self
            .fetch_page(page, c, keyset, offset, limit, with_total)
            .await?;
        Ok((rows.into_iter().map(Into::into).collect(), total))
    }

    async fn reassign_documents(&self, from: MemberId, to: MemberId) -> StoreResult<u64> {
        Ok(on_writer!(self, pool, {
            sqlx::query("UPDATE inodes SET owner_id = $1 WHERE owner_id = $2 AND kind <> 'home'")
                .bind(to.0)
                .bind(from.0)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    async fn missing_members(&self, ids: &[MemberId]) -> StoreResult<Vec<MemberId>> {
        let raw: Vec<Uuid> = ids.iter().map(|i| i.0).collect();
        Ok(self
            .missing_ids("members", &raw)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    async fn member_by_email(&self, email: &str) -> StoreResult<Option<Member>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE email = $1");
        let email = sigil_core::member::normalize_email(email);
        let row: Option<MemberRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql)
                .bind(&email)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Into::into))
    }

    async fn set_member_password(
        &self,
        id: MemberId,
        password_hash: &str,
        at: OffsetDateTime,
    ) -> StoreResult<bool> {
        let done = on_writer!(self, pool, {
            sqlx::query("UPDATE members SET password_hash = $1, updated_at = $2 WHERE id = $3")
                .bind(password_hash)
                .bind(at)
                .bind(id.0)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }
}
