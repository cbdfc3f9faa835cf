use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::ApiKeyProvider;

#[instrument(skip_all)]
pub async fn exists_named(
    db: impl PgExecutor<'_>,
    user_id: &str,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM api_keys WHERE user_id = $1 AND name = $2)",
        user_id,
        name,
    )
    .fetch_one(db)
    .await?;
    Ok(found.unwrap_or(false))
}

/// Stores an already encrypted key and returns its id.
#[instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    user_id: &str,
    provider: ApiKeyProvider,
    encrypted_key: &str,
    name: Option<&str>,
) -> Result<String, sqlx::Error> {
    let id = super::new_id();
    sqlx::query!(
        "INSERT INTO api_keys (id, user_id, provider, encrypted_key, name) VALUES ($1, $2, $3, $4, $5)",
        id,
        user_id,
        provider as ApiKeyProvider,
        encrypted_key,
        name,
    )
    .execute(db)
    .await?;
    Ok(id)
}

/// A stored key as the server sees it (still encrypted).
pub struct StoredKey {
    pub id: String,
    pub provider: ApiKeyProvider,
    pub encrypted_key: String,
    pub name: Option<String>,
}

#[instrument(skip_all)]
pub async fn list_for_user(
    db: impl PgExecutor<'_>,
    user_id: &str,
) -> Result<Vec<StoredKey>, sqlx::Error> {
    sqlx::query_as!(
        StoredKey,
        r#"SELECT id, provider AS "provider: ApiKeyProvider", encrypted_key, name
           FROM api_keys WHERE user_id = $1 ORDER BY created_at, id"#,
        user_id,
    )
    .fetch_all(db)
    .await
}
