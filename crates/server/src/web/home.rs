//! The main app: the home page (the workspaces a member can see, and My Documents),
//! a workspace or folder with its contents, creating, renaming and deleting them,
//! and the Share page of any node — the same operations and rules as the REST API.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use sigil_core::{GrantId, GrantPermission, InodeId, Permission};
use sigil_service::access::label;
use sigil_service::files::{kind_name, FileQuery, FileUpdate, NewFile};
use sigil_service::grants::{GrantFilter, GrantInput, GranteeInput};
use sigil_service::paging::PageRequest;
use sigil_service::teams::TeamFilter;
use sigil_service::workspaces::{Created, WorkspaceFilter};
use sigil_service::ServiceError;

use crate::state::AppState;
use crate::web::session::{Posted, WebUser};
use crate::web::{
    member_label, render_status, see_other, service_error_page, Chrome, Find, Problem,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/workspaces", post(create_workspace))
        .route("/files/{id}", get(node))
        .route("/files/{id}/folders", post(create_folder))
        .route("/files/{id}/rename", post(rename))
        .route("/files/{id}/delete", post(delete))
        .route("/files/{id}/share", get(share).post(share_add))
        .route("/files/{id}/share/{grant}/remove", post(share_remove))
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub updated: String,
}

fn day(t: time::OffsetDateTime) -> String {
    let d = t.date();
    format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    chrome: Chrome,
    csrf: String,
    can_create: bool,
    my_documents: Option<String>,
    workspaces: Vec<Row>,
    name: String,
    problem: Problem,
}

async fn home_page(st: &AppState, user: &WebUser, name: String, problem: Problem) -> Response {
    let c = user.caller();
    let page = st
        .services
        .workspaces
        .list(
            c,
            WorkspaceFilter::default(),
            PageRequest {
                page: 1,
                limit: 1000,
            },
        )
        .await;
    let page = match page {
        Ok(p) => p,
        Err(e) => return service_error_page(Some(user), e),
    };
    render_status(
        problem.status(),
        &Home {
            chrome: Chrome::new("Home", Some(user)),
            csrf: user.session.csrf.clone(),
            can_create: c.has(Permission::CreateWorkspaces),
            my_documents: c.member.home_folder_id.map(|h| h.to_string()),
            workspaces: page
                .entries
                .into_iter()
                .map(|w| Row {
                    id: w.id.to_string(),
                    name: w.name,
                    kind: "workspace".into(),
                    updated: day(w.updated_at),
                })
                .collect(),
            name,
            problem,
        },
    )
}

pub async fn home(State(st): State<AppState>, user: WebUser) -> Response {
    home_page(&st, &user, String::new(), Problem::none()).await
}

