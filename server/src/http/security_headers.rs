//! Security headers on every response: no MIME sniffing, no framing by other
//! sites, no referrer sent to them, HSTS when users reach us over HTTPS, and a
//! Content-Security-Policy. A page gets its policy from the shell (it carries
//! the page's script nonce); anything else (server functions, event streams,
//! files) gets one that lets nothing run or load.

use app::backend::csp;
use app::backend::AppState;
use axum::extract::{Request, State};
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Two years, the HSTS preload list's expectation.
const HSTS: &str = "max-age=63072000; includeSubDomains";

pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    default(headers, CONTENT_SECURITY_POLICY, csp::NOT_A_PAGE);
    default(headers, X_CONTENT_TYPE_OPTIONS, "nosniff");
    default(headers, X_FRAME_OPTIONS, "DENY");
    default(headers, REFERRER_POLICY, "same-origin");
    default(
        headers,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    default(
        headers,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    );
    if state.config.secure_cookies() {
        default(headers, STRICT_TRANSPORT_SECURITY, HSTS);
    }
    response
}

fn default(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers
        .entry(name)
        .or_insert(HeaderValue::from_static(value));
}
