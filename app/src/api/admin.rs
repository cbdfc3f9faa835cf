//! The admin panel: users (list, search, role, create with a one-time
//! password, delete) and the registration mode. ADMIN only, checked here.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::admin::{AdminUser, AdminUserPage, CreatedUser, Registration};

/// Users, newest first, optionally filtered by email or name.
#[server(endpoint = "admin/users")]
pub async fn admin_users(
    search: Option<String>,
    cursor: Option<String>,
) -> Result<AdminUserPage, AppError> {
    use crate::backend::db::conversations::{decode_cursor, encode_cursor};
    use crate::backend::db::users;
    use crate::model::admin::USER_PAGE_SIZE;

    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let search = search
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    if search.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(AppError::Invalid(
            "a search has at most 200 characters".into(),
        ));
    }
    let cursor = match cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(text) => Some(
            decode_cursor(text).ok_or_else(|| AppError::Invalid("invalid page cursor".into()))?,
        ),
        None => None,
    };
    let mut items = users::admin_page(
        &state.pool,
        search.as_deref(),
        cursor.as_ref(),
        USER_PAGE_SIZE + 1,
    )
    .await?;
    let next_cursor = if items.len() as i64 > USER_PAGE_SIZE {
        items.truncate(USER_PAGE_SIZE as usize);
        items.last().map(|u| encode_cursor(u.created_at, &u.id))
    } else {
        None
    };
    Ok(AdminUserPage { items, next_cursor })
}

/// Changes a user's role. The last ADMIN cannot be demoted.
#[server(endpoint = "admin/role")]
pub async fn admin_set_role(user_id: String, role: String) -> Result<AdminUser, AppError> {
    use crate::backend::db::users;
    use crate::model::UserRole;

    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let role = UserRole::parse(&role)
        .ok_or_else(|| AppError::Invalid("the role is ADMIN, USER or GUEST".into()))?;
    let mut tx = state.pool.begin().await?;
    let admins = users::lock_admins(&mut tx).await?;
    let target = users::admin_find(&mut *tx, &user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("user".into()))?;
    if target.role == UserRole::Admin && role != UserRole::Admin && admins <= 1 {
        return Err(AppError::Conflict(
            "this is the last administrator; make someone else an administrator first".into(),
        ));
    }
    users::set_role(&mut *tx, &user_id, role).await?;
    let user = users::admin_find(&mut *tx, &user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("user".into()))?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, role = ?role, "role changed by an admin");
    Ok(user)
}

/// Creates an account with a one-time password, to be changed at first sign-in.
#[server(endpoint = "admin/create")]
pub async fn admin_create_user(
    email: String,
    name: Option<String>,
    role: String,
) -> Result<CreatedUser, AppError> {
    use crate::backend::db::{settings, users};
    use crate::model::account::{normalize_email, normalize_name};
    use crate::model::UserRole;

    let (state, _, _) = crate::backend::auth::require_admin().await?;
    if settings::registration(&state.pool, state.config.registration).await? == Registration::Closed
    {
        return Err(AppError::Forbidden(
            "registration is closed: switch it to invite only to create accounts".into(),
        ));
    }
    let email = normalize_email(&email).map_err(AppError::Invalid)?;
    let name = normalize_name(name.as_deref()).map_err(AppError::Invalid)?;
    let role = UserRole::parse(&role)
        .ok_or_else(|| AppError::Invalid("the role is ADMIN, USER or GUEST".into()))?;
    let one_time_password = ssr::one_time_password();
    let hash = state.passwords.hash(&one_time_password).await?;
    let mut tx = state.pool.begin().await?;
    let id = users::insert(
        &mut *tx,
        users::NewUser {
            email: &email,
            password_hash: &hash,
            name: name.as_deref(),
            role,
        },
    )
    .await?;
    users::set_one_time_password(&mut *tx, &id, state.config.one_time_password_days as i32).await?;
    let user = users::admin_find(&mut *tx, &id)
        .await?
        .ok_or(AppError::Internal)?;
    tx.commit().await?;
    tracing::info!(user_id = %id, "account created by an admin");
    Ok(CreatedUser {
        user,
        one_time_password,
    })
}

/// Deletes a user and everything they own. Not yourself, not the last ADMIN.
#[server(endpoint = "admin/delete")]
pub async fn admin_delete_user(user_id: String) -> Result<(), AppError> {
    use crate::backend::db::users;
    use crate::model::UserRole;

    let (state, _, me) = crate::backend::auth::require_admin().await?;
    if user_id == me.id {
        return Err(AppError::Conflict(
            "you cannot delete your own account here; use Profile → Delete account".into(),
        ));
    }
    let mut tx = state.pool.begin().await?;
    let admins = users::lock_admins(&mut tx).await?;
    let target = users::admin_find(&mut *tx, &user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("user".into()))?;
    if target.role == UserRole::Admin && admins <= 1 {
        return Err(AppError::Conflict(
            "the last administrator cannot be deleted".into(),
        ));
    }
    users::delete(&mut *tx, &user_id).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user_id, "account deleted by an admin");
    Ok(())
}

/// The registration mode in force.
#[server(endpoint = "admin/registration")]
pub async fn admin_registration() -> Result<Registration, AppError> {
    let (state, _, _) = crate::backend::auth::require_admin().await?;
    Ok(crate::backend::db::settings::registration(&state.pool, state.config.registration).await?)
}

/// Sets the registration mode: `open`, `invite` or `closed`.
#[server(endpoint = "admin/registration/set")]
pub async fn admin_set_registration(mode: String) -> Result<Registration, AppError> {
    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let mode = Registration::parse(&mode)
        .ok_or_else(|| AppError::Invalid("the mode is open, invite or closed".into()))?;
    crate::backend::db::settings::set_registration(&state.pool, mode).await?;
    Ok(mode)
}

#[cfg(feature = "ssr")]
mod ssr {
    use aes_gcm::aead::rand_core::RngCore;
    use aes_gcm::aead::OsRng;

    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// 16 characters from an alphabet without look-alikes (about 92 bits),
    /// drawn without modulo bias: bytes past the last whole multiple of the
    /// alphabet's size are thrown away.
    pub fn one_time_password() -> String {
        let limit = 256 - 256 % ALPHABET.len();
        let mut password = String::with_capacity(16);
        let mut bytes = [0u8; 32];
        while password.len() < 16 {
            OsRng.fill_bytes(&mut bytes);
            for b in bytes.iter().map(|b| *b as usize).filter(|b| *b < limit) {
                if password.len() < 16 {
                    password.push(ALPHABET[b % ALPHABET.len()] as char);
                }
            }
        }
        password
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn one_time_passwords_are_long_plain_and_different() {
            let a = super::one_time_password();
            let b = super::one_time_password();
            assert_eq!(a.len(), 16);
            assert!(a.bytes().all(|c| super::ALPHABET.contains(&c)), "{a}");
            assert_ne!(a, b);
        }
    }
}
