//! Connector request templates. Placeholders are written `{{name}}` (names may hold
//! letters, digits, `-`, `_` and `.`). A body template is JSON with placeholders as
//! holes: a hole in value position receives its value encoded as JSON by the
//! parameter's type; a hole inside a JSON string receives the value's text with every
//! JSON escape. Nothing is ever substituted as raw text, so no value can break out of
//! its place, whatever quotes, backslashes, newlines or `}}` it holds.
//!
//! Path values are percent-encoded as one path segment; query values are left to the
//! URL encoder of the caller; header values may not hold CR or LF.

use std::collections::{BTreeMap, BTreeSet};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The type of a dynamic parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// A JSON string (Sigma's "Text"; `text` is taken as a synonym).
    #[serde(alias = "text")]
    String,
    Number,
    Boolean,
    Array,
    Object,
    /// Any JSON value, given as a value or as JSON text.
    Raw,
}

impl ParamType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Array => "array",
            ParamType::Object => "object",
            ParamType::Raw => "raw",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the template is not valid JSON with placeholders: {0}")]
    Malformed(String),
    #[error("placeholder at byte {0} is not closed with `}}}}`")]
    Unclosed(usize),
    #[error("placeholder name `{0}` may hold only letters, digits, `-`, `_` and `.`")]
    BadName(String),
    #[error("parameter `{0}` is missing")]
    Missing(String),
    #[error("parameter `{0}` is not used by this connector")]
    Unknown(String),
    #[error("parameter `{name}` must be {expected}")]
    WrongType {
        name: String,
        expected: &'static str,
    },
    #[error("parameter `{0}` has no declared type")]
    Undeclared(String),
    #[error("header value of `{0}` may not hold a carriage return or line feed")]
    HeaderInjection(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    /// A placeholder; `in_string` when it sits inside a JSON string literal.
    Hole {
        name: String,
        in_string: bool,
    },
}

/// Splits template text into literal text and placeholders, tracking JSON strings when
/// `json` so that each hole knows whether it sits inside one.
fn split(text: &str, json: bool) -> Result<Vec<Piece>, TemplateError> {
    let mut pieces = Vec::new();
    let mut lit = String::new();
    let mut in_string = false;
    let mut escaped = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with("{{") {
            let end = text[i + 2..].find("}}").ok_or(TemplateError::Unclosed(i))?;
            let name = text[i + 2..i + 2 + end].trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            {
                return Err(TemplateError::BadName(name.to_owned()));
            }
            if !lit.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut lit)));
            }
            pieces.push(Piece::Hole {
                name: name.to_owned(),
                in_string: json && in_string,
            });
            i += 2 + end + 2;
            continue;
        }
        let ch = text[i..].chars().next().expect("in bounds");
        if json {
            if in_string {
                if escaped {
                    escaped = false;
                } else if ch == '\\' {
                    escaped = true;
                } else if ch == '"' {
                    in_string = false;
                }
            } else if bytes[i] == b'"' {
                in_string = true;
            }
        }
        lit.push(ch);
        i += ch.len_utf8();
    }
    if !lit.is_empty() {
        pieces.push(Piece::Text(lit));
    }
    Ok(pieces)
}

/// The placeholder names of a body, each once, whether or not the rest is valid JSON
/// yet (a body being typed); [`BodyTemplate::parse`] checks the whole.
pub fn body_names(text: &str) -> Result<BTreeSet<String>, TemplateError> {
    Ok(holes(&split(text, true)?))
}

/// A parsed JSON body template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyTemplate {
    pieces: Vec<Piece>,
}

