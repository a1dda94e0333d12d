//! The client's address, for the sign-in service's per-address lockout. It is the connection's peer,
//! unless the peer is a reverse proxy the operator trusts (`tenantry serve --trusted-proxy`): then it is
//! the address that proxy forwarded in `X-Forwarded-For`, read from the right, the first hop that is not
//! itself a trusted proxy. Without trusted proxies the header is ignored, so a client cannot choose the
//! address its failures count against. Behind a proxy that is not declared, every client would share the
//! proxy's address and one client's failures would lock everyone out: declare it.

use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// Addresses and networks of reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// From addresses (`10.0.0.5`) and networks (`10.0.0.0/8`, `fd00::/8`); the first bad one is named.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self, String> {
        entries
            .iter()
            .map(|e| {
                let e = e.as_ref().trim();
                e.parse::<IpNet>()
                    .or_else(|_| e.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        format!(
                            "'{e}' is not an IP address or network (like 10.0.0.5 or 10.0.0.0/8)"
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }

    /// The client behind `peer`, given the request's headers.
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        if !self.trusts(peer) {
            return canonical(peer);
        }
        // Several header lines are one list, in order (RFC 9110 §5.3).
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .collect();
        let mut client = canonical(peer);
        for hop in hops.iter().rev() {
            match hop.parse::<IpAddr>() {
                Ok(ip) => {
                    client = canonical(ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
                // Something a proxy would not write: stop at the last hop we could read.
                Err(_) => break,
            }
        }
        client
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.5`, from dual-stack sockets) as the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client's address for a request, when the server runs with connection info.
pub fn client_ip(parts: &Parts, trusted: &TrustedProxies) -> Option<IpAddr> {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())?;
    Some(trusted.client_of(peer, &parts.headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_first_untrusted_hop_from_the_right() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8", "192.0.2.1"]).unwrap();
        // No proxy in front: the peer, whatever the header says.
        assert_eq!(
            trusted.client_of(ip("198.51.100.9"), &headers(&["203.0.113.7"])),
            ip("198.51.100.9")
        );
        // Through our proxy: what it forwarded.
        assert_eq!(
            trusted.client_of(ip("10.1.2.3"), &headers(&["203.0.113.7"])),
            ip("203.0.113.7")
        );
        // Through two of ours; a value the client made up on the left is not believed.
        assert_eq!(
            trusted.client_of(
                ip("10.1.2.3"),
                &headers(&["1.2.3.4, 203.0.113.7", "192.0.2.1"])
            ),
            ip("203.0.113.7")
        );
        // A proxy that forwarded nothing, or garbage: the proxy itself.
        assert_eq!(
            trusted.client_of(ip("10.1.2.3"), &headers(&[])),
            ip("10.1.2.3")
        );
        assert_eq!(
            trusted.client_of(ip("10.1.2.3"), &headers(&["not-an-ip"])),
            ip("10.1.2.3")
        );
        // Dual-stack sockets see IPv4 peers as mapped IPv6.
        assert_eq!(
            trusted.client_of(ip("::ffff:10.1.2.3"), &headers(&["203.0.113.7"])),
            ip("203.0.113.7")
        );
        // Nobody trusted: the header is never read.
        assert_eq!(
            TrustedProxies::default().client_of(ip("10.1.2.3"), &headers(&["203.0.113.7"])),
            ip("10.1.2.3")
        );
        assert!(TrustedProxies::parse(&["10.0.0.0/33"]).is_err());
        assert!(TrustedProxies::parse(&["proxy.example"]).is_err());
    }
}
