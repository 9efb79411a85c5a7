//! API connectors (Sigma's `/v2/api-connectors`): definitions in Sigma's
//! `params`/`config` shapes, built by hand or from an imported document's operation
//! ([`Connectors::from_operation`]); [`call`] holds calling them (the ready-connector
//! cache, the call, the dry run) and [`audit`] the call log. Managing needs
//! `manage-api-connectors`; calling needs `trigger-api-actions`.

pub mod audit;
pub mod call;

use std::sync::Arc;

use serde_json::Value;
use sigil_connect::connector::{CallConfig, Compiled, Config};
use sigil_connect::engine::Engine;
use sigil_connect::openapi;
use sigil_core::{clock, ApiConnectorId, ApiCredentialId, ApiDocumentId, Permission};
use sigil_store::{ApiConnector, ApiCredential, Store};

pub use audit::AuditLog;
pub use call::{CallResult, Preview, Ready};
pub use sigil_connect::connector::{Mode, Param, Params, METHODS};
pub use sigil_connect::credential::SECRET_FIELDS;
pub use sigil_connect::openapi::OperationKey;
pub use sigil_connect::template::{body_names, BodyTemplate, ParamType, TextTemplate};

use crate::api_credentials::{display_name, ApiCredentials};
use crate::cache::GenCache;
use crate::caller::Caller;
use crate::documents::Documents;
use crate::error::{ServiceError, ServiceResult};
use crate::paging::{token_page, TokenList, TokenPage};

/// A connector as every read answers it: its stored definition, parsed.
#[derive(Debug, Clone)]
pub struct ConnectorView {
    pub row: ApiConnector,
    pub params: Params,
    pub config: Value,
}

/// A new connector.
#[derive(Debug, Clone)]
pub struct NewConnector {
    pub name: String,
    pub description: Option<String>,
    pub params: Value,
    pub config: Option<Value>,
    /// The API credential the calls use.
    pub auth_id: Option<String>,
}

/// A change to a connector; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ConnectorUpdate {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
    pub params: Option<Value>,
    pub config: Option<Value>,
    /// `Some(None)` removes the credential.
    pub auth_id: Option<Option<String>>,
}

/// A connector built from an operation of an imported document.
#[derive(Debug, Clone, Default)]
pub struct FromOperation {
    pub document_id: ApiDocumentId,
    /// The operation, by id …
    pub operation_id: Option<String>,
    /// … or by method and path (`POST`, `/v2/teams`).
    pub method: Option<String>,
    pub path: Option<String>,
    /// Default: the operation's summary, or its method and path.
    pub name: Option<String>,
    pub description: Option<String>,
    /// Instead of the document's first server (e.g. this server's own URL).
    pub base_url: Option<String>,
    pub auth_id: Option<String>,
    pub config: Option<Value>,
}

/// What the connectors service is built from.
pub struct ConnectorsParts {
    pub store: Arc<dyn Store>,
    pub engine: Arc<Engine>,
    pub credentials: Arc<ApiCredentials>,
    pub documents: Arc<Documents>,
    pub audit: AuditLog,
    pub record_response_bodies: bool,
}

pub struct Connectors {
    store: Arc<dyn Store>,
    engine: Arc<Engine>,
    credentials: Arc<ApiCredentials>,
    documents: Arc<Documents>,
    audit: AuditLog,
    record_response_bodies: bool,
    /// Connectors ready to call: parsed, compiled, credential opened.
    ready: GenCache<ApiConnectorId, Arc<Ready>>,
}

/// Parses and compiles a connector's `params`; errors name the field.
pub fn parse_params(v: Value) -> ServiceResult<(Params, Compiled)> {
    parse_params_keeping(v, None)
}

/// [`parse_params`]; with `stored`, static values sent back masked keep the stored
/// ones (see [`keep_masked`]) before the one compilation.
fn parse_params_keeping(v: Value, stored: Option<&Params>) -> ServiceResult<(Params, Compiled)> {
    let params: Params = serde_path_to_error::deserialize(v).map_err(|e| {
        let field = format!("params.{}", e.path());
        ServiceError::invalid_field(field.clone(), format!("{field}: {}", e.inner()))
    })?;
    let params = match stored {
        Some(old) => keep_masked(params, old),
        None => params,
    };
    let compiled = params
        .compile()
        .map_err(|e| ServiceError::invalid_field(e.field.clone(), e.to_string()))?;
    Ok((params, compiled))
}

