//! The New credential and edit-credential forms: name, description, authorized
//! domains and an authentication method with its own fields. Every method's fields
//! are on the page (our script shows only the chosen one's); only the chosen
//! method's are read. A stored secret is never shown: its field is empty, and left
//! empty it keeps the secret.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{json, Map, Value};
use sigil_core::ApiCredentialId;
use sigil_service::api_credentials::{ApiCredentialUpdate, NewApiCredential};
use sigil_service::{ApiCredential, ServiceError};

use super::refused;
use crate::state::AppState;
use crate::web::session::{Fields, Posted, WebUser};
use crate::web::{not_found_page, render_status, see_other, service_error_page, Chrome, Problem};

/// How a field of a method is typed and turned into JSON.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Url,
    Secret,
    /// Several, separated by spaces, commas or new lines.
    Scopes,
    /// `accessTokenAuthMethod`: `httpBasic` or `requestBody`.
    SendAs,
    /// `isQueryParam`.
    KeyIn,
}

pub struct FieldSpec {
    key: &'static str,
    label: &'static str,
    kind: Kind,
    optional: bool,
}

pub struct MethodSpec {
    pub value: &'static str,
    pub label: &'static str,
    fields: &'static [FieldSpec],
}

const fn f(key: &'static str, label: &'static str, kind: Kind) -> FieldSpec {
    FieldSpec {
        key,
        label,
        kind,
        optional: false,
    }
}

const fn opt(key: &'static str, label: &'static str, kind: Kind) -> FieldSpec {
    FieldSpec {
        key,
        label,
        kind,
        optional: true,
    }
}

/// The methods, in the order the select offers them.
pub const METHODS: &[MethodSpec] = &[
    MethodSpec {
        value: "oAuthClientCredentials",
        label: "OAuth (client credentials)",
        fields: &[
            f("clientId", "Client ID", Kind::Text),
            f("clientSecret", "Client secret", Kind::Secret),
            f("accessTokenUrl", "Access token URL", Kind::Url),
            opt("scopes", "Scopes", Kind::Scopes),
            f(
                "accessTokenAuthMethod",
                "Send client credentials as",
                Kind::SendAs,
            ),
        ],
    },
    MethodSpec {
        value: "apiKey",
        label: "API key",
        fields: &[
            f("key", "Key", Kind::Text),
            f("value", "Value", Kind::Secret),
            f("isQueryParam", "Add to", Kind::KeyIn),
        ],
    },
    MethodSpec {
        value: "basic",
        label: "Basic auth",
        fields: &[
            f("username", "Username", Kind::Text),
            f("password", "Password", Kind::Secret),
        ],
    },
    MethodSpec {
        value: "bearer",
        label: "Bearer token",
        fields: &[f("token", "Token", Kind::Secret)],
    },
    MethodSpec {
        value: "oAuthPasswordCredentials",
        label: "OAuth (password)",
        fields: &[
            f("username", "Username", Kind::Text),
            f("password", "Password", Kind::Secret),
            f("accessTokenUrl", "Access token URL", Kind::Url),
            opt("clientId", "Client ID", Kind::Text),
            opt("clientSecret", "Client secret", Kind::Secret),
            opt("scopes", "Scopes", Kind::Scopes),
            f(
                "accessTokenAuthMethod",
                "Send client credentials as",
                Kind::SendAs,
            ),
        ],
    },
    MethodSpec {
        value: "oAuthAuthorizationCode",
        label: "OAuth (authorization code)",
        fields: &[
            f("clientId", "Client ID", Kind::Text),
            f("clientSecret", "Client secret", Kind::Secret),
            f("authorizationUrl", "Authorization URL", Kind::Url),
            f("accessTokenUrl", "Access token URL", Kind::Url),
            opt("scopes", "Scopes", Kind::Scopes),
            f(
                "accessTokenAuthMethod",
                "Send client credentials as",
                Kind::SendAs,
            ),
        ],
    },
    MethodSpec {
        value: "awsSigV4",
        label: "AWS Signature Version 4",
        fields: &[
            f("accessKeyId", "Access key ID", Kind::Text),
            f("secretAccessKey", "Secret access key", Kind::Secret),
            opt("region", "Region", Kind::Text),
            opt("service", "Service", Kind::Text),
            opt("sessionToken", "Session token", Kind::Secret),
        ],
    },
];

/// One field as the page shows it.
pub struct FieldView {
    pub id: String,
    pub name: String,
    pub label: &'static str,
    /// `text`, `url`, `secret`, `scopes`, `send-as` or `key-in`.
    pub kind: &'static str,
    pub value: String,
    pub required: bool,
    pub error: String,
}

