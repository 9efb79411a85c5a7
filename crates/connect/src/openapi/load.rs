//! Reading a document's text (JSON or YAML) into the compact tree a [`super::Document`]
//! keeps, within [`Limits`].
//!
//! Two passes, so that a hostile document costs little before it is refused: the first
//! counts nodes without keeping any (serde_json with a counting visitor; serde-saphyr,
//! whose budget also bounds depth and alias replays, with `IgnoredAny`), the second
//! builds the tree. The tree leaves out what nothing reads (prose, examples, vendor
//! extensions) and holds no spare capacity, and its estimated heap size is reported so
//! that a cache can weigh it.

use std::fmt;
use std::mem::size_of;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{err, ImportError};

/// What one document may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest document text, in bytes.
    pub max_bytes: usize,
    /// Most nodes (objects, arrays and scalars) in the document. Sigma's 3.6 MB
    /// document has about 59,000.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 16 * 1024 * 1024,
            max_nodes: 500_000,
        }
    }
}

/// Deepest nesting accepted: serde_json's own recursion limit, applied to YAML too.
const MAX_DEPTH: usize = 128;

/// The tree and what it costs to keep.
pub(super) struct Loaded {
    pub root: Value,
    /// Estimated heap bytes of `root`.
    pub weight: usize,
}

pub(super) fn too_large(at: impl Into<String>, message: impl Into<String>) -> ImportError {
    ImportError {
        too_large: true,
        ..err(at, message)
    }
}

/// Parses `text` within `limits`.
pub(super) fn load(text: &[u8], limits: &Limits) -> Result<Loaded, ImportError> {
    if text.len() > limits.max_bytes {
        return Err(too_large(
            "the document",
            format!(
                "it is {} bytes; documents of at most {} bytes are accepted",
                text.len(),
                limits.max_bytes
            ),
        ));
    }
    let first = text
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .copied()
        .ok_or_else(|| err("line 1, column 1", "the document is empty"))?;
    let root = if first == b'{' {
        load_json(text, limits)?
    } else {
        let s = std::str::from_utf8(text).map_err(|e| {
            err(
                format!("byte {}", e.valid_up_to()),
                "the document is not UTF-8 text",
            )
        })?;
        load_yaml(s, limits)?
    };
    let weight = weight(&root);
    Ok(Loaded { root, weight })
}

fn too_many_nodes(limits: &Limits) -> ImportError {
    too_large(
        "the document",
        format!(
            "it has more than {} nodes (objects, arrays and values), more than sigil accepts",
            limits.max_nodes
        ),
    )
}

fn load_json(text: &[u8], limits: &Limits) -> Result<Value, ImportError> {
    let syntax = |e: serde_json::Error| {
        err(
            format!("line {}, column {}", e.line(), e.column()),
            format!("not valid JSON: {e}"),
        )
    };
    let mut left = limits.max_nodes;
    let mut counting = serde_json::Deserializer::from_slice(text);
    match (Count { left: &mut left }).deserialize(&mut counting) {
        Ok(()) => counting.end().map_err(syntax)?,
        Err(_) if left == 0 => return Err(too_many_nodes(limits)),
        Err(e) => return Err(syntax(e)),
    }
    let Tree(root) = serde_json::from_slice(text).map_err(syntax)?;
    Ok(root)
}

fn yaml_options(limits: &Limits) -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: limits.max_nodes,
            max_events: limits.max_nodes.saturating_mul(2),
            max_depth: MAX_DEPTH,
            max_documents: 1,
        },
        with_snippet: false,
    }
}

fn load_yaml(text: &str, limits: &Limits) -> Result<Value, ImportError> {
    let yaml_error = |e: serde_saphyr::Error| {
        let at = e
            .location()
            .map(|l| format!("line {}, column {}", l.line(), l.column()))
            .unwrap_or_else(|| "the start".to_owned());
        let message = e.to_string();
        if message.contains("budget") || message.contains("limit") {
            too_large(at, format!("more than sigil accepts: {message}"))
        } else {
            err(at, format!("not valid YAML or JSON: {message}"))
        }
    };
    serde_saphyr::from_str_with_options::<IgnoredAny>(text, yaml_options(limits))
        .map_err(yaml_error)?;
    let Tree(root) =
        serde_saphyr::from_str_with_options(text, yaml_options(limits)).map_err(yaml_error)?;
    Ok(root)
}

