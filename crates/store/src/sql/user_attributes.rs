//! [`UserAttributeStore`] for [`SqlStore`]: user attributes and their values per
//! member, per team (with a priority) and per tenant, one table each so that a
//! deleted team or attribute takes its values with it.

use super::*;
use crate::{AttributeHolder, AttributeValue, UserAttribute, UserAttributeStore};

const ATTRIBUTE_COLUMNS: &str = "id, name, description, default_value, created_by, updated_by, \
     created_at, updated_at";

#[derive(sqlx::FromRow)]
struct AttributeRow {
    id: Uuid,
    name: String,
    description: Option<String>,
    default_value: Option<String>,
    created_by: Uuid,
    updated_by: Uuid,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<AttributeRow> for UserAttribute {
    fn from(r: AttributeRow) -> Self {
        UserAttribute {
            id: r.id,
            name: r.name,
            description: r.description,
            default_value: r.default_value,
            created_by: MemberId(r.created_by),
            updated_by: MemberId(r.updated_by),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(sqlx::FromRow)]
struct ValueRow {
    attribute_id: Uuid,
    holder_id: Uuid,
    value: String,
    priority: i64,
    created_by: Uuid,
    updated_by: Uuid,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<ValueRow> for AttributeValue {
    fn from(r: ValueRow) -> Self {
        AttributeValue {
            attribute_id: r.attribute_id,
            holder_id: r.holder_id,
            value: r.value,
            priority: r.priority,
            created_by: MemberId(r.created_by),
            updated_by: MemberId(r.updated_by),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn table(h: AttributeHolder) -> &'static str {
    match h {
        AttributeHolder::Member => "user_attribute_members",
        AttributeHolder::Team => "user_attribute_teams",
        AttributeHolder::Tenant => "user_attribute_tenants",
    }
}

const VALUE_COLUMNS: &str = "attribute_id, holder_id, value, priority, created_by, updated_by, \
     created_at, updated_at";

#[async_trait]
impl UserAttributeStore for SqlStore {
    async fn insert_user_attribute(&self, a: &UserAttribute) -> StoreResult<()> {
        let res: Result<(), sqlx::Error> = on_writer!(self, pool, {
            async {
                sqlx::query(
                    "INSERT INTO user_attributes (id, name, name_key, description, default_value, \
                     created_by, updated_by, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(a.id)
                .bind(&a.name)
                .bind(a.name.to_lowercase())
                .bind(a.description.as_deref())
                .bind(a.default_value.as_deref())
                .bind(a.created_by.0)
                .bind(a.updated_by.0)
                .bind(a.created_at)
                .bind(a.updated_at)
                .execute(pool)
                .await?;
                Ok(())
            }
            .await
        });
        res.map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(format!("a user attribute is named `{}` already", a.name))
            }
            other => other.into(),
        })
    }

    async fn user_attribute(&self, id: Uuid) -> StoreResult<Option<UserAttribute>> {
        let sql = format!("SELECT {ATTRIBUTE_COLUMNS} FROM user_attributes WHERE id = $1");
        let row: Option<AttributeRow> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn list_user_attributes(
        &self,
        name: Option<&str>,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<UserAttribute>, u64)> {
        let pattern = name.map(|n| format!("%{}%", n.to_lowercase()));
        let sql = format!(
            "SELECT {ATTRIBUTE_COLUMNS} FROM user_attributes \
             WHERE ($1 IS NULL OR name_key LIKE $1) ORDER BY name_key, id LIMIT $2 OFFSET $3"
        );
        let (rows, total): (Vec<AttributeRow>, (i64,)) = on_pool!(self, pool, {
            (
                sqlx::query_as(&sql)
                    .bind(pattern.as_deref())
                    .bind(i64::from(limit))
                    .bind(offset as i64)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as(
                    "SELECT COUNT(*) FROM user_attributes WHERE ($1 IS NULL OR name_key LIKE $1)",
                )
                .bind(pattern.as_deref())
                .fetch_one(pool)
                .await?,
            )
        });
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.0.max(0) as u64,
        ))
    }

    async fn delete_user_attribute(&self, id: Uuid) -> StoreResult<bool> {
        let res: Result<bool, sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                for h in [
                    AttributeHolder::Member,
                    AttributeHolder::Team,
                    AttributeHolder::Tenant,
                ] {
                    sqlx::query(&format!("DELETE FROM {} WHERE attribute_id = $1", table(h)))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                let n = sqlx::query("DELETE FROM user_attributes WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                Ok(n > 0)
            }
            .await
        });
        Ok(res?)
    }

    async fn set_attribute_values(
        &self,
        holder: AttributeHolder,
        values: &[(Uuid, Uuid, String)],
        by: MemberId,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        let t = table(holder);
        // A team's priority is its place in the order teams were given the
        // attribute: a new one goes last; a changed value keeps its place.
        let insert = format!(
            "INSERT INTO {t} (attribute_id, holder_id, value, priority, created_by, updated_by, \
             created_at, updated_at) \
             VALUES ($1, $2, $3, \
               (SELECT COALESCE(MAX(priority), 0) + 1 FROM {t} WHERE attribute_id = $1), \
               $4, $4, $5, $5) \
             ON CONFLICT (attribute_id, holder_id) DO UPDATE SET value = excluded.value, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at"
        );
        let res: Result<(), sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                for (attribute, holder_id, value) in values {
                    sqlx::query(&insert)
                        .bind(attribute)
                        .bind(holder_id)
                        .bind(value)
                        .bind(by.0)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await
            }
            .await
        });
        Ok(res?)
    }

