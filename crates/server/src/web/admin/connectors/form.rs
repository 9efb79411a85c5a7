//! The New API connector form (and the edit form, the same with a connector's
//! values). The whole draft travels in the form, so each step is a post that
//! answers the form again: load a specification's endpoints, choose an endpoint,
//! open the OpenAPI dialogs and import a document, add or remove parameter rows,
//! preview, test, save. Our script only submits those steps on change and refreshes
//! the body parameters as the body is typed; without it each step has its button.

use std::collections::{BTreeMap, BTreeSet};

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Value};
use sigil_core::{ApiConnectorId, ApiDocumentId};
use sigil_service::connectors::{
    body_names, BodyTemplate, ConnectorUpdate, ConnectorView, Mode, NewConnector, OperationKey,
    Param, ParamType, Params, TextTemplate, METHODS,
};
use sigil_service::documents::ImportSource;
use sigil_service::paging::TokenPage;
use sigil_service::ServiceError;

use super::refused;
use crate::state::AppState;
use crate::web::session::{Fields, Posted, WebUser};
use crate::web::{not_found_page, render_status, see_other, service_error_page, Chrome};

/// Body and parameter types, as the Type selects offer them.
pub const TYPES: &[(&str, &str)] = &[
    ("string", "Text"),
    ("number", "Number"),
    ("boolean", "Boolean"),
    ("array", "List"),
    ("object", "Object"),
    ("raw", "Raw JSON"),
];

/// A header, query or path parameter row.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub key: String,
    pub value: String,
    pub dynamic: bool,
    pub ty: String,
}

/// The draft, as the form holds it.
#[derive(Debug, Clone, Default)]
struct Draft {
    name: String,
    description: String,
    auth: String,
    /// `openapi` or `custom`.
    kind: String,
    document: String,
    endpoint: String,
    endpoint_filter: String,
    base_url: String,
    method: String,
    url: String,
    headers: Vec<Row>,
    query: Vec<Row>,
    path: Vec<Row>,
    body: String,
    body_types: BTreeMap<String, String>,
    samples: BTreeMap<String, String>,
    /// `openapi` or `create-openapi` when a dialog is open.
    dialog: String,
    doc_name: String,
    doc_url: String,
}

fn rows(f: &Fields, prefix: &str) -> Vec<Row> {
    let mut out = Vec::new();
    for i in 0..200 {
        let key = format!("{prefix}.{i}.key");
        if !f.0.iter().any(|(k, _)| *k == key) {
            break;
        }
        out.push(Row {
            key: f.get(&key).trim().to_owned(),
            value: f.get(&format!("{prefix}.{i}.value")),
            dynamic: f.get(&format!("{prefix}.{i}.mode")) == "dynamic",
            ty: f.get(&format!("{prefix}.{i}.type")),
        });
    }
    out
}

fn row_of(p: &Param) -> Row {
    Row {
        key: p.key.clone(),
        value: p.value.clone().unwrap_or_default(),
        dynamic: p.mode == Mode::Dynamic,
        ty: p.ty.unwrap_or(ParamType::String).as_str().to_owned(),
    }
}

fn param_of(r: &Row) -> Value {
    if r.dynamic {
        json!({"key": r.key, "mode": "dynamic", "type": type_or_text(&r.ty)})
    } else {
        json!({"key": r.key, "mode": "static", "value": r.value})
    }
}

fn type_or_text(t: &str) -> &str {
    if TYPES.iter().any(|(v, _)| *v == t) {
        t
    } else {
        "string"
    }
}

/// The placeholders of a text template (URL, static value); none while it does not
/// parse (its error is the service's to say).
fn text_names(text: &str) -> Vec<String> {
    TextTemplate::parse(text)
        .map(|t| t.names().into_iter().collect())
        .unwrap_or_default()
}

/// The body parameters' types as `params` declares them.
fn types_of(params: &[Param]) -> BTreeMap<String, String> {
    params
        .iter()
        .map(|b| {
            let t = b.ty.unwrap_or(ParamType::String).as_str().to_owned();
            (b.key.clone(), t)
        })
        .collect()
}

