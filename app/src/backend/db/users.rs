//! Users: accounts, sign-in bookkeeping, roles, one-time passwords, and the
//! admin's list of users (the `admin_users` view).

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::UserRole;

/// The fields needed to create an account; `password_hash` is already bcrypt.
pub struct NewUser<'a> {
    pub email: &'a str,
    pub password_hash: &'a str,
    pub name: Option<&'a str>,
    pub role: UserRole,
}

#[instrument(skip_all)]
pub async fn find_id_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("SELECT id FROM users WHERE email = $1", email)
        .fetch_optional(db)
        .await
}

/// Inserts the user and returns its new id.
#[instrument(skip_all)]
pub async fn insert(db: impl PgExecutor<'_>, user: NewUser<'_>) -> Result<String, sqlx::Error> {
    let id = super::new_id();
    sqlx::query!(
        "INSERT INTO users (id, email, password, name, role) VALUES ($1, $2, $3, $4, $5)",
        id,
        user.email,
        user.password_hash,
        user.name,
        user.role as UserRole,
    )
    .execute(db)
    .await?;
    Ok(id)
}

/// What sign-in needs to know about an account.
pub struct Credentials {
    pub id: String,
    pub password: String,
    pub session_epoch: i32,
    /// The password is an administrator's one-time password, past its time.
    pub one_time_password_expired: bool,
}

#[instrument(skip_all)]
pub async fn find_credentials_by_email(
    db: impl PgExecutor<'_>,
    email: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as!(
        Credentials,
        r#"SELECT id, password, session_epoch,
                  (must_change_password AND one_time_password_expires_at < now())
                      IS TRUE AS "one_time_password_expired!"
           FROM users WHERE email = $1"#,
        email
    )
    .fetch_optional(db)
    .await
}