/// Counts nodes down from `left` and fails when none are left, keeping nothing.
struct Count<'a> {
    left: &'a mut usize,
}

impl Count<'_> {
    fn take<E: de::Error>(&mut self) -> Result<(), E> {
        if *self.left == 0 {
            return Err(E::custom("too many nodes"));
        }
        *self.left -= 1;
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Count<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! count_scalar {
    ($($name:ident: $ty:ty),*) => {$(
        fn $name<E: de::Error>(mut self, _: $ty) -> Result<(), E> {
            self.take()
        }
    )*};
}

impl<'de> Visitor<'de> for Count<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    count_scalar!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.take()
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut a: A) -> Result<(), A::Error> {
        self.take()?;
        while a
            .next_element_seed(Count {
                left: &mut *self.left,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut a: A) -> Result<(), A::Error> {
        self.take()?;
        while a.next_key::<IgnoredAny>()?.is_some() {
            a.next_value_seed(Count {
                left: &mut *self.left,
            })?;
        }
        Ok(())
    }
}

/// Keys that hold what no part of sigil reads. `description` is kept on parameters,
/// whose listing shows it.
fn unread(key: &str) -> bool {
    matches!(key, "example" | "examples" | "externalDocs") || key.starts_with("x-")
}

/// Keys whose value is a map of names (property names, schema names, status codes,
/// media types…), whose keys are kept whatever they are called. Read only in a map of
/// keywords: a property *named* `properties` holds a schema, not names.
fn holds_names(key: &str) -> bool {
    matches!(
        key,
        "properties"
            | "patternProperties"
            | "definitions"
            | "$defs"
            | "dependentSchemas"
            | "schemas"
            | "parameters"
            | "requestBodies"
            | "responses"
            | "headers"
            | "securitySchemes"
            | "securityDefinitions"
            | "links"
            | "callbacks"
            | "pathItems"
            | "paths"
            | "webhooks"
            | "variables"
            | "mapping"
            | "encoding"
            | "content"
            | "scopes"
    )
}

/// The whole document: a tree whose maps are read as [`Node`]s.
struct Tree(Value);

impl<'de> de::Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Node { names: false }.deserialize(d).map(Tree)
    }
}

/// One node. `names`: this node's keys are names, not keywords, so none is left out.
#[derive(Clone, Copy)]
struct Node {
    names: bool,
}

impl<'de> DeserializeSeed<'de> for Node {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    // YAML integers beyond 64 bits.
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        self.visit_f64(v as f64)
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = a.next_element_seed(Node { names: false })? {
            out.push(v);
        }
        out.shrink_to_fit();
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        // Gathered first, so that the map is allocated at its final size.
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some(k) = a.next_key::<String>()? {
            if !self.names && unread(&k) {
                a.next_value::<IgnoredAny>()?;
                continue;
            }
            let names = !self.names && holds_names(&k);
            let v = a.next_value_seed(Node { names })?;
            entries.push((k, v));
        }
        // A parameter's description is shown when its operation is listed; elsewhere
        // it is prose that stays in the stored document.
        let has = |key: &str| entries.iter().any(|(k, _)| k == key);
        let parameter = has("in") && has("name");
        if !(self.names || parameter) {
            entries.retain(|(k, v)| !(k == "description" && v.is_string()));
        }
        Ok(Value::Object(entries.into_iter().collect::<Map<_, _>>()))
    }
}

