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
