//! Administration > Users: the searchable, paged list; inviting; and a user's page
//! (names and account type, password, deactivate and reactivate, their teams).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use sigil_core::MemberId;
use sigil_service::members::{MemberFilter, MemberUpdate, NewMember};
use sigil_service::paging::PageRequest;
use sigil_service::{Caller, ServiceError};

use super::no_access;
use crate::state::AppState;
use crate::web::session::{Posted, WebUser};
use crate::web::{render_status, see_other, service_error_page, Chrome, Problem};

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub email: String,
    pub account_type: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct Users {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    q: String,
    users: Vec<UserRow>,
    total: u64,
    prev_page: Option<u64>,
    next_page: Option<u64>,
    account_types: Vec<String>,
    form_email: String,
    form_first: String,
    form_last: String,
    form_type: String,
    problem: Problem,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    q: Option<String>,
    page: Option<String>,
}

async fn type_names(st: &AppState, c: &Caller) -> Result<Vec<String>, ServiceError> {
    let list = st
        .services
        .account_types
        .list(c, None, Some("1000"))
        .await?;
    Ok(list.entries.into_iter().map(|t| t.name).collect())
}

fn status_of(m: &sigil_core::Member) -> &'static str {
    if m.is_inactive {
        "Inactive"
    } else if m.is_archived {
        "Archived"
    } else {
        "Active"
    }
}

async fn list_page(
    st: &AppState,
    user: &WebUser,
    q: ListQuery,
    form: (String, String, String, String),
    problem: Problem,
) -> Response {
    let c = user.caller();
    if !c.is_admin() {
        return no_access(user);
    }
    let result = async {
        let req = PageRequest::parse(q.page.as_deref(), Some("50"))?;
        let page = st
            .services
            .members
            .list(
                c,
                MemberFilter {
                    search: q.q.clone().filter(|s| !s.trim().is_empty()),
                    include_inactive: true,
                    ..MemberFilter::default()
                },
                req,
            )
            .await?;
        Ok::<_, ServiceError>((req, page, type_names(st, c).await?))
    }
    .await;
    let (req, page, account_types) = match result {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(user), e),
    };
    render_status(
        problem.status(),
        &Users {
            chrome: Chrome::new("Users", Some(user)),
            section: "users",
            csrf: user.session.csrf.clone(),
            q: q.q.unwrap_or_default(),
            total: page.total,
            prev_page: (req.page > 1).then(|| req.page - 1),
            next_page: page.next_page,
            users: page
                .entries
                .iter()
                .map(|r| UserRow {
                    id: r.member.id.to_string(),
                    name: format!("{} {}", r.member.first_name, r.member.last_name),
                    email: r.member.email.clone(),
                    account_type: r.account_type.name.clone(),
                    status: status_of(&r.member),
                })
                .collect(),
            account_types,
            form_email: form.0,
            form_first: form.1,
            form_last: form.2,
            form_type: form.3,
            problem,
        },
    )
}

pub async fn list(
    State(st): State<AppState>,
    user: WebUser,
    Query(q): Query<ListQuery>,
) -> Response {
    let none = (
        String::new(),
        String::new(),
        String::new(),
        "Viewer".to_owned(),
    );
    list_page(&st, &user, q, none, Problem::none()).await
}

