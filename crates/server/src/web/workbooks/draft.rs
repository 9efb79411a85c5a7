//! The workbook being edited, carried in the edit form: the document as JSON, the
//! version it was loaded at, the page shown and the element selected. Every step of
//! the form posts it back with the editor panel's fields; [`Draft::apply_panel`]
//! writes those into the selected element first, then the step changes the draft.
//! Nothing here is saved: Save hands the document to the workbooks service.

use std::collections::BTreeMap;

use serde_json::Value;
use sigil_core::workbook::{
    Action, ActionVariable, Condition, ConditionOp, ControlKind, Element, Page, Sequence,
    ValueSource, Workbook,
};
use sigil_service::workbooks::ConnectorChoice;

use crate::web::session::Fields;

#[derive(Debug, Clone)]
pub struct Draft {
    pub doc: Workbook,
    pub version: i64,
    pub page: String,
    pub selected: String,
    pub dirty: bool,
    /// Problems of the panel's own fields (field name, message), shown next to them.
    pub field_errors: Vec<(String, String)>,
}

/// The first `{prefix}{n}` (n from 1) that `taken` does not hold.
fn fresh(prefix: &str, taken: impl Fn(&str) -> bool) -> String {
    (1..)
        .map(|n| format!("{prefix}{n}"))
        .find(|c| !taken(c))
        .unwrap_or_default()
}

/// Where a source select points: `control`, `static` or `variable`.
pub fn source_name(s: &ValueSource) -> &'static str {
    match s {
        ValueSource::Control { .. } => "control",
        ValueSource::Static { .. } => "static",
        ValueSource::Variable { .. } => "variable",
    }
}

/// The value of an action-variable option: `actionId:data`.
pub fn variable_value(action_id: &str, v: ActionVariable) -> String {
    let name = match v {
        ActionVariable::Data => "data",
        ActionVariable::Status => "status",
        ActionVariable::Headers => "headers",
    };
    format!("{action_id}:{name}")
}

fn parse_variable(raw: &str, path: String) -> Option<ValueSource> {
    let (action_id, v) = raw.rsplit_once(':')?;
    let variable = match v {
        "data" => ActionVariable::Data,
        "status" => ActionVariable::Status,
        "headers" => ActionVariable::Headers,
        _ => return None,
    };
    Some(ValueSource::Variable {
        action_id: action_id.to_owned(),
        variable,
        path: Some(path).filter(|p| !p.trim().is_empty()),
    })
}

impl Draft {
    pub fn new(mut doc: Workbook, version: i64) -> Self {
        if doc.pages.is_empty() {
            doc.pages.push(Page {
                page_id: "page-1".into(),
                name: "Page 1".into(),
                hidden: false,
                elements: Vec::new(),
            });
        }
        let page = doc.pages[0].page_id.clone();
        Draft {
            doc,
            version,
            page,
            selected: String::new(),
            dirty: false,
            field_errors: Vec::new(),
        }
    }

    /// The draft a form carries; `None` when the form does not hold a document.
    pub fn read(f: &Fields) -> Option<Self> {
        let doc: Workbook = serde_json::from_str(&f.get("document")).ok()?;
        let mut d = Draft::new(doc, f.get("version").parse().ok()?);
        d.show_page(&f.get("page"));
        let sel = f.get("selected");
        if d.element(&sel).is_some() {
            d.selected = sel;
        }
        d.dirty = f.get("dirty") == "1";
        Some(d)
    }

    pub fn json(&self) -> String {
        serde_json::to_string(&self.doc).unwrap_or_else(|_| "{\"pages\":[]}".into())
    }

    /// Shows page `id` (or the first, when there is no such page).
    pub fn show_page(&mut self, id: &str) {
        self.page = match self.doc.pages.iter().find(|p| p.page_id == id) {
            Some(p) => p.page_id.clone(),
            None => self.doc.pages[0].page_id.clone(),
        };
    }

    pub fn page_index(&self) -> usize {
        self.doc
            .pages
            .iter()
            .position(|p| p.page_id == self.page)
            .unwrap_or(0)
    }

    pub fn current(&self) -> &Page {
        &self.doc.pages[self.page_index()]
    }

    fn current_mut(&mut self) -> &mut Page {
        let i = self.page_index();
        &mut self.doc.pages[i]
    }

