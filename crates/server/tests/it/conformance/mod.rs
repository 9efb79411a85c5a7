//! The conformance test, driven by Sigma's reference document
//! (`sigma-rest-api-2026-08.json`): for every operation sigil's `/openapi.json` and
//! Sigma's document both have, on a seeded server, every documented query parameter
//! is accepted with valid values (every enum value, arrays as repeated keys), every
//! documented request-body property is accepted (every enum value and `oneOf` branch
//! across variants), and every response has every property its documented schema
//! declares, with its type and enum. Operations are found by matching the two
//! documents, so one sigil adds later is covered without touching this file; what
//! sigil deliberately does not honour is in [`exceptions`], and in the README.

mod exceptions;
mod schema;
mod world;

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::Value;

use crate::common::{json_of, reference, TestApp};
use schema::{check, plain, variants, Fill, Generator, Reference};
use world::World;

/// Path templates compared without their parameter names.
fn shape(template: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { "{}" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Whether an exception written `exception` covers the location `at`: the same, or
/// a property or item below it.
fn covers(exception: &str, at: &str) -> bool {
    at == exception
        || at.starts_with(&format!("{exception}."))
        || at.starts_with(&format!("{exception}["))
}

struct Run<'a> {
    app: &'a TestApp,
    admin: String,
    reference: &'a Reference,
    serial: Cell<u64>,
    failures: RefCell<Vec<String>>,
    used: RefCell<BTreeSet<usize>>,
    unexercised: RefCell<Vec<String>>,
    requests: Cell<usize>,
}

impl Run<'_> {
    /// Whether an exception covers `at` in operation `op`, noting that it was needed.
    fn excepted(&self, op: &str, at: &str) -> bool {
        let hit = exceptions::EXCEPTIONS
            .iter()
            .position(|e| e.op == op && covers(e.at, at));
        if let Some(i) = hit {
            self.used.borrow_mut().insert(i);
        }
        hit.is_some()
    }

    fn fail(&self, op: &str, what: String) {
        self.failures.borrow_mut().push(format!("{op}: {what}"));
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> (reqwest::StatusCode, Value) {
        self.requests.set(self.requests.get() + 1);
        let mut url = reqwest::Url::parse(&self.app.url(path)).unwrap();
        for (k, v) in query {
            url.query_pairs_mut().append_pair(k, v);
        }
        let mut req = self
            .app
            .http
            .request(
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                url,
            )
            .bearer_auth(&self.admin);
        if let Some(b) = body {
            req = req.json(b);
        }
        json_of(req.send().await.unwrap()).await
    }

    /// Sends one request and checks its answer against the documented response.
    #[allow(clippy::too_many_arguments)]
    async fn exercise(
        &self,
        op_id: &str,
        op: &Value,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
        label: &str,
    ) -> Option<Value> {
        let (status, got) = self.send(method, path, query, body).await;
        let what = || {
            let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("{method} {path}?{} [{label}]", q.join("&"))
        };
        if !status.is_success() {
            let sent = body.map(Value::to_string).unwrap_or_default();
            self.fail(
                op_id,
                format!("{} refused: {status} {got}; body {sent}", what()),
            );
            return None;
        }
        let responses = &op["responses"];
        let Some(documented) = responses.get(status.as_str()) else {
            let codes: Vec<&String> = responses.as_object().unwrap().keys().collect();
            self.fail(
                op_id,
                format!("{} answered {status}, documented {codes:?}", what()),
            );
            return None;
        };
        let documented = self.reference.resolve(documented);
        if let Some(s) = documented.pointer("/content/application~1json/schema") {
            let mut seen = BTreeSet::new();
            let excused = |at: &str| {
                exceptions::EXCEPTIONS
                    .iter()
                    .any(|e| e.op == op_id && covers(e.at, &format!("response:{at}")))
            };
            for (at, message) in check(self.reference, &got, s, "", &excused) {
                if !self.excepted(op_id, &format!("response:{at}")) && seen.insert(at.clone()) {
                    self.fail(op_id, format!("{}: response {at}: {message}", what()));
                }
            }
        }
        Some(got)
    }

    fn concrete(&self, op_id: &str, template: &str, world: &World) -> Option<String> {
        let mut out = Vec::new();
        for seg in template.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                match world.path_param(template, name) {
                    Some(v) => out.push(v),
                    None => {
                        if !self.excepted(op_id, "") {
                            self.fail(
                                op_id,
                                format!("the world has no value for path parameter {name}"),
                            );
                        }
                        return None;
                    }
                }
            } else {
                out.push(seg.to_owned());
            }
        }
        Some(out.join("/"))
    }

    async fn world(&self) -> World {
        World::seed(self.app, &self.admin, &self.serial).await
    }

    /// Every query variant: one request per valid value of each parameter, alone.
    fn query_variants(&self, op_id: &str, op: &Value, world: &World) -> Vec<Vec<(String, String)>> {
        let mut out = vec![Vec::new()];
        for p in op["parameters"].as_array().into_iter().flatten() {
            let p = self.reference.resolve(p);
            if p["in"] != "query" {
                continue;
            }
            let name = p["name"].as_str().unwrap();
            if matches!(name, "page" | "pageToken")
                || self.excepted(op_id, &format!("query:{name}"))
            {
                continue;
            }
            let s = self.reference.resolve(&p["schema"]);
            let mut values: Vec<String> = Vec::new();
            let mut array = false;
            let mut kinds: Vec<&Value> = vec![s];
            kinds.extend(
                s["oneOf"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|b| self.reference.resolve(b)),
            );
            for k in &kinds {
                if schema::types(k).contains(&"array") {
                    array = true;
                    kinds.push(self.reference.resolve(&k["items"]));
                    break;
                }
            }
            for k in &kinds {
                for v in k["enum"].as_array().into_iter().flatten() {
                    if !v.is_null() && !values.contains(&plain(v)) {
                        values.push(plain(v));
                    }
                }
            }
            if values.is_empty() {
                if let Some(v) = world.query_value(name) {
                    values.push(v);
                } else if kinds.iter().any(|k| schema::types(k).contains(&"boolean")) {
                    values = vec!["true".into(), "false".into()];
                } else if kinds.iter().any(|k| {
                    schema::types(k)
                        .iter()
                        .any(|t| *t == "number" || *t == "integer")
                }) {
                    values.push("1".into());
                } else {
                    values.push("conformance".into());
                }
            }
            values.retain(|v| !self.excepted(op_id, &format!("query:{name}={v}")));
            for v in &values {
                out.push(vec![(name.to_owned(), v.clone())]);
            }
            if array && values.len() > 1 {
                out.push(
                    values
                        .iter()
                        .map(|v| (name.to_owned(), v.clone()))
                        .collect(),
                );
            }
        }
        out
    }

    /// `page`/`pageToken`: the cursor a first page of one entry hands back.
    async fn cursor_variant(&self, op: &Value, path: &str) -> Option<Vec<(String, String)>> {
        let names: Vec<&str> = op["parameters"]
            .as_array()?
            .iter()
            .filter(|p| p["in"] == "query")
            .filter_map(|p| p["name"].as_str())
            .collect();
        let (cursor, size, next) = if names.contains(&"pageToken") {
            ("pageToken", "pageSize", "nextPageToken")
        } else if names.contains(&"page") {
            ("page", "limit", "nextPage")
        } else {
            return None;
        };
        let first = [(size.to_owned(), "1".to_owned())];
        let (_, got) = self.send("get", path, &first, None).await;
        let token = got[next].as_str()?.to_owned();
        Some(vec![
            (size.to_owned(), "1".to_owned()),
            (cursor.to_owned(), token),
        ])
    }

    fn body(
        &self,
        op_id: &str,
        schema: &Value,
        world: &World,
        choices: &BTreeMap<String, usize>,
    ) -> (Option<Value>, BTreeMap<String, usize>) {
        let fill = |path: &str, name: &str| {
            if self.excepted(op_id, &format!("body:{path}")) {
                Fill::Omit
            } else {
                world.body_fill(op_id, path, name, &self.serial)
            }
        };
        let skip = |at: &str| self.excepted(op_id, &format!("body:{at}"));
        let mut g = Generator {
            reference: self.reference,
            choices: choices.clone(),
            met: BTreeMap::new(),
            fill: &fill,
            skip: &skip,
            serial: &self.serial,
            stack: Vec::new(),
        };
        let v = g.value(schema, "", "");
        (v, g.met)
    }

    async fn operation(&self, template: &str, method: &str, op: &Value) {
        let op_id = op["operationId"].as_str().unwrap_or(template);
        if self.excepted(op_id, "") {
            return;
        }
        let body_schema = op
            .pointer("/requestBody/content/application~1json/schema")
            .cloned();
        let first = self.world().await;
        let Some(path) = self.concrete(op_id, template, &first) else {
            return;
        };
        let queries = self.query_variants(op_id, op, &first);
        if method == "get" {
            for q in &queries {
                self.exercise(op_id, op, method, &path, q, None, "").await;
            }
            match self.cursor_variant(op, &path).await {
                Some(q) => {
                    self.exercise(op_id, op, method, &path, &q, None, "next page")
                        .await;
                }
                None if op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|p| p["name"] == "page" || p["name"] == "pageToken") =>
                {
                    self.unexercised
                        .borrow_mut()
                        .push(format!("{op_id}: no second page to ask for"));
                }
                None => {}
            }
            return;
        }
        let bodies = match &body_schema {
            Some(s) => variants(|c| self.body(op_id, s, &first, c)),
            None => vec![(String::new(), BTreeMap::new())],
        };
        // Writes: each request on a world of its own, so one cannot spoil the next.
        let mut world = Some(first);
        for q in &queries {
            for (label, choices) in bodies
                .iter()
                .take(if q.is_empty() { usize::MAX } else { 1 })
            {
                let w = match world.take() {
                    Some(w) => w,
                    None => self.world().await,
                };
                let path = self.concrete(op_id, template, &w).unwrap();
                let body = body_schema
                    .as_ref()
                    .map(|s| self.body(op_id, s, &w, choices).0.unwrap_or(Value::Null));
                self.exercise(op_id, op, method, &path, q, body.as_ref(), label)
                    .await;
            }
        }
    }
}

