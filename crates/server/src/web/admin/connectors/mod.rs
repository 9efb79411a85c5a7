//! Administration > API connectors: the Connectors and Credentials tabs (what exists,
//! with open, edit and delete), the credential form ([`credential`]), the connector
//! form with its OpenAPI import, endpoint picker, preview and test ([`form`]), and a
//! connector's page with its call log ([`page`]). Every page needs
//! `manage-api-connectors`, and goes through the same service operations as
//! `/v2/api-credentials`, `/v2/api-documents` and `/v2/api-connectors`.

mod credential;
mod form;
mod page;

use std::collections::HashMap;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use sigil_core::{ApiConnectorId, ApiCredentialId, MemberId, Permission};
use sigil_service::paging::TokenPage;
use sigil_service::{Caller, ServiceError};

use super::{member_label, no_access};
use crate::state::AppState;
use crate::web::session::{Posted, WebUser};
use crate::web::{render_status, see_other, service_error_page, Chrome};

pub fn router() -> Router<AppState> {
    let form_routes = Router::new()
        .route(
            "/admin/api-connectors/new",
            get(form::new).post(form::post_new),
        )
        .route(
            "/admin/api-connectors/{id}/edit",
            get(form::edit).post(form::post_edit),
        )
        // The form may carry an uploaded OpenAPI document: a multipart form is read
        // up to the documents' own limit (`Posted`), not the smaller default.
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .route("/admin/api-connectors", get(connectors_tab))
        .route("/admin/api-connectors/credentials", get(credentials_tab))
        .route(
            "/admin/api-connectors/credentials/new",
            get(credential::new).post(credential::create),
        )
        .route(
            "/admin/api-connectors/credentials/{id}",
            get(credential::edit).post(credential::update),
        )
        .route(
            "/admin/api-connectors/credentials/{id}/delete",
            post(delete_credential),
        )
        .route("/admin/api-connectors/{id}", get(page::show))
        .route("/admin/api-connectors/{id}/delete", post(delete_connector))
        .merge(form_routes)
}

/// The "no access" page, when `user` may not be here.
fn refused(user: &WebUser) -> Option<Response> {
    (!user.caller().has(Permission::ManageApiConnectors)).then(|| no_access(user))
}

/// Members' display names by id, for "created by" columns.
async fn names(st: &AppState, c: &Caller) -> Result<HashMap<MemberId, String>, ServiceError> {
    let members = st.services.members.directory(c, None, 1000).await?;
    Ok(members.iter().map(|m| (m.id, member_label(m))).collect())
}

fn name_of(names: &HashMap<MemberId, String>, id: MemberId) -> String {
    names.get(&id).cloned().unwrap_or_else(|| id.to_string())
}

fn when(t: time::OffsetDateTime) -> String {
    sigil_core::clock::rfc3339(t)
}

/// The label of an authentication method's `authMethod` name.
pub fn method_label(m: &str) -> &str {
    credential::METHODS
        .iter()
        .find(|x| x.value == m)
        .map_or(m, |x| x.label)
}

pub struct Row {
    pub id: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub created_by: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "admin/connectors/tabs.html")]
struct Tabs {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    tab: &'static str,
    rows: Vec<Row>,
    problem: String,
}

async fn tab_page(st: &AppState, user: &WebUser, tab: &'static str, problem: String) -> Response {
    if let Some(r) = refused(user) {
        return r;
    }
    let c = user.caller();
    let s = &st.services;
    let all = TokenPage {
        size: 1000,
        ..TokenPage::default()
    };
    let rows = async {
        let names = names(st, c).await?;
        let rows: Vec<Row> = if tab == "connectors" {
            s.connectors
                .list(c, all)
                .await?
                .entries
                .into_iter()
                .map(|k| {
                    let kind = serde_json::from_str::<sigil_service::connectors::Params>(&k.params)
                        .map(|p| format!("{} {}", p.method, p.url))
                        .unwrap_or_default();
                    Row {
                        id: k.id.to_string(),
                        name: k.name,
                        description: k.description.unwrap_or_default(),
                        kind,
                        created_by: name_of(&names, k.created_by),
                        updated: when(k.updated_at),
                    }
                })
                .collect()
        } else {
            s.api_credentials
                .list(c, all)
                .await?
                .entries
                .into_iter()
                .map(|k| Row {
                    id: k.id.to_string(),
                    kind: method_label(&k.auth_method).to_owned(),
                    name: k.name,
                    description: k.description.unwrap_or_default(),
                    created_by: name_of(&names, k.created_by),
                    updated: when(k.updated_at),
                })
                .collect()
        };
        Ok::<_, ServiceError>(rows)
    }
    .await;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => return service_error_page(Some(user), e),
    };
    let status = if problem.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::CONFLICT
    };
    render_status(
        status,
        &Tabs {
            chrome: Chrome::new("API connectors", Some(user)),
            section: "api-connectors",
            csrf: user.session.csrf.clone(),
            tab,
            rows,
            problem,
        },
    )
}

async fn connectors_tab(State(st): State<AppState>, user: WebUser) -> Response {
    tab_page(&st, &user, "connectors", String::new()).await
}

async fn credentials_tab(State(st): State<AppState>, user: WebUser) -> Response {
    tab_page(&st, &user, "credentials", String::new()).await
}

async fn delete_credential(
    State(st): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Response {
    let Ok(id) = id.parse::<ApiCredentialId>() else {
        return crate::web::not_found_page();
    };
    match st
        .services
        .api_credentials
        .archive(p.user.caller(), id)
        .await
    {
        Ok(()) => see_other("/admin/api-connectors/credentials"),
        Err(ServiceError::Conflict(m)) => tab_page(&st, &p.user, "credentials", m).await,
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

async fn delete_connector(
    State(st): State<AppState>,
    Path(id): Path<String>,
    p: Posted,
) -> Response {
    let Ok(id) = id.parse::<ApiConnectorId>() else {
        return crate::web::not_found_page();
    };
    match st.services.connectors.archive(p.user.caller(), id).await {
        Ok(()) => see_other("/admin/api-connectors"),
        Err(ServiceError::Conflict(m)) => tab_page(&st, &p.user, "connectors", m).await,
        Err(e) => service_error_page(Some(&p.user), e),
    }
}
