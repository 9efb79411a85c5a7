//! `/v2/workbooks` (Sigma's read API, and `POST` to create one) and
//! `/v2/webhooks/{workbookId}/{sequenceId}` (Sigma); and ours: a workbook's document
//! (`GET`/`PUT /v2/workbooks/{id}/document`, validated as a whole) and running a
//! button's action sequence (`POST /v2/workbooks/{id}/run`).
//!
//! A workbook is a node of the file tree, so grants apply: reading needs Can View,
//! authoring Can Contribute, running Can View and `trigger-api-actions`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::workbook::{ConnectorInfo, Element, Sequence, Workbook};
use sigil_core::{clock, GrantPermission, Permission};
use sigil_store::{Inode, InodeFilter};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::access::{require, Target};
use crate::actions::{self, RunOutcome};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, CurrentMember};
use crate::pagination::{PageOf, PageParams};
use crate::routes::files::{ancestors, check_name, node_page, owner_of};
use crate::routes::{url_id, who};
use crate::state::AppState;

/// The document of a new workbook.
pub const EMPTY_DOCUMENT: &str = r#"{"pages":[]}"#;

const WORKBOOK: Target = Target {
    kind: Some("workbook"),
    archived: false,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workbooks, create_workbook))
        .routes(routes!(get_workbook))
        .routes(routes!(list_pages))
        .routes(routes!(list_elements))
        .routes(routes!(list_controls))
        .routes(routes!(get_document, put_document))
        .routes(routes!(run_workbook))
        .routes(routes!(trigger_webhook))
        .routes(routes!(webhook_schema))
        .routes(routes!(get_run))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkbookBody {
    pub workbook_id: String,
    pub workbook_url_id: String,
    pub name: String,
    pub url: String,
    pub path: String,
    pub latest_version: i64,
    pub owner_id: String,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub is_archived: bool,
    pub tags: Vec<Value>,
}

/// Workbooks as Sigma answers them; their versions are read in one query.
async fn workbook_bodies(st: &AppState, nodes: &[Inode]) -> Result<Vec<WorkbookBody>, ApiError> {
    let ids: Vec<_> = nodes.iter().map(|n| n.id).collect();
    let versions = st.store.workbook_versions(&ids).await?;
    let mut out = Vec::with_capacity(nodes.len());
    for n in nodes {
        let version = versions.get(&n.id).copied().unwrap_or(1);
        out.push(workbook_body(st, n, version).await?);
    }
    Ok(out)
}

async fn workbook_body(st: &AppState, n: &Inode, version: i64) -> Result<WorkbookBody, ApiError> {
    let path = st.store.inode_path(n.id).await?;
    let base = st
        .config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", st.config.listen));
    Ok(WorkbookBody {
        workbook_id: n.id.to_string(),
        workbook_url_id: url_id(n.id),
        name: n.name.clone(),
        url: format!("{}/workbook/{}", base.trim_end_matches('/'), url_id(n.id)),
        path: ancestors(&path, n.id),
        latest_version: version,
        owner_id: who(n.owner_id),
        created_by: who(n.created_by),
        updated_by: who(n.updated_by.or(n.created_by)),
        created_at: clock::rfc3339(n.created_at),
        updated_at: clock::rfc3339(n.updated_at),
        is_archived: n.is_archived,
        tags: Vec::new(),
    })
}