/// The README's table of exceptions has one row per entry of [`exceptions`], and no
/// other.
fn readme_lists_the_exceptions(run: &Run<'_>) {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md"))
        .expect("README.md");
    let rows: BTreeSet<(String, String, String)> = readme
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.strip_prefix("| `")?.splitn(3, " | ").collect();
            let op = cells.first()?.strip_suffix('`')?;
            let at = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let why = cells.get(2)?.strip_suffix(" |")?;
            Some((op.to_owned(), at.replace("\\|", "|"), why.to_owned()))
        })
        .filter(|(_, at, _)| at.contains(':') || at.is_empty())
        .collect();
    let listed: BTreeSet<(String, String, String)> = exceptions::EXCEPTIONS
        .iter()
        .map(|e| (e.op.to_owned(), e.at.to_owned(), e.why.to_owned()))
        .collect();
    for (op, at, _) in listed.difference(&rows) {
        run.fail(
            op,
            format!("the exception `{at}` is not in the README's table as it is in exceptions.rs"),
        );
    }
    for (op, at, _) in rows.difference(&listed) {
        run.fail(
            op,
            format!("the README lists `{at}`, which exceptions.rs does not (or not so)"),
        );
    }
}

#[tokio::test]
async fn every_operation_sigil_shares_with_sigmas_document_conforms() {
    let Some(bytes) = reference("sigma-rest-api-2026-08.json") else {
        return;
    };
    let reference = Reference {
        doc: serde_json::from_slice(&bytes).unwrap(),
    };
    let app = TestApp::spawn().await;
    let (_, ours) = app.get("/openapi.json", None).await;
    let mut held = BTreeSet::new();
    for (template, item) in ours["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            held.insert((method.clone(), shape(template)));
        }
    }
    let run = Run {
        app: &app,
        admin: app.admin_token().await,
        reference: &reference,
        serial: Cell::new(0),
        failures: RefCell::new(Vec::new()),
        used: RefCell::new(BTreeSet::new()),
        unexercised: RefCell::new(Vec::new()),
        requests: Cell::new(0),
    };
    let mut shared = Vec::new();
    for (template, item) in reference.doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str())
                && held.contains(&(method.clone(), shape(template)))
            {
                shared.push(op["operationId"].as_str().unwrap_or_default().to_owned());
                run.operation(template, method, op).await;
            }
        }
    }
    assert!(
        shared.len() >= 60,
        "only {} operations matched: {shared:?}",
        shared.len()
    );
    let used = run.used.borrow();
    for (i, e) in exceptions::EXCEPTIONS.iter().enumerate() {
        if !used.contains(&i) {
            run.fail(
                e.op,
                format!(
                    "the exception for `{}` is no longer needed: remove it (and from the README)",
                    e.at
                ),
            );
        }
    }
    eprintln!(
        "conformance: {} shared operations ({}), {} requests; not exercised: {:?}",
        shared.len(),
        shared.join(" "),
        run.requests.get(),
        run.unexercised.borrow()
    );
    readme_lists_the_exceptions(&run);
    let failures = run.failures.borrow();
    assert!(
        failures.is_empty(),
        "{} conformance failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