impl Draft {
    fn from_fields(f: &Fields) -> Self {
        let prefixed = |p: &str| -> BTreeMap<String, String> {
            f.0.iter()
                .filter_map(|(k, v)| k.strip_prefix(p).map(|n| (n.to_owned(), v.clone())))
                .collect()
        };
        Draft {
            name: f.get("name"),
            description: f.get("description"),
            auth: f.get("auth"),
            kind: if f.get("kind") == "openapi" {
                "openapi".into()
            } else {
                "custom".into()
            },
            document: f.get("document"),
            endpoint: f.get("endpoint"),
            endpoint_filter: f.get("endpoint_filter"),
            base_url: f.get("base_url").trim().to_owned(),
            method: f.get("method"),
            url: f.get("url").trim().to_owned(),
            headers: rows(f, "h"),
            query: rows(f, "q"),
            path: rows(f, "p"),
            body: f.get("body"),
            body_types: prefixed("bt."),
            samples: prefixed("s."),
            dialog: f.get("dialog"),
            doc_name: f.get("doc_name"),
            doc_url: f.get("doc_url").trim().to_owned(),
        }
    }

    fn from_view(v: &ConnectorView) -> Self {
        let mut d = Draft {
            name: v.row.name.clone(),
            description: v.row.description.clone().unwrap_or_default(),
            auth: v.row.auth_id.map(|a| a.to_string()).unwrap_or_default(),
            kind: "custom".into(),
            method: v.params.method.clone(),
            url: v.params.url.clone(),
            ..Draft::default()
        };
        d.fill_from(&v.params);
        d
    }

    /// Takes the rows and the body of `p` (a stored connector, or an operation's).
    fn fill_from(&mut self, p: &Params) {
        self.headers = p.headers.iter().map(row_of).collect();
        self.query = p.query_params.iter().map(row_of).collect();
        self.path = p.path_params.iter().map(row_of).collect();
        self.body = p.body.clone();
        self.body_types = types_of(&p.body_params);
    }

    /// The chosen endpoint as (method, path).
    fn route(&self) -> Option<(String, String)> {
        let (m, p) = self.endpoint.split_once(' ')?;
        Some((m.to_owned(), p.to_owned()))
    }

    fn method_and_url(&self) -> (String, String) {
        if self.kind == "openapi" {
            match self.route() {
                Some((m, p)) => (m, format!("{}{p}", self.base_url.trim_end_matches('/'))),
                None => (String::new(), String::new()),
            }
        } else {
            (self.method.clone(), self.url.clone())
        }
    }

    fn body_names(&self) -> Vec<String> {
        body_names(&self.body)
            .map(|n| n.into_iter().collect())
            .unwrap_or_default()
    }

    fn params_json(&self) -> Value {
        let (method, url) = self.method_and_url();
        let keep = |r: &&Row| !r.key.is_empty();
        json!({
            "method": method,
            "url": url,
            "headers": self.headers.iter().filter(keep).map(param_of).collect::<Vec<_>>(),
            "queryParams": self.query.iter().filter(keep).map(param_of).collect::<Vec<_>>(),
            "pathParams": self.path.iter().filter(keep).map(param_of).collect::<Vec<_>>(),
            "body": self.body,
            "bodyParams": self.body_names().iter().map(|n| json!({
                "key": n,
                "mode": "dynamic",
                "type": type_or_text(self.body_types.get(n).map_or("string", String::as_str)),
            })).collect::<Vec<_>>(),
        })
    }

    fn connector(&self) -> NewConnector {
        NewConnector {
            name: self.name.clone(),
            description: Some(self.description.trim().to_owned()).filter(|d| !d.is_empty()),
            params: self.params_json(),
            config: None,
            auth_id: Some(self.auth.clone()).filter(|a| !a.is_empty()),
        }
    }

    /// Every dynamic parameter and its type: the body's placeholders, dynamic rows,
    /// and placeholders in the URL and static values.
    fn parameters(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut seen = BTreeSet::new();
        let mut add = |n: String, t: String| {
            if seen.insert(n.clone()) {
                out.push((n, t));
            }
        };
        for n in self.body_names() {
            let t = self
                .body_types
                .get(&n)
                .cloned()
                .unwrap_or_else(|| "string".into());
            add(n, t);
        }
        for r in self.headers.iter().chain(&self.query).chain(&self.path) {
            if r.key.is_empty() {
                continue;
            }
            if r.dynamic {
                add(r.key.clone(), type_or_text(&r.ty).to_owned());
            } else {
                for n in text_names(&r.value) {
                    add(n, "string".into());
                }
            }
        }
        for n in text_names(&self.method_and_url().1) {
            add(n, "string".into());
        }
        out
    }

