//! Whether a host is reachable on a port, under the same address policy as
//! connectors: the name is resolved, every address out of bounds (loopback, private,
//! metadata, …) is refused unless an allowed network holds it, and a TCP connection
//! is opened to the first address left and closed at once. Nothing is sent: this is
//! how sigil "tests" a warehouse connection without speaking the warehouse's
//! protocol.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpStream;

use crate::policy::{check_address, Network, PolicyError};

/// Why a host could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum ReachError {
    #[error("`{0}` could not be resolved: {1}")]
    Unresolved(String, String),
    #[error(transparent)]
    Refused(#[from] PolicyError),
    #[error("`{host}` ({addr}) did not accept a connection on port {port}: {reason}")]
    Closed {
        host: String,
        addr: SocketAddr,
        port: u16,
        reason: String,
    },
    #[error("`{0}` did not answer within {1:?}")]
    TimedOut(String, Duration),
}

/// Resolves `host`, checks its addresses and opens a TCP connection to the first
/// allowed one, all within `within`; answers the address reached.
pub async fn probe(
    host: &str,
    port: u16,
    allowed: &[Network],
    within: Duration,
) -> Result<SocketAddr, ReachError> {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    let attempt = async {
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|e| ReachError::Unresolved(host.to_owned(), e.to_string()))?
            .collect();
        if addrs.is_empty() {
            return Err(ReachError::Unresolved(
                host.to_owned(),
                "no address".to_owned(),
            ));
        }
        // Every address must pass, not only one: a name that resolves to a public and
        // a private address is how a rebinding attack would slip past.
        for a in &addrs {
            check_address(host, a.ip(), allowed)?;
        }
        let addr = addrs[0];
        TcpStream::connect(addr)
            .await
            .map_err(|e| ReachError::Closed {
                host: host.to_owned(),
                addr,
                port,
                reason: e.to_string(),
            })?;
        Ok(addr)
    };
    tokio::time::timeout(within, attempt)
        .await
        .unwrap_or_else(|_| Err(ReachError::TimedOut(host.to_owned(), within)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_listening_port_is_reached_only_where_its_network_is_allowed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let within = Duration::from_secs(5);
        let refused = probe("127.0.0.1", port, &[], within).await.unwrap_err();
        assert!(
            matches!(refused, ReachError::Refused(_)),
            "loopback is out of bounds by default: {refused}"
        );
        let allowed = [Network::parse("127.0.0.0/8").unwrap()];
        let reached = probe("127.0.0.1", port, &allowed, within).await.unwrap();
        assert_eq!(reached.port(), port);
        drop(listener);
        let closed = probe("127.0.0.1", port, &allowed, within)
            .await
            .unwrap_err();
        assert!(matches!(closed, ReachError::Closed { .. }), "{closed}");
    }

    #[tokio::test]
    async fn a_name_that_does_not_resolve_is_said_so() {
        let e = probe("no-such-host.invalid", 443, &[], Duration::from_secs(10))
            .await
            .unwrap_err();
        assert!(
            matches!(e, ReachError::Unresolved(..) | ReachError::TimedOut(..)),
            "{e}"
        );
    }
}
