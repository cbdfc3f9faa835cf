//! Everything a request handler or server function needs, built once at start-up.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::use_context;
use sqlx::PgPool;

use super::config::Config;
use super::crypto::KeyCipher;
use super::db::health::DatabaseHealth;
use super::generation::Registry;
use super::password::PasswordHasher;
use super::providers::ProviderClient;
use crate::error::AppError;

/// Cloned for every request (by each middleware that reads it, and into the
/// server functions' context): one shared pointer, not a copy of each part.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares.
pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub cipher: Arc<KeyCipher>,
    pub passwords: PasswordHasher,
    pub providers: ProviderClient,
    pub generations: Registry,
    /// Whether PostgreSQL answers (requests are refused at once while not).
    pub database: Arc<DatabaseHealth>,
    /// Answer event streams open per user here (capped).
    pub open_streams: Arc<super::open_streams::OpenStreams>,
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }

    /// The state inside a server function (provided as Leptos context by the server).
    pub fn from_context() -> Result<Self, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            AppError::Internal
        })
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Leptos' page and file handlers read their options from the router's state.
impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
