//! `usage_daily`: answers, tokens and cost per user, model and UTC day.

use chrono::NaiveDate;
use futures::stream::BoxStream;
use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::usage::{DayRange, DayUsage, ModelUsage, Totals, UserUsage};
use crate::model::ApiKeyProvider;

/// The `Totals` in a query's row that has its five columns.
macro_rules! totals_of {
    ($row:expr) => {
        Totals {
            answers: $row.answers,
            input_tokens: $row.input_tokens,
            output_tokens: $row.output_tokens,
            cost_usd: $row.cost_usd,
            unpriced_answers: $row.unpriced_answers,
        }
    };
}

/// A finished answer, as counted.
pub struct Answer<'a> {
    pub user_id: &'a str,
    pub provider: ApiKeyProvider,
    pub model: &'a str,
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub cost_usd: f64,
    /// The model had a price; an answer without one is counted as unpriced.
    pub priced: bool,
}

/// Adds one finished answer to today's row for its user and model.
pub async fn record(db: impl PgExecutor<'_>, answer: &Answer<'_>) -> Result<(), sqlx::Error> {
    record_all(db, std::slice::from_ref(answer)).await
}

/// Adds finished answers to today's rows for their users and models, in one
/// statement (answers of one user and model are summed first: an upsert may
/// touch a row only once).
#[instrument(skip_all)]
pub async fn record_all(
    db: impl PgExecutor<'_>,
    answers: &[Answer<'_>],
) -> Result<(), sqlx::Error> {
    let users: Vec<&str> = answers.iter().map(|a| a.user_id).collect();
    let models: Vec<&str> = answers.iter().map(|a| a.model).collect();
    let providers: Vec<&str> = answers.iter().map(|a| a.provider.as_str()).collect();
    let inputs: Vec<i64> = answers.iter().map(|a| i64::from(a.input_tokens)).collect();
    let outputs: Vec<i64> = answers.iter().map(|a| i64::from(a.output_tokens)).collect();
    let costs: Vec<f64> = answers.iter().map(|a| a.cost_usd).collect();
    let priced: Vec<bool> = answers.iter().map(|a| a.priced).collect();
    sqlx::query!(
        r#"INSERT INTO usage_daily AS u (user_id, day, model, provider, answers, input_tokens,
                                         output_tokens, cost_usd, unpriced_answers)
           SELECT a.user_id, (now() AT TIME ZONE 'UTC')::date, a.model,
                  min(a.provider)::api_key_provider,
                  count(*), sum(a.input_tokens), sum(a.output_tokens), sum(a.cost_usd),
                  count(*) FILTER (WHERE NOT a.priced)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[],
                       $6::float8[], $7::bool[])
                AS a(user_id, model, provider, input_tokens, output_tokens, cost_usd, priced)
           GROUP BY a.user_id, a.model
           ON CONFLICT (user_id, day, model) DO UPDATE SET
               answers = u.answers + EXCLUDED.answers,
               input_tokens = u.input_tokens + EXCLUDED.input_tokens,
               output_tokens = u.output_tokens + EXCLUDED.output_tokens,
               cost_usd = u.cost_usd + EXCLUDED.cost_usd,
               unpriced_answers = u.unpriced_answers + EXCLUDED.unpriced_answers"#,
        &users as &[&str],
        &models as &[&str],
        &providers as &[&str],
        &inputs,
        &outputs,
        &costs,
        &priced
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Totals for `user_id` (`None`: every user) from `since` (inclusive, UTC day) on.
#[instrument(skip_all)]
pub async fn totals_since(
    db: impl PgExecutor<'_>,
    user_id: Option<&str>,
    since: NaiveDate,
) -> Result<Totals, sqlx::Error> {
    sqlx::query_as!(
        Totals,
        r#"SELECT coalesce(sum(answers), 0)::int8 AS "answers!",
                  coalesce(sum(input_tokens), 0)::int8 AS "input_tokens!",
                  coalesce(sum(output_tokens), 0)::int8 AS "output_tokens!",
                  coalesce(sum(cost_usd), 0)::float8 AS "cost_usd!",
                  coalesce(sum(unpriced_answers), 0)::int8 AS "unpriced_answers!"
           FROM usage_daily WHERE ($1::text IS NULL OR user_id = $1) AND day >= $2"#,
        user_id,
        since as NaiveDate
    )
    .fetch_one(db)
    .await
}

/// Per model since `since` for `user_id` (`None`: every user), costliest first.
#[instrument(skip_all)]
pub async fn by_model_since(
    db: impl PgExecutor<'_>,
    user_id: Option<&str>,
    since: NaiveDate,
) -> Result<Vec<ModelUsage>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT model,
                  sum(answers)::int8 AS "answers!",
                  sum(input_tokens)::int8 AS "input_tokens!",
                  sum(output_tokens)::int8 AS "output_tokens!",
                  sum(cost_usd)::float8 AS "cost_usd!",
                  sum(unpriced_answers)::int8 AS "unpriced_answers!"
           FROM usage_daily WHERE ($1::text IS NULL OR user_id = $1) AND day >= $2
           GROUP BY model ORDER BY 5 DESC, model"#,
        user_id,
        since as NaiveDate
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ModelUsage {
            model: r.model,
            totals: totals_of!(r),
        })
        .collect())
}

