//! Version tags: `/v2/tags` (list, create, update, delete, the workbooks a tag
//! marks), `POST /v2/workbooks/tag`, `GET /v2/workbooks/{workbookId}/tags`, `DELETE
//! /v2/workbooks/{workbookId}/tags/{tagId}`; and ours, `GET
//! /v2/workbooks/{workbookId}/tags/{tagId}/document`, the tagged version's document.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sigil_core::clock::rfc3339;
use sigil_core::InodeId;
use sigil_service::{VersionTag, WorkbookTag};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::api::shape::{Empty, PageOf, PageParams};
use crate::api::workbooks::{workbook_body, WorkbookBody};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, AdminMember, ApiJson, ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tags, create_tag))
        .routes(routes!(update_tag, delete_tag))
        .routes(routes!(list_workbooks_for_tag))
        .routes(routes!(tag_workbook))
        .routes(routes!(list_workbook_tags))
        .routes(routes!(untag_workbook))
        .routes(routes!(tagged_document))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct VersionTagBody {
    pub version_tag_id: String,
    pub name: String,
    pub owner_id: String,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub is_archived: bool,
    pub description: String,
    /// `cyan`, `grass`, `violet`, `plum`, `amber` or `bronze`.
    pub color: String,
}

impl From<VersionTag> for VersionTagBody {
    fn from(t: VersionTag) -> Self {
        VersionTagBody {
            version_tag_id: t.id.to_string(),
            name: t.name,
            owner_id: t.owner_id.to_string(),
            created_by: t.created_by.to_string(),
            updated_by: t.updated_by.to_string(),
            created_at: rfc3339(t.created_at),
            updated_at: rfc3339(t.updated_at),
            is_archived: false,
            description: t.description,
            color: t.color,
        }
    }
}

/// A tag as a workbook carries it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkbookTagBody {
    pub version_tag_id: String,
    pub name: String,
    /// The workbook version the tag marks.
    pub source_workbook_version: i64,
    pub tagged_workbook_id: String,
    pub workbook_tagged_at: String,
}

