//! SSRF guard for user-supplied endpoints: by default, URLs that resolve to
//! loopback, private, link-local (cloud metadata) or otherwise internal
//! addresses are refused, at save time and again at every request (the HTTP
//! client resolves names through [`GuardedResolver`], so a DNS answer that
//! changes after saving cannot sneak through).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an endpoint is refused, in words for the user.
pub fn blocked_message(host: &str) -> String {
    format!(
        "{host} is on a private or internal network; this server does not allow such endpoints \
         (the operator can allow them with VIBEBOT_ALLOW_PRIVATE_ENDPOINTS=true)"
    )
}

/// Checks a user-supplied base URL's form, and its address when it is a literal IP.
pub fn check_url_form(text: &str, allow_private: bool) -> Result<url::Url, String> {
    let url = url::Url::parse(text.trim().trim_end_matches('/'))
        .map_err(|_| "enter a full URL such as https://openrouter.ai/api/v1".to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("only http:// and https:// URLs are allowed".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("put credentials in the key, not in the URL".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the URL cannot have a query or fragment".into());
    }
    let host = url.host().ok_or("the URL needs a host name")?;
    let literal = match host {
        url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        url::Host::Domain(_) => None,
    };
    if let Some(ip) = literal {
        if !allow_private && is_internal(ip) {
            return Err(blocked_message(&host.to_string()));
        }
    }
    Ok(url)
}

/// Resolves the URL's host now and refuses internal addresses.
pub async fn check_url_resolves(url: &url::Url, allow_private: bool) -> Result<(), String> {
    let host = url.host_str().ok_or("the URL needs a host name")?;
    let port = url.port_or_known_default().unwrap_or(443);
    let host_for_lookup = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host_for_lookup, port))
        .await
        .map_err(|_| format!("cannot resolve {host}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("cannot resolve {host}"));
    }
    if !allow_private && addrs.iter().any(|a| is_internal(a.ip())) {
        return Err(blocked_message(host));
    }
    Ok(())
}

/// A DNS resolver for the HTTP client that drops internal addresses.
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| !is_internal(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err(blocked_message(&host).into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Addresses a user's URL must not reach unless the operator allows it.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        // `::a.b.c.d` (IPv4-compatible) and `::ffff:a.b.c.d` (mapped) reach
        // the IPv4 address they hold.
        IpAddr::V6(v6) => match v6.to_ipv4() {
            Some(v4) => is_internal_v4(v4),
            None => is_internal_v6(v6),
        },
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16: cloud metadata services
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240 // reserved
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated, still routed by some)
        || (first == 0x2002 && is_internal_v4(six_to_four(ip))) // 6to4 carries an IPv4 address
        || (first == 0x64 && ip.segments()[1] == 0xff9b) // NAT64 can reach IPv4 internals
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
}

/// The IPv4 address a 6to4 address (`2002:AABB:CCDD::/48`) stands for.
fn six_to_four(ip: Ipv6Addr) -> Ipv4Addr {
    let [_, high, low, ..] = ip.segments();
    Ipv4Addr::from((u32::from(high) << 16) | u32::from(low))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_recognised() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "::10.0.0.1",
            "::169.254.169.254",
            "fec0::1",
            "feff::1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip} is internal");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "104.18.0.1",
            "2606:4700::1111",
            "::8.8.8.8",
            "2002:808:808::1",
        ] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[test]
    fn url_forms_are_checked() {
        assert!(check_url_form("https://openrouter.ai/api/v1/", false).is_ok());
        assert!(check_url_form("ftp://example.com", false)
            .unwrap_err()
            .contains("http"));
        assert!(check_url_form("https://user:pw@example.com", false).is_err());
        assert!(check_url_form("not a url", false).is_err());
        for blocked in [
            "http://127.0.0.1:11434/v1",
            "http://169.254.169.254",
            "http://10.0.0.1",
            "http://[::1]:8080",
        ] {
            let e = check_url_form(blocked, false).unwrap_err();
            assert!(e.contains("private or internal"), "{blocked}: {e}");
            assert!(
                check_url_form(blocked, true).is_ok(),
                "{blocked} allowed by the operator"
            );
        }
    }

    #[tokio::test]
    async fn names_resolving_to_loopback_are_refused_unless_allowed() {
        let url = url::Url::parse("http://localhost:11434/v1").unwrap();
        let e = check_url_resolves(&url, false).await.unwrap_err();
        assert!(e.contains("private or internal"), "{e}");
        assert!(check_url_resolves(&url, true).await.is_ok());
    }
}
