//! Whether PostgreSQL answers, watched once a second over a connection of its
//! own (outside the pool, so a busy pool never reads as an outage). While it
//! is down, requests are refused at once with a clear message instead of each
//! waiting for a pool connection; the flag clears within a second of the
//! database coming back.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

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
        if health.down.swap(down, Ordering::Relaxed) != down {
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
