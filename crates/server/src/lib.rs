//! The sigil HTTP server: the REST API under [`api`] (Sigma's `/v2` and sigil's own
//! operations), the web pages under [`web`], the extractors and errors it shares, and [`app`], which assembles the
//! routes with the middleware stack. Every operation is a call into
//! [`sigil_service`]; nothing here reaches the store.

pub mod api;
pub mod app;
pub mod error;
pub mod extract;
pub mod listen;
pub mod metrics;
pub mod middleware;
pub mod serve;
pub mod state;
pub mod testing;
pub mod web;

pub use app::{app, app_with};
pub use error::ApiError;
pub use sigil_service::{auth, bootstrap, config, Config};
pub use state::AppState;
