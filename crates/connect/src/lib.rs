//! The outbound engine of sigil. For now: [`template`], the typed templates a
//! connector's request is built from, and [`policy`], where a connector may send one
//! (allowlists, refused addresses). Credentials, the HTTP client that applies the
//! policy, retries and OpenAPI import come with the rest of the connectors issue.

pub mod policy;
pub mod template;
