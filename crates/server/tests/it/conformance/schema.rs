//! Reading Sigma's reference document: following `$ref`s, making valid values for a
//! schema (every property; every enum value, `oneOf` branch and boolean across
//! variants), and checking a response against a schema.
//!
//! The document uses a small vocabulary (`type`, possibly a list with `"null"`;
//! `properties`, `required`, `items`, `enum`, `oneOf`, `$ref`, `format`); anything
//! else would be met here as a schema without a type and read as a string.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

pub struct Reference {
    pub doc: Value,
}

impl Reference {
    pub fn resolve<'a>(&'a self, mut s: &'a Value) -> &'a Value {
        while let Some(r) = s.get("$ref").and_then(Value::as_str) {
            s = self
                .doc
                .pointer(r.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("the reference document has a dangling $ref {r}"));
        }
        s
    }
}

pub fn types(s: &Value) -> Vec<&str> {
    match s.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// What a generated property is to be, when the schema alone cannot make it valid.
pub enum Fill {
    /// A value of the seeded world (an id, a URL in an allowlist…).
    Value(Value),
    /// Left out: an exception says sigil does not take it.
    Omit,
    /// Generated from the schema.
    Schema,
}

/// Makes one request value from a schema, taking at each choice point (an enum, a
/// `oneOf`, a boolean) the option `choices` names, the first otherwise, and noting
/// every choice point it meets.
pub struct Generator<'a> {
    pub reference: &'a Reference,
    pub choices: BTreeMap<String, usize>,
    pub met: BTreeMap<String, usize>,
    /// Says, by path and property name, what a property is to be.
    pub fill: &'a dyn Fn(&str, &str) -> Fill,
    /// Says whether the option at `path` (`path|i` for a branch, `path=value`) is to
    /// be skipped because sigil does not take it.
    pub skip: &'a dyn Fn(&str) -> bool,
    pub serial: &'a Cell<u64>,
    /// The `$ref`s being expanded: a schema met again inside itself (a connector
    /// parameter's `shape`) is expanded only as far as it requires.
    pub stack: Vec<String>,
}

impl Generator<'_> {
    fn unique(&self, stem: &str) -> String {
        let n = self.serial.get() + 1;
        self.serial.set(n);
        format!("{stem}{n}")
    }

    fn choose(&mut self, path: &str, options: usize) -> usize {
        self.met.insert(path.to_owned(), options);
        self.choices
            .get(path)
            .copied()
            .unwrap_or(0)
            .min(options - 1)
    }

    pub fn value(&mut self, schema: &Value, path: &str, name: &str) -> Option<Value> {
        match (self.fill)(path, name) {
            Fill::Value(v) => return Some(v),
            Fill::Omit => return None,
            Fill::Schema => {}
        }
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            if self.stack.len() > 24 {
                return None;
            }
            self.stack.push(r.to_owned());
            let reference = self.reference;
            let v = self.value(reference.resolve(schema), path, name);
            self.stack.pop();
            return v;
        }
        let s = schema;
        if let Some(branches) = s.get("oneOf").and_then(Value::as_array) {
            let open: Vec<(usize, &Value)> = branches
                .iter()
                .enumerate()
                .filter(|(i, _)| !(self.skip)(&format!("{path}|{i}")))
                .collect();
            let (i, branch) = open[self.choose(path, open.len())];
            return self.value(branch, &format!("{path}|{i}"), name);
        }
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            let open: Vec<&Value> = values
                .iter()
                .filter(|v| !v.is_null() && !(self.skip)(&format!("{path}={}", plain(v))))
                .collect();
            return Some(open[self.choose(path, open.len())].clone());
        }
        let all = types(s);
        if all == ["null"] {
            return Some(Value::Null);
        }
        let ty = all.into_iter().find(|t| *t != "null");
        let ty = ty.unwrap_or(if s.get("properties").is_some() {
            "object"
        } else {
            "string"
        });
        Some(match ty {
            "object" => {
                let mut m = Map::new();
                let required: Vec<&str> = s
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(props) = s.get("properties").and_then(Value::as_object) {
                    for (k, p) in props {
                        let recursive = p
                            .get("$ref")
                            .and_then(Value::as_str)
                            .is_some_and(|r| self.stack.iter().any(|s| s == r));
                        if recursive && !required.contains(&k.as_str()) {
                            continue;
                        }
                        if let Some(v) = self.value(p, &format!("{path}.{k}"), k) {
                            m.insert(k.clone(), v);
                        }
                    }
                }
                Value::Object(m)
            }
            "array" => {
                let item = self
                    .value(&s["items"], &format!("{path}[]"), name)
                    .unwrap_or(Value::Null);
                Value::Array(if item.is_null() { vec![] } else { vec![item] })
            }
            "boolean" => Value::Bool(self.choose(path, 2) == 1),
            "number" | "integer" => json!(1),
            _ => match s.get("format").and_then(Value::as_str) {
                Some("date-time") => json!("2026-01-01T00:00:00Z"),
                Some("email") => json!(format!("{}@example.com", self.unique("conformance"))),
                _ => json!(self.unique("conformance-")),
            },
        })
    }
}

