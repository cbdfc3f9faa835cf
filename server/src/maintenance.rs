//! Periodic clean-up: expired sessions, old sign-in failures and old
//! requests counted for the message limits.

use std::sync::Arc;
use std::time::Duration;

use app::backend::db::health::DatabaseHealth;
use sqlx::PgPool;
use tower_sessions::ExpiredDeletion;

const EVERY: Duration = Duration::from_secs(3600);

/// Runs forever; spawn it. `stale_after`: see `Config::stale_answer_after`.
pub async fn run(pool: PgPool, database: Arc<DatabaseHealth>, stale_after: Duration) {
    tokio::join!(hourly(pool.clone()), watchdog(pool, database, stale_after));
}

/// Answers left `streaming` by a server that died get status `error: interrupted`,
/// keeping their last flushed text. Looks three times per `stale_after`, at
/// most every 10 s, so no answer stays orphaned much longer than that.
/// After the database was unreachable it judges nothing until the database
/// has answered for `stale_after` again: answers written all along (kept in
/// their writer's memory) must first have had the time to be saved.
async fn watchdog(pool: PgPool, database: Arc<DatabaseHealth>, stale_after: Duration) {
    let mut interval = tokio::time::interval((stale_after / 3).min(Duration::from_secs(10)));
    loop {
        interval.tick().await;
        if !database.up_for(stale_after) {
            continue;
        }
        match app::backend::db::messages::interrupt_stale(&pool, stale_after.as_secs_f64()).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                answers = n,
                "marked answers of a stopped server as interrupted"
            ),
            Err(e) => tracing::warn!(error = %e, "interrupted-answer watchdog failed"),
        }
    }
}

async fn hourly(pool: PgPool) {
    let store = crate::http::session_rows::SessionRows::new(&pool);
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
        match app::backend::db::rate_counts::prune(&pool).await {
            Ok(n) if n > 0 => tracing::debug!(deleted = n, "pruned old rate counts"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "pruning rate counts failed"),
        }
        match app::backend::db::limits::prune_requests(&pool).await {
            Ok(n) if n > 0 => tracing::debug!(deleted = n, "pruned old answer requests"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "pruning answer requests failed"),
        }
    }
}
