//! Periodic clean-up: expired sessions, old sign-in failures and old
//! requests counted for the message limits.

use std::time::{Duration, Instant};

use sqlx::PgPool;
use tower_sessions::ExpiredDeletion;

const EVERY: Duration = Duration::from_secs(3600);

/// Runs forever; spawn it. `stale_after`: see `Config::stale_answer_after`.
pub async fn run(pool: PgPool, stale_after: Duration) {
    tokio::join!(hourly(pool.clone()), watchdog(pool, stale_after));
}

/// Answers left `streaming` by a server that died get status `error: interrupted`,
/// keeping their last flushed text. Looks three times per `stale_after`, at
/// most every 10 s, so no answer stays orphaned much longer than that.
/// After the database was unreachable it judges nothing until the database
/// has answered for `stale_after` again: answers written all along (kept in
/// their writer's memory) must first have had the time to be saved.
async fn watchdog(pool: PgPool, stale_after: Duration) {
    let mut interval = tokio::time::interval((stale_after / 3).min(Duration::from_secs(10)));
    let mut reachable = Reachable::new(stale_after);
    loop {
        interval.tick().await;
        let looked = if reachable.long_enough(Instant::now()) {
            app::backend::db::messages::interrupt_stale(&pool, stale_after.as_secs_f64()).await
        } else {
            sqlx::query("SELECT 1").execute(&pool).await.map(|_| 0)
        };
        match looked {
            Ok(n) => {
                reachable.answered(Instant::now());
                if n > 0 {
                    tracing::warn!(
                        answers = n,
                        "marked answers of a stopped server as interrupted"
                    );
                }
            }
            Err(e) => {
                reachable.failed();
                tracing::warn!(error = %e, "interrupted-answer watchdog failed");
            }
        }
    }
}

/// Whether the database has answered for at least a span without failing.
struct Reachable {
    span: Duration,
    answering: Answering,
}

enum Answering {
    /// No failure seen since the server started.
    Always,
    Since(Instant),
    Not,
}

impl Reachable {
    fn new(span: Duration) -> Self {
        Reachable {
            span,
            answering: Answering::Always,
        }
    }

    fn failed(&mut self) {
        self.answering = Answering::Not;
    }

    fn answered(&mut self, at: Instant) {
        if let Answering::Not = self.answering {
            self.answering = Answering::Since(at);
        }
    }

    fn long_enough(&self, now: Instant) -> bool {
        match self.answering {
            Answering::Always => true,
            Answering::Since(since) => now.duration_since(since) >= self.span,
            Answering::Not => false,
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
        match app::backend::db::limits::prune_requests(&pool).await {
            Ok(n) if n > 0 => tracing::debug!(deleted = n, "pruned old answer requests"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "pruning answer requests failed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judges_only_once_answering_for_the_whole_span_again() {
        let start = Instant::now();
        let s = Duration::from_secs(1);
        let mut reachable = Reachable::new(30 * s);
        assert!(reachable.long_enough(start), "no failure seen yet");
        reachable.failed();
        assert!(!reachable.long_enough(start + 100 * s), "still failing");
        reachable.answered(start + 105 * s);
        reachable.answered(start + 110 * s);
        assert!(!reachable.long_enough(start + 134 * s));
        assert!(reachable.long_enough(start + 135 * s));
        reachable.failed();
        reachable.answered(start + 140 * s);
        assert!(!reachable.long_enough(start + 169 * s));
        assert!(reachable.long_enough(start + 170 * s));
    }
}
