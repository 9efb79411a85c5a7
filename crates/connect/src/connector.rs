//! A connector, in the shape of Sigma's `/v2/api-connectors` (`params`, `config`), and
//! how it becomes a request: [`Connector::compile`] checks every template once;
//! [`Compiled::render`] fills in the dynamic parameters' values.
//!
//! Dynamic parameters come from four places: `{{name}}` placeholders in the URL, the
//! body, static header or query values; and header, query or path parameters whose
//! `mode` is `dynamic` (the parameter is named by its `key`). A path parameter `key`
//! fills `{key}` (OpenAPI's form) in the URL's path. One name used in several places is
//! one parameter, with one type.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::template::{check_names, BodyTemplate, ParamType, TemplateError, TextTemplate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Static,
    Dynamic,
}

/// One header, query, path or body parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Param {
    pub key: String,
    pub mode: Mode,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub ty: Option<ParamType>,
    /// Always answered (`null` when none): Sigma's schema declares it on every
    /// parameter.
    #[serde(default)]
    pub shape: Option<Value>,
}

pub const METHODS: [&str; 7] = ["GET", "POST", "DELETE", "PATCH", "PUT", "OPTIONS", "HEAD"];

/// Sigma's `params`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    pub method: String,
    pub url: String,
    #[serde(default)]
    pub headers: Vec<Param>,
    #[serde(default)]
    pub path_params: Vec<Param>,
    #[serde(default)]
    pub query_params: Vec<Param>,
    #[serde(default)]
    pub body: String,
    /// The body's placeholders with their types. Sigma answers it; sigil also takes it
    /// in requests, to type body placeholders (untyped ones are `string`).
    #[serde(default)]
    pub body_params: Vec<Param>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeoutConfig {
    pub request_sec: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryConfig {
    pub max_retries: f64,
    pub retryable_status_codes: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RedirectConfig {
    pub max_redirects: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitConfig {
    pub max_requests_per_window: f64,
}

/// Sigma's `config`; every part optional, defaults in [`CallConfig`].
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<TimeoutConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirects: Option<RedirectConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimitConfig>,
}

pub const DEFAULT_TIMEOUT_SECS: f64 = 30.0;
pub const MAX_TIMEOUT_SECS: f64 = 120.0;
pub const DEFAULT_MAX_REDIRECTS: u32 = 5;
pub const MAX_REDIRECTS: u32 = 20;
pub const MAX_RETRIES: u32 = 10;

/// [`Config`] checked, with defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct CallConfig {
    pub timeout: std::time::Duration,
    pub max_retries: u32,
    pub retryable_status_codes: BTreeSet<u16>,
    pub max_redirects: u32,
    pub max_requests_per_window: Option<u32>,
}

/// Why a connector definition was refused, naming the field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ConnectorError {
    pub field: String,
    pub message: String,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> ConnectorError {
    ConnectorError {
        field: field.into(),
        message: message.into(),
    }
}

fn whole_number(field: &str, v: f64, max: f64) -> Result<u32, ConnectorError> {
    if v.fract() != 0.0 || !(0.0..=max).contains(&v) {
        return Err(bad(
            field,
            format!("must be a whole number from 0 to {max}"),
        ));
    }
    Ok(v as u32)
}

impl Config {
    pub fn check(&self) -> Result<CallConfig, ConnectorError> {
        let secs = self
            .timeout
            .as_ref()
            .map_or(DEFAULT_TIMEOUT_SECS, |t| t.request_sec);
        if !(secs > 0.0 && secs <= MAX_TIMEOUT_SECS) {
            return Err(bad(
                "config.timeout.requestSec",
                format!("must be more than 0 and at most {MAX_TIMEOUT_SECS} seconds"),
            ));
        }
        let (max_retries, retryable) = match &self.retry {
            None => (0, BTreeSet::new()),
            Some(r) => {
                let n = whole_number("config.retry.maxRetries", r.max_retries, MAX_RETRIES as f64)?;
                let mut codes = BTreeSet::new();
                for (i, c) in r.retryable_status_codes.iter().enumerate() {
                    let field = format!("config.retry.retryableStatusCodes[{i}]");
                    let c = whole_number(&field, *c, 599.0)?;
                    if c < 400 {
                        return Err(bad(field, "must be an error status, 400 to 599"));
                    }
                    codes.insert(c as u16);
                }
                (n, codes)
            }
        };
        let max_redirects = match &self.redirects {
            None => DEFAULT_MAX_REDIRECTS,
            Some(r) => whole_number(
                "config.redirects.maxRedirects",
                r.max_redirects,
                MAX_REDIRECTS as f64,
            )?,
        };
        let max_requests_per_window = match &self.rate_limit {
            None => None,
            Some(r) => {
                let n = whole_number(
                    "config.rateLimit.maxRequestsPerWindow",
                    r.max_requests_per_window,
                    1_000_000.0,
                )?;
                if n == 0 {
                    return Err(bad(
                        "config.rateLimit.maxRequestsPerWindow",
                        "must be at least 1",
                    ));
                }
                Some(n)
            }
        };
        Ok(CallConfig {
            timeout: std::time::Duration::from_secs_f64(secs),
            max_retries,
            retryable_status_codes: retryable,
            max_redirects,
            max_requests_per_window,
        })
    }
}

/// A request ready to send (before the credential is applied).
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub method: http::Method,
    pub url: url::Url,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone)]
