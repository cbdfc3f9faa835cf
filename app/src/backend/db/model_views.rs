//! Reads that gather, in one statement each, what decides which models a
//! user may pick: their keys' lists, their role's rule, their pins, recent
//! models and defaults, the admins' overrides.

use sqlx::types::Json;
use sqlx::PgExecutor;
use tracing::instrument;

use super::model_lists::Listed;
use super::model_settings::Override;
use crate::model::model_access::{AccessMode, RoleModelAccess};
use crate::model::model_menu::RECENT;
use crate::model::{ApiKeyProvider, UserRole};

/// One of the user's keys and the models its provider listed.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct KeyList {
    pub id: String,
    pub provider: ApiKeyProvider,
    pub base_url: Option<String>,
    /// Its list was read at least once.
    pub listed: bool,
    /// Due to be asked again (never asked, or asked long enough ago).
    pub stale: bool,
    pub models: Vec<Listed>,
}

/// Everything `models/available` needs.
#[derive(Debug, Clone)]
pub struct MenuSnapshot {
    /// Each provider's default key first, then the oldest.
    pub keys: Vec<KeyList>,
    pub access: RoleModelAccess,
    pub user_default: Option<String>,
    pub pinned: Vec<String>,
    /// Newest first, at most [`RECENT`].
    pub recent: Vec<String>,
    pub overrides: Vec<Override>,
}

/// A list older than `fresh_secs` (`retry_secs` after a failure) is stale.
#[instrument(skip_all)]
pub async fn menu(
    db: impl PgExecutor<'_>,
    user_id: &str,
    fresh_secs: f64,
    retry_secs: f64,
) -> Result<Option<MenuSnapshot>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT u.role AS "role: UserRole", u.default_model,
                  a.mode AS "mode?", a.models AS "models?", a.default_model AS role_default,
                  (SELECT coalesce(json_agg(json_build_object(
                              'id', k.id, 'provider', k.provider, 'base_url', k.base_url,
                              'listed', l.listed_at IS NOT NULL,
                              'stale', l.api_key_id IS NULL OR l.asked_at < now() - make_interval(
                                  secs => CASE WHEN l.error IS NULL THEN $2::float8
                                               ELSE $3::float8 END),
                              'models', (SELECT coalesce(json_agg(json_build_object(
                                                 'id', km.model, 'name', km.display_name,
                                                 'context_window', km.context_window)), '[]')
                                         FROM key_models km WHERE km.api_key_id = k.id))
                              ORDER BY k.is_default DESC, k.created_at, k.id), '[]')
                   FROM api_keys k LEFT JOIN key_model_lists l ON l.api_key_id = k.id
                   WHERE k.user_id = u.id) AS "keys!: Json<Vec<KeyList>>",
                  (SELECT coalesce(array_agg(p.model ORDER BY p.pinned_at, p.model), '{}')
                   FROM pinned_models p WHERE p.user_id = u.id) AS "pinned!",
                  (SELECT coalesce(array_agg(r.model ORDER BY r.last DESC), '{}')
                   FROM (SELECT w.model, max(w.last_activity_at) AS last
                         FROM (SELECT c.model, c.last_activity_at FROM conversations c
                               WHERE c.user_id = u.id AND c.model IS NOT NULL
                               ORDER BY c.last_activity_at DESC LIMIT 200) w
                         GROUP BY w.model ORDER BY last DESC LIMIT $4) r) AS "recent!",
                  (SELECT coalesce(json_agg(json_build_object(
                              'model', o.model, 'display_name', o.display_name,
                              'input_usd_per_mtok', o.input_usd_per_mtok,
                              'output_usd_per_mtok', o.output_usd_per_mtok)), '[]')
                   FROM model_overrides o) AS "overrides!: Json<Vec<Override>>"
           FROM users u LEFT JOIN role_model_access a ON a.role = u.role
           WHERE u.id = $1"#,
        user_id,
        fresh_secs,
        retry_secs,
        RECENT as i64,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| MenuSnapshot {
        keys: r.keys.0,
        access: access(r.role, r.mode, r.models, r.role_default),
        user_default: r.default_model,
        pinned: r.pinned,
        recent: r.recent,
        overrides: r.overrides.0,
    }))
}

fn access(
    role: UserRole,
    mode: Option<String>,
    models: Option<Vec<String>>,
    default_model: Option<String>,
) -> RoleModelAccess {
    RoleModelAccess {
        role,
        mode: mode
            .as_deref()
            .and_then(AccessMode::parse)
            .unwrap_or(AccessMode::Except),
        models: models.unwrap_or_default(),
        default_model,
    }
}

/// What decides one model for one user when a message is sent.
#[derive(Debug, Clone)]
pub struct ModelForUser {
    pub access: RoleModelAccess,
    /// The user's keys whose lists have the model.
    pub listing_keys: Vec<String>,
    /// One of them is an Anthropic key (the model follows Anthropic's rules).
    pub listed_by_claude: bool,
    /// The provider's name for it, where a list gave one.
    pub listed_name: Option<String>,
    /// Its context window, where a list gave one.
    pub listed_context_window: Option<i32>,
    pub over: Option<Override>,
}

#[instrument(skip_all)]
pub async fn for_user(
    db: impl PgExecutor<'_>,
    user_id: &str,
    model: &str,
) -> Result<Option<ModelForUser>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT u.role AS "role: UserRole",
                  a.mode AS "mode?", a.models AS "models?", a.default_model AS role_default,
                  coalesce(l.keys, '{}') AS "listing_keys!",
                  coalesce(l.by_claude, false) AS "listed_by_claude!",
                  l.name AS listed_name, l.context_window AS listed_context_window,
                  o.model AS "override_model?", o.display_name AS override_name,
                  o.input_usd_per_mtok AS "input_usd_per_mtok?",
                  o.output_usd_per_mtok AS "output_usd_per_mtok?"
           FROM users u
           LEFT JOIN role_model_access a ON a.role = u.role
           LEFT JOIN model_overrides o ON o.model = $2
           -- The user's keys whose lists have the model, read once.
           LEFT JOIN LATERAL (
               SELECT array_agg(km.api_key_id) AS keys, bool_or(k.provider = 'CLAUDE') AS by_claude,
                      min(km.display_name) AS name, min(km.context_window) AS context_window
               FROM key_models km JOIN api_keys k ON k.id = km.api_key_id
               WHERE k.user_id = u.id AND km.model = $2
           ) l ON true
           WHERE u.id = $1"#,
        user_id,
        model,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| ModelForUser {
        access: access(r.role, r.mode, r.models, r.role_default),
        listing_keys: r.listing_keys,
        listed_by_claude: r.listed_by_claude,
        listed_name: r.listed_name,
        listed_context_window: r.listed_context_window,
        over: r.override_model.map(|model| Override {
            model,
            display_name: r.override_name,
            input_usd_per_mtok: r.input_usd_per_mtok,
            output_usd_per_mtok: r.output_usd_per_mtok,
        }),
    }))
}
