//! The outbound engine of sigil: [`credential`] (the auth methods and their secrets),
//! [`sealing`] (how secrets are kept at rest), [`connector`] (a connector's request
//! definition and how values fill it), [`template`] (the typed templates underneath),
//! [`policy`] (where a request may go), [`reach`] (whether a host answers on a port), [`engine`] (the SSRF-safe HTTP client, tokens,
//! retries, redirects, limits) and [`openapi`] (importing OpenAPI documents and
//! building connectors from their operations). It knows nothing of HTTP servers or SQL.

pub mod connector;
pub mod credential;
pub mod engine;
pub mod openapi;
pub mod policy;
pub mod reach;
pub mod sealing;
pub mod template;
