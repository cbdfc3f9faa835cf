//! Failed sign-ins per scope (an account or a client address), for throttling.

use sqlx::PgExecutor;
use tracing::instrument;

/// Seconds until the busiest of `scopes` has fewer than `max_failures` failures
/// inside the window; `None` when none of them is over the limit.
#[instrument(skip_all)]
pub async fn seconds_until_allowed(
    db: impl PgExecutor<'_>,
    scopes: &[String],
    max_failures: i64,
    window_secs: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let wait = sqlx::query_scalar!(
        r#"SELECT ceil(extract(epoch FROM max(failed_at + make_interval(secs => $3) - now())))::bigint
           FROM (
               SELECT failed_at,
                      row_number() OVER (PARTITION BY scope ORDER BY failed_at DESC) AS rank
               FROM login_failures
               WHERE scope = ANY($1) AND failed_at > now() - make_interval(secs => $3)
           ) recent
           WHERE rank = $2"#,
        scopes,
        max_failures,
        window_secs as f64,
    )
    .fetch_one(db)
    .await?;
    Ok(wait.filter(|&secs| secs > 0))
}

#[instrument(skip_all)]
pub async fn record(db: impl PgExecutor<'_>, scopes: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_failures (scope) SELECT unnest($1::text[])",
        scopes
    )
    .execute(db)
    .await?;
    Ok(())
}

#[instrument(skip_all)]
pub async fn clear(db: impl PgExecutor<'_>, scope: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM login_failures WHERE scope = $1", scope)
        .execute(db)
        .await?;
    Ok(())
}

/// Drops failures older than a day (run periodically).
#[instrument(skip_all)]
pub async fn purge_old(db: impl PgExecutor<'_>) -> Result<u64, sqlx::Error> {
    let result =
        sqlx::query!("DELETE FROM login_failures WHERE failed_at < now() - interval '1 day'")
            .execute(db)
            .await?;
    Ok(result.rows_affected())
}
