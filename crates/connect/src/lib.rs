//! The outbound engine of sigil. For now: [`template`], the typed templates a
//! connector's request is built from. Credentials, the SSRF-safe client, retries and
//! OpenAPI import come with the connectors issue.

pub mod template;