pub struct MethodView {
    pub value: &'static str,
    pub label: &'static str,
    pub chosen: bool,
    pub fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "admin/connectors/credential.html")]
struct Form {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    heading: String,
    action: String,
    editing: bool,
    name: String,
    description: String,
    domains: String,
    methods: Vec<MethodView>,
    problem: Problem,
}

fn input_name(method: &str, key: &str) -> String {
    format!("m.{method}.{key}")
}

fn kind_str(k: Kind) -> &'static str {
    match k {
        Kind::Text => "text",
        Kind::Url => "url",
        Kind::Secret => "secret",
        Kind::Scopes => "scopes",
        Kind::SendAs => "send-as",
        Kind::KeyIn => "key-in",
    }
}

/// What the form shows: typed values, or (editing, on first view) the stored
/// credential's public part.
struct Values {
    name: String,
    description: String,
    domains: String,
    method: String,
    fields: Fields,
}

impl Values {
    fn typed(f: &Fields) -> Self {
        Values {
            name: f.get("name"),
            description: f.get("description"),
            domains: f.get("domains"),
            method: f.get("method"),
            fields: f.clone(),
        }
    }

    fn stored(c: &ApiCredential) -> Self {
        let public: Value = serde_json::from_str(&c.public).unwrap_or(Value::Null);
        let mut fields = Vec::new();
        if let Some(obj) = public.get(&c.auth_method).and_then(Value::as_object) {
            for (k, v) in obj {
                let text = match (k.as_str(), v) {
                    ("scopes", Value::Array(a)) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                    ("isQueryParam", Value::Bool(q)) => {
                        if *q { "query" } else { "header" }.to_owned()
                    }
                    (_, Value::String(s)) => s.clone(),
                    _ => continue,
                };
                fields.push((input_name(&c.auth_method, k), text));
            }
        }
        Values {
            name: c.name.clone(),
            description: c.description.clone().unwrap_or_default(),
            domains: c.allowlist.join("\n"),
            method: c.auth_method.clone(),
            fields: Fields(fields),
        }
    }
}