/// Estimated heap bytes of a tree: each node, each string's bytes, each map entry's
/// key and bookkeeping.
pub(super) fn weight(v: &Value) -> usize {
    const ENTRY: usize = size_of::<String>() + 2 * size_of::<usize>();
    size_of::<Value>()
        + match v {
            Value::String(s) => s.capacity(),
            Value::Array(a) => {
                (a.capacity() - a.len()) * size_of::<Value>() + a.iter().map(weight).sum::<usize>()
            }
            Value::Object(m) => m
                .iter()
                .map(|(k, v)| ENTRY + k.capacity() + weight(v))
                .sum(),
            _ => 0,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn small(max_nodes: usize) -> Limits {
        Limits {
            max_bytes: 1 << 20,
            max_nodes,
        }
    }

    #[test]
    fn a_huge_array_is_refused_as_too_large_in_both_formats() {
        let json = format!("{{\"a\": [{}1]}}", "1,".repeat(2000));
        let e = load(json.as_bytes(), &small(1000)).err().unwrap();
        assert!(e.too_large, "{e}");
        assert!(e.message.contains("more than 1000 nodes"), "{e}");
        let yaml = format!("a: [{}1]\n", "1,".repeat(2000));
        let e = load(yaml.as_bytes(), &small(1000)).err().unwrap();
        assert!(e.too_large, "{e}");
        let yaml = format!("a:\n{}", "  - 1\n".repeat(2000));
        assert!(load(yaml.as_bytes(), &small(1000)).err().unwrap().too_large);
        // Under the limit, the same shapes load.
        assert!(load(json.as_bytes(), &small(3000)).is_ok());
    }

    #[test]
    fn an_alias_bomb_is_refused() {
        let mut yaml = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            yaml.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = load(yaml.as_bytes(), &small(100_000)).err().unwrap();
        assert!(e.too_large, "{e}");
    }

    #[test]
    fn a_document_over_the_byte_limit_is_refused_before_parsing() {
        let limits = Limits {
            max_bytes: 10,
            max_nodes: 10,
        };
        let e = load(b"{\"openapi\": \"3.0.0\"}", &limits).err().unwrap();
        assert!(e.too_large);
        assert!(e.message.contains("at most 10 bytes"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let json = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let e = load(json.as_bytes(), &Limits::default()).err().unwrap();
        assert!(!e.message.is_empty());
        let yaml = format!("a: {}{}\n", "[".repeat(200), "]".repeat(200));
        assert!(load(yaml.as_bytes(), &Limits::default()).is_err());
    }

    #[test]
    fn prose_and_extensions_are_left_out_but_names_are_kept() {
        let yaml = r#"
openapi: 3.0.0
info: {title: T, description: long prose}
x-vendor: {a: 1}
paths:
  /a:
    get:
      description: prose
      parameters:
        - {name: q, in: query, description: shown in listings, example: 5}
      responses:
        200: {description: OK}
components:
  schemas:
    description: {type: object, description: a schema named description}
    example: {type: string}
    Pet:
      type: object
      example: {name: x}
      properties:
        description: {type: string, description: the property's prose}
        x-name: {type: string}
"#;
        let root = load(yaml.as_bytes(), &Limits::default()).unwrap().root;
        assert_eq!(root["info"], json!({"title": "T"}));
        assert!(root.get("x-vendor").is_none());
        let get = &root["paths"]["/a"]["get"];
        assert!(get.get("description").is_none());
        assert_eq!(
            get["parameters"][0],
            json!({"name": "q", "in": "query", "description": "shown in listings"})
        );
        assert_eq!(get["responses"]["200"], json!({}), "status codes are keys");
        let schemas = &root["components"]["schemas"];
        assert_eq!(schemas["description"], json!({"type": "object"}));
        assert_eq!(schemas["example"], json!({"type": "string"}));
        assert_eq!(
            schemas["Pet"],
            json!({"type": "object", "properties": {
                "description": {"type": "string"},
                "x-name": {"type": "string"}
            }})
        );
    }

    #[test]
    fn yaml_scalars_read_as_json_values() {
        let root = load(
            b"a: 1\nb: 1.5\nc: true\nd: null\ne: '3.0.0'\nf: text\ng: ~\n",
            &Limits::default(),
        )
        .unwrap()
        .root;
        assert_eq!(
            root,
            json!({"a": 1, "b": 1.5, "c": true, "d": null, "e": "3.0.0", "f": "text", "g": null})
        );
    }

    #[test]
    fn the_weight_grows_with_the_tree() {
        let a = load(b"{\"a\": [1]}", &Limits::default()).unwrap();
        let b = load(b"{\"a\": [1, 2, 3, 4, 5, 6, 7, 8]}", &Limits::default()).unwrap();
        assert!(b.weight >= a.weight + 7 * size_of::<Value>());
        assert_eq!(a.weight, weight(&a.root));
    }
}
