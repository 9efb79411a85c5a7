//! Export schedules of workbooks (Sigma's `/v2/workbooks/{id}/schedules`), kept as
//! records: sigil sends nothing on a schedule, but keeps what clients create,
//! change, pause and list. A request's `configV2` (or the older `config`) is checked
//! against the workbook (its pages and elements, tags and saved views) and kept in
//! the shape Sigma answers: `exportAttachments` become `notificationAttachments`,
//! `XLSX` is `EXCEL`, a condition on an element is one on its `sheetId`. Listing
//! needs Can View on the workbook, creating Can Explore; changing or deleting one is
//! its owner's, or needs Can Manage.

use std::sync::Arc;

use serde_json::{json, Value};
use sigil_core::member::is_valid_email;
use sigil_core::{clock, GrantPermission, InodeId, MemberId, TeamId};
use sigil_store::Store;
use uuid::Uuid;

use crate::error::{ServiceError, ServiceResult};
use crate::paging::{Page, PageRequest};
use crate::workbooks::{WorkbookDocument, Workbooks};
use crate::Caller;

mod checks;
mod config;

use checks::*;

pub use sigil_store::schedules::ExportSchedule;

/// A schedule as a client sends it; on a change, `None` leaves a part as it is.
#[derive(Debug, Clone, Default)]
pub struct ScheduleInput {
    pub target: Option<Value>,
    pub schedule: Option<Value>,
    pub config_v2: Option<Value>,
    /// Sigma's older single-attachment settings, used when `configV2` is absent.
    pub config: Option<Value>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub owner_id: Option<String>,
    /// `pause` or `resume`.
    pub suspension: Option<String>,
}

/// A schedule with its JSON parts read.
#[derive(Debug, Clone)]
pub struct ScheduleEntry {
    pub schedule: ExportSchedule,
    pub targets: Value,
    pub timing: Value,
    pub config: Value,
}

pub struct Schedules {
    store: Arc<dyn Store>,
    workbooks: Arc<Workbooks>,
}

impl Schedules {
    pub fn new(store: Arc<dyn Store>, workbooks: Arc<Workbooks>) -> Self {
        Schedules { store, workbooks }
    }

    fn entry(s: ExportSchedule) -> ServiceResult<ScheduleEntry> {
        let read = |t: &str, what: &str| {
            serde_json::from_str(t).map_err(|e| {
                ServiceError::internal(anyhow::anyhow!("schedule {}: {what}: {e}", s.id))
            })
        };
        Ok(ScheduleEntry {
            targets: read(&s.targets, "targets")?,
            timing: read(&s.schedule, "schedule")?,
            config: read(&s.config, "config")?,
            schedule: s,
        })
    }

    async fn targets(&self, v: &Value) -> ServiceResult<Value> {
        let list = v
            .as_array()
            .ok_or_else(|| bad("target", "must be a list"))?;
        if list.is_empty() || list.len() > 100 {
            return Err(bad(
                "target",
                format!("must hold 1 to 100 recipients, got {}", list.len()),
            ));
        }
        for (i, t) in list.iter().enumerate() {
            let field = format!("target[{i}]");
            let o = object_of(t, &field)?;
            if o.values().all(Value::is_null) {
                return Err(bad(&field, "must name a recipient (an email, a team, a Slack conversation, a Google Sheet or Drive folder, or a webhook)"));
            }
            for (k, v) in o {
                if v.is_null() {
                    continue;
                }
                let f = format!("{field}.{k}");
                let s = string_of(v, &f)?;
                match k.as_str() {
                    "email" | "ccEmail" | "bccEmail" if !is_valid_email(s) => {
                        return Err(bad(&f, format!("`{s}` is not an email address")));
                    }
                    "teamId" | "ccTeamId" | "bccTeamId" => {
                        let unknown = || bad(&f, format!("unknown team `{s}`"));
                        let id: TeamId = s.parse().map_err(|_| unknown())?;
                        if self.store.team(id).await?.is_none() {
                            return Err(unknown());
                        }
                    }
                    "webhookUrl" | "googleSpreadsheetUrl" | "googleDriveFolderUrl" => {
                        check_url(s, &f)?
                    }
                    "slackConversationId" if s.trim().is_empty() => {
                        return Err(bad(&f, "must not be empty"))
                    }
                    _ => {}
                }
            }
        }
        Ok(v.clone())
    }

    fn timing(v: &Value) -> ServiceResult<Value> {
        object_of(v, "schedule")?;
        let cron = string_of(&v["cronSpec"], "schedule.cronSpec")?;
        check_cron(cron)?;
        let tz = string_of(&v["timezone"], "schedule.timezone")?;
        check_timezone(tz)?;
        Ok(json!({"cronSpec": cron, "timezone": tz}))
    }

    async fn owner(&self, caller: &Caller, id: Option<&str>) -> ServiceResult<MemberId> {
        let Some(id) = id else {
            return Ok(caller.id());
        };
        let unknown = || bad("ownerId", format!("unknown member `{id}`"));
        let m: MemberId = id.parse().map_err(|_| unknown())?;
        if m != caller.id() && !caller.is_admin() {
            return Err(ServiceError::forbidden(
                "only an Admin may make a schedule for another member",
            ));
        }
        match self.store.member(m).await? {
            Some(member) if !member.is_inactive => Ok(m),
            _ => Err(unknown()),
        }
    }

