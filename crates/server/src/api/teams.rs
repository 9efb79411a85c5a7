//! `/v2/teams` and `/v2.1/teams` (Sigma): teams and their members. Admins manage
//! teams; anyone reads public teams and the teams it belongs to (others are 404); a
//! team admin may change its own team's members.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{TeamId, TeamMember, Visibility};
use sigil_service::teams::{NewTeamInput, TeamFilter, TeamUpdate};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::bodies::TeamBody;
use crate::api::shape::{json_bytes, render_json, Empty, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{AdminMember, ApiJson, ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(list_teams_v2_1))
        .routes(routes!(get_team, update_team, delete_team))
        .routes(routes!(list_team_members, update_team_members))
}

/// A team with its member ids (and, on creation, its workspace).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamWithMembers {
    #[serde(flatten)]
    pub team: TeamBody,
    pub members: Vec<String>,
    pub workspace_id: Option<String>,
}

fn with_members(t: sigil_service::teams::TeamWithMembers) -> TeamWithMembers {
    TeamWithMembers {
        team: TeamBody::from(&t.team),
        members: t.members.iter().map(ToString::to_string).collect(),
        workspace_id: t.team.workspace_id.map(|w| w.to_string()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// Page number, from 1.
    #[param(schema_with = crate::api::schemas::page_number)]
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// Case-insensitive part of the name.
    #[param(schema_with = crate::api::schemas::search_text)]
    name: Option<String>,
    /// Case-insensitive part of the description.
    #[param(schema_with = crate::api::schemas::search_text)]
    description: Option<String>,
    /// `public` or `private`.
    #[param(value_type = Option<crate::api::schemas::VisibilitySchema>, inline)]
    visibility: Option<String>,
}

async fn list(st: AppState, caller: CurrentMember, q: TeamQuery) -> Result<Response, ApiError> {
    let req = PageParams {
        page: q.page.clone(),
        limit: q.limit.clone(),
    }
    .check()?;
    let visibility = match q.visibility.as_deref() {
        None | Some("") => None,
        Some(v) => Some(Visibility::parse(v).ok_or_else(|| {
            ApiError::bad_request(format!("visibility must be public or private, got `{v}`"))
        })?),
    };
    let filter = TeamFilter {
        name: q.name.filter(|s| !s.is_empty()),
        description: q.description.filter(|s| !s.is_empty()),
        visibility,
        visible_to: None,
    };
    let body = st
        .services
        .teams
        .list_rendered(&caller, filter, req, |page| {
            render_json(&PageOf::of(page, |t| TeamBody::from(&t)))
        })
        .await?;
    Ok(json_bytes(body))
}

/// List teams
///
/// Admins see every team; others see public teams and their own.
#[utoipa::path(
    get,
    path = "/v2/teams",
    tag = "teams",
    operation_id = "listTeams",
    params(TeamQuery),
    responses(
        (status = 200, body = PageOf<TeamBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_teams(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<TeamQuery>,
) -> Result<Response, ApiError> {
    list(st, caller, q).await
}

/// List teams (v2.1)
#[utoipa::path(
    get,
    path = "/v2.1/teams",
    tag = "teams",
    operation_id = "v2_1_listTeams",
    params(TeamQuery),
    responses(
        (status = 200, body = PageOf<TeamBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_teams_v2_1(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiQuery(q): ApiQuery<TeamQuery>,
) -> Result<Response, ApiError> {
    list(st, caller, q).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateTeam {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Member ids; unknown ones get 400 and nothing is written.
    #[serde(default)]
    pub members: Option<Vec<String>>,
    /// Create a team workspace, on which the team holds Can Manage.
    #[serde(default)]
    pub create_team_folder: Option<bool>,
    /// `public` or `private` (default `private`).
    #[serde(default)]
    #[schema(value_type = Option<crate::api::schemas::VisibilitySchema>, inline)]
    pub visibility: Option<Visibility>,
}

/// Create a team
///
/// With `createTeamFolder`, also a team workspace on which the team holds Can Manage.
/// Admin only.
#[utoipa::path(
    post,
    path = "/v2/teams",
    tag = "teams",
    operation_id = "createTeam",
    request_body = CreateTeam,
    responses(
        (status = 200, body = TeamWithMembers),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn create_team(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiJson(req): ApiJson<CreateTeam>,
) -> Result<Json<TeamWithMembers>, ApiError> {
    let input = NewTeamInput {
        name: req.name,
        description: req.description,
        members: req.members.unwrap_or_default(),
        create_team_folder: req.create_team_folder.unwrap_or(false),
        visibility: req.visibility,
    };
    let t = st.services.teams.create(&admin, input).await?;
    Ok(Json(with_members(t)))
}

/// Get a team
#[utoipa::path(
    get,
    path = "/v2/teams/{teamId}",
    tag = "teams",
    operation_id = "getTeam",
    params(("teamId" = String, Path)),
    responses(
        (status = 200, body = TeamWithMembers),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such team, or not one the caller may see", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_team(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<TeamId>,
) -> Result<Json<TeamWithMembers>, ApiError> {
    let t = st.services.teams.get(&caller, id).await?;
    Ok(Json(with_members(t)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTeam {
    pub name: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = Option<crate::api::schemas::VisibilitySchema>, inline)]
    pub visibility: Option<Visibility>,
    pub is_archived: Option<bool>,
}

/// Update a team
///
/// Admin only.
#[utoipa::path(
    patch,
    path = "/v2/teams/{teamId}",
    tag = "teams",
    operation_id = "updateTeam",
    params(("teamId" = String, Path)),
    request_body = UpdateTeam,
    responses(
        (status = 200, body = TeamBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn update_team(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(id): Id<TeamId>,
    ApiJson(req): ApiJson<UpdateTeam>,
) -> Result<Json<TeamBody>, ApiError> {
    let update = TeamUpdate {
        name: req.name,
        description: req.description,
        visibility: req.visibility,
        is_archived: req.is_archived,
    };
    let t = st.services.teams.update(&admin, id, update).await?;
    Ok(Json(TeamBody::from(&t)))
}

/// Delete a team
///
/// Removes the team, its memberships and its grants; its workspace and documents
/// stay. Admin only.
#[utoipa::path(
    delete,
    path = "/v2/teams/{teamId}",
    tag = "teams",
    operation_id = "deleteTeam",
    params(("teamId" = String, Path)),
    responses(
        (status = 200, body = Empty),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn delete_team(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(id): Id<TeamId>,
) -> Result<Json<Empty>, ApiError> {
    st.services.teams.delete(&admin, id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamMemberBody {
    pub user_id: String,
    pub is_team_admin: bool,
    pub added_by: String,
}

/// List a team's members
#[utoipa::path(
    get,
    path = "/v2/teams/{teamId}/members",
    tag = "teams",
    operation_id = "getTeamMembers",
    params(("teamId" = String, Path), PageParams),
    responses(
        (status = 200, body = PageOf<TeamMemberBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_team_members(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<TeamId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<TeamMemberBody>>, ApiError> {
    let req = p.check()?;
    let page = st.services.teams.members(&caller, id, req).await?;
    Ok(Json(PageOf::of(page, |m: TeamMember| TeamMemberBody {
        user_id: m.member_id.to_string(),
        is_team_admin: m.is_team_admin,
        added_by: m.added_by.map(|a| a.to_string()).unwrap_or_default(),
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTeamMembers {
    /// Member ids to add; `null` or absent adds none.
    #[serde(default)]
    pub add: Option<Vec<String>>,
    /// Member ids to remove; `null` or absent removes none.
    #[serde(default)]
    pub remove: Option<Vec<String>>,
}

/// Add and remove team members
///
/// All or nothing: an unknown member in `add` gets 400 naming it. Admins, and the
/// team's own team admins.
#[utoipa::path(
    patch,
    path = "/v2/teams/{teamId}/members",
    tag = "teams",
    operation_id = "updateTeamMembers",
    params(("teamId" = String, Path)),
    request_body = UpdateTeamMembers,
    responses(
        (status = 200, body = Empty),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn update_team_members(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(id): Id<TeamId>,
    ApiJson(req): ApiJson<UpdateTeamMembers>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .teams
        .change_members(
            &caller,
            id,
            req.add.as_deref().unwrap_or(&[]),
            req.remove.as_deref().unwrap_or(&[]),
        )
        .await?;
    Ok(Json(Empty {}))
}
