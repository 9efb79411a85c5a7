//! `/v2/members` and `/v2.1/members` (Sigma), and `PUT /v2/members/{memberId}/password`
//! (sigil's own). Admins manage members; a member may read itself and its teams.

use std::collections::HashMap;

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::member::is_valid_email;
use sigil_core::{AccountTypeId, InodeId, Member, MemberId, TeamId, TeamMember, UserKind};
use sigil_store::{MemberFilter, RevocationKind};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::auth::secrets::hash_password_async;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{query_flag, AdminMember, ApiJson, ApiPath, ApiQuery, CurrentMember};
use crate::pagination::{PageOf, PageParams};
use crate::routes::credentials::Empty;
use crate::routes::teams::{team_body, TeamBody};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members, create_member))
        .routes(routes!(list_members_v2_1))
        .routes(routes!(get_member, update_member, delete_member))
        .routes(routes!(list_member_teams))
        .routes(routes!(set_member_password))
}

const MAX_NAME: usize = 255;

/// A member, as Sigma answers it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberBody {
    pub organization_id: String,
    pub member_id: String,
    /// The name of the member's account type.
    pub member_type: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub profile_img_url: Option<String>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub home_folder_id: Option<String>,
    /// `internal`, `guest` or `embed`.
    #[schema(value_type = String)]
    pub user_kind: UserKind,
    pub is_archived: bool,
    pub is_inactive: bool,
}

/// The names of the account types `ids` name, from the in-memory account types.
pub(crate) async fn type_names(
    st: &AppState,
    ids: impl IntoIterator<Item = AccountTypeId>,
) -> Result<HashMap<AccountTypeId, String>, ApiError> {
    let mut names = HashMap::new();
    for id in ids {
        if names.contains_key(&id) {
            continue;
        }
        if let Some(t) = st.account_types.get(st.store.as_ref(), id).await? {
            names.insert(id, t.name.clone());
        }
    }
    Ok(names)
}

pub(crate) fn member_body(m: &Member, names: &HashMap<AccountTypeId, String>) -> MemberBody {
    let clock = sigil_core::clock::rfc3339;
    MemberBody {
        organization_id: m.organization_id.to_string(),
        member_id: m.id.to_string(),
        member_type: names.get(&m.account_type_id).cloned().unwrap_or_default(),
        first_name: m.first_name.clone(),
        last_name: m.last_name.clone(),
        email: m.email.clone(),
        profile_img_url: m.profile_img_url.clone(),
        // The first Admin created itself.
        created_by: m.created_by.unwrap_or(m.id).to_string(),
        updated_by: m.updated_by.or(m.created_by).unwrap_or(m.id).to_string(),
        created_at: clock(m.created_at),
        updated_at: clock(m.updated_at),
        home_folder_id: m.home_folder_id.map(|h| h.to_string()),
        user_kind: m.user_kind,
        is_archived: m.is_archived,
        is_inactive: m.is_inactive,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct MemberQuery {
    /// Page number, from 1.
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    limit: Option<String>,
    /// Case-insensitive part of the email, first or last name.
    search: Option<String>,
    /// Exact email.
    email: Option<String>,
    /// Include archived members (default false).
    include_archived: Option<String>,
    /// Include inactive (deleted) members (default false).
    include_inactive: Option<String>,
}

fn parse_member_id(raw: &str) -> Result<MemberId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::not_found(format!("no member `{raw}`")))
}

async fn list(st: AppState, q: MemberQuery) -> Result<Json<PageOf<MemberBody>>, ApiError> {
    let req = PageParams {
        page: q.page.clone(),
        limit: q.limit.clone(),
    }
    .check()?;
    let filter = MemberFilter {
        search: q.search.clone().filter(|s| !s.is_empty()),
        email: q.email.clone().filter(|s| !s.is_empty()),
        include_archived: query_flag("includeArchived", q.include_archived.as_deref(), false)?,
        include_inactive: query_flag("includeInactive", q.include_inactive.as_deref(), false)?,
    };
    let key = format!(
        "members|{:?}|{:?}|{}|{}",
        filter.search, filter.email, filter.include_archived, filter.include_inactive
    );
    let store = st.store.clone();
    let page = st
        .cursors
        .page(
            key,
            req,
            |pos, limit, with_total| async move {
                store.list_members(&filter, &pos, limit, with_total).await
            },
            |m: &Member| m.email.clone(),
        )
        .await?;
    let ids: Vec<AccountTypeId> = page.entries.iter().map(|m| m.account_type_id).collect();
    let names = type_names(&st, ids).await?;
    Ok(Json(page.map(|m| member_body(&m, &names))))
}

