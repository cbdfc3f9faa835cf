//! `role_limits`, `user_limits` and `answer_requests`: the limits and what is
//! counted against them. Usage in tokens and dollars comes from `usage_daily`.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::limits::{Consumption, Limits};
use crate::model::UserRole;

/// A row's four limit columns as the database holds them.
pub(super) struct Row {
    pub(super) messages_per_minute: Option<i32>,
    pub(super) messages_per_day: Option<i32>,
    pub(super) output_tokens_per_day: Option<i64>,
    pub(super) monthly_spend_usd: Option<f64>,
}

impl From<Row> for Limits {
    fn from(r: Row) -> Self {
        Limits {
            messages_per_minute: r.messages_per_minute.map(|n| n as u32),
            messages_per_day: r.messages_per_day.map(|n| n as u32),
            output_tokens_per_day: r.output_tokens_per_day.map(|n| n as u64),
            monthly_spend_usd: r.monthly_spend_usd,
        }
    }
}

/// `Limits` as column values (validated limits fit).
fn columns(l: &Limits) -> (Option<i32>, Option<i32>, Option<i64>, Option<f64>) {
    (
        l.messages_per_minute.map(|n| n as i32),
        l.messages_per_day.map(|n| n as i32),
        l.output_tokens_per_day.map(|n| n as i64),
        l.monthly_spend_usd,
    )
}

/// A role's limits (none until an admin sets some).
#[instrument(skip_all)]
pub async fn for_role(db: impl PgExecutor<'_>, role: UserRole) -> Result<Limits, sqlx::Error> {
    let row = sqlx::query_as!(
        Row,
        "SELECT messages_per_minute, messages_per_day, output_tokens_per_day, monthly_spend_usd
         FROM role_limits WHERE role = $1",
        role as UserRole
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(Limits::from).unwrap_or_default())
}

