//! The edit mode of a workbook: one form carrying the draft, whose buttons are the
//! steps (add an element, select one, apply the editor panel, add or move actions,
//! pages, Save, View). Save goes through the same service operation as
//! `PUT /v2/workbooks/{id}/document`, with the version the draft was loaded at, so a
//! save over someone else's is refused rather than silently overwriting it.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use sigil_core::workbook::ControlKind;
use sigil_core::{GrantPermission, InodeId};
use sigil_service::workbooks::ConnectorChoice;
use sigil_service::ServiceError;

use super::draft::Draft;
use super::panel::{self, Card, PageTab, Panel};
use super::parse_id;
use crate::state::AppState;
use crate::web::session::{Posted, WebUser};
use crate::web::{render_status, see_other, service_error_page, Chrome};

#[derive(Template)]
#[template(path = "workbooks/edit.html")]
struct EditPage {
    chrome: Chrome,
    csrf: String,
    id: String,
    name: String,
    document: String,
    version: i64,
    page: String,
    page_name: String,
    page_name_error: String,
    single_page: bool,
    first_page: bool,
    last_page: bool,
    selected: String,
    dirty: bool,
    tabs: Vec<PageTab>,
    cards: Vec<Card>,
    panel: Option<Panel>,
    kinds: Vec<(&'static str, &'static str)>,
    /// The document's own problem, shown while it stands (it cannot be saved).
    status: String,
    notice: String,
    alert: String,
    /// Leaving was asked for with unsaved changes.
    unsaved: bool,
    field_errors: Vec<(String, String)>,
}

impl EditPage {
    fn error_of(&self, field: &str) -> String {
        self.field_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    /// The document's problem, when it concerns the selected element's Control ID.
    fn control_id_error(&self) -> String {
        let s = &self.status;
        let about_id = s.contains("Control ID") || s.contains("controlId");
        if about_id && panel::blamed(s).as_deref() == Some(self.selected.as_str()) {
            s.clone()
        } else {
            String::new()
        }
    }
}

/// What the edit page says besides the draft.
#[derive(Default)]
struct Said {
    notice: String,
    alert: String,
    unsaved: bool,
}

/// A validation message with element ids replaced by what a person calls them.
fn readable(d: &Draft, message: &str) -> String {
    let mut out = message.trim_start_matches("document: ").to_owned();
    if let Some(id) = panel::blamed(message) {
        if let Some(e) = d.element(&id) {
            out = out.replace(
                &format!("element `{id}`"),
                &format!("“{}” (element `{id}`)", e.title()),
            );
        }
    }
    out
}

async fn edit_page(
    st: &AppState,
    user: &WebUser,
    id: InodeId,
    name: &str,
    d: Draft,
    choices: &[ConnectorChoice],
    said: Said,
) -> Response {
    let status = match st.services.workbooks.validate(&d.doc).await {
        Ok(()) => String::new(),
        Err(ServiceError::Invalid { message, .. }) => readable(&d, &message),
        Err(e) => return service_error_page(Some(user), e),
    };
    let i = d.page_index();
    let page = EditPage {
        chrome: Chrome::new(format!("Edit {name}"), Some(user)),
        csrf: user.session.csrf.clone(),
        id: id.to_string(),
        name: name.to_owned(),
        document: d.json(),
        version: d.version,
        page: d.page.clone(),
        page_name: d.current().name.clone(),
        page_name_error: d.field_error("page_name"),
        single_page: d.doc.pages.len() == 1,
        first_page: i == 0,
        last_page: i + 1 == d.doc.pages.len(),
        selected: d.selected.clone(),
        dirty: d.dirty,
        tabs: panel::tabs(&d),
        cards: panel::cards(&d, &status),
        panel: panel::panel(&d, choices),
        kinds: ControlKind::ALL
            .iter()
            .map(|k| (k.slug(), k.label()))
            .collect(),
        status,
        notice: said.notice,
        alert: said.alert,
        unsaved: said.unsaved,
        field_errors: d.field_errors.clone(),
    };
    let code = if page.alert.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    render_status(code, &page)
}

#[derive(serde::Deserialize, Default)]
pub struct EditQuery {
    page: Option<String>,
    selected: Option<String>,
    saved: Option<i64>,
}

pub async fn edit(
    State(st): State<AppState>,
    user: WebUser,
    Path(raw): Path<String>,
    Query(q): Query<EditQuery>,
) -> Response {
    let s = &st.services;
    let c = user.caller();
    let r = async {
        let id = parse_id(&raw)?;
        let wb = s.workbooks.load(c, id, GrantPermission::Organize).await?;
        let choices = s.workbooks.connector_choices(c).await?;
        Ok::<_, ServiceError>((id, wb, choices))
    }
    .await;
    let (id, wb, choices) = match r {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(&user), e),
    };
    let mut d = Draft::new(wb.document, wb.version);
    d.show_page(q.page.as_deref().unwrap_or_default());
    if let Some(sel) = q.selected.filter(|s| d.element(s).is_some()) {
        d.selected = sel;
    }
    let said = Said {
        notice: q
            .saved
            .map(|v| format!("Saved. The workbook is at version {v}."))
            .unwrap_or_default(),
        ..Said::default()
    };
    edit_page(&st, &user, id, &wb.node.name, d, &choices, said).await
}

