//! What a session stores about its user, and how it starts and ends.
//!
//! Sessions live in PostgreSQL (tower-sessions). A session is valid while its
//! user exists, its epoch equals the user's `session_epoch` (bumped to end all
//! sessions), and it is younger than [`ABSOLUTE_LIFETIME`]. Idle expiry is the
//! session layer's (see the server's router).

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tower_sessions::Session;

use crate::backend::db::users;
use crate::error::AppError;
use crate::model::Account;

const AUTH_KEY: &str = "auth";

/// A session ends this long after sign-in, however active.
pub const ABSOLUTE_LIFETIME: chrono::Duration = chrono::Duration::days(30);
/// A session ends after this long without requests.
pub const IDLE_LIFETIME: chrono::Duration = chrono::Duration::days(7);

#[derive(Debug, Serialize, Deserialize)]
struct SessionAuth {
    user_id: String,
    epoch: i32,
    signed_in_at: chrono::DateTime<chrono::Utc>,
}

/// Starts a signed-in session under a fresh id (no session fixation).
pub async fn sign_in(session: &Session, user_id: &str, epoch: i32) -> Result<(), AppError> {
    session.cycle_id().await.map_err(store_error)?;
    session
        .insert(
            AUTH_KEY,
            SessionAuth {
                user_id: user_id.to_owned(),
                epoch,
                signed_in_at: chrono::Utc::now(),
            },
        )
        .await
        .map_err(store_error)
}

/// Keeps this session valid after the user's epoch moved (password change).
pub async fn refresh_epoch(session: &Session, epoch: i32) -> Result<(), AppError> {
    let Some(mut auth) = session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .map_err(store_error)?
    else {
        return Err(AppError::Unauthenticated);
    };
    auth.epoch = epoch;
    session.cycle_id().await.map_err(store_error)?;
    session.insert(AUTH_KEY, auth).await.map_err(store_error)
}

/// Deletes the session from the store and clears the cookie.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(store_error)
}

/// The account this session belongs to, if it is still valid.
pub async fn current_account(
    pool: &PgPool,
    session: &Session,
) -> Result<Option<Account>, AppError> {
    let Some(auth) = session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .map_err(store_error)?
    else {
        return Ok(None);
    };
    if chrono::Utc::now() - auth.signed_in_at > ABSOLUTE_LIFETIME {
        sign_out(session).await?;
        return Ok(None);
    }
    match users::find_account(pool, &auth.user_id).await? {
        Some(row) if row.session_epoch == auth.epoch => Ok(Some(row.into_account())),
        _ => {
            // The user is gone or ended all sessions: this one is over too.
            sign_out(session).await?;
            Ok(None)
        }
    }
}

/// The session store is PostgreSQL: its backend failing means the database
/// is (for a moment) unavailable, not that the server is broken.
fn store_error(err: tower_sessions::session::Error) -> AppError {
    use tower_sessions::session::Error;
    use tower_sessions::session_store::Error as Store;
    match err {
        Error::Store(Store::Backend(e)) => {
            tracing::warn!(error = %e, "session store unavailable");
            AppError::Unavailable(crate::backend::db::health::DATABASE_UNAVAILABLE.into())
        }
        other => {
            tracing::error!(error = %other, "session store error");
            AppError::Internal
        }
    }
}
