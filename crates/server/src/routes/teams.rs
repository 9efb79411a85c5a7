//! `/v2/teams` and `/v2.1/teams` (Sigma): teams and their members. Admins manage
//! teams; anyone reads public teams and the teams it belongs to (others are 404); a
//! team admin may change its own team's members.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{GrantId, GrantPermission, MemberId, Team, TeamId, TeamMember, Visibility};
use sigil_store::{Grant, Inode, NewTeam, TeamCursor, TeamFilter};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{AdminMember, ApiJson, ApiPath, ApiQuery, CurrentMember};
use crate::pagination::{PageOf, PageParams};
use crate::routes::credentials::Empty;
use crate::routes::who;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_teams, create_team))
        .routes(routes!(list_teams_v2_1))
        .routes(routes!(get_team, update_team, delete_team))
        .routes(routes!(list_team_members, update_team_members))
}

const MAX_NAME: usize = 255;
const MAX_DESCRIPTION: usize = 1024;

/// A team, as Sigma answers it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamBody {
    pub team_id: String,
    pub name: String,
    pub description: String,
    /// `public` or `private`.
    #[schema(value_type = String)]
    pub visibility: Visibility,
    pub is_archived: bool,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
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

pub(crate) fn team_body(t: &Team) -> TeamBody {
    let clock = sigil_core::clock::rfc3339;
    TeamBody {
        team_id: t.id.to_string(),
        name: t.name.clone(),
        description: t.description.clone(),
        visibility: t.visibility,
        is_archived: t.is_archived,
        created_by: who(t.created_by),
        updated_by: who(t.updated_by.or(t.created_by)),
        created_at: clock(t.created_at),
        updated_at: clock(t.updated_at),
    }
}

async fn with_members(st: &AppState, t: &Team) -> Result<TeamWithMembers, ApiError> {
    let (members, _) = st.store.team_members(t.id, None, 0, u32::MAX).await?;
    Ok(TeamWithMembers {
        team: team_body(t),
        members: members.iter().map(|m| m.member_id.to_string()).collect(),
        workspace_id: t.workspace_id.map(|w| w.to_string()),
    })
}

/// The team, if the caller may see it: Admins see all; others see public teams and
/// their own. A team the caller may not see is 404, as if it did not exist.
async fn visible_team(st: &AppState, caller: &CurrentMember, raw: &str) -> Result<Team, ApiError> {
    let not_found = || ApiError::not_found(format!("no team `{raw}`"));
    let id: TeamId = raw.parse().map_err(|_| not_found())?;
    let team = st.store.team(id).await?.ok_or_else(not_found)?;
    if caller.account_type.is_admin() || team.visibility == Visibility::Public {
        return Ok(team);
    }
    match st.store.team_membership(id, caller.member.id).await? {
        Some(_) => Ok(team),
        None => Err(not_found()),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    /// Page number, from 1.
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    limit: Option<String>,
    /// Case-insensitive part of the name.
    name: Option<String>,
    /// Case-insensitive part of the description.
    description: Option<String>,
    /// `public` or `private`.
    visibility: Option<String>,
}

async fn list(
    st: AppState,
    caller: CurrentMember,
    q: TeamQuery,
) -> Result<Json<PageOf<TeamBody>>, ApiError> {
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
        visible_to: (!caller.account_type.is_admin()).then_some(caller.member.id),
    };
    let key = format!(
        "teams|{:?}|{:?}|{:?}|{:?}",
        filter.name, filter.description, filter.visibility, filter.visible_to
    );
    let store = st.store.clone();
    let page = st
        .cursors
        .page(
            key,
            req,
            |pos, limit, with_total| async move {
                store.list_teams(&filter, &pos, limit, with_total).await
            },
            |t: &Team| TeamCursor {
                name: t.name.clone(),
                id: t.id,
            },
        )
        .await?;
    Ok(Json(page.map(|t| team_body(&t))))
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
) -> Result<Json<PageOf<TeamBody>>, ApiError> {
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
) -> Result<Json<PageOf<TeamBody>>, ApiError> {
    list(st, caller, q).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
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
    #[schema(value_type = Option<String>)]
    pub visibility: Option<Visibility>,
}

fn check_text(field: &str, v: &str, max: usize, required: bool) -> Result<String, ApiError> {
    let t = v.trim();
    if required && t.is_empty() {
        return Err(ApiError::bad_request(format!("{field} must not be empty")));
    }
    if t.chars().count() > max {
        return Err(ApiError::bad_request(format!(
            "{field} must be at most {max} characters"
        )));
    }
    Ok(t.to_owned())
}

/// Most member ids one request may name.
const MAX_IDS: usize = 1000;

