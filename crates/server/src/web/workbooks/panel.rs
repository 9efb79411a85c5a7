//! What the edit page shows of a draft: the page tabs, the elements as cards named by
//! their titles, and the editor panel of the selected element, with its actions'
//! selects already filled with the page's controls, the connectors the author may use
//! and the earlier calls' variables.

use sigil_core::workbook::{
    Action, ActionVariable, ConditionOp, ControlKind, Element, ValueSource,
};
use sigil_service::workbooks::ConnectorChoice;

use super::draft::{source_name, variable_value, Draft};

/// An option of a select.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn opt(value: impl Into<String>, label: impl Into<String>, current: &str) -> Opt {
    let value = value.into();
    Opt {
        selected: value == current,
        label: label.into(),
        value,
    }
}

/// `choices` with a leading "Choose…" when `current` is none of them.
fn with_choose(mut choices: Vec<Opt>, current: &str) -> Vec<Opt> {
    if !choices.iter().any(|o| o.selected) {
        choices.insert(0, opt(current, "Choose…", current));
    }
    choices
}

pub struct PageTab {
    pub id: String,
    pub name: String,
    pub current: bool,
}

/// An element on the page, as the edit page draws it.
pub struct Card {
    pub id: String,
    pub title: String,
    /// `input`, `textarea`, `switch`, `list`, `date`, `number`, `button` or `text`.
    pub look: &'static str,
    /// The initial value, a button's text or a text's words.
    pub shows: String,
    pub selected: bool,
    pub first: bool,
    pub last: bool,
    /// The document's problem with this element, if it has one.
    pub error: String,
}

pub struct ParamView {
    pub n: usize,
    pub action: usize,
    pub name: String,
    pub ty: String,
    pub source: &'static str,
    pub controls: Vec<Opt>,
    pub value: String,
    pub variables: Vec<Opt>,
    pub path: String,
}

pub struct ActionView {
    pub i: usize,
    pub step: usize,
    pub kind: &'static str,
    pub first: bool,
    pub last: bool,
    // Call API
    pub connectors: Vec<Opt>,
    pub no_connectors: bool,
    pub params: Vec<ParamView>,
    pub accept: String,
    pub accept_error: String,
    // Set control value
    pub targets: Vec<Opt>,
    pub from: &'static str,
    pub variables: Vec<Opt>,
    pub path: String,
    pub controls: Vec<Opt>,
    pub value: String,
    // Either
    pub when: &'static str,
    pub when_controls: Vec<Opt>,
    pub when_value: String,
}

pub struct Panel {
    pub element_id: String,
    /// `control`, `button` or `text`.
    pub kind: &'static str,
    pub heading: String,
    pub title: String,
    pub control_id: String,
    pub control_look: &'static str,
    pub value: String,
    pub checked: bool,
    pub options: String,
    pub text: String,
    pub styles: Vec<Opt>,
    pub actions: Vec<ActionView>,
    /// Sequences of the button beyond the first (set through the API); kept as they are.
    pub more_sequences: usize,
}

/// How a control of `kind` is drawn, in edit and view mode alike.
pub fn look(kind: ControlKind) -> &'static str {
    match kind {
        ControlKind::TextInput => "input",
        ControlKind::TextArea => "textarea",
        ControlKind::NumberInput => "number",
        ControlKind::Switch => "switch",
        ControlKind::ListOfValues => "list",
        ControlKind::Date => "date",
    }
}

/// A control's value as a field shows it.
pub fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn tabs(d: &Draft) -> Vec<PageTab> {
    d.doc
        .pages
        .iter()
        .map(|p| PageTab {
            id: p.page_id.clone(),
            name: if p.name.trim().is_empty() {
                p.page_id.clone()
            } else {
                p.name.clone()
            },
            current: p.page_id == d.page,
        })
        .collect()
}

/// The element a validation message names (`element \`el-3\``), if any.
pub fn blamed(message: &str) -> Option<String> {
    let rest = message.split("element `").nth(1)?;
    Some(rest.split('`').next()?.to_owned())
}

pub fn cards(d: &Draft, problem: &str) -> Vec<Card> {
    let blame = blamed(problem);
    let elements = &d.current().elements;
    elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let (look_, shows) = match e {
                Element::Control {
                    control_type,
                    value,
                    ..
                } => (look(*control_type), shown(value)),
                Element::Button { text, .. } => ("button", text.clone()),
                Element::Text { text, .. } => ("text", text.clone()),
            };
            Card {
                id: e.element_id().to_owned(),
                title: e.title(),
                look: look_,
                shows,
                selected: e.element_id() == d.selected,
                first: i == 0,
                last: i + 1 == elements.len(),
                error: if blame.as_deref() == Some(e.element_id()) {
                    problem.to_owned()
                } else {
                    String::new()
                },
            }
        })
        .collect()
}

/// The controls of the whole workbook as options, by title.
fn control_opts(d: &Draft, current: &str) -> Vec<Opt> {
    let all: Vec<Opt> = d
        .doc
        .pages
        .iter()
        .flat_map(|p| &p.elements)
        .filter_map(|e| match e {
            Element::Control { control_id, .. } => Some(opt(control_id, e.title(), current)),
            _ => None,
        })
        .collect();
    with_choose(all, current)
}

