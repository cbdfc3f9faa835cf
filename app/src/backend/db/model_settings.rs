//! `model_overrides`, `role_model_access`, `pinned_models` and
//! `users.default_model`: what admins and users chose about models.

use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::model_access::{AccessMode, RoleModelAccess};
use crate::model::model_facts::Price;
use crate::model::model_menu::MAX_PINNED;
use crate::model::UserRole;

/// An admin's name and price for a model.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Override {
    pub model: String,
    pub display_name: Option<String>,
    pub input_usd_per_mtok: Option<f64>,
    pub output_usd_per_mtok: Option<f64>,
}

impl Override {
    pub fn price(&self) -> Option<Price> {
        Some(Price {
            input_usd_per_mtok: self.input_usd_per_mtok?,
            output_usd_per_mtok: self.output_usd_per_mtok?,
        })
    }
}

#[instrument(skip_all)]
pub async fn overrides(db: impl PgExecutor<'_>) -> Result<Vec<Override>, sqlx::Error> {
    sqlx::query_as!(
        Override,
        "SELECT model, display_name, input_usd_per_mtok, output_usd_per_mtok
         FROM model_overrides ORDER BY model"
    )
    .fetch_all(db)
    .await
}

/// Sets a model's name and price (`None`: the catalogue's); with neither,
/// the override goes.
#[instrument(skip_all)]
pub async fn set_override(
    db: impl PgExecutor<'_>,
    model: &str,
    display_name: Option<&str>,
    price: Option<Price>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"WITH gone AS (DELETE FROM model_overrides
                            WHERE model = $1 AND $2::text IS NULL AND $3::float8 IS NULL)
           INSERT INTO model_overrides
               (model, display_name, input_usd_per_mtok, output_usd_per_mtok)
           SELECT $1, $2, $3, $4 WHERE $2::text IS NOT NULL OR $3::float8 IS NOT NULL
           ON CONFLICT (model) DO UPDATE SET
               display_name = EXCLUDED.display_name,
               input_usd_per_mtok = EXCLUDED.input_usd_per_mtok,
               output_usd_per_mtok = EXCLUDED.output_usd_per_mtok,
               updated_at = now()"#,
        model,
        display_name,
        price.map(|p| p.input_usd_per_mtok),
        price.map(|p| p.output_usd_per_mtok),
    )
    .execute(db)
    .await?;
    Ok(())
}

struct AccessRow {
    role: UserRole,
    mode: String,
    models: Vec<String>,
    default_model: Option<String>,
}

impl From<AccessRow> for RoleModelAccess {
    fn from(r: AccessRow) -> Self {
        RoleModelAccess {
            role: r.role,
            mode: AccessMode::parse(&r.mode).unwrap_or(AccessMode::Except),
            models: r.models,
            default_model: r.default_model,
        }
    }
}

/// Each role's rule (every model, for a role an admin never restricted).
#[instrument(skip_all)]
pub async fn all_access(db: impl PgExecutor<'_>) -> Result<Vec<RoleModelAccess>, sqlx::Error> {
    let rows = sqlx::query_as!(
        AccessRow,
        r#"SELECT role AS "role: UserRole", mode, models, default_model FROM role_model_access"#
    )
    .fetch_all(db)
    .await?;
    let mut stored: Vec<RoleModelAccess> = rows.into_iter().map(Into::into).collect();
    Ok([UserRole::Admin, UserRole::User, UserRole::Guest]
        .into_iter()
        .map(|role| match stored.iter().position(|a| a.role == role) {
            Some(i) => stored.swap_remove(i),
            None => RoleModelAccess::everything(role),
        })
        .collect())
}

#[instrument(skip_all)]
pub async fn access_of(
    db: impl PgExecutor<'_>,
    role: UserRole,
) -> Result<RoleModelAccess, sqlx::Error> {
    let row = sqlx::query_as!(
        AccessRow,
        r#"SELECT role AS "role: UserRole", mode, models, default_model
           FROM role_model_access WHERE role = $1"#,
        role as UserRole
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map_or_else(|| RoleModelAccess::everything(role), Into::into))
}

#[instrument(skip_all)]
pub async fn set_access(
    db: impl PgExecutor<'_>,
    access: &RoleModelAccess,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO role_model_access (role, mode, models, default_model)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (role) DO UPDATE SET mode = EXCLUDED.mode, models = EXCLUDED.models,
               default_model = EXCLUDED.default_model, updated_at = now()"#,
        access.role as UserRole,
        access.mode.as_str(),
        &access.models,
        access.default_model,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Locks a role's rule for a read-modify-write (two admins editing at once
/// both keep their change).
#[instrument(skip_all)]
pub async fn lock_access(db: impl PgExecutor<'_>, role: UserRole) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO role_model_access (role) VALUES ($1)
         ON CONFLICT (role) DO UPDATE SET updated_at = role_model_access.updated_at",
        role as UserRole
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Pins or unpins a model; false when it is not pinned because the user
/// already has [`MAX_PINNED`].
#[instrument(skip_all)]
pub async fn set_pinned(
    db: impl PgExecutor<'_>,
    user_id: &str,
    model: &str,
    pinned: bool,
) -> Result<bool, sqlx::Error> {
    if !pinned {
        sqlx::query!(
            "DELETE FROM pinned_models WHERE user_id = $1 AND model = $2",
            user_id,
            model
        )
        .execute(db)
        .await?;
        return Ok(true);
    }
    let pinned = sqlx::query_scalar!(
        r#"WITH added AS (
               INSERT INTO pinned_models (user_id, model)
               SELECT $1, $2 WHERE (SELECT count(*) FROM pinned_models WHERE user_id = $1) < $3
               ON CONFLICT DO NOTHING
               RETURNING 1
           )
           SELECT EXISTS (SELECT 1 FROM added)
               OR EXISTS (SELECT 1 FROM pinned_models WHERE user_id = $1 AND model = $2)
               AS "pinned!""#,
        user_id,
        model,
        MAX_PINNED as i64,
    )
    .fetch_one(db)
    .await?;
    Ok(pinned)
}

#[instrument(skip_all)]
pub async fn set_user_default(
    db: impl PgExecutor<'_>,
    user_id: &str,
    model: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE users SET default_model = $2 WHERE id = $1",
        user_id,
        model
    )
    .execute(db)
    .await?;
    Ok(())
}