/// Parses and checks a connector's `config`; errors name the field.
pub fn parse_config(v: Option<Value>) -> ServiceResult<(Config, CallConfig)> {
    let config: Config = match v {
        None | Some(Value::Null) => Config::default(),
        Some(v) => serde_path_to_error::deserialize(v).map_err(|e| {
            let field = format!("config.{}", e.path());
            ServiceError::invalid_field(field.clone(), format!("{field}: {}", e.inner()))
        })?,
    };
    let checked = config
        .check()
        .map_err(|e| ServiceError::invalid_field(e.field.clone(), e.to_string()))?;
    Ok((config, checked))
}

/// What a secret-looking static value is answered as.
pub const MASK: &str = "****";

/// Whether a header or query parameter's name says its value is a secret.
pub fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "authorization"
        || ["token", "key", "secret", "password"]
            .iter()
            .any(|w| n.contains(w))
}

/// The static header and query values of `params` as `caller` may see them: none for
/// a member who does not manage connectors, and secret-looking ones masked for all.
fn shown_to(caller: &Caller, mut params: Params) -> Params {
    let manager = caller.has(Permission::ManageApiConnectors);
    for p in params
        .headers
        .iter_mut()
        .chain(params.query_params.iter_mut())
    {
        if p.mode == sigil_connect::connector::Mode::Static && p.value.is_some() {
            if !manager {
                p.value = None;
            } else if looks_secret(&p.key) {
                p.value = Some(MASK.to_owned());
            }
        }
    }
    params
}

/// A static value sent back as the mask keeps the one stored under the same name:
/// a client writing back what it read loses no secret.
fn keep_masked(mut incoming: Params, stored: &Params) -> Params {
    let pairs = [
        (&mut incoming.headers, &stored.headers),
        (&mut incoming.query_params, &stored.query_params),
    ];
    for (new, old) in pairs {
        for p in new.iter_mut() {
            if p.value.as_deref() == Some(MASK) {
                if let Some(o) = old.iter().find(|o| o.key.eq_ignore_ascii_case(&p.key)) {
                    p.value.clone_from(&o.value);
                }
            }
        }
    }
    incoming
}

/// A rate limit that is not set is answered as the largest one accepted, so that a
/// client writing back what it read sets no real limit.
pub const NO_RATE_LIMIT: u32 = 1_000_000;

/// A connector's `config` as Sigma answers it: every part, with the values in force
/// where none was set.
fn answered_config(stored: &str) -> ServiceResult<Value> {
    let c: Config = serde_json::from_str(stored).map_err(ServiceError::internal)?;
    let k = c
        .check()
        .map_err(|e| ServiceError::internal(anyhow::anyhow!("stored connector config: {e}")))?;
    Ok(serde_json::json!({
        "timeout": {"requestSec": k.timeout.as_secs_f64()},
        "retry": {
            "maxRetries": f64::from(k.max_retries),
            "retryableStatusCodes": k.retryable_status_codes.iter().map(|c| f64::from(*c)).collect::<Vec<_>>(),
        },
        "redirects": {"maxRedirects": f64::from(k.max_redirects)},
        "rateLimit": {"maxRequestsPerWindow": f64::from(k.max_requests_per_window.unwrap_or(NO_RATE_LIMIT))},
    }))
}

fn not_found(id: ApiConnectorId) -> ServiceError {
    ServiceError::not_found(format!("no API connector `{id}`"))
}

impl Connectors {
    pub fn new(p: ConnectorsParts) -> Self {
        Connectors {
            store: p.store,
            engine: p.engine,
            credentials: p.credentials,
            documents: p.documents,
            audit: p.audit,
            record_response_bodies: p.record_response_bodies,
            ready: GenCache::new(1_000),
        }
    }

    /// The outbound engine the calls go through.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The call log's writer.
    pub fn audit(&self) -> &AuditLog {
        &self.audit
    }

    /// The connector `id`, unless it is absent or archived.
    async fn live(&self, id: ApiConnectorId) -> ServiceResult<ApiConnector> {
        self.store
            .api_connector(id)
            .await?
            .filter(|c| !c.is_archived)
            .ok_or_else(|| not_found(id))
    }

    fn view(row: ApiConnector) -> ServiceResult<ConnectorView> {
        let params: Params = serde_json::from_str(&row.params).map_err(ServiceError::internal)?;
        let config = answered_config(&row.config)?;
        Ok(ConnectorView {
            row,
            params,
            config,
        })
    }

    /// [`view`](Self::view), with the static values `caller` may see.
    fn view_for(caller: &Caller, row: ApiConnector) -> ServiceResult<ConnectorView> {
        let v = Self::view(row)?;
        Ok(ConnectorView {
            params: shown_to(caller, v.params),
            ..v
        })
    }