    /// The sample values typed in the preview, as JSON of each parameter's type.
    fn sample_values(&self) -> BTreeMap<String, Value> {
        self.parameters()
            .into_iter()
            .filter_map(|(n, t)| {
                let raw = self.samples.get(&n).cloned().unwrap_or_default();
                let v = match t.as_str() {
                    "string" => Value::String(raw),
                    _ if raw.trim().is_empty() => return None,
                    // Typed JSON; what is not JSON goes as text, for the type check
                    // to refuse with its own message.
                    _ => serde_json::from_str(&raw).unwrap_or(Value::String(raw)),
                };
                Some((n, v))
            })
            .collect()
    }
}

/// A field's problem, and where the page shows it.
#[derive(Debug, Clone, Default)]
pub struct Problems(BTreeMap<&'static str, String>);

impl Problems {
    fn set(&mut self, at: &'static str, m: impl Into<String>) {
        self.0.insert(at, m.into());
    }
    pub fn at(&self, at: &str) -> &str {
        self.0.get(at).map_or("", String::as_str)
    }
    fn any(&self) -> bool {
        !self.0.is_empty()
    }
}

/// A draft the service could not build a request from: the reason next to its field,
/// and the preview pointing there.
fn cannot_build(problems: &mut Problems, e: &ServiceError, kind: &str) {
    let at = place(e, kind);
    problems.set(at, e.to_string());
    if at != "preview" {
        problems.set(
            "preview",
            "The request cannot be built yet: see the message above.",
        );
    }
}

/// Where a service error about a connector's fields is shown.
fn place(e: &ServiceError, kind: &str) -> &'static str {
    let f = e.field().unwrap_or("");
    match f {
        "name" => "name",
        "authId" => "auth",
        "baseUrl" => "base_url",
        "params.url" | "params.method" if kind == "openapi" => "endpoint",
        "params.url" => "url",
        "params.method" => "method",
        "params.body" => "body",
        "parameters" => "preview",
        _ if f.starts_with("params.headers") => "headers",
        _ if f.starts_with("params.queryParams") => "query",
        _ if f.starts_with("params.pathParams") => "path",
        _ if f.starts_with("params.bodyParams") => "body_params",
        _ => "_",
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct BodyParam {
    pub name: String,
    pub id: String,
    pub types: Vec<Choice>,
}

pub struct RowView {
    pub key: String,
    pub value: String,
    pub dynamic: bool,
    pub types: Vec<Choice>,
}

pub struct Sample {
    pub name: String,
    pub id: String,
    pub value: String,
}

pub struct DocRow {
    pub id: String,
    pub name: String,
    pub detail: String,
}

/// What a preview or a test answered, ready to show.
pub struct Shown {
    pub title: String,
    pub first_line: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Template)]
#[template(path = "admin/connectors/form.html")]
struct FormPage {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    heading: String,
    action: String,
    d: Draft,
    credentials: Vec<Choice>,
    documents: Vec<Choice>,
    document_rows: Vec<DocRow>,
    endpoints: Vec<Choice>,
    methods: Vec<Choice>,
    headers: Vec<RowView>,
    query: Vec<RowView>,
    path: Vec<RowView>,
    body_params: Vec<BodyParam>,
    samples: Vec<Sample>,
    shown: Option<Shown>,
    problems: Problems,
    notice: String,
}

fn choices(list: &[(&str, &str)], current: &str) -> Vec<Choice> {
    list.iter()
        .map(|(v, l)| Choice {
            value: (*v).to_owned(),
            label: (*l).to_owned(),
            selected: *v == current,
        })
        .collect()
}

fn row_views(rows: &[Row]) -> Vec<RowView> {
    rows.iter()
        .map(|r| RowView {
            key: r.key.clone(),
            value: r.value.clone(),
            dynamic: r.dynamic,
            types: choices(TYPES, type_or_text(&r.ty)),
        })
        .collect()
}

fn slug(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// One page of the form: where it posts, and whose connector it edits.
struct Target {
    editing: Option<ApiConnectorId>,
    heading: String,
}

impl Target {
    fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/admin/api-connectors/{id}/edit"),
            None => "/admin/api-connectors/new".into(),
        }
    }
}

