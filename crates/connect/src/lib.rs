//! The outbound engine of sigil. For now: [`template`], the typed templates a
//! connector's request is built from; [`policy`], where a connector may send one
//! (allowlists, refused addresses); and [`sealing`], how credential secrets are kept
//! at rest. The HTTP client that applies the policy, the auth methods, retries and
//! OpenAPI import come with the rest of the connectors issue.

pub mod policy;
pub mod sealing;
pub mod template;
