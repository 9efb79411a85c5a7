//! [`ScheduleStore`] for [`SqlStore`]: workbooks' export schedules, kept as records.

use super::*;
use crate::schedules::{ExportSchedule, ScheduleStore};

const COLUMNS: &str = "id, workbook_id, owner_id, targets, schedule, config, description, \
     is_suspended, disabled_at, disabled_by, created_by, updated_by, created_at, updated_at";

#[derive(sqlx::FromRow)]
struct Row {
    id: Uuid,
    workbook_id: Uuid,
    owner_id: Uuid,
    targets: String,
    schedule: String,
    config: String,
    description: Option<String>,
    is_suspended: bool,
    disabled_at: Option<OffsetDateTime>,
    disabled_by: Option<Uuid>,
    created_by: Uuid,
    updated_by: Uuid,
    created_at: OffsetDateTime,
    updated_at: OffsetDateTime,
}

impl From<Row> for ExportSchedule {
    fn from(r: Row) -> Self {
        ExportSchedule {
            id: r.id,
            workbook_id: InodeId(r.workbook_id),
            owner_id: MemberId(r.owner_id),
            targets: r.targets,
            schedule: r.schedule,
            config: r.config,
            description: r.description,
            is_suspended: r.is_suspended,
            disabled_at: r.disabled_at,
            disabled_by: r.disabled_by.map(MemberId),
            created_by: MemberId(r.created_by),
            updated_by: MemberId(r.updated_by),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[async_trait]
impl ScheduleStore for SqlStore {
    async fn save_export_schedule(&self, s: &ExportSchedule) -> StoreResult<()> {
        on_log_writer!(self, pool, {
            sqlx::query(
                "INSERT INTO export_schedules (id, workbook_id, owner_id, targets, schedule, \
                 config, description, is_suspended, disabled_at, disabled_by, created_by, \
                 updated_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, \
                 targets = excluded.targets, schedule = excluded.schedule, \
                 config = excluded.config, description = excluded.description, \
                 is_suspended = excluded.is_suspended, disabled_at = excluded.disabled_at, \
                 disabled_by = excluded.disabled_by, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(s.id)
            .bind(s.workbook_id.0)
            .bind(s.owner_id.0)
            .bind(&s.targets)
            .bind(&s.schedule)
            .bind(&s.config)
            .bind(s.description.as_deref())
            .bind(s.is_suspended)
            .bind(s.disabled_at)
            .bind(s.disabled_by.map(|m| m.0))
            .bind(s.created_by.0)
            .bind(s.updated_by.0)
            .bind(s.created_at)
            .bind(s.updated_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    async fn export_schedule(&self, id: Uuid) -> StoreResult<Option<ExportSchedule>> {
        let sql = format!("SELECT {COLUMNS} FROM export_schedules WHERE id = $1");
        let row: Option<Row> = on_pool!(self, pool, {
            sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    async fn export_schedules(
        &self,
        workbook: InodeId,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<ExportSchedule>, u64)> {
        let mut c = Conditions::default();
        c.push("workbook_id = ?", vec![Arg::Uuid(workbook.0)]);
        let page = ListQuery {
            table: "export_schedules",
            columns: COLUMNS,
            order: "id",
        };
        let (rows, total): (Vec<Row>, _) =
            self.fetch_page(page, c, None, offset, limit, true).await?;
        Ok((
            rows.into_iter().map(Into::into).collect(),
            total.unwrap_or(0),
        ))
    }

    async fn delete_export_schedule(&self, workbook: InodeId, id: Uuid) -> StoreResult<bool> {
        let n = on_log_writer!(self, pool, {
            sqlx::query("DELETE FROM export_schedules WHERE workbook_id = $1 AND id = $2")
                .bind(workbook.0)
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(n > 0)
    }
}
