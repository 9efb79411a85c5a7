//! Administration > Account types: the built-in and custom types and their
//! permissions as a grid; creating a custom type by ticking permissions; deleting one
//! that no member holds.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use sigil_core::{AccountTypeId, Permission};
use sigil_service::account_types::NewAccountType;
use sigil_service::ServiceError;

use super::no_access;
use crate::state::AppState;
use crate::web::session::{Posted, WebUser};
use crate::web::{render_status, see_other, service_error_page, Chrome, Problem};

pub struct TypeColumn {
    pub id: String,
    pub name: String,
    pub custom: bool,
    pub permissions: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "admin/account_types.html")]
struct AccountTypes {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    types: Vec<TypeColumn>,
    permissions: Vec<(&'static str, &'static str)>,
    problem: Problem,
}

async fn page(st: &AppState, user: &WebUser, problem: Problem) -> Response {
    let c = user.caller();
    if !c.is_admin() {
        return no_access(user);
    }
    let list = match st.services.account_types.list(c, None, Some("1000")).await {
        Ok(l) => l,
        Err(e) => return service_error_page(Some(user), e),
    };
    render_status(
        problem.status(),
        &AccountTypes {
            chrome: Chrome::new("Account types", Some(user)),
            section: "account-types",
            csrf: user.session.csrf.clone(),
            types: list
                .entries
                .into_iter()
                .map(|t| TypeColumn {
                    id: t.id.to_string(),
                    custom: !t.builtin,
                    permissions: if t.is_admin() {
                        Permission::ALL.map(Permission::as_str).to_vec()
                    } else {
                        t.permissions.iter().map(|p| p.as_str()).collect()
                    },
                    name: t.name,
                })
                .collect(),
            permissions: Permission::ALL
                .iter()
                .map(|p| (p.as_str(), p.description()))
                .collect(),
            problem,
        },
    )
}

pub async fn list(State(st): State<AppState>, user: WebUser) -> Response {
    page(&st, &user, Problem::none()).await
}

pub async fn create(State(st): State<AppState>, p: Posted) -> Response {
    let f = &p.fields;
    let input = NewAccountType {
        name: f.get("name"),
        description: f.opt("description"),
        permissions: f.all("permissions"),
    };
    match st
        .services
        .account_types
        .create(p.user.caller(), input)
        .await
    {
        Ok(_) => see_other("/admin/account-types"),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            page(&st, &p.user, Problem::of(&e, &[])).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}

pub async fn delete(State(st): State<AppState>, Path(id): Path<String>, p: Posted) -> Response {
    let r = async {
        let t: AccountTypeId = id
            .parse()
            .map_err(|_| ServiceError::not_found("no such account type"))?;
        st.services
            .account_types
            .delete(p.user.caller(), t, None)
            .await
    }
    .await;
    match r {
        Ok(()) => see_other("/admin/account-types"),
        Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
            page(&st, &p.user, Problem::of(&e, &[])).await
        }
        Err(e) => service_error_page(Some(&p.user), e),
    }
}