    async fn delete_attribute_values(
        &self,
        holder: AttributeHolder,
        attribute: Uuid,
        holders: &[Uuid],
    ) -> StoreResult<u64> {
        let sql = format!(
            "DELETE FROM {} WHERE attribute_id = $1 AND holder_id = $2",
            table(holder)
        );
        let res: Result<u64, sqlx::Error> = on_writer!(self, pool, {
            async {
                let mut tx = pool.begin().await?;
                let mut n = 0;
                for h in holders {
                    n += sqlx::query(&sql)
                        .bind(attribute)
                        .bind(h)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                }
                tx.commit().await?;
                Ok(n)
            }
            .await
        });
        Ok(res?)
    }

    async fn attribute_values(
        &self,
        holder: AttributeHolder,
        attribute: Uuid,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<AttributeValue>, u64)> {
        let t = table(holder);
        let sql = format!(
            "SELECT {VALUE_COLUMNS} FROM {t} WHERE attribute_id = $1 \
             ORDER BY priority, holder_id LIMIT $2 OFFSET $3"
        );
        let count = format!("SELECT COUNT(*) FROM {t} WHERE attribute_id = $1");
        let (rows, total): (Vec<ValueRow>, (i64,)) = on_pool!(self, pool, {
            (
                sqlx::query_as(&sql)
                    .bind(attribute)
                    .bind(i64::from(limit))
                    .bind(offset as i64)
                    .fetch_all(pool)
                    .await?,
                sqlx::query_as(&count)
                    .bind(attribute)
                    .fetch_one(pool)
                    .await?,
            )
        });
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.0.max(0) as u64,
        ))
    }

    async fn values_held_by(
        &self,
        holder: AttributeHolder,
        holders: &[Uuid],
    ) -> StoreResult<Vec<AttributeValue>> {
        if holders.is_empty() {
            return Ok(Vec::new());
        }
        // One query for all of a member's teams.
        let mut c = Conditions::default();
        let marks = vec!["?"; holders.len()].join(", ");
        c.push(
            &format!("holder_id IN ({marks})"),
            holders.iter().map(|h| Arg::Uuid(*h)).collect(),
        );
        let sql = format!(
            "SELECT {VALUE_COLUMNS} FROM {}{} ORDER BY attribute_id, priority, holder_id",
            table(holder),
            c.sql()
        );
        let rows: Vec<ValueRow> = on_pool!(self, pool, {
            bind_args!(sqlx::query_as(&sql), &c.args)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(AttributeValue::from).collect())
    }
}
