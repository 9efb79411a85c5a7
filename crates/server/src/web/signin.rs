//! `/signin` and `/signout`: a member's email and password start a session; a wrong
//! one gets the same message whether or not the email is known.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use crate::state::AppState;
use crate::web::session::{cookie_of, forged, read_fields, same_origin, set_cookie, Posted};
use crate::web::{render, render_status, Chrome, Problem};

#[derive(Template)]
#[template(path = "signin.html")]
struct SignIn {
    chrome: Chrome,
    email: String,
    problem: Problem,
}

pub async fn page(State(st): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    // Already signed in: straight home.
    if let Some(c) = cookie_of(&parts) {
        if let Ok(Some(_)) = st.services.sessions.resolve(&c).await {
            return Redirect::to("/").into_response();
        }
    }
    render(&SignIn {
        chrome: Chrome::new("Sign in", None),
        email: String::new(),
        problem: Problem::none(),
    })
}

pub async fn submit(State(st): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    if !same_origin(&parts) {
        return forged(None);
    }
    let fields = match read_fields(body).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let email = fields.get("email");
    match st
        .services
        .sessions
        .sign_in(&email, &fields.get("password"))
        .await
    {
        Ok(s) => {
            let mut r = Redirect::to("/").into_response();
            r.headers_mut()
                .insert(header::SET_COOKIE, set_cookie(&st, Some(&s.cookie)));
            r
        }
        Err(e) => {
            let status = match e {
                sigil_service::ServiceError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
                sigil_service::ServiceError::Internal(_) => {
                    return crate::web::service_error_page(None, e)
                }
                _ => StatusCode::UNAUTHORIZED,
            };
            render_status(
                status,
                &SignIn {
                    chrome: Chrome::new("Sign in", None),
                    email,
                    problem: Problem {
                        field: "_".into(),
                        message: e.to_string(),
                    },
                },
            )
        }
    }
}

pub async fn sign_out(State(st): State<AppState>, posted: Posted) -> Response {
    if let Err(e) = st.services.sessions.sign_out(&posted.user.cookie).await {
        return crate::web::service_error_page(Some(&posted.user), e);
    }
    let mut r = Redirect::to("/signin").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, set_cookie(&st, None));
    r
}
