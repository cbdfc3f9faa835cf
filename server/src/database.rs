//! Connecting to PostgreSQL (given by `DATABASE_URL`, or the private cluster),
//! migrations and reset.

use std::str::FromStr;

use anyhow::Context;
use app::backend::config::Config;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};

use crate::embedded_pg::EmbeddedPostgres;

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// An open pool, plus the private cluster behind it if there is one.
pub struct Database {
    pub pool: PgPool,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// True for the private development cluster under the data folder.
    pub fn is_private(&self) -> bool {
        self.embedded.is_some()
    }

    /// Closes the pool, then stops the private cluster if we started it.
    pub async fn close(self) {
        self.pool.close().await;
        if let Some(pg) = self.embedded {
            pg.stop().await;
        }
    }
}

/// Opens the database named by the configuration.
pub async fn open(config: &Config) -> anyhow::Result<Database> {
    let (options, embedded) = match &config.database_url {
        Some(url) => {
            let options = PgConnectOptions::from_str(url.expose())
                .context("DATABASE_URL is not a valid PostgreSQL URL")?;
            (options, None)
        }
        None => {
            let pg = EmbeddedPostgres::start(&config.data_dir.join("postgres"))
                .await
                .context("DATABASE_URL is unset, so VibeBot runs its own PostgreSQL")?;
            (pg.connect_options(), Some(pg))
        }
    };
    let where_ = describe_target(&options);
    let pool = PgPoolOptions::new()
        .max_connections(config.pool.max_connections)
        .min_connections(config.pool.min_connections)
        .acquire_timeout(config.pool.acquire_timeout)
        .idle_timeout(config.pool.idle_timeout)
        // A round trip to check each connection before every use would double
        // the round trips of a busy server; check only those that sat idle
        // (after a quiet spell, or PostgreSQL restarting, is when they break).
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= CHECK_IDLE_AFTER {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
        .connect_with(options)
        .await
        .with_context(|| format!("cannot connect to PostgreSQL at {where_}"))?;
    tracing::info!(database = %where_, "connected to PostgreSQL");
    Ok(Database { pool, embedded })
}

/// A pooled connection idle this long is checked before it is used again.
const CHECK_IDLE_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// Applies pending migrations; returns how many were applied.
pub async fn migrate(pool: &PgPool) -> anyhow::Result<usize> {
    let before = applied_count(pool).await;
    MIGRATOR.run(pool).await.context("migration failed")?;
    Ok(applied_count(pool).await.saturating_sub(before))
}

/// Drops every table, type and function of the app, then migrates again.
pub async fn reset(pool: &PgPool) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("DROP SCHEMA public CASCADE")
        .execute(&mut *tx)
        .await?;
    sqlx::query("CREATE SCHEMA public")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    migrate(pool).await?;
    Ok(())
}

async fn applied_count(pool: &PgPool) -> usize {
    sqlx::query_scalar::<_, i64>("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(pool)
        .await
        .map(|n| n as usize)
        .unwrap_or(0)
}

/// Host, port and database, never the password.
fn describe_target(options: &PgConnectOptions) -> String {
    let database = options.get_database().unwrap_or("(default)");
    match options.get_socket() {
        Some(dir) => format!("unix socket in {}, database {database}", dir.display()),
        None => format!(
            "{}:{}, database {database}",
            options.get_host(),
            options.get_port()
        ),
    }
}