async fn page(
    st: &AppState,
    user: &WebUser,
    t: &Target,
    d: Draft,
    shown: Option<Shown>,
    mut problems: Problems,
    notice: String,
) -> Response {
    let c = user.caller();
    let s = &st.services;
    let all = || TokenPage {
        size: 1000,
        ..TokenPage::default()
    };
    let creds = match s.api_credentials.list(c, all()).await {
        Ok(x) => x.entries,
        Err(e) => return service_error_page(Some(user), e),
    };
    let docs = match s.documents.list(c, all()).await {
        Ok(x) => x.entries,
        Err(e) => return service_error_page(Some(user), e),
    };
    let mut endpoints = Vec::new();
    if let Ok(id) = d.document.parse::<ApiDocumentId>() {
        match s.documents.operations(c, id, &Default::default()).await {
            Ok(ops) => {
                let filter = d.endpoint_filter.trim().to_lowercase();
                for o in ops {
                    let value = format!("{} {}", o.method, o.path);
                    let label = match &o.summary {
                        Some(sm) => format!("{value} — {sm}"),
                        None => value.clone(),
                    };
                    let selected = value == d.endpoint;
                    if selected || filter.is_empty() || label.to_lowercase().contains(&filter) {
                        endpoints.push(Choice {
                            value,
                            label,
                            selected,
                        });
                    }
                }
            }
            Err(ServiceError::NotFound(_)) => {
                problems.set(
                    "document",
                    "That specification was deleted: choose another.",
                );
            }
            Err(e) => return service_error_page(Some(user), e),
        }
    }
    // A body that is not a template is said so next to it, as it is typed.
    if !d.body.trim().is_empty() && problems.at("body").is_empty() {
        if let Err(e) = BodyTemplate::parse(&d.body) {
            problems.set("body", e.to_string());
        }
    }
    let body_params = d
        .body_names()
        .into_iter()
        .map(|n| BodyParam {
            id: format!("bt-{}", slug(&n)),
            types: choices(
                TYPES,
                type_or_text(d.body_types.get(&n).map_or("string", String::as_str)),
            ),
            name: n,
        })
        .collect();
    let samples = d
        .parameters()
        .into_iter()
        .map(|(n, _)| Sample {
            id: format!("s-{}", slug(&n)),
            value: d.samples.get(&n).cloned().unwrap_or_default(),
            name: n,
        })
        .collect();
    let methods: Vec<(&str, &str)> = METHODS.iter().map(|m| (*m, *m)).collect();
    let page = FormPage {
        chrome: Chrome::new(t.heading.clone(), Some(user)),
        section: "api-connectors",
        csrf: user.session.csrf.clone(),
        heading: t.heading.clone(),
        action: t.action(),
        credentials: creds
            .iter()
            .map(|k| Choice {
                value: k.id.to_string(),
                label: k.name.clone(),
                selected: k.id.to_string() == d.auth,
            })
            .collect(),
        documents: docs
            .iter()
            .map(|k| Choice {
                value: k.id.to_string(),
                label: k.name.clone(),
                selected: k.id.to_string() == d.document,
            })
            .collect(),
        document_rows: docs
            .iter()
            .map(|k| DocRow {
                id: k.id.to_string(),
                name: k.name.clone(),
                detail: format!(
                    "{} · {} endpoints{}",
                    k.title,
                    k.operation_count,
                    k.source_url
                        .as_deref()
                        .map(|u| format!(" · {u}"))
                        .unwrap_or_default()
                ),
            })
            .collect(),
        endpoints,
        methods: choices(
            &methods,
            if d.method.is_empty() {
                "GET"
            } else {
                &d.method
            },
        ),
        headers: row_views(&d.headers),
        query: row_views(&d.query),
        path: row_views(&d.path),
        body_params,
        samples,
        shown,
        notice,
        d,
        problems,
    };
    let status = if page.problems.any() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    render_status(status, &page)
}

fn shown_preview(request: &Value) -> Shown {
    let headers = request
        .get("headers")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|h| {
                    let s = |k: &str| h.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
                    (s("key"), s("value"))
                })
                .collect()
        })
        .unwrap_or_default();
    Shown {
        title: "Request".into(),
        first_line: format!(
            "{} {}",
            request.get("method").and_then(Value::as_str).unwrap_or(""),
            request.get("url").and_then(Value::as_str).unwrap_or("")
        ),
        headers,
        body: body_text(request.get("body").unwrap_or(&Value::Null)),
    }
}

