//! The view mode of a workbook (what Viewers and Explorers with access see): its
//! controls as inputs labelled by their titles and its buttons by their text, in one
//! form per page. A button posts the form to `run`, which runs the button's On click
//! sequence through the same service operation as `POST /v2/workbooks/{id}/run`.
//! Our script posts it in the background and fills in the controls the run set; without
//! it, the answer is the page again with those values. Also the runs' trace.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use sigil_core::workbook::{ControlKind, Element, Workbook};
use sigil_core::{GrantPermission, InodeId, Permission};
use sigil_service::runs::{RecordedStep, RunOutcome};
use sigil_service::workbooks::RunTarget;
use sigil_service::ServiceError;

use super::panel::{look, shown, PageTab};
use super::parse_id;
use crate::state::AppState;
use crate::web::session::{Fields, Posted, WebUser};
use crate::web::{render_status, service_error_page, Chrome};

/// An element as view mode shows it.
pub struct Shown {
    pub id: String,
    /// `control`, `button` or `text`.
    pub kind: &'static str,
    pub look: &'static str,
    pub title: String,
    pub control_id: String,
    pub value: String,
    pub checked: bool,
    pub options: Vec<(String, bool)>,
    pub style: String,
}

#[derive(Template)]
#[template(path = "workbooks/view.html")]
struct ViewPage {
    chrome: Chrome,
    csrf: String,
    id: String,
    name: String,
    path: String,
    page: String,
    tabs: Vec<PageTab>,
    elements: Vec<Shown>,
    can_edit: bool,
    can_run: bool,
    /// What the last run says: done, or which step failed and why.
    outcome: String,
    failed: bool,
}

#[derive(serde::Deserialize, Default)]
pub struct ViewQuery {
    page: Option<String>,
}

fn page_of<'a>(doc: &'a Workbook, id: &str) -> Option<&'a sigil_core::workbook::Page> {
    doc.pages
        .iter()
        .find(|p| p.page_id == id)
        .or_else(|| doc.pages.first())
}

fn shown_elements(doc: &Workbook, page: &str, values: &BTreeMap<String, Value>) -> Vec<Shown> {
    let Some(p) = page_of(doc, page) else {
        return Vec::new();
    };
    p.elements
        .iter()
        .map(|e| {
            let mut s = Shown {
                id: e.element_id().to_owned(),
                kind: e.kind(),
                look: "",
                title: e.title(),
                control_id: String::new(),
                value: String::new(),
                checked: false,
                options: Vec::new(),
                style: String::new(),
            };
            match e {
                Element::Control {
                    control_id,
                    control_type,
                    options,
                    ..
                } => {
                    let v = values.get(control_id).cloned().unwrap_or(Value::Null);
                    s.look = look(*control_type);
                    s.control_id = control_id.clone();
                    s.value = shown(&v);
                    s.checked = v.as_bool() == Some(true);
                    s.options = options
                        .iter()
                        .map(|o| (shown(o), shown(o) == s.value))
                        .collect();
                }
                Element::Button { text, style, .. } => {
                    s.title = text.clone();
                    s.style = style.clone().unwrap_or_else(|| "primary".into());
                }
                Element::Text { text, .. } => s.value = text.clone(),
            }
            s
        })
        .collect()
}

async fn view_page(
    st: &AppState,
    user: &WebUser,
    id: InodeId,
    page: &str,
    values: Option<BTreeMap<String, Value>>,
    outcome: String,
    failed: bool,
) -> Response {
    let s = &st.services;
    let c = user.caller();
    let r = async {
        let wb = s.workbooks.open(c, id).await?;
        // The path and the caller's permission, without reading the document again.
        let entry = s.files.get(c, id).await?;
        let can_edit = entry.permission >= Some(GrantPermission::Organize);
        Ok::<_, ServiceError>((wb, entry, can_edit))
    }
    .await;
    let (wb, entry, can_edit) = match r {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(user), e),
    };
    let doc = &wb.document;
    let values = values.unwrap_or_else(|| doc.initial_values());
    let current = page_of(doc, page)
        .map(|p| p.page_id.clone())
        .unwrap_or_default();
    let status = if failed {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    render_status(
        status,
        &ViewPage {
            chrome: Chrome::new(wb.node.name.clone(), Some(user)),
            csrf: user.session.csrf.clone(),
            id: id.to_string(),
            name: wb.node.name.clone(),
            path: entry.path,
            tabs: doc
                .pages
                .iter()
                .filter(|p| !p.hidden || can_edit)
                .map(|p| PageTab {
                    id: p.page_id.clone(),
                    name: if p.name.is_empty() {
                        p.page_id.clone()
                    } else {
                        p.name.clone()
                    },
                    current: p.page_id == current,
                })
                .collect(),
            elements: shown_elements(doc, &current, &values),
            page: current,
            can_edit,
            can_run: c.has(Permission::TriggerApiActions),
            outcome,
            failed,
        },
    )
}

