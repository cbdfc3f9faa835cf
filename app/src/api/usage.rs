//! The signed-in user's usage and cost.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::usage::UsageReport;

/// This month, the last 30 days, per model and per day (UTC).
#[server(endpoint = "usage/mine")]
pub async fn my_usage() -> Result<UsageReport, AppError> {
    use chrono::{Datelike, Duration, Utc};

    use crate::backend::db::usage;
    use crate::model::usage::{DayUsage, Totals};

    let (state, _, account) = crate::backend::auth::require_account().await?;
    let today = Utc::now().date_naive();
    let month_start = today.with_day(1).unwrap_or(today);
    let since = today - Duration::days(29);
    let this_month = usage::totals_since(&state.pool, &account.id, month_start).await?;
    let last_30_days = usage::totals_since(&state.pool, &account.id, since).await?;
    let by_model = usage::by_model_since(&state.pool, &account.id, since).await?;
    let stored = usage::by_day_since(&state.pool, &account.id, since).await?;
    // Every day of the 30, so the chart has a bar (or a gap) per day.
    let by_day = (0..30)
        .map(|i| {
            let day = since + Duration::days(i);
            let totals = stored
                .iter()
                .find(|d| d.day == day)
                .map(|d| d.totals.clone())
                .unwrap_or_else(Totals::default);
            DayUsage { day, totals }
        })
        .collect();
    Ok(UsageReport {
        this_month,
        last_30_days,
        by_model,
        by_day,
    })
}