    pub fn element(&self, id: &str) -> Option<&Element> {
        self.doc
            .pages
            .iter()
            .flat_map(|p| &p.elements)
            .find(|e| e.element_id() == id)
    }

    fn element_mut(&mut self, id: &str) -> Option<&mut Element> {
        self.doc
            .pages
            .iter_mut()
            .flat_map(|p| &mut p.elements)
            .find(|e| e.element_id() == id)
    }

    fn error(&mut self, field: &str, message: impl Into<String>) {
        self.field_errors.push((field.to_owned(), message.into()));
    }

    pub fn field_error(&self, field: &str) -> String {
        self.field_errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    }

    fn control_taken(&self, id: &str) -> bool {
        self.doc.controls().contains_key(id)
    }

    /// Adds an element (`button`, `text`, or a control kind's slug) at the end of the
    /// page shown, and selects it.
    pub fn add(&mut self, what: &str) -> bool {
        let element_id = fresh("el-", |c| self.element(c).is_some());
        let e = match what {
            "button" => Element::Button {
                element_id: element_id.clone(),
                text: "Button".into(),
                style: Some("primary".into()),
                on_click: Vec::new(),
            },
            "text" => Element::Text {
                element_id: element_id.clone(),
                text: "Text".into(),
            },
            slug => {
                let Some(kind) = ControlKind::ALL.into_iter().find(|k| k.slug() == slug) else {
                    return false;
                };
                Element::Control {
                    element_id: element_id.clone(),
                    control_id: fresh(&format!("{slug}-"), |c| self.control_taken(c)),
                    control_type: kind,
                    label: Some(kind.label().into()),
                    value: Value::Null,
                    options: Vec::new(),
                }
            }
        };
        self.current_mut().elements.push(e);
        self.selected = element_id;
        self.dirty = true;
        true
    }

    /// Moves element `id` by `by` places on its page, or deletes it (`by == 0`).
    pub fn shift(&mut self, id: &str, by: isize) {
        for p in &mut self.doc.pages {
            if let Some(i) = p.elements.iter().position(|e| e.element_id() == id) {
                if by == 0 {
                    p.elements.remove(i);
                } else {
                    let j = i as isize + by;
                    if j >= 0 && (j as usize) < p.elements.len() {
                        p.elements.swap(i, j as usize);
                    }
                }
                self.dirty = true;
            }
        }
        if self.element(&self.selected).is_none() {
            self.selected.clear();
        }
    }

    pub fn add_page(&mut self) {
        let page_id = fresh("page-", |c| self.doc.pages.iter().any(|p| p.page_id == c));
        let n = self.doc.pages.len() + 1;
        self.doc.pages.push(Page {
            page_id: page_id.clone(),
            name: format!("Page {n}"),
            hidden: false,
            elements: Vec::new(),
        });
        self.page = page_id;
        self.selected.clear();
        self.dirty = true;
    }

    /// Moves the page shown by `by` places, or deletes it (`by == 0`; never the last).
    pub fn shift_page(&mut self, by: isize) {
        let i = self.page_index();
        if by == 0 {
            if self.doc.pages.len() > 1 {
                self.doc.pages.remove(i);
                let next = i.min(self.doc.pages.len() - 1);
                self.page = self.doc.pages[next].page_id.clone();
                self.selected.clear();
                self.dirty = true;
            }
            return;
        }
        let j = i as isize + by;
        if j >= 0 && (j as usize) < self.doc.pages.len() {
            self.doc.pages.swap(i, j as usize);
            self.dirty = true;
        }
    }

    /// Adds an action to the selected button's On click sequence: a Call API, or a
    /// Set control value once there is a call whose answer it can use.
    pub fn add_action(&mut self) {
        let sel = self.selected.clone();
        let call_id = self.fresh_action_id();
        if let Some(Element::Button {
            element_id,
            on_click,
            ..
        }) = self.element_mut(&sel)
        {
            if on_click.is_empty() {
                on_click.push(Sequence {
                    sequence_id: format!("{element_id}-on-click"),
                    name: None,
                    actions: Vec::new(),
                });
            }
            on_click[0].actions.push(new_action("callApi", call_id));
            self.dirty = true;
        }
    }

