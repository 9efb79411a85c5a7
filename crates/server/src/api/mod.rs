//! The REST API, one module per resource; each exports `router()`, and [`api`]
//! merges them. A route parses the request into typed input, calls one service
//! operation and shapes Sigma's JSON; no route module imports another (shared pieces
//! are in [`shape`] and [`bodies`]). Routes are registered through `utoipa-axum`, so
//! the OpenAPI document is generated from the same code that routes.

pub mod account_types;
pub mod api_connectors;
pub mod api_credentials;
pub mod api_documents;
pub mod auth;
pub mod bodies;
pub mod connections;
pub mod credentials;
pub mod favorites;
pub mod files;
pub mod grants;
pub mod members;
pub mod ops;
pub mod report;
pub mod schemas;
pub mod shape;
pub mod tags;
pub mod teams;
pub mod unheld;
pub mod user_attributes;
pub mod webhooks;
pub mod whoami;
pub mod workbook_grants;
pub mod workbook_reads;
pub mod workbook_records;
pub mod workbook_runs;
pub mod workbook_schedules;
pub mod workbook_versions;
pub mod workbooks;
pub mod workspaces;

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
        (name = "connections", description = "Warehouse connections, their paths and grants, kept as records (Sigma); no warehouse query is run"),
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
        .merge(favorites::router())
        .merge(user_attributes::router())
        .merge(tags::router())
        .merge(workbook_records::router())
        .merge(connections::router())
        .merge(workbook_schedules::router())
        .merge(workbook_grants::router())
        .merge(workbook_versions::router())
        .merge(workbook_runs::router())
        .merge(workbook_reads::router())
        .merge(webhooks::router())
        .merge(unheld::router())
        .merge(ops::router())
}
