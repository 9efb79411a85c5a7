//! `/v2/workbooks` (Sigma's read API, and `POST` to create one); and ours: a
//! workbook's document (`GET`/`PUT /v2/workbooks/{id}/document`, validated as a
//! whole) and running a button's action sequence (`POST /v2/workbooks/{id}/run`).
//! Webhooks are in [`super::webhooks`].

use std::collections::BTreeMap;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::workbook::Element;
use sigil_core::{clock, GrantPermission, InodeId};
use sigil_service::workbooks::{NewWorkbook, RunTarget, WorkbookDocument, WorkbookEntry};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::bodies::RunBody;
use crate::api::shape::{page_request, url_id, who, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, query_flag, ApiJson, ApiQuery, CurrentMember, Id, Ids};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workbooks, create_workbook))
        .routes(routes!(get_workbook))
        .routes(routes!(list_pages))
        .routes(routes!(list_elements))
        .routes(routes!(list_controls))
        .routes(routes!(get_document, put_document))
        .routes(routes!(run_workbook))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkbookBody {
    pub workbook_id: String,
    pub workbook_url_id: String,
    pub name: String,
    pub description: String,
    pub url: String,
    pub path: String,
    pub latest_version: i64,
    pub owner_id: String,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub is_archived: bool,
    pub tags: Vec<crate::api::tags::WorkbookTagBody>,
}

pub(crate) fn workbook_body(st: &AppState, e: WorkbookEntry) -> WorkbookBody {
    let n = e.node;
    let base = st.services.base_url();
    WorkbookBody {
        workbook_id: n.id.to_string(),
        workbook_url_id: url_id(n.id),
        url: format!("{}/workbook/{}", base.trim_end_matches('/'), url_id(n.id)),
        path: e.path,
        latest_version: e.version,
        owner_id: who(n.owner_id),
        created_by: who(n.created_by),
        updated_by: who(n.updated_by.or(n.created_by)),
        created_at: clock::rfc3339(n.created_at),
        updated_at: clock::rfc3339(n.updated_at),
        is_archived: n.is_archived,
        tags: e.tags.into_iter().map(Into::into).collect(),
        description: n.description,
        name: n.name,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct WorkbookQuery {
    /// Page number, from 1.
    #[param(schema_with = crate::api::schemas::page_number)]
    pub page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
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
    let archived = query_flag("isArchived", q.is_archived.as_deref(), false)?;
    let page = st.services.workbooks.list(&caller, archived, req).await?;
    Ok(Json(PageOf::of(page, |e| workbook_body(&st, e))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateWorkbook {
    /// The workspace or folder to create it in.
    pub folder_id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
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
    let folder_id: InodeId = parse_id("inodeId", &req.folder_id)?;
    let e = st
        .services
        .workbooks
        .create(
            &caller,
            NewWorkbook {
                folder_id,
                name: req.name,
                description: req.description,
                owner_id: req.owner_id,
                document: req.document,
            },
        )
        .await?;
    Ok(Json(workbook_body(&st, e)))
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
    Id(id): Id<InodeId>,
) -> Result<Json<WorkbookBody>, ApiError> {
    let e = st.services.workbooks.get(&caller, id).await?;
    Ok(Json(workbook_body(&st, e)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SimplePage {
    /// Page number, from 1.
    #[param(schema_with = crate::api::schemas::page_number)]
    pub page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    pub tag: Option<String>,
    pub bookmark_id: Option<String>,
}

/// A page of `items` in the list convention.
pub(crate) fn paged<T>(items: Vec<T>, q: &SimplePage) -> Result<PageOf<T>, ApiError> {
    let req = page_request(q.page.as_deref(), q.limit.as_deref())?;
    Ok(PageOf::of(
        sigil_service::paging::Page::of_all(items, req),
        |x| x,
    ))
}

pub(crate) async fn viewable(
    st: &AppState,
    caller: &CurrentMember,
    id: InodeId,
) -> Result<WorkbookDocument, ApiError> {
    Ok(st
        .services
        .workbooks
        .load(caller, id, GrantPermission::View)
        .await?)
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
    Id(id): Id<InodeId>,
    ApiQuery(q): ApiQuery<SimplePage>,
) -> Result<Json<PageOf<PageBody>>, ApiError> {
    let wb = viewable(&st, &caller, id).await?;
    let pages = wb
        .document
        .pages
        .iter()
        .map(|p| PageBody {
            page_id: p.page_id.clone(),
            name: p.name.clone(),
            hidden: p.hidden,
        })
        .collect();
    Ok(Json(paged(pages, &q)?))
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
    Ids(id, page_id): Ids<InodeId, String>,
    ApiQuery(q): ApiQuery<SimplePage>,
) -> Result<Json<PageOf<ElementBody>>, ApiError> {
    let wb = viewable(&st, &caller, id).await?;
    let page = wb
        .document
        .pages
        .iter()
        .find(|p| p.page_id == page_id)
        .ok_or_else(|| ApiError::not_found(format!("workbook `{id}` has no page `{page_id}`")))?;
    let elements = page.elements.iter().map(element_body).collect();
    Ok(Json(paged(elements, &q)?))
}

/// An element as Sigma lists it: a control by its label (or Control ID), a button or
/// text by its text; sigil's elements hold no columns.
pub(crate) fn element_body(e: &Element) -> ElementBody {
    ElementBody {
        element_id: e.element_id().to_owned(),
        name: match e {
            Element::Control {
                control_id, label, ..
            } => label.clone().unwrap_or_else(|| control_id.clone()),
            Element::Button { text, .. } | Element::Text { text, .. } => text.clone(),
        },
        kind: e.kind().to_owned(),
        columns: Vec::new(),
    }
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
    Id(id): Id<InodeId>,
    ApiQuery(q): ApiQuery<SimplePage>,
) -> Result<Json<PageOf<ControlBody>>, ApiError> {
    let wb = viewable(&st, &caller, id).await?;
    let controls = wb
        .document
        .controls()
        .into_iter()
        .map(|(id, (_, k))| ControlBody {
            name: id.to_owned(),
            value_type: k.value_type().to_owned(),
        })
        .collect();
    Ok(Json(paged(controls, &q)?))
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

fn document_body(wb: WorkbookDocument) -> Result<DocumentBody, ApiError> {
    Ok(DocumentBody {
        workbook_id: wb.node.id.to_string(),
        version: wb.version,
        document: serde_json::to_value(&wb.document).map_err(ApiError::internal)?,
    })
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
    Id(id): Id<InodeId>,
) -> Result<Json<DocumentBody>, ApiError> {
    Ok(Json(document_body(viewable(&st, &caller, id).await?)?))
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
    Id(id): Id<InodeId>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Json<DocumentBody>, ApiError> {
    let wb = st
        .services
        .workbooks
        .save_document(&caller, id, body, None)
        .await?;
    Ok(Json(document_body(wb)?))
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
        (status = 200, body = RunBody),
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
    Id(id): Id<InodeId>,
    ApiJson(req): ApiJson<RunRequest>,
) -> Result<Json<RunBody>, ApiError> {
    let target = match (req.sequence_id, req.element_id) {
        (Some(s), None) => RunTarget::Sequence(s),
        (None, Some(e)) => RunTarget::Button(e),
        _ => {
            return Err(ApiError::bad_request(
                "give `sequenceId` or `elementId` (a button)",
            ))
        }
    };
    let out = st
        .services
        .workbooks
        .run(&caller, id, target, &req.controls)
        .await?;
    Ok(Json(RunBody::from(out)))
}