    /// Moves action `i` of the selected button by `by`, or removes it (`by == 0`).
    pub fn shift_action(&mut self, i: usize, by: isize) {
        let sel = self.selected.clone();
        if let Some(Element::Button { on_click, .. }) = self.element_mut(&sel) {
            let Some(seq) = on_click.first_mut() else {
                return;
            };
            if i >= seq.actions.len() {
                return;
            }
            if by == 0 {
                seq.actions.remove(i);
            } else {
                let j = i as isize + by;
                if j < 0 || j as usize >= seq.actions.len() {
                    return;
                }
                seq.actions.swap(i, j as usize);
            }
            self.dirty = true;
        }
    }

    fn fresh_action_id(&self) -> String {
        let used: Vec<String> = self
            .doc
            .sequences()
            .iter()
            .flat_map(|(_, s)| s.actions.iter().filter_map(|a| a.action_id()))
            .map(str::to_owned)
            .collect();
        fresh("call-", |c| used.iter().any(|u| u == c))
    }

    /// Writes the editor panel's fields (those of element `panel_for`) into the
    /// draft. A field that cannot be read keeps the old value and says why.
    pub fn apply_panel(&mut self, f: &Fields, choices: &[ConnectorChoice]) {
        let id = f.get("panel_for");
        if f.get("page_name_for") == self.page {
            let name = f.get("page_name");
            if name.trim().is_empty() {
                self.error("page_name", "A page needs a name.");
            } else if name != self.current().name {
                self.current_mut().name = name;
                self.dirty = true;
            }
        }
        let Some(old) = self.element(&id).cloned() else {
            return;
        };
        let fresh_id = self.fresh_action_id();
        let new = match old.clone() {
            Element::Control {
                element_id,
                control_type,
                value,
                options,
                ..
            } => {
                let title = f.get("title");
                let value = match control_type {
                    ControlKind::Switch => Value::Bool(f.checked("value_on")),
                    ControlKind::NumberInput => {
                        let raw = f.get("value");
                        match raw.trim() {
                            "" => Value::Null,
                            t => match t.parse::<f64>().ok().and_then(serde_json::Number::from_f64)
                            {
                                Some(n) => Value::Number(n),
                                None => {
                                    self.error("value", format!("`{t}` is not a number."));
                                    value
                                }
                            },
                        }
                    }
                    _ => match f.get("value") {
                        s if s.is_empty() => Value::Null,
                        s => Value::String(s),
                    },
                };
                let options = if control_type == ControlKind::ListOfValues {
                    f.get("options")
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| Value::String(l.to_owned()))
                        .collect()
                } else {
                    options
                };
                Element::Control {
                    element_id,
                    control_id: f.get("control_id").trim().to_owned(),
                    control_type,
                    label: Some(title).filter(|t| !t.trim().is_empty()),
                    value,
                    options,
                }
            }
            Element::Button {
                element_id,
                text,
                mut on_click,
                style,
            } => {
                let typed_text = f.get("text");
                let text = if typed_text.trim().is_empty() {
                    self.error("text", "A button needs text.");
                    text
                } else {
                    typed_text
                };
                let style = match f.get("style").as_str() {
                    s @ ("primary" | "secondary" | "danger") => Some(s.to_owned()),
                    _ => style,
                };
                if let Some(seq) = on_click.first_mut() {
                    let mut next_id = fresh_id;
                    for i in 0..seq.actions.len() {
                        if f.0.iter().any(|(k, _)| *k == format!("a{i}.type")) {
                            let a = self.read_action(f, i, &seq.actions[i], choices, &next_id);
                            if a.action_id() == Some(next_id.as_str()) {
                                next_id = format!("{next_id}-{i}");
                            }
                            seq.actions[i] = a;
                        }
                    }
                }
                Element::Button {
                    element_id,
                    text,
                    style,
                    on_click,
                }
            }
            Element::Text { element_id, .. } => Element::Text {
                element_id,
                text: f.get("text"),
            },
        };
        if new != old {
            self.dirty = true;
            if let Some(e) = self.element_mut(&id) {
                *e = new;
            }
        }
    }

    /// Action `i` as its fields say; a changed Action select starts it afresh.
    fn read_action(
        &mut self,
        f: &Fields,
        i: usize,
        old: &Action,
        choices: &[ConnectorChoice],
        fresh_id: &str,
    ) -> Action {
        let p = |name: &str| format!("a{i}.{name}");
        let kind = f.get(&p("type"));
        let old_kind = match old {
            Action::CallApi { .. } => "callApi",
            Action::SetControlValue { .. } => "setControlValue",
        };
        if kind != old_kind {
            return new_action(&kind, fresh_id.to_owned());
        }
        let condition = match f.get(&p("when")).as_str() {
            "not-empty" => Some(Condition {
                control_id: f.get(&p("when_control_ne")),
                op: ConditionOp::NotEmpty,
                value: Value::Null,
            }),
            "equals" => Some(Condition {
                control_id: f.get(&p("when_control_eq")),
                op: ConditionOp::Equals,
                value: Value::String(f.get(&p("when_value"))),
            }),
            _ => None,
        };
        match old {
            Action::CallApi {
                action_id,
                connector_id,
                parameters,
                accept_statuses,
                ..
            } => {
                let chosen = f.get(&p("connector"));
                let kept = if chosen == *connector_id {
                    parameters.clone()
                } else {
                    BTreeMap::new()
                };
                let mut params = BTreeMap::new();
                if let Some(c) = choices.iter().find(|c| c.id == chosen) {
                    for (n, name) in c.parameters.keys().enumerate() {
                        let q = |x: &str| format!("a{i}.p{n}.{x}");
                        let posted = f.get(&q("name")) == *name;
                        let src = match (posted, f.get(&q("source")).as_str()) {
                            (true, "control") => ValueSource::Control {
                                control_id: f.get(&q("control")),
                            },
                            (true, "static") => ValueSource::Static {
                                value: Value::String(f.get(&q("value"))),
                            },
                            (true, "variable") => {
                                parse_variable(&f.get(&q("variable")), f.get(&q("path"))).unwrap_or(
                                    ValueSource::Variable {
                                        action_id: String::new(),
                                        variable: ActionVariable::Data,
                                        path: None,
                                    },
                                )
                            }
                            _ => kept
                                .get(name)
                                .cloned()
                                .unwrap_or_else(|| self.default_source(name)),
                        };
                        params.insert(name.clone(), src);
                    }
                }
                let accept_raw = f.get(&p("accept"));
                let mut accept = Vec::new();
                for part in accept_raw
                    .split(|c: char| c == ',' || c.is_whitespace())
                    .filter(|s| !s.is_empty())
                {
                    match part.parse::<u16>() {
                        Ok(s) if (100..=599).contains(&s) => accept.push(s),
                        _ => {
                            self.error(
                                &p("accept"),
                                format!("`{part}` is not an HTTP status (100 to 599)."),
                            );
                            accept.clone_from(accept_statuses);
                            break;
                        }
                    }
                }
                Action::CallApi {
                    action_id: action_id.clone(),
                    connector_id: chosen,
                    parameters: params,
                    accept_statuses: accept,
                    condition,
                }
            }
            Action::SetControlValue { action_id, .. } => {
                let value = match f.get(&p("from")).as_str() {
                    "variable" => parse_variable(&f.get(&p("variable")), f.get(&p("path"))).or(
                        Some(ValueSource::Variable {
                            action_id: String::new(),
                            variable: ActionVariable::Data,
                            path: None,
                        }),
                    ),
                    "control" => Some(ValueSource::Control {
                        control_id: f.get(&p("control")),
                    }),
                    "static" => Some(ValueSource::Static {
                        value: Value::String(f.get(&p("value"))),
                    }),
                    _ => None,
                };
                Action::SetControlValue {
                    action_id: action_id.clone(),
                    control_id: f.get(&p("target")),
                    value,
                    condition,
                }
            }
        }
    }

    /// A new parameter's source: the control of the same Control ID when there is one.
    fn default_source(&self, name: &str) -> ValueSource {
        if self.control_taken(name) {
            ValueSource::Control {
                control_id: name.to_owned(),
            }
        } else {
            ValueSource::Static {
                value: Value::String(String::new()),
            }
        }
    }
}

