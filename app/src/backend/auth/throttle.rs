//! Sign-in throttling: at most [`MAX_FAILURES`] failed sign-ins per account and
//! per client address within [`WINDOW_SECS`], counted in PostgreSQL so that the
//! limit holds across server instances.

use sqlx::PgPool;

use crate::backend::db::login_failures;
use crate::error::AppError;

pub const MAX_FAILURES: i64 = 5;
pub const WINDOW_SECS: i64 = 15 * 60;

/// The scopes one sign-in attempt counts against.
pub fn scopes(email: &str, client: &str) -> Vec<String> {
    vec![account_scope(email), format!("ip:{client}")]
}

pub fn account_scope(email: &str) -> String {
    format!("account:{email}")
}

/// Refuses the attempt while any scope is over the limit.
pub async fn check(pool: &PgPool, scopes: &[String]) -> Result<(), AppError> {
    match login_failures::seconds_until_allowed(pool, scopes, MAX_FAILURES, WINDOW_SECS).await? {
        None => Ok(()),
        Some(secs) => Err(AppError::RateLimited {
            message: format!("too many attempts, try again in {secs} seconds"),
            retry_after_secs: secs as u64,
        }),
    }
}

pub async fn record_failure(pool: &PgPool, scopes: &[String]) -> Result<(), AppError> {
    Ok(login_failures::record(pool, scopes).await?)
}

/// A successful sign-in forgives the account's earlier failures.
pub async fn record_success(pool: &PgPool, email: &str) -> Result<(), AppError> {
    Ok(login_failures::clear(pool, &account_scope(email)).await?)
}
