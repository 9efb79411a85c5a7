//! Bodies that several resources share: a team (in team lists and in a member's
//! teams), a grant (in workspace grants and `/v2/grants`) and a grantee (in both
//! kinds of grant request).

use serde::{Deserialize, Serialize};
use sigil_core::{GrantPermission, OrganizationId, Team, Visibility};
use sigil_service::grants::GranteeInput;
use sigil_service::Grant;
use utoipa::ToSchema;

use crate::api::shape::who;

/// A team, as Sigma answers it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamBody {
    pub team_id: String,
    pub name: String,
    pub description: String,
    /// `public` or `private`.
    #[schema(value_type = crate::api::schemas::VisibilitySchema, inline)]
    pub visibility: Visibility,
    pub is_archived: bool,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Team> for TeamBody {
    fn from(t: &Team) -> Self {
        let clock = sigil_core::clock::rfc3339;
        TeamBody {
            team_id: t.id.to_string(),
            name: t.name.clone(),
            description: t.description.clone(),
            visibility: t.visibility,
            is_archived: t.is_archived,
            created_by: who(t.created_by),
            updated_by: who(t.updated_by.or(t.created_by)),
            created_at: clock(t.created_at),
            updated_at: clock(t.updated_at),
        }
    }
}

/// A grant, with every field of the workspace grants document.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantBody {
    pub grant_id: String,
    pub inode_id: String,
    pub organization_id: String,
    pub member_id: Option<String>,
    pub team_id: Option<String>,
    /// `view`, `explore`, `organize` or `edit`.
    #[schema(value_type = crate::api::schemas::GrantPermissionSchema, inline)]
    pub permission: GrantPermission,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

impl GrantBody {
    pub fn of(organization: OrganizationId, g: &Grant) -> Self {
        GrantBody {
            grant_id: g.id.to_string(),
            inode_id: g.inode_id.to_string(),
            organization_id: organization.to_string(),
            member_id: g.member_id.map(|m| m.to_string()),
            team_id: g.team_id.map(|t| t.to_string()),
            permission: g.permission,
            created_by: who(g.created_by),
            updated_by: who(g.updated_by.or(g.created_by)),
            created_at: sigil_core::clock::rfc3339(g.created_at),
            updated_at: sigil_core::clock::rfc3339(g.updated_at),
        }
    }
}

/// Who a grant is for: `{"memberId": …}` or `{"teamId": …}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GranteeBody {
    pub member_id: Option<String>,
    pub team_id: Option<String>,
}

impl From<GranteeBody> for GranteeInput {
    fn from(g: GranteeBody) -> Self {
        GranteeInput {
            member_id: g.member_id,
            team_id: g.team_id,
        }
    }
}

/// One step of a workbook run.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepBody {
    /// 1 for the first action.
    pub step: usize,
    /// `callApi` or `setControlValue`.
    #[serde(rename = "type")]
    pub kind: String,
    pub action_id: Option<String>,
    /// `ok`, `skipped` (its condition did not hold) or `failed`.
    pub status: String,
    /// What the step was given: parameter values, or the value set. Never a
    /// credential: those are added by the engine.
    #[schema(value_type = Object)]
    pub inputs: serde_json::Value,
    /// For a call: the upstream's status.
    pub http_status: Option<u16>,
    pub duration_ms: f64,
    pub error: Option<String>,
}

/// What a workbook run answers (`/run`, and webhook runs).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RunBody {
    pub sequence_id: String,
    /// Whether every step succeeded (or was skipped).
    pub ok: bool,
    /// Every control's value after the run (before it, when a step failed).
    #[schema(value_type = Object)]
    pub controls: std::collections::BTreeMap<String, serde_json::Value>,
    pub trace: Vec<StepBody>,
    /// The step that failed, 1-based.
    pub failed_step: Option<usize>,
    pub error: Option<String>,
}

impl From<sigil_service::runs::RunOutcome> for RunBody {
    fn from(o: sigil_service::runs::RunOutcome) -> Self {
        RunBody {
            sequence_id: o.sequence_id,
            ok: o.ok,
            controls: o.controls,
            trace: o
                .trace
                .into_iter()
                .map(|s| StepBody {
                    step: s.step,
                    kind: s.kind,
                    action_id: s.action_id,
                    status: s.status,
                    inputs: s.inputs,
                    http_status: s.http_status,
                    duration_ms: s.duration_ms,
                    error: s.error,
                })
                .collect(),
            failed_step: o.failed_step,
            error: o.error,
        }
    }
}
