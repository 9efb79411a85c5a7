//! Sigma's read endpoints of a workbook that need a query engine for most of what they
//! describe, answered honestly for what sigil holds: its elements (controls, buttons,
//! text) and the versions it saved; no columns, queries, lineage, sources or
//! materialization schedules, so those lists are empty. Each needs Can View on the workbook, and an
//! unknown workbook or element is 404, as for Sigma.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use serde_json::{Map, Value};
use sigil_core::workbook::Workbook;
use sigil_core::{clock, InodeId};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::shape::{who, PageOf};
use crate::api::workbooks::{element_body, paged, viewable, ElementBody, SimplePage};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiQuery, CurrentMember, Id, Ids};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_workbook_elements))
        .routes(routes!(list_workbook_columns))
        .routes(routes!(list_element_columns))
        .routes(routes!(list_workbook_queries))
        .routes(routes!(list_lineage_tree))
        .routes(routes!(element_lineage))
        .routes(routes!(workbook_sources))
        .routes(routes!(list_materialization_schedules))
        .routes(routes!(list_materialization_schedules_v2_1))
        .routes(routes!(version_history))
}

/// A workbook's element, or 404 naming it.
fn has_element(doc: &Workbook, id: InodeId, element_id: &str) -> Result<(), ApiError> {
    let found = doc
        .pages
        .iter()
        .flat_map(|p| &p.elements)
        .any(|e| e.element_id() == element_id);
    if found {
        Ok(())
    } else {
        Err(ApiError::not_found(format!(
            "workbook `{id}` has no element `{element_id}`"
        )))
    }
}

/// An entry of a list sigil holds nothing for (columns, queries, lineage, schedules).
#[derive(Debug, Serialize, ToSchema)]
#[schema(value_type = Object)]
pub struct Nothing(Map<String, Value>);

/// List a workbook's elements
///
/// Every element of every page, in page order.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/elements",
    tag = "workbooks",
    operation_id = "listWorkbookElements",
    params(("workbookId" = String, Path), SimplePage),
    responses(
        (status = 200, body = PageOf<ElementBody>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_workbook_elements(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiQuery(q): ApiQuery<SimplePage>,
) -> Result<Json<PageOf<ElementBody>>, ApiError> {
    let wb = viewable(&st, &caller, id).await?;
    let elements = wb
        .document
        .pages
        .iter()
        .flat_map(|p| &p.elements)
        .map(element_body)
        .collect();
    Ok(Json(paged(elements, &q)?))
}

/// One handler per list sigil holds nothing for (utoipa documents one function per
/// path): each answers an empty page for a workbook the caller can view.
macro_rules! nothing_lists {
    ($($name:ident: $path:tt, $operation:tt, $summary:tt, $why:tt;)*) => {$(
        #[doc = $summary]
        #[doc = ""]
        #[doc = $why]
        #[utoipa::path(
            get,
            path = $path,
            tag = "workbooks",
            operation_id = $operation,
            params(("workbookId" = String, Path), SimplePage),
            responses(
                (status = 200, body = PageOf<Nothing>),
                (status = 401, body = ErrorBody),
                (status = 404, body = ErrorBody),
            ),
            security(("bearer" = []))
        )]
        #[tracing::instrument(skip_all)]
        pub async fn $name(
            State(st): State<AppState>,
            caller: CurrentMember,
            Id(id): Id<InodeId>,
            ApiQuery(q): ApiQuery<SimplePage>,
        ) -> Result<Json<PageOf<Nothing>>, ApiError> {
            viewable(&st, &caller, id).await?;
            Ok(Json(paged(Vec::new(), &q)?))
        }
    )*};
}