enum Source {
    Static(TextTemplate),
    /// The whole value is the parameter named by the key.
    Dynamic,
}

#[derive(Debug, Clone)]
struct CompiledParam {
    key: String,
    source: Source,
}

/// A connector whose templates are parsed and whose parameters are typed.
#[derive(Debug, Clone)]
pub struct Compiled {
    method: http::Method,
    /// `scheme://host[:port]`, which no value may change.
    origin: String,
    path: TextTemplate,
    /// The URL's own query string, kept as written.
    url_query: Option<String>,
    /// The URL before query parameters, parsed once when the path has no
    /// placeholders (the common case) instead of on every call.
    fixed_url: Option<url::Url>,
    headers: Vec<CompiledParam>,
    query: Vec<CompiledParam>,
    body: Option<BodyTemplate>,
    /// Static path parameter values, fed to the path template as values.
    static_values: BTreeMap<String, Value>,
    /// The dynamic parameters, which a call must give exactly.
    types: BTreeMap<String, ParamType>,
    declared: BTreeSet<String>,
    /// `types` and the static values' names (as `string`): what the templates render
    /// from. Made once here rather than on every call.
    render_types: BTreeMap<String, ParamType>,
}

/// A connector's URL without its query parameters: origin, rendered path and the
/// URL's own query string.
fn base_url(origin: &str, path: &str, query: Option<&str>) -> Result<url::Url, url::ParseError> {
    let mut url = url::Url::parse(&format!("{origin}{path}"))?;
    if let Some(q) = query {
        url.set_query(Some(q));
    }
    Ok(url)
}

fn declare(
    types: &mut BTreeMap<String, ParamType>,
    field: &str,
    name: &str,
    ty: ParamType,
) -> Result<(), ConnectorError> {
    match types.get(name) {
        Some(t) if *t != ty => Err(bad(
            field,
            format!(
                "parameter `{name}` is used as {} here and as {} elsewhere",
                ty.as_str(),
                t.as_str()
            ),
        )),
        _ => {
            types.insert(name.to_owned(), ty);
            Ok(())
        }
    }
}

