//! The signed-in user's own account: name, email, password, theme, deletion.
//! Guests may manage their own account too; it is content they cannot write.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Account, Theme};

/// Sets (or clears, when empty) the display name.
#[server(endpoint = "profile/name")]
pub async fn update_name(name: String) -> Result<Account, AppError> {
    use crate::backend::auth::require_account;
    use crate::backend::db::users;
    use crate::model::account::normalize_name;

    let (state, _, mut account) = require_account().await?;
    let name = normalize_name(Some(&name)).map_err(AppError::Invalid)?;
    users::update_name(&state.pool, &account.id, name.as_deref()).await?;
    account.name = name;
    Ok(account)
}

/// Chooses the colour theme, for every device the user signs in on.
#[server(endpoint = "profile/theme")]
pub async fn set_theme(theme: String) -> Result<Theme, AppError> {
    use crate::backend::auth::require_account;
    use crate::backend::{cookies, db::users};

    let (state, _, account) = require_account().await?;
    let theme = Theme::parse(&theme)
        .ok_or_else(|| AppError::Invalid("the theme is system, light or dark".into()))?;
    users::update_theme(&state.pool, &account.id, theme).await?;
    cookies::set_theme(theme, state.config.secure_cookies());
    Ok(theme)
}

/// Changes the sign-in email; needs the current password.
#[server(endpoint = "profile/email")]
pub async fn change_email(
    new_email: String,
    current_password: String,
) -> Result<Account, AppError> {
    use crate::backend::auth::require_account;
    use crate::backend::db::users;
    use crate::model::account::normalize_email;

    let (state, _, mut account) = require_account().await?;
    let email = normalize_email(&new_email).map_err(AppError::Invalid)?;
    ssr::confirm_password(&state, &account, &current_password).await?;
    users::update_email(&state.pool, &account.id, &email).await?;
    account.email = email;
    Ok(account)
}

/// Changes the password; every other session of this user ends.
#[server(endpoint = "profile/password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    use crate::backend::auth::{require_account, session};
    use crate::backend::db::users;
    use crate::model::account::validate_new_password;

    let (state, session, account) = require_account().await?;
    validate_new_password(&new_password).map_err(AppError::Invalid)?;
    ssr::confirm_password(&state, &account, &current_password).await?;
    let hash = state.passwords.hash(&new_password).await?;
    let epoch = users::update_password(&state.pool, &account.id, &hash).await?;
    session::refresh_epoch(&session, epoch).await?;
    tracing::info!(user_id = %account.id, "password changed; other sessions ended");
    Ok(())
}

/// Deletes the account and everything it owns; needs the current password.
#[server(endpoint = "profile/delete")]
pub async fn delete_account(current_password: String) -> Result<(), AppError> {
    use crate::backend::auth::{require_account, session};
    use crate::backend::db::users;

    let (state, session, account) = require_account().await?;
    ssr::confirm_password(&state, &account, &current_password).await?;
    // As on the admin page: the admins are locked while counted, so the last
    // two cannot both leave at once.
    let mut tx = state.pool.begin().await?;
    let admins = users::lock_admins(&mut tx).await?;
    if account.role == crate::model::UserRole::Admin && admins <= 1 {
        return Err(AppError::Conflict(
            "you are the last administrator; make someone else an administrator first".into(),
        ));
    }
    users::delete(&mut *tx, &account.id).await?;
    tx.commit().await?;
    session::sign_out(&session).await?;
    tracing::info!(user_id = %account.id, "account deleted");
    leptos_axum::redirect("/");
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::backend::auth::{client_address, throttle};
    use crate::backend::db::users;
    use crate::backend::AppState;
    use crate::error::AppError;
    use crate::model::Account;

    /// Checks the current password, throttled like sign-in.
    pub async fn confirm_password(
        state: &AppState,
        account: &Account,
        password: &str,
    ) -> Result<(), AppError> {
        let client = client_address(state).await;
        let credentials = users::find_credentials_by_id(&state.pool, &account.id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let (attempt, ok) = throttle::verify_password(
            state,
            &account.email,
            &client,
            password,
            Some(&credentials.password),
        )
        .await?;
        if !ok {
            // The attempt stays counted: a failure.
            return Err(AppError::Invalid(
                "the current password is incorrect".into(),
            ));
        }
        throttle::succeeded(&state.pool, attempt, None).await
    }
}
