//! The HTTP routes, one module per resource; each exports `router()`, and [`api`]
//! merges them. Routes are registered through `utoipa-axum`, so the OpenAPI document
//! is generated from the same code that routes.

pub mod account_types;
pub mod api_connectors;
pub mod api_credentials;
pub mod api_documents;
pub mod auth;
pub mod credentials;
pub mod files;
pub mod grants;
pub mod members;
pub mod ops;
pub mod report;
pub mod teams;
pub mod unheld;
pub mod whoami;
pub mod workbooks;
pub mod workspaces;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sigil_core::{InodeId, MemberId};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "sigil",
        description = "A self-hosted, Sigma-compatible server. Operations under `/v2` follow \
                       Sigma's REST API; the rest are sigil's own.",
    ),
    tags(
        (name = "auth", description = "Tokens (Sigma)"),
        (name = "credentials", description = "API client credentials (Sigma)"),
        (name = "members", description = "Members and account types (Sigma)"),
        (name = "teams", description = "Teams and their members (Sigma)"),
        (name = "workspaces", description = "Workspaces and grants (Sigma), and access checks (sigil)"),
        (name = "reports", description = "The Report token API"),
        (name = "connectors", description = "API credentials and connectors (Sigma); OpenAPI import, connector calls and their log (sigil)"),
        (name = "workbooks", description = "Workbooks and webhooks (Sigma); workbook documents and running action sequences (sigil)"),
        (name = "operations", description = "Health, metrics and this document (sigil)"),
    ),
    modifiers(&BearerScheme),
)]
struct ApiDoc;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
}

/// A member reference in a body: its id, or `""` when nobody is recorded (rows made
/// before anyone existed, such as the first Admin's).
pub(crate) fn who(m: Option<MemberId>) -> String {
    m.map(|m| m.to_string()).unwrap_or_default()
}

/// For PATCH bodies: tells a field sent as `null` (`Some(None)`) from one not sent
/// (`None`).
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// A display name of an API credential or connector: trimmed, 1 to 200 characters.
pub(crate) fn display_name(name: &str) -> Result<String, crate::error::ApiError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 200 {
        return Err(crate::error::ApiError::bad_request(
            "name must hold 1 to 200 characters",
        ));
    }
    Ok(n.to_owned())
}

/// The short, URL-friendly form of a node id (Sigma's `urlId`).
pub(crate) fn url_id(id: InodeId) -> String {
    URL_SAFE_NO_PAD.encode(id.0.as_bytes())
}

/// Every route of the API, with its documentation.
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(auth::router())
        .merge(account_types::router())
        .merge(credentials::router())
        .merge(members::router())
        .merge(teams::router())
        .merge(whoami::router())
        .merge(workspaces::router())
        .merge(grants::router())
        .merge(files::router())
        .merge(report::router())
        .merge(api_credentials::router())
        .merge(api_connectors::router())
        .merge(api_documents::router())
        .merge(workbooks::router())
        .merge(unheld::router())
        .merge(ops::router())
}