    pub async fn list(
        &self,
        caller: &Caller,
        workbook: InodeId,
        req: PageRequest,
    ) -> ServiceResult<Page<ScheduleEntry>> {
        let wb = self
            .workbooks
            .load(caller, workbook, GrantPermission::View)
            .await?;
        let (rows, total) = self
            .store
            .export_schedules(wb.node.id, req.offset(), req.limit)
            .await?;
        let rows = rows
            .into_iter()
            .map(Self::entry)
            .collect::<ServiceResult<_>>()?;
        Ok(Page::of_window(rows, total, req))
    }

    pub async fn create(
        &self,
        caller: &Caller,
        workbook: InodeId,
        input: ScheduleInput,
    ) -> ServiceResult<ScheduleEntry> {
        let wb = self
            .workbooks
            .load(caller, workbook, GrantPermission::Explore)
            .await?;
        let targets = self
            .targets(
                input
                    .target
                    .as_ref()
                    .ok_or_else(|| bad("target", "is required"))?,
            )
            .await?;
        let timing = Self::timing(
            input
                .schedule
                .as_ref()
                .ok_or_else(|| bad("schedule", "is required"))?,
        )?;
        let config = self
            .config(&wb, input.config_v2.as_ref(), input.config.as_ref())
            .await?;
        let owner = self.owner(caller, input.owner_id.as_deref()).await?;
        let now = clock::now();
        let s = ExportSchedule {
            id: Uuid::now_v7(),
            workbook_id: wb.node.id,
            owner_id: owner,
            targets: targets.to_string(),
            schedule: timing.to_string(),
            config: config.to_string(),
            description: input.description.flatten(),
            is_suspended: false,
            disabled_at: None,
            disabled_by: None,
            created_by: caller.id(),
            updated_by: caller.id(),
            created_at: now,
            updated_at: now,
        };
        self.store.save_export_schedule(&s).await?;
        Self::entry(s)
    }

    /// A schedule of this workbook the caller may change: its own, or any with Can
    /// Manage.
    async fn changeable(
        &self,
        caller: &Caller,
        workbook: InodeId,
        id: Uuid,
    ) -> ServiceResult<(WorkbookDocument, ExportSchedule)> {
        let wb = self
            .workbooks
            .load(caller, workbook, GrantPermission::View)
            .await?;
        let s = self
            .store
            .export_schedule(id)
            .await?
            .filter(|s| s.workbook_id == wb.node.id)
            .ok_or_else(|| {
                ServiceError::not_found(format!("no schedule `{id}` on this workbook"))
            })?;
        if s.owner_id != caller.id() {
            self.workbooks
                .load(caller, workbook, GrantPermission::Edit)
                .await
                .map_err(|_| {
                    ServiceError::forbidden(
                        "changing another member's schedule needs Can Manage on the workbook",
                    )
                })?;
        }
        Ok((wb, s))
    }

    pub async fn update(
        &self,
        caller: &Caller,
        workbook: InodeId,
        id: Uuid,
        input: ScheduleInput,
    ) -> ServiceResult<ScheduleEntry> {
        let (wb, mut s) = self.changeable(caller, workbook, id).await?;
        if let Some(t) = &input.target {
            s.targets = self.targets(t).await?.to_string();
        }
        if let Some(t) = &input.schedule {
            s.schedule = Self::timing(t)?.to_string();
        }
        if input.config_v2.is_some() || input.config.is_some() {
            let mut config = self
                .config(&wb, input.config_v2.as_ref(), input.config.as_ref())
                .await?;
            // The row limit is set by the older `config` only: a new `configV2` keeps it.
            let before: Value = serde_json::from_str(&s.config).unwrap_or(Value::Null);
            if config.get("rowLimit").is_none() && !before["rowLimit"].is_null() {
                config["rowLimit"] = before["rowLimit"].clone();
            }
            s.config = config.to_string();
        }
        if let Some(d) = input.description {
            s.description = d;
        }
        if input.owner_id.is_some() {
            s.owner_id = self.owner(caller, input.owner_id.as_deref()).await?;
        }
        let now = clock::now();
        match input.suspension.as_deref() {
            None => {}
            // Pausing a paused schedule keeps when and by whom it was paused.
            Some("pause") if s.is_suspended => {}
            Some("pause") => {
                s.is_suspended = true;
                s.disabled_at = Some(now);
                s.disabled_by = Some(caller.id());
            }
            Some("resume") => {
                s.is_suspended = false;
                s.disabled_at = None;
                s.disabled_by = None;
            }
            Some(other) => {
                return Err(bad(
                    "suspensionAction",
                    format!("`{other}` is not pause or resume"),
                ))
            }
        }
        s.updated_by = caller.id();
        s.updated_at = now;
        self.store.save_export_schedule(&s).await?;
        Self::entry(s)
    }

    pub async fn delete(&self, caller: &Caller, workbook: InodeId, id: Uuid) -> ServiceResult<()> {
        let (wb, s) = self.changeable(caller, workbook, id).await?;
        if self.store.delete_export_schedule(wb.node.id, s.id).await? {
            Ok(())
        } else {
            Err(ServiceError::not_found(format!(
                "no schedule `{id}` on this workbook"
            )))
        }
    }
}