fn new_action(kind: &str, action_id: String) -> Action {
    match kind {
        "setControlValue" => Action::SetControlValue {
            action_id: None,
            control_id: String::new(),
            value: None,
            condition: None,
        },
        _ => Action::CallApi {
            action_id,
            connector_id: String::new(),
            parameters: BTreeMap::new(),
            accept_statuses: Vec::new(),
            condition: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn added_elements_get_fresh_ids_titles_and_selection() {
        let mut d = Draft::new(Workbook::default(), 1);
        assert_eq!(d.doc.pages.len(), 1, "a workbook opens on a first page");
        assert!(d.add("text-input"));
        assert!(d.add("text-input"));
        assert!(d.add("button"));
        assert!(!d.add("nonsense"));
        let ids: Vec<_> = d.doc.controls().keys().map(|k| k.to_string()).collect();
        assert_eq!(ids, ["text-input-1", "text-input-2"]);
        assert_eq!(d.current().elements[0].title(), "Text Input");
        assert_eq!(d.current().elements[2].title(), "Button");
        assert_eq!(d.selected, "el-3");
        assert!(d.dirty);
        d.shift("el-3", -1);
        assert_eq!(d.current().elements[1].element_id(), "el-3");
        d.shift("el-3", 0);
        assert_eq!(d.current().elements.len(), 2);
        assert!(
            d.selected.is_empty(),
            "a deleted element is no longer selected"
        );
    }

    #[test]
    fn the_panel_writes_a_control_and_a_call_api_action() {
        let mut d = Draft::new(Workbook::default(), 1);
        d.add("text-input");
        d.apply_panel(
            &fields(&[
                ("panel_for", "el-1"),
                ("title", "Enter team name"),
                ("control_id", "team-name"),
                ("value", ""),
            ]),
            &[],
        );
        d.add("button");
        d.add_action();
        let choices = [ConnectorChoice {
            id: "c1".into(),
            name: "Create Sigma team".into(),
            parameters: BTreeMap::from([("team-name".into(), "string".into())]),
        }];
        // Choosing the API: its parameter is mapped to the control of the same id.
        d.apply_panel(
            &fields(&[
                ("panel_for", "el-2"),
                ("text", "Create team"),
                ("a0.type", "callApi"),
                ("a0.connector", "c1"),
                ("a0.accept", "409"),
            ]),
            &choices,
        );
        let Some(Element::Button { on_click, text, .. }) = d.element("el-2") else {
            panic!("a button")
        };
        assert_eq!(text, "Create team");
        let Action::CallApi {
            parameters,
            accept_statuses,
            ..
        } = &on_click[0].actions[0]
        else {
            panic!("a call")
        };
        assert_eq!(
            parameters["team-name"],
            ValueSource::Control {
                control_id: "team-name".into()
            }
        );
        assert_eq!(accept_statuses, &[409]);
        // A bad status is refused next to its field, the old ones kept.
        d.apply_panel(
            &fields(&[
                ("panel_for", "el-2"),
                ("text", "Create team"),
                ("a0.type", "callApi"),
                ("a0.connector", "c1"),
                ("a0.accept", "4x"),
            ]),
            &choices,
        );
        assert!(d.field_error("a0.accept").contains("not an HTTP status"));
        let Some(Element::Button { on_click, .. }) = d.element("el-2") else {
            panic!("a button")
        };
        assert!(
            matches!(&on_click[0].actions[0], Action::CallApi { accept_statuses, .. } if accept_statuses == &[409])
        );
        // Changing the action's kind starts it afresh.
        d.apply_panel(
            &fields(&[
                ("panel_for", "el-2"),
                ("text", "Create team"),
                ("a0.type", "setControlValue"),
            ]),
            &choices,
        );
        let Some(Element::Button { on_click, .. }) = d.element("el-2") else {
            panic!("a button")
        };
        assert!(matches!(
            &on_click[0].actions[0],
            Action::SetControlValue { .. }
        ));
    }

    #[test]
    fn pages_are_added_reordered_and_deleted_but_never_the_last() {
        let mut d = Draft::new(Workbook::default(), 1);
        d.add_page();
        assert_eq!(d.page, "page-2");
        d.shift_page(-1);
        assert_eq!(d.doc.pages[0].page_id, "page-2");
        d.shift_page(0);
        assert_eq!(d.doc.pages.len(), 1);
        d.shift_page(0);
        assert_eq!(d.doc.pages.len(), 1, "the last page stays");
    }
}
