//! Periodic clean-up: expired sessions and old sign-in failures.

use std::time::Duration;

use sqlx::PgPool;
use tower_sessions::ExpiredDeletion;

const EVERY: Duration = Duration::from_secs(3600);

/// Runs forever; spawn it.
pub async fn run(pool: PgPool) {
    let store = crate::http::session_store(&pool);
    let mut interval = tokio::time::interval(EVERY);
    loop {
        interval.tick().await;
        if let Err(e) = store.delete_expired().await {
            tracing::warn!(error = %e, "deleting expired sessions failed");
        }
        match app::backend::db::login_failures::purge_old(&pool).await {
            Ok(n) if n > 0 => tracing::debug!(deleted = n, "purged old sign-in failures"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "purging sign-in failures failed"),
        }
    }
}