pub async fn edit_step(State(st): State<AppState>, Path(raw): Path<String>, p: Posted) -> Response {
    let s = &st.services;
    let c = p.user.caller();
    let r = async {
        let id = parse_id(&raw)?;
        // Only authors post here; the service checks again on Save.
        let wb = s.workbooks.load(c, id, GrantPermission::Organize).await?;
        let choices = s.workbooks.connector_choices(c).await?;
        Ok::<_, ServiceError>((id, wb.node.name, choices))
    }
    .await;
    let (id, name, choices) = match r {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(&p.user), e),
    };
    let Some(mut d) = Draft::read(&p.fields) else {
        return crate::web::error_page(
            axum::http::StatusCode::BAD_REQUEST,
            Some(&p.user),
            "That did not work",
            "The editor's form could not be read. Reload the workbook and try again.",
        );
    };
    d.apply_panel(&p.fields, &choices);
    let action = p.fields.get("_action");
    let (verb, arg) = action.split_once(':').unwrap_or((action.as_str(), ""));
    let mut said = Said::default();
    match verb {
        "add" => {
            d.add(arg);
        }
        "select" => d.selected = arg.to_owned(),
        "deselect" => d.selected.clear(),
        "up" => d.shift(arg, -1),
        "down" => d.shift(arg, 1),
        "delete" => d.shift(arg, 0),
        "page" => {
            d.show_page(arg);
            d.selected.clear();
        }
        "add-page" => d.add_page(),
        "page-left" => d.shift_page(-1),
        "page-right" => d.shift_page(1),
        "delete-page" => d.shift_page(0),
        "add-action" => d.add_action(),
        "action-up" | "action-down" | "action-remove" => {
            if let Ok(i) = arg.parse::<usize>() {
                let by = match verb {
                    "action-up" => -1,
                    "action-down" => 1,
                    _ => 0,
                };
                d.shift_action(i, by);
            }
        }
        "discard" => return see_other(&format!("/workbooks/{id}?page={}", d.page)),
        "view" => {
            if !d.dirty {
                return see_other(&format!("/workbooks/{id}?page={}", d.page));
            }
            said.unsaved = true;
        }
        "save" => {
            if !d.field_errors.is_empty() {
                said.alert = "Nothing was saved: correct the fields marked below.".into();
            } else {
                let doc = serde_json::to_value(&d.doc).unwrap_or_default();
                match s.workbooks.save_document(c, id, doc, Some(d.version)).await {
                    Ok(saved) => {
                        let sel = if d.selected.is_empty() {
                            String::new()
                        } else {
                            format!("&selected={}", d.selected)
                        };
                        return see_other(&format!(
                            "/workbooks/{id}/edit?page={}{sel}&saved={}",
                            d.page, saved.version
                        ));
                    }
                    Err(ServiceError::Invalid { message, .. }) => {
                        said.alert = format!("Nothing was saved: {}", readable(&d, &message));
                    }
                    Err(ServiceError::Conflict(m)) => {
                        said.alert = format!("Nothing was saved: {m}.");
                    }
                    Err(e) => return service_error_page(Some(&p.user), e),
                }
            }
        }
        // `apply`, `refresh`, or a field's Enter: the panel is applied above.
        _ => {}
    }
    edit_page(&st, &p.user, id, &name, d, &choices, said).await
}
