//! Importing OpenAPI documents (3.0, 3.1, Swagger 2.0; JSON or YAML), listing their
//! operations, and building a connector's [`Params`] from one operation.
//!
//! Only local references (`#/…`) are followed. Schemas are expanded to a bounded depth
//! and a reference already being expanded is left as `{"$ref": …}`, so documents
//! whose schemas refer to themselves (cycles) import and list in bounded time and size.
//! A document that cannot be used gets an [`ImportError`] saying where it breaks: a
//! line and column for syntax, a JSON pointer for structure.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::connector::{Mode, Param, Params};
use crate::template::ParamType;

mod load;
pub use load::Limits;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];
/// How deep schemas are expanded when listed.
const SCHEMA_DEPTH: usize = 6;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at {at}: {message}")]
pub struct ImportError {
    /// `line L, column C` or a JSON pointer such as `/paths/~1teams/post`.
    pub at: String,
    pub message: String,
    /// The document is beyond [`Limits`], rather than broken.
    pub too_large: bool,
}

fn err(at: impl Into<String>, message: impl Into<String>) -> ImportError {
    ImportError {
        at: at.into(),
        message: message.into(),
        too_large: false,
    }
}

fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SpecVersion {
    #[serde(rename = "swagger-2.0")]
    Swagger2,
    #[serde(rename = "openapi-3.0")]
    OpenApi30,
    #[serde(rename = "openapi-3.1")]
    OpenApi31,
}

/// A parsed document: its structure, without the prose and examples that nothing
/// reads (those stay in the stored text).
#[derive(Debug, Clone)]
pub struct Document {
    pub version: SpecVersion,
    pub title: String,
    root: Value,
    /// Estimated heap bytes, for a cache to weigh it by.
    weight: usize,
    /// How many operations it has, counted when it was parsed.
    operation_count: usize,
}

/// A parameter of an operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationParam {
    pub name: String,
    #[serde(rename = "in")]
    pub location: String,
    pub required: bool,
    pub schema: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An operation as listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    pub operation_id: Option<String>,
    pub method: String,
    pub path: String,
    pub summary: Option<String>,
    pub parameters: Vec<OperationParam>,
    pub request_body: Option<Value>,
    pub servers: Vec<String>,
}

/// Parses JSON or YAML text into a document, within the default [`Limits`].
pub fn parse(text: &[u8]) -> Result<Document, ImportError> {
    parse_with(text, &Limits::default())
}

