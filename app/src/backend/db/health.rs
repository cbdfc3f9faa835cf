//! Whether PostgreSQL answers, watched once a second over a connection of its
//! own (outside the pool, so a busy pool never reads as an outage). While it
//! is down, requests are refused at once with a clear message instead of each
//! waiting for a pool connection; the flag clears within a second of the
//! database coming back.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions, Connection, PgPool};

/// What users see while the database is down.
pub const DATABASE_UNAVAILABLE: &str =
    "the database is temporarily unavailable; try again in a moment";

const CHECK_EVERY: Duration = Duration::from_secs(1);
/// A check slower than this proves nothing either way (the database may be
/// busy): the state stays as it was.
const CHECK_WITHIN: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
pub struct DatabaseHealth {
    down: AtomicBool,
    /// When the database last answered again after being down; `None` if
    /// it has not been down since the watch began.
    back_since: Mutex<Option<Instant>>,
}

impl DatabaseHealth {
    /// Starts watching the database `pool` connects to; the watch ends when
    /// the returned value is dropped.
    pub fn watch(pool: &PgPool) -> Arc<Self> {
        let health = Arc::new(DatabaseHealth::default());
        tokio::spawn(watch(Arc::downgrade(&health), pool.clone()));
        health
    }

    /// True from the first failed check until the next good one.
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Relaxed)
    }

    /// True when the database has answered every check for at least `span`
    /// (or was never seen down).
    pub fn up_for(&self, span: Duration) -> bool {
        self.up_for_at(span, Instant::now())
    }

    /// Reads `down` under the lock [`Self::record`] writes both under, so a
    /// database that just came back is never seen as "never down".
    fn up_for_at(&self, span: Duration, now: Instant) -> bool {
        let back_since = self.back_since.lock().unwrap_or_else(|e| e.into_inner());
        if self.is_down() {
            return false;
        }
        match *back_since {
            None => true,
            Some(since) => now.saturating_duration_since(since) >= span,
        }
    }

    /// Records a check's verdict; true when it changed the state.
    fn record(&self, down: bool, at: Instant) -> bool {
        let mut back_since = self.back_since.lock().unwrap_or_else(|e| e.into_inner());
        let was_down = self.is_down();
        if was_down && !down {
            *back_since = Some(at);
        }
        self.down.store(down, Ordering::Relaxed);
        was_down != down
    }
}

/// Checks once a second until the state is dropped or the pool closed (then
/// its own connection closes too, so the database can be dropped).
async fn watch(health: Weak<DatabaseHealth>, pool: PgPool) {
    let options = (*pool.connect_options())
        .clone()
        .disable_statement_logging();
    let mut connection: Option<PgConnection> = None;
    let mut ticks = tokio::time::interval(CHECK_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let closed = pool.close_event();
    tokio::pin!(closed);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = &mut closed => break,
        }
        let Some(health) = health.upgrade() else {
            break;
        };
        let down = match check(&mut connection, &options).await {
            Some(down) => down,
            None => continue,
        };
        if health.record(down, Instant::now()) {
            if down {
                tracing::error!("PostgreSQL is not answering; refusing requests until it is back");
            } else {
                tracing::warn!("PostgreSQL answers again; serving requests");
            }
        }
    }
    if let Some(open) = connection {
        let _ = open.close().await;
    }
}

/// `Some(true)` when the database is down, `Some(false)` when it answered,
/// `None` when the check could not tell.
async fn check(connection: &mut Option<PgConnection>, options: &PgConnectOptions) -> Option<bool> {
    if let Some(open) = connection.as_mut() {
        match tokio::time::timeout(CHECK_WITHIN, open.ping()).await {
            Ok(Ok(())) => return Some(false),
            Ok(Err(_)) => *connection = None,
            Err(_) => return None,
        }
    }
    match tokio::time::timeout(CHECK_WITHIN, PgConnection::connect_with(options)).await {
        Ok(Ok(open)) => {
            *connection = Some(open);
            Some(false)
        }
        Ok(Err(e)) if means_down(&e) => Some(true),
        Ok(Err(e)) => {
            tracing::debug!(error = %e, "database check inconclusive");
            None
        }
        Err(_) => None,
    }
}

/// Refused or cut connections, and a server shutting down or starting up.
pub fn means_down(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolClosed => true,
        // admin_shutdown, crash_shutdown, cannot_connect_now.
        sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn up_for_a_span_only_once_answering_that_long_again() {
        let start = Instant::now();
        let s = Duration::from_secs(1);
        let health = DatabaseHealth::default();
        assert!(health.up_for_at(30 * s, start), "never seen down");
        assert!(health.record(true, start + s));
        assert!(!health.up_for_at(30 * s, start + 100 * s), "still down");
        assert!(health.record(false, start + 105 * s));
        assert!(!health.record(false, start + 106 * s), "no change");
        assert!(!health.up_for_at(30 * s, start + 134 * s));
        assert!(health.up_for_at(30 * s, start + 135 * s));
        health.record(true, start + 136 * s);
        health.record(false, start + 140 * s);
        assert!(!health.up_for_at(30 * s, start + 169 * s));
        assert!(health.up_for_at(30 * s, start + 170 * s));
    }
}