nothing_lists! {
    list_workbook_columns: "/v2/workbooks/{workbookId}/columns", "getWorkbookColumns",
        "List a workbook's columns",
        "sigil's elements (controls, buttons, text) have no columns: always empty.";
    list_workbook_queries: "/v2/workbooks/{workbookId}/queries", "listWorkbookQueries",
        "List a workbook's queries", "sigil runs no SQL: always empty.";
    list_lineage_tree: "/v2/workbooks/{workbookId}/lineage", "listLineageTree",
        "List a workbook's lineage", "sigil's elements read no data sources: always empty.";
    list_materialization_schedules: "/v2/workbooks/{workbookId}/materialization-schedules",
        "listMaterializationSchedules", "List a workbook's materialization schedules",
        "sigil materializes nothing: always empty.";
    list_materialization_schedules_v2_1:
        "/v2.1/workbooks/{workbookId}/materialization-schedules",
        "v2_1_listMaterializationSchedules",
        "List a workbook's materialization schedules (v2.1)",
        "sigil materializes nothing: always empty.";
}

/// List an element's columns
///
/// Always empty for an element sigil holds; 404 for one it does not.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/elements/{elementId}/columns",
    tag = "workbooks",
    operation_id = "getElementColumns",
    params(("workbookId" = String, Path), ("elementId" = String, Path), SimplePage),
    responses(
        (status = 200, body = PageOf<Nothing>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_element_columns(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(id, element_id): Ids<InodeId, String>,
    ApiQuery(q): ApiQuery<SimplePage>,
) -> Result<Json<PageOf<Nothing>>, ApiError> {
    let wb = viewable(&st, &caller, id).await?;
    has_element(&wb.document, id, &element_id)?;
    Ok(Json(paged(Vec::new(), &q)?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LineageBody {
    /// By id, what the element depends on: nothing, for sigil's elements.
    #[schema(value_type = Object)]
    pub dependencies: Map<String, Value>,
    #[schema(value_type = Vec<Object>)]
    pub edges: Vec<Value>,
}

/// Get an element's lineage
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/lineage/elements/{elementId}",
    tag = "workbooks",
    operation_id = "listLineage",
    params(("workbookId" = String, Path), ("elementId" = String, Path)),
    responses(
        (status = 200, body = LineageBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn element_lineage(
    State(st): State<AppState>,
    caller: CurrentMember,
    Ids(id, element_id): Ids<InodeId, String>,
) -> Result<Json<LineageBody>, ApiError> {
    let wb = viewable(&st, &caller, id).await?;
    has_element(&wb.document, id, &element_id)?;
    Ok(Json(LineageBody {
        dependencies: Map::new(),
        edges: Vec::new(),
    }))
}

/// List a workbook's data sources
///
/// sigil's workbooks read no data sources: always an empty array.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/sources",
    tag = "workbooks",
    operation_id = "getWorkbookSources",
    params(("workbookId" = String, Path)),
    responses(
        (status = 200, body = Vec<Nothing>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn workbook_sources(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
) -> Result<Json<Vec<Nothing>>, ApiError> {
    viewable(&st, &caller, id).await?;
    Ok(Json(Vec::new()))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionBody {
    pub version: i64,
    pub published_at: String,
    /// Who saved it.
    pub published_by: String,
    /// sigil's versions carry no tags.
    #[schema(value_type = Vec<Object>)]
    pub tags: Vec<Value>,
}

/// List a workbook's versions
///
/// Every saved version, newest first: its creation is version 1 and each save of its
/// document one more.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/version-history",
    tag = "workbooks",
    operation_id = "getVersionHistory",
    params(("workbookId" = String, Path), SimplePage),
    responses(
        (status = 200, body = PageOf<VersionBody>),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn version_history(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiQuery(q): ApiQuery<SimplePage>,
) -> Result<Json<PageOf<VersionBody>>, ApiError> {
    let versions = st.services.workbooks.history(&caller, id).await?;
    let entries = versions
        .into_iter()
        .map(|v| VersionBody {
            version: v.version,
            published_at: clock::rfc3339(v.saved_at),
            published_by: who(v.saved_by),
            tags: Vec::new(),
        })
        .collect();
    Ok(Json(paged(entries, &q)?))
}