/// Parses JSON or YAML text into a document. A document beyond `limits` is refused
/// with [`ImportError::too_large`] set, before it costs more than the limits allow.
pub fn parse_with(text: &[u8], limits: &Limits) -> Result<Document, ImportError> {
    let load::Loaded { root, weight } = load::load(text, limits)?;
    let obj = root
        .as_object()
        .ok_or_else(|| err("/", "the document must be an object"))?;
    let version = if let Some(v) = obj.get("openapi") {
        let v = v
            .as_str()
            .ok_or_else(|| err("/openapi", "must be a version string"))?;
        if v.starts_with("3.0") {
            SpecVersion::OpenApi30
        } else if v.starts_with("3.1") {
            SpecVersion::OpenApi31
        } else {
            return Err(err(
                "/openapi",
                format!("version `{v}` is not supported (3.0 and 3.1 are)"),
            ));
        }
    } else if let Some(v) = obj.get("swagger") {
        if v.as_str() != Some("2.0") {
            return Err(err("/swagger", "only Swagger 2.0 is supported"));
        }
        SpecVersion::Swagger2
    } else {
        return Err(err(
            "/",
            "no `openapi` or `swagger` field: this is not an OpenAPI document",
        ));
    };
    match obj.get("paths") {
        Some(Value::Object(_)) => {}
        Some(_) => return Err(err("/paths", "must be an object")),
        None if version == SpecVersion::OpenApi31 => {}
        None => return Err(err("/", "the document has no `paths`")),
    }
    let title = obj
        .get("info")
        .and_then(|i| i.get("title"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let mut doc = Document {
        version,
        title,
        root,
        weight,
        operation_count: 0,
    };
    // Walk every operation once, so that a broken one is reported now, not later.
    doc.operation_count = doc.operations()?.len();
    Ok(doc)
}

impl Document {
    pub fn root(&self) -> &Value {
        &self.root
    }

    /// Estimated heap bytes this document holds.
    pub fn weight(&self) -> usize {
        self.weight
    }

    /// How many operations it has.
    pub fn operation_count(&self) -> usize {
        self.operation_count
    }

    fn lookup(&self, reference: &str, at: &str) -> Result<&Value, ImportError> {
        let pointer = reference.strip_prefix('#').ok_or_else(|| {
            err(
                at,
                format!("`$ref: {reference}` points outside the document, which is not supported"),
            )
        })?;
        // Pointer segments may be percent-encoded in a URI fragment.
        let decoded = percent_encoding::percent_decode_str(pointer).decode_utf8_lossy();
        self.root
            .pointer(&decoded)
            .ok_or_else(|| err(at, format!("`$ref: {reference}` points nowhere")))
    }

    /// Follows `$ref`s until a value that is not one.
    fn deref<'a>(&'a self, mut v: &'a Value, at: &str) -> Result<&'a Value, ImportError> {
        for _ in 0..32 {
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => v = self.lookup(r, at)?,
                None => return Ok(v),
            }
        }
        Err(err(at, "a chain of more than 32 `$ref`s"))
    }

    /// Expands a schema's references to `depth`, leaving a reference that is already
    /// being expanded (a cycle) or lies deeper as `{"$ref": …}`.
    pub fn expand(&self, schema: &Value, at: &str, depth: usize) -> Result<Value, ImportError> {
        let mut stack = Vec::new();
        self.expand_in(schema, at, depth, &mut stack)
    }

    fn expand_properties(
        &self,
        v: &Value,
        at: &str,
        depth: usize,
        stack: &mut Vec<String>,
    ) -> Result<Value, ImportError> {
        match v {
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    out.insert(k.clone(), self.expand_in(x, at, depth, stack)?);
                }
                Ok(Value::Object(out))
            }
            other => self.expand_in(other, at, depth, stack),
        }
    }

    fn expand_in(
        &self,
        v: &Value,
        at: &str,
        depth: usize,
        stack: &mut Vec<String>,
    ) -> Result<Value, ImportError> {
        match v {
            Value::Object(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    if depth == 0 || stack.iter().any(|s| s == r) {
                        return Ok(json!({"$ref": r}));
                    }
                    let target = self.lookup(r, at)?;
                    stack.push(r.to_owned());
                    let out = self.expand_in(target, at, depth - 1, stack);
                    stack.pop();
                    return out;
                }
                let mut out = Map::new();
                for (k, x) in m {
                    // Prose is left out of listings (it is in the stored document),
                    // but not a property that happens to be called `description`.
                    if matches!(k.as_str(), "description" | "example" | "examples") {
                        continue;
                    }
                    let inner = if k == "properties" || k == "patternProperties" {
                        self.expand_properties(x, at, depth, stack)?
                    } else {
                        self.expand_in(x, at, depth, stack)?
                    };
                    out.insert(k.clone(), inner);
                }
                Ok(Value::Object(out))
            }
            Value::Array(a) => Ok(Value::Array(
                a.iter()
                    .map(|x| self.expand_in(x, at, depth, stack))
                    .collect::<Result<_, _>>()?,
            )),
            other => Ok(other.clone()),
        }
    }

    fn servers(&self, op: &Value, item: &Value) -> Vec<String> {
        if self.version == SpecVersion::Swagger2 {
            let host = self.root.get("host").and_then(Value::as_str);
            let base = self
                .root
                .get("basePath")
                .and_then(Value::as_str)
                .unwrap_or("");
            let schemes: Vec<&str> = op
                .get("schemes")
                .or_else(|| self.root.get("schemes"))
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_else(|| vec!["https"]);
            return match host {
                Some(h) => schemes
                    .iter()
                    .map(|s| format!("{s}://{h}{}", base.trim_end_matches('/')))
                    .collect(),
                None => Vec::new(),
            };
        }
        let list = [
            op.get("servers"),
            item.get("servers"),
            self.root.get("servers"),
        ]
        .into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .find(|a| !a.is_empty());
        list.map(|a| {
            a.iter()
                .filter_map(|s| {
                    let mut url = s.get("url")?.as_str()?.trim().to_owned();
                    if let Some(vars) = s.get("variables").and_then(Value::as_object) {
                        for (name, var) in vars {
                            if let Some(d) = var.get("default").and_then(Value::as_str) {
                                url = url.replace(&format!("{{{name}}}"), d);
                            }
                        }
                    }
                    Some(url.trim_end_matches('/').to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
    }

    /// Every operation, in document order.
    pub fn operations(&self) -> Result<Vec<Operation>, ImportError> {
        let mut out = Vec::new();
        let Some(paths) = self.root.get("paths").and_then(Value::as_object) else {
            return Ok(out);
        };
        for (path, item) in paths {
            let at_item = format!("/paths/{}", escape(path));
            let item = self.deref(item, &at_item)?;
            let item_obj = item
                .as_object()
                .ok_or_else(|| err(&at_item, "a path item must be an object"))?;
            for m in METHODS {
                let Some(op) = item_obj.get(m) else { continue };
                let at = format!("{at_item}/{m}");
                if !op.is_object() {
                    return Err(err(&at, "an operation must be an object"));
                }
                out.push(self.operation(path, m, item, op, &at)?);
            }
        }
        Ok(out)
    }

    /// The operation with `operation_id`, or at `method` + `path`.
    pub fn find(&self, key: &OperationKey) -> Result<Option<Operation>, ImportError> {
        Ok(self.operations()?.into_iter().find(|o| match key {
            OperationKey::Id(id) => o.operation_id.as_deref() == Some(id.as_str()),
            OperationKey::Route { method, path } => {
                o.method.eq_ignore_ascii_case(method) && o.path == *path
            }
        }))
    }

    fn operation(
        &self,
        path: &str,
        method: &str,
        item: &Value,
        op: &Value,
        at: &str,
    ) -> Result<Operation, ImportError> {
        // Parameters of the path item, overridden by the operation's of the same name
        // and location.
        let mut params: Vec<(String, String, Value)> = Vec::new();
        for (source, list) in [("", item.get("parameters")), ("", op.get("parameters"))] {
            let _ = source;
            let Some(list) = list else { continue };
            let arr = list
                .as_array()
                .ok_or_else(|| err(format!("{at}/parameters"), "must be an array"))?;
            for (i, p) in arr.iter().enumerate() {
                let pat = format!("{at}/parameters/{i}");
                let p = self.deref(p, &pat)?;
                let name = p
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| err(&pat, "a parameter needs a `name`"))?;
                let loc = p
                    .get("in")
                    .and_then(Value::as_str)
                    .ok_or_else(|| err(&pat, "a parameter needs `in`"))?;
                params.retain(|(n, l, _)| !(n == name && l == loc));
                params.push((name.to_owned(), loc.to_owned(), p.clone()));
            }
        }
        let mut parameters = Vec::new();
        let mut request_body = None;
        let mut form = Map::new();
        let mut form_required = Vec::new();
        for (i, (name, loc, p)) in params.iter().enumerate() {
            let pat = format!("{at}/parameters/{i}");
            // Swagger 2 keeps the type on the parameter itself; 3.x under `schema`.
            let schema = match p.get("schema") {
                Some(s) => self.expand(s, &pat, SCHEMA_DEPTH)?,
                None => {
                    let mut s = Map::new();
                    for k in ["type", "items", "format", "enum"] {
                        if let Some(v) = p.get(k) {
                            s.insert(k.to_owned(), self.expand(v, &pat, SCHEMA_DEPTH)?);
                        }
                    }
                    Value::Object(s)
                }
            };
            let required =
                p.get("required").and_then(Value::as_bool).unwrap_or(false) || loc == "path";
            match loc.as_str() {
                "body" => request_body = Some(schema),
                "formData" => {
                    form.insert(name.clone(), schema);
                    if required {
                        form_required.push(json!(name));
                    }
                }
                _ => parameters.push(OperationParam {
                    name: name.clone(),
                    location: loc.clone(),
                    required,
                    schema,
                    description: p
                        .get("description")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                }),
            }
        }
        if !form.is_empty() && request_body.is_none() {
            request_body =
                Some(json!({"type": "object", "properties": form, "required": form_required}));
        }
        if let Some(rb) = op.get("requestBody") {
            let pat = format!("{at}/requestBody");
            let rb = self.deref(rb, &pat)?;
            if let Some(content) = rb.get("content").and_then(Value::as_object) {
                let chosen = content
                    .iter()
                    .find(|(k, _)| k.contains("json"))
                    .or_else(|| content.iter().next());
                if let Some((_, media)) = chosen {
                    if let Some(s) = media.get("schema") {
                        request_body = Some(self.expand(s, &pat, SCHEMA_DEPTH)?);
                    }
                }
            }
        }
        Ok(Operation {
            operation_id: op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_owned),
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            summary: op.get("summary").and_then(Value::as_str).map(str::to_owned),
            parameters,
            request_body,
            servers: self.servers(op, item),
        })
    }
}

/// How an operation is picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperationKey {
    Id(String),
    Route { method: String, path: String },
}

/// The type a schema maps to.
pub fn param_type(doc: &Document, schema: &Value) -> ParamType {
    let schema = merged(doc, schema, 0);
    let ty = match schema.get("type") {
        Some(Value::String(t)) => Some(t.as_str()),
        // 3.1 writes nullable types as ["string", "null"].
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).find(|t| *t != "null"),
        _ => None,
    };
    match ty {
        Some("string") => ParamType::String,
        Some("integer") | Some("number") => ParamType::Number,
        Some("boolean") => ParamType::Boolean,
        Some("array") => ParamType::Array,
        Some("object") => ParamType::Object,
        _ if schema.get("properties").is_some() => ParamType::Object,
        _ => ParamType::Raw,
    }
}

