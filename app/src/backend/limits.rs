//! Admitting a request for an answer against the caller's limits.

use sqlx::{PgConnection, PgExecutor};

use super::db::limits;
use crate::error::AppError;
use crate::model::limits::{judge, Limits};

/// Checks the user's limits and counts this request, inside the transaction
/// that stores the question (so a refused request stores nothing). The user's
/// row stays locked until that transaction ends: concurrent requests from one
/// user, on any instance, are judged one after the other. Returns the output
/// tokens left today when that is limited; the answer is capped to it.
pub async fn admit(tx: &mut PgConnection, user_id: &str) -> Result<Option<u64>, AppError> {
    let limits = limits::effective_locked(&mut *tx, user_id).await?;
    let tokens_left = judge_usage(&mut *tx, user_id, &limits).await?;
    limits::record_request(&mut *tx, user_id).await?;
    Ok(tokens_left)
}

/// What [`admit`] would answer for these limits now, counting nothing: the
/// early start of an answer asks this, and the transaction that stores it
/// still decides. Reads nothing when the user has no limits.
pub async fn judge_usage(
    db: impl PgExecutor<'_>,
    user_id: &str,
    limits: &Limits,
) -> Result<Option<u64>, AppError> {
    if limits.is_unlimited() {
        return Ok(None);
    }
    let used = limits::consumption(db, user_id).await?;
    judge(limits, &used).map_err(|refusal| AppError::RateLimited {
        message: refusal.message,
        retry_after_secs: refusal.retry_after_secs,
    })
}

/// At most `max` of a user's answers are written at once (the server's
/// `VIBEBOT_MAX_ANSWERS_PER_USER`), counted on every instance.
pub fn check_in_flight(being_written: u64, max: u32) -> Result<(), AppError> {
    if being_written >= u64::from(max) {
        return Err(AppError::RateLimited {
            message: too_many_in_flight(being_written),
            retry_after_secs: 5,
        });
    }
    Ok(())
}

fn too_many_in_flight(n: u64) -> String {
    let answers = if n == 1 { "answer" } else { "answers" };
    format!(
        "you have {n} {answers} being written, the most this server allows at once; \
         wait for one to finish or stop one"
    )
}

/// Counts a search by `user_id` and refuses it past `per_minute` searches in
/// the current minute (on all instances together).
pub async fn admit_search(
    db: impl PgExecutor<'_>,
    user_id: &str,
    per_minute: u32,
) -> Result<(), AppError> {
    let (count, seconds_left) =
        super::db::rate_counts::count(db, &format!("search:{user_id}")).await?;
    if i64::from(count) > i64::from(per_minute) {
        return Err(AppError::RateLimited {
            message: format!(
                "you have searched {per_minute} times this minute, the most this server allows; \
                 try again in {seconds_left} seconds"
            ),
            retry_after_secs: seconds_left.max(1) as u64,
        });
    }
    Ok(())
}
