//! Password hashing with bcrypt, always off the async worker threads.

use crate::error::AppError;

/// bcrypt cost, as the spec requires.
pub const BCRYPT_COST: u32 = 10;

/// Hashes a password on a blocking thread.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let password = zeroize::Zeroizing::new(password);
    tokio::task::spawn_blocking(move || bcrypt::hash(password.as_bytes(), BCRYPT_COST))
        .await
        .map_err(|e| internal("hashing task failed", e))?
        .map_err(|e| internal("bcrypt hash failed", e))
}

/// Checks a password against a stored hash on a blocking thread.
pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    let password = zeroize::Zeroizing::new(password);
    tokio::task::spawn_blocking(move || bcrypt::verify(password.as_bytes(), &hash))
        .await
        .map_err(|e| internal("verify task failed", e))?
        .map_err(|e| internal("bcrypt verify failed", e))
}

fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{what}");
    AppError::Internal
}