/// The schema with `$ref` followed and `allOf` merged into one object schema.
fn merged(doc: &Document, schema: &Value, depth: usize) -> Value {
    let Ok(s) = doc.deref(schema, "") else {
        return schema.clone();
    };
    let Some(all) = s.get("allOf").and_then(Value::as_array) else {
        return s.clone();
    };
    if depth > 8 {
        return s.clone();
    }
    let mut props = Map::new();
    let mut required = Vec::new();
    let mut ty = None;
    for part in all {
        let p = merged(doc, part, depth + 1);
        if let Some(m) = p.get("properties").and_then(Value::as_object) {
            for (k, v) in m {
                props.insert(k.clone(), v.clone());
            }
        }
        if let Some(r) = p.get("required").and_then(Value::as_array) {
            required.extend(r.iter().cloned());
        }
        if ty.is_none() {
            ty = p.get("type").cloned();
        }
    }
    let mut out = s.as_object().cloned().unwrap_or_default();
    out.remove("allOf");
    out.insert("properties".into(), Value::Object(props));
    out.insert("required".into(), Value::Array(required));
    out.entry("type").or_insert(ty.unwrap_or(json!("object")));
    Value::Object(out)
}

/// A placeholder name for a property: the characters a name may not hold become `-`.
fn placeholder_name(name: &str) -> String {
    let n: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if n.is_empty() {
        "value".to_owned()
    } else {
        n
    }
}