/// List members
///
/// Members by email, in sigil's list shape. Admin only.
#[utoipa::path(
    get,
    path = "/v2/members",
    tag = "members",
    operation_id = "listMembers",
    params(MemberQuery),
    responses(
        (status = 200, body = PageOf<MemberBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_members(
    State(st): State<AppState>,
    _admin: AdminMember,
    ApiQuery(q): ApiQuery<MemberQuery>,
) -> Result<Json<PageOf<MemberBody>>, ApiError> {
    list(st, q).await
}

/// List members (v2.1)
#[utoipa::path(
    get,
    path = "/v2.1/members",
    tag = "members",
    operation_id = "v2_1_listMembers",
    params(MemberQuery),
    responses(
        (status = 200, body = PageOf<MemberBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_members_v2_1(
    State(st): State<AppState>,
    _admin: AdminMember,
    ApiQuery(q): ApiQuery<MemberQuery>,
) -> Result<Json<PageOf<MemberBody>>, ApiError> {
    list(st, q).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddToTeam {
    pub team_id: String,
    #[serde(default)]
    pub is_team_admin: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateMember {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// An account type's name; `Viewer` when absent.
    #[serde(default)]
    pub member_type: Option<String>,
    #[serde(default)]
    pub is_guest: Option<bool>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub user_kind: Option<UserKind>,
    #[serde(default)]
    pub add_to_teams: Option<Vec<AddToTeam>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct CreateMemberQuery {
    /// Recorded; sigil sends no mail.
    send_invite: Option<String>,
}

fn check_name(field: &str, v: &str) -> Result<String, ApiError> {
    let v = v.trim();
    if v.chars().count() > MAX_NAME {
        return Err(ApiError::bad_request(format!(
            "{field} must be at most {MAX_NAME} characters"
        )));
    }
    Ok(v.to_owned())
}

async fn account_type_named(st: &AppState, name: &str) -> Result<AccountTypeId, ApiError> {
    st.store
        .account_type_by_name(name)
        .await?
        .map(|t| t.id)
        .ok_or_else(|| ApiError::bad_request(format!("memberType `{name}` names no account type")))
}

/// Create a member
///
/// Creates a member with a home folder, optionally in teams. A taken email gets 409;
/// unknown teams get 400 naming them, and nothing is written. Admin only.
#[utoipa::path(
    post,
    path = "/v2/members",
    tag = "members",
    operation_id = "createMember",
    params(CreateMemberQuery),
    request_body = CreateMember,
    responses(
        (status = 200, body = MemberBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "The email is taken", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn create_member(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiQuery(q): ApiQuery<CreateMemberQuery>,
    ApiJson(req): ApiJson<CreateMember>,
) -> Result<Json<MemberBody>, ApiError> {
    if !is_valid_email(&req.email) {
        return Err(ApiError::bad_request(format!(
            "email `{}` is not an email address",
            req.email
        )));
    }
    let type_id = account_type_named(&st, req.member_type.as_deref().unwrap_or("Viewer")).await?;
    let mut teams = Vec::new();
    let add_to_teams = req.add_to_teams.unwrap_or_default();
    if add_to_teams.len() > 100 {
        return Err(ApiError::bad_request(
            "addToTeams names more than 100 teams",
        ));
    }
    for t in add_to_teams {
        let id: TeamId = t.team_id.parse().map_err(|_| {
            ApiError::bad_request(format!("addToTeams: `{}` is not a team id", t.team_id))
        })?;
        teams.push((id, t.is_team_admin));
    }
    let ids: Vec<TeamId> = teams.iter().map(|(id, _)| *id).collect();
    let missing = st.store.missing_teams(&ids).await?;
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(ToString::to_string).collect();
        return Err(ApiError::bad_request(format!(
            "addToTeams names unknown teams: {}",
            list.join(", ")
        )));
    }
    let now = sigil_core::clock::now();
    let caller = admin.0.member.id;
    let mut m = Member::new(st.organization.id, &req.email, type_id, Some(caller), now);
    m.first_name = check_name("firstName", &req.first_name)?;
    m.last_name = check_name("lastName", &req.last_name)?;
    m.user_kind = match (req.user_kind, req.is_guest) {
        (Some(k), _) => k,
        (None, Some(true)) => UserKind::Guest,
        _ => UserKind::Internal,
    };
    m.invite_requested = query_flag("sendInvite", q.send_invite.as_deref(), false)?;
    m.home_folder_id = Some(InodeId::new());
    let memberships: Vec<TeamMember> = teams
        .iter()
        .map(|(team_id, admin_flag)| TeamMember {
            team_id: *team_id,
            member_id: m.id,
            is_team_admin: *admin_flag,
            added_by: Some(caller),
            created_at: now,
        })
        .collect();
    st.store.insert_member(&m, &memberships).await?;
    tracing::info!(member = %m.id, "member created");
    let names = type_names(&st, [m.account_type_id]).await?;
    Ok(Json(member_body(&m, &names)))
}

/// Who may read member `id`: Admins, and the member itself. Others get 403 whether or
/// not the member exists.
async fn readable_member(
    st: &AppState,
    caller: &CurrentMember,
    raw: &str,
) -> Result<Member, ApiError> {
    let admin = caller.account_type.is_admin();
    let id = match raw.parse::<MemberId>() {
        Ok(id) => id,
        Err(_) if admin => return Err(ApiError::not_found(format!("no member `{raw}`"))),
        Err(_) => {
            return Err(ApiError::forbidden(
                "you may read only your own member record",
            ))
        }
    };
    if id == caller.member.id {
        return Ok(caller.member.clone());
    }
    if !admin {
        return Err(ApiError::forbidden(
            "you may read only your own member record",
        ));
    }
    st.store
        .member(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no member `{raw}`")))
}

/// Get a member
///
/// Admins read any member; a member reads itself.
#[utoipa::path(
    get,
    path = "/v2/members/{memberId}",
    tag = "members",
    operation_id = "getMember",
    params(("memberId" = String, Path)),
    responses(
        (status = 200, body = MemberBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn get_member(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<MemberBody>, ApiError> {
    let m = readable_member(&st, &caller, &id).await?;
    let names = type_names(&st, [m.account_type_id]).await?;
    Ok(Json(member_body(&m, &names)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateMember {
    pub member_type: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::routes::present")]
    #[schema(value_type = Option<String>)]
    pub profile_img_url: Option<Option<String>>,
    pub email: Option<String>,
    pub is_archived: Option<bool>,
    pub is_inactive: Option<bool>,
    #[schema(value_type = Option<String>)]
    pub user_kind: Option<UserKind>,
    /// With `isArchived: true`: the member who receives the archived member's documents.
    pub new_owner_id: Option<String>,
    /// Accepted for compatibility; sigil keeps documents when it archives a member.
    pub archive_documents: Option<bool>,
    /// Accepted for compatibility; sigil has no scheduled exports.
    pub archive_scheduled_exports: Option<bool>,
}

/// Update a member
///
/// Names, email, account type (`memberType`), user kind, archived and inactive flags;
/// `newOwnerId` moves an archived member's documents. Deactivating a member revokes
/// its tokens at once. Admin only; an Admin may not deactivate or archive itself.
#[utoipa::path(
    patch,
    path = "/v2/members/{memberId}",
    tag = "members",
    operation_id = "updateMember",
    params(("memberId" = String, Path)),
    request_body = UpdateMember,
    responses(
        (status = 200, body = MemberBody),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The email is taken", body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn update_member(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<UpdateMember>,
) -> Result<Json<MemberBody>, ApiError> {
    let id = parse_member_id(&id)?;
    let mut m = st
        .store
        .member(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no member `{id}`")))?;
    let was_inactive = m.is_inactive;
    let caller = admin.0.member.id;
    if let Some(t) = &req.member_type {
        m.account_type_id = account_type_named(&st, t).await?;
    }
    if let Some(v) = &req.first_name {
        m.first_name = check_name("firstName", v)?;
    }
    if let Some(v) = &req.last_name {
        m.last_name = check_name("lastName", v)?;
    }
    if let Some(v) = req.profile_img_url {
        m.profile_img_url = v;
    }
    if let Some(e) = &req.email {
        if !is_valid_email(e) {
            return Err(ApiError::bad_request(format!(
                "email `{e}` is not an email address"
            )));
        }
        m.email = sigil_core::member::normalize_email(e);
    }
    if let Some(v) = req.is_archived {
        m.is_archived = v;
    }
    if let Some(v) = req.is_inactive {
        m.is_inactive = v;
    }
    if let Some(k) = req.user_kind {
        m.user_kind = k;
    }
    if id == caller && (m.is_inactive || m.is_archived) {
        return Err(ApiError::bad_request(
            "an Admin may not deactivate or archive itself; ask another Admin",
        ));
    }
    let new_owner = match &req.new_owner_id {
        None => None,
        Some(raw) => {
            if !m.is_archived {
                return Err(ApiError::bad_request(
                    "newOwnerId applies to archived members: send isArchived: true with it",
                ));
            }
            let to: MemberId = raw.parse().map_err(|_| {
                ApiError::bad_request(format!("newOwnerId `{raw}` is not a member id"))
            })?;
            let active = st
                .store
                .member(to)
                .await?
                .is_some_and(|o| !o.is_inactive && !o.is_archived);
            if !active || to == id {
                return Err(ApiError::bad_request(format!(
                    "newOwnerId `{raw}` names no other active member"
                )));
            }
            Some(to)
        }
    };
    m.updated_by = Some(caller);
    m.updated_at = sigil_core::clock::now();
    let deactivated = m.is_inactive && !was_inactive;
    st.store.update_member(&m, deactivated).await?;
    if deactivated {
        st.revocations
            .insert(RevocationKind::Member, &m.id.to_string());
    }
    if let Some(to) = new_owner {
        let moved = st.store.reassign_documents(m.id, to).await?;
        tracing::info!(from = %m.id, to = %to, moved, "documents reassigned");
    }
    let names = type_names(&st, [m.account_type_id]).await?;
    Ok(Json(member_body(&m, &names)))
}

/// Delete a member
///
/// Deactivates the member: its tokens stop working at once; its history and
/// documents stay. Admin only; an Admin may not delete itself.
#[utoipa::path(
    delete,
    path = "/v2/members/{memberId}",
    tag = "members",
    operation_id = "deleteMember",
    params(("memberId" = String, Path)),
    responses(
        (status = 200, body = Empty),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn delete_member(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Empty>, ApiError> {
    let id = parse_member_id(&id)?;
    if id == admin.0.member.id {
        return Err(ApiError::bad_request(
            "an Admin may not delete itself; ask another Admin",
        ));
    }
    let mut m = st
        .store
        .member(id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no member `{id}`")))?;
    if !m.is_inactive {
        m.is_inactive = true;
        m.updated_by = Some(admin.0.member.id);
        m.updated_at = sigil_core::clock::now();
        st.store.update_member(&m, true).await?;
        st.revocations
            .insert(RevocationKind::Member, &m.id.to_string());
        tracing::info!(member = %m.id, "member deactivated");
    }
    Ok(Json(Empty {}))
}

/// List a member's teams
///
/// Admins, and the member itself.
#[utoipa::path(
    get,
    path = "/v2/members/{memberId}/teams",
    tag = "members",
    operation_id = "listMemberTeams",
    params(("memberId" = String, Path), PageParams),
    responses(
        (status = 200, body = PageOf<TeamBody>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all)]
pub async fn list_member_teams(
    State(st): State<AppState>,
    caller: CurrentMember,
    ApiPath(id): ApiPath<String>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<TeamBody>>, ApiError> {
    let req = p.check()?;
    let m = readable_member(&st, &caller, &id).await?;
    // A member belongs to few teams: read them all and cut the page here.
    let teams = st.store.member_teams(m.id).await?;
    Ok(Json(PageOf::of_all(teams, req).map(|t| team_body(&t))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// At least 8 characters.
    pub password: String,
}

/// Set a member's password (sigil)
///
/// The password the Report token API's BASIC method checks. Admin only.
#[utoipa::path(
    put,
    path = "/v2/members/{memberId}/password",
    tag = "members",
    operation_id = "setMemberPassword",
    params(("memberId" = String, Path)),
    request_body = SetPassword,
    responses(
        (status = 200, body = Empty),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.0.member.id))]
pub async fn set_member_password(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiPath(id): ApiPath<String>,
    ApiJson(req): ApiJson<SetPassword>,
) -> Result<Json<Empty>, ApiError> {
    let id = parse_member_id(&id)?;
    let n = req.password.chars().count();
    if !(8..=1024).contains(&n) {
        return Err(ApiError::bad_request(
            "password must be 8 to 1024 characters",
        ));
    }
    let hash = hash_password_async(req.password).await;
    let found = st
        .store
        .set_member_password(id, &hash, sigil_core::clock::now())
        .await?;
    if !found {
        return Err(ApiError::not_found(format!("no member `{id}`")));
    }
    let _ = admin;
    Ok(Json(Empty {}))
}
