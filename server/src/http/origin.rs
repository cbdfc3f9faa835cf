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
        // request was sent to (a cross-site page cannot forge its own Origin).
        None => {
            let host = text(header::HOST).ok_or("no Host header")?;
            authority(&claimed).eq_ignore_ascii_case(host)
        }
    };
    if same {
        Ok(())
    } else {
        Err("foreign origin")
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
            &headers(&[("host", "chat.test"), ("referer", "https://chat.test/c/1")])
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
