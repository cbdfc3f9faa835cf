//! Usage and cost: the signed-in user's own, and everyone's for admins.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::usage::{AdminUsageReport, UsageReport};

/// This month, the last 30 days, per model and per day (UTC).
#[server(endpoint = "usage/mine")]
pub async fn my_usage() -> Result<UsageReport, AppError> {
    use chrono::{Duration, Utc};

    use crate::backend::db::usage;
    use crate::model::usage::{month_start, DayRange, DayUsage, Totals};

    let (state, _, account) = crate::backend::auth::require_account().await?;
    let today = Utc::now().date_naive();
    let since = DayRange::last_30_days(today).from;
    let me = Some(account.id.as_str());
    let this_month = usage::totals_since(&state.pool, me, month_start(today)).await?;
    let last_30_days = usage::totals_since(&state.pool, me, since).await?;
    let by_model = usage::by_model_since(&state.pool, me, since).await?;
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

/// Every user's usage: this month and the last 30 days (UTC), the costliest
/// users and every model over the last 30 days. ADMIN only.
#[server(endpoint = "admin/usage")]
pub async fn admin_usage() -> Result<AdminUsageReport, AppError> {
    use chrono::Utc;

    use crate::backend::db::usage;
    use crate::model::usage::{month_start, DayRange, TOP_USERS};

    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let today = Utc::now().date_naive();
    let since = DayRange::last_30_days(today).from;
    Ok(AdminUsageReport {
        this_month: usage::totals_since(&state.pool, None, month_start(today)).await?,
        last_30_days: usage::totals_since(&state.pool, None, since).await?,
        by_user: usage::top_users_since(&state.pool, since, TOP_USERS).await?,
        by_model: usage::by_model_since(&state.pool, None, since).await?,
    })
}
