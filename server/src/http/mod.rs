//! The HTTP router: Leptos pages and server functions, health probes, middleware.

mod database_down;
mod error_status;
mod health;
mod message_events;
pub mod origin;
mod security_headers;
mod server_timing;
mod session_cache;
pub mod session_rows;
mod usage_csv;

use app::backend::auth::session::IDLE_LIFETIME;
use app::backend::AppState;
use app::{shell, App};
use axum::middleware;
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{CachingSessionStore, Expiry, SessionManagerLayer};

use session_rows::SessionRows;

/// The largest request body: a message of the longest allowed length
/// (100,000 characters) fits even as URL-encoded emoji; more is refused with 413.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// A response must start within this (event streams and downloads start at
/// once and then take as long as they need); later, 503.
const RESPONSE_HEAD_WITHIN: std::time::Duration = std::time::Duration::from_secs(60);

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "vibebot_session";

pub fn router(state: AppState) -> Router {
    let routes = routes();
    let context_state = state.clone();
    let shell_options = state.leptos_options.clone();
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route(
            "/api/messages/{id}/events",
            get(message_events::message_events),
        )
        .route("/api/usage.csv", get(usage_csv::mine))
        .route("/api/admin/usage.csv", get(usage_csv::everyone))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(shell_options.clone()),
        )
        .fallback_service(files_then_not_found(&state))
        .layer(session_layer(&state))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            database_down::refuse_while_down,
        ))
        .layer(middleware::from_fn(error_status::server_fn_error_status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            origin::same_origin_writes,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn(error_status::explain_too_large))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            RESPONSE_HEAD_WITHIN,
        ))
        .layer(CompressionLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security_headers::security_headers,
        ))
        .layer(middleware::from_fn(server_timing::server_timing))
        // Every 5xx gets a WARN line here; a fault of ours (a database error,
        // an "internal error") is also logged as an ERROR where it arises.
        // The database being unavailable (503) is not a fault of ours: an
        // outage must not log an ERROR per request (a load balancer polls
        // /readyz). A response too slow to start (503) is this WARN.
        .layer(
            TraceLayer::new_for_http()
                .on_failure(DefaultOnFailure::new().level(tracing::Level::WARN)),
        )
        .with_state(state)
}

/// The app's pages, found once per process. Finding them renders the app
/// with every resource held back by a process-wide switch (leptos_server's
/// `SuppressResourceLoad`): a page that another router of the same process
/// rendered at that moment waited for its data forever and answered 503
/// after a minute (leptos#4773). A server builds one router, tests one per
/// app, many at once.
fn routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The site's files (`/pkg/…`, the favicon), precompressed variants
/// preferred; anything else gets the app's own "not found" page. Files are
/// served here rather than by leptos_axum's `file_and_error_handler`, which
/// looks up response options through whichever reactive owner its thread
/// last ran and can take a page rendered at the same instant's headers (its
/// Content-Security-Policy: that page then cannot run its scripts).
fn files_then_not_found(state: &AppState) -> ServeDir<Router> {
    let not_found = Router::new()
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .with_state(state.clone());
    ServeDir::new(&*state.leptos_options.site_root)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(not_found)
}

/// Sessions are stored in PostgreSQL (see `session_rows`) and read from
/// memory (see `session_cache`).
fn session_layer(
    state: &AppState,
) -> SessionManagerLayer<CachingSessionStore<session_cache::SessionCache, SessionRows>> {
    let store = CachingSessionStore::new(
        session_cache::SessionCache::new(),
        SessionRows::new(&state.pool),
    );
    SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.secure_cookies())
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            IDLE_LIFETIME.num_seconds(),
        )))
}