pub async fn invite(State(st): State<AppState>, p: Posted) -> Response {
    let f = &p.fields;
    let input = NewMember {
        email: f.get("email").trim().to_owned(),
        first_name: f.get("firstName"),
        last_name: f.get("lastName"),
        member_type: f.opt("memberType"),
        ..Default::default()
    };
    match st.services.members.create(p.user.caller(), input).await {
        Ok(r) => see_other(&format!("/admin/users/{}", r.member.id)),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            let problem = Problem::of(&e, &["email", "firstName", "lastName", "memberType"]);
            let form = (
                f.get("email"),
                f.get("firstName"),
                f.get("lastName"),
                f.get("memberType"),
            );
            list_page(&st, &p.user, ListQuery::default(), form, problem).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct User {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    id: String,
    name: String,
    email: String,
    first: String,
    last: String,
    status: &'static str,
    inactive: bool,
    account_type: String,
    account_types: Vec<String>,
    teams: Vec<(String, String)>,
    notice: String,
    problem: Problem,
}

fn parse_member(raw: &str) -> Result<MemberId, ServiceError> {
    raw.parse()
        .map_err(|_| ServiceError::not_found(format!("no member `{raw}`")))
}

async fn user_page(
    st: &AppState,
    user: &WebUser,
    raw: &str,
    notice: &str,
    problem: Problem,
) -> Response {
    let c = user.caller();
    if !c.is_admin() {
        return no_access(user);
    }
    let result = async {
        let id = parse_member(raw)?;
        let r = st.services.members.get(c, id).await?;
        let teams = st
            .services
            .members
            .teams(
                c,
                id,
                PageRequest {
                    page: 1,
                    limit: 1000,
                },
            )
            .await?;
        Ok::<_, ServiceError>((r, teams, type_names(st, c).await?))
    }
    .await;
    let (r, teams, account_types) = match result {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(user), e),
    };
    let m = &r.member;
    render_status(
        problem.status(),
        &User {
            chrome: Chrome::new(m.email.clone(), Some(user)),
            section: "users",
            csrf: user.session.csrf.clone(),
            id: m.id.to_string(),
            name: format!("{} {}", m.first_name, m.last_name),
            email: m.email.clone(),
            first: m.first_name.clone(),
            last: m.last_name.clone(),
            status: status_of(m),
            inactive: m.is_inactive,
            account_type: r.account_type.name.clone(),
            account_types,
            teams: teams
                .entries
                .iter()
                .map(|t| (t.id.to_string(), t.name.clone()))
                .collect(),
            notice: notice.to_owned(),
            problem,
        },
    )
}

pub async fn show(State(st): State<AppState>, user: WebUser, Path(id): Path<String>) -> Response {
    user_page(&st, &user, &id, "", Problem::none()).await
}

/// Runs a change to user `raw`; shows the page again with `notice`, or the problem.
async fn change(
    st: &AppState,
    p: &Posted,
    raw: &str,
    notice: &str,
    update: MemberUpdate,
) -> Response {
    let r = async {
        let id = parse_member(raw)?;
        st.services
            .members
            .update(p.user.caller(), id, update)
            .await
    }
    .await;
    match r {
        Ok(_) => see_other(&format!("/admin/users/{raw}")),
        Err(e @ ServiceError::Invalid { .. }) | Err(e @ ServiceError::Conflict(_)) => {
            user_page(st, &p.user, raw, "", Problem::of(&e, &[])).await
        }
        Err(e) => {
            let _ = notice;
            service_error_page(Some(&p.user), e)
        }
    }
}

pub async fn update(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let f = &p.fields;
    let u = MemberUpdate {
        first_name: Some(f.get("firstName")),
        last_name: Some(f.get("lastName")),
        member_type: f.opt("memberType"),
        ..Default::default()
    };
    change(&st, &p, &id, "Saved.", u).await
}

pub async fn deactivate(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let u = MemberUpdate {
        is_inactive: Some(true),
        ..Default::default()
    };
    change(&st, &p, &id, "Deactivated.", u).await
}

pub async fn reactivate(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let u = MemberUpdate {
        is_inactive: Some(false),
        ..Default::default()
    };
    change(&st, &p, &id, "Reactivated.", u).await
}

pub async fn set_password(
    State(st): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Response {
    let r = async {
        let m = parse_member(&id)?;
        st.services
            .members
            .set_password(p.user.caller(), m, p.fields.get("password"))
            .await
    }
    .await;
    match r {
        Ok(()) => user_page(&st, &p.user, &id, "The password is set.", Problem::none()).await,
        Err(e @ ServiceError::Invalid { .. }) => {
            user_page(&st, &p.user, &id, "", Problem::of(&e, &[])).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}
