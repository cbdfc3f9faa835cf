//! Usage limits: per role, with per-user overrides set by an admin. Checked
//! before a provider is called; counted in PostgreSQL so that they hold across
//! server instances. Days and months are UTC.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::number::{group_thousands, parse_optional};
use super::UserRole;

/// Limits on asking for answers; `None` is "no limit" (in a role's limits)
/// or "the role's limit" (in a user's overrides). Every answer asked for
/// counts as a message: send, regenerate, retry and edit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub messages_per_minute: Option<u32>,
    pub messages_per_day: Option<u32>,
    pub output_tokens_per_day: Option<u64>,
    pub monthly_spend_usd: Option<f64>,
}

/// The largest count limit accepted (a sanity bound, not a policy).
pub const MAX_COUNT_LIMIT: u64 = 1_000_000_000;

impl Limits {
    /// Limits as typed in a form (empty fields are `None`), validated.
    pub fn parse(
        messages_per_minute: &str,
        messages_per_day: &str,
        output_tokens_per_day: &str,
        monthly_spend_usd: &str,
    ) -> Result<Limits, String> {
        const WHOLE: &str = "a whole number (or empty)";
        let limits = Limits {
            messages_per_minute: parse_optional("messages per minute", messages_per_minute, WHOLE)?,
            messages_per_day: parse_optional("messages per day", messages_per_day, WHOLE)?,
            output_tokens_per_day: parse_optional(
                "output tokens per day",
                output_tokens_per_day,
                WHOLE,
            )?,
            monthly_spend_usd: parse_optional(
                "the monthly spending cap",
                monthly_spend_usd.trim().trim_start_matches('$'),
                "an amount in dollars (or empty)",
            )?,
        };
        limits.validate()?;
        Ok(limits)
    }

    /// These overrides on top of `defaults`.
    pub fn over(self, defaults: Limits) -> Limits {
        Limits {
            messages_per_minute: self.messages_per_minute.or(defaults.messages_per_minute),
            messages_per_day: self.messages_per_day.or(defaults.messages_per_day),
            output_tokens_per_day: self
                .output_tokens_per_day
                .or(defaults.output_tokens_per_day),
            monthly_spend_usd: self.monthly_spend_usd.or(defaults.monthly_spend_usd),
        }
    }

    pub fn is_unlimited(&self) -> bool {
        *self == Limits::default()
    }

    pub fn validate(&self) -> Result<(), String> {
        let counts = [
            self.messages_per_minute.map(u64::from),
            self.messages_per_day.map(u64::from),
            self.output_tokens_per_day,
        ];
        if counts.into_iter().flatten().any(|n| n > MAX_COUNT_LIMIT) {
            return Err(format!(
                "a limit is at most {}",
                group_thousands(MAX_COUNT_LIMIT)
            ));
        }
        if let Some(usd) = self.monthly_spend_usd {
            if !usd.is_finite() || !(0.0..=1_000_000.0).contains(&usd) {
                return Err("the monthly spending cap is between $0 and $1,000,000".into());
            }
        }
        Ok(())
    }
}

/// A role's default limits.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoleLimits {
    pub role: UserRole,
    pub limits: Limits,
}

/// One user's overrides, with the role's limits they fall back on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserLimits {
    pub user_id: String,
    pub role: UserRole,
    pub overrides: Limits,
    pub role_limits: Limits,
}

/// What has been used of the limits, as of `now` (the database's clock).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Consumption {
    pub now: DateTime<Utc>,
    pub messages_last_minute: u64,
    /// When the oldest message of the last minute was asked for.
    pub oldest_in_last_minute: Option<DateTime<Utc>>,
    pub messages_today: u64,
    pub output_tokens_today: u64,
    pub spend_this_month_usd: f64,
}

/// The caller's limits and what is used of them (the Usage page).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LimitStatus {
    pub limits: Limits,
    pub used: Consumption,
}

/// Why an answer was refused: which limit, and when it resets.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub message: String,
    pub retry_after_secs: u64,
}