#[instrument(skip_all)]
pub async fn find_credentials_by_id(
    db: impl PgExecutor<'_>,
    id: &str,
) -> Result<Option<Credentials>, sqlx::Error> {
    sqlx::query_as!(
        Credentials,
        r#"SELECT id, password, session_epoch,
                  (must_change_password AND one_time_password_expires_at < now())
                      IS TRUE AS "one_time_password_expired!"
           FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// An account plus the session epoch that a valid session must carry.
pub struct AccountRow {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub role: UserRole,
    pub theme: String,
    pub must_change_password: bool,
    pub session_epoch: i32,
}

impl AccountRow {
    pub fn into_account(self) -> crate::model::Account {
        crate::model::Account {
            id: self.id,
            email: self.email,
            name: self.name,
            role: self.role,
            theme: crate::model::Theme::parse(&self.theme).unwrap_or_default(),
            must_change_password: self.must_change_password,
        }
    }
}

#[instrument(skip_all)]
pub async fn find_account(
    db: impl PgExecutor<'_>,
    id: &str,
) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as!(
        AccountRow,
        r#"SELECT id, email, name, role AS "role: UserRole", theme, must_change_password,
                  session_epoch
           FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// The account of a signed-in session: `None` when the user is gone or the
/// session no longer exists in the sessions table (signed out on another
/// server instance, or expired), which the session layer may still hold in
/// memory.
#[instrument(skip_all)]
pub async fn find_signed_in(
    db: impl PgExecutor<'_>,
    id: &str,
    session_id: &str,
) -> Result<Option<AccountRow>, sqlx::Error> {
    sqlx::query_as!(
        AccountRow,
        r#"SELECT id, email, name, role AS "role: UserRole", theme, must_change_password,
                  session_epoch
           FROM users
           WHERE id = $1
             AND EXISTS (SELECT 1 FROM sessions WHERE sessions.id = $2 AND expiry_date > now())"#,
        id,
        session_id
    )
    .fetch_optional(db)
    .await
}

#[instrument(skip_all)]
pub async fn update_name(
    db: impl PgExecutor<'_>,
    id: &str,
    name: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET name = $2 WHERE id = $1", id, name)
        .execute(db)
        .await?;
    Ok(())
}

#[instrument(skip_all)]
pub async fn update_theme(
    db: impl PgExecutor<'_>,
    id: &str,
    theme: crate::model::Theme,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET theme = $2 WHERE id = $1",
        id,
        theme.as_str()
    )
    .execute(db)
    .await?;
    Ok(())
}

#[instrument(skip_all)]
pub async fn update_email(
    db: impl PgExecutor<'_>,
    id: &str,
    email: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET email = $2 WHERE id = $1", id, email)
        .execute(db)
        .await?;
    Ok(())
}

/// Stores a new password hash and ends every session (bumps the epoch);
/// returns the new epoch for the session that made the change.
#[instrument(skip_all)]
pub async fn update_password(
    db: impl PgExecutor<'_>,
    id: &str,
    password_hash: &str,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        "UPDATE users SET password = $2, session_epoch = session_epoch + 1,
                          must_change_password = false,
                          one_time_password_expires_at = NULL
         WHERE id = $1 RETURNING session_epoch",
        id,
        password_hash
    )
    .fetch_one(db)
    .await
}

/// Deletes the account; keys, conversations and messages go with it (cascade).
#[instrument(skip_all)]
pub async fn delete(db: impl PgExecutor<'_>, id: &str) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!("DELETE FROM users WHERE id = $1", id)
        .execute(db)
        .await?;
    Ok(result.rows_affected() == 1)
}

/// The admin's user list: newest first, optionally only those whose email or
/// name contains `search`, starting after `cursor`; with each user's usage
/// this month.
#[instrument(skip_all)]
pub async fn admin_page(
    db: impl PgExecutor<'_>,
    search: Option<&str>,
    cursor: Option<&super::conversations::Cursor>,
    limit: i64,
) -> Result<Vec<crate::model::admin::AdminUser>, sqlx::Error> {
    admin_users(db, None, search, cursor, limit).await
}

/// One user as the admin's list shows them.
#[instrument(skip_all)]
pub async fn admin_find(
    db: impl PgExecutor<'_>,
    id: &str,
) -> Result<Option<crate::model::admin::AdminUser>, sqlx::Error> {
    let found = admin_users(db, Some(id), None, None, 1).await?;
    Ok(found.into_iter().next())
}

/// The `admin_users` view (see its migration), by id or by page.
async fn admin_users(
    db: impl PgExecutor<'_>,
    id: Option<&str>,
    search: Option<&str>,
    cursor: Option<&super::conversations::Cursor>,
    limit: i64,
) -> Result<Vec<crate::model::admin::AdminUser>, sqlx::Error> {
    let pattern = search.map(|s| format!("%{}%", super::escape_like(s)));
    let (after_at, after_id) = match cursor {
        Some((at, id)) => (Some(*at), Some(id.as_str())),
        None => (None, None),
    };
    sqlx::query_as!(
        crate::model::admin::AdminUser,
        r#"SELECT id AS "id!", email AS "email!", name, role AS "role!: UserRole",
                  created_at AS "created_at!: DateTime<Utc>",
                  last_active_at AS "last_active_at: DateTime<Utc>",
                  must_change_password AS "must_change_password!",
                  month_answers AS "month_answers!", month_tokens AS "month_tokens!",
                  month_cost_usd AS "month_cost_usd!"
           FROM admin_users
           WHERE ($1::text IS NULL OR id = $1)
             AND ($2::text IS NULL OR email ILIKE $2 OR name ILIKE $2)
             AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4))
           ORDER BY created_at DESC, id DESC
           LIMIT $5"#,
        id,
        pattern,
        after_at as Option<DateTime<Utc>>,
        after_id,
        limit
    )
    .fetch_all(db)
    .await
}

/// Locks every admin row (so two admins cannot demote each other at once)
/// and returns how many admins there are.
#[instrument(skip_all)]
pub async fn lock_admins(db: &mut sqlx::PgConnection) -> Result<usize, sqlx::Error> {
    let ids = sqlx::query_scalar!("SELECT id FROM users WHERE role = 'ADMIN' FOR UPDATE")
        .fetch_all(db)
        .await?;
    Ok(ids.len())
}

#[instrument(skip_all)]
pub async fn set_role(
    db: impl PgExecutor<'_>,
    id: &str,
    role: UserRole,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "UPDATE users SET role = $2 WHERE id = $1",
        id,
        role as UserRole
    )
    .execute(db)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks an account's password as a one-time password, valid for `days`:
/// its owner must choose their own at first sign-in.
#[instrument(skip_all)]
pub async fn set_one_time_password(
    db: impl PgExecutor<'_>,
    id: &str,
    days: i32,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET must_change_password = true,
                          one_time_password_expires_at = now() + make_interval(days => $2)
         WHERE id = $1",
        id,
        days
    )
    .execute(db)
    .await?;
    Ok(())
}

#[instrument(skip_all)]
pub async fn record_sign_in(db: impl PgExecutor<'_>, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE users SET last_sign_in_at = now() WHERE id = $1", id)
        .execute(db)
        .await?;
    Ok(())
}