fn body_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// Fills the draft from the chosen endpoint of its document.
async fn choose_endpoint(
    st: &AppState,
    user: &WebUser,
    d: &mut Draft,
    problems: &mut Problems,
) -> Result<(), ServiceError> {
    let (Ok(doc), Some((method, path))) = (d.document.parse::<ApiDocumentId>(), d.route()) else {
        problems.set("endpoint", "Choose a specification, then an endpoint.");
        return Ok(());
    };
    let key = OperationKey::Route {
        method,
        path: path.clone(),
    };
    let c = user.caller();
    let found = st
        .services
        .connectors
        .operation_params(c, doc, &key, None)
        .await;
    let params = match found {
        Ok((_, p)) => p,
        Err(e) if e.field() == Some("baseUrl") => {
            // The document names no usable server: keep the Base URL typed.
            problems.set(
                "base_url",
                "The specification names no server for this endpoint: type the Base URL.",
            );
            let base = if d.base_url.is_empty() {
                "https://api.example.com".to_owned()
            } else {
                d.base_url.clone()
            };
            st.services
                .connectors
                .operation_params(c, doc, &key, Some(&base))
                .await?
                .1
        }
        Err(e) => return Err(e),
    };
    d.base_url = params
        .url
        .strip_suffix(&path)
        .unwrap_or(&params.url)
        .to_owned();
    d.fill_from(&params);
    Ok(())
}