impl BodyTemplate {
    /// Parses and checks a body template: with every hole filled by a neutral value it
    /// must be valid JSON.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let pieces = split(text, true)?;
        let probe: String = pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.as_str(),
                Piece::Hole {
                    in_string: true, ..
                } => "",
                Piece::Hole {
                    in_string: false, ..
                } => "null",
            })
            .collect();
        serde_json::from_str::<Value>(&probe)
            .map_err(|e| TemplateError::Malformed(e.to_string()))?;
        Ok(BodyTemplate { pieces })
    }

    /// The placeholder names, each once.
    pub fn names(&self) -> BTreeSet<String> {
        holes(&self.pieces)
    }

    /// Renders the body: every value checked against its declared type and encoded
    /// as JSON. The result is always valid JSON.
    pub fn render(
        &self,
        types: &BTreeMap<String, ParamType>,
        values: &BTreeMap<String, Value>,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Hole { name, in_string } => {
                    let v = typed(name, types, values)?;
                    if *in_string {
                        let text = match &v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        let quoted = serde_json::to_string(&text).expect("strings serialize");
                        out.push_str(&quoted[1..quoted.len() - 1]);
                    } else {
                        out.push_str(&serde_json::to_string(&v).expect("values serialize"));
                    }
                }
            }
        }
        debug_assert!(serde_json::from_str::<Value>(&out).is_ok());
        Ok(out)
    }
}

fn holes(pieces: &[Piece]) -> BTreeSet<String> {
    pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Hole { name, .. } => Some(name.clone()),
            Piece::Text(_) => None,
        })
        .collect()
}

/// Checks `values` against `declared`: nothing missing, nothing extra.
pub fn check_names(
    declared: &BTreeSet<String>,
    values: &BTreeMap<String, Value>,
) -> Result<(), TemplateError> {
    if let Some(m) = declared.iter().find(|n| !values.contains_key(*n)) {
        return Err(TemplateError::Missing(m.clone()));
    }
    if let Some(u) = values.keys().find(|n| !declared.contains(*n)) {
        return Err(TemplateError::Unknown(u.clone()));
    }
    Ok(())
}

/// The value of `name`, converted to its declared type. Text that spells a value of
/// the type is accepted (controls hand over text): `"42"` for a number, `"true"` for a
/// boolean, JSON text for arrays, objects and raw values.
/// The value of parameter `name`, checked against (and converted to) its type.
pub fn typed_value(
    name: &str,
    types: &BTreeMap<String, ParamType>,
    values: &BTreeMap<String, Value>,
) -> Result<Value, TemplateError> {
    typed(name, types, values)
}

fn typed(
    name: &str,
    types: &BTreeMap<String, ParamType>,
    values: &BTreeMap<String, Value>,
) -> Result<Value, TemplateError> {
    let ty = *types
        .get(name)
        .ok_or_else(|| TemplateError::Undeclared(name.to_owned()))?;
    let v = values
        .get(name)
        .ok_or_else(|| TemplateError::Missing(name.to_owned()))?;
    let wrong = |expected| TemplateError::WrongType {
        name: name.to_owned(),
        expected,
    };
    let parsed = |s: &str| serde_json::from_str::<Value>(s).ok();
    match ty {
        ParamType::String => match v {
            Value::String(_) => Ok(v.clone()),
            Value::Number(_) | Value::Bool(_) => Ok(Value::String(v.to_string())),
            _ => Err(wrong("text")),
        },
        ParamType::Number => match v {
            Value::Number(_) => Ok(v.clone()),
            Value::String(s) => match parsed(s.trim()) {
                Some(n @ Value::Number(_)) => Ok(n),
                _ => Err(wrong("a number")),
            },
            _ => Err(wrong("a number")),
        },
        ParamType::Boolean => match v {
            Value::Bool(_) => Ok(v.clone()),
            Value::String(s) if s.trim() == "true" => Ok(Value::Bool(true)),
            Value::String(s) if s.trim() == "false" => Ok(Value::Bool(false)),
            _ => Err(wrong("true or false")),
        },
        ParamType::Array => match v {
            Value::Array(_) => Ok(v.clone()),
            Value::String(s) => match parsed(s) {
                Some(a @ Value::Array(_)) => Ok(a),
                _ => Err(wrong("a JSON array")),
            },
            _ => Err(wrong("a JSON array")),
        },
        ParamType::Object => match v {
            Value::Object(_) => Ok(v.clone()),
            Value::String(s) => match parsed(s) {
                Some(o @ Value::Object(_)) => Ok(o),
                _ => Err(wrong("a JSON object")),
            },
            _ => Err(wrong("a JSON object")),
        },
        ParamType::Raw => match v {
            Value::String(s) => parsed(s).ok_or_else(|| wrong("JSON text")),
            other => Ok(other.clone()),
        },
    }
}