/// Per day since `since`; days without answers are absent.
#[instrument(skip_all)]
pub async fn by_day_since(
    db: impl PgExecutor<'_>,
    user_id: &str,
    since: NaiveDate,
) -> Result<Vec<DayUsage>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT day AS "day: NaiveDate",
                  sum(answers)::int8 AS "answers!",
                  sum(input_tokens)::int8 AS "input_tokens!",
                  sum(output_tokens)::int8 AS "output_tokens!",
                  sum(cost_usd)::float8 AS "cost_usd!",
                  sum(unpriced_answers)::int8 AS "unpriced_answers!"
           FROM usage_daily WHERE user_id = $1 AND day >= $2
           GROUP BY day ORDER BY day"#,
        user_id,
        since as NaiveDate
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DayUsage {
            day: r.day,
            totals: totals_of!(r),
        })
        .collect())
}

/// The `limit` costliest users since `since`, with their totals.
#[instrument(skip_all)]
pub async fn top_users_since(
    db: impl PgExecutor<'_>,
    since: NaiveDate,
    limit: i64,
) -> Result<Vec<UserUsage>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT d.user_id AS "user_id!", u.email, u.name,
                  d.answers AS "answers!", d.input_tokens AS "input_tokens!",
                  d.output_tokens AS "output_tokens!", d.cost_usd AS "cost_usd!",
                  d.unpriced_answers AS "unpriced_answers!"
           FROM (
               SELECT user_id,
                      sum(answers)::int8 AS answers,
                      sum(input_tokens)::int8 AS input_tokens,
                      sum(output_tokens)::int8 AS output_tokens,
                      sum(cost_usd)::float8 AS cost_usd,
                      sum(unpriced_answers)::int8 AS unpriced_answers
               FROM usage_daily WHERE day >= $1
               GROUP BY user_id
               ORDER BY 5 DESC, user_id
               LIMIT $2
           ) d
           JOIN users u ON u.id = d.user_id
           ORDER BY d.cost_usd DESC, u.email"#,
        since as NaiveDate,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| UserUsage {
            user_id: r.user_id,
            email: r.email,
            name: r.name,
            totals: totals_of!(r),
        })
        .collect())
}

/// One stored row, as the CSV export writes it.
#[derive(Debug)]
pub struct ExportRow {
    pub day: NaiveDate,
    pub user_id: String,
    pub email: String,
    pub model: String,
    pub provider: ApiKeyProvider,
    pub answers: i32,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_usd: f64,
    pub unpriced_answers: i32,
}

/// Every row of `range` for `user_id` (`None`: every user), by day, email
/// and model. A stream, so that a year of every user's rows is never held
/// in memory at once.
pub fn export<'e>(
    db: impl PgExecutor<'e> + 'e,
    user_id: Option<&str>,
    range: DayRange,
) -> BoxStream<'e, Result<ExportRow, sqlx::Error>> {
    sqlx::query_as!(
        ExportRow,
        r#"SELECT d.day AS "day: NaiveDate", d.user_id, u.email, d.model,
                  d.provider AS "provider: ApiKeyProvider",
                  d.answers, d.input_tokens, d.output_tokens, d.cost_usd, d.unpriced_answers
           FROM usage_daily d
           JOIN users u ON u.id = d.user_id
           WHERE ($1::text IS NULL OR d.user_id = $1) AND d.day BETWEEN $2 AND $3
           ORDER BY d.day, u.email, d.model"#,
        user_id,
        range.from as NaiveDate,
        range.to as NaiveDate
    )
    .fetch(db)
}
