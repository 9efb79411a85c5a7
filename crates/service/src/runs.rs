//! Running a workbook's action sequence: steps strictly in order, *Call API* through
//! the connectors service and *Set control value* on the run's control values, with a
//! trace of every step. The first failing step stops the sequence; the run then
//! answers the control values as they were before it (nothing half-set) and names the
//! step and why. Runs are recorded in the store: a trace for a workbook's authors,
//! and a webhook run's whole outcome for those who may read it, from any node.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sigil_core::workbook::{
    json_path, Action, ActionVariable, ConditionOp, ControlKind, Sequence, ValueSource, Workbook,
};
use sigil_core::{InodeId, MemberId};
use sigil_store::{Store, WorkbookRun};
use time::OffsetDateTime;

use crate::connectors::Connectors;
use crate::error::ServiceError;

/// One step of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// 1 for the first action.
    pub step: usize,
    /// `callApi` or `setControlValue`.
    #[serde(rename = "type")]
    pub kind: String,
    pub action_id: Option<String>,
    /// `ok`, `skipped` (its condition did not hold) or `failed`.
    pub status: String,
    /// What the step was given: parameter values, or the value set. No credential
    /// ever appears here: it is added by the engine.
    pub inputs: Value,
    /// For a call: the upstream's status.
    pub http_status: Option<u16>,
    pub duration_ms: f64,
    pub error: Option<String>,
}

/// What a run answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcome {
    pub sequence_id: String,
    /// Whether every step succeeded (or was skipped).
    pub ok: bool,
    /// Every control's value after the run (before it, when a step failed).
    pub controls: BTreeMap<String, Value>,
    pub trace: Vec<Step>,
    /// The step that failed, 1-based.
    pub failed_step: Option<usize>,
    pub error: Option<String>,
}

