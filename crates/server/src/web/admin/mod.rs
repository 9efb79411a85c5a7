//! The Administration portal (`/admin/…`): users, teams, account types, API client
//! credentials, and API connectors. Each page does what the REST API does, through
//! the same service operations and so with the same permissions; a member who may not
//! administer gets a "you do not have access" page.

mod account_types;
mod connectors;
mod credentials;
mod teams;
mod users;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::state::AppState;
pub use crate::web::member_label;
use crate::web::session::WebUser;
use crate::web::{can_administer, error_page};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(index))
        .route("/admin/users", get(users::list).post(users::invite))
        .route("/admin/users/{id}", get(users::show).post(users::update))
        .route("/admin/users/{id}/password", post(users::set_password))
        .route("/admin/users/{id}/deactivate", post(users::deactivate))
        .route("/admin/users/{id}/reactivate", post(users::reactivate))
        .route("/admin/teams", get(teams::list).post(teams::create))
        .route("/admin/teams/{id}", get(teams::show).post(teams::update))
        .route("/admin/teams/{id}/members", post(teams::add_member))
        .route(
            "/admin/teams/{id}/members/{member}/remove",
            post(teams::remove_member),
        )
        .route(
            "/admin/teams/{id}/members/{member}/admin",
            post(teams::set_admin),
        )
        .route("/admin/teams/{id}/delete", post(teams::delete))
        .route(
            "/admin/account-types",
            get(account_types::list).post(account_types::create),
        )
        .route(
            "/admin/account-types/{id}/delete",
            post(account_types::delete),
        )
        .route(
            "/admin/api-credentials",
            get(credentials::list).post(credentials::create),
        )
        .route(
            "/admin/api-credentials/{id}/revoke",
            post(credentials::revoke),
        )
        .merge(connectors::router())
}

/// The page for a member who may not administer what they asked for.
pub fn no_access(user: &WebUser) -> Response {
    error_page(
        StatusCode::FORBIDDEN,
        Some(user),
        "You do not have access",
        "This part of the Administration portal needs an account type that may administer it. Ask an Admin.",
    )
}

async fn index(user: WebUser) -> Response {
    let c = user.caller();
    if c.is_admin() {
        Redirect::to("/admin/users").into_response()
    } else if can_administer(c) {
        Redirect::to("/admin/api-connectors").into_response()
    } else {
        no_access(&user)
    }
}
