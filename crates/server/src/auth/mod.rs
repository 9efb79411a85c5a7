//! Authentication: keys, access tokens, client secrets and passwords, the revocation
//! set, and [`service`], the grant logic shared by `/v2/auth/token` and the Report
//! token API.

pub mod account_types;
pub mod client_cache;
pub mod keys;
pub mod revocation;
pub mod secrets;
pub mod service;
pub mod tokens;

pub use revocation::RevocationSet;
pub use tokens::{AccessClaims, TokenIssuer};