/// `domains` as a list: separated by commas or new lines.
fn domains(text: &str) -> Vec<String> {
    text.split([',', '\n', '\r'])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The chosen method's fields as the credential JSON the service takes.
fn credential_json(f: &Fields) -> Value {
    let method = f.get("method");
    let Some(spec) = METHODS.iter().find(|m| m.value == method) else {
        return json!({});
    };
    let mut obj = Map::new();
    for fs in spec.fields {
        let raw = f.get(&input_name(spec.value, fs.key));
        let v = match fs.kind {
            Kind::Scopes => Value::Array(
                raw.split([' ', ',', '\n', '\r', '\t'])
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ),
            Kind::SendAs => Value::String(if raw == "requestBody" {
                "requestBody".into()
            } else {
                "httpBasic".into()
            }),
            Kind::KeyIn => Value::Bool(raw == "query"),
            Kind::Secret if raw.is_empty() => continue,
            Kind::Text | Kind::Url | Kind::Secret => {
                let t = if fs.kind == Kind::Secret {
                    raw
                } else {
                    raw.trim().to_owned()
                };
                if t.is_empty() && fs.optional {
                    continue;
                }
                Value::String(t)
            }
        };
        obj.insert(fs.key.to_owned(), v);
    }
    json!({"authMethod": spec.value, spec.value: obj})
}

/// The form field a service error names: `credential.basic.username` is the
/// `m.basic.username` input, `allowlist` the Authorized domains.
fn field_of(e: &ServiceError) -> String {
    match e.field() {
        Some("name") => "name".into(),
        Some("allowlist") => "domains".into(),
        Some("credential.authMethod") => "method".into(),
        Some(f) => match f.strip_prefix("credential.") {
            Some(rest) if rest.contains('.') => format!("m.{rest}"),
            _ => "_".into(),
        },
        None => "_".into(),
    }
}

fn form_page(
    user: &WebUser,
    editing: Option<&ApiCredential>,
    v: Values,
    problem: Problem,
) -> Response {
    let method = if v.method.is_empty() {
        METHODS[0].value.to_owned()
    } else {
        v.method.clone()
    };
    let methods = METHODS
        .iter()
        .map(|m| MethodView {
            value: m.value,
            label: m.label,
            chosen: m.value == method,
            fields: m
                .fields
                .iter()
                .map(|fs| {
                    let name = input_name(m.value, fs.key);
                    let value = if fs.kind == Kind::Secret {
                        // A secret is never sent back to the browser, typed or stored.
                        String::new()
                    } else {
                        v.fields.get(&name)
                    };
                    FieldView {
                        id: format!("f-{}-{}", m.value, fs.key),
                        error: if problem.field == name {
                            problem.message.clone()
                        } else {
                            String::new()
                        },
                        required: !(fs.optional || (fs.kind == Kind::Secret && editing.is_some())),
                        label: fs.label,
                        kind: kind_str(fs.kind),
                        name,
                        value,
                    }
                })
                .collect(),
        })
        .collect();
    let (heading, action) = match editing {
        Some(c) => (
            c.name.clone(),
            format!("/admin/api-connectors/credentials/{}", c.id),
        ),
        None => (
            "New credential".to_owned(),
            "/admin/api-connectors/credentials/new".to_owned(),
        ),
    };
    render_status(
        problem.status(),
        &Form {
            chrome: Chrome::new(heading.clone(), Some(user)),
            section: "api-connectors",
            csrf: user.session.csrf.clone(),
            heading,
            action,
            editing: editing.is_some(),
            name: v.name,
            description: v.description,
            domains: v.domains,
            methods,
            problem,
        },
    )
}

fn problem_of(e: &ServiceError) -> Problem {
    Problem {
        field: field_of(e),
        message: e.to_string(),
    }
}

pub async fn new(user: WebUser) -> Response {
    if let Some(r) = refused(&user) {
        return r;
    }
    let v = Values {
        name: String::new(),
        description: String::new(),
        domains: String::new(),
        method: String::new(),
        fields: Fields::default(),
    };
    form_page(&user, None, v, Problem::none())
}

pub async fn create(State(st): State<AppState>, p: Posted) -> Response {
    if let Some(r) = refused(&p.user) {
        return r;
    }
    let f = &p.fields;
    let input = NewApiCredential {
        name: f.get("name"),
        description: f.opt("description"),
        allowlist: domains(&f.get("domains")),
        credential: credential_json(f),
    };
    match st
        .services
        .api_credentials
        .create(p.user.caller(), input)
        .await
    {
        Ok(_) => see_other("/admin/api-connectors/credentials"),
        Err(e @ ServiceError::Invalid { .. }) => {
            form_page(&p.user, None, Values::typed(f), problem_of(&e))
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

async fn load(st: &AppState, user: &WebUser, id: &str) -> Result<ApiCredential, Response> {
    if let Some(r) = refused(user) {
        return Err(r);
    }
    let id: ApiCredentialId = id.parse().map_err(|_| not_found_page())?;
    st.services
        .api_credentials
        .get(user.caller(), id)
        .await
        .map_err(|e| service_error_page(Some(user), e))
}

pub async fn edit(State(st): State<AppState>, Path(id): Path<String>, user: WebUser) -> Response {
    match load(&st, &user, &id).await {
        Ok(c) => form_page(&user, Some(&c), Values::stored(&c), Problem::none()),
        Err(r) => r,
    }
}

pub async fn update(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let stored = match load(&st, &p.user, &id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let f = &p.fields;
    let update = ApiCredentialUpdate {
        name: Some(f.get("name")),
        description: Some(f.opt("description")),
        allowlist: Some(domains(&f.get("domains"))),
        credential: Some(credential_json(f)),
        keep_secrets: true,
    };
    match st
        .services
        .api_credentials
        .update(p.user.caller(), stored.id, update)
        .await
    {
        Ok(_) => see_other("/admin/api-connectors/credentials"),
        Err(e @ ServiceError::Invalid { .. }) => {
            form_page(&p.user, Some(&stored), Values::typed(f), problem_of(&e))
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

#[cfg(test)]
mod tests {
    use super::{Kind, METHODS};
    use sigil_service::connectors::SECRET_FIELDS;

    /// The form's secret fields (never shown, kept when left empty) are exactly the
    /// credential's.
    #[test]
    fn the_forms_secret_fields_are_the_credentials() {
        let mut form: Vec<(&str, &str)> = METHODS
            .iter()
            .flat_map(|m| {
                m.fields
                    .iter()
                    .filter(|f| f.kind == Kind::Secret)
                    .map(move |f| (m.value, f.key))
            })
            .collect();
        let mut credential = SECRET_FIELDS.to_vec();
        form.sort();
        credential.sort();
        assert_eq!(form, credential);
    }
}
