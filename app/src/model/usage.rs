//! Usage and cost as the Usage page shows them.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// Answers, tokens and cost over some period.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub answers: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    /// The cost of the answers whose model had a price.
    pub cost_usd: f64,
    /// Answers of models without a price: their cost is unknown, not in `cost_usd`.
    pub unpriced_answers: i64,
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

/// One user's spending, as the admin's usage view lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserUsage {
    pub user_id: String,
    pub email: String,
    pub name: Option<String>,
    pub totals: Totals,
}

/// Everyone's usage: this calendar month and the last 30 days (UTC), the
/// costliest users and every model over the last 30 days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminUsageReport {
    pub this_month: Totals,
    pub last_30_days: Totals,
    /// At most [`TOP_USERS`], costliest first.
    pub by_user: Vec<UserUsage>,
    pub by_model: Vec<ModelUsage>,
}

/// Users listed in the admin's usage view.
pub const TOP_USERS: i64 = 100;

/// The first day of `today`'s calendar month.
pub fn month_start(today: NaiveDate) -> NaiveDate {
    today.with_day(1).unwrap_or(today)
}

/// An inclusive range of UTC days, as the CSV export takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    /// The longest range one export covers.
    pub const MAX_DAYS: i64 = 366;

    /// The 30 days up to and including `today`, as the Usage page shows them.
    pub fn last_30_days(today: NaiveDate) -> Self {
        DayRange {
            from: today - Duration::days(29),
            to: today,
        }
    }

    /// Reads `from` and `to` (`YYYY-MM-DD`; missing or empty: `to` is today,
    /// `from` 29 days before `to`), with a message for the user if they make
    /// no sense.
    pub fn parse(from: Option<&str>, to: Option<&str>, today: NaiveDate) -> Result<Self, String> {
        let day = |name: &str, text: Option<&str>| -> Result<Option<NaiveDate>, String> {
            match text.map(str::trim).filter(|t| !t.is_empty()) {
                None => Ok(None),
                Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| format!("`{name}` must be a date like 2026-01-31")),
            }
        };
        let to = day("to", to)?.unwrap_or(today);
        let from = day("from", from)?.unwrap_or_else(|| DayRange::last_30_days(to).from);
        if from > to {
            return Err("`from` must not be after `to`".into());
        }
        if (to - from).num_days() + 1 > DayRange::MAX_DAYS {
            return Err(format!(
                "an export covers at most {} days; choose a shorter range",
                DayRange::MAX_DAYS
            ));
        }
        Ok(DayRange { from, to })
    }

    /// The download's file name, e.g. `vibebot-usage-2026-01-01-2026-01-31.csv`.
    pub fn file_name(&self) -> String {
        format!("vibebot-usage-{}-{}.csv", self.from, self.to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_range_defaults_to_the_last_30_days() {
        let today = date("2026-03-10");
        let range = DayRange::parse(None, Some(""), today).unwrap();
        assert_eq!(range, DayRange::last_30_days(today));
        assert_eq!(range.from, date("2026-02-09"));
        let to_only = DayRange::parse(None, Some("2026-01-31"), today).unwrap();
        assert_eq!(to_only.from, date("2026-01-02"));
        let from_only = DayRange::parse(Some("2026-03-01"), None, today).unwrap();
        assert_eq!((from_only.from, from_only.to), (date("2026-03-01"), today));
        assert_eq!(
            from_only.file_name(),
            "vibebot-usage-2026-03-01-2026-03-10.csv"
        );
    }

    #[test]
    fn a_range_refuses_bad_dates_reversed_ends_and_more_than_366_days() {
        let today = date("2026-03-10");
        for (from, to) in [
            ("2026-02-30", "2026-03-01"),
            ("yesterday", "2026-03-01"),
            ("2026-03-02", "2026-03-01"),
            ("2025-03-09", "2026-03-10"),
        ] {
            assert!(
                DayRange::parse(Some(from), Some(to), today).is_err(),
                "{from}..{to}"
            );
        }
        let longest = DayRange::parse(Some("2025-03-10"), Some("2026-03-10"), today).unwrap();
        assert_eq!((longest.to - longest.from).num_days() + 1, 366);
    }

    #[test]
    fn a_month_starts_on_its_first_day() {
        assert_eq!(month_start(date("2026-02-28")), date("2026-02-01"));
    }
}
