//! `usage_daily`: answers, tokens and cost per user, model and UTC day.

use chrono::NaiveDate;
use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::usage::{DayUsage, ModelUsage, Totals};
use crate::model::ApiKeyProvider;

/// A finished answer, as counted.
pub struct Answer<'a> {
    pub user_id: &'a str,
    pub provider: ApiKeyProvider,
    pub model: &'a str,
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub cost_usd: f64,
}

/// Adds one finished answer to today's row for its user and model.
#[instrument(skip_all)]
pub async fn record(db: impl PgExecutor<'_>, answer: &Answer<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO usage_daily AS u (user_id, day, model, provider, answers, input_tokens, output_tokens, cost_usd)
           VALUES ($1, (now() AT TIME ZONE 'UTC')::date, $2, $3, 1, $4, $5, $6)
           ON CONFLICT (user_id, day, model) DO UPDATE SET
               answers = u.answers + 1,
               input_tokens = u.input_tokens + EXCLUDED.input_tokens,
               output_tokens = u.output_tokens + EXCLUDED.output_tokens,
               cost_usd = u.cost_usd + EXCLUDED.cost_usd"#,
        answer.user_id,
        answer.model,
        answer.provider as ApiKeyProvider,
        i64::from(answer.input_tokens),
        i64::from(answer.output_tokens),
        answer.cost_usd
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Totals for `user_id` from `since` (inclusive, UTC day) on.
#[instrument(skip_all)]
pub async fn totals_since(
    db: impl PgExecutor<'_>,
    user_id: &str,
    since: NaiveDate,
) -> Result<Totals, sqlx::Error> {
    sqlx::query_as!(
        Totals,
        r#"SELECT coalesce(sum(answers), 0)::int8 AS "answers!",
                  coalesce(sum(input_tokens), 0)::int8 AS "input_tokens!",
                  coalesce(sum(output_tokens), 0)::int8 AS "output_tokens!",
                  coalesce(sum(cost_usd), 0)::float8 AS "cost_usd!"
           FROM usage_daily WHERE user_id = $1 AND day >= $2"#,
        user_id,
        since as NaiveDate
    )
    .fetch_one(db)
    .await
}

/// Per model since `since`, costliest first.
#[instrument(skip_all)]
pub async fn by_model_since(
    db: impl PgExecutor<'_>,
    user_id: &str,
    since: NaiveDate,
) -> Result<Vec<ModelUsage>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT model,
                  sum(answers)::int8 AS "answers!",
                  sum(input_tokens)::int8 AS "input_tokens!",
                  sum(output_tokens)::int8 AS "output_tokens!",
                  sum(cost_usd)::float8 AS "cost_usd!"
           FROM usage_daily WHERE user_id = $1 AND day >= $2
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
            totals: Totals {
                answers: r.answers,
                input_tokens: r.input_tokens,
                output_tokens: r.output_tokens,
                cost_usd: r.cost_usd,
            },
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
                  sum(cost_usd)::float8 AS "cost_usd!"
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
            totals: Totals {
                answers: r.answers,
                input_tokens: r.input_tokens,
                output_tokens: r.output_tokens,
                cost_usd: r.cost_usd,
            },
        })
        .collect())
}
