//! Refuses state-changing requests from other sites, on top of SameSite cookies:
//! every non-GET request to a server function must carry an `Origin` (or
//! `Referer`) of this site.

use app::backend::config::Config;
use app::backend::AppState;
use app::error::AppError;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn same_origin_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe || !request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    match check(&state.config, request.headers()) {
        Ok(()) => next.run(request).await,
        Err(reason) => {
            tracing::warn!(path = %request.uri().path(), reason, "cross-site request refused");
            let error = AppError::Forbidden(format!("cross-site request refused: {reason}"));
            (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::to_string(&error).unwrap_or_default(),
            )
                .into_response()
        }
    }
}

/// Ok when the request says it comes from this site.
pub fn check(config: &Config, headers: &HeaderMap) -> Result<(), &'static str> {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let claimed = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(origin), _) => url::Url::parse(origin).ok(),
        (None, Some(referer)) => url::Url::parse(referer).ok(),
        (None, None) => return Err("no Origin or Referer header"),
    }
    .ok_or("unreadable Origin")?;
    if !matches!(claimed.scheme(), "http" | "https") {
        return Err("foreign origin");
    }
    let same = match &config.public_url {
        Some(public) => claimed.origin() == public.origin(),
        // Without a configured address, the page's origin must name the host the
        // request was sent to (a cross-site page cannot forge its own Origin),
        // and that host must be an address or a loopback name: a name an
        // attacker controls could be pointed at this server after the page
        // loaded (DNS rebinding), making their page "same origin".
        None => {
            let host = text(header::HOST).ok_or("no Host header")?;
            if !is_address_or_loopback(host) {
                return Err("a request to a host name without VIBEBOT_PUBLIC_URL \
                            (set it to the address users reach VibeBot at)");
            }
            authority(&claimed).eq_ignore_ascii_case(host)
        }
    };
    if same {
        Ok(())
    } else {
        Err("foreign origin")
    }
}

/// Whether a `Host` header names an IP address (as the listen address does)
/// or a loopback name (`localhost`, `*.localhost`), which DNS cannot rebind.
fn is_address_or_loopback(host: &str) -> bool {
    let Ok(url) = url::Url::parse(&format!("http://{host}/")) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => true,
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

fn authority(url: &url::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    fn config(public_url: Option<&str>) -> Config {
        let url = public_url.map(str::to_string);
        Config::from_lookup(|name| match name {
            "VIBEBOT_PUBLIC_URL" => url.clone(),
            _ => None,
        })
        .unwrap()
    }

    #[test]
    fn same_host_is_accepted_without_a_configured_address() {
        let c = config(None);
        assert!(check(
            &c,
            &headers(&[
                ("host", "127.0.0.1:3000"),
                ("origin", "http://127.0.0.1:3000")
            ])
        )
        .is_ok());
        assert!(check(
            &c,
            &headers(&[
                ("host", "localhost:3000"),
                ("referer", "http://localhost:3000/c/1")
            ])
        )
        .is_ok());
        assert!(check(
            &c,
            &headers(&[("host", "[::1]:3000"), ("origin", "http://[::1]:3000")])
        )
        .is_ok());
        assert!(check(
            &c,
            &headers(&[("host", "192.168.1.5"), ("origin", "http://192.168.1.5")])
        )
        .is_ok());
    }

    #[test]
    fn a_host_name_is_refused_without_a_configured_address() {
        // A page of evil.test whose name now points here (DNS rebinding) is
        // "same origin" with the request it sends.
        let c = config(None);
        let e = check(
            &c,
            &headers(&[
                ("host", "evil.test:3000"),
                ("origin", "http://evil.test:3000"),
            ]),
        )
        .unwrap_err();
        assert!(e.contains("VIBEBOT_PUBLIC_URL"), "{e}");
        assert!(check(
            &c,
            &headers(&[
                ("host", "app.localhost:3000"),
                ("origin", "http://app.localhost:3000")
            ])
        )
        .is_ok());
    }

    #[test]
    fn other_sites_and_missing_headers_are_refused() {
        let c = config(None);
        for h in [
            headers(&[("host", "chat.test"), ("origin", "https://evil.test")]),
            headers(&[("host", "chat.test"), ("origin", "null")]),
            headers(&[
                ("host", "chat.test"),
                ("origin", "http://chat.test.evil.test"),
            ]),
            headers(&[
                ("host", "chat.test:3000"),
                ("origin", "http://chat.test:3001"),
            ]),
            headers(&[("host", "chat.test")]),
        ] {
            assert!(check(&c, &h).is_err(), "{h:?}");
        }
    }

    #[test]
    fn configured_address_is_the_only_accepted_origin() {
        let c = config(Some("https://chat.example.com"));
        assert!(check(
            &c,
            &headers(&[
                ("host", "internal:3000"),
                ("origin", "https://chat.example.com")
            ])
        )
        .is_ok());
        assert!(check(
            &c,
            &headers(&[
                ("host", "internal:3000"),
                ("origin", "http://chat.example.com")
            ])
        )
        .is_err());
        assert!(check(
            &c,
            &headers(&[
                ("host", "internal:3000"),
                ("origin", "http://internal:3000")
            ])
        )
        .is_err());
    }
}
