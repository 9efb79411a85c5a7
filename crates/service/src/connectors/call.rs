//! Calling connectors: a connector made ready (parsed, compiled, its credential
//! opened) and remembered per store generation, so a repeated call reads nothing
//! from the database; the call itself, recorded in the call log; the dry run that
//! shows the request with every secret masked; and reading the log.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use sigil_connect::connector::{CallConfig, Compiled, Config, Params, Prepared};
use sigil_connect::credential::UsableCredential;
use sigil_connect::engine::{Call, CallError, CallOutcome};
use sigil_core::{clock, ApiCallId, ApiConnectorId, MemberId, Permission};
use sigil_store::{ApiCall, ApiConnector};

use super::{Connectors, NewConnector};
use crate::api_credentials::display_name;
use crate::caller::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{cut_page, page_size_of, TokenList};

/// A connector ready to call.
pub struct Ready {
    pub row: ApiConnector,
    pub compiled: Compiled,
    pub config: CallConfig,
    pub credential: Option<UsableCredential>,
}

impl Ready {
    /// The request for these parameter values; a bad value is the caller's error.
    fn request(&self, values: &BTreeMap<String, Value>) -> ServiceResult<Prepared> {
        self.compiled
            .render(values)
            .map_err(|e| ServiceError::invalid_field("parameters", e.to_string()))
    }

    /// Every dynamic parameter and its type's name.
    pub fn parameters(&self) -> BTreeMap<String, String> {
        self.compiled
            .parameters()
            .iter()
            .map(|(k, t)| (k.clone(), t.as_str().to_owned()))
            .collect()
    }
}

/// What an upstream answered.
pub type CallResult = CallOutcome;

/// The request a call would send, secrets masked, and the parameters it takes.
#[derive(Debug, Clone)]
pub struct Preview {
    /// `method`, `url`, `headers` (`[{key, value}]`) and `body`.
    pub request: Value,
    /// Every dynamic parameter and its type.
    pub parameters: BTreeMap<String, String>,
}

/// A secret as it may appear in a request: as it is, URL-encoded (in a query or a
/// form), and base64 (in a Basic header, alone or after a user name). Longest first,
/// so that a secret inside another is not masked half.
fn secret_forms(secrets: &[&str]) -> Vec<String> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut forms: Vec<String> = Vec::new();
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        forms.push((*s).to_owned());
        forms.push(url::form_urlencoded::byte_serialize(s.as_bytes()).collect());
        forms.push(
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
                .to_string(),
        );
        forms.push(b64.encode(s));
    }
    // The credential's own header is masked whole by the engine's preview; these are
    // for secrets the connector wrote into its own values.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// Masks the values of headers and query parameters whose names look like secrets
