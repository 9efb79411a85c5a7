//! The sigil HTTP server: configuration, state, authentication, the routes under
//! [`routes`], and [`app`], which assembles them with the middleware stack.

pub mod access;
pub mod actions;
pub mod app;
pub mod auth;
pub mod bootstrap;
pub mod config;
pub mod error;
pub mod extract;
pub mod metrics;
pub mod middleware;
pub mod pagination;
pub mod read_cache;
pub mod routes;
pub mod secret;
pub mod serve;
pub mod state;

pub use app::{app, app_with};
pub use config::Config;
pub use error::ApiError;
pub use state::AppState;
