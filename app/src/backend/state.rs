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

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub cipher: Arc<KeyCipher>,
    pub passwords: PasswordHasher,
    pub providers: ProviderClient,
    pub generations: Registry,
    /// Whether PostgreSQL answers (requests are refused at once while not).
    pub database: Arc<DatabaseHealth>,
}

impl AppState {
    /// The state inside a server function (provided as Leptos context by the server).
    pub fn from_context() -> Result<Self, AppError> {
        use_context::<AppState>().ok_or_else(|| {
            tracing::error!("AppState missing from the server function context");
            AppError::Internal
        })
    }
}
