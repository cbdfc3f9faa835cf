//! `vibebot serve`: open the database, migrate, and serve HTTP until SIGINT/SIGTERM.

use std::sync::Arc;

use anyhow::Context;
use app::backend::config::Config;
use app::backend::password::PasswordHasher;
use app::backend::providers::ProviderClient;
use app::backend::state::Shared;
use app::backend::AppState;
use axum::serve::ListenerExt;
use leptos::config::get_configuration;

use crate::{database, http, startup};

pub async fn run(config: Config) -> anyhow::Result<()> {
    let db = database::open(&config).await?;
    let outcome = serve_on(&config, &db).await;
    db.close().await;
    outcome
}

async fn serve_on(config: &Config, db: &database::Database) -> anyhow::Result<()> {
    let applied = database::migrate(&db.pool).await?;
    if applied > 0 {
        tracing::info!(applied, "applied pending migrations");
    }
    let state = app_state(config, db.pool.clone())?;
    let upgrade = crate::rotate::upgrade_legacy(&db.pool, &state.cipher)
        .await
        .context("re-encrypting stored API keys in the current format")?;
    if upgrade.upgraded > 0 {
        tracing::info!(
            keys = upgrade.upgraded,
            "re-encrypted stored API keys in the current format (bound to their row and base URL)"
        );
    }
    if upgrade.undecryptable > 0 {
        tracing::warn!(
            keys = upgrade.undecryptable,
            "stored API keys in the old format open with no master key given; \
             their owners must replace them"
        );
    }
    let listener = tokio::net::TcpListener::bind(config.site_addr)
        .await
        .with_context(|| format!("cannot listen on {} (LEPTOS_SITE_ADDR)", config.site_addr))?;
    tracing::info!("VibeBot listening on http://{}", listener.local_addr()?);
    let maintenance = tokio::spawn(crate::maintenance::run(
        db.pool.clone(),
        state.database.clone(),
        config.stale_answer_after,
    ));
    // Stream events (one token each) go out at once, not held back by
    // Nagle's algorithm until the client acknowledges the previous one.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    });
    let served = axum::serve(
        listener,
        http::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .context("HTTP server failed");
    maintenance.abort();
    served?;
    tracing::info!("shut down cleanly");
    Ok(())
}

/// Builds the shared state from the configuration and an open pool.
pub fn app_state(config: &Config, pool: sqlx::PgPool) -> anyhow::Result<AppState> {
    shared_state(config, pool).map(AppState::new)
}

/// What [`app_state`] shares, still open to changes (tests serve other files).
pub fn shared_state(config: &Config, pool: sqlx::PgPool) -> anyhow::Result<Shared> {
    let mut leptos_options = get_configuration(None)
        .context("reading the LEPTOS_* settings")?
        .leptos_options;
    leptos_options.site_addr = config.site_addr;
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "vibebot".into();
    }
    let config = Arc::new(config.clone());
    let database = app::backend::db::health::DatabaseHealth::watch(&pool);
    let providers = ProviderClient::new(config.clone());
    let answer_limits = app::backend::generation::AnswerLimits {
        max_bytes: config.max_answer_bytes,
        max_duration: config.max_answer_duration,
    };
    Ok(Shared {
        leptos_options,
        generations: app::backend::generation::Registry::new(
            pool.clone(),
            database.clone(),
            providers.clone(),
            answer_limits,
        ),
        database,
        pool,
        providers,
        config: config.clone(),
        cipher: Arc::new(startup::key_cipher(&config)?),
        passwords: PasswordHasher::default(),
        open_streams: app::backend::open_streams::OpenStreams::new(
            config.max_event_streams_per_user,
        ),
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing open requests");
}
