//! [`AppState`]: what the REST handlers reach — the services, the configuration and
//! the HTTP metrics — built once at start-up and passed explicitly to the router.

use std::ops::Deref;
use std::sync::Arc;

use sigil_service::{Config, Services};

use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub services: Arc<Services>,
    pub config: Arc<Config>,
    pub metrics: Arc<Metrics>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("services", &self.services)
            .finish_non_exhaustive()
    }
}

impl AppState {
    pub fn new(services: Arc<Services>) -> Self {
        AppState(Arc::new(Inner {
            config: services.config.clone(),
            services,
            metrics: Arc::new(Metrics::new()),
        }))
    }
}