#[instrument(skip_all)]
pub async fn set_for_role(
    db: impl PgExecutor<'_>,
    role: UserRole,
    limits: &Limits,
) -> Result<(), sqlx::Error> {
    let (per_minute, per_day, tokens, spend) = columns(limits);
    sqlx::query!(
        r#"INSERT INTO role_limits
               (role, messages_per_minute, messages_per_day, output_tokens_per_day,
                monthly_spend_usd)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (role) DO UPDATE SET
               messages_per_minute = EXCLUDED.messages_per_minute,
               messages_per_day = EXCLUDED.messages_per_day,
               output_tokens_per_day = EXCLUDED.output_tokens_per_day,
               monthly_spend_usd = EXCLUDED.monthly_spend_usd,
               updated_at = now()"#,
        role as UserRole,
        per_minute,
        per_day,
        tokens,
        spend
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A user's overrides (none: all `None`).
#[instrument(skip_all)]
pub async fn overrides(db: impl PgExecutor<'_>, user_id: &str) -> Result<Limits, sqlx::Error> {
    let row = sqlx::query_as!(
        Row,
        "SELECT messages_per_minute, messages_per_day, output_tokens_per_day, monthly_spend_usd
         FROM user_limits WHERE user_id = $1",
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(Limits::from).unwrap_or_default())
}

/// Sets a user's overrides; all `None` removes them.
#[instrument(skip_all)]
pub async fn set_overrides(
    db: impl PgExecutor<'_>,
    user_id: &str,
    limits: &Limits,
) -> Result<(), sqlx::Error> {
    if limits.is_unlimited() {
        sqlx::query!("DELETE FROM user_limits WHERE user_id = $1", user_id)
            .execute(db)
            .await?;
        return Ok(());
    }
    let (per_minute, per_day, tokens, spend) = columns(limits);
    sqlx::query!(
        r#"INSERT INTO user_limits
               (user_id, messages_per_minute, messages_per_day, output_tokens_per_day,
                monthly_spend_usd)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (user_id) DO UPDATE SET
               messages_per_minute = EXCLUDED.messages_per_minute,
               messages_per_day = EXCLUDED.messages_per_day,
               output_tokens_per_day = EXCLUDED.output_tokens_per_day,
               monthly_spend_usd = EXCLUDED.monthly_spend_usd,
               updated_at = now()"#,
        user_id,
        per_minute,
        per_day,
        tokens,
        spend
    )
    .execute(db)
    .await?;
    Ok(())
}

/// The limits in force for a user: their overrides over their role's.
#[instrument(skip_all)]
pub async fn effective(db: impl PgExecutor<'_>, user_id: &str) -> Result<Limits, sqlx::Error> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT coalesce(o.messages_per_minute, r.messages_per_minute) AS messages_per_minute,
                  coalesce(o.messages_per_day, r.messages_per_day) AS messages_per_day,
                  coalesce(o.output_tokens_per_day, r.output_tokens_per_day)
                      AS output_tokens_per_day,
                  coalesce(o.monthly_spend_usd, r.monthly_spend_usd) AS monthly_spend_usd
           FROM users u
           LEFT JOIN role_limits r ON r.role = u.role
           LEFT JOIN user_limits o ON o.user_id = u.id
           WHERE u.id = $1"#,
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(Limits::from).unwrap_or_default())
}

/// [`effective`], locking the user's row until the transaction ends:
/// concurrent requests of one user, on every server instance, are judged one
/// after the other. What is counted against the limits is read by later
/// statements, which see what a concurrent request committed while this one
/// waited for the lock (one statement sees the database as it began).
#[instrument(skip_all)]
pub async fn effective_locked(
    db: impl PgExecutor<'_>,
    user_id: &str,
) -> Result<Limits, sqlx::Error> {
    let row = sqlx::query_as!(
        Row,
        r#"SELECT coalesce(o.messages_per_minute, r.messages_per_minute) AS messages_per_minute,
                  coalesce(o.messages_per_day, r.messages_per_day) AS messages_per_day,
                  coalesce(o.output_tokens_per_day, r.output_tokens_per_day)
                      AS output_tokens_per_day,
                  coalesce(o.monthly_spend_usd, r.monthly_spend_usd) AS monthly_spend_usd
           FROM users u
           LEFT JOIN role_limits r ON r.role = u.role
           LEFT JOIN user_limits o ON o.user_id = u.id
           WHERE u.id = $1
           FOR NO KEY UPDATE OF u"#,
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(Limits::from).unwrap_or_default())
}

/// Counts one request for an answer.
#[instrument(skip_all)]
pub async fn record_request(db: impl PgExecutor<'_>, user_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("INSERT INTO answer_requests (user_id) VALUES ($1)", user_id)
        .execute(db)
        .await?;
    Ok(())
}

/// What the user has used, by the database's clock (one clock for every
/// instance). Days and months are UTC, as in `usage_daily`.
#[instrument(skip_all)]
pub async fn consumption(
    db: impl PgExecutor<'_>,
    user_id: &str,
) -> Result<Consumption, sqlx::Error> {
    let r = sqlx::query!(
        r#"WITH clock AS (
               SELECT now() AS now, date_trunc('day', now() AT TIME ZONE 'UTC') AS today
           ), recent AS (
               SELECT requested_at FROM answer_requests, clock
               WHERE user_id = $1
                 AND requested_at >= least(clock.now - interval '1 minute',
                                           clock.today AT TIME ZONE 'UTC')
           )
           SELECT clock.now AS "now!: DateTime<Utc>",
                  (SELECT count(*) FROM recent
                   WHERE requested_at > clock.now - interval '1 minute') AS "last_minute!",
                  (SELECT min(requested_at) FROM recent
                   WHERE requested_at > clock.now - interval '1 minute')
                      AS "oldest_in_last_minute: DateTime<Utc>",
                  (SELECT count(*) FROM recent
                   WHERE requested_at >= clock.today AT TIME ZONE 'UTC') AS "today!",
                  (SELECT coalesce(sum(output_tokens), 0)::int8 FROM usage_daily
                   WHERE user_id = $1 AND day = clock.today::date) AS "output_tokens_today!",
                  (SELECT coalesce(sum(cost_usd), 0)::float8 FROM usage_daily
                   WHERE user_id = $1 AND day >= date_trunc('month', clock.today)::date)
                      AS "spend_this_month!"
           FROM clock"#,
        user_id
    )
    .fetch_one(db)
    .await?;
    Ok(Consumption {
        now: r.now,
        messages_last_minute: r.last_minute as u64,
        oldest_in_last_minute: r.oldest_in_last_minute,
        messages_today: r.today as u64,
        output_tokens_today: r.output_tokens_today.max(0) as u64,
        spend_this_month_usd: r.spend_this_month,
    })
}

/// Forgets requests older than two days (no limit looks further back).
#[instrument(skip_all)]
pub async fn prune_requests(db: impl PgExecutor<'_>) -> Result<u64, sqlx::Error> {
    let result =
        sqlx::query!("DELETE FROM answer_requests WHERE requested_at < now() - interval '2 days'")
            .execute(db)
            .await?;
    Ok(result.rows_affected())
}