fn template_error(field: &str, e: TemplateError) -> ConnectorError {
    bad(field, e.to_string())
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

impl Params {
    /// Checks every part and parses every template.
    pub fn compile(&self) -> Result<Compiled, ConnectorError> {
        let method_upper = self.method.to_ascii_uppercase();
        if !METHODS.contains(&method_upper.as_str()) {
            return Err(bad(
                "params.method",
                format!("must be one of {}", METHODS.join(", ")),
            ));
        }
        let method = http::Method::from_bytes(method_upper.as_bytes()).expect("listed methods");
        let mut types: BTreeMap<String, ParamType> = BTreeMap::new();
        let mut static_values = BTreeMap::new();

        // The URL: the origin is fixed; the path may hold `{{name}}` and `{key}`.
        let (origin, rest) = split_origin(&self.url)?;
        let (path_text, url_query) = match rest.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (rest.to_owned(), None),
        };
        if url_query.as_deref().is_some_and(|q| q.contains("{{")) {
            return Err(bad(
                "params.url",
                "placeholders go in the path; use queryParams for query values",
            ));
        }
        let mut path_text = path_text;
        let mut seen_path = BTreeSet::new();
        for (i, p) in self.path_params.iter().enumerate() {
            let field = format!("params.pathParams[{i}]");
            if !valid_name(&p.key) {
                return Err(bad(
                    field,
                    "key may hold only letters, digits, `-`, `_` and `.`",
                ));
            }
            if !seen_path.insert(p.key.clone()) {
                return Err(bad(field, format!("`{}` appears twice", p.key)));
            }
            let brace = format!("{{{}}}", p.key);
            if !path_text.contains(&brace) && !path_text.contains(&format!("{{{{{}}}}}", p.key)) {
                return Err(bad(
                    field,
                    format!("the URL's path has no `{{{}}}` to fill", p.key),
                ));
            }
            match p.mode {
                Mode::Dynamic => {
                    let ty = p.ty.unwrap_or(ParamType::String);
                    if matches!(ty, ParamType::Array | ParamType::Object) {
                        return Err(bad(
                            field,
                            format!(
                                "a path parameter fills one segment: type {} cannot; use string, number, boolean or raw",
                                ty.as_str()
                            ),
                        ));
                    }
                    path_text = replace_single_braces(&path_text, &p.key, &p.key);
                    declare(&mut types, &field, &p.key, ty)?;
                }
                Mode::Static => {
                    let value = p
                        .value
                        .clone()
                        .ok_or_else(|| bad(&field, "a static parameter needs a value"))?;
                    // A name no dynamic parameter can have, so the two never meet.
                    let hidden = format!("static.path.{}", p.key);
                    path_text = replace_single_braces(&path_text, &p.key, &hidden);
                    static_values.insert(hidden, Value::String(value));
                }
            }
        }
        let path = TextTemplate::parse(&path_text).map_err(|e| template_error("params.url", e))?;
        for n in path.names() {
            // A path parameter's own type stands (a number renders as its digits);
            // any other name in the path is text.
            if !static_values.contains_key(&n) && !types.contains_key(&n) {
                declare(&mut types, "params.url", &n, ParamType::String)?;
            }
        }

        let headers = compile_params(&self.headers, "params.headers", &mut types, true)?;
        let query = compile_params(&self.query_params, "params.queryParams", &mut types, false)?;

        let body = if self.body.trim().is_empty() {
            None
        } else {
            let t =
                BodyTemplate::parse(&self.body).map_err(|e| template_error("params.body", e))?;
            let declared: BTreeMap<&str, Option<ParamType>> = self
                .body_params
                .iter()
                .map(|p| (p.key.as_str(), p.ty))
                .collect();
            for (i, p) in self.body_params.iter().enumerate() {
                if !t.names().contains(&p.key) {
                    return Err(bad(
                        format!("params.bodyParams[{i}]"),
                        format!("the body has no `{{{{{}}}}}` placeholder", p.key),
                    ));
                }
            }
            for n in t.names() {
                let ty = declared
                    .get(n.as_str())
                    .copied()
                    .flatten()
                    .unwrap_or(ParamType::String);
                declare(&mut types, "params.body", &n, ty)?;
            }
            Some(t)
        };
        if body.is_some() && matches!(method, http::Method::GET | http::Method::HEAD) {
            return Err(bad(
                "params.body",
                format!("a {method} request has no body"),
            ));
        }
        // Rendered exactly as a call would render it; an error is left for the call
        // to report as it always has.
        let fixed_url = if path.names().is_empty() {
            path.render_path(&BTreeMap::new(), &BTreeMap::new())
                .ok()
                .and_then(|p| base_url(&origin, &p, url_query.as_deref()).ok())
        } else {
            None
        };
        let declared = types.keys().cloned().collect();
        let mut render_types = types.clone();
        for k in static_values.keys() {
            render_types.insert(k.clone(), ParamType::String);
        }
        Ok(Compiled {
            method,
            origin,
            path,
            url_query,
            fixed_url,
            headers,
            query,
            body,
            static_values,
            types,
            declared,
            render_types,
        })
    }

    /// The body parameters Sigma answers: one per body placeholder, with its type.
    pub fn derived_body_params(&self) -> Vec<Param> {
        let Ok(t) = BodyTemplate::parse(&self.body) else {
            return self.body_params.clone();
        };
        t.names()
            .into_iter()
            .map(|n| {
                let given = self.body_params.iter().find(|p| p.key == n);
                Param {
                    key: n,
                    mode: Mode::Dynamic,
                    value: None,
                    ty: Some(given.and_then(|p| p.ty).unwrap_or(ParamType::String)),
                    shape: given.and_then(|p| p.shape.clone()),
                }
            })
            .collect()
    }
}