/// A value as it is written in a location: strings without quotes.
pub fn plain(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// One request value for each option of every choice point of `schema` (each at
/// least once), the first being the one with every first option. `make` builds a
/// generator for a set of choices and returns the value and the points it met; the
/// name of a variant is the choice that sets it apart (`""` for the first).
pub fn variants(
    mut make: impl FnMut(&BTreeMap<String, usize>) -> (Option<Value>, BTreeMap<String, usize>),
) -> Vec<(String, BTreeMap<String, usize>)> {
    let mut out = Vec::new();
    let mut seen: BTreeSet<(String, usize)> = BTreeSet::new();
    let mut queue = std::collections::VecDeque::from([(String::new(), BTreeMap::new())]);
    while let Some((label, choices)) = queue.pop_front() {
        let (_, met) = make(&choices);
        for (point, n) in &met {
            seen.insert((point.clone(), choices.get(point).copied().unwrap_or(0)));
            for i in 0..*n {
                if seen.insert((point.clone(), i)) {
                    let mut c = choices.clone();
                    c.insert(point.clone(), i);
                    queue.push_back((format!("{point}#{i}"), c));
                }
            }
        }
        out.push((label, choices));
    }
    out
}

/// Checks `value` against `schema`: its type, its enum, and every property an object
/// declares, present and valid. Errors are `(path, message)`; array items are `[]`.
/// `excused` names paths an exception covers: they are reported all the same, but a
/// `oneOf` branch is chosen by the errors left without them.
pub fn check(
    reference: &Reference,
    value: &Value,
    schema: &Value,
    path: &str,
    excused: &dyn Fn(&str) -> bool,
) -> Vec<(String, String)> {
    let s = reference.resolve(schema);
    if let Some(branches) = s.get("oneOf").and_then(Value::as_array) {
        // Read as "any of": Sigma's `permission` branches overlap, and the union of
        // their values is what the document means.
        let left = |errs: &[(String, String)]| errs.iter().filter(|(p, _)| !excused(p)).count();
        let mut best: Option<Vec<(String, String)>> = None;
        for b in branches {
            let errs = check(reference, value, b, path, excused);
            if errs.is_empty() {
                return errs;
            }
            if best.as_ref().is_none_or(|e| left(&errs) < left(e)) {
                best = Some(errs);
            }
        }
        return best.unwrap_or_default();
    }
    let mut errs = Vec::new();
    let ts = types(s);
    if !ts.is_empty() && !ts.iter().any(|t| is_type(value, t)) {
        errs.push((path.to_owned(), format!("expected {ts:?}, got {value}")));
        return errs;
    }
    if let Some(values) = s.get("enum").and_then(Value::as_array) {
        if !value.is_null() && !values.contains(value) {
            errs.push((path.to_owned(), format!("{value} is not one of {values:?}")));
        }
    }
    if let (Some(obj), Some(props)) = (
        value.as_object(),
        s.get("properties").and_then(Value::as_object),
    ) {
        for (k, p) in props {
            let at = format!("{path}.{k}");
            match obj.get(k) {
                None if conditional(reference.resolve(p)) => {}
                None => errs.push((at, "missing".into())),
                Some(v) => errs.extend(check(reference, v, p, &at, excused)),
            }
        }
    }
    if let (Some(items), Some(schema)) = (value.as_array(), s.get("items")) {
        for v in items {
            errs.extend(check(reference, v, schema, &format!("{path}[]"), excused));
        }
    }
    errs
}

/// A property Sigma's document itself says is sometimes absent ("Only present when
/// …", "Not present in the last page").
fn conditional(s: &Value) -> bool {
    s.get("description")
        .and_then(Value::as_str)
        .is_some_and(|d| d.contains("Only present") || d.contains("Not present"))
}

fn is_type(v: &Value, t: &str) -> bool {
    match t {
        "null" => v.is_null(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        "array" => v.is_array(),
        "object" => v.is_object(),
        _ => true,
    }
}
