//! Periodic clean-up: expired sessions and old sign-in failures.

use std::time::Duration;

use sqlx::PgPool;
use tower_sessions::ExpiredDeletion;

const EVERY: Duration = Duration::from_secs(3600);

/// An answer whose writer has not flushed for this long is marked interrupted.
const STALE_ANSWER_SECS: f64 = 30.0;
const WATCHDOG_EVERY: Duration = Duration::from_secs(10);

/// Runs forever; spawn it.
pub async fn run(pool: PgPool) {
    tokio::join!(hourly(pool.clone()), watchdog(pool));
}

/// Answers left `streaming` by a server that died get status `error: interrupted`,
/// keeping their last flushed text.
async fn watchdog(pool: PgPool) {
    let mut interval = tokio::time::interval(WATCHDOG_EVERY);
    loop {
        interval.tick().await;
        match app::backend::db::messages::interrupt_stale(&pool, STALE_ANSWER_SECS).await {
            Ok(n) if n > 0 => tracing::warn!(
                answers = n,
                "marked answers of a stopped server as interrupted"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "interrupted-answer watchdog failed"),
        }
    }
}

async fn hourly(pool: PgPool) {
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
