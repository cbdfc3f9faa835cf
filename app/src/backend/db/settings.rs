//! `app_settings`: what an admin changes while the server runs.

use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::admin::Registration;

const REGISTRATION: &str = "registration";

/// The registration mode an admin chose, or `default` (the environment's).
#[instrument(skip_all)]
pub async fn registration(
    db: impl PgExecutor<'_>,
    default: Registration,
) -> Result<Registration, sqlx::Error> {
    let stored = sqlx::query_scalar!(
        "SELECT value FROM app_settings WHERE key = $1",
        REGISTRATION
    )
    .fetch_optional(db)
    .await?;
    Ok(stored
        .as_deref()
        .and_then(Registration::parse)
        .unwrap_or(default))
}

#[instrument(skip_all)]
pub async fn set_registration(
    db: impl PgExecutor<'_>,
    mode: Registration,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO app_settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()",
        REGISTRATION,
        mode.as_str()
    )
    .execute(db)
    .await?;
    Ok(())
}