/// Replaces OpenAPI-style `{key}` (not `{{key}}`) with `{{name}}`.
fn replace_single_braces(path: &str, key: &str, name: &str) -> String {
    let needle = format!("{{{key}}}");
    let mut out = String::new();
    let mut rest = path;
    while let Some(i) = rest.find(&needle) {
        let before = &rest[..i];
        let doubled = before.ends_with('{') && rest[i + needle.len()..].starts_with('}');
        out.push_str(before);
        if doubled {
            out.push_str(&needle);
        } else {
            out.push_str(&format!("{{{{{name}}}}}"));
        }
        rest = &rest[i + needle.len()..];
    }
    out.push_str(rest);
    if name != key {
        // `{{key}}` written directly for a static path parameter names the same thing.
        out = out.replace(&format!("{{{{{key}}}}}"), &format!("{{{{{name}}}}}"));
    }
    out
}

fn split_origin(url: &str) -> Result<(String, &str), ConnectorError> {
    let field = "params.url";
    let scheme_end = url
        .find("://")
        .ok_or_else(|| bad(field, "must be an absolute http or https URL"))?;
    let scheme = &url[..scheme_end];
    if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return Err(bad(field, "must use http or https"));
    }
    let after = &url[scheme_end + 3..];
    let auth_end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let authority = &after[..auth_end];
    if authority.contains("{{") || authority.contains('{') {
        return Err(bad(field, "the host may not hold placeholders"));
    }
    if authority.contains('@') {
        return Err(bad(
            field,
            "may not hold user information; use a credential",
        ));
    }
    let origin = format!("{scheme}://{authority}");
    let parsed = url::Url::parse(&origin).map_err(|e| bad(field, format!("is not a URL ({e})")))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(bad(field, "has no host"));
    }
    let rest = &after[auth_end..];
    if rest.contains('#') {
        return Err(bad(field, "may not hold a fragment"));
    }
    Ok((origin, rest))
}

fn compile_params(
    params: &[Param],
    base: &str,
    types: &mut BTreeMap<String, ParamType>,
    header: bool,
) -> Result<Vec<CompiledParam>, ConnectorError> {
    let mut out = Vec::new();
    for (i, p) in params.iter().enumerate() {
        let field = format!("{base}[{i}]");
        if p.key.is_empty() {
            return Err(bad(field, "key must not be empty"));
        }
        if header && http::HeaderName::from_bytes(p.key.as_bytes()).is_err() {
            return Err(bad(
                field,
                format!("`{}` is not a valid header name", p.key),
            ));
        }
        let source = match p.mode {
            Mode::Dynamic => {
                if !valid_name(&p.key) {
                    return Err(bad(
                        field,
                        "a dynamic parameter's key may hold only letters, digits, `-`, `_` and `.`",
                    ));
                }
                declare(types, &field, &p.key, p.ty.unwrap_or(ParamType::String))?;
                Source::Dynamic
            }
            Mode::Static => {
                let v = p
                    .value
                    .as_deref()
                    .ok_or_else(|| bad(&field, "a static parameter needs a value"))?;
                if header && v.contains(['\r', '\n']) {
                    return Err(bad(field, "a header value may not hold CR or LF"));
                }
                let t = TextTemplate::parse(v).map_err(|e| template_error(&field, e))?;
                for n in t.names() {
                    declare(types, &field, &n, ParamType::String)?;
                }
                Source::Static(t)
            }
        };
        out.push(CompiledParam {
            key: p.key.clone(),
            source,
        });
    }
    Ok(out)
}