    /// The credential named by `auth_id`, checked to allow the connector's host.
    async fn check_auth(&self, raw: &str, compiled: &Compiled) -> ServiceResult<ApiCredential> {
        let no_such =
            || ServiceError::invalid_field("authId", format!("authId: no API credential `{raw}`"));
        let id: ApiCredentialId = raw.parse().map_err(|_| no_such())?;
        let cred = self.credentials.load(id).await.map_err(|_| no_such())?;
        let allow = sigil_connect::policy::Allowlist::parse(&cred.allowlist)
            .map_err(|e| ServiceError::internal(anyhow::anyhow!("credential {}: {e}", cred.id)))?;
        let host = compiled.host();
        allow.check(&host).map_err(|_| {
            ServiceError::invalid_field(
                "params.url",
                format!(
                    "params.url: host `{host}` is not in the allowlist of credential `{raw}` ({})",
                    cred.allowlist.join(", ")
                ),
            )
        })?;
        Ok(cred)
    }

    async fn insert(
        &self,
        caller: &Caller,
        name: String,
        description: Option<String>,
        params: Params,
        config: Config,
        auth_id: Option<ApiCredentialId>,
    ) -> ServiceResult<ConnectorView> {
        let row = Self::row(
            ApiConnectorId::new(),
            caller.id(),
            name,
            description,
            params,
            config,
            auth_id,
        )?;
        self.store.insert_api_connector(&row).await?;
        Self::view_for(caller, row)
    }

    fn row(
        id: ApiConnectorId,
        by: sigil_core::MemberId,
        name: String,
        description: Option<String>,
        params: Params,
        config: Config,
        auth_id: Option<ApiCredentialId>,
    ) -> ServiceResult<ApiConnector> {
        let now = clock::now();
        Ok(ApiConnector {
            id,
            name,
            description,
            auth_id,
            params: serde_json::to_string(&params).map_err(ServiceError::internal)?,
            config: serde_json::to_string(&config).map_err(ServiceError::internal)?,
            is_archived: false,
            created_by: by,
            updated_by: by,
            created_at: now,
            updated_at: now,
        })
    }

    /// A new connector's record, checked as [`create`](Self::create) checks it (its
    /// credential must be stored already), not yet stored: for seed files, which
    /// choose the id.
    pub async fn row_for(
        &self,
        id: ApiConnectorId,
        by: sigil_core::MemberId,
        req: NewConnector,
    ) -> ServiceResult<ApiConnector> {
        let name = display_name(&req.name)?;
        let (params, compiled) = parse_params(req.params)?;
        let (config, _) = parse_config(req.config)?;
        let auth = match &req.auth_id {
            Some(a) => Some(self.check_auth(a, &compiled).await?.id),
            None => None,
        };
        Self::row(id, by, name, req.description, params, config, auth)
    }

    /// Connectors by name. Those who run actions pick connectors too.
    pub async fn list(
        &self,
        caller: &Caller,
        page: TokenPage,
    ) -> ServiceResult<TokenList<ApiConnector>> {
        caller.require_either(
            Permission::ManageApiConnectors,
            Permission::TriggerApiActions,
        )?;
        let after = page.after.map(|(n, id)| (n, ApiConnectorId::from(id)));
        let rows = self
            .store
            .list_api_connectors(page.name.as_deref(), after, page.size + 1)
            .await?;
        Ok(token_page(rows, page.size, |c| (&c.name, c.id.0)))
    }

    /// Creates a connector. Every template is checked now; with `auth_id`, the URL's
    /// host must be in the credential's allowlist.
    pub async fn create(&self, caller: &Caller, req: NewConnector) -> ServiceResult<ConnectorView> {
        caller.require(Permission::ManageApiConnectors)?;
        let name = display_name(&req.name)?;
        let (params, compiled) = parse_params(req.params)?;
        let (config, _) = parse_config(req.config)?;
        let auth = match &req.auth_id {
            Some(a) => Some(self.check_auth(a, &compiled).await?.id),
            None => None,
        };
        self.insert(caller, name, req.description, params, config, auth)
            .await
    }

    pub async fn get(&self, caller: &Caller, id: ApiConnectorId) -> ServiceResult<ConnectorView> {
        caller.require_either(
            Permission::ManageApiConnectors,
            Permission::TriggerApiActions,
        )?;
        Self::view_for(caller, self.live(id).await?)
    }