pub async fn view(
    State(st): State<AppState>,
    user: WebUser,
    Path(raw): Path<String>,
    Query(q): Query<ViewQuery>,
) -> Response {
    match parse_id(&raw) {
        Ok(id) => {
            view_page(
                &st,
                &user,
                id,
                q.page.as_deref().unwrap_or(""),
                None,
                String::new(),
                false,
            )
            .await
        }
        Err(e) => service_error_page(Some(&user), e),
    }
}

/// The control values a page's form holds: the controls of that page only (the
/// others keep their initial values).
fn posted_values(
    doc: &Workbook,
    page: &str,
    f: &Fields,
) -> Result<BTreeMap<String, Value>, String> {
    let mut out = BTreeMap::new();
    let Some(p) = page_of(doc, page) else {
        return Ok(out);
    };
    for e in &p.elements {
        let Element::Control {
            control_id,
            control_type,
            ..
        } = e
        else {
            continue;
        };
        let name = format!("c.{control_id}");
        let raw = f.get(&name);
        let v = match control_type {
            ControlKind::Switch => Value::Bool(f.checked(&name)),
            ControlKind::NumberInput => match raw.trim() {
                "" => Value::Null,
                t => t
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| format!("{}: `{t}` is not a number.", e.title()))?,
            },
            _ if raw.is_empty() => Value::Null,
            _ => Value::String(raw),
        };
        out.insert(control_id.clone(), v);
    }
    Ok(out)
}

/// What a finished run says on the page.
fn outcome_text(out: &RunOutcome, button: &str) -> String {
    if out.ok {
        let n = out.trace.len();
        return format!(
            "{button} ran: {n} step{} done.",
            if n == 1 { "" } else { "s" }
        );
    }
    let Some(step) = out
        .failed_step
        .and_then(|n| out.trace.iter().find(|s| s.step == n))
    else {
        return out
            .error
            .clone()
            .unwrap_or_else(|| "The run failed.".into());
    };
    let kind = match step.kind.as_str() {
        "callApi" => "Call API",
        _ => "Set control value",
    };
    format!(
        "Step {} ({kind}) failed: {}. Nothing was set.",
        step.step,
        step.error.as_deref().unwrap_or("it did not succeed")
    )
}

fn wants_json(h: &HeaderMap) -> bool {
    h.get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

pub async fn run(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(raw): Path<String>,
    p: Posted,
) -> Response {
    let s = &st.services;
    let c = p.user.caller();
    let page = p.fields.get("page");
    let button = p.fields.get("_button");
    let r = async {
        let id = parse_id(&raw)?;
        let wb = s.workbooks.load(c, id, GrantPermission::View).await?;
        Ok::<_, ServiceError>((id, wb))
    }
    .await;
    let (id, wb) = match r {
        Ok(x) => x,
        Err(e) => return refused(&headers, &p.user, e),
    };
    let button_text = wb
        .document
        .pages
        .iter()
        .flat_map(|p| &p.elements)
        .find(|e| e.element_id() == button)
        .map(|e| e.title())
        .unwrap_or_else(|| "The button".into());
    let typed = posted_values(&wb.document, &page, &p.fields);
    let result = match &typed {
        Ok(values) => match s
            .workbooks
            .run(c, id, RunTarget::Button(button.clone()), values)
            .await
        {
            Ok(out) => Ok(out),
            // Not allowed, or nothing there: a page saying so, never a run's message.
            Err(
                e @ (ServiceError::Forbidden(_)
                | ServiceError::NotFound(_)
                | ServiceError::Internal(_)),
            ) => return refused(&headers, &p.user, e),
            Err(e) => Err(e.to_string()),
        },
        Err(m) => Err(m.clone()),
    };
    let (text, failed, values) = match result {
        Ok(out) => {
            let text = outcome_text(&out, &button_text);
            (text, !out.ok, Some(out.controls))
        }
        Err(m) => (m, true, None),
    };
    if wants_json(&headers) {
        let status = if failed {
            axum::http::StatusCode::BAD_REQUEST
        } else {
            axum::http::StatusCode::OK
        };
        let controls: BTreeMap<String, Value> = values
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let field = match v {
                    Value::Bool(b) => Value::Bool(b),
                    other => Value::String(shown(&other)),
                };
                (k, field)
            })
            .collect();
        return (
            status,
            axum::Json(json!({"ok": !failed, "message": text, "controls": controls})),
        )
            .into_response();
    }
    // Without our script: the page again, holding what the run left (or, when it
    // failed, what was typed).
    let shown_values = values.or_else(|| {
        typed.ok().map(|t| {
            let mut v = wb.document.initial_values();
            v.extend(t);
            v
        })
    });
    view_page(&st, &p.user, id, &page, shown_values, text, failed).await
}