impl Compiled {
    /// Every dynamic parameter and its type.
    pub fn parameters(&self) -> &BTreeMap<String, ParamType> {
        &self.types
    }

    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The connector's host, which the credential's allowlist must hold.
    pub fn host(&self) -> String {
        url::Url::parse(&self.origin)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Builds the request from `values`: each one present, declared and of its type.
    pub fn render(&self, values: &BTreeMap<String, Value>) -> Result<Prepared, TemplateError> {
        check_names(&self.declared, values)?;
        // Values are copied only when static path values must join them.
        let all: std::borrow::Cow<'_, BTreeMap<String, Value>> = if self.static_values.is_empty() {
            std::borrow::Cow::Borrowed(values)
        } else {
            let mut all = values.clone();
            all.extend(
                self.static_values
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone())),
            );
            std::borrow::Cow::Owned(all)
        };
        let (all, types) = (all.as_ref(), &self.render_types);
        let mut url = match &self.fixed_url {
            Some(u) => u.clone(),
            None => base_url(
                &self.origin,
                &self.path.render_path(types, all)?,
                self.url_query.as_deref(),
            )
            .map_err(|e| TemplateError::Malformed(format!("the URL is not valid: {e}")))?,
        };
        let text_of = |key: &str| -> Result<String, TemplateError> {
            let v = crate::template::typed_value(key, types, all)?;
            Ok(match v {
                Value::String(s) => s,
                other => other.to_string(),
            })
        };
        {
            let mut pairs = url.query_pairs_mut();
            for q in &self.query {
                let v = match &q.source {
                    Source::Static(t) => t.render_query(types, all)?,
                    Source::Dynamic => text_of(&q.key)?,
                };
                pairs.append_pair(&q.key, &v);
            }
        }
        if url.query() == Some("") {
            url.set_query(None);
        }
        let mut headers = Vec::new();
        for h in &self.headers {
            let v = match &h.source {
                Source::Static(t) => t.render_header(&h.key, types, all)?,
                Source::Dynamic => {
                    let v = text_of(&h.key)?;
                    if v.contains(['\r', '\n']) {
                        return Err(TemplateError::HeaderInjection(h.key.clone()));
                    }
                    v
                }
            };
            headers.push((h.key.clone(), v));
        }
        let body = match &self.body {
            Some(t) => Some(t.render(types, all)?),
            None => None,
        };
        if body.is_some()
            && !headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        {
            headers.push(("content-type".to_owned(), "application/json".to_owned()));
        }
        Ok(Prepared {
            method: self.method.clone(),
            url,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Params {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_seed_connector_renders_awkward_names_as_json_strings() {
        let p = params(json!({
            "method": "POST",
            "url": "https://sigil.example.com/v2/teams",
            "headers": [], "pathParams": [], "queryParams": [],
            "body": "{\"name\": {{team-name}},\"description\": {{team-description}},\"members\": [],\"createTeamFolder\": false,\"visibility\": \"private\"}"
        }));
        let c = p.compile().unwrap();
        assert_eq!(
            c.parameters().keys().collect::<Vec<_>>(),
            ["team-description", "team-name"]
        );
        let name = "Bob's \"team\"\nline 2 }} \\ ü";
        let r = c
            .render(&BTreeMap::from([
                ("team-name".into(), json!(name)),
                ("team-description".into(), json!("d")),
            ]))
            .unwrap();
        let body: Value = serde_json::from_str(r.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["name"], name);
        assert_eq!(body["visibility"], "private");
        assert!(r
            .headers
            .contains(&("content-type".into(), "application/json".into())));
        let err = c
            .render(&BTreeMap::from([("team-name".into(), json!("x"))]))
            .unwrap_err();
        assert_eq!(err, TemplateError::Missing("team-description".into()));
    }

    #[test]
    fn path_query_and_header_parameters() {
        let p = params(json!({
            "method": "GET",
            "url": "https://api.example.com/v2/teams/{teamId}/members?fixed=1",
            "headers": [
                {"key": "X-Trace", "mode": "dynamic", "type": "string"},
                {"key": "Accept", "mode": "static", "value": "application/json"}
            ],
            "pathParams": [{"key": "teamId", "mode": "dynamic", "type": "string"}],
            "queryParams": [
                {"key": "limit", "mode": "dynamic", "type": "number"},
                {"key": "tag", "mode": "static", "value": "t-{{tag}}"}
            ],
            "body": ""
        }));
        let c = p.compile().unwrap();
        let r = c
            .render(&BTreeMap::from([
                ("teamId".into(), json!("a/b c")),
                ("limit".into(), json!(5)),
                ("tag".into(), json!("x&y=z")),
                ("X-Trace".into(), json!("t1")),
            ]))
            .unwrap();
        assert_eq!(
            r.url.as_str(),
            "https://api.example.com/v2/teams/a%2Fb%20c/members?fixed=1&limit=5&tag=t-x%26y%3Dz"
        );
        let wrong = c.render(&BTreeMap::from([
            ("teamId".into(), json!("a")),
            ("limit".into(), json!("five")),
            ("tag".into(), json!("x")),
            ("X-Trace".into(), json!("t1")),
        ]));
        assert!(matches!(wrong, Err(TemplateError::WrongType { ref name, .. }) if name == "limit"));
        let injected = c.render(&BTreeMap::from([
            ("teamId".into(), json!("a")),
            ("limit".into(), json!(1)),
            ("tag".into(), json!("x")),
            ("X-Trace".into(), json!("a\r\nX-Evil: 1")),
        ]));
        assert_eq!(
            injected.unwrap_err(),
            TemplateError::HeaderInjection("X-Trace".into())
        );
    }

    #[test]
    fn a_path_parameter_keeps_its_type_and_fills_one_segment() {
        let with = |ty: &str| {
            params(json!({
                "method": "GET", "url": "https://api.example.com/v2/items/{id}",
                "headers": [], "queryParams": [], "body": "",
                "pathParams": [{"key": "id", "mode": "dynamic", "type": ty}]
            }))
            .compile()
        };
        let c = with("number").unwrap();
        assert_eq!(c.parameters()["id"], ParamType::Number);
        let r = c
            .render(&BTreeMap::from([("id".into(), json!("42"))]))
            .unwrap();
        assert_eq!(r.url.as_str(), "https://api.example.com/v2/items/42");
        let wrong = c.render(&BTreeMap::from([("id".into(), json!("x"))]));
        assert!(matches!(wrong, Err(TemplateError::WrongType { .. })));
        let r = with("boolean")
            .unwrap()
            .render(&BTreeMap::from([("id".into(), json!(true))]))
            .unwrap();
        assert_eq!(r.url.as_str(), "https://api.example.com/v2/items/true");
        for ty in ["array", "object"] {
            let e = with(ty).unwrap_err().to_string();
            assert!(
                e.contains("params.pathParams[0]") && e.contains("one segment"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_fixed_path_renders_the_same_on_every_call() {
        // The path has no placeholder, so its URL is parsed once at compile time;
        // query values must not pile up on it from one call to the next.
        let p = params(json!({
            "method": "GET",
            "url": "https://api.example.com/v2/teams?fixed=1",
            "headers": [],
            "pathParams": [],
            "queryParams": [{"key": "q", "mode": "dynamic", "type": "string"}],
            "body": ""
        }));
        let c = p.compile().unwrap();
        for q in ["a b", "c&d"] {
            let r = c.render(&BTreeMap::from([("q".into(), json!(q))])).unwrap();
            let encoded = q.replace(' ', "+").replace('&', "%26");
            assert_eq!(
                r.url.as_str(),
                format!("https://api.example.com/v2/teams?fixed=1&q={encoded}")
            );
        }
        // Without query parameters nor a query string the URL has no `?`.
        let bare = params(json!({
            "method": "GET", "url": "https://api.example.com/v2/teams",
            "headers": [], "pathParams": [], "queryParams": [], "body": ""
        }))
        .compile()
        .unwrap();
        assert_eq!(
            bare.render(&BTreeMap::new()).unwrap().url.as_str(),
            "https://api.example.com/v2/teams"
        );
    }

    #[test]
    fn bad_definitions_name_the_field() {
        let base = json!({"method": "POST", "url": "https://a.example.com/x", "headers": [], "pathParams": [], "queryParams": [], "body": ""});
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            params(b).compile().unwrap_err().field
        };
        assert_eq!(with("method", json!("BREW")), "params.method");
        assert_eq!(with("url", json!("ftp://x/y")), "params.url");
        assert_eq!(with("url", json!("https://{{host}}/x")), "params.url");
        assert_eq!(with("body", json!("{\"a\": {{x}")), "params.body");
        assert_eq!(
            with("pathParams", json!([{"key": "id", "mode": "dynamic"}])),
            "params.pathParams[0]"
        );
        assert_eq!(
            with(
                "headers",
                json!([{"key": "X", "mode": "static", "value": "a\nb"}])
            ),
            "params.headers[0]"
        );
        let cfg: Config = serde_json::from_value(json!({"timeout": {"requestSec": 121}})).unwrap();
        assert_eq!(cfg.check().unwrap_err().field, "config.timeout.requestSec");
        let cfg: Config = serde_json::from_value(json!({})).unwrap();
        assert_eq!(cfg.check().unwrap().timeout.as_secs(), 30);
    }
}
