//! Workbooks as documents: pages of elements (controls, buttons, text), buttons with
//! action sequences for their On click trigger, and the actions *Call API* and *Set
//! control value*. [`Workbook::validate`] checks a document as a whole and names the
//! element at fault; connectors are checked by the caller through [`ConnectorInfo`],
//! since they live elsewhere.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A workbook's document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Workbook {
    #[serde(default)]
    pub pages: Vec<Page>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Page {
    pub page_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub hidden: bool,
    #[serde(default)]
    pub elements: Vec<Element>,
}

/// The kinds of control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlKind {
    TextInput,
    TextArea,
    NumberInput,
    Switch,
    ListOfValues,
    Date,
}

impl ControlKind {
    /// Every kind, in the order the Add element bar lists them.
    pub const ALL: [ControlKind; 6] = [
        ControlKind::TextInput,
        ControlKind::TextArea,
        ControlKind::NumberInput,
        ControlKind::Switch,
        ControlKind::ListOfValues,
        ControlKind::Date,
    ];

    /// What the Add element bar calls it; a new control's title.
    pub fn label(self) -> &'static str {
        match self {
            ControlKind::TextInput => "Text Input",
            ControlKind::TextArea => "Text Area",
            ControlKind::NumberInput => "Number Input",
            ControlKind::Switch => "Switch",
            ControlKind::ListOfValues => "List of values",
            ControlKind::Date => "Date",
        }
    }

    /// Its name in documents: `text-input`, `list-of-values`.
    pub fn slug(self) -> &'static str {
        match self {
            ControlKind::TextInput => "text-input",
            ControlKind::TextArea => "text-area",
            ControlKind::NumberInput => "number-input",
            ControlKind::Switch => "switch",
            ControlKind::ListOfValues => "list-of-values",
            ControlKind::Date => "date",
        }
    }

    /// Sigma's `valueType` of the control's value.
    pub fn value_type(self) -> &'static str {
        match self {
            ControlKind::TextInput | ControlKind::TextArea | ControlKind::ListOfValues => "text",
            ControlKind::NumberInput => "number",
            ControlKind::Switch => "boolean",
            ControlKind::Date => "date",
        }
    }

    /// Whether `v` may be this control's value (`null` is always allowed: empty).
    pub fn accepts(self, v: &Value) -> bool {
        matches!(
            (self, v),
            (_, Value::Null)
                | (ControlKind::NumberInput, Value::Number(_))
                | (ControlKind::Switch, Value::Bool(_))
                | (
                    ControlKind::TextInput
                        | ControlKind::TextArea
                        | ControlKind::ListOfValues
                        | ControlKind::Date,
                    Value::String(_),
                )
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "kebab-case",
    rename_all_fields = "camelCase"
)]
pub enum Element {
    Control {
        element_id: String,
        /// Unique in the workbook; actions and mappings name controls by it.
        control_id: String,
        control_type: ControlKind,
        #[serde(default)]
        label: Option<String>,
        /// The initial value.
        #[serde(default)]
        value: Value,
        /// The choices of a list of values.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        options: Vec<Value>,
    },
    Button {
        element_id: String,
        text: String,
        #[serde(default)]
        style: Option<String>,
        /// The action sequences of the On click trigger, run in order.
        #[serde(default)]
        on_click: Vec<Sequence>,
    },
    Text {
        element_id: String,
        text: String,
    },
}

impl Element {
    pub fn element_id(&self) -> &str {
        match self {
            Element::Control { element_id, .. }
            | Element::Button { element_id, .. }
            | Element::Text { element_id, .. } => element_id,
        }
    }

