//! Administration > Teams: the list, creating a team with its members, and a team's
//! page (rename, add and remove members, team admins, delete).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use sigil_core::{MemberId, TeamId, Visibility};
use sigil_service::paging::PageRequest;
use sigil_service::teams::{NewTeamInput, TeamFilter, TeamUpdate};
use sigil_service::ServiceError;

use super::{member_label, no_access};
use crate::state::AppState;
use crate::web::session::{Posted, WebUser};
use crate::web::{render_status, see_other, service_error_page, Chrome, Find, Problem};

pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub visibility: &'static str,
}

#[derive(Template)]
#[template(path = "admin/teams.html")]
struct Teams {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    teams: Vec<TeamRow>,
    members: Vec<(String, String)>,
    form_name: String,
    form_description: String,
    problem: Problem,
}

async fn list_page(
    st: &AppState,
    user: &WebUser,
    form: (String, String),
    problem: Problem,
) -> Response {
    let c = user.caller();
    if !c.is_admin() {
        return no_access(user);
    }
    let s = &st.services;
    let result = async {
        let teams = s
            .teams
            .list(c, TeamFilter::default(), PageRequest::FIRST_MAX)
            .await?;
        let members = s.members.directory(c, None, 1000).await?;
        Ok::<_, ServiceError>((teams, members))
    }
    .await;
    let (teams, members) = match result {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(user), e),
    };
    render_status(
        problem.status(),
        &Teams {
            chrome: Chrome::new("Teams", Some(user)),
            section: "teams",
            csrf: user.session.csrf.clone(),
            teams: teams
                .entries
                .into_iter()
                .map(|t| TeamRow {
                    id: t.id.to_string(),
                    visibility: t.visibility.as_str(),
                    name: t.name,
                    description: t.description,
                })
                .collect(),
            members: members
                .iter()
                .map(|m| (m.id.to_string(), member_label(m)))
                .collect(),
            form_name: form.0,
            form_description: form.1,
            problem,
        },
    )
}

pub async fn list(State(st): State<AppState>, user: WebUser) -> Response {
    list_page(&st, &user, Default::default(), Problem::none()).await
}

pub async fn create(State(st): State<AppState>, p: Posted) -> Response {
    let f = &p.fields;
    let input = NewTeamInput {
        name: f.get("name"),
        description: f.opt("description"),
        members: f.all("members"),
        create_team_folder: false,
        visibility: Visibility::parse(&f.get("visibility")),
    };
    match st.services.teams.create(p.user.caller(), input).await {
        Ok(t) => see_other(&format!("/admin/teams/{}", t.team.id)),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            let problem = Problem::of(&e, &["name", "description", "members"]);
            list_page(&st, &p.user, (f.get("name"), f.get("description")), problem).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

pub struct MemberRow {
    pub id: String,
    pub name: String,
    pub is_admin: bool,
}

#[derive(Template)]
#[template(path = "admin/team.html")]
struct Team {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    id: String,
    name: String,
    description: String,
    visibility: &'static str,
    members: Vec<MemberRow>,
    candidates: Vec<(String, String)>,
    q: String,
    problem: Problem,
}

fn parse_team(raw: &str) -> Result<TeamId, ServiceError> {
    raw.parse()
        .map_err(|_| ServiceError::not_found(format!("no team `{raw}`")))
}

async fn team_page(
    st: &AppState,
    user: &WebUser,
    raw: &str,
    q: Option<String>,
    problem: Problem,
) -> Response {
    let c = user.caller();
    if !c.is_admin() {
        return no_access(user);
    }
    let s = &st.services;
    let result = async {
        let id = parse_team(raw)?;
        let t = s.teams.get(c, id).await?;
        let page = s.teams.members(c, id, PageRequest::FIRST_MAX).await?;
        let everyone = s.members.directory(c, None, 1000).await?;
        // A search narrows the picker; without one it offers everyone.
        let found = match &q {
            Some(_) => s.members.directory(c, q.clone(), 1000).await?,
            None => everyone.clone(),
        };
        Ok::<_, ServiceError>((t, page, everyone, found))
    }
    .await;
    let (t, page, everyone, found) = match result {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(user), e),
    };
    let name_of = |id: MemberId| {
        everyone
            .iter()
            .find(|m| m.id == id)
            .map(member_label)
            .unwrap_or_else(|| id.to_string())
    };
    render_status(
        problem.status(),
        &Team {
            chrome: Chrome::new(t.team.name.clone(), Some(user)),
            section: "teams",
            csrf: user.session.csrf.clone(),
            id: t.team.id.to_string(),
            name: t.team.name.clone(),
            description: t.team.description.clone(),
            visibility: t.team.visibility.as_str(),
            members: page
                .entries
                .iter()
                .map(|m| MemberRow {
                    id: m.member_id.to_string(),
                    name: name_of(m.member_id),
                    is_admin: m.is_team_admin,
                })
                .collect(),
            candidates: found
                .iter()
                .filter(|m| !t.members.contains(&m.id))
                .map(|m| (m.id.to_string(), member_label(m)))
                .collect(),
            q: q.unwrap_or_default(),
            problem,
        },
    )
}

pub async fn show(
    State(st): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    axum::extract::Query(f): axum::extract::Query<Find>,
) -> Response {
    team_page(&st, &user, &id, f.q, Problem::none()).await
}

async fn after(st: &AppState, p: &Posted, raw: &str, r: Result<(), ServiceError>) -> Response {
    match r {
        Ok(()) => see_other(&format!("/admin/teams/{raw}")),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            team_page(st, &p.user, raw, None, Problem::of(&e, &[])).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

pub async fn update(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let f = &p.fields;
    let r = async {
        let team = parse_team(&id)?;
        let u = TeamUpdate {
            name: Some(f.get("name")),
            description: Some(f.get("description")),
            visibility: Visibility::parse(&f.get("visibility")),
            is_archived: None,
        };
        st.services.teams.update(p.user.caller(), team, u).await?;
        Ok(())
    }
    .await;
    after(&st, &p, &id, r).await
}

pub async fn add_member(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let r = async {
        let team = parse_team(&id)?;
        let add = [p.fields.get("member")];
        st.services
            .teams
            .change_members(p.user.caller(), team, &add, &[])
            .await
    }
    .await;
    after(&st, &p, &id, r).await
}

pub async fn remove_member(
    State(st): State<AppState>,
    Path((id, member)): Path<(String, String)>,
    p: Posted,
) -> Response {
    let r = async {
        let team = parse_team(&id)?;
        st.services
            .teams
            .change_members(p.user.caller(), team, &[], &[member])
            .await
    }
    .await;
    after(&st, &p, &id, r).await
}

pub async fn set_admin(
    State(st): State<AppState>,
    Path((id, member)): Path<(String, String)>,
    p: Posted,
) -> Response {
    let r = async {
        let team = parse_team(&id)?;
        let m: MemberId = member
            .parse()
            .map_err(|_| ServiceError::not_found("no such member"))?;
        st.services
            .teams
            .set_team_admin(p.user.caller(), team, m, p.fields.get("admin") == "true")
            .await
    }
    .await;
    after(&st, &p, &id, r).await
}

pub async fn delete(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let r = async {
        let team = parse_team(&id)?;
        st.services.teams.delete(p.user.caller(), team).await
    }
    .await;
    match r {
        Ok(()) => see_other("/admin/teams"),
        Err(e) => service_error_page(Some(&p.user), e),
    }
}