/// Characters a path segment must not carry unencoded.
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A text template (URL path, query value, header value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextTemplate {
    pieces: Vec<Piece>,
}

impl TextTemplate {
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        Ok(TextTemplate {
            pieces: split(text, false)?,
        })
    }

    pub fn names(&self) -> BTreeSet<String> {
        holes(&self.pieces)
    }

    fn render_with(
        &self,
        types: &BTreeMap<String, ParamType>,
        values: &BTreeMap<String, Value>,
        encode: impl Fn(&str, &str) -> Result<String, TemplateError>,
    ) -> Result<String, TemplateError> {
        let mut out = String::new();
        for p in &self.pieces {
            match p {
                Piece::Text(t) => out.push_str(t),
                Piece::Hole { name, .. } => {
                    let text = match typed(name, types, values)? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    out.push_str(&encode(name, &text)?);
                }
            }
        }
        Ok(out)
    }

    /// A URL path: each value percent-encoded as one segment (a `/` in a value stays
    /// inside its segment).
    pub fn render_path(
        &self,
        types: &BTreeMap<String, ParamType>,
        values: &BTreeMap<String, Value>,
    ) -> Result<String, TemplateError> {
        self.render_with(types, values, |_, v| {
            Ok(utf8_percent_encode(v, SEGMENT).to_string())
        })
    }

    /// A query value, unencoded: the URL builder encodes the whole value.
    pub fn render_query(
        &self,
        types: &BTreeMap<String, ParamType>,
        values: &BTreeMap<String, Value>,
    ) -> Result<String, TemplateError> {
        self.render_with(types, values, |_, v| Ok(v.to_owned()))
    }

    /// A header value: a CR or LF in a value is refused, never stripped.
    pub fn render_header(
        &self,
        header: &str,
        types: &BTreeMap<String, ParamType>,
        values: &BTreeMap<String, Value>,
    ) -> Result<String, TemplateError> {
        self.render_with(types, values, |_, v| {
            if v.contains(['\r', '\n']) {
                Err(TemplateError::HeaderInjection(header.to_owned()))
            } else {
                Ok(v.to_owned())
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_body_being_typed_has_its_names_before_it_is_json() {
        let partial = r#"{"name": {{team-name}}, "d": {{ team-description }}, "n": {{team-name}}"#;
        assert!(BodyTemplate::parse(partial).is_err(), "not JSON yet");
        let names: Vec<String> = body_names(partial).unwrap().into_iter().collect();
        assert_eq!(names, ["team-description", "team-name"]);
        assert!(body_names(r#"{"x": {{open"#).is_err());
    }

    fn types(pairs: &[(&str, ParamType)]) -> BTreeMap<String, ParamType> {
        pairs.iter().map(|(k, t)| (k.to_string(), *t)).collect()
    }

    fn values(v: Value) -> BTreeMap<String, Value> {
        v.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    const SEED: &str = r#"{"name": {{team-name}},"description": {{team-description}},"members": [],"createTeamFolder": false,"visibility": "private"}"#;

    #[test]
    fn the_seed_body_renders_awkward_text_as_json_strings() {
        let t = BodyTemplate::parse(SEED).unwrap();
        assert_eq!(
            t.names().into_iter().collect::<Vec<_>>(),
            ["team-description", "team-name"]
        );
        let ty = types(&[
            ("team-name", ParamType::String),
            ("team-description", ParamType::String),
        ]);
        let nasty = "Data \"Team\"\n\\ }} {{x}} ünïcødé \u{1F600}\", \"visibility\": \"public";
        let out = t
            .render(
                &ty,
                &values(json!({"team-name": nasty, "team-description": "plain"})),
            )
            .unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["name"], nasty, "the value arrives intact, as one string");
        assert_eq!(
            v["visibility"], "private",
            "no value can break out of its place"
        );
        assert_eq!(v["members"], json!([]));
    }

    #[test]
    fn values_are_encoded_by_type() {
        let t = BodyTemplate::parse(
            r#"{"n": {{n}}, "b": {{b}}, "a": {{a}}, "o": {{o}}, "r": {{r}}, "s": "id-{{s}}"}"#,
        )
        .unwrap();
        let ty = types(&[
            ("n", ParamType::Number),
            ("b", ParamType::Boolean),
            ("a", ParamType::Array),
            ("o", ParamType::Object),
            ("r", ParamType::Raw),
            ("s", ParamType::String),
        ]);
        let out = t
            .render(&ty, &values(json!({"n": "42", "b": "true", "a": "[1,2]", "o": {"k": 1}, "r": "null", "s": "a\"b"})))
            .unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v,
            json!({"n": 42, "b": true, "a": [1, 2], "o": {"k": 1}, "r": null, "s": "id-a\"b"})
        );
    }

    #[test]
    fn wrong_types_missing_and_extra_parameters_are_named() {
        let t = BodyTemplate::parse(r#"{"n": {{n}}}"#).unwrap();
        let ty = types(&[("n", ParamType::Number)]);
        let e = t.render(&ty, &values(json!({"n": "forty"}))).unwrap_err();
        assert_eq!(
            e,
            TemplateError::WrongType {
                name: "n".into(),
                expected: "a number"
            }
        );
        let e = t.render(&ty, &values(json!({}))).unwrap_err();
        assert_eq!(e, TemplateError::Missing("n".into()));
        let e = check_names(&t.names(), &values(json!({"n": 1, "extra": 2}))).unwrap_err();
        assert_eq!(e, TemplateError::Unknown("extra".into()));
        let e = t
            .render(&BTreeMap::new(), &values(json!({"n": 1})))
            .unwrap_err();
        assert_eq!(e, TemplateError::Undeclared("n".into()));
        for (v, ty) in [
            (json!({"n": [1]}), ParamType::String),
            (json!({"n": 1}), ParamType::Boolean),
            (json!({"n": "{"}), ParamType::Object),
            (json!({"n": "nope"}), ParamType::Raw),
        ] {
            assert!(t.render(&types(&[("n", ty)]), &values(v)).is_err());
        }
    }

    #[test]
    fn broken_templates_say_where() {
        assert!(matches!(
            BodyTemplate::parse(r#"{"a": {{x}}"#),
            Err(TemplateError::Malformed(_))
        ));
        assert!(matches!(
            BodyTemplate::parse(r#"{"a": {{x}"#),
            Err(TemplateError::Unclosed(6))
        ));
        assert!(matches!(
            BodyTemplate::parse(r#"{"a": {{x y}}}"#),
            Err(TemplateError::BadName(_))
        ));
        assert!(matches!(
            BodyTemplate::parse(r#"{"a": {{x}} {{y}}}"#),
            Err(TemplateError::Malformed(_))
        ));
        // Braces inside strings are text, and escaped quotes do not end a string.
        let t = BodyTemplate::parse(r#"{"a": "}} \" {{x}}", "b": {{y}}}"#).unwrap();
        assert_eq!(t.names().len(), 2);
    }

    #[test]
    fn paths_are_percent_encoded_and_headers_refuse_newlines() {
        let ty = types(&[("id", ParamType::String)]);
        let p = TextTemplate::parse("/v2/teams/{{id}}/members").unwrap();
        let out = p
            .render_path(&ty, &values(json!({"id": "a/b c?d#e%"})))
            .unwrap();
        assert_eq!(out, "/v2/teams/a%2Fb%20c%3Fd%23e%25/members");
        let h = TextTemplate::parse("Bearer {{id}}").unwrap();
        assert_eq!(
            h.render_header("Authorization", &ty, &values(json!({"id": "x"})))
                .unwrap(),
            "Bearer x"
        );
        let e = h
            .render_header(
                "Authorization",
                &ty,
                &values(json!({"id": "x\r\nX-Evil: 1"})),
            )
            .unwrap_err();
        assert_eq!(e, TemplateError::HeaderInjection("Authorization".into()));
        let q = TextTemplate::parse("{{id}}").unwrap();
        assert_eq!(
            q.render_query(&ty, &values(json!({"id": "a&b=c"})))
                .unwrap(),
            "a&b=c"
        );
    }
}