async fn create_workspace(State(st): State<AppState>, p: Posted) -> Response {
    let name = p.fields.get("name");
    match st
        .services
        .workspaces
        .create(p.user.caller(), &name, false)
        .await
    {
        Ok(Created::Created(ws)) => see_other(&format!("/files/{}", ws.id)),
        Ok(Created::Existing(_)) => see_other("/"),
        Err(e @ ServiceError::Invalid { .. }) => {
            home_page(&st, &p.user, name, Problem::of(&e, &["name"])).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

fn parse_node(raw: &str) -> Result<InodeId, ServiceError> {
    raw.parse()
        .map_err(|_| ServiceError::not_found(format!("no file `{raw}`")))
}

#[derive(Template)]
#[template(path = "node.html")]
struct Node {
    chrome: Chrome,
    csrf: String,
    id: String,
    name: String,
    kind: String,
    path: String,
    access: &'static str,
    can_manage: bool,
    can_contribute: bool,
    deletable: bool,
    can_create_workbook: bool,
    children: Vec<Row>,
    problem: Problem,
    /// What was typed into Create new > Workbook, when it was refused.
    workbook_name: String,
    workbook_error: String,
}

/// The node page after Create new > Workbook was refused: the message next to the
/// Name field, which keeps what was typed.
pub async fn node_page_with(
    st: &AppState,
    user: &WebUser,
    raw: &str,
    e: ServiceError,
    name: String,
) -> Response {
    node_page_full(st, user, raw, Problem::none(), name, e.to_string()).await
}

async fn node_page(st: &AppState, user: &WebUser, raw: &str, problem: Problem) -> Response {
    node_page_full(st, user, raw, problem, String::new(), String::new()).await
}

async fn node_page_full(
    st: &AppState,
    user: &WebUser,
    raw: &str,
    problem: Problem,
    workbook_name: String,
    workbook_error: String,
) -> Response {
    let s = &st.services;
    let c = user.caller();
    let result = async {
        let id = parse_node(raw)?;
        let entry = s.files.get(c, id).await?;
        let children = s
            .files
            .list(
                c,
                FileQuery {
                    parent_id: Some(id),
                    direct_children_only: true,
                    ..Default::default()
                },
                PageRequest {
                    page: 1,
                    limit: 1000,
                },
            )
            .await?;
        Ok::<_, ServiceError>((entry, children))
    }
    .await;
    let (entry, children) = match result {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(user), e),
    };
    let n = &entry.node;
    if n.kind == "workbook" {
        return see_other(&format!("/workbooks/{}", n.id));
    }
    let status = if workbook_error.is_empty() {
        problem.status()
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    render_status(
        status,
        &Node {
            chrome: Chrome::new(n.name.clone(), Some(user)),
            csrf: user.session.csrf.clone(),
            id: n.id.to_string(),
            name: n.name.clone(),
            kind: kind_name(&n.kind).to_owned(),
            path: entry.path.clone(),
            access: entry.permission.map(label).unwrap_or("none"),
            can_manage: entry.permission == Some(GrantPermission::Edit),
            can_contribute: entry.permission >= Some(GrantPermission::Organize),
            deletable: n.kind != "home",
            can_create_workbook: entry.permission >= Some(GrantPermission::Organize)
                && c.has(Permission::CreateWorkbooks),
            workbook_name,
            workbook_error,
            children: children
                .entries
                .into_iter()
                .map(|e| Row {
                    id: if e.node.kind == "workbook" {
                        format!("/workbooks/{}", e.node.id)
                    } else {
                        format!("/files/{}", e.node.id)
                    },
                    kind: kind_name(&e.node.kind).to_owned(),
                    updated: day(e.node.updated_at),
                    name: e.node.name,
                })
                .collect(),
            problem,
        },
    )
}

async fn node(State(st): State<AppState>, user: WebUser, Path(id): Path<String>) -> Response {
    node_page(&st, &user, &id, Problem::none()).await
}

/// After a node action: back to the node, or its page with the problem shown.
async fn after(st: &AppState, p: &Posted, id: &str, r: Result<String, ServiceError>) -> Response {
    match r {
        Ok(to) => see_other(&to),
        Err(e @ ServiceError::Invalid { .. }) | Err(e @ ServiceError::Conflict(_)) => {
            node_page(st, &p.user, id, Problem::of(&e, &[])).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

async fn create_folder(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let r = async {
        let parent = parse_node(&id)?;
        let e = st
            .services
            .files
            .create(
                p.user.caller(),
                NewFile {
                    kind: "folder".into(),
                    name: p.fields.get("name"),
                    parent_id: Some(parent),
                    ..Default::default()
                },
            )
            .await?;
        Ok(format!("/files/{}", e.node.id))
    }
    .await;
    after(&st, &p, &id, r).await
}

async fn rename(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let r = async {
        let node = parse_node(&id)?;
        let s = &st.services;
        let c = p.user.caller();
        let name = p.fields.get("name");
        let entry = s.files.get(c, node).await?;
        if entry.node.kind == "workspace" {
            s.workspaces.rename(c, node, &name, false).await?;
        } else {
            s.files
                .update(
                    c,
                    node,
                    FileUpdate {
                        name: Some(name),
                        ..Default::default()
                    },
                )
                .await?;
        }
        Ok(format!("/files/{node}"))
    }
    .await;
    after(&st, &p, &id, r).await
}

async fn delete(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let r = async {
        let node = parse_node(&id)?;
        let s = &st.services;
        let c = p.user.caller();
        let entry = s.files.get(c, node).await?;
        if entry.node.kind == "workspace" {
            s.workspaces.archive(c, node).await?;
        } else {
            s.files.archive(c, node).await?;
        }
        Ok(match entry.node.parent_id {
            Some(parent) => format!("/files/{parent}"),
            None => "/".into(),
        })
    }
    .await;
    after(&st, &p, &id, r).await
}

pub struct GrantRow {
    pub grant_id: String,
    pub who: String,
    pub grantee: String,
    pub permission: &'static str,
}

#[derive(Template)]
#[template(path = "share.html")]
struct Share {
    chrome: Chrome,
    csrf: String,
    id: String,
    name: String,
    grants: Vec<GrantRow>,
    members: Vec<(String, String)>,
    teams: Vec<(String, String)>,
    permissions: Vec<(&'static str, &'static str)>,
    q: String,
    problem: Problem,
}

const LEVELS: [GrantPermission; 4] = [
    GrantPermission::View,
    GrantPermission::Explore,
    GrantPermission::Organize,
    GrantPermission::Edit,
];

async fn share_page(
    st: &AppState,
    user: &WebUser,
    raw: &str,
    q: Option<String>,
    problem: Problem,
) -> Response {
    let s = &st.services;
    let c = user.caller();
    let result = async {
        let id = parse_node(raw)?;
        let entry = s.files.get(c, id).await?;
        let grants = s
            .grants
            .list(
                c,
                GrantFilter {
                    inode: Some(id),
                    include_ancestors: false,
                    ..GrantFilter::default()
                },
                PageRequest {
                    page: 1,
                    limit: 1000,
                },
            )
            .await?;
        let members = s.members.directory(c, q.clone(), 1000).await?;
        let teams = s
            .teams
            .list(
                c,
                TeamFilter::default(),
                PageRequest {
                    page: 1,
                    limit: 1000,
                },
            )
            .await?;
        Ok::<_, ServiceError>((entry, grants, members, teams))
    }
    .await;
    let (entry, grants, members, teams) = match result {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(user), e),
    };
    let member_name = |id: sigil_core::MemberId| {
        members
            .iter()
            .find(|m| m.id == id)
            .map(member_label)
            .unwrap_or_else(|| id.to_string())
    };
    let team_name = |id: sigil_core::TeamId| {
        teams
            .entries
            .iter()
            .find(|t| t.id == id)
            .map(|t| format!("Team {}", t.name))
            .unwrap_or_else(|| format!("Team {id}"))
    };
    let rows = grants
        .entries
        .iter()
        .map(|e| &e.grant)
        .map(|g| {
            let (who, grantee) = match (g.member_id, g.team_id) {
                (Some(m), _) => (member_name(m), format!("member:{m}")),
                (None, Some(t)) => (team_name(t), format!("team:{t}")),
                _ => ("?".into(), String::new()),
            };
            GrantRow {
                grant_id: g.id.to_string(),
                who,
                grantee,
                permission: g.permission.as_str(),
            }
        })
        .collect();
    render_status(
        problem.status(),
        &Share {
            chrome: Chrome::new(format!("Share {}", entry.node.name), Some(user)),
            csrf: user.session.csrf.clone(),
            id: entry.node.id.to_string(),
            name: entry.node.name.clone(),
            grants: rows,
            members: members
                .iter()
                .map(|m| (m.id.to_string(), member_label(m)))
                .collect(),
            teams: teams
                .entries
                .iter()
                .map(|t| (t.id.to_string(), t.name.clone()))
                .collect(),
            permissions: LEVELS.iter().map(|p| (p.as_str(), label(*p))).collect(),
            q: q.unwrap_or_default(),
            problem,
        },
    )
}

async fn share(
    State(st): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    axum::extract::Query(f): axum::extract::Query<Find>,
) -> Response {
    share_page(&st, &user, &id, f.q, Problem::none()).await
}

async fn share_add(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let r = async {
        let node = parse_node(&id)?;
        let grantee = p.fields.get("grantee");
        let grantee = match grantee.split_once(':') {
            Some(("member", m)) => GranteeInput {
                member_id: Some(m.to_owned()),
                team_id: None,
            },
            Some(("team", t)) => GranteeInput {
                member_id: None,
                team_id: Some(t.to_owned()),
            },
            _ => {
                return Err(ServiceError::invalid_field(
                    "grantee",
                    "Choose a member or a team to share with.",
                ))
            }
        };
        st.services
            .grants
            .grant(
                p.user.caller(),
                node,
                &GrantInput {
                    grantee,
                    permission: p.fields.get("permission"),
                },
            )
            .await?;
        Ok(())
    }
    .await;
    match r {
        Ok(()) => see_other(&format!("/files/{id}/share")),
        Err(e @ ServiceError::Invalid { .. }) => {
            share_page(&st, &p.user, &id, None, Problem::of(&e, &[])).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

async fn share_remove(
    State(st): State<AppState>,
    Path((id, grant)): Path<(String, String)>,
    p: Posted,
) -> Response {
    let r = async {
        let g: GrantId = grant
            .parse()
            .map_err(|_| ServiceError::not_found("no such grant"))?;
        st.services.grants.revoke(p.user.caller(), g).await?;
        Ok(())
    }
    .await;
    match r {
        Ok(()) => see_other(&format!("/files/{id}/share")),
        Err(e) => service_error_page(Some(&p.user), e),
    }
}
