//! What a session stores about its user, and how it starts and ends.
//!
//! Sessions live in PostgreSQL (tower-sessions), and each server instance
//! keeps the ones in use in memory. A session is valid while it exists in
//! PostgreSQL (checked with the account on every request), its user exists,
//! its epoch equals the user's `session_epoch` (bumped to end all sessions),
//! and it is younger than [`ABSOLUTE_LIFETIME`]. Idle expiry is the session
//! layer's (see the server's router).

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
/// An active session's idle deadline (stored, and the cookie's `Max-Age`) is
/// pushed back at most this often: one write per user per day, not one per
/// request.
const RENEW_EVERY: chrono::Duration = chrono::Duration::days(1);

#[derive(Debug, Serialize, Deserialize)]
struct SessionAuth {
    user_id: String,
    epoch: i32,
    signed_in_at: chrono::DateTime<chrono::Utc>,
    /// When the idle deadline was last pushed back; sessions from before
    /// this field count from their sign-in.
    #[serde(default)]
    renewed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl SessionAuth {
    fn renewal_due(&self, now: chrono::DateTime<chrono::Utc>) -> bool {
        now - self.renewed_at.unwrap_or(self.signed_in_at) >= RENEW_EVERY
    }
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
                renewed_at: None,
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

/// The account this session belongs to, if it is still valid. A session in
/// use is kept alive: once a day its idle deadline moves to [`IDLE_LIFETIME`]
/// from now (the session layer stores it and sends the cookie again).
pub async fn current_account(
    pool: &PgPool,
    session: &Session,
) -> Result<Option<Account>, AppError> {
    let Some(mut auth) = session
        .get::<SessionAuth>(AUTH_KEY)
        .await
        .map_err(store_error)?
    else {
        return Ok(None);
    };
    let now = chrono::Utc::now();
    if now - auth.signed_in_at > ABSOLUTE_LIFETIME {
        sign_out(session).await?;
        return Ok(None);
    }
    // The session layer may hold a session in memory that was ended on
    // another instance: the account is read only if it still exists.
    let Some(session_id) = session.id().map(|id| id.to_string()) else {
        return Ok(None);
    };
    match users::find_signed_in(pool, &auth.user_id, &session_id).await? {
        Some(row) if row.session_epoch == auth.epoch => {
            if auth.renewal_due(now) {
                auth.renewed_at = Some(now);
                session.insert(AUTH_KEY, auth).await.map_err(store_error)?;
            }
            Ok(Some(row.into_account()))
        }
        _ => {
            // The user is gone, ended all sessions or signed out of this one
            // elsewhere: this one is over too.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idle_deadline_is_renewed_once_a_day() {
        let signed_in_at = chrono::Utc::now() - chrono::Duration::days(3);
        let hours = chrono::Duration::hours;
        let mut auth = SessionAuth {
            user_id: "u".into(),
            epoch: 0,
            signed_in_at,
            renewed_at: None,
        };
        assert!(!auth.renewal_due(signed_in_at + hours(23)));
        assert!(auth.renewal_due(signed_in_at + hours(24)));
        auth.renewed_at = Some(signed_in_at + hours(30));
        assert!(!auth.renewal_due(signed_in_at + hours(53)));
        assert!(auth.renewal_due(signed_in_at + hours(54)));
    }

    #[test]
    fn sessions_stored_before_renewal_existed_still_read() {
        let old = serde_json::json!({
            "user_id": "u", "epoch": 2, "signed_in_at": "2026-11-01T10:00:00Z"
        });
        let auth: SessionAuth = serde_json::from_value(old).unwrap();
        assert_eq!(auth.renewed_at, None);
        assert!(auth.renewal_due(auth.signed_in_at + RENEW_EVERY));
    }
}