/// A run that may not happen (no access, no permission) or broke: a page saying so,
/// or for our script the same as JSON, never a run's message.
fn refused(headers: &HeaderMap, user: &WebUser, e: ServiceError) -> Response {
    if !wants_json(headers) {
        return service_error_page(Some(user), e);
    }
    let (status, message) = match &e {
        ServiceError::Forbidden(_) => (
            axum::http::StatusCode::FORBIDDEN,
            format!("You cannot run this: {e}."),
        ),
        ServiceError::NotFound(_) => (
            axum::http::StatusCode::NOT_FOUND,
            "This workbook is not there, or you do not have access to it.".to_owned(),
        ),
        _ => {
            tracing::error!(error = %e, "a workbook run broke");
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "The run could not be completed. Try again in a moment.".to_owned(),
            )
        }
    };
    (status, axum::Json(json!({"ok": false, "message": message}))).into_response()
}

pub struct RunRow {
    pub at: String,
    pub by: String,
    pub trigger: String,
    pub ok: bool,
    pub finished: bool,
    pub error: String,
    pub duration: String,
    pub steps: Vec<StepRow>,
}

/// A step of a run as the trace page lists it.
pub struct StepRow {
    pub step: usize,
    pub kind: &'static str,
    pub status: String,
    pub http_status: String,
    pub duration: String,
    pub error: String,
}

impl From<RecordedStep> for StepRow {
    fn from(s: RecordedStep) -> Self {
        StepRow {
            step: s.step,
            kind: if s.kind == "callApi" {
                "Call API"
            } else {
                "Set control value"
            },
            status: s.status,
            http_status: s.http_status.map(|h| h.to_string()).unwrap_or_default(),
            duration: format!("{:.0} ms", s.duration_ms),
            error: s.error.unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "workbooks/runs.html")]
struct RunsPage {
    chrome: Chrome,
    id: String,
    name: String,
    runs: Vec<RunRow>,
}

pub async fn runs(State(st): State<AppState>, user: WebUser, Path(raw): Path<String>) -> Response {
    let s = &st.services;
    let c = user.caller();
    let r = async {
        let id = parse_id(&raw)?;
        let wb = s.workbooks.get(c, id).await?;
        let runs = s.workbooks.runs(c, id, 50).await?;
        Ok::<_, ServiceError>((id, wb, runs))
    }
    .await;
    let (id, wb, runs) = match r {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(&user), e),
    };
    let fmt = time::format_description::well_known::Rfc3339;
    render_status(
        axum::http::StatusCode::OK,
        &RunsPage {
            chrome: Chrome::new(format!("Runs of {}", wb.node.name), Some(&user)),
            id: id.to_string(),
            name: wb.node.name.clone(),
            runs: runs
                .into_iter()
                .map(|r| RunRow {
                    at: r.at.format(&fmt).unwrap_or_default(),
                    by: r.by,
                    trigger: r.trigger,
                    ok: r.ok,
                    finished: r.finished,
                    error: r.error.unwrap_or_default(),
                    duration: format!("{:.0} ms", r.duration_ms),
                    steps: r.steps.into_iter().map(StepRow::from).collect(),
                })
                .collect(),
        },
    )
}