/// The workbook `raw` with its parsed document, if the caller has `need` on it.
async fn load(
    st: &AppState,
    caller: &CurrentMember,
    raw: &str,
    need: GrantPermission,
) -> Result<(Inode, Workbook, i64), ApiError> {
    let (node, _) = require(st, caller, raw, WORKBOOK, need).await?;
    let (text, version) = st
        .store
        .workbook_document(node.id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no workbook `{raw}`")))?;
    let doc: Workbook = serde_json::from_str(&text)
        .map_err(|e| ApiError::internal(anyhow::anyhow!("stored workbook {}: {e}", node.id)))?;
    Ok((node, doc, version))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WorkbookQuery {
    pub page: Option<String>,
    pub limit: Option<String>,
    /// Archived workbooks instead of live ones.
    pub is_archived: Option<String>,
    pub exclude_tags: Option<String>,
    pub skip_permission_check: Option<String>,
    pub exclude_explorations: Option<String>,
}

/// List workbooks
///
/// The workbooks the caller can view, by name.
#[utoipa::path(
    get,
    path = "/v2/workbooks",
    tag = "workbooks",
    operation_id = "listWorkbooks",
    params(WorkbookQuery),
    responses(
        (status = 200, body = PageOf<WorkbookBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_workbooks(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<WorkbookQuery>,
) -> Result<Json<PageOf<WorkbookBody>>, ApiError> {
    let req = PageParams {
        page: q.page,
        limit: q.limit,
    }
    .check()?;
    let archived = crate::extract::query_flag("isArchived", q.is_archived.as_deref(), false)?;
    if archived {
        // Archived nodes are out of every list; none are answered here either.
        return Ok(Json(PageOf::empty()));
    }
    let filter = InodeFilter {
        kinds: vec!["workbook".into()],
        visible_to: (!caller.account_type.is_admin()).then_some(caller.member.id),
        ..Default::default()
    };
    let page = node_page(&st, filter, req).await?;
    let entries = workbook_bodies(&st, &page.entries).await?;
    Ok(Json(PageOf {
        entries,
        next_page: page.next_page,
        total: page.total,
        has_more: page.has_more,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateWorkbook {
    /// The workspace or folder to create it in.
    pub folder_id: String,
    pub name: String,
    /// Defaults to the caller; only an Admin may name another member.
    #[serde(default)]
    pub owner_id: Option<String>,
    /// sigil's own: the document to start with (validated as by `PUT …/document`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub document: Option<Value>,
}

/// Create a workbook
///
/// In a workspace or folder on which the caller can contribute; needs the
/// `create-workbooks` permission.
#[utoipa::path(
    post,
    path = "/v2/workbooks",
    tag = "workbooks",
    operation_id = "createWorkbook",
    request_body = CreateWorkbook,
    responses(
        (status = 200, body = WorkbookBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn create_workbook(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<CreateWorkbook>,
) -> Result<Json<WorkbookBody>, ApiError> {
    caller.require(Permission::CreateWorkbooks)?;
    let name = check_name(&req.name)?;
    let (parent, _) = require(
        &st,
        &caller,
        &req.folder_id,
        Target::ANY,
        GrantPermission::Organize,
    )
    .await?;
    if parent.kind == "workbook" {
        return Err(ApiError::bad_request(
            "folderId: a workbook cannot be created inside a workbook",
        ));
    }
    let owner = owner_of(&st, &caller, req.owner_id.as_deref()).await?;
    let document = match req.document {
        None => EMPTY_DOCUMENT.to_owned(),
        Some(v) => {
            let doc = parse_document(v)?;
            validate(&st, &doc).await?;
            serde_json::to_string(&doc).map_err(ApiError::internal)?
        }
    };
    let mut n = Inode::new(
        "workbook",
        &name,
        Some(parent.id),
        Some(caller.member.id),
        clock::now(),
    );
    n.owner_id = Some(owner);
    st.store.create_workbook(&n, &document).await?;
    Ok(Json(
        workbook_bodies(&st, std::slice::from_ref(&n))
            .await?
            .remove(0),
    ))
}

/// Get a workbook
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}",
    tag = "workbooks",
    operation_id = "getWorkbook",
    params(("workbookId" = String, Path)),
    responses(
        (status = 200, body = WorkbookBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_workbook(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<WorkbookBody>, ApiError> {
    let (n, _) = require(&st, &caller, &id, WORKBOOK, GrantPermission::View).await?;
    Ok(Json(
        workbook_bodies(&st, std::slice::from_ref(&n))
            .await?
            .remove(0),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SimplePage {
    pub page: Option<String>,
    pub limit: Option<String>,
    pub tag: Option<String>,
    pub bookmark_id: Option<String>,
}

/// A page of `items` in the list convention.
fn paged<T>(
    items: Vec<T>,
    page: Option<String>,
    limit: Option<String>,
) -> Result<PageOf<T>, ApiError> {
    Ok(PageOf::of_all(items, PageParams { page, limit }.check()?))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PageBody {
    pub page_id: String,
    pub name: String,
    pub hidden: bool,
}

/// List a workbook's pages
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/pages",
    tag = "workbooks",
    operation_id = "listWorkbookPages",
    params(("workbookId" = String, Path), SimplePage),
    responses(
        (status = 200, body = PageOf<PageBody>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_pages(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<SimplePage>,
) -> Result<Json<PageOf<PageBody>>, ApiError> {
    let (_, doc, _) = load(&st, &caller, &id, GrantPermission::View).await?;
    let pages = doc
        .pages
        .iter()
        .map(|p| PageBody {
            page_id: p.page_id.clone(),
            name: p.name.clone(),
            hidden: p.hidden,
        })
        .collect();
    Ok(Json(paged(pages, q.page, q.limit)?))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ElementBody {
    pub element_id: String,
    pub name: String,
    /// `control`, `button` or `text`.
    #[serde(rename = "type")]
    pub kind: String,
    pub columns: Vec<String>,
}

/// List the elements of a workbook's page
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/pages/{pageId}/elements",
    tag = "workbooks",
    operation_id = "listWorkbookPageElements",
    params(("workbookId" = String, Path), ("pageId" = String, Path), SimplePage),
    responses(
        (status = 200, body = PageOf<ElementBody>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_elements(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath((id, page_id)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<SimplePage>,
) -> Result<Json<PageOf<ElementBody>>, ApiError> {
    let (_, doc, _) = load(&st, &caller, &id, GrantPermission::View).await?;
    let page = doc
        .pages
        .iter()
        .find(|p| p.page_id == page_id)
        .ok_or_else(|| ApiError::not_found(format!("workbook `{id}` has no page `{page_id}`")))?;
    let elements = page
        .elements
        .iter()
        .map(|e| ElementBody {
            element_id: e.element_id().to_owned(),
            name: match e {
                Element::Control {
                    control_id, label, ..
                } => label.clone().unwrap_or_else(|| control_id.clone()),
                Element::Button { text, .. } | Element::Text { text, .. } => text.clone(),
            },
            kind: e.kind().to_owned(),
            columns: Vec::new(),
        })
        .collect();
    Ok(Json(paged(elements, q.page, q.limit)?))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ControlBody {
    /// The Control ID.
    pub name: String,
    /// `text`, `number`, `boolean` or `date`.
    pub value_type: String,
}

/// List a workbook's controls
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/controls",
    tag = "workbooks",
    operation_id = "listWorkbookControls",
    params(("workbookId" = String, Path), SimplePage),
    responses(
        (status = 200, body = PageOf<ControlBody>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_controls(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<SimplePage>,
) -> Result<Json<PageOf<ControlBody>>, ApiError> {
    let (_, doc, _) = load(&st, &caller, &id, GrantPermission::View).await?;
    let controls = doc
        .controls()
        .into_iter()
        .map(|(id, (_, k))| ControlBody {
            name: id.to_owned(),
            value_type: k.value_type().to_owned(),
        })
        .collect();
    Ok(Json(paged(controls, q.page, q.limit)?))
}

fn parse_document(v: Value) -> Result<Workbook, ApiError> {
    serde_path_to_error::deserialize(v).map_err(|e| {
        let path = e.path().to_string();
        ApiError::bad_request(format!("document.{path}: {}", e.into_inner()))
    })
}

/// Validates a document, reading the connectors it names.
async fn validate(st: &AppState, doc: &Workbook) -> Result<(), ApiError> {
    let mut infos: BTreeMap<String, Option<ConnectorInfo>> = BTreeMap::new();
    for (_, s) in doc.sequences() {
        for a in &s.actions {
            if let sigil_core::workbook::Action::CallApi { connector_id, .. } = a {
                if infos.contains_key(connector_id) {
                    continue;
                }
                let info = match crate::routes::api_connectors::ready(st, connector_id).await {
                    Ok(r) => Some(ConnectorInfo {
                        parameters: r
                            .compiled
                            .parameters()
                            .iter()
                            .map(|(k, t)| (k.clone(), t.as_str().to_owned()))
                            .collect(),
                    }),
                    Err(ApiError::NotFound(_)) => None,
                    Err(ApiError::BadRequest(m)) => {
                        return Err(ApiError::bad_request(format!(
                            "connector `{connector_id}`: {m}"
                        )))
                    }
                    Err(e) => return Err(e),
                };
                infos.insert(connector_id.clone(), info);
            }
        }
    }
    doc.validate(&|id| infos.get(id).cloned().flatten())
        .map_err(|e| ApiError::bad_request(e.to_string()))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentBody {
    pub workbook_id: String,
    pub version: i64,
    /// `{"pages": [{pageId, name, elements: [...]}]}`.
    #[schema(value_type = Object)]
    pub document: Value,
}

/// Get a workbook's document
///
/// Pages, elements (controls, buttons, text), and the buttons' action sequences.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/document",
    tag = "workbooks",
    operation_id = "getWorkbookDocument",
    params(("workbookId" = String, Path)),
    responses(
        (status = 200, body = DocumentBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_document(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<DocumentBody>, ApiError> {
    let (n, doc, version) = load(&st, &caller, &id, GrantPermission::View).await?;
    Ok(Json(DocumentBody {
        workbook_id: n.id.to_string(),
        version,
        document: serde_json::to_value(&doc).map_err(ApiError::internal)?,
    }))
}

/// Replace a workbook's document
///
/// Validated as a whole: a duplicate Control ID, a mapping to an unknown control or
/// parameter, an unknown connector, or a type that cannot fit gets 400 naming the
/// element, and nothing is saved. Needs Can Contribute on the workbook.
#[utoipa::path(
    put,
    path = "/v2/workbooks/{workbookId}/document",
    tag = "workbooks",
    operation_id = "putWorkbookDocument",
    params(("workbookId" = String, Path)),
    request_body(content = Object, description = "The document"),
    responses(
        (status = 200, body = DocumentBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn put_document(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<DocumentBody>, ApiError> {
    let (n, _) = require(&st, &caller, &id, WORKBOOK, GrantPermission::Organize).await?;
    let doc = parse_document(body)?;
    validate(&st, &doc).await?;
    let text = serde_json::to_string(&doc).map_err(ApiError::internal)?;
    let version = st
        .store
        .save_workbook_document(n.id, &text, caller.member.id, clock::now())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no workbook `{id}`")))?;
    Ok(Json(DocumentBody {
        workbook_id: n.id.to_string(),
        version,
        document: serde_json::to_value(&doc).map_err(ApiError::internal)?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunRequest {
    /// The sequence to run …
    pub sequence_id: Option<String>,
    /// … or the button whose On click sequences run, in order.
    pub element_id: Option<String>,
    /// The current values of controls, by Control ID; the others keep their initial
    /// values.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub controls: BTreeMap<String, Value>,
}

/// Run an action sequence
///
/// Runs a button's On click sequence (or one sequence by id) with the given control
/// values, and answers the new control values and a trace of every step. A failing
/// step stops the run: `ok` is false, `failedStep` and `error` say which and why, and
/// the controls keep the values they had. Needs `trigger-api-actions` and Can View.
#[utoipa::path(
    post,
    path = "/v2/workbooks/{workbookId}/run",
    tag = "workbooks",
    operation_id = "runWorkbookSequence",
    params(("workbookId" = String, Path)),
    request_body = RunRequest,
    responses(
        (status = 200, body = RunOutcome),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn run_workbook(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<RunRequest>,
) -> Result<Json<RunOutcome>, ApiError> {
    caller.require(Permission::TriggerApiActions)?;
    let (_, doc, _) = load(&st, &caller, &id, GrantPermission::View).await?;
    let sequences: Vec<_> = match (&req.sequence_id, &req.element_id) {
        (Some(s), None) => vec![doc
            .sequence(s)
            .ok_or_else(|| ApiError::not_found(format!("workbook `{id}` has no sequence `{s}`")))?
            .clone()],
        (None, Some(e)) => {
            let button = doc
                .pages
                .iter()
                .flat_map(|p| &p.elements)
                .find(|x| x.element_id() == e)
                .ok_or_else(|| {
                    ApiError::not_found(format!("workbook `{id}` has no element `{e}`"))
                })?;
            match button {
                Element::Button { on_click, .. } => on_click.clone(),
                other => {
                    return Err(ApiError::bad_request(format!(
                        "element `{e}` is a {}, not a button",
                        other.kind()
                    )))
                }
            }
        }
        _ => {
            return Err(ApiError::bad_request(
                "give `sequenceId` or `elementId` (a button)",
            ))
        }
    };
    let start = actions::start_values(&doc, &req.controls)?;
    let sequences: Vec<&Sequence> = sequences.iter().collect();
    Ok(Json(
        actions::run(&st, caller.member.id, &doc, &sequences, start).await,
    ))
}

// ---- webhooks ----

/// Runs started by webhooks, by trace id, kept in memory (the newest thousand).
#[derive(Default)]
pub struct WebhookRuns(Mutex<HashMap<String, Arc<Mutex<Option<RunOutcome>>>>>);

impl WebhookRuns {
    const CAPACITY: usize = 1000;

    fn start(&self, id: &str) -> Arc<Mutex<Option<RunOutcome>>> {
        let slot = Arc::new(Mutex::new(None));
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= Self::CAPACITY {
            m.retain(|_, v| v.lock().map(|o| o.is_none()).unwrap_or(false));
        }
        m.insert(id.to_owned(), slot.clone());
        slot
    }

    fn get(&self, id: &str) -> Option<Option<RunOutcome>> {
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.get(id)
            .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).clone())
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TraceBody {
    pub trace_id: String,
}

/// Trigger a workbook action sequence by webhook
///
/// Starts the sequence with the body's values (by Control ID, or under `variables`)
/// over the controls' initial values, and answers 202 with a trace id at once; `GET
/// /v2/webhooks/runs/{traceId}` (sigil's own) answers the run once it is done.
#[utoipa::path(
    post,
    path = "/v2/webhooks/{workbookId}/{sequenceId}",
    tag = "workbooks",
    operation_id = "webhooks",
    params(("workbookId" = String, Path), ("sequenceId" = String, Path)),
    request_body(content = Object, description = "Values by Control ID"),
    responses(
        (status = 202, body = TraceBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn trigger_webhook(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath((id, sequence_id)): ApiPath<(String, String)>,
    body: bytes::Bytes,
) -> Result<(StatusCode, Json<TraceBody>), ApiError> {
    // An empty body is allowed: the sequence runs on the initial values.
    let body: Option<Value> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(
            serde_json::from_slice(&body)
                .map_err(|e| ApiError::bad_request(format!("the body is not JSON: {e}")))?,
        )
    };
    caller.require(Permission::TriggerApiActions)?;
    let (_, doc, _) = load(&st, &caller, &id, GrantPermission::View).await?;
    let seq = doc
        .sequence(&sequence_id)
        .ok_or_else(|| {
            ApiError::not_found(format!("workbook `{id}` has no sequence `{sequence_id}`"))
        })?
        .clone();
    let given: BTreeMap<String, Value> = match body {
        None | Some(Value::Null) => BTreeMap::new(),
        Some(Value::Object(mut m)) => match m.remove("variables") {
            Some(Value::Object(v)) if m.is_empty() => v.into_iter().collect(),
            Some(_) => {
                return Err(ApiError::bad_request(
                    "`variables` must be an object of values by Control ID",
                ))
            }
            None => m.into_iter().collect(),
        },
        Some(_) => {
            return Err(ApiError::bad_request(
                "the body must be an object of values by Control ID",
            ))
        }
    };
    let start = actions::start_values(&doc, &given)?;
    let trace_id = uuid::Uuid::new_v4().to_string();
    let slot = st.webhook_runs.start(&trace_id);
    let member = caller.member.id;
    let state = st.clone();
    tokio::spawn(async move {
        let out = actions::run(&state, member, &doc, &[&seq], start).await;
        tracing::info!(sequence = %out.sequence_id, ok = out.ok, "webhook run finished");
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(out);
    });
    Ok((StatusCode::ACCEPTED, Json(TraceBody { trace_id })))
}

/// A webhook run's outcome
///
/// 404 for an unknown trace id; `{"done": false}` while the run goes on.
#[utoipa::path(
    get,
    path = "/v2/webhooks/runs/{traceId}",
    tag = "workbooks",
    operation_id = "getWebhookRun",
    params(("traceId" = String, Path)),
    responses(
        (status = 200, description = "The run, or {\"done\": false}", body = Object),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_run(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(trace_id): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    caller.require(Permission::TriggerApiActions)?;
    match st.webhook_runs.get(&trace_id) {
        None => Err(ApiError::not_found(format!("no run `{trace_id}`"))),
        Some(None) => Ok(Json(serde_json::json!({"done": false}))),
        Some(Some(out)) => {
            let mut v = serde_json::to_value(out).map_err(ApiError::internal)?;
            v["done"] = Value::Bool(true);
            Ok(Json(v))
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SchemaBody {
    /// By Control ID: `{"type": "string" | "number" | "boolean"}`.
    #[schema(value_type = Object)]
    pub variables: BTreeMap<String, Value>,
}

/// The variables a webhook takes
///
/// The controls the sequence reads (by Control ID), with their JSON types.
#[utoipa::path(
    get,
    path = "/v2/webhooks/{workbookId}/{sequenceId}/schema",
    tag = "workbooks",
    operation_id = "getWebhookSchema",
    params(("workbookId" = String, Path), ("sequenceId" = String, Path)),
    responses(
        (status = 200, body = SchemaBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn webhook_schema(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath((id, sequence_id)): ApiPath<(String, String)>,
) -> Result<Json<SchemaBody>, ApiError> {
    let (_, doc, _) = load(&st, &caller, &id, GrantPermission::View).await?;
    let seq = doc.sequence(&sequence_id).ok_or_else(|| {
        ApiError::not_found(format!("workbook `{id}` has no sequence `{sequence_id}`"))
    })?;
    let controls = doc.controls();
    let mut variables = BTreeMap::new();
    let mut add = |cid: &str| {
        if let Some((_, k)) = controls.get(cid) {
            let ty = match k.value_type() {
                "number" => "number",
                "boolean" => "boolean",
                _ => "string",
            };
            variables.insert(cid.to_owned(), serde_json::json!({"type": ty}));
        }
    };
    use sigil_core::workbook::{Action, ValueSource};
    for a in &seq.actions {
        if let Some(c) = a.condition() {
            add(&c.control_id);
        }
        let sources: Vec<&ValueSource> = match a {
            Action::CallApi { parameters, .. } => parameters.values().collect(),
            Action::SetControlValue { value, .. } => value.iter().collect(),
        };
        for s in sources {
            if let ValueSource::Control { control_id } = s {
                add(control_id);
            }
        }
    }
    Ok(Json(SchemaBody { variables }))
}
