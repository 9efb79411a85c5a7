//! The address policy at resolution time: a DNS resolver that refuses loopback,
//! private, link-local and cloud-metadata addresses (unless allowed) and pins the
//! connection to the addresses it checked; and reqwest errors told apart from ours
//! without echoing a URL.

use super::*;

pub(super) type Trusted = Arc<std::sync::RwLock<Vec<(String, u16)>>>;

pub(super) struct SafeResolver {
    pub(super) allowed: Vec<Network>,
    /// A trusted name is resolved without checks; its port was checked before the
    /// request left (see `Engine::check_target`).
    pub(super) trusted: Trusted,
}

pub(super) fn is_trusted_host(trusted: &Trusted, host: &str) -> bool {
    trusted
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .any(|(h, _)| h.eq_ignore_ascii_case(host))
}

impl Resolve for SafeResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allowed = self.allowed.clone();
        let trusted = is_trusted_host(&self.trusted, &host);
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if trusted {
                return Ok(Box::new(addrs.into_iter()) as Addrs);
            }
            // Every address must pass: a name that resolves to one public and one
            // private address is refused rather than half-trusted.
            for a in &addrs {
                check_address(&host, a.ip(), &allowed)
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error + Send + Sync>)?;
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Finds our policy error inside a reqwest error, if the resolver refused.
pub(super) fn policy_cause(e: &reqwest::Error) -> Option<PolicyError> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(p) = s.downcast_ref::<PolicyError>() {
            return Some(p.clone());
        }
        src = s.source();
    }
    None
}

pub(super) fn describe(e: &reqwest::Error) -> String {
    // reqwest's Display names the URL, which may carry an API key in its query.
    let mut parts = Vec::new();
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        parts.push(s.to_string());
        src = s.source();
    }
    let kind = if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the response body could not be read"
    } else if e.is_request() {
        "the request could not be sent"
    } else {
        "the exchange failed"
    };
    if parts.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", parts.join(": "))
    }
}