/// Checks `used` against `limits`. `Ok` carries how many output tokens are
/// left today, when that is limited (the answer's length is capped to it).
pub fn judge(limits: &Limits, used: &Consumption) -> Result<Option<u64>, Refusal> {
    let now = used.now;
    let zero = [
        (limits.messages_per_minute == Some(0), "messages per minute"),
        (limits.messages_per_day == Some(0), "messages per day"),
        (
            limits.output_tokens_per_day == Some(0),
            "output tokens per day",
        ),
        (limits.monthly_spend_usd == Some(0.0), "dollars per month"),
    ];
    if let Some((_, what)) = zero.iter().find(|(is_zero, _)| *is_zero) {
        return Err(Refusal {
            message: format!(
                "an administrator has set your limit to 0 {what}, so you cannot ask for answers; \
                 ask them to raise it"
            ),
            retry_after_secs: 3600,
        });
    }
    if let Some(limit) = limits.messages_per_minute {
        if used.messages_last_minute >= u64::from(limit) {
            let free_at = used
                .oldest_in_last_minute
                .map_or(now + Duration::minutes(1), |t| t + Duration::minutes(1));
            let secs = seconds_until(now, free_at);
            return Err(Refusal {
                message: format!(
                    "you have reached your limit of {} per minute; try again in {}",
                    messages(limit),
                    in_words(secs)
                ),
                retry_after_secs: secs,
            });
        }
    }
    let midnight = next_midnight(now);
    if let Some(limit) = limits.messages_per_day {
        if used.messages_today >= u64::from(limit) {
            let secs = seconds_until(now, midnight);
            return Err(Refusal {
                message: format!(
                    "you have reached your limit of {} per day; it resets at midnight UTC, in {}",
                    messages(limit),
                    in_words(secs)
                ),
                retry_after_secs: secs,
            });
        }
    }
    let mut tokens_left = None;
    if let Some(limit) = limits.output_tokens_per_day {
        if used.output_tokens_today >= limit {
            let secs = seconds_until(now, midnight);
            return Err(Refusal {
                message: format!(
                    "you have used your {} output tokens for today; \
                     they reset at midnight UTC, in {}",
                    group_thousands(limit),
                    in_words(secs)
                ),
                retry_after_secs: secs,
            });
        }
        tokens_left = Some(limit - used.output_tokens_today);
    }
    if let Some(cap) = limits.monthly_spend_usd {
        if used.spend_this_month_usd >= cap {
            let next_month = next_month_start(now);
            let secs = seconds_until(now, next_month);
            return Err(Refusal {
                message: format!(
                    "you have reached your monthly spending cap of ${cap:.2}; \
                     it resets on {} (UTC), in {}",
                    next_month.format("%-d %B %Y"),
                    in_words(secs)
                ),
                retry_after_secs: secs,
            });
        }
    }
    Ok(tokens_left)
}

fn messages(n: u32) -> String {
    if n == 1 {
        "1 message".into()
    } else {
        format!("{} messages", group_thousands(u64::from(n)))
    }
}

fn seconds_until(now: DateTime<Utc>, at: DateTime<Utc>) -> u64 {
    // Rounded up, and at least a second: "try again in 0 seconds" would be wrong.
    let millis = (at - now).num_milliseconds().max(1) as u64;
    millis.div_ceil(1000)
}

