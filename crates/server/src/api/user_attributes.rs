//! User attributes (Sigma's `/v2/user-attributes`, 16 operations): the attributes,
//! their values per user, team and tenant, `GET /v2/teams/{teamId}/user-attributes`
//! and `POST /v2/teams/{teamId}/assignedUserAttributes`; and ours,
//! `GET /v2/members/{memberId}/user-attributes`, each attribute's effective value.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use sigil_core::clock::rfc3339;
use sigil_core::{MemberId, TeamId};
use sigil_service::user_attributes::{Assignment, Source};
use sigil_service::{AttributeHolder, AttributeValue, UserAttribute};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::api::shape::{Empty, PageOf, PageParams};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{parse_id, AdminMember, ApiJson, ApiQuery, CurrentMember, Id};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_user_attributes, create_user_attribute))
        .routes(routes!(get_user_attribute, delete_user_attribute))
        .routes(routes!(
            list_team_values,
            set_team_values,
            delete_team_values
        ))
        .routes(routes!(delete_team_value))
        .routes(routes!(
            list_user_values,
            set_user_values,
            delete_user_values
        ))
        .routes(routes!(delete_user_value))
        .routes(routes!(
            list_tenant_values,
            set_tenant_values,
            delete_tenant_values
        ))
        .routes(routes!(delete_tenant_value))
        .routes(routes!(list_attributes_of_team))
        .routes(routes!(assign_to_team))
        .routes(routes!(effective_of_member))
}

/// A value: `{"type": "string", "val": …}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ValueBody {
    /// `string`, the only type Sigma documents.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "string")]
    pub kind: String,
    pub val: String,
}

impl ValueBody {
    fn of(v: &str) -> Self {
        ValueBody {
            kind: "string".into(),
            val: v.to_owned(),
        }
    }

