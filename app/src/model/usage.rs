//! Usage and cost as the Usage page shows them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Answers, tokens and cost over some period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub answers: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelUsage {
    pub model: String,
    pub totals: Totals,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayUsage {
    pub day: NaiveDate,
    pub totals: Totals,
}

/// One user's usage: this calendar month, the last 30 days (UTC), by model
/// (last 30 days) and by day (the 30 days, oldest first, empty days included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageReport {
    pub this_month: Totals,
    pub last_30_days: Totals,
    pub by_model: Vec<ModelUsage>,
    pub by_day: Vec<DayUsage>,
}