fn next_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    (now.date_naive() + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

fn next_month_start(now: DateTime<Utc>) -> DateTime<Utc> {
    let (year, month) = match now.month() {
        12 => (now.year() + 1, 1),
        m => (now.year(), m + 1),
    };
    NaiveDate::from_ymd_opt(year, month, 1)
        .expect("the first of a month exists")
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

/// 42 → "42 seconds", 3720 → "1 h 2 min", 200000 → "2 days 7 h".
pub fn in_words(secs: u64) -> String {
    let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match secs {
        0..=119 => plural(secs, "second"),
        120..=3599 => plural(secs.div_ceil(60), "minute"),
        3600..=86_399 => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
        _ => {
            let hours = (secs % 86_400) / 3600;
            let days = plural(secs / 86_400, "day");
            if hours == 0 {
                days
            } else {
                format!("{days} {hours} h")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn used(now: DateTime<Utc>) -> Consumption {
        Consumption {
            now,
            messages_last_minute: 0,
            oldest_in_last_minute: None,
            messages_today: 0,
            output_tokens_today: 0,
            spend_this_month_usd: 0.0,
        }
    }

    #[test]
    fn limits_refuse_at_the_exact_boundary() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 30).unwrap();
        let limits = Limits {
            messages_per_minute: Some(2),
            ..Limits::default()
        };
        let mut u = used(now);
        u.messages_last_minute = 1;
        assert_eq!(judge(&limits, &u), Ok(None));
        u.messages_last_minute = 2;
        u.oldest_in_last_minute = Some(now - Duration::seconds(18));
        let refusal = judge(&limits, &u).unwrap_err();
        assert_eq!(refusal.retry_after_secs, 42);
        assert_eq!(
            refusal.message,
            "you have reached your limit of 2 messages per minute; try again in 42 seconds"
        );
    }

    #[test]
    fn daily_and_monthly_limits_say_when_they_reset() {
        let now = Utc.with_ymd_and_hms(2026, 12, 31, 21, 30, 0).unwrap();
        let mut u = used(now);
        u.messages_today = 100;
        u.output_tokens_today = 40_000;
        u.spend_this_month_usd = 5.0;
        let day = Limits {
            messages_per_day: Some(100),
            ..Limits::default()
        };
        let refusal = judge(&day, &u).unwrap_err();
        assert_eq!(refusal.retry_after_secs, 2 * 3600 + 1800);
        assert!(refusal.message.contains("100 messages per day"));
        assert!(refusal.message.contains("in 2 h 30 min"));
        let tokens = Limits {
            output_tokens_per_day: Some(50_000),
            ..Limits::default()
        };
        assert_eq!(judge(&tokens, &u), Ok(Some(10_000)));
        u.output_tokens_today = 50_000;
        assert!(judge(&tokens, &u)
            .unwrap_err()
            .message
            .contains("your 50,000 output tokens for today"));
        let spend = Limits {
            monthly_spend_usd: Some(5.0),
            ..Limits::default()
        };
        let refusal = judge(&spend, &u).unwrap_err();
        assert!(
            refusal.message.contains("cap of $5.00") && refusal.message.contains("1 January 2027"),
            "{}",
            refusal.message
        );
        assert_eq!(refusal.retry_after_secs, 2 * 3600 + 1800);
        u.spend_this_month_usd = 4.99;
        assert_eq!(judge(&spend, &u), Ok(None));
        let blocked = Limits {
            messages_per_day: Some(0),
            ..Limits::default()
        };
        assert!(judge(&blocked, &used(now))
            .unwrap_err()
            .message
            .contains("limit to 0 messages per day"));
    }

    #[test]
    fn overrides_fall_back_on_the_role() {
        let role = Limits {
            messages_per_minute: Some(10),
            monthly_spend_usd: Some(20.0),
            ..Limits::default()
        };
        let user = Limits {
            messages_per_minute: Some(2),
            messages_per_day: Some(50),
            ..Limits::default()
        };
        assert_eq!(
            user.over(role),
            Limits {
                messages_per_minute: Some(2),
                messages_per_day: Some(50),
                output_tokens_per_day: None,
                monthly_spend_usd: Some(20.0),
            }
        );
        assert!(Limits::default().is_unlimited());
        assert!(Limits {
            monthly_spend_usd: Some(f64::INFINITY),
            ..Limits::default()
        }
        .validate()
        .is_err());
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(in_words(1), "1 second");
        assert_eq!(in_words(59), "59 seconds");
        assert_eq!(in_words(150), "3 minutes");
        assert_eq!(in_words(3720), "1 h 2 min");
        assert_eq!(in_words(86_400), "1 day");
        assert_eq!(in_words(200_000), "2 days 7 h");
    }
}
