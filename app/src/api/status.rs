//! The public status check: the server's version and whether its database answers.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::ServerStatus;

/// Reports the server's version and whether the database answers. Public.
#[server(endpoint = "status")]
pub async fn get_server_status() -> Result<ServerStatus, AppError> {
    use crate::backend::AppState;

    let state = AppState::from_context()?;
    let schema_version: Result<Option<i64>, sqlx::Error> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(&state.pool)
            .await;
    if let Err(e) = &schema_version {
        tracing::warn!(error = %e, "status check: database unreachable");
    }
    Ok(ServerStatus {
        version: env!("CARGO_PKG_VERSION").to_string(),
        database_ok: schema_version.is_ok(),
        schema_version: schema_version.ok().flatten(),
    })
}
