//! What a database error means to the caller: a conflict by constraint name,
//! a rule of the input, the database down or busy, or an internal error,
//! logged once with where it arose.

use crate::backend::db::health::{means_down, DATABASE_UNAVAILABLE};
use crate::error::AppError;

impl From<sqlx::Error> for AppError {
    /// `?` on a query converts here; the log names the line of that `?`.
    #[track_caller]
    fn from(err: sqlx::Error) -> Self {
        let caller = std::panic::Location::caller();
        match &err {
            sqlx::Error::Database(db) if db.constraint() == Some("users_email_key") => {
                AppError::Conflict("an account with this email already exists".into())
            }
            sqlx::Error::Database(db) if db.constraint() == Some("templates_user_name_key") => {
                AppError::Conflict("you already have a template with this name".into())
            }
            // PostgreSQL text cannot hold NUL; it arrives as `%00` in a form.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => {
                AppError::Invalid("text cannot contain NUL characters".into())
            }
            e if means_down(e) => {
                tracing::warn!(error = %err, %caller, "database unavailable");
                AppError::Unavailable(DATABASE_UNAVAILABLE.into())
            }
            sqlx::Error::PoolTimedOut => {
                tracing::warn!(%caller, "database pool exhausted");
                AppError::Unavailable("the server is busy, please retry in a moment".into())
            }
            _ => {
                tracing::error!(error = %err, %caller, "database error");
                AppError::Internal
            }
        }
    }
}
