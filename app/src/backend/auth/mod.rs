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
pub const MUST_CHANGE_PASSWORD: &str = "choose a new password first (Profile → Password): \
     an administrator gave you a one-time password";

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

/// The client's address: the TCP peer, or, when the operator says a trusted
/// proxy sets it, the right-most `X-Forwarded-For` entry: the one the proxy
/// appended. Entries to its left came with the request and prove nothing.
pub async fn client_address(state: &AppState) -> String {
    if state.config.trust_proxy {
        if let Ok(headers) = leptos_axum::extract::<axum::http::HeaderMap>().await {
            if let Some(address) = forwarded_for(&headers) {
                return address.to_string();
            }
        }
    }
    match leptos_axum::extract::<axum::extract::ConnectInfo<std::net::SocketAddr>>().await {
        Ok(axum::extract::ConnectInfo(addr)) => addr.ip().to_canonical().to_string(),
        Err(_) => "unknown".into(),
    }
}

/// The last address in the last `X-Forwarded-For` header, if it is one.
pub fn forwarded_for(headers: &axum::http::HeaderMap) -> Option<std::net::IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?;
    let entry = last.to_str().ok()?.rsplit(',').next()?.trim();
    // `[2001:db8::1]:443` and `203.0.113.7:443` forms carry a port.
    entry
        .parse::<std::net::IpAddr>()
        .ok()
        .or_else(|| entry.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::forwarded_for;

    fn headers(values: &[&str]) -> axum::http::HeaderMap {
        let mut map = axum::http::HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", v.parse().unwrap());
        }
        map
    }

    #[test]
    fn the_proxys_own_entry_is_the_right_most() {
        let ip = |s: &str| Some(s.parse().unwrap());
        assert_eq!(forwarded_for(&headers(&["203.0.113.7"])), ip("203.0.113.7"));
        // A client that sends its own header cannot choose its address.
        assert_eq!(
            forwarded_for(&headers(&["1.2.3.4, 203.0.113.7"])),
            ip("203.0.113.7")
        );
        assert_eq!(
            forwarded_for(&headers(&["1.2.3.4", "203.0.113.7"])),
            ip("203.0.113.7")
        );
        assert_eq!(
            forwarded_for(&headers(&["[2001:db8::1]:443"])),
            ip("2001:db8::1")
        );
        assert_eq!(
            forwarded_for(&headers(&["::ffff:203.0.113.7"])),
            ip("203.0.113.7")
        );
        assert_eq!(
            forwarded_for(&headers(&["203.0.113.7, not-an-address"])),
            None
        );
        assert_eq!(forwarded_for(&headers(&[])), None);
    }
}
