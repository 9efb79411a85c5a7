//! [`AccountTypeStore`] for [`SqlStore`]: built-in and custom account types.

use super::*;
use crate::AccountTypeStore;

#[async_trait]
impl AccountTypeStore for SqlStore {
    async fn account_type(&self, id: AccountTypeId) -> StoreResult<Option<AccountType>> {
        let sql = format!("SELECT {ACCOUNT_TYPE_COLUMNS} FROM account_types WHERE id = $1");
        let row: Option<AccountTypeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id.0).fetch_optional(pool).await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn account_type_by_name(&self, name: &str) -> StoreResult<Option<AccountType>> {
        // Names are matched without regard to case, as Sigma's clients send them.
        let sql = format!(
            "SELECT {ACCOUNT_TYPE_COLUMNS} FROM account_types WHERE lower(name) = lower($1) \
             ORDER BY name = $1 DESC LIMIT 1"
        );
        let row: Option<AccountTypeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(name).fetch_optional(pool).await?
        });
        row.map(TryInto::try_into).transpose()
    }

    async fn list_account_types(
        &self,
        after_name: Option<&str>,
        limit: u32,
    ) -> StoreResult<Vec<AccountType>> {
        let sql = format!(
            "SELECT {ACCOUNT_TYPE_COLUMNS} FROM account_types \
             WHERE ($1 IS NULL OR name > $1) ORDER BY name LIMIT $2"
        );
        let rows: Vec<AccountTypeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql)
                .bind(after_name)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn insert_account_type(&self, t: &AccountType, at: OffsetDateTime) -> StoreResult<()> {
        let res = on_writer!(self, pool, {
            sqlx::query(INSERT_ACCOUNT_TYPE)
                .bind(t.id.0)
                .bind(t.organization_id.0)
                .bind(&t.name)
                .bind(&t.description)
                .bind(t.builtin)
                .bind(join_list(&t.permissions, |p| p.as_str()))
                .bind(at)
                .execute(pool)
                .await
                .map(|_| ())
        });
        res.map_err(|e| {
            if StoreError::is_unique_violation(&e) {
                StoreError::Conflict(format!("an account type named {}", t.name))
            } else {
                e.into()
            }
        })
    }

    async fn delete_account_type(
        &self,
        id: AccountTypeId,
        reassign_to: Option<AccountTypeId>,
        _at: OffsetDateTime,
    ) -> StoreResult<DeleteAccountType> {
        on_writer!(self, pool, {
            let mut tx = pool.begin().await?;
            // COUNT(*) is BIGINT on both dialects; a bare `SELECT 1` is INT4 on PostgreSQL.
            let exists: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM account_types WHERE id = $1")
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            if exists == 0 {
                return Ok(DeleteAccountType::NotFound);
            }
            let held: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM members WHERE account_type_id = $1")
                    .bind(id.0)
                    .fetch_one(&mut *tx)
                    .await?;
            let reassigned = match reassign_to {
                Some(to) => sqlx::query(
                    "UPDATE members SET account_type_id = $1 WHERE account_type_id = $2",
                )
                .bind(to.0)
                .bind(id.0)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
                None if held > 0 => {
                    return Ok(DeleteAccountType::InUse {
                        members: held as u64,
                    })
                }
                None => 0,
            };
            sqlx::query("DELETE FROM account_types WHERE id = $1")
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(DeleteAccountType::Deleted { reassigned })
        })
    }
}
