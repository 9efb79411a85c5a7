//! Where a connector may send a request: the credential's allowlist of hostname globs,
//! and, after DNS resolution, which addresses are out of bounds (loopback, private,
//! link-local, cloud metadata and the like) unless the configuration allows a network.
//! The same checks apply to the first request and to every redirect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A hostname glob: `*` alone matches any host; `*.example.com` matches any name below
/// `example.com` (not `example.com` itself); anything else matches exactly. Case is
/// ignored, and so is a trailing dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostGlob(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("`{0}` is not a hostname pattern: use `*`, `*.example.com` or `api.example.com`")]
    BadGlob(String),
    #[error("the allowlist must name at least one host (`[\"*\"]` allows any)")]
    EmptyAllowlist,
    #[error("`{0}` is not in the credential's allowlist")]
    HostNotAllowed(String),
    #[error("`{host}` resolves to {addr}, a {kind} address, which connectors may not reach")]
    AddressRefused {
        host: String,
        addr: IpAddr,
        kind: &'static str,
    },
    #[error("`{0}` is not a network: write it as ADDRESS/PREFIX, e.g. 10.1.0.0/16")]
    BadNetwork(String),
}

fn normalize(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

impl HostGlob {
    pub fn parse(s: &str) -> Result<Self, PolicyError> {
        let n = normalize(s);
        let body = n.strip_prefix("*.").unwrap_or(&n);
        let ok = n == "*"
            || (!body.is_empty()
                && !body.contains('*')
                && body.split('.').all(|l| {
                    !l.is_empty()
                        && l.chars().all(|c| {
                            c.is_ascii_alphanumeric()
                                || c == '-'
                                || c == ':'
                                || c == '['
                                || c == ']'
                        })
                }));
        if ok {
            Ok(HostGlob(n))
        } else {
            Err(PolicyError::BadGlob(s.to_owned()))
        }
    }

    pub fn matches(&self, host: &str) -> bool {
        let host = normalize(host);
        match self.0.strip_prefix("*.") {
            _ if self.0 == "*" => true,
            Some(suffix) => host.len() > suffix.len() + 1 && host.ends_with(&format!(".{suffix}")),
            None => host == self.0,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A credential's allowlist; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allowlist(Vec<HostGlob>);

impl Allowlist {
    pub fn parse<S: AsRef<str>>(patterns: &[S]) -> Result<Self, PolicyError> {
        if patterns.is_empty() {
            return Err(PolicyError::EmptyAllowlist);
        }
        Ok(Allowlist(
            patterns
                .iter()
                .map(|p| HostGlob::parse(p.as_ref()))
                .collect::<Result<_, _>>()?,
        ))
    }

    pub fn check(&self, host: &str) -> Result<(), PolicyError> {
        if self.0.iter().any(|g| g.matches(host)) {
            Ok(())
        } else {
            Err(PolicyError::HostNotAllowed(host.to_owned()))
        }
    }
}

/// An IP network, `ADDRESS/PREFIX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    pub fn parse(s: &str) -> Result<Self, PolicyError> {
        let bad = || PolicyError::BadNetwork(s.to_owned());
        let (a, p) = s.trim().split_once('/').ok_or_else(bad)?;
        let addr: IpAddr = a.parse().map_err(|_| bad())?;
        let prefix: u8 = p.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if prefix > max {
            return Err(bad());
        }
        Ok(Network { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// IPv4 addresses written as IPv6 (`::ffff:10.0.0.1`) are judged as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Why an address is out of bounds, if it is.
pub fn forbidden_kind(ip: IpAddr) -> Option<&'static str> {
    match canonical(ip) {
        IpAddr::V4(a) => v4_kind(a),
        IpAddr::V6(a) => v6_kind(a),
    }
}

fn v4_kind(a: Ipv4Addr) -> Option<&'static str> {
    let o = a.octets();
    if a.is_loopback() {
        Some("loopback")
    } else if a.is_private() {
        Some("private")
    } else if a.is_link_local() {
        // 169.254.0.0/16, which holds the cloud metadata service at 169.254.169.254.
        Some("link-local (cloud metadata)")
    } else if a.is_unspecified() || o[0] == 0 {
        Some("unspecified")
    } else if a.is_broadcast() || a.is_multicast() || o[0] >= 240 {
        Some("broadcast, multicast or reserved")
    } else if o[0] == 100 && (o[1] & 0xc0) == 64 {
        Some("carrier-grade NAT")
    } else if o[0] == 192 && o[1] == 0 && o[2] == 0 {
        Some("IETF protocol assignment")
    } else if (o[0] == 198 && (o[1] == 18 || o[1] == 19))
        || (o[0] == 192 && o[1] == 0 && o[2] == 2)
        || (o[0] == 198 && o[1] == 51 && o[2] == 100)
        || (o[0] == 203 && o[1] == 0 && o[2] == 113)
    {
        Some("benchmark or documentation")
    } else {
        None
    }
}

fn v6_kind(a: Ipv6Addr) -> Option<&'static str> {
    let s = a.segments();
    if a.is_loopback() {
        Some("loopback")
    } else if a.is_unspecified() {
        Some("unspecified")
    } else if (s[0] & 0xfe00) == 0xfc00 {
        Some("private (unique local)")
    } else if (s[0] & 0xffc0) == 0xfe80 {
        Some("link-local")
    } else if a.is_multicast() {
        Some("multicast")
    } else if s[0] == 0xfd00 && s[1] == 0x0ec2 {
        Some("cloud metadata")
    } else if s[0] == 0x64 && s[1] == 0xff9b {
        // NAT64 can reach any IPv4 address, private ones included.
        Some("NAT64")
    } else if s[0] == 0x2001 && s[1] == 0x0db8 {
        Some("documentation")
    } else {
        None
    }
}

/// Checks one resolved address of `host`: refused when out of bounds, unless one of
/// `allowed` networks holds it.
pub fn check_address(host: &str, ip: IpAddr, allowed: &[Network]) -> Result<(), PolicyError> {
    match forbidden_kind(ip) {
        Some(kind) if !allowed.iter().any(|n| n.contains(ip)) => Err(PolicyError::AddressRefused {
            host: host.to_owned(),
            addr: ip,
            kind,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_as_documented() {
        let any = HostGlob::parse("*").unwrap();
        assert!(any.matches("api.sigmacomputing.com"));
        let sub = HostGlob::parse("*.Example.com.").unwrap();
        assert!(sub.matches("api.example.com"));
        assert!(sub.matches("a.b.EXAMPLE.com"));
        assert!(!sub.matches("example.com"));
        assert!(!sub.matches("evilexample.com"));
        assert!(!sub.matches("example.com.evil.net"));
        let exact = HostGlob::parse("api.example.com").unwrap();
        assert!(exact.matches("API.example.com."));
        assert!(!exact.matches("x.api.example.com"));
        // A trailing dot is dropped, so `*.` is `*`.
        assert_eq!(HostGlob::parse("*.").unwrap().as_str(), "*");
        for bad in ["", "a*b.com", "*.*.com", "exa mple.com", "a..b"] {
            assert!(HostGlob::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            Allowlist::parse::<&str>(&[]),
            Err(PolicyError::EmptyAllowlist)
        );
        let list = Allowlist::parse(&["*.example.com", "api.other.io"]).unwrap();
        assert!(list.check("x.example.com").is_ok());
        assert_eq!(
            list.check("other.io"),
            Err(PolicyError::HostNotAllowed("other.io".into()))
        );
    }

    #[test]
    fn internal_addresses_are_refused_unless_a_network_allows_them() {
        for refused in [
            "127.0.0.1",
            "127.9.9.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "fd00:ec2::254",
            "64:ff9b::a00:1",
        ] {
            let ip: IpAddr = refused.parse().unwrap();
            assert!(
                check_address("h", ip, &[]).is_err(),
                "{refused} must be refused"
            );
        }
        for allowed in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            let ip: IpAddr = allowed.parse().unwrap();
            assert!(
                check_address("h", ip, &[]).is_ok(),
                "{allowed} must be allowed"
            );
        }
        let lab = Network::parse("10.1.0.0/16").unwrap();
        assert!(check_address("h", "10.1.9.9".parse().unwrap(), &[lab]).is_ok());
        assert!(check_address("h", "10.2.0.1".parse().unwrap(), &[lab]).is_err());
        let loopback = Network::parse("127.0.0.1/32").unwrap();
        assert!(check_address("h", "::ffff:127.0.0.1".parse().unwrap(), &[loopback]).is_ok());
        let e = check_address("metadata", "169.254.169.254".parse().unwrap(), &[]).unwrap_err();
        assert!(e.to_string().contains("cloud metadata"), "{e}");
        for bad in ["10.0.0.0", "10.0.0.0/33", "x/8", "::/129"] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
        assert!(Network::parse("0.0.0.0/0")
            .unwrap()
            .contains("10.0.0.1".parse().unwrap()));
    }
}
