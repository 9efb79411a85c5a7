//! Workbooks' export schedules kept as records: the row and [`ScheduleStore`], a part
//! of [`crate::Store`]. No cached read depends on them, so their writes leave the
//! generation alone.

use async_trait::async_trait;
use sigil_core::{InodeId, MemberId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::StoreResult;

/// An export schedule; `targets`, `schedule` and `config` are JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportSchedule {
    pub id: Uuid,
    pub workbook_id: InodeId,
    pub owner_id: MemberId,
    pub targets: String,
    pub schedule: String,
    pub config: String,
    pub description: Option<String>,
    pub is_suspended: bool,
    pub disabled_at: Option<OffsetDateTime>,
    pub disabled_by: Option<MemberId>,
    pub created_by: MemberId,
    pub updated_by: MemberId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[async_trait]
pub trait ScheduleStore: Send + Sync + 'static {
    /// Inserts a schedule, or rewrites every field but `id`, `workbook_id` and
    /// `created_*` of the one with its id.
    async fn save_export_schedule(&self, s: &ExportSchedule) -> StoreResult<()>;
    async fn export_schedule(&self, id: Uuid) -> StoreResult<Option<ExportSchedule>>;
    /// A workbook's schedules, oldest first, and how many it has.
    async fn export_schedules(
        &self,
        workbook: InodeId,
        offset: u64,
        limit: u32,
    ) -> StoreResult<(Vec<ExportSchedule>, u64)>;
    async fn delete_export_schedule(&self, workbook: InodeId, id: Uuid) -> StoreResult<bool>;
}