/// Parses member ids and refuses the request naming every unknown one.
async fn known_members(
    st: &AppState,
    field: &str,
    raw: &[String],
) -> Result<Vec<MemberId>, ApiError> {
    if raw.len() > MAX_IDS {
        return Err(ApiError::bad_request(format!(
            "{field} names {} members; at most {MAX_IDS} a request",
            raw.len()
        )));
    }
    let mut ids = Vec::new();
    let mut bad = Vec::new();
    for r in raw {
        match r.parse::<MemberId>() {
            Ok(id) => {
                if !ids.contains(&id) {
                    ids.push(id)
                }
            }
            Err(_) => bad.push(r.clone()),
        }
    }
    bad.extend(
        st.store
            .missing_members(&ids)
            .await?
            .iter()
            .map(ToString::to_string),
    );
    if !bad.is_empty() {
        return Err(ApiError::bad_request(format!(
            "{field} names unknown members: {}",
            bad.join(", ")
        )));
    }
    Ok(ids)
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
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn create_team(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiJson(req): ApiJson<CreateTeam>,
) -> Result<Json<TeamWithMembers>, ApiError> {
    let name = check_text("name", &req.name, MAX_NAME, true)?;
    let description = check_text(
        "description",
        req.description.as_deref().unwrap_or(""),
        MAX_DESCRIPTION,
        false,
    )?;
    let members = known_members(&st, "members", req.members.as_deref().unwrap_or(&[])).await?;
    let now = sigil_core::clock::now();
    let caller = admin.0.member.id;
    let id = TeamId::new();
    let workspace = req.create_team_folder.unwrap_or(false).then(|| {
        let ws = Inode {
            description: format!("Workspace of the team {name}"),
            ..Inode::new("workspace", &name, None, Some(caller), now)
        };
        let grant = Grant {
            id: GrantId::new(),
            inode_id: ws.id,
            member_id: None,
            team_id: Some(id),
            permission: GrantPermission::Edit,
            created_by: Some(caller),
            updated_by: Some(caller),
            created_at: now,
            updated_at: now,
        };
        (ws, grant)
    });
    let team = Team {
        id,
        name,
        description,
        visibility: req.visibility.unwrap_or(Visibility::Private),
        workspace_id: workspace.as_ref().map(|(ws, _)| ws.id),
        is_archived: false,
        created_by: Some(caller),
        updated_by: Some(caller),
        created_at: now,
        updated_at: now,
    };
    let memberships = members
        .iter()
        .map(|m| TeamMember {
            team_id: id,
            member_id: *m,
            is_team_admin: false,
            added_by: Some(caller),
            created_at: now,
        })
        .collect();
    st.store
        .insert_team(&NewTeam {
            team: team.clone(),
            members: memberships,
            workspace,
        })
        .await?;
    tracing::info!(team = %team.id, "team created");
    Ok(Json(TeamWithMembers {
        team: team_body(&team),
        members: members.iter().map(ToString::to_string).collect(),
        workspace_id: team.workspace_id.map(|w| w.to_string()),
    }))
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
    ApiPath(id): ApiPath<String>,
) -> Result<Json<TeamWithMembers>, ApiError> {
    let t = visible_team(&st, &caller, &id).await?;
    Ok(Json(with_members(&st, &t).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateTeam {
    pub name: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = Option<String>)]
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
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn update_team(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateTeam>,
) -> Result<Json<TeamBody>, ApiError> {
    let mut t = visible_team(&st, &admin.0, &id).await?;
    if let Some(n) = &req.name {
        t.name = check_text("name", n, MAX_NAME, true)?;
    }
    if let Some(d) = &req.description {
        t.description = check_text("description", d, MAX_DESCRIPTION, false)?;
    }
    if let Some(v) = req.visibility {
        t.visibility = v;
    }
    if let Some(a) = req.is_archived {
        t.is_archived = a;
    }
    t.updated_by = Some(admin.0.member.id);
    t.updated_at = sigil_core::clock::now();
    st.store.update_team(&t).await?;
    Ok(Json(team_body(&t)))
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
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn delete_team(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Empty>, ApiError> {
    let t = visible_team(&st, &admin.0, &id).await?;
    if !st.store.delete_team(t.id).await? {
        return Err(ApiError::not_found(format!("no team `{id}`")));
    }
    tracing::info!(team = %t.id, "team deleted");
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
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<TeamMemberBody>>, ApiError> {
    let req = p.check()?;
    let t = visible_team(&st, &caller, &id).await?;
    let store = st.store.clone();
    let page = st
        .cursors
        .page(
            format!("team-members|{}", t.id),
            req,
            |pos, limit, _with_total| async move {
                let (after, offset) = pos.into_parts();
                let (rows, total) = store.team_members(t.id, after, offset, limit).await?;
                Ok((rows, Some(total)))
            },
            |m: &TeamMember| m.member_id,
        )
        .await?;
    Ok(Json(page.map(|m| TeamMemberBody {
        user_id: m.member_id.to_string(),
        is_team_admin: m.is_team_admin,
        added_by: m.added_by.map(|a| a.to_string()).unwrap_or_default(),
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
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
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateTeamMembers>,
) -> Result<Json<Empty>, ApiError> {
    let t = visible_team(&st, &caller, &id).await?;
    if !caller.account_type.is_admin() {
        let own = st.store.team_membership(t.id, caller.member.id).await?;
        if !own.is_some_and(|m| m.is_team_admin) {
            return Err(ApiError::forbidden(
                "changing a team's members needs an Admin or a team admin of that team",
            ));
        }
    }
    let add = known_members(&st, "add", req.add.as_deref().unwrap_or(&[])).await?;
    let mut remove = Vec::new();
    let raw_remove = req.remove.as_deref().unwrap_or(&[]);
    if raw_remove.len() > MAX_IDS {
        return Err(ApiError::bad_request(format!(
            "remove names {} members; at most {MAX_IDS} a request",
            raw_remove.len()
        )));
    }
    for r in raw_remove {
        remove.push(
            r.parse::<MemberId>()
                .map_err(|_| ApiError::bad_request(format!("remove: `{r}` is not a member id")))?,
        );
    }
    let now = sigil_core::clock::now();
    let mut adds = Vec::new();
    for m in add {
        // Adding a member already in the team keeps its team-admin flag.
        let existing = st.store.team_membership(t.id, m).await?;
        adds.push(TeamMember {
            team_id: t.id,
            member_id: m,
            is_team_admin: existing.as_ref().is_some_and(|e| e.is_team_admin),
            added_by: existing.and_then(|e| e.added_by).or(Some(caller.member.id)),
            created_at: now,
        });
    }
    st.store.change_team_members(t.id, &adds, &remove).await?;
    Ok(Json(Empty {}))
}
