//! Admitting a request for an answer against the caller's limits.

use sqlx::PgConnection;

use super::db::limits;
use crate::error::AppError;
use crate::model::limits::judge;

/// Checks the user's limits and counts this request, inside the transaction
/// that stores the question (so a refused request stores nothing). The user's
/// row stays locked until that transaction ends: concurrent requests from one
/// user, on any instance, are judged one after the other. At most
/// `max_in_flight` of a user's answers are written at once (the server's
/// `VIBEBOT_MAX_ANSWERS_PER_USER`). Returns the output tokens left today when
/// that is limited; the answer is capped to it.
pub async fn admit(
    tx: &mut PgConnection,
    user_id: &str,
    max_in_flight: u32,
) -> Result<Option<u64>, AppError> {
    let tokens_left = foresee(&mut *tx, user_id, max_in_flight).await?;
    limits::record_request(&mut *tx, user_id).await?;
    Ok(tokens_left)
}

/// What [`admit`] would answer now, counting nothing; outside a transaction
/// the user's row is locked for this one statement only. The early start of
/// an answer asks this, and the transaction that stores it still decides.
pub async fn foresee(
    conn: &mut PgConnection,
    user_id: &str,
    max_in_flight: u32,
) -> Result<Option<u64>, AppError> {
    let admission = limits::admission(&mut *conn, user_id).await?;
    if admission.answers_in_flight >= u64::from(max_in_flight) {
        return Err(AppError::RateLimited {
            message: too_many_in_flight(admission.answers_in_flight),
            retry_after_secs: 5,
        });
    }
    let limits = admission.limits;
    if limits.is_unlimited() {
        return Ok(None);
    }
    let used = limits::consumption(&mut *conn, user_id).await?;
    judge(&limits, &used).map_err(|refusal| AppError::RateLimited {
        message: refusal.message,
        retry_after_secs: refusal.retry_after_secs,
    })
}

fn too_many_in_flight(n: u64) -> String {
    let answers = if n == 1 { "answer" } else { "answers" };
    format!(
        "you have {n} {answers} being written, the most this server allows at once; \
         wait for one to finish or stop one"
    )
}
