//! `key_models` and `key_model_lists`: the chat models each key's provider
//! listed, and when it was asked.

use sqlx::{PgExecutor, PgPool};
use tracing::instrument;

/// One listed model.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Listed {
    pub id: String,
    pub name: Option<String>,
    pub context_window: Option<i32>,
}

/// Claims the key's list for asking again: true (and the time noted) when it
/// was never asked, or last asked more than `fresh_secs` ago (`retry_secs`
/// after a failure). Instances share the claim: one of them asks.
#[instrument(skip_all)]
pub async fn claim(
    db: impl PgExecutor<'_>,
    key_id: &str,
    fresh_secs: f64,
    retry_secs: f64,
) -> Result<bool, sqlx::Error> {
    let claimed = sqlx::query_scalar!(
        r#"INSERT INTO key_model_lists AS l (api_key_id, asked_at)
           SELECT id, now() FROM api_keys WHERE id = $1
           ON CONFLICT (api_key_id) DO UPDATE SET asked_at = now()
           WHERE l.asked_at < now() - make_interval(secs =>
                     CASE WHEN l.error IS NULL THEN $2::float8 ELSE $3::float8 END)
           RETURNING api_key_id"#,
        key_id,
        fresh_secs,
        retry_secs,
    )
    .fetch_optional(db)
    .await?;
    Ok(claimed.is_some())
}

/// Makes the key's list due to be asked again (its models stay until then).
#[instrument(skip_all)]
pub async fn make_due(db: impl PgExecutor<'_>, key_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE key_model_lists SET asked_at = '-infinity' WHERE api_key_id = $1",
        key_id
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Replaces the key's list with `models` (a key deleted meanwhile stores nothing).
#[instrument(skip_all)]
pub async fn store(pool: &PgPool, key_id: &str, models: &[Listed]) -> Result<(), sqlx::Error> {
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    let names: Vec<Option<&str>> = models.iter().map(|m| m.name.as_deref()).collect();
    let contexts: Vec<Option<i32>> = models.iter().map(|m| m.context_window).collect();
    let mut tx = pool.begin().await?;
    sqlx::query!("DELETE FROM key_models WHERE api_key_id = $1", key_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(
        r#"INSERT INTO key_models (api_key_id, model, display_name, context_window)
           SELECT k.id, m.model, m.display_name, m.context_window
           FROM api_keys k, unnest($2::text[], $3::text[], $4::int4[])
                AS m(model, display_name, context_window)
           WHERE k.id = $1
           ON CONFLICT DO NOTHING"#,
        key_id,
        &ids as &[&str],
        &names as &[Option<&str>],
        &contexts as &[Option<i32>],
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"INSERT INTO key_model_lists AS l (api_key_id, asked_at, listed_at)
           SELECT id, now(), now() FROM api_keys WHERE id = $1
           ON CONFLICT (api_key_id) DO UPDATE
               SET asked_at = now(), listed_at = now(), error = NULL"#,
        key_id,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Notes why the key's list could not be read; the last list stays.
#[instrument(skip_all)]
pub async fn store_error(
    db: impl PgExecutor<'_>,
    key_id: &str,
    error: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO key_model_lists AS l (api_key_id, asked_at, error)
           SELECT id, now(), $2 FROM api_keys WHERE id = $1
           ON CONFLICT (api_key_id) DO UPDATE SET asked_at = now(), error = EXCLUDED.error"#,
        key_id,
        error,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Every model any key lists, with the provider of a key that lists it
/// (the admin's view of what exists).
#[instrument(skip_all)]
pub async fn everything_listed(
    db: impl PgExecutor<'_>,
) -> Result<Vec<(String, crate::model::ApiKeyProvider)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT km.model AS "model!", min(k.provider::text) AS "provider!"
           FROM key_models km JOIN api_keys k ON k.id = km.api_key_id
           GROUP BY km.model ORDER BY km.model"#
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.model, crate::model::ApiKeyProvider::parse(&r.provider)?)))
        .collect())
}
