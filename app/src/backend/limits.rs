//! Admitting a request for an answer against the caller's limits.

use sqlx::PgConnection;

use super::db::limits;
use crate::error::AppError;
use crate::model::limits::judge;

/// Checks the user's limits and counts this request, inside the transaction
/// that stores the question (so a refused request stores nothing). The user's
/// row stays locked until that transaction ends: concurrent requests from one
/// user, on any instance, are judged one after the other. Returns the output
/// tokens left today when that is limited; the answer is capped to it.
pub async fn admit(tx: &mut PgConnection, user_id: &str) -> Result<Option<u64>, AppError> {
    let limits = limits::effective(&mut *tx, user_id).await?;
    let mut tokens_left = None;
    if !limits.is_unlimited() {
        let used = limits::consumption(&mut *tx, user_id).await?;
        tokens_left = judge(&limits, &used).map_err(|refusal| AppError::RateLimited {
            message: refusal.message,
            retry_after_secs: refusal.retry_after_secs,
        })?;
    }
    limits::record_request(&mut *tx, user_id).await?;
    Ok(tokens_left)
}
