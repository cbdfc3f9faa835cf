//! Sign-in attempts per scope (an account, a client address, an account from
//! one address, registrations from an address), for throttling, and the
//! addresses each account signed in from.

use sqlx::PgExecutor;
use tracing::instrument;

/// Holds, until the transaction ends, a lock on each scope: attempts on one
/// scope are counted one at a time. `scopes` must be sorted (no deadlock).
#[instrument(skip_all)]
pub async fn lock(db: impl PgExecutor<'_>, scopes: &[String]) -> Result<(), sqlx::Error> {
    debug_assert!(scopes.is_sorted());
    // `void` has no Rust type: counting the calls makes them all run.
    sqlx::query_scalar!(
        r#"SELECT count(pg_advisory_xact_lock(hashtextextended(scope, 7253))::text) AS "locked!"
           FROM unnest($1::text[]) AS scope"#,
        scopes
    )
    .fetch_one(db)
    .await?;
    Ok(())
}

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
        r#"SELECT ceil(extract(epoch FROM
                          max(failed_at + make_interval(secs => $3) - now())))::bigint
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

/// Records one attempt against each scope; the records' ids.
#[instrument(skip_all)]
pub async fn record(db: impl PgExecutor<'_>, scopes: &[String]) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar!(
        "INSERT INTO login_failures (scope) SELECT unnest($1::text[]) RETURNING id",
        scopes
    )
    .fetch_all(db)
    .await
}

/// Forgets attempts that turned out not to be failures.
#[instrument(skip_all)]
pub async fn forget(db: impl PgExecutor<'_>, ids: &[i64]) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM login_failures WHERE id = ANY($1)", ids)
        .execute(db)
        .await?;
    Ok(())
}

#[instrument(skip_all)]
pub async fn clear(db: impl PgExecutor<'_>, scopes: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM login_failures WHERE scope = ANY($1)", scopes)
        .execute(db)
        .await?;
    Ok(())
}

/// Whether the account with `email` signed in from `address` in the last `days`.
#[instrument(skip_all)]
pub async fn is_known_address(
    db: impl PgExecutor<'_>,
    email: &str,
    address: &str,
    days: i32,
) -> Result<bool, sqlx::Error> {
    let known = sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM known_sign_in_addresses k JOIN users u ON u.id = k.user_id
               WHERE u.email = $1 AND k.address = $2
                 AND k.last_signed_in_at > now() - make_interval(days => $3)
           ) AS "known!""#,
        email,
        address,
        days
    )
    .fetch_one(db)
    .await?;
    Ok(known)
}

/// Remembers that the account signed in from `address` now.
#[instrument(skip_all)]
pub async fn remember_address(
    db: impl PgExecutor<'_>,
    user_id: &str,
    address: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO known_sign_in_addresses (user_id, address) VALUES ($1, $2)
         ON CONFLICT (user_id, address) DO UPDATE SET last_signed_in_at = now()",
        user_id,
        address
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Drops failures older than a day and addresses not used for 90 days (run
/// periodically).
#[instrument(skip_all)]
pub async fn purge_old(db: impl PgExecutor<'_> + Copy) -> Result<u64, sqlx::Error> {
    let failures =
        sqlx::query!("DELETE FROM login_failures WHERE failed_at < now() - interval '1 day'")
            .execute(db)
            .await?;
    let addresses = sqlx::query!(
        "DELETE FROM known_sign_in_addresses WHERE last_signed_in_at < now() - interval '90 days'"
    )
    .execute(db)
    .await?;
    Ok(failures.rows_affected() + addresses.rows_affected())
}
