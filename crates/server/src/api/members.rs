//! `/v2/members` and `/v2.1/members` (Sigma), and `PUT /v2/members/{memberId}/password`
//! (sigil's own). Admins manage members; a member may read itself and its teams.

use axum::extract::State;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::{InodeId, MemberId, OrganizationId, UserKind};
use sigil_service::members::{self, MemberFilter, MemberRecord, MemberUpdate, NewMember};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::api::bodies::TeamBody;
use crate::api::shape::{json_bytes, render_json, Empty, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{query_flag, AdminMember, ApiJson, ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members, create_member))
        .routes(routes!(list_members_v2_1))
        .routes(routes!(get_member, update_member, delete_member))
        .routes(routes!(list_member_teams))
        .routes(routes!(set_member_password))
        .routes(routes!(revoke_member_tokens))
}

/// A member, as Sigma answers it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberBody {
    // Ids are kept typed and written straight into the JSON (a page of members made
    // a string of each first).
    #[schema(value_type = String)]
    pub organization_id: OrganizationId,
    #[schema(value_type = String)]
    pub member_id: MemberId,
    /// The name of the member's account type.
    pub member_type: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub profile_img_url: Option<String>,
    #[schema(value_type = String)]
    pub created_by: MemberId,
    #[schema(value_type = String)]
    pub updated_by: MemberId,
    pub created_at: String,
    pub updated_at: String,
    #[schema(value_type = Option<String>)]
    pub home_folder_id: Option<InodeId>,
    /// `internal`, `guest` or `embed`.
    #[schema(value_type = crate::api::schemas::UserKindSchema, inline)]
    pub user_kind: UserKind,
    pub is_archived: bool,
    pub is_inactive: bool,
}

fn member_body(r: &MemberRecord) -> MemberBody {
    let clock = sigil_core::clock::rfc3339;
    let m = &r.member;
    MemberBody {
        organization_id: m.organization_id,
        member_id: m.id,
        member_type: r.account_type.name.clone(),
        first_name: m.first_name.clone(),
        last_name: m.last_name.clone(),
        email: m.email.clone(),
        profile_img_url: m.profile_img_url.clone(),
        // The first Admin created itself.
        created_by: m.created_by.unwrap_or(m.id),
        updated_by: m.updated_by.or(m.created_by).unwrap_or(m.id),
        created_at: clock(m.created_at),
        updated_at: clock(m.updated_at),
        home_folder_id: m.home_folder_id,
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
    #[param(schema_with = crate::api::schemas::page_number)]
    page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// Case-insensitive part of the email, first or last name.
    #[param(schema_with = crate::api::schemas::search_text)]
    search: Option<String>,
    /// Exact email.
    email: Option<String>,
    /// Include archived members (default false).
    include_archived: Option<String>,
    /// Include inactive (deleted) members (default false).
    include_inactive: Option<String>,
}

async fn list(st: AppState, admin: AdminMember, q: MemberQuery) -> Result<Response, ApiError> {
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
    let body = st
        .services
        .members
        .list_rendered(&admin, filter, req, |page| {
            render_json(&PageOf::of(page, |r| member_body(&r)))
        })
        .await?;
    Ok(json_bytes(body))
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
    admin: AdminMember,
    ApiQuery(q): ApiQuery<MemberQuery>,
) -> Result<Response, ApiError> {
    list(st, admin, q).await
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
    admin: AdminMember,
    ApiQuery(q): ApiQuery<MemberQuery>,
) -> Result<Response, ApiError> {
    list(st, admin, q).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddToTeam {
    pub team_id: String,
    #[serde(default)]
    pub is_team_admin: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
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
    #[schema(value_type = Option<crate::api::schemas::UserKindSchema>, inline)]
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
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn create_member(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiQuery(q): ApiQuery<CreateMemberQuery>,
    ApiJson(req): ApiJson<CreateMember>,
) -> Result<Json<MemberBody>, ApiError> {
    let input = NewMember {
        email: req.email,
        first_name: req.first_name,
        last_name: req.last_name,
        member_type: req.member_type,
        is_guest: req.is_guest,
        user_kind: req.user_kind,
        add_to_teams: req
            .add_to_teams
            .unwrap_or_default()
            .into_iter()
            .map(|t| members::AddToTeam {
                team_id: t.team_id,
                is_team_admin: t.is_team_admin,
            })
            .collect(),
        send_invite: query_flag("sendInvite", q.send_invite.as_deref(), false)?,
    };
    let r = st.services.members.create(&admin, input).await?;
    Ok(Json(member_body(&r)))
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
    Id(id): Id<MemberId>,
) -> Result<Json<MemberBody>, ApiError> {
    let r = st.services.members.get(&caller, id).await?;
    Ok(Json(member_body(&r)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateMember {
    pub member_type: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "crate::api::shape::present")]
    #[schema(value_type = Option<String>)]
    pub profile_img_url: Option<Option<String>>,
    pub email: Option<String>,
    pub is_archived: Option<bool>,
    pub is_inactive: Option<bool>,
    #[schema(value_type = Option<crate::api::schemas::UserKindSchema>, inline)]
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
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn update_member(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(id): Id<MemberId>,
    ApiJson(req): ApiJson<UpdateMember>,
) -> Result<Json<MemberBody>, ApiError> {
    let update = MemberUpdate {
        member_type: req.member_type,
        first_name: req.first_name,
        last_name: req.last_name,
        profile_img_url: req.profile_img_url,
        email: req.email,
        is_archived: req.is_archived,
        is_inactive: req.is_inactive,
        user_kind: req.user_kind,
        new_owner_id: req.new_owner_id,
    };
    let r = st.services.members.update(&admin, id, update).await?;
    Ok(Json(member_body(&r)))
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
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn delete_member(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(id): Id<MemberId>,
) -> Result<Json<Empty>, ApiError> {
    st.services.members.deactivate(&admin, id).await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevokeResults {
    pub oauth: RevokedOauth,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevokedOauth {
    /// Refresh tokens revoked.
    pub tokens_revoked: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RevokeBody {
    pub member_id: String,
    pub results: RevokeResults,
}

/// Revoke a member's tokens
///
/// Revokes every refresh token the member holds and, unlike Sigma, also its access
/// tokens and web sessions at once; the member stays active. Admin only.
#[utoipa::path(
    post,
    path = "/v2/members/{memberId}/revoke",
    tag = "members",
    operation_id = "revokeMemberTokens",
    params(("memberId" = String, Path)),
    request_body(content = Empty, description = "An empty object (or no body)."),
    responses(
        (status = 200, body = RevokeBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
    ),
    security(("bearer" = []))
)]
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn revoke_member_tokens(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(id): Id<MemberId>,
) -> Result<Json<RevokeBody>, ApiError> {
    let n = st.services.members.revoke_tokens(&admin, id).await?;
    Ok(Json(RevokeBody {
        member_id: id.to_string(),
        results: RevokeResults {
            oauth: RevokedOauth { tokens_revoked: n },
        },
    }))
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
    Id(id): Id<MemberId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<TeamBody>>, ApiError> {
    let req = p.check()?;
    let page = st.services.members.teams(&caller, id, req).await?;
    Ok(Json(PageOf::of(page, |t| TeamBody::from(&t))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    /// 8 to 1024 characters.
    #[schema(min_length = 8, max_length = 1024)]
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
#[tracing::instrument(skip_all, fields(caller = %admin.id()))]
pub async fn set_member_password(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(id): Id<MemberId>,
    ApiJson(req): ApiJson<SetPassword>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .members
        .set_password(&admin, id, req.password)
        .await?;
    Ok(Json(Empty {}))
}