/// (`authorization`, `*token*`, `*key*`, `*secret*`, `*password*`) in a preview.
fn mask_named_secrets(preview: &mut Value) {
    if let Some(headers) = preview.get_mut("headers").and_then(Value::as_array_mut) {
        for h in headers {
            let secret = h
                .get("key")
                .and_then(Value::as_str)
                .is_some_and(super::looks_secret);
            if secret && h.get("value").and_then(Value::as_str) != Some(super::MASK) {
                // Keep a scheme word ("Bearer ****") where there is one.
                let masked = match h["value"].as_str().and_then(|v| v.split_once(' ')) {
                    Some((scheme, _)) if !scheme.is_empty() => format!("{scheme} {}", super::MASK),
                    _ => super::MASK.to_owned(),
                };
                h["value"] = Value::String(masked);
            }
        }
    }
    if let Some(url) = preview.get("url").and_then(Value::as_str) {
        if let Ok(mut u) = url::Url::parse(url) {
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .map(|(k, v)| {
                    let v = if super::looks_secret(&k) {
                        super::MASK.to_owned()
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            if !pairs.is_empty() {
                u.query_pairs_mut().clear().extend_pairs(pairs);
                preview["url"] = Value::String(u.to_string());
            }
        }
    }
}

/// Replaces every form of every secret in the string values of `v` with `****`.
fn mask(v: &mut Value, forms: &[String]) {
    match v {
        Value::String(s) => {
            for f in forms {
                if s.contains(f.as_str()) {
                    *s = s.replace(f.as_str(), "****");
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| mask(x, forms)),
        Value::Object(o) => o.values_mut().for_each(|x| mask(x, forms)),
        _ => {}
    }
}

fn call_error(e: CallError) -> ServiceError {
    let m = e.to_string();
    match e {
        CallError::Policy(_) => ServiceError::forbidden(format!("the call is refused: {m}")),
        CallError::Timeout(_) => ServiceError::Upstream {
            timed_out: true,
            message: m,
        },
        CallError::RateLimited { .. } => ServiceError::RateLimited(m),
        CallError::Unsupported(_) => ServiceError::invalid(m),
        CallError::TooLarge(_)
        | CallError::TooManyRedirects(_)
        | CallError::BadRedirect(_)
        | CallError::Token(_)
        | CallError::Transport(_) => ServiceError::Upstream {
            timed_out: false,
            message: m,
        },
    }
}

impl Connectors {
    /// The connector `id`, ready to call.
    pub async fn ready(&self, id: ApiConnectorId) -> ServiceResult<Arc<Ready>> {
        self.ready
            .get_or_load(self.store.as_ref(), id, || self.load_ready(id))
            .await
    }

    async fn load_ready(&self, id: ApiConnectorId) -> ServiceResult<Arc<Ready>> {
        let row = self.live(id).await?;
        let stored =
            |e: String| ServiceError::internal(anyhow::anyhow!("stored connector {id}: {e}"));
        let params: Params = serde_json::from_str(&row.params).map_err(ServiceError::internal)?;
        let compiled = params.compile().map_err(|e| stored(e.to_string()))?;
        let config: Config = serde_json::from_str(&row.config).map_err(ServiceError::internal)?;
        let config = config.check().map_err(|e| stored(e.to_string()))?;
        let credential = match row.auth_id {
            None => None,
            Some(a) => {
                let c = self
                    .store
                    .api_credential(a)
                    .await?
                    .filter(|c| !c.is_archived)
                    .ok_or_else(|| {
                        ServiceError::invalid(format!(
                            "the connector's credential `{a}` was deleted; give it another authId"
                        ))
                    })?;
                Some(self.credentials.usable(&c)?)
            }
        };
        Ok(Arc::new(Ready {
            row,
            compiled,
            config,
            credential,
        }))
    }

    /// Calls a ready connector with `values` as `member`, and records the call.
    pub async fn call_ready(
        &self,
        ready: &Ready,
        member: MemberId,
        values: &BTreeMap<String, Value>,
    ) -> ServiceResult<CallOutcome> {
        let started = std::time::Instant::now();
        let result = self.send(ready, &ready.row.id.to_string(), values).await?;
        let base = ApiCall {
            // Time-ordered, so that calls in the same millisecond list in order.
            id: ApiCallId::from(uuid::Uuid::now_v7()),
            connector_id: ready.row.id,
            member_id: member,
            at: clock::now(),
            status: None,
            error: None,
            duration_ms: 0.0,
            bytes_sent: 0,
            bytes_received: 0,
            response_body: None,
        };
        let record = match &result {
            Ok(o) => ApiCall {
                status: Some(o.status),
                duration_ms: o.duration_ms,
                bytes_sent: o.bytes_sent,
                bytes_received: o.bytes_received,
                response_body: self.record_response_bodies.then(|| o.body.to_string()),
                ..base
            },
            Err(e) => ApiCall {
                error: Some(e.to_string()),
                duration_ms: started.elapsed().as_secs_f64() * 1000.0,
                ..base
            },
        };
        self.audit.record(record);
        result.map_err(call_error)
    }

    /// Sends the connector's request with these parameter values and answers what the
    /// upstream answered, whatever its status. Needs `trigger-api-actions`.
    pub async fn call(
        &self,
        caller: &Caller,
        id: ApiConnectorId,
        values: &BTreeMap<String, Value>,
    ) -> ServiceResult<CallOutcome> {
        caller.require(Permission::TriggerApiActions)?;
        let ready = self.ready(id).await?;
        self.call_ready(&ready, caller.id(), values).await
    }

    /// The request the call would send, with every secret masked; nothing is sent.
    pub async fn preview(
        &self,
        caller: &Caller,
        id: ApiConnectorId,
        values: &BTreeMap<String, Value>,
    ) -> ServiceResult<Preview> {
        caller.require_either(
            Permission::ManageApiConnectors,
            Permission::TriggerApiActions,
        )?;
        let ready = self.ready(id).await?;
        preview_of(&ready, values)
    }

    /// A connector not saved yet (a form's), made ready; with `editing`, static values
    /// sent back masked keep the ones stored in that connector.
    async fn draft(
        &self,
        caller: &Caller,
        editing: Option<ApiConnectorId>,
        req: NewConnector,
    ) -> ServiceResult<Ready> {
        caller.require(Permission::ManageApiConnectors)?;
        let name = display_name(&req.name).unwrap_or_else(|_| "draft".to_owned());
        let stored: Option<Params> = match editing {
            Some(id) => Some(
                serde_json::from_str(&self.live(id).await?.params)
                    .map_err(ServiceError::internal)?,
            ),
            None => None,
        };
        let (params, compiled) = super::parse_params_keeping(req.params, stored.as_ref())?;
        let (config, checked) = super::parse_config(req.config)?;
        let credential = match &req.auth_id {
            Some(a) => {
                let row = self.check_auth(a, &compiled).await?;
                Some(self.credentials.usable(&row)?)
            }
            None => None,
        };
        let now = clock::now();
        Ok(Ready {
            row: ApiConnector {
                id: editing.unwrap_or_default(),
                name,
                description: req.description,
                auth_id: None,
                params: serde_json::to_string(&params).map_err(ServiceError::internal)?,
                config: serde_json::to_string(&config).map_err(ServiceError::internal)?,
                is_archived: false,
                created_by: caller.id(),
                updated_by: caller.id(),
                created_at: now,
                updated_at: now,
            },
            compiled,
            config: checked,
            credential,
        })
    }

    /// The request a connector not saved yet would send, secrets masked.
    pub async fn preview_draft(
        &self,
        caller: &Caller,
        editing: Option<ApiConnectorId>,
        req: NewConnector,
        values: &BTreeMap<String, Value>,
    ) -> ServiceResult<Preview> {
        let ready = self.draft(caller, editing, req).await?;
        preview_of(&ready, values)
    }

    /// Sends the request of a connector not saved yet, for real, and answers what the
    /// upstream answered. Not in the call log, which belongs to saved connectors.
    pub async fn test_draft(
        &self,
        caller: &Caller,
        editing: Option<ApiConnectorId>,
        req: NewConnector,
        values: &BTreeMap<String, Value>,
    ) -> ServiceResult<CallOutcome> {
        let ready = self.draft(caller, editing, req).await?;
        tracing::info!(member = %caller.id(), url = %ready.compiled.host(), "a connector's form sent a test call");
        self.send(&ready, &format!("draft:{}", caller.id()), values)
            .await?
            .map_err(call_error)
    }

    /// Sends `ready`'s request for `values`; `key` names whose rate limit it counts
    /// against. A bad value is an error before anything is sent.
    async fn send(
        &self,
        ready: &Ready,
        key: &str,
        values: &BTreeMap<String, Value>,
    ) -> ServiceResult<Result<CallOutcome, CallError>> {
        let request = ready.request(values)?;
        Ok(self
            .engine
            .call(Call {
                connector_key: key,
                request,
                credential: ready.credential.as_ref(),
                config: &ready.config,
            })
            .await)
    }
}

/// The request `ready` would send with `values`, with every secret masked.
fn preview_of(ready: &Ready, values: &BTreeMap<String, Value>) -> ServiceResult<Preview> {
    let request = ready.request(values)?;
    let mut preview =
        sigil_connect::engine::preview(&request, ready.credential.as_ref().map(|c| &c.credential));
    // A secret written into the connector's own static values is masked as well,
    // inside each value (never in the serialized text, which a secret such as `:`
    // would break), in the forms it travels in.
    if let Some(c) = &ready.credential {
        let forms = secret_forms(&c.credential.secrets());
        mask(&mut preview, &forms);
    }
    // Static values whose name says they are secrets are masked whoever asks.
    mask_named_secrets(&mut preview);
    Ok(Preview {
        request: preview,
        parameters: ready.parameters(),
    })
}

impl Connectors {
    /// A connector's calls, newest first. Needs `manage-api-connectors`.
    pub async fn calls(
        &self,
        caller: &Caller,
        id: ApiConnectorId,
        page_token: Option<&str>,
        page_size: Option<&str>,
    ) -> ServiceResult<TokenList<ApiCall>> {
        caller.require(Permission::ManageApiConnectors)?;
        let connector = self.live(id).await?;
        let size = page_size_of(page_size)?;
        let before = match page_token {
            None => None,
            Some(t) => Some(ApiCallId::from(uuid::Uuid::parse_str(t).map_err(|_| {
                ServiceError::invalid_field(
                    "pageToken",
                    format!("pageToken `{t}` is not one sigil issued"),
                )
            })?)),
        };
        let rows = self
            .store
            .list_api_calls(connector.id, before, size + 1)
            .await?;
        Ok(cut_page(rows, size, |c| c.id.to_string()))
    }
}
