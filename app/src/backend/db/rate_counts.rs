//! Requests per scope and minute (fixed windows), for rate limits.

use sqlx::PgExecutor;
use tracing::instrument;

/// Counts one request of `scope` in the current minute: how many there
/// were in it, this one included, and the seconds until the next minute.
#[instrument(skip_all)]
pub async fn count(db: impl PgExecutor<'_>, scope: &str) -> Result<(i32, i64), sqlx::Error> {
    let row = sqlx::query!(
        r#"INSERT INTO rate_counts AS r (scope, window_start, count)
           VALUES ($1, date_trunc('minute', now()), 1)
           ON CONFLICT (scope, window_start) DO UPDATE SET count = r.count + 1
           RETURNING count,
                     ceil(extract(epoch FROM
                          date_trunc('minute', now()) + interval '1 minute' - now()))::bigint
                         AS "seconds_left!""#,
        scope
    )
    .fetch_one(db)
    .await?;
    Ok((row.count, row.seconds_left))
}

/// Drops windows that ended (run periodically).
#[instrument(skip_all)]
pub async fn prune(db: impl PgExecutor<'_>) -> Result<u64, sqlx::Error> {
    let result =
        sqlx::query!("DELETE FROM rate_counts WHERE window_start < date_trunc('minute', now())")
            .execute(db)
            .await?;
    Ok(result.rows_affected())
}
