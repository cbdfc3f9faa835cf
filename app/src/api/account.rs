//! Signing up, in and out, and who is signed in.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::Account;

/// The signed-in account, or `None` for visitors.
#[server(endpoint = "account")]
pub async fn get_account() -> Result<Option<Account>, AppError> {
    let (_, _, account) = crate::backend::auth::optional_account().await?;
    Ok(account)
}

/// Creates an account (role USER) and signs it in, then goes to `next`.
#[server(endpoint = "register")]
pub async fn register(
    email: String,
    password: String,
    name: Option<String>,
    next: Option<String>,
) -> Result<Account, AppError> {
    use crate::backend::auth::{optional_account, session};
    use crate::backend::config::Registration;
    use crate::backend::db::users;
    use crate::model::account::{normalize_email, normalize_name, validate_new_password};
    use crate::model::UserRole;

    let (state, session, _) = optional_account().await?;
    let mode =
        crate::backend::db::settings::registration(&state.pool, state.config.registration).await?;
    if mode != Registration::Open {
        return Err(AppError::Forbidden(
            "registration is closed on this server; ask an administrator for an account".into(),
        ));
    }
    let email = normalize_email(&email).map_err(AppError::Invalid)?;
    validate_new_password(&password).map_err(AppError::Invalid)?;
    let name = normalize_name(name.as_deref()).map_err(AppError::Invalid)?;
    // Each registration costs a hash and tells whether an address is taken.
    let client = crate::backend::auth::client_address(&state).await;
    crate::backend::auth::throttle::begin_registration(
        &state.pool,
        &client,
        state.config.registrations_per_address.into(),
    )
    .await?;

    // Hash before looking at the email, so a taken address costs the same time.
    let password_hash = state.passwords.hash(&password).await?;
    let id = users::insert(
        &state.pool,
        users::NewUser {
            email: &email,
            password_hash: &password_hash,
            name: name.as_deref(),
            role: UserRole::User,
        },
    )
    .await?;
    session::sign_in(&session, &id, 0).await?;
    users::record_sign_in(&state.pool, &id).await?;
    crate::backend::auth::throttle::signed_up(&state.pool, &id, &client).await?;
    tracing::info!(user_id = %id, "account created");
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(Account {
        id,
        email,
        name,
        role: UserRole::User,
        theme: Default::default(),
        must_change_password: false,
    })
}

/// Signs in with email and password, then goes to `next`.
#[server(endpoint = "login")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<Account, AppError> {
    use crate::backend::auth::{client_address, optional_account, session, throttle};
    use crate::backend::db::users;
    use crate::model::account::normalize_email;

    let (state, session, _) = optional_account().await?;
    let email = normalize_email(&email).map_err(AppError::Invalid)?;
    let client = client_address(&state).await;
    let credentials = users::find_credentials_by_email(&state.pool, &email).await?;
    let stored = credentials.as_ref().map(|c| c.password.as_str());
    let (attempt, verified) =
        throttle::verify_password(&state, &email, &client, &password, stored).await?;
    let Some(credentials) = credentials.filter(|_| verified) else {
        // The attempt stays counted: a failure.
        return Err(AppError::BadCredentials);
    };
    if credentials.one_time_password_expired {
        return Err(AppError::Forbidden(
            "this one-time password has expired; ask an administrator to create your account again"
                .into(),
        ));
    }

    throttle::succeeded(&state.pool, attempt, Some(&credentials.id)).await?;
    session::sign_in(&session, &credentials.id, credentials.session_epoch).await?;
    let account = users::find_account(&state.pool, &credentials.id)
        .await?
        .ok_or(AppError::BadCredentials)?
        .into_account();
    users::record_sign_in(&state.pool, &account.id).await?;
    // The theme chosen on another device applies here from the next page on.
    crate::backend::cookies::set_theme(account.theme, state.config.secure_cookies());
    if account.must_change_password {
        leptos_axum::redirect("/settings/profile");
    } else {
        leptos_axum::redirect(&safe_next(next.as_deref()));
    }
    Ok(account)
}

/// Ends the session (deleted from the store) and goes to the front page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = crate::backend::auth::current_session().await?;
    crate::backend::auth::session::sign_out(&session).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Where to go after signing in: only paths on this site, never another origin.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/settings/profile?tab=1")),
            "/settings/profile?tab=1"
        );
        for bad in [
            "https://evil.test",
            "//evil.test",
            "/\\evil.test",
            "javascript:alert(1)",
            "",
            "/a\nb",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
