//! While PostgreSQL is down, requests that need it are answered at once with
//! 503 and a clear message (JSON for `/api/`, a short page otherwise), instead
//! of each waiting for a pool connection that cannot come. Probes and static
//! files are still served; answers already streaming keep streaming.

use app::backend::db::health::DATABASE_UNAVAILABLE;
use app::backend::AppState;
use app::error::AppError;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What clients are told to wait before trying again.
const RETRY_AFTER_SECS: &str = "5";

pub async fn refuse_while_down(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    if !state.database.is_down() || needs_no_database(path) {
        return next.run(request).await;
    }
    let mut response = if path.starts_with("/api/") {
        AppError::Unavailable(DATABASE_UNAVAILABLE.into()).into_response()
    } else {
        let (parts, _) = request.into_parts();
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                // The site's stylesheet (files are served while the database
                // is down), nothing else.
                (header::CONTENT_SECURITY_POLICY, PAGE_POLICY),
            ],
            page(app::backend::cookies::theme(&parts)),
        )
            .into_response()
    };
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from_static(RETRY_AFTER_SECS),
    );
    response
}

const PAGE_POLICY: &str =
    "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Probes and files (`/pkg/…`, `/favicon.svg`): everything else reads the
/// session, at least.
fn needs_no_database(path: &str) -> bool {
    if path.starts_with("/api/") {
        return false;
    }
    matches!(path, "/healthz" | "/readyz")
        || path.starts_with("/pkg/")
        || path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
}

/// A short page in the app's own style and the user's theme, which reloads
/// itself until the database is back.
fn page(theme: app::model::Theme) -> String {
    let mut message = DATABASE_UNAVAILABLE.to_string();
    message[..1].make_ascii_uppercase();
    format!(
        "<!DOCTYPE html><html lang=\"en\" data-theme=\"{theme}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"{RETRY_AFTER_SECS}\">\
         <link rel=\"stylesheet\" href=\"/pkg/vibebot.css\">\
         <title>VibeBot: temporarily unavailable</title></head>\
         <body><main class=\"page page--centered\"><div class=\"brand\">\
         <span class=\"brand__mark\" aria-hidden=\"true\">◆</span><h1>VibeBot</h1></div>\
         <p class=\"home__lead\">{message}.</p><p>This page reloads by itself.</p>\
         </main></body></html>",
        theme = theme.as_str(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_and_files_need_no_database() {
        for path in ["/healthz", "/readyz", "/pkg/vibebot.wasm", "/favicon.svg"] {
            assert!(needs_no_database(path), "{path}");
        }
        for path in [
            "/",
            "/c/abc",
            "/api/chat/send",
            "/api/messages/x/events",
            "/api/usage.csv",
            "/settings/keys",
        ] {
            assert!(!needs_no_database(path), "{path}");
        }
    }
}
