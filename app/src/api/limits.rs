//! Usage limits: the caller's own (read), and the admin's controls for role
//! defaults and per-user overrides. Form fields arrive as text so that the
//! server can say exactly what is wrong with a value.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::limits::{LimitStatus, RoleLimits, UserLimits};

/// My limits and what I have used of them.
#[server(endpoint = "limits/mine")]
pub async fn my_limits() -> Result<LimitStatus, AppError> {
    use crate::backend::db::limits;

    let (state, _, account) = crate::backend::auth::require_account().await?;
    Ok(LimitStatus {
        limits: limits::effective(&state.pool, &account.id).await?,
        used: limits::consumption(&state.pool, &account.id).await?,
    })
}

/// The default limits of the roles that can send (USER and ADMIN).
#[server(endpoint = "admin/limits")]
pub async fn admin_role_limits() -> Result<Vec<RoleLimits>, AppError> {
    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let mut all = Vec::new();
    for role in ssr::LIMITED_ROLES {
        all.push(RoleLimits {
            role,
            limits: crate::backend::db::limits::for_role(&state.pool, role).await?,
        });
    }
    Ok(all)
}

/// Sets a role's default limits; empty fields are "no limit".
#[server(endpoint = "admin/limits/role")]
pub async fn admin_set_role_limits(
    role: String,
    messages_per_minute: String,
    messages_per_day: String,
    output_tokens_per_day: String,
    monthly_spend_usd: String,
) -> Result<RoleLimits, AppError> {
    use crate::model::limits::Limits;
    use crate::model::UserRole;

    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let role = UserRole::parse(&role)
        .filter(|r| ssr::LIMITED_ROLES.contains(r))
        .ok_or_else(|| {
            AppError::Invalid("limits are set for USER or ADMIN (guests cannot send)".into())
        })?;
    let limits = Limits::parse(
        &messages_per_minute,
        &messages_per_day,
        &output_tokens_per_day,
        &monthly_spend_usd,
    )
    .map_err(AppError::Invalid)?;
    crate::backend::db::limits::set_for_role(&state.pool, role, &limits).await?;
    tracing::info!(role = role.as_str(), "role limits changed by an admin");
    Ok(RoleLimits { role, limits })
}

/// A user's overrides and the role limits they fall back on.
#[server(endpoint = "admin/limits/user")]
pub async fn admin_user_limits(user_id: String) -> Result<UserLimits, AppError> {
    let (state, _, _) = crate::backend::auth::require_admin().await?;
    ssr::user_limits(&state, &user_id).await
}

/// Sets a user's overrides; empty fields fall back on the role's limits.
#[server(endpoint = "admin/limits/user/set")]
pub async fn admin_set_user_limits(
    user_id: String,
    messages_per_minute: String,
    messages_per_day: String,
    output_tokens_per_day: String,
    monthly_spend_usd: String,
) -> Result<UserLimits, AppError> {
    use crate::model::limits::Limits;

    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let overrides = Limits::parse(
        &messages_per_minute,
        &messages_per_day,
        &output_tokens_per_day,
        &monthly_spend_usd,
    )
    .map_err(AppError::Invalid)?;
    // Read first: an unknown user is a 404, not a foreign-key error.
    let current = ssr::user_limits(&state, &user_id).await?;
    crate::backend::db::limits::set_overrides(&state.pool, &user_id, &overrides).await?;
    tracing::info!(user_id = %user_id, "user limits changed by an admin");
    Ok(UserLimits {
        overrides,
        ..current
    })
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::backend::db::{limits, users};
    use crate::backend::AppState;
    use crate::error::AppError;
    use crate::model::limits::UserLimits;
    use crate::model::UserRole;

    /// Guests cannot send, so they have no limits to set.
    pub const LIMITED_ROLES: [UserRole; 2] = [UserRole::User, UserRole::Admin];

    pub async fn user_limits(state: &AppState, user_id: &str) -> Result<UserLimits, AppError> {
        let user = users::admin_find(&state.pool, user_id)
            .await?
            .ok_or_else(|| AppError::NotFound("user".into()))?;
        Ok(UserLimits {
            user_id: user.id,
            role: user.role,
            overrides: limits::overrides(&state.pool, user_id).await?,
            role_limits: limits::for_role(&state.pool, user.role).await?,
        })
    }
}