/// Imports the document of the Create OpenAPI dialog (an uploaded file, else the
/// URL); answers whether it did, the reason being in `problems` when not.
async fn import(
    st: &AppState,
    p: &Posted,
    d: &mut Draft,
    problems: &mut Problems,
) -> Result<bool, ServiceError> {
    let file = p.uploads.iter().find(|u| u.field == "doc_file");
    let source = match (file, d.doc_url.is_empty()) {
        (Some(f), _) => ImportSource::Text(f.bytes.clone()),
        (None, false) => ImportSource::Url(d.doc_url.clone()),
        (None, true) => {
            problems.set("doc_url", "Give the specification's URL, or choose a file.");
            return Ok(false);
        }
    };
    let name = Some(d.doc_name.trim().to_owned()).filter(|n| !n.is_empty());
    match st
        .services
        .documents
        .import(p.user.caller(), name, source)
        .await
    {
        Ok(doc) => {
            d.document = doc.id.to_string();
            d.endpoint.clear();
            d.dialog.clear();
            d.doc_name.clear();
            d.doc_url.clear();
            Ok(true)
        }
        Err(e @ ServiceError::Invalid { .. }) => {
            let at = if file.is_some() {
                "doc_file"
            } else {
                "doc_url"
            };
            problems.set(at, e.to_string());
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

fn empty_row() -> Row {
    Row {
        ty: "string".into(),
        ..Row::default()
    }
}

/// One step of the form.
async fn step(st: &AppState, p: Posted, t: Target) -> Response {
    if let Some(r) = refused(&p.user) {
        return r;
    }
    let mut d = Draft::from_fields(&p.fields);
    let action = p.fields.get("_action");
    let (verb, arg) = action.split_once(':').unwrap_or((&action, ""));
    let mut problems = Problems::default();
    let mut shown = None;
    let mut notice = String::new();
    let c = p.user.caller();
    let connectors = &st.services.connectors;
    let index = arg.parse::<usize>().ok();
    match verb {
        "document" => d.endpoint.clear(),
        "endpoint" => {
            if let Err(e) = choose_endpoint(st, &p.user, &mut d, &mut problems).await {
                return service_error_page(Some(&p.user), e);
            }
        }
        "manage-openapi" => d.dialog = "openapi".into(),
        "new-openapi" => d.dialog = "create-openapi".into(),
        "close-dialog" => d.dialog.clear(),
        "use-document" => {
            d.document = arg.to_owned();
            d.endpoint.clear();
            d.dialog.clear();
        }
        "create-openapi" => match import(st, &p, &mut d, &mut problems).await {
            Ok(true) => notice = "The specification is imported and selected.".into(),
            Ok(false) => {}
            Err(e) => return service_error_page(Some(&p.user), e),
        },
        "add-header" => d.headers.push(empty_row()),
        "add-query" => d.query.push(empty_row()),
        "add-path" => d.path.push(empty_row()),
        "remove-header" | "remove-query" | "remove-path" => {
            let list = match verb {
                "remove-header" => &mut d.headers,
                "remove-query" => &mut d.query,
                _ => &mut d.path,
            };
            if let Some(i) = index.filter(|i| *i < list.len()) {
                list.remove(i);
            }
        }
        "preview" => {
            match connectors
                .preview_draft(c, t.editing, d.connector(), &d.sample_values())
                .await
            {
                Ok(pv) => shown = Some(shown_preview(&pv.request)),
                Err(e @ (ServiceError::Invalid { .. } | ServiceError::Forbidden(_))) => {
                    cannot_build(&mut problems, &e, &d.kind)
                }
                Err(e) => return service_error_page(Some(&p.user), e),
            }
        }
        "test" => {
            match connectors
                .test_draft(c, t.editing, d.connector(), &d.sample_values())
                .await
            {
                Ok(o) => {
                    shown = Some(Shown {
                        title: "Response".into(),
                        first_line: format!("Status {}", o.status),
                        headers: o.headers.into_iter().collect(),
                        body: body_text(&o.body),
                    })
                }
                Err(e @ (ServiceError::Invalid { .. } | ServiceError::Forbidden(_))) => {
                    cannot_build(&mut problems, &e, &d.kind)
                }
                Err(e) => problems.set("preview", format!("The call failed: {e}")),
            }
        }
        "save" => {
            if d.kind == "openapi" && d.route().is_none() {
                problems.set("endpoint", "Choose an endpoint of the specification.");
            } else {
                let saved = match t.editing {
                    None => connectors.create(c, d.connector()).await,
                    Some(id) => {
                        let n = d.connector();
                        let update = ConnectorUpdate {
                            name: Some(n.name),
                            description: Some(n.description),
                            params: Some(n.params),
                            config: None,
                            auth_id: Some(n.auth_id),
                        };
                        connectors.update(c, id, update).await
                    }
                };
                match saved {
                    Ok(v) => return see_other(&format!("/admin/api-connectors/{}", v.row.id)),
                    Err(e @ ServiceError::Invalid { .. }) => {
                        problems.set(place(&e, &d.kind), e.to_string())
                    }
                    Err(e) => return service_error_page(Some(&p.user), e),
                }
            }
        }
        _ => {}
    }
    page(st, &p.user, &t, d, shown, problems, notice).await
}

pub async fn new(State(st): State<AppState>, user: WebUser) -> Response {
    if let Some(r) = refused(&user) {
        return r;
    }
    let t = Target {
        editing: None,
        heading: "New API connector".into(),
    };
    let d = Draft {
        kind: "custom".into(),
        method: "GET".into(),
        ..Draft::default()
    };
    page(&st, &user, &t, d, None, Problems::default(), String::new()).await
}

pub async fn post_new(State(st): State<AppState>, p: Posted) -> Response {
    let t = Target {
        editing: None,
        heading: "New API connector".into(),
    };
    step(&st, p, t).await
}

async fn target(
    st: &AppState,
    user: &WebUser,
    id: &str,
) -> Result<(Target, ConnectorView), Response> {
    if let Some(r) = refused(user) {
        return Err(r);
    }
    let id: ApiConnectorId = id.parse().map_err(|_| not_found_page())?;
    let v = st
        .services
        .connectors
        .get(user.caller(), id)
        .await
        .map_err(|e| service_error_page(Some(user), e))?;
    Ok((
        Target {
            editing: Some(id),
            heading: format!("Edit {}", v.row.name),
        },
        v,
    ))
}

pub async fn edit(State(st): State<AppState>, Path(id): Path<String>, user: WebUser) -> Response {
    match target(&st, &user, &id).await {
        Ok((t, v)) => {
            let d = Draft::from_view(&v);
            page(&st, &user, &t, d, None, Problems::default(), String::new()).await
        }
        Err(r) => r,
    }
}

pub async fn post_edit(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    match target(&st, &p.user, &id).await {
        Ok((t, _)) => step(&st, p, t).await,
        Err(r) => r,
    }
}