    pub async fn update(
        &self,
        caller: &Caller,
        id: ApiConnectorId,
        req: ConnectorUpdate,
    ) -> ServiceResult<ConnectorView> {
        caller.require(Permission::ManageApiConnectors)?;
        let mut row = self.live(id).await?;
        if let Some(n) = &req.name {
            row.name = display_name(n)?;
        }
        if let Some(d) = req.description {
            row.description = d;
        }
        let stored: Params = serde_json::from_str(&row.params).map_err(ServiceError::internal)?;
        let (params, compiled) = match req.params {
            Some(p) => parse_params_keeping(p, Some(&stored))?,
            None => {
                let compiled = stored.compile().map_err(ServiceError::internal)?;
                (stored, compiled)
            }
        };
        if let Some(c) = req.config {
            let (config, _) = parse_config(Some(c))?;
            row.config = serde_json::to_string(&config).map_err(ServiceError::internal)?;
        }
        match req.auth_id {
            Some(Some(a)) => row.auth_id = Some(self.check_auth(&a, &compiled).await?.id),
            Some(None) => row.auth_id = None,
            None => {
                // A new URL must still fit the credential kept.
                if let Some(a) = row.auth_id {
                    self.check_auth(&a.to_string(), &compiled).await?;
                }
            }
        }
        row.params = serde_json::to_string(&params).map_err(ServiceError::internal)?;
        row.updated_by = caller.id();
        row.updated_at = clock::now();
        if !self.store.update_api_connector(&row).await? {
            return Err(not_found(id));
        }
        Self::view_for(caller, row)
    }

    /// Archives a connector, unless a workbook's action still calls it.
    pub async fn archive(&self, caller: &Caller, id: ApiConnectorId) -> ServiceResult<()> {
        caller.require(Permission::ManageApiConnectors)?;
        let mut row = self.live(id).await?;
        let users = self.store.workbooks_mentioning(&id.to_string()).await?;
        if !users.is_empty() {
            return Err(ServiceError::conflict(format!(
                "connector `{}` is called by the actions of {} {}: change those actions first",
                row.name,
                if users.len() == 1 {
                    "workbook"
                } else {
                    "workbooks"
                },
                crate::api_credentials::quoted_list(&users),
            )));
        }
        row.is_archived = true;
        row.updated_by = caller.id();
        row.updated_at = clock::now();
        self.store.update_api_connector(&row).await?;
        Ok(())
    }

    /// The `params` of a connector for an operation of an imported document (nothing
    /// saved): the base URL from the document's servers (or `base_url`), the method
    /// and path, path parameters as dynamic parameters, required query and header
    /// parameters, and a body template with one typed placeholder per property.
    pub async fn operation_params(
        &self,
        caller: &Caller,
        document: ApiDocumentId,
        key: &OperationKey,
        base_url: Option<&str>,
    ) -> ServiceResult<(openapi::Operation, Params)> {
        caller.require(Permission::ManageApiConnectors)?;
        let (_, doc) = self.documents.parsed(document).await?;
        let op = doc
            .find(key)
            .map_err(|e| ServiceError::internal(anyhow::anyhow!("{e}")))?
            .ok_or_else(|| {
                ServiceError::not_found(match key {
                    OperationKey::Id(id) => format!("the document has no operation `{id}`"),
                    OperationKey::Route { method, path } => {
                        format!("the document has no operation {method} {path}")
                    }
                })
            })?;
        let params = openapi::connector_params(&doc, &op, base_url).map_err(|e| {
            ServiceError::invalid_field("baseUrl", format!("at {}: {}", e.at, e.message))
        })?;
        Ok((op, params))
    }

    /// Creates a connector from an operation of an imported document: the base URL
    /// from the document's servers (or `base_url`), the method and path, path
    /// parameters as dynamic parameters, required query and header parameters, and a
    /// body template with one placeholder per property of the request body, each
    /// typed from the schema.
    pub async fn from_operation(
        &self,
        caller: &Caller,
        req: FromOperation,
    ) -> ServiceResult<ConnectorView> {
        caller.require(Permission::ManageApiConnectors)?;
        let key = match (&req.operation_id, &req.method, &req.path) {
            (Some(id), None, None) => OperationKey::Id(id.clone()),
            (None, Some(m), Some(p)) => OperationKey::Route {
                method: m.clone(),
                path: p.clone(),
            },
            _ => {
                return Err(ServiceError::invalid_field(
                    "operationId",
                    "name the operation by `operationId`, or by `method` and `path`",
                ))
            }
        };
        let (op, params) = self
            .operation_params(caller, req.document_id, &key, req.base_url.as_deref())
            .await?;
        let compiled = params
            .compile()
            .map_err(|e| ServiceError::invalid_field(e.field.clone(), e.to_string()))?;
        let (config, _) = parse_config(req.config)?;
        let auth = match &req.auth_id {
            Some(a) => Some(self.check_auth(a, &compiled).await?.id),
            None => None,
        };
        let name = match req.name {
            Some(n) => display_name(&n)?,
            None => op
                .summary
                .clone()
                .or(op.operation_id.clone())
                .unwrap_or_else(|| format!("{} {}", op.method, op.path)),
        };
        self.insert(caller, name, req.description, params, config, auth)
            .await
    }
}