impl From<WorkbookTag> for WorkbookTagBody {
    fn from(t: WorkbookTag) -> Self {
        WorkbookTagBody {
            version_tag_id: t.tag_id.to_string(),
            name: t.tag_name,
            source_workbook_version: t.version,
            tagged_workbook_id: t.tagged_workbook_id.to_string(),
            workbook_tagged_at: rfc3339(t.tagged_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagQuery {
    /// Page number, from 1.
    #[param(schema_with = crate::api::schemas::page_number)]
    pub page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// Only tags whose name contains this, without regard to case.
    #[param(schema_with = crate::api::schemas::search_text)]
    pub search: Option<String>,
}

/// List version tags
#[utoipa::path(
    get,
    path = "/v2/tags",
    tag = "tags",
    operation_id = "listVersionTag",
    params(TagQuery),
    responses((status = 200, body = PageOf<VersionTagBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_tags(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<TagQuery>,
) -> Result<Json<PageOf<VersionTagBody>>, ApiError> {
    let req = PageParams {
        page: q.page,
        limit: q.limit,
    }
    .check()?;
    let search = q.search.filter(|s| !s.is_empty());
    if search
        .as_deref()
        .is_some_and(|s| s.chars().any(char::is_control))
    {
        return Err(ApiError::bad_request(
            "search may not hold control characters",
        ));
    }
    let page = st
        .services
        .tags
        .list(&caller, search.as_deref(), req)
        .await?;
    Ok(Json(PageOf::of(page, Into::into)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTag {
    pub name: String,
    /// `cyan`, `grass`, `violet`, `plum`, `amber` or `bronze`.
    pub color: String,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedTag {
    pub name: String,
    pub version_tag_id: String,
}

/// Create a version tag
///
/// Names are unique without regard to case (409). Admin only.
#[utoipa::path(
    post,
    path = "/v2/tags",
    tag = "tags",
    operation_id = "createVersionTag",
    request_body = CreateTag,
    responses((status = 200, body = CreatedTag), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_tag(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiJson(req): ApiJson<CreateTag>,
) -> Result<Json<CreatedTag>, ApiError> {
    let t = st
        .services
        .tags
        .create(&admin, &req.name, &req.color, req.description)
        .await?;
    Ok(Json(CreatedTag {
        name: t.name,
        version_tag_id: t.id.to_string(),
    }))
}

fn tag_id(raw: &str) -> Result<Uuid, ApiError> {
    parse_id("tagId", raw)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTag {
    pub description: Option<String>,
}

/// Update a version tag's description
#[utoipa::path(
    patch,
    path = "/v2/tags/{tagId}",
    tag = "tags",
    operation_id = "updateVersionTag",
    params(("tagId" = String, Path)),
    request_body = UpdateTag,
    responses((status = 200, body = VersionTagBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn update_tag(
    State(st): State<AppState>,
    admin: AdminMember,
    Path(raw): Path<String>,
    ApiJson(req): ApiJson<UpdateTag>,
) -> Result<Json<VersionTagBody>, ApiError> {
    let t = st
        .services
        .tags
        .update(&admin, tag_id(&raw)?, req.description)
        .await?;
    Ok(Json(t.into()))
}

/// Delete a version tag
///
/// It comes off every workbook it marks.
#[utoipa::path(
    delete,
    path = "/v2/tags/{tagId}",
    tag = "tags",
    operation_id = "deleteVersionTag",
    params(("tagId" = String, Path)),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_tag(
    State(st): State<AppState>,
    admin: AdminMember,
    Path(raw): Path<String>,
) -> Result<Json<Empty>, ApiError> {
    st.services.tags.delete(&admin, tag_id(&raw)?).await?;
    Ok(Json(Empty {}))
}

/// List the workbooks a version tag marks
///
/// Those the caller can see, by name.
#[utoipa::path(
    get,
    path = "/v2/tags/{tagId}/workbooks",
    tag = "tags",
    operation_id = "listWorkbooksForTag",
    params(("tagId" = String, Path), PageParams),
    responses((status = 200, body = PageOf<WorkbookBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_workbooks_for_tag(
    State(st): State<AppState>,
    caller: CurrentMember,
    Path(raw): Path<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<WorkbookBody>>, ApiError> {
    let page = st
        .services
        .tags
        .workbooks(&caller, tag_id(&raw)?, p.check()?)
        .await?;
    Ok(Json(PageOf::of(page, |e| workbook_body(&st, e))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TagWorkbook {
    pub workbook_id: String,
    /// The version tag's name.
    pub tag: String,
    /// The newest version when unset.
    pub workbook_version: Option<f64>,
    /// Sources to swap: sigil's workbooks have no data sources, so a non-empty list
    /// answers 501.
    #[schema(value_type = Option<Vec<Object>>)]
    pub source_mapping_config: Option<Vec<Value>>,
    #[schema(value_type = Option<Vec<Object>>)]
    pub data_model_source_tagged_versions: Option<Vec<Value>>,
    /// Source dataset versions, by dataset: none in sigil, so a non-empty map
    /// answers 501.
    #[schema(value_type = Option<Object>)]
    pub source_versions: Option<serde_json::Map<String, Value>>,
    /// About copied datasets, which sigil does not have: accepted, no effect.
    pub grant_source_access: Option<bool>,
    /// Kept as a record: sigil holds no grants on tagged versions, so nothing is
    /// served differently because of it.
    pub is_default: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaggedWorkbook {
    pub version_tag_id: String,
    pub tagged_workbook_id: String,
    pub tagged_workbook_version: i64,
}

/// Tag a workbook version
///
/// Marks a version (the newest when `workbookVersion` is unset) with a tag; a tag
/// already on the workbook moves to that version. Needs Can Manage on the workbook.
#[utoipa::path(
    post,
    path = "/v2/workbooks/tag",
    tag = "workbooks",
    operation_id = "tagWorkbook",
    request_body = TagWorkbook,
    responses((status = 200, body = TaggedWorkbook), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 501, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn tag_workbook(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiJson(req): ApiJson<TagWorkbook>,
) -> Result<Json<TaggedWorkbook>, ApiError> {
    let workbook: InodeId = parse_id("workbookId", &req.workbook_id)?;
    let swaps = req.source_mapping_config.iter().flatten().count()
        + req
            .data_model_source_tagged_versions
            .iter()
            .flatten()
            .count();
    if swaps > 0 {
        return Err(ApiError::NotImplemented(
            "sourceMappingConfig and dataModelSourceTaggedVersions swap data sources, which \
             sigil's workbooks do not have"
                .into(),
        ));
    }
    let version = match req.workbook_version {
        None => None,
        Some(v) if v.fract() == 0.0 && (1.0..=i64::MAX as f64).contains(&v) => Some(v as i64),
        Some(v) => {
            return Err(ApiError::bad_request(format!(
                "workbookVersion must be a whole number from 1, got {v}"
            )))
        }
    };
    let t = st
        .services
        .tags
        .tag(
            &caller,
            workbook,
            &req.tag,
            version,
            req.is_default.unwrap_or(false),
        )
        .await?;
    Ok(Json(TaggedWorkbook {
        version_tag_id: t.tag_id.to_string(),
        tagged_workbook_id: t.tagged_workbook_id.to_string(),
        tagged_workbook_version: t.version,
    }))
}

/// List a workbook's version tags
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/tags",
    tag = "workbooks",
    operation_id = "getWorkbookTags",
    params(("workbookId" = String, Path), PageParams),
    responses((status = 200, body = PageOf<WorkbookTagBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_workbook_tags(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<InodeId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<WorkbookTagBody>>, ApiError> {
    let page = st
        .services
        .tags
        .of_workbook(&caller, id, p.check()?)
        .await?;
    Ok(Json(PageOf::of(page, Into::into)))
}

/// Take a version tag off a workbook
#[utoipa::path(
    delete,
    path = "/v2/workbooks/{workbookId}/tags/{tagId}",
    tag = "workbooks",
    operation_id = "deleteTaggedworkbook",
    params(("workbookId" = String, Path), ("tagId" = String, Path)),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn untag_workbook(
    State(st): State<AppState>,
    caller: CurrentMember,
    Path((workbook, tag)): Path<(String, String)>,
) -> Result<Json<Empty>, ApiError> {
    let workbook: InodeId = parse_id("workbookId", &workbook)?;
    st.services
        .tags
        .untag(&caller, workbook, tag_id(&tag)?)
        .await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaggedDocument {
    pub version_tag_id: String,
    pub name: String,
    /// The version the tag marks.
    pub version: i64,
    /// That version's document.
    #[schema(value_type = Object)]
    pub document: Value,
}

/// Read a tagged version's document
///
/// sigil's own: the document of the workbook version a tag (by id or name) marks.
#[utoipa::path(
    get,
    path = "/v2/workbooks/{workbookId}/tags/{tagId}/document",
    tag = "workbooks",
    operation_id = "getTaggedWorkbookDocument",
    params(("workbookId" = String, Path), ("tagId" = String, Path, description = "The tag's id or name")),
    responses((status = 200, body = TaggedDocument), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn tagged_document(
    State(st): State<AppState>,
    caller: CurrentMember,
    Path((workbook, tag)): Path<(String, String)>,
) -> Result<Json<TaggedDocument>, ApiError> {
    let workbook: InodeId = parse_id("workbookId", &workbook)?;
    // A tag's id is looked up by name too: the service matches either.
    let name = match tag.parse::<Uuid>() {
        Ok(id) => st.services.tags.name_of(id).await?.unwrap_or(tag.clone()),
        Err(_) => tag.clone(),
    };
    let (document, t) = st
        .services
        .tags
        .tagged_document(&caller, workbook, &name)
        .await?;
    Ok(Json(TaggedDocument {
        version_tag_id: t.tag_id.to_string(),
        name: t.tag_name,
        version: t.version,
        document,
    }))
}