    fn check(self, field: &str) -> Result<String, ApiError> {
        if self.kind != "string" {
            return Err(ApiError::bad_request(format!(
                "{field}.type must be `string`, got `{}`",
                self.kind
            )));
        }
        Ok(self.val)
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserAttributeBody {
    pub user_attribute_id: String,
    pub name: String,
    pub description: Option<String>,
    pub default_value: Option<ValueBody>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<UserAttribute> for UserAttributeBody {
    fn from(a: UserAttribute) -> Self {
        UserAttributeBody {
            user_attribute_id: a.id.to_string(),
            name: a.name,
            description: a.description,
            default_value: a.default_value.as_deref().map(ValueBody::of),
            created_by: a.created_by.to_string(),
            updated_by: a.updated_by.to_string(),
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page number, from 1.
    #[param(schema_with = crate::api::schemas::page_number)]
    pub page: Option<String>,
    /// Entries per page, 1 to 1000 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    pub limit: Option<String>,
    /// Only attributes whose name contains this, without regard to case.
    #[param(schema_with = crate::api::schemas::search_text)]
    pub name: Option<String>,
}

/// List user attributes
///
/// By name. Admin only.
#[utoipa::path(
    get,
    path = "/v2/user-attributes",
    tag = "user-attributes",
    operation_id = "listUserAttributes",
    params(ListQuery),
    responses((status = 200, body = PageOf<UserAttributeBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_user_attributes(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<PageOf<UserAttributeBody>>, ApiError> {
    let req = PageParams {
        page: q.page,
        limit: q.limit,
    }
    .check()?;
    let name = q.name.filter(|n| !n.is_empty());
    if name
        .as_deref()
        .is_some_and(|n| n.chars().any(char::is_control))
    {
        return Err(ApiError::bad_request(
            "name may not hold control characters",
        ));
    }
    let page = st
        .services
        .user_attributes
        .list(&admin, name.as_deref(), req)
        .await?;
    Ok(Json(PageOf::of(page, Into::into)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateUserAttribute {
    pub name: String,
    pub description: Option<String>,
    pub default_value: Option<ValueBody>,
}

/// Create a user attribute
///
/// Names are unique without regard to case (409). Admin only.
#[utoipa::path(
    post,
    path = "/v2/user-attributes",
    tag = "user-attributes",
    operation_id = "createUserAttribute",
    request_body = CreateUserAttribute,
    responses((status = 200, body = UserAttributeBody), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn create_user_attribute(
    State(st): State<AppState>,
    admin: AdminMember,
    ApiJson(req): ApiJson<CreateUserAttribute>,
) -> Result<Json<UserAttributeBody>, ApiError> {
    let default = req
        .default_value
        .map(|v| v.check("defaultValue"))
        .transpose()?;
    let a = st
        .services
        .user_attributes
        .create(&admin, &req.name, req.description, default)
        .await?;
    Ok(Json(a.into()))
}

fn attribute_id(raw: &str) -> Result<Uuid, ApiError> {
    parse_id("userAttributeId", raw)
}

/// Get a user attribute
#[utoipa::path(
    get,
    path = "/v2/user-attributes/{userAttributeId}",
    tag = "user-attributes",
    operation_id = "getUserAttribute",
    params(("userAttributeId" = String, Path)),
    responses((status = 200, body = UserAttributeBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn get_user_attribute(
    State(st): State<AppState>,
    admin: AdminMember,
    Path(raw): Path<String>,
) -> Result<Json<UserAttributeBody>, ApiError> {
    let a = st
        .services
        .user_attributes
        .get(&admin, attribute_id(&raw)?)
        .await?;
    Ok(Json(a.into()))
}

/// Delete a user attribute
///
/// With every value set for it.
#[utoipa::path(
    delete,
    path = "/v2/user-attributes/{userAttributeId}",
    tag = "user-attributes",
    operation_id = "deleteUserAttribute",
    params(("userAttributeId" = String, Path)),
    responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn delete_user_attribute(
    State(st): State<AppState>,
    admin: AdminMember,
    Path(raw): Path<String>,
) -> Result<Json<Empty>, ApiError> {
    st.services
        .user_attributes
        .delete(&admin, attribute_id(&raw)?)
        .await?;
    Ok(Json(Empty {}))
}

/// A value as the per-holder lists answer it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HeldValueBody {
    /// On `/teams`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team_id: Option<String>,
    /// On `/users`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// On `/tenants`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_organization_id: Option<String>,
    pub value: ValueBody,
    /// On `/teams`: lower wins when a member's teams disagree (the order the teams
    /// were given the attribute).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    pub created_by: String,
    pub updated_by: String,
    pub created_at: String,
    pub updated_at: String,
}

fn held(holder: AttributeHolder, v: AttributeValue) -> HeldValueBody {
    let id = Some(v.holder_id.to_string());
    HeldValueBody {
        team_id: (holder == AttributeHolder::Team)
            .then(|| id.clone())
            .flatten(),
        user_id: (holder == AttributeHolder::Member)
            .then(|| id.clone())
            .flatten(),
        tenant_organization_id: (holder == AttributeHolder::Tenant).then_some(id).flatten(),
        value: ValueBody::of(&v.value),
        priority: (holder == AttributeHolder::Team).then_some(v.priority),
        created_by: v.created_by.to_string(),
        updated_by: v.updated_by.to_string(),
        created_at: rfc3339(v.created_at),
        updated_at: rfc3339(v.updated_at),
    }
}

async fn list_values(
    st: AppState,
    admin: AdminMember,
    raw: String,
    p: PageParams,
    holder: AttributeHolder,
) -> Result<Json<PageOf<HeldValueBody>>, ApiError> {
    let page = st
        .services
        .user_attributes
        .values(&admin, attribute_id(&raw)?, holder, p.check()?)
        .await?;
    Ok(Json(PageOf::of(page, |v| held(holder, v))))
}

/// One assignment of `POST …/teams`, `…/users` or `…/tenants`: the holder's id
/// under its own key, and the value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentBody {
    pub team_id: Option<String>,
    pub user_id: Option<String>,
    pub tenant_organization_id: Option<String>,
    pub value: ValueBody,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignmentsBody {
    pub assignments: Vec<AssignmentBody>,
}

/// One entry of `PATCH …/teams`, `…/users` or `…/tenants`'s `delete`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HolderBody {
    pub team_id: Option<String>,
    pub user_id: Option<String>,
    pub tenant_organization_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteBody {
    pub delete: Vec<HolderBody>,
}

fn key(holder: AttributeHolder) -> &'static str {
    match holder {
        AttributeHolder::Member => "userId",
        AttributeHolder::Team => "teamId",
        AttributeHolder::Tenant => "tenantOrganizationId",
    }
}

fn holder_of(
    holder: AttributeHolder,
    team: Option<String>,
    user: Option<String>,
    tenant: Option<String>,
    at: &str,
) -> Result<String, ApiError> {
    let got = match holder {
        AttributeHolder::Member => user,
        AttributeHolder::Team => team,
        AttributeHolder::Tenant => tenant,
    };
    got.ok_or_else(|| ApiError::bad_request(format!("{at}.{} is required", key(holder))))
}

async fn set_values(
    st: AppState,
    admin: AdminMember,
    raw: String,
    body: AssignmentsBody,
    holder: AttributeHolder,
) -> Result<Json<Empty>, ApiError> {
    let mut assignments = Vec::with_capacity(body.assignments.len());
    for (i, a) in body.assignments.into_iter().enumerate() {
        let at = format!("assignments[{i}]");
        let h = holder_of(holder, a.team_id, a.user_id, a.tenant_organization_id, &at)?;
        assignments.push(Assignment {
            holder: h,
            value: a.value.check(&format!("{at}.value"))?,
        });
    }
    st.services
        .user_attributes
        .set_values(
            &admin,
            attribute_id(&raw)?,
            holder,
            &assignments,
            key(holder),
        )
        .await?;
    Ok(Json(Empty {}))
}

async fn delete_values(
    st: AppState,
    admin: AdminMember,
    raw: String,
    body: DeleteBody,
    holder: AttributeHolder,
) -> Result<Json<Empty>, ApiError> {
    let mut ids = Vec::with_capacity(body.delete.len());
    for (i, d) in body.delete.into_iter().enumerate() {
        ids.push(holder_of(
            holder,
            d.team_id,
            d.user_id,
            d.tenant_organization_id,
            &format!("delete[{i}]"),
        )?);
    }
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    st.services
        .user_attributes
        .delete_values(&admin, attribute_id(&raw)?, holder, &refs, key(holder))
        .await?;
    Ok(Json(Empty {}))
}

async fn delete_value(
    st: AppState,
    admin: AdminMember,
    raw: String,
    holder_raw: String,
    holder: AttributeHolder,
) -> Result<Json<Empty>, ApiError> {
    let id: Uuid = parse_id(key(holder), &holder_raw)?;
    st.services
        .user_attributes
        .delete_value(&admin, attribute_id(&raw)?, holder, id)
        .await?;
    Ok(Json(Empty {}))
}

macro_rules! holder_routes {
    ($holder:expr, $seg:literal, $key:literal, $tag:literal,
     $list:ident, $list_op:literal, $set:ident, $set_op:literal,
     $patch:ident, $patch_op:literal, $del:ident, $del_op:literal) => {
        /// List the values set on this kind of holder
        #[utoipa::path(
            get,
            path = concat!("/v2/user-attributes/{userAttributeId}/", $seg),
            tag = $tag,
            operation_id = $list_op,
            params(("userAttributeId" = String, Path), PageParams),
            responses((status = 200, body = PageOf<HeldValueBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
            security(("bearer" = []))
        )]
        pub async fn $list(
            State(st): State<AppState>,
            admin: AdminMember,
            Path(raw): Path<String>,
            ApiQuery(p): ApiQuery<PageParams>,
        ) -> Result<Json<PageOf<HeldValueBody>>, ApiError> {
            list_values(st, admin, raw, p, $holder).await
        }

        /// Set the value for these holders
        ///
        /// Creates or changes one value per holder; all or nothing; an unknown
        /// holder is a 400 naming it.
        #[utoipa::path(
            post,
            path = concat!("/v2/user-attributes/{userAttributeId}/", $seg),
            tag = $tag,
            operation_id = $set_op,
            params(("userAttributeId" = String, Path)),
            request_body = AssignmentsBody,
            responses((status = 200, body = Empty), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
            security(("bearer" = []))
        )]
        pub async fn $set(
            State(st): State<AppState>,
            admin: AdminMember,
            Path(raw): Path<String>,
            ApiJson(body): ApiJson<AssignmentsBody>,
        ) -> Result<Json<Empty>, ApiError> {
            set_values(st, admin, raw, body, $holder).await
        }

        /// Remove the value of these holders
        #[utoipa::path(
            patch,
            path = concat!("/v2/user-attributes/{userAttributeId}/", $seg),
            tag = $tag,
            operation_id = $patch_op,
            params(("userAttributeId" = String, Path)),
            request_body = DeleteBody,
            responses((status = 200, body = Empty), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
            security(("bearer" = []))
        )]
        pub async fn $patch(
            State(st): State<AppState>,
            admin: AdminMember,
            Path(raw): Path<String>,
            ApiJson(body): ApiJson<DeleteBody>,
        ) -> Result<Json<Empty>, ApiError> {
            delete_values(st, admin, raw, body, $holder).await
        }

        /// Remove one holder's value
        #[utoipa::path(
            delete,
            path = concat!("/v2/user-attributes/{userAttributeId}/", $seg, "/{", $key, "}"),
            tag = $tag,
            operation_id = $del_op,
            params(("userAttributeId" = String, Path), ($key = String, Path)),
            responses((status = 200, body = Empty), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
            security(("bearer" = []))
        )]
        pub async fn $del(
            State(st): State<AppState>,
            admin: AdminMember,
            Path((raw, holder)): Path<(String, String)>,
        ) -> Result<Json<Empty>, ApiError> {
            delete_value(st, admin, raw, holder, $holder).await
        }
    };
}

holder_routes!(
    AttributeHolder::Team,
    "teams",
    "teamId",
    "user-attributes",
    list_team_values,
    "getUserAttributeTeamAssignments",
    set_team_values,
    "setUserAttributeForTeams",
    delete_team_values,
    "updateUserAttributeForTeams",
    delete_team_value,
    "deleteUserAttributeForTeam"
);
holder_routes!(
    AttributeHolder::Member,
    "users",
    "userId",
    "user-attributes",
    list_user_values,
    "getUserAttributeUserAssignments",
    set_user_values,
    "setUserAttributeForUsers",
    delete_user_values,
    "updateUserAttributeForUsers",
    delete_user_value,
    "deleteUserAttributeForUser"
);
holder_routes!(
    AttributeHolder::Tenant,
    "tenants",
    "tenantOrganizationId",
    "user-attributes",
    list_tenant_values,
    "getUserAttributeTenantAssignments",
    set_tenant_values,
    "setUserAttributeForTenants",
    delete_tenant_values,
    "updateUserAttributeForTenants",
    delete_tenant_value,
    "deleteUserAttributeForTenant"
);

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamAttributeBody {
    pub user_attribute_id: String,
    pub user_attribute_name: String,
    pub value: ValueBody,
}

/// List a team's user attributes
///
/// The attributes the team has a value for, by name. Admin only.
#[utoipa::path(
    get,
    path = "/v2/teams/{teamId}/user-attributes",
    tag = "teams",
    operation_id = "getTeamUserAttributeAssignments",
    params(("teamId" = String, Path), PageParams),
    responses((status = 200, body = PageOf<TeamAttributeBody>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn list_attributes_of_team(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(team): Id<TeamId>,
    ApiQuery(p): ApiQuery<PageParams>,
) -> Result<Json<PageOf<TeamAttributeBody>>, ApiError> {
    let page = st
        .services
        .user_attributes
        .of_team(&admin, team, p.check()?)
        .await?;
    Ok(Json(PageOf::of(page, |(a, v)| TeamAttributeBody {
        user_attribute_id: a.id.to_string(),
        user_attribute_name: a.name,
        value: ValueBody::of(&v.value),
    })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TeamAssignmentBody {
    pub user_attribute_id: String,
    pub value: ValueBody,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TeamAssignmentsBody {
    pub assignments: Vec<TeamAssignmentBody>,
}

/// Assign user attributes to a team
///
/// Sets several attributes' values for the team; all or nothing. Admin only.
#[utoipa::path(
    post,
    path = "/v2/teams/{teamId}/assignedUserAttributes",
    tag = "teams",
    operation_id = "assignUserAttributesToTeam",
    params(("teamId" = String, Path)),
    request_body = TeamAssignmentsBody,
    responses((status = 200, body = Empty), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn assign_to_team(
    State(st): State<AppState>,
    admin: AdminMember,
    Id(team): Id<TeamId>,
    ApiJson(body): ApiJson<TeamAssignmentsBody>,
) -> Result<Json<Empty>, ApiError> {
    let mut assignments = Vec::with_capacity(body.assignments.len());
    for (i, a) in body.assignments.into_iter().enumerate() {
        let value = a.value.check(&format!("assignments[{i}].value"))?;
        assignments.push((a.user_attribute_id, value));
    }
    st.services
        .user_attributes
        .assign_to_team(&admin, team, &assignments)
        .await?;
    Ok(Json(Empty {}))
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EffectiveBody {
    pub user_attribute_id: String,
    pub name: String,
    /// Null when nothing sets it and it has no default.
    pub value: Option<ValueBody>,
    /// `user`, `team`, `default`, or null.
    pub source: Option<&'static str>,
    /// The team whose value applies, when `source` is `team`.
    pub team_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EffectiveList {
    pub entries: Vec<EffectiveBody>,
}

/// A member's user attributes, as they apply
///
/// sigil's own: each attribute's effective value for the member and where it comes
/// from — the member's own value, else that of its team with the lowest priority,
/// else the default. Admins, and the member itself.
#[utoipa::path(
    get,
    path = "/v2/members/{memberId}/user-attributes",
    tag = "members",
    operation_id = "listMemberUserAttributes",
    params(("memberId" = String, Path)),
    responses((status = 200, body = EffectiveList), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []))
)]
pub async fn effective_of_member(
    State(st): State<AppState>,
    caller: CurrentMember,
    Id(member): Id<MemberId>,
) -> Result<Json<EffectiveList>, ApiError> {
    let list = st
        .services
        .user_attributes
        .effective(&caller, member)
        .await?;
    Ok(Json(EffectiveList {
        entries: list
            .into_iter()
            .map(|e| EffectiveBody {
                user_attribute_id: e.attribute.id.to_string(),
                name: e.attribute.name,
                value: e.value.as_deref().map(ValueBody::of),
                source: e.source.as_ref().map(|s| match s {
                    Source::Member => "user",
                    Source::Team(_) => "team",
                    Source::Default => "default",
                }),
                team_id: match e.source {
                    Some(Source::Team(t)) => Some(t.to_string()),
                    _ => None,
                },
            })
            .collect(),
    }))
}
