//! Password hashing with bcrypt, always off the async worker threads and behind
//! a concurrency limit, so a burst of sign-ins cannot starve the rest of the server.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OnceCell, Semaphore};
use zeroize::Zeroizing;

use crate::error::AppError;

/// bcrypt cost, as the spec requires.
pub const BCRYPT_COST: u32 = 10;

/// How long a sign-in waits for a free hashing slot before "busy, retry".
const QUEUE_TIMEOUT: Duration = Duration::from_secs(15);

/// Runs bcrypt with at most one hash per CPU at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<OnceCell<String>>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::new(cpus)
    }
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: Arc::new(OnceCell::new()),
        }
    }

    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let _permit = self.permit().await?;
        hash_password(password.to_owned()).await
    }

    /// Verifies `password` against `hash` (`None`: against a dummy hash, at the
    /// same cost, and false: response time does not tell whether an email is
    /// registered), running `count` first, once a hashing slot is
    /// free: an attempt is counted (throttled) when it is about to cost a
    /// hash, so the attempts counted but not yet judged are at most one per
    /// CPU, never every one waiting in the queue. `count`'s refusal is
    /// returned without hashing.
    pub async fn verify_counted<T>(
        &self,
        password: &str,
        hash: Option<&str>,
        count: impl std::future::Future<Output = Result<T, AppError>>,
    ) -> Result<(T, bool), AppError> {
        let _permit = self.permit().await?;
        let counted = count.await?;
        let (against, real) = match hash {
            Some(hash) => (hash.to_owned(), true),
            None => (self.dummy().await?, false),
        };
        let matches = verify_password(password.to_owned(), against).await?;
        Ok((counted, matches && real))
    }

    async fn dummy(&self) -> Result<String, AppError> {
        Ok(self
            .dummy_hash
            .get_or_try_init(|| hash_password("vibebot-dummy-password".into()))
            .await?
            .clone())
    }

    async fn permit(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        match tokio::time::timeout(QUEUE_TIMEOUT, self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::Unavailable(
                "the server is busy signing people in; please try again in a few seconds".into(),
            )),
        }
    }
}

/// Hashes a password on a blocking thread (no concurrency limit: use [`PasswordHasher`]).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let password = Zeroizing::new(password);
    tokio::task::spawn_blocking(move || bcrypt::hash(password.as_bytes(), BCRYPT_COST))
        .await
        .map_err(|e| internal("hashing task failed", e))?
        .map_err(|e| internal("bcrypt hash failed", e))
}

/// Checks a password against a stored hash on a blocking thread.
pub async fn verify_password(password: String, hash: String) -> Result<bool, AppError> {
    let password = Zeroizing::new(password);
    tokio::task::spawn_blocking(move || bcrypt::verify(password.as_bytes(), &hash))
        .await
        .map_err(|e| internal("verify task failed", e))?
        .map_err(|e| internal("bcrypt verify failed", e))
}

fn internal(what: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{what}");
    AppError::Internal
}