/// Checks the values a run is given: known controls, values that fit their type.
pub fn start_values(
    doc: &Workbook,
    given: &BTreeMap<String, Value>,
) -> Result<BTreeMap<String, Value>, ServiceError> {
    let controls = doc.controls();
    let mut values = doc.initial_values();
    for (id, v) in given {
        let (_, kind) = controls.get(id.as_str()).ok_or_else(|| {
            ServiceError::invalid_field("controls", format!("controls: there is no control `{id}`"))
        })?;
        if !kind.accepts(v) {
            return Err(ServiceError::invalid_field(
                "controls",
                format!(
                    "controls: `{id}` is a {} control; {v} does not fit it",
                    kind.value_type()
                ),
            ));
        }
        values.insert(id.clone(), v.clone());
    }
    Ok(values)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn resolve(
    src: &ValueSource,
    controls: &BTreeMap<String, Value>,
    vars: &BTreeMap<String, Value>,
) -> Result<Value, String> {
    match src {
        ValueSource::Static { value } => Ok(value.clone()),
        ValueSource::Control { control_id } => controls
            .get(control_id)
            .cloned()
            .ok_or_else(|| format!("there is no control `{control_id}`")),
        ValueSource::Variable {
            action_id,
            variable,
            path,
        } => {
            let v = vars
                .get(action_id)
                .ok_or_else(|| format!("action `{action_id}` has not run"))?;
            let base = match variable {
                ActionVariable::Data => &v["data"],
                ActionVariable::Status => &v["status"],
                ActionVariable::Headers => &v["headers"],
            };
            match path.as_deref() {
                None => Ok(base.clone()),
                Some(p) => json_path(base, p).cloned().ok_or_else(|| {
                    format!("`{p}` is not in the {variable:?} of action `{action_id}`")
                }),
            }
        }
    }
}

/// Fits a value to a control, as *Set control value* writes it.
fn fit(kind: ControlKind, v: Value) -> Result<Value, String> {
    if is_empty(&v) {
        return Ok(Value::Null);
    }
    match kind {
        ControlKind::TextInput
        | ControlKind::TextArea
        | ControlKind::ListOfValues
        | ControlKind::Date => {
            Ok(match v {
                Value::String(s) => Value::String(s),
                // Structured data is shown as its JSON text.
                other => Value::String(other.to_string()),
            })
        }
        ControlKind::NumberInput => match &v {
            Value::Number(_) => Ok(v),
            Value::String(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(|f| serde_json::Number::from_f64(f).map(Value::Number))
                .ok_or_else(|| format!("{v} is not a number")),
            _ => Err(format!("{v} is not a number")),
        },
        ControlKind::Switch => match &v {
            Value::Bool(_) => Ok(v),
            Value::String(s) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
            _ => Err(format!("{v} is not true or false")),
        },
    }
}

/// What a Call API step got back: its status, its action variable, and whether the
/// action accepts the status.
struct Called {
    status: u16,
    variable: Value,
    accepted: Result<(), String>,
}

/// Calls connector `connector_id` with `values` as `member`; an error is a call that
/// could not be made or got no answer.
async fn call_api(
    connectors: &Connectors,
    member: MemberId,
    connector_id: &str,
    values: &BTreeMap<String, Value>,
    accept_statuses: &[u16],
) -> Result<Called, String> {
    let id = connector_id
        .parse()
        .map_err(|_| format!("no API connector `{connector_id}`"))?;
    let r = connectors.ready(id).await.map_err(|e| e.to_string())?;
    let out = connectors
        .call_ready(&r, member, values)
        .await
        .map_err(|e| e.to_string())?;
    let accepted = if (200..300).contains(&out.status) || accept_statuses.contains(&out.status) {
        Ok(())
    } else {
        let also = if accept_statuses.is_empty() {
            String::new()
        } else {
            let list: Vec<String> = accept_statuses.iter().map(u16::to_string).collect();
            format!(" and {}", list.join(", "))
        };
        Err(format!(
            "the API answered {} (the action accepts 2xx{also})",
            out.status
        ))
    };
    Ok(Called {
        status: out.status,
        variable: json!({"data": out.body, "status": out.status, "headers": out.headers}),
        accepted,
    })
}

/// Runs `sequences` one after the other (a button's On click trigger may hold
/// several) with `start` control values as `member`. Steps are numbered across them;
/// action variables live only during their own sequence.
pub async fn run(
    connectors: &Connectors,
    member: MemberId,
    doc: &Workbook,
    sequences: &[&Sequence],
    start: BTreeMap<String, Value>,
) -> RunOutcome {
    let kinds: BTreeMap<String, ControlKind> = doc
        .controls()
        .into_iter()
        .map(|(id, (_, k))| (id.to_owned(), k))
        .collect();
    let mut controls = start.clone();
    let mut vars: BTreeMap<String, Value> = BTreeMap::new();
    let mut trace = Vec::new();
    let mut sequence_id = String::new();
    let mut step_no = 0;
    for seq in sequences {
        vars.clear();
        sequence_id.clone_from(&seq.sequence_id);
        for action in &seq.actions {
            step_no += 1;
            let t0 = Instant::now();
            let mut step = Step {
                step: step_no,
                kind: match action {
                    Action::CallApi { .. } => "callApi",
                    Action::SetControlValue { .. } => "setControlValue",
                }
                .to_owned(),
                action_id: action.action_id().map(str::to_owned),
                status: "ok".to_owned(),
                inputs: Value::Null,
                http_status: None,
                duration_ms: 0.0,
                error: None,
            };
            if let Some(c) = action.condition() {
                let v = controls.get(&c.control_id).cloned().unwrap_or(Value::Null);
                let holds = match c.op {
                    ConditionOp::NotEmpty => !is_empty(&v),
                    ConditionOp::Equals => {
                        v == c.value || v.as_str().is_some_and(|s| Some(s) == c.value.as_str())
                    }
                };
                if !holds {
                    step.status = "skipped".to_owned();
                    trace.push(step);
                    continue;
                }
            }
            let result: Result<(), String> = match action {
                Action::CallApi {
                    action_id,
                    connector_id,
                    parameters,
                    accept_statuses,
                    ..
                } => {
                    // The trace shows the values resolved, up to a failing one.
                    let mut values = BTreeMap::new();
                    let mut failed = None;
                    for (name, src) in parameters {
                        match resolve(src, &controls, &vars) {
                            Ok(v) => {
                                values.insert(name.clone(), v);
                            }
                            Err(e) => {
                                failed = Some(format!("parameter `{name}`: {e}"));
                                break;
                            }
                        }
                    }
                    step.inputs = json!(values);
                    match failed {
                        Some(e) => Err(e),
                        None => {
                            call_api(connectors, member, connector_id, &values, accept_statuses)
                                .await
                                .and_then(|out| {
                                    step.http_status = Some(out.status);
                                    vars.insert(action_id.clone(), out.variable);
                                    out.accepted
                                })
                        }
                    }
                }
                Action::SetControlValue {
                    control_id, value, ..
                } => {
                    // Saved documents are validated, so the control exists; a missing one
                    // still fails the step rather than the server.
                    let resolved = match kinds.get(control_id.as_str()) {
                        None => Err("there is no such control".to_owned()),
                        Some(&kind) => match value {
                            None => Ok(Value::Null),
                            Some(src) => resolve(src, &controls, &vars),
                        }
                        .and_then(|v| fit(kind, v)),
                    };
                    match resolved {
                        Ok(v) => {
                            step.inputs = json!({"controlId": control_id, "value": v});
                            controls.insert(control_id.clone(), v);
                            Ok(())
                        }
                        Err(e) => {
                            step.inputs = json!({"controlId": control_id});
                            Err(format!("control `{control_id}`: {e}"))
                        }
                    }
                }
            };
            step.duration_ms = t0.elapsed().as_secs_f64() * 1000.0;
            if let Err(e) = result {
                step.status = "failed".to_owned();
                step.error = Some(e.clone());
                trace.push(step);
                return RunOutcome {
                    sequence_id,
                    ok: false,
                    controls: start,
                    trace,
                    failed_step: Some(step_no),
                    error: Some(format!("step {step_no} failed: {e}")),
                };
            }
            trace.push(step);
        }
    }
    RunOutcome {
        sequence_id,
        ok: true,
        controls,
        trace,
        failed_step: None,
        error: None,
    }
}

/// A step as the run trace keeps it: no inputs (they are the values typed).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RecordedStep {
    pub step: usize,
    #[serde(rename = "type")]
    pub kind: String,
    pub action_id: Option<String>,
    pub status: String,
    pub http_status: Option<u16>,
    pub duration_ms: f64,
    pub error: Option<String>,
}

/// A run as the trace shows it.
#[derive(Debug, Clone)]
pub struct RunRecord {
    pub id: String,
    pub at: OffsetDateTime,
    /// Who ran it: their name (or email) as the member directory has it.
    pub by: String,
    pub trigger: String,
    pub sequence_id: String,
    pub ok: bool,
    /// `false` while a webhook's run goes on.
    pub finished: bool,
    pub failed_step: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: f64,
    pub steps: Vec<RecordedStep>,
}

/// How many runs of each workbook the trace keeps.
pub const KEPT_RUNS: u32 = 100;

fn recorded_steps(out: &RunOutcome) -> String {
    let steps: Vec<RecordedStep> = out
        .trace
        .iter()
        .map(|s| RecordedStep {
            step: s.step,
            kind: s.kind.clone(),
            action_id: s.action_id.clone(),
            status: s.status.clone(),
            http_status: s.http_status,
            duration_ms: s.duration_ms,
            error: s.error.clone(),
        })
        .collect();
    serde_json::to_string(&steps).unwrap_or_else(|_| "[]".into())
}

/// A run's row before it has finished.
pub fn pending(
    workbook: InodeId,
    member: MemberId,
    trigger: &str,
    sequence_id: &str,
) -> WorkbookRun {
    WorkbookRun {
        id: uuid::Uuid::now_v7(),
        workbook_id: workbook,
        member_id: member,
        at: sigil_core::clock::now(),
        trigger: trigger.to_owned(),
        sequence_id: sequence_id.to_owned(),
        ok: false,
        failed_step: None,
        error: None,
        duration_ms: 0.0,
        steps: "[]".into(),
        finished: false,
        outcome: None,
    }
}

/// `run` as it ended with `out`; `keep_outcome` keeps the whole outcome (values and
/// upstream answers) for those who may read it back.
pub fn finished(mut run: WorkbookRun, out: &RunOutcome, keep_outcome: bool) -> WorkbookRun {
    run.sequence_id.clone_from(&out.sequence_id);
    run.ok = out.ok;
    run.failed_step = out.failed_step.map(|n| n as i64);
    run.error.clone_from(&out.error);
    run.duration_ms = out.trace.iter().map(|s| s.duration_ms).sum();
    run.steps = recorded_steps(out);
    run.finished = true;
    run.outcome = if keep_outcome {
        serde_json::to_string(out).ok()
    } else {
        None
    };
    run
}

/// Appends a finished button run to workbook `workbook`'s trace. A trace that cannot
/// be written is logged, not the run's failure: the run has happened either way.
pub async fn record(
    store: &dyn Store,
    workbook: InodeId,
    member: MemberId,
    trigger: &str,
    out: &RunOutcome,
) {
    let run = finished(
        pending(workbook, member, trigger, &out.sequence_id),
        out,
        false,
    );
    if let Err(e) = store.insert_workbook_run(&run, KEPT_RUNS).await {
        tracing::warn!(error = %e, %workbook, "a run's trace was not written");
    }
}

/// How long a webhook run may stay unfinished before it is reported as interrupted
/// (the node running it stopped): well beyond any connector call's time limit.
pub const INTERRUPTED_AFTER: time::Duration = time::Duration::minutes(10);
