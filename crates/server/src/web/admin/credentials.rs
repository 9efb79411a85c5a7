//! Administration > API credentials: the client credentials of `POST
//! /v2/credentials`. Creating shows the secret once, on the page that answers the
//! form (it is never stored in a readable form, so it cannot be shown again).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use sigil_service::auth::NewClientCredentials;
use sigil_service::ServiceError;

use super::{member_label, no_access};
use crate::state::AppState;
use crate::web::session::{Posted, WebUser};
use crate::web::{render_status, see_other, service_error_page, Chrome, Problem};

pub struct CredentialRow {
    pub client_id: String,
    pub name: String,
    pub owner: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "admin/credentials.html")]
struct Credentials {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    credentials: Vec<CredentialRow>,
    members: Vec<(String, String)>,
    created: Option<(String, String)>,
    problem: Problem,
}

async fn page(
    st: &AppState,
    user: &WebUser,
    created: Option<(String, String)>,
    problem: Problem,
) -> Response {
    let c = user.caller();
    if !c.is_admin() {
        return no_access(user);
    }
    let s = &st.services;
    let result = async {
        let creds = s.auth.list_client_credentials(c).await?;
        let members = s.members.directory(c, None, 1000).await?;
        Ok::<_, ServiceError>((creds, members))
    }
    .await;
    let (creds, members) = match result {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(user), e),
    };
    let owner = |id| {
        members
            .iter()
            .find(|m| m.id == id)
            .map(member_label)
            .unwrap_or_else(|| id.to_string())
    };
    let mut members_sorted: Vec<(String, String)> = members
        .iter()
        .map(|m| (m.id.to_string(), member_label(m)))
        .collect();
    // The caller first: the usual owner.
    if let Some(i) = members_sorted
        .iter()
        .position(|(id, _)| *id == c.id().to_string())
    {
        let me = members_sorted.remove(i);
        members_sorted.insert(0, me);
    }
    render_status(
        problem.status(),
        &Credentials {
            chrome: Chrome::new("API credentials", Some(user)),
            section: "api-credentials",
            csrf: user.session.csrf.clone(),
            credentials: creds
                .iter()
                .map(|k| CredentialRow {
                    client_id: k.client_id.clone(),
                    name: k.name.clone(),
                    owner: owner(k.owner_id),
                    created: sigil_core::clock::rfc3339(k.created_at),
                })
                .collect(),
            members: members_sorted,
            created,
            problem,
        },
    )
}

pub async fn list(State(st): State<AppState>, user: WebUser) -> Response {
    page(&st, &user, None, Problem::none()).await
}

pub async fn create(State(st): State<AppState>, p: Posted) -> Response {
    let input = NewClientCredentials {
        owner_id: p.fields.get("owner"),
        name: p.fields.get("name"),
        description: None,
        scopes: None,
    };
    match st
        .services
        .auth
        .create_client_credentials(p.user.caller(), input)
        .await
    {
        Ok(c) => {
            page(
                &st,
                &p.user,
                Some((c.credential.client_id, c.client_secret)),
                Problem::none(),
            )
            .await
        }
        Err(e @ ServiceError::Invalid { .. }) => {
            page(&st, &p.user, None, Problem::of(&e, &[])).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

pub async fn revoke(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    match st
        .services
        .auth
        .revoke_client_credentials(p.user.caller(), &id)
        .await
    {
        Ok(()) => see_other("/admin/api-credentials"),
        Err(e) => service_error_page(Some(&p.user), e),
    }
}