/// Builds a connector's params from an operation: the base URL from the document's
/// first server (or `base_url`), the path with its parameters dynamic, required query
/// and header parameters dynamic, and a body template with one typed placeholder per
/// property of the request body's schema, in the seed's form
/// (`{"name": {{name}}, "description": {{description}}}`).
pub fn connector_params(
    doc: &Document,
    op: &Operation,
    base_url: Option<&str>,
) -> Result<Params, ImportError> {
    let at = format!(
        "/paths/{}/{}",
        escape(&op.path),
        op.method.to_ascii_lowercase()
    );
    let base = match base_url {
        Some(b) => b.trim().trim_end_matches('/').to_owned(),
        None => op.servers.first().cloned().ok_or_else(|| {
            err(
                &at,
                "the document names no server for this operation; give a baseUrl",
            )
        })?,
    };
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(err(
            &at,
            format!("the base URL `{base}` is not absolute; give a baseUrl"),
        ));
    }
    let mut path_params = Vec::new();
    let mut query_params = Vec::new();
    let mut headers = Vec::new();
    for p in &op.parameters {
        let param = Param {
            key: p.name.clone(),
            mode: Mode::Dynamic,
            value: None,
            ty: Some(match p.location.as_str() {
                "path" | "header" => ParamType::String,
                _ => param_type(doc, &p.schema),
            }),
            shape: None,
        };
        match p.location.as_str() {
            "path" => path_params.push(param),
            "query" if p.required => query_params.push(param),
            // The credential supplies authorization; other required headers are asked.
            "header" if p.required && !p.name.eq_ignore_ascii_case("authorization") => {
                headers.push(param)
            }
            _ => {}
        }
    }
    let mut body = String::new();
    let mut body_params = Vec::new();
    if let Some(schema) = &op.request_body {
        let s = merged(doc, schema, 0);
        match s.get("properties").and_then(Value::as_object) {
            Some(props) if !props.is_empty() => {
                let mut parts = Vec::new();
                let mut used = BTreeMap::new();
                for (k, v) in props {
                    let mut name = placeholder_name(k);
                    // Two properties may map to the same name: keep them apart.
                    let n = used.entry(name.clone()).or_insert(0u32);
                    *n += 1;
                    if *n > 1 {
                        name = format!("{name}-{n}");
                    }
                    parts.push(format!(
                        "{}: {{{{{name}}}}}",
                        serde_json::to_string(k).expect("strings serialize")
                    ));
                    body_params.push(Param {
                        key: name,
                        mode: Mode::Dynamic,
                        value: None,
                        ty: Some(param_type(doc, v)),
                        shape: None,
                    });
                }
                body = format!("{{{}}}", parts.join(", "));
            }
            _ => {
                body = "{{body}}".to_owned();
                body_params.push(Param {
                    key: "body".into(),
                    mode: Mode::Dynamic,
                    value: None,
                    ty: Some(param_type(doc, &s)),
                    shape: None,
                });
            }
        }
    }
    Ok(Params {
        method: op.method.clone(),
        url: format!("{base}{}", op.path),
        headers,
        path_params,
        query_params,
        body,
        body_params,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_yaml_swagger_document_lists_its_operations() {
        let doc = parse(
            br##"
swagger: "2.0"
info: {title: Pets}
host: pets.example.com
basePath: /v1
paths:
  /pets/{petId}:
    parameters:
      - {name: petId, in: path, required: true, type: string}
    post:
      operationId: updatePet
      parameters:
        - {name: body, in: body, schema: {$ref: "#/definitions/Pet"}}
definitions:
  Pet:
    type: object
    properties:
      name: {type: string}
      age: {type: integer}
      parent: {$ref: "#/definitions/Pet"}
"##,
        )
        .unwrap();
        assert_eq!(doc.version, SpecVersion::Swagger2);
        let ops = doc.operations().unwrap();
        assert_eq!(ops.len(), 1);
        assert_eq!(ops[0].servers, ["https://pets.example.com/v1"]);
        assert_eq!(ops[0].parameters[0].name, "petId");
        let body = ops[0].request_body.as_ref().unwrap();
        assert_eq!(
            body["properties"]["parent"],
            json!({"$ref": "#/definitions/Pet"}),
            "the cycle is cut"
        );
        let p = connector_params(&doc, &ops[0], None).unwrap();
        assert_eq!(p.url, "https://pets.example.com/v1/pets/{petId}");
        // The schema's own order of properties, as the seed's body lists them.
        assert_eq!(
            p.body,
            r#"{"name": {{name}}, "age": {{age}}, "parent": {{parent}}}"#
        );
        assert_eq!(p.body_params[0].ty, Some(ParamType::String));
        assert_eq!(p.body_params[1].ty, Some(ParamType::Number));
        p.compile().unwrap();
    }

    #[test]
    fn broken_documents_say_where() {
        let e =
            parse(b"{\"openapi\": \"3.0.0\",\n \"paths\": {\"/a\": {\"get\": 5}}}").unwrap_err();
        assert_eq!(e.at, "/paths/~1a/get");
        let e = parse(b"{\"openapi\": \"3.0.0\", \"paths\": {\"/a\": {\"post\": {\"requestBody\": {\"$ref\": \"#/components/requestBodies/Nope\"}}}}}").unwrap_err();
        assert_eq!(e.at, "/paths/~1a/post/requestBody");
        assert!(e.message.contains("points nowhere"), "{}", e.message);
        let e = parse(b"{\"openapi\": \"3.0.0\",\n \"paths\": {,}}").unwrap_err();
        assert!(e.at.starts_with("line 2"), "{}", e.at);
        let e = parse(b"title: not an api\n").unwrap_err();
        assert!(e.message.contains("not an OpenAPI document"));
        let e = parse(b"openapi: 3.0.0\npaths:\n  /a: [\n").unwrap_err();
        assert!(e.at.starts_with("line"), "{}", e.at);
    }
}
