//! A connector's page: its request (method, URL, headers, parameters, body, with
//! secret-looking static values masked), its credential, and its call log — when,
//! who, status, duration and bytes — newest first, paged.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use sigil_core::ApiConnectorId;
use sigil_service::connectors::Mode;
use sigil_service::ServiceError;

use super::{method_label, name_of, names, refused, when};
use crate::state::AppState;
use crate::web::session::WebUser;
use crate::web::{not_found_page, render, service_error_page, Chrome};

pub struct ParamLine {
    pub place: &'static str,
    pub key: String,
    pub how: String,
}

pub struct CallRow {
    pub at: String,
    pub who: String,
    pub status: String,
    pub failed: bool,
    pub duration: String,
    pub bytes: String,
}

#[derive(Template)]
#[template(path = "admin/connectors/connector.html")]
struct Page {
    chrome: Chrome,
    section: &'static str,
    csrf: String,
    id: String,
    name: String,
    description: String,
    request: String,
    credential: String,
    params: Vec<ParamLine>,
    body: String,
    calls: Vec<CallRow>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct Paging {
    pub page: Option<String>,
}

fn size(n: u64) -> String {
    if n < 10_000 {
        format!("{n} B")
    } else {
        format!("{:.1} kB", n as f64 / 1000.0)
    }
}

pub async fn show(
    State(st): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<Paging>,
    user: WebUser,
) -> Response {
    if let Some(r) = refused(&user) {
        return r;
    }
    let Ok(id) = id.parse::<ApiConnectorId>() else {
        return not_found_page();
    };
    let c = user.caller();
    let s = &st.services;
    let loaded = async {
        let v = s.connectors.get(c, id).await?;
        let calls = s
            .connectors
            .calls(
                c,
                id,
                q.page.as_deref().filter(|p| !p.is_empty()),
                Some("25"),
            )
            .await?;
        let credential = match v.row.auth_id {
            Some(a) => match s.api_credentials.get(c, a).await {
                Ok(k) => format!("{} ({})", k.name, method_label(&k.auth_method)),
                Err(ServiceError::NotFound(_)) => "deleted".to_owned(),
                Err(e) => return Err(e),
            },
            None => "None".to_owned(),
        };
        let names = names(&st, c).await?;
        Ok::<_, ServiceError>((v, calls, credential, names))
    }
    .await;
    let (v, calls, credential, names) = match loaded {
        Ok(x) => x,
        Err(e) => return service_error_page(Some(&user), e),
    };
    let p = &v.params;
    let mut params = Vec::new();
    for (place, list) in [
        ("Header", &p.headers),
        ("Query", &p.query_params),
        ("Path", &p.path_params),
        ("Body", &p.body_params),
    ] {
        for x in list {
            let how = match x.mode {
                Mode::Dynamic => format!("dynamic, {}", x.ty.map_or("string", |t| t.as_str())),
                Mode::Static => format!("static: {}", x.value.clone().unwrap_or_default()),
            };
            params.push(ParamLine {
                place,
                key: x.key.clone(),
                how,
            });
        }
    }
    let page = Page {
        chrome: Chrome::new(v.row.name.clone(), Some(&user)),
        section: "api-connectors",
        csrf: user.session.csrf.clone(),
        id: v.row.id.to_string(),
        name: v.row.name.clone(),
        description: v.row.description.clone().unwrap_or_default(),
        request: format!("{} {}", p.method, p.url),
        credential,
        params,
        body: p.body.clone(),
        calls: calls
            .entries
            .iter()
            .map(|k| CallRow {
                at: when(k.at),
                who: name_of(&names, k.member_id),
                status: match (k.status, &k.error) {
                    (Some(s), _) => s.to_string(),
                    (None, Some(e)) => format!("failed: {e}"),
                    (None, None) => "failed".to_owned(),
                },
                failed: k.status.is_none_or(|s| s >= 400),
                duration: format!("{:.0} ms", k.duration_ms),
                bytes: format!(
                    "{} sent, {} received",
                    size(k.bytes_sent),
                    size(k.bytes_received)
                ),
            })
            .collect(),
        next: calls.next_page_token,
    };
    render(&page)
}
