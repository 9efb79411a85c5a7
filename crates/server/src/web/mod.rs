//! The web pages, served at `/` beside the REST API: server-rendered HTML from
//! compile-time-checked templates (askama, `templates/`), plain forms that POST and
//! redirect, one stylesheet and one small script of ours embedded with
//! cache-busting names. Every page calls the service layer, as the REST API does.
//!
//! Here: the router, the page chrome (header and user menu), rendering, and the
//! pages for errors. [`session`] holds sign-in state, CSRF and the security headers.

pub mod admin;
pub mod assets;
pub mod home;
pub mod session;
pub mod signin;
pub mod workbooks;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use sigil_core::Permission;
use sigil_service::{Caller, ServiceError};

use crate::state::AppState;
use session::WebUser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/signin", get(signin::page).post(signin::submit))
        .route("/signout", post(signin::sign_out))
        .route("/static/{name}", get(assets::serve))
        .merge(home::router())
        .merge(admin::router())
        .merge(workbooks::router())
        .layer(axum::middleware::map_response(session::security_headers))
}

/// The signed-in member, as the header shows them.
#[derive(Debug, Clone)]
pub struct UserChrome {
    pub name: String,
    pub initials: String,
    pub account_type: String,
    pub can_administer: bool,
    /// Administration's side panel shows only what the member may administer.
    pub is_admin: bool,
    pub manages_connectors: bool,
    pub csrf: String,
}

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub css: &'static str,
    pub js: &'static str,
    pub user: Option<UserChrome>,
}

/// Whether a member may open the Administration portal.
pub fn can_administer(c: &Caller) -> bool {
    c.is_admin() || c.has(Permission::ManageApiConnectors)
}

fn display_name(c: &Caller) -> String {
    let m = &c.member;
    let n = format!("{} {}", m.first_name, m.last_name);
    if n.trim().is_empty() {
        m.email.clone()
    } else {
        n.trim().to_owned()
    }
}

fn initials(name: &str) -> String {
    let i: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect();
    if i.is_empty() {
        "?".into()
    } else {
        i.to_uppercase()
    }
}

impl Chrome {
    pub fn new(title: impl Into<String>, user: Option<&WebUser>) -> Self {
        Chrome {
            title: title.into(),
            css: assets::css(),
            js: assets::js(),
            user: user.map(|u| {
                let c = &u.session.caller;
                let name = display_name(c);
                UserChrome {
                    initials: initials(&name),
                    name,
                    account_type: c.account_type.name.clone(),
                    can_administer: can_administer(c),
                    is_admin: c.is_admin(),
                    manages_connectors: c.has(Permission::ManageApiConnectors),
                    csrf: u.session.csrf.clone(),
                }
            }),
        }
    }
}

/// A form's problem: the field it concerns (`"_"` for the form as a whole, `""` for
/// none) and what to say there.
#[derive(Debug, Clone, Default)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn none() -> Self {
        Problem::default()
    }

    /// The status of a page showing this problem: 400 when there is one.
    pub fn status(&self) -> StatusCode {
        if self.message.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    /// The problem a service error is to a form with these fields: shown next to its
    /// field when the form has it, above the form otherwise.
    pub fn of(e: &ServiceError, fields: &[&str]) -> Self {
        let field = match e.field() {
            Some(f) if fields.contains(&f) => f.to_owned(),
            _ => "_".to_owned(),
        };
        Problem {
            field,
            message: e.to_string(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: String,
    message: String,
}

/// Renders a page.
pub fn render<T: Template>(t: &T) -> Response {
    render_status(StatusCode::OK, t)
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page did not render");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                "Something went wrong",
                "The page could not be shown. Try again in a moment.",
            )
        }
    }
}

/// A page saying what went wrong, with a link home.
pub fn error_page(
    status: StatusCode,
    user: Option<&WebUser>,
    heading: &str,
    message: &str,
) -> Response {
    let page = ErrorPage {
        chrome: Chrome::new(heading, user),
        heading: heading.into(),
        message: message.into(),
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, heading.to_owned()).into_response(),
    }
}

/// The page a service error becomes when it is not a form's problem.
pub fn service_error_page(user: Option<&WebUser>, e: ServiceError) -> Response {
    match e {
        ServiceError::NotFound(_) => error_page(
            StatusCode::NOT_FOUND,
            user,
            "Not found",
            "There is nothing here, or you do not have access to it.",
        ),
        ServiceError::Forbidden(m) => error_page(
            StatusCode::FORBIDDEN,
            user,
            "You do not have access",
            &format!("You do not have access to this: {m}."),
        ),
        ServiceError::Internal(e) => {
            tracing::error!(error = ?e, "internal error on a page");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                user,
                "Something went wrong",
                "The request could not be completed. Try again in a moment.",
            )
        }
        other => error_page(
            StatusCode::BAD_REQUEST,
            user,
            "That did not work",
            &other.to_string(),
        ),
    }
}

/// A redirect after a POST that worked, to the page that shows its result.
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// The page for a route that does not exist.
pub fn not_found_page() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        None,
        "Not found",
        "There is no page at this address.",
    )
}

/// "First Last (email)", or the email alone: a member in a picker or a list.
pub fn member_label(m: &sigil_core::Member) -> String {
    let n = format!("{} {}", m.first_name, m.last_name);
    if n.trim().is_empty() {
        m.email.clone()
    } else {
        format!("{} ({})", n.trim(), m.email)
    }
}

/// `?q=`: what narrows a member picker.
#[derive(serde::Deserialize, Default)]
pub struct Find {
    pub q: Option<String>,
}