/// The variables of the Call API actions before action `i`.
fn variable_opts(actions: &[Action], i: usize, current: &str) -> Vec<Opt> {
    let calls: Vec<(usize, &str)> = actions[..i]
        .iter()
        .enumerate()
        .filter_map(|(n, a)| match a {
            Action::CallApi { action_id, .. } => Some((n + 1, action_id.as_str())),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (step, id) in &calls {
        let who = if calls.len() == 1 {
            "Call API".to_owned()
        } else {
            format!("Step {step} Call API")
        };
        for (v, what) in [
            (ActionVariable::Data, "response data"),
            (ActionVariable::Status, "status"),
            (ActionVariable::Headers, "headers"),
        ] {
            out.push(opt(
                variable_value(id, v),
                format!("{who}: {what}"),
                current,
            ));
        }
    }
    with_choose(out, current)
}

fn source_parts(
    d: &Draft,
    actions: &[Action],
    i: usize,
    src: Option<&ValueSource>,
) -> (Vec<Opt>, String, Vec<Opt>, String) {
    let (control, value, variable, path) = match src {
        Some(ValueSource::Control { control_id }) => (
            control_id.clone(),
            String::new(),
            String::new(),
            String::new(),
        ),
        Some(ValueSource::Static { value }) => {
            (String::new(), shown(value), String::new(), String::new())
        }
        Some(ValueSource::Variable {
            action_id,
            variable,
            path,
        }) => (
            String::new(),
            String::new(),
            if action_id.is_empty() {
                String::new()
            } else {
                variable_value(action_id, *variable)
            },
            path.clone().unwrap_or_default(),
        ),
        None => Default::default(),
    };
    (
        control_opts(d, &control),
        value,
        variable_opts(actions, i, &variable),
        path,
    )
}

fn action_view(d: &Draft, actions: &[Action], i: usize, choices: &[ConnectorChoice]) -> ActionView {
    let a = &actions[i];
    let (when, when_control, when_value) = match a.condition() {
        None => ("always", String::new(), String::new()),
        Some(c) => (
            match c.op {
                ConditionOp::NotEmpty => "not-empty",
                ConditionOp::Equals => "equals",
            },
            c.control_id.clone(),
            shown(&c.value),
        ),
    };
    let mut v = ActionView {
        i,
        step: i + 1,
        kind: "callApi",
        first: i == 0,
        last: i + 1 == actions.len(),
        connectors: Vec::new(),
        no_connectors: choices.is_empty(),
        params: Vec::new(),
        accept: String::new(),
        accept_error: d.field_error(&format!("a{i}.accept")),
        targets: Vec::new(),
        from: "variable",
        variables: Vec::new(),
        path: String::new(),
        controls: Vec::new(),
        value: String::new(),
        when,
        when_controls: control_opts(d, &when_control),
        when_value,
    };
    match a {
        Action::CallApi {
            connector_id,
            parameters,
            accept_statuses,
            ..
        } => {
            v.connectors = with_choose(
                choices
                    .iter()
                    .map(|c| opt(&c.id, &c.name, connector_id))
                    .collect(),
                connector_id,
            );
            if let Some(c) = choices.iter().find(|c| c.id == *connector_id) {
                for (n, (name, ty)) in c.parameters.iter().enumerate() {
                    let src = parameters.get(name);
                    let (controls, value, variables, path) = source_parts(d, actions, i, src);
                    v.params.push(ParamView {
                        n,
                        action: i,
                        name: name.clone(),
                        ty: ty.clone(),
                        source: src.map(source_name).unwrap_or("control"),
                        controls,
                        value,
                        variables,
                        path,
                    });
                }
            }
            v.accept = accept_statuses
                .iter()
                .map(u16::to_string)
                .collect::<Vec<_>>()
                .join(", ");
        }
        Action::SetControlValue {
            control_id, value, ..
        } => {
            v.kind = "setControlValue";
            v.targets = control_opts(d, control_id);
            v.from = match value {
                None => "clear",
                Some(s) => source_name(s),
            };
            let (controls, val, variables, path) = source_parts(d, actions, i, value.as_ref());
            v.controls = controls;
            v.value = val;
            v.variables = variables;
            v.path = path;
        }
    }
    v
}

pub fn panel(d: &Draft, choices: &[ConnectorChoice]) -> Option<Panel> {
    let e = d.element(&d.selected)?;
    let mut p = Panel {
        element_id: e.element_id().to_owned(),
        kind: e.kind(),
        heading: String::new(),
        title: String::new(),
        control_id: String::new(),
        control_look: "",
        value: String::new(),
        checked: false,
        options: String::new(),
        text: String::new(),
        styles: Vec::new(),
        actions: Vec::new(),
        more_sequences: 0,
    };
    match e {
        Element::Control {
            control_id,
            control_type,
            label,
            value,
            options,
            ..
        } => {
            p.heading = control_type.label().to_owned();
            p.title = label.clone().unwrap_or_default();
            p.control_id = control_id.clone();
            p.control_look = look(*control_type);
            p.value = shown(value);
            p.checked = value.as_bool() == Some(true);
            p.options = options.iter().map(shown).collect::<Vec<_>>().join("\n");
        }
        Element::Button {
            text,
            style,
            on_click,
            ..
        } => {
            p.heading = "Button".into();
            p.text = text.clone();
            let style = style.as_deref().unwrap_or("primary");
            p.styles = vec![
                opt("primary", "Primary", style),
                opt("secondary", "Secondary", style),
                opt("danger", "Danger", style),
            ];
            if let Some(seq) = on_click.first() {
                p.actions = (0..seq.actions.len())
                    .map(|i| action_view(d, &seq.actions, i, choices))
                    .collect();
            }
            p.more_sequences = on_click.len().saturating_sub(1);
        }
        Element::Text { text, .. } => {
            p.heading = "Text".into();
            p.text = text.clone();
        }
    }
    Some(p)
}
