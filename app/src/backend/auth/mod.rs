//! Who is calling: sessions, the signed-in account, role checks, sign-in throttling.
//!
//! Every server function starts with one of [`require_account`] or
//! [`require_writer`]; the UI hiding a button is never the only guard.

pub mod session;
pub mod throttle;

use tower_sessions::Session;

use super::AppState;
use crate::error::AppError;
use crate::model::Account;

/// The message guests get for any write.
pub const GUEST_READ_ONLY: &str = "guests have read-only access";

/// The request's session (the session layer puts it in the request).
pub async fn current_session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Internal
    })
}

/// The signed-in account, or `None`.
pub async fn optional_account() -> Result<(AppState, Session, Option<Account>), AppError> {
    let state = AppState::from_context()?;
    let session = current_session().await?;
    let account = session::current_account(&state.pool, &session).await?;
    Ok((state, session, account))
}

/// The signed-in account; `Unauthenticated` otherwise.
pub async fn require_account() -> Result<(AppState, Session, Account), AppError> {
    let (state, session, account) = optional_account().await?;
    let account = account.ok_or(AppError::Unauthenticated)?;
    Ok((state, session, account))
}

/// The message for writes before a one-time password is replaced.
pub const MUST_CHANGE_PASSWORD: &str =
    "choose a new password first (Profile → Password): an administrator gave you a one-time password";

/// A signed-in account that may change things: not a guest, and not still on
/// an administrator's one-time password.
pub async fn require_writer() -> Result<(AppState, Session, Account), AppError> {
    let (state, session, account) = require_account().await?;
    ensure_writer(&account)?;
    Ok((state, session, account))
}

/// A signed-in ADMIN; everyone else gets "forbidden".
pub async fn require_admin() -> Result<(AppState, Session, Account), AppError> {
    let (state, session, account) = require_account().await?;
    ensure_admin(&account)?;
    Ok((state, session, account))
}

/// [`require_writer`]'s rule, for handlers that found the account themselves.
pub fn ensure_writer(account: &Account) -> Result<(), AppError> {
    if account.is_read_only() {
        return Err(AppError::Forbidden(GUEST_READ_ONLY.into()));
    }
    if account.must_change_password {
        return Err(AppError::Forbidden(MUST_CHANGE_PASSWORD.into()));
    }
    Ok(())
}

/// [`require_admin`]'s rule, for handlers that found the account themselves.
pub fn ensure_admin(account: &Account) -> Result<(), AppError> {
    ensure_writer(account)?;
    if account.role != crate::model::UserRole::Admin {
        return Err(AppError::Forbidden(
            "only administrators can do this".into(),
        ));
    }
    Ok(())
}

/// The client's address: the TCP peer, or `X-Forwarded-For`'s first entry
/// when the operator says a trusted proxy sets it.
pub async fn client_address(state: &AppState) -> String {
    if state.config.trust_proxy {
        if let Ok(headers) = leptos_axum::extract::<axum::http::HeaderMap>().await {
            if let Some(first) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.split(',').next())
                .map(str::trim)
                .filter(|v| !v.is_empty())
            {
                return first.to_string();
            }
        }
    }
    match leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>().await {
        Ok(axum::extract::ConnectInfo(addr)) => addr.ip().to_string(),
        Err(_) => "unknown".into(),
    }
}