    /// What a person calls it: a control's title (its kind's name while it has
    /// none), a button's text, or "Text".
    pub fn title(&self) -> String {
        match self {
            Element::Control {
                label,
                control_type,
                ..
            } => label
                .as_deref()
                .filter(|l| !l.trim().is_empty())
                .unwrap_or(control_type.label())
                .to_owned(),
            Element::Button { text, .. } => text.clone(),
            Element::Text { .. } => "Text".to_owned(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Element::Control { .. } => "control",
            Element::Button { .. } => "button",
            Element::Text { .. } => "text",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Sequence {
    /// Unique in the workbook (the webhook names a sequence by it).
    pub sequence_id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub actions: Vec<Action>,
}

/// Where a value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "source",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum ValueSource {
    Static {
        value: Value,
    },
    Control {
        control_id: String,
    },
    /// A variable of an earlier *Call API* action of the same sequence.
    Variable {
        /// The `actionId` of that action.
        action_id: String,
        variable: ActionVariable,
        /// Into `data`: `name`, `team.members[0].id`, or `$.name`.
        #[serde(default)]
        path: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActionVariable {
    /// The response body.
    Data,
    Status,
    Headers,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Condition {
    pub control_id: String,
    pub op: ConditionOp,
    #[serde(default)]
    pub value: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConditionOp {
    Equals,
    NotEmpty,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Action {
    CallApi {
        action_id: String,
        connector_id: String,
        /// A source for each dynamic parameter of the connector.
        #[serde(default)]
        parameters: BTreeMap<String, ValueSource>,
        /// Statuses besides 2xx that do not stop the sequence.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        accept_statuses: Vec<u16>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        condition: Option<Condition>,
    },
    SetControlValue {
        #[serde(default)]
        action_id: Option<String>,
        control_id: String,
        /// Replace the control's value with this; `null` or a blank value clears it.
        #[serde(default)]
        value: Option<ValueSource>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        condition: Option<Condition>,
    },
}

impl Action {
    pub fn action_id(&self) -> Option<&str> {
        match self {
            Action::CallApi { action_id, .. } => Some(action_id),
            Action::SetControlValue { action_id, .. } => action_id.as_deref(),
        }
    }

    pub fn condition(&self) -> Option<&Condition> {
        match self {
            Action::CallApi { condition, .. } | Action::SetControlValue { condition, .. } => {
                condition.as_ref()
            }
        }
    }
}

/// What validation needs to know of a connector: its dynamic parameters and types
/// (`string`, `number`, `boolean`, `array`, `object`, `raw`).
#[derive(Debug, Clone, Default)]
pub struct ConnectorInfo {
    pub parameters: BTreeMap<String, String>,
}

/// A problem in a document, naming where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {message}")]
pub struct WorkbookError {
    pub at: String,
    pub message: String,
}

fn bad(at: impl Into<String>, message: impl Into<String>) -> WorkbookError {
    WorkbookError {
        at: at.into(),
        message: message.into(),
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether a control of `kind` can feed a parameter of type `ty`.
pub fn control_fits(kind: ControlKind, ty: &str) -> bool {
    match ty {
        "string" | "raw" => true,
        "number" => kind == ControlKind::NumberInput,
        "boolean" => kind == ControlKind::Switch,
        // JSON text typed into a text control.
        "array" | "object" => matches!(
            kind,
            ControlKind::TextInput | ControlKind::TextArea | ControlKind::ListOfValues
        ),
        _ => false,
    }
}

/// Whether a static `value` can be a parameter of type `ty`.
fn static_fits(v: &Value, ty: &str) -> bool {
    match ty {
        "string" => matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_)),
        "number" => v.is_number() || v.as_str().is_some_and(|s| s.trim().parse::<f64>().is_ok()),
        "boolean" => v.is_boolean() || matches!(v.as_str(), Some("true" | "false")),
        "array" => v.is_array() || v.is_string(),
        "object" => v.is_object() || v.is_string(),
        _ => true,
    }
}

impl Workbook {
    /// Every control, by Control ID.
    pub fn controls(&self) -> BTreeMap<&str, (&Element, ControlKind)> {
        let mut out = BTreeMap::new();
        for p in &self.pages {
            for e in &p.elements {
                if let Element::Control {
                    control_id,
                    control_type,
                    ..
                } = e
                {
                    out.insert(control_id.as_str(), (e, *control_type));
                }
            }
        }
        out
    }

    /// Every action sequence, with the button it belongs to.
    pub fn sequences(&self) -> Vec<(&Element, &Sequence)> {
        let mut out = Vec::new();
        for p in &self.pages {
            for e in &p.elements {
                if let Element::Button { on_click, .. } = e {
                    out.extend(on_click.iter().map(|s| (e, s)));
                }
            }
        }
        out
    }

    pub fn sequence(&self, id: &str) -> Option<&Sequence> {
        self.sequences()
            .into_iter()
            .find(|(_, s)| s.sequence_id == id)
            .map(|(_, s)| s)
    }

    /// The initial value of every control.
    pub fn initial_values(&self) -> BTreeMap<String, Value> {
        self.controls()
            .into_iter()
            .map(|(id, (e, _))| {
                let v = match e {
                    Element::Control { value, .. } => value.clone(),
                    _ => Value::Null,
                };
                (id.to_owned(), v)
            })
            .collect()
    }

    /// Checks the document as a whole. `connector` answers what a connector id names,
    /// or `None` when there is no such connector.
    pub fn validate(
        &self,
        connector: &dyn Fn(&str) -> Option<ConnectorInfo>,
    ) -> Result<(), WorkbookError> {
        let mut page_ids = BTreeSet::new();
        let mut element_ids = BTreeSet::new();
        let mut control_ids = BTreeMap::new();
        let mut sequence_ids = BTreeSet::new();
        for (pi, p) in self.pages.iter().enumerate() {
            let at = format!("pages[{pi}]");
            if !valid_id(&p.page_id) {
                return Err(bad(
                    at,
                    "pageId may hold only letters, digits, `-`, `_` and `.`",
                ));
            }
            if !page_ids.insert(&p.page_id) {
                return Err(bad(at, format!("pageId `{}` appears twice", p.page_id)));
            }
            for e in &p.elements {
                let id = e.element_id();
                let at = format!("element `{id}`");
                if !valid_id(id) {
                    return Err(bad(
                        at,
                        "elementId may hold only letters, digits, `-`, `_` and `.`",
                    ));
                }
                if !element_ids.insert(id.to_owned()) {
                    return Err(bad(at, "elementId appears twice"));
                }
                if let Element::Control {
                    control_id,
                    control_type,
                    value,
                    options,
                    ..
                } = e
                {
                    if !valid_id(control_id) {
                        return Err(bad(
                            at,
                            "controlId may hold only letters, digits, `-`, `_` and `.`",
                        ));
                    }
                    if control_ids
                        .insert(control_id.clone(), *control_type)
                        .is_some()
                    {
                        return Err(bad(at, format!("Control ID `{control_id}` is used twice")));
                    }
                    if !control_type.accepts(value) {
                        return Err(bad(
                            at,
                            format!(
                                "the initial value does not fit a {} control",
                                control_type.value_type()
                            ),
                        ));
                    }
                    if *control_type != ControlKind::ListOfValues && !options.is_empty() {
                        return Err(bad(at, "only a list of values has options"));
                    }
                }
            }
        }
        for (button, s) in self.sequences() {
            let at = format!("element `{}`", button.element_id());
            if !valid_id(&s.sequence_id) {
                return Err(bad(
                    at,
                    "sequenceId may hold only letters, digits, `-`, `_` and `.`",
                ));
            }
            if !sequence_ids.insert(s.sequence_id.clone()) {
                return Err(bad(
                    at,
                    format!("sequenceId `{}` appears twice", s.sequence_id),
                ));
            }
            let mut scope = SequenceScope {
                control_ids: &control_ids,
                earlier_calls: BTreeSet::new(),
            };
            let mut action_ids = BTreeSet::new();
            for (i, a) in s.actions.iter().enumerate() {
                let at = format!("{at}, sequence `{}`, action {}", s.sequence_id, i + 1);
                if let Some(id) = a.action_id() {
                    if !valid_id(id) {
                        return Err(bad(
                            at,
                            "actionId may hold only letters, digits, `-`, `_` and `.`",
                        ));
                    }
                    if !action_ids.insert(id.to_owned()) {
                        return Err(bad(at, format!("actionId `{id}` appears twice")));
                    }
                }
                if let Some(c) = a.condition() {
                    if !control_ids.contains_key(&c.control_id) {
                        return Err(bad(
                            at,
                            format!("the condition names no control `{}`", c.control_id),
                        ));
                    }
                }
                scope.check_action(a, &at, connector)?;
            }
        }
        Ok(())
    }
}

/// What an action of a sequence may refer to: the document's controls, and the Call
/// API actions before it in the same sequence.
struct SequenceScope<'a> {
    control_ids: &'a BTreeMap<String, ControlKind>,
    earlier_calls: BTreeSet<&'a str>,
}

impl<'a> SequenceScope<'a> {
    fn check_action(
        &mut self,
        a: &'a Action,
        at: &str,
        connector: &dyn Fn(&str) -> Option<ConnectorInfo>,
    ) -> Result<(), WorkbookError> {
        match a {
            Action::CallApi {
                action_id,
                connector_id,
                parameters,
                accept_statuses,
                ..
            } => {
                if connector_id.is_empty() {
                    return Err(bad(at, "choose the API connector to call"));
                }
                let info = connector(connector_id).ok_or_else(|| {
                    bad(at, format!("there is no API connector `{connector_id}`"))
                })?;
                for (name, src) in parameters {
                    let ty = info.parameters.get(name).ok_or_else(|| {
                        bad(
                            at,
                            format!("connector `{connector_id}` has no parameter `{name}`"),
                        )
                    })?;
                    self.check_parameter(name, ty, src, at)?;
                }
                if let Some(missing) = info
                    .parameters
                    .keys()
                    .find(|p| !parameters.contains_key(*p))
                {
                    return Err(bad(
                        at,
                        format!(
                            "parameter `{missing}` of connector `{connector_id}` has no mapping"
                        ),
                    ));
                }
                if let Some(s) = accept_statuses.iter().find(|s| !(100..=599).contains(*s)) {
                    return Err(bad(at, format!("{s} is not an HTTP status")));
                }
                self.earlier_calls.insert(action_id.as_str());
                Ok(())
            }
            Action::SetControlValue {
                control_id, value, ..
            } => {
                if control_id.is_empty() {
                    return Err(bad(at, "choose the control to set"));
                }
                let target = self
                    .control_ids
                    .get(control_id)
                    .ok_or_else(|| bad(at, format!("there is no control `{control_id}` to set")))?;
                match value {
                    Some(src) => self.check_set_value(*target, src, at),
                    None => Ok(()),
                }
            }
        }
    }

    /// A Call API parameter of type `ty`, filled from `src`.
    fn check_parameter(
        &self,
        name: &str,
        ty: &str,
        src: &ValueSource,
        at: &str,
    ) -> Result<(), WorkbookError> {
        if let Some(kind) = self.source_kind(src, &format!("parameter `{name}`"), at)? {
            if !control_fits(kind, ty) {
                return Err(bad(
                    at,
                    format!(
                        "parameter `{name}` is {ty}; a {} control cannot fit it",
                        kind.value_type()
                    ),
                ));
            }
        }
        if let ValueSource::Static { value } = src {
            if !static_fits(value, ty) {
                return Err(bad(
                    at,
                    format!("parameter `{name}` is {ty}; the static value cannot fit it"),
                ));
            }
        }
        Ok(())
    }

    /// A Set control value into a `target` control, from `src`.
    fn check_set_value(
        &self,
        target: ControlKind,
        src: &ValueSource,
        at: &str,
    ) -> Result<(), WorkbookError> {
        let takes_text = matches!(target, ControlKind::TextInput | ControlKind::TextArea);
        if let Some(kind) = self.source_kind(src, "the value", at)? {
            if kind != target && !takes_text {
                return Err(bad(
                    at,
                    format!(
                        "a {} control cannot be set from a {} control",
                        target.value_type(),
                        kind.value_type()
                    ),
                ));
            }
        }
        if let ValueSource::Static { value } = src {
            let blank = value.is_null() || value.as_str() == Some("");
            if !blank && !target.accepts(value) && !takes_text {
                return Err(bad(
                    at,
                    format!(
                        "the static value does not fit a {} control",
                        target.value_type()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The kind of control `src` reads, if it reads one; an error if it names a control
    /// or an action (`what` says which value) that is not there.
    fn source_kind(
        &self,
        src: &ValueSource,
        what: &str,
        at: &str,
    ) -> Result<Option<ControlKind>, WorkbookError> {
        match src {
            ValueSource::Static { .. } => Ok(None),
            ValueSource::Control { control_id } => match self.control_ids.get(control_id) {
                Some(k) => Ok(Some(*k)),
                None => Err(bad(
                    at,
                    format!("{what} is mapped to no control `{control_id}`"),
                )),
            },
            ValueSource::Variable { action_id, .. } => {
                if self.earlier_calls.contains(action_id.as_str()) {
                    Ok(None)
                } else {
                    Err(bad(
                        at,
                        format!(
                            "{what} reads action `{action_id}`, which is not an earlier Call API action of this sequence"
                        ),
                    ))
                }
            }
        }
    }
}

/// Reads `path` (`name`, `a.b[0].c`, `$.a.b`, `/a/b`) out of `v`.
pub fn json_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let p = path.trim();
    if p.is_empty() || p == "$" {
        return Some(v);
    }
    if p.starts_with('/') {
        return v.pointer(p);
    }
    let p = p
        .strip_prefix("$.")
        .or_else(|| p.strip_prefix('$'))
        .unwrap_or(p);
    let mut cur = v;
    for part in p.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            cur = cur.get(name)?;
        }
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            let idx: usize = r[..end].trim().parse().ok()?;
            cur = cur.get(idx)?;
            rest = &r[end + 1..];
        }
    }
    Some(cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seed() -> Workbook {
        serde_json::from_value(json!({"pages": [{"pageId": "p1", "name": "Page 1", "elements": [
            {"type": "control", "elementId": "e1", "controlId": "team-name", "controlType": "text-input"},
            {"type": "control", "elementId": "e2", "controlId": "team-description", "controlType": "text-input"},
            {"type": "control", "elementId": "e3", "controlId": "response-body", "controlType": "text-area"},
            {"type": "button", "elementId": "b1", "text": "Create team", "onClick": [{"sequenceId": "s1", "actions": [
                {"type": "callApi", "actionId": "call", "connectorId": "c1", "parameters": {
                    "team-name": {"source": "control", "controlId": "team-name"},
                    "team-description": {"source": "control", "controlId": "team-description"}}},
                {"type": "setControlValue", "controlId": "response-body",
                 "value": {"source": "variable", "actionId": "call", "variable": "data"}}
            ]}]}
        ]}]}))
        .unwrap()
    }

    fn connectors(id: &str) -> Option<ConnectorInfo> {
        (id == "c1").then(|| ConnectorInfo {
            parameters: BTreeMap::from([
                ("team-name".into(), "string".into()),
                ("team-description".into(), "string".into()),
            ]),
        })
    }

    #[test]
    fn the_seed_workbook_is_valid() {
        let w = seed();
        w.validate(&connectors).unwrap();
        assert_eq!(w.controls().len(), 3);
        assert!(w.sequence("s1").is_some());
    }

    #[test]
    fn bad_documents_name_the_element() {
        let mut w = seed();
        if let Element::Control { control_id, .. } = &mut w.pages[0].elements[1] {
            *control_id = "team-name".into();
        }
        let e = w.validate(&connectors).unwrap_err();
        assert_eq!(e.at, "element `e2`");
        assert!(e.message.contains("used twice"));

        let mut w = seed();
        if let Element::Button { on_click, .. } = &mut w.pages[0].elements[3] {
            if let Action::CallApi { parameters, .. } = &mut on_click[0].actions[0] {
                parameters.insert(
                    "team-name".into(),
                    ValueSource::Control {
                        control_id: "nope".into(),
                    },
                );
            }
        }
        let e = w.validate(&connectors).unwrap_err();
        assert!(e.at.contains("element `b1`"), "{e}");
        assert!(e.message.contains("no control `nope`"), "{e}");

        let e = seed().validate(&|_| None).unwrap_err();
        assert!(e.message.contains("no API connector `c1`"), "{e}");

        let number = |id: &str| {
            (id == "c1").then(|| ConnectorInfo {
                parameters: BTreeMap::from([
                    ("team-name".into(), "number".into()),
                    ("team-description".into(), "string".into()),
                ]),
            })
        };
        let e = seed().validate(&number).unwrap_err();
        assert!(e.message.contains("cannot fit"), "{e}");
    }

    #[test]
    fn json_paths_read_into_data() {
        let v = json!({"team": {"members": [{"id": "m1"}]}, "name": "n"});
        assert_eq!(json_path(&v, "name"), Some(&json!("n")));
        assert_eq!(json_path(&v, "$.team.members[0].id"), Some(&json!("m1")));
        assert_eq!(json_path(&v, "/team/members/0/id"), Some(&json!("m1")));
        assert_eq!(json_path(&v, "team.nope"), None);
        assert_eq!(json_path(&v, ""), Some(&v));
    }
}
