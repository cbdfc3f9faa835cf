//! The admin's controls over models: names and prices over the catalogue's
//! (effective at once on every instance: read from the database per use),
//! which models each role may use, and each role's default model.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::model_admin::ModelAdmin;

/// Every model VibeBot knows of, with its facts, overrides and the roles' rules.
#[server(endpoint = "admin/models")]
pub async fn admin_models() -> Result<ModelAdmin, AppError> {
    let (state, _, _) = crate::backend::auth::require_admin().await?;
    ssr::page(&state).await
}

/// Sets a model's display name and prices (empty: the catalogue's).
#[server(endpoint = "admin/models/override")]
pub async fn admin_set_model_override(
    model: String,
    name: String,
    input_usd_per_mtok: String,
    output_usd_per_mtok: String,
) -> Result<(), AppError> {
    use crate::model::model_admin::parse_override;

    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let model = ssr::model_id(&model)?;
    let (name, price) = parse_override(&name, &input_usd_per_mtok, &output_usd_per_mtok)
        .map_err(AppError::Invalid)?;
    crate::backend::db::model_settings::set_override(&state.pool, &model, name.as_deref(), price)
        .await?;
    tracing::info!(model, "model override set");
    Ok(())
}

/// Allows a role to use a model, or withholds it.
#[server(endpoint = "admin/models/access")]
pub async fn admin_set_model_access(
    role: String,
    model: String,
    allowed: bool,
) -> Result<(), AppError> {
    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let role = ssr::role(&role)?;
    let model = ssr::model_id(&model)?;
    ssr::change_access(&state, role, |access, _| Ok(access.with(&model, allowed))).await
}

/// Whether models listed later are allowed (`except`: every model but those
/// withheld) or not (`only`: only those allowed); the allowed models stay.
#[server(endpoint = "admin/models/mode")]
pub async fn admin_set_model_mode(role: String, mode: String) -> Result<(), AppError> {
    use crate::model::model_access::AccessMode;

    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let role = ssr::role(&role)?;
    let mode = AccessMode::parse(mode.trim()).ok_or_else(|| {
        AppError::Invalid("the mode is `except` (new models allowed) or `only`".into())
    })?;
    ssr::change_access(
        &state,
        role,
        |access, known| Ok(access.in_mode(mode, known)),
    )
    .await
}

/// The model a role's users start with (empty: none set; then the first offered).
#[server(endpoint = "admin/models/default")]
pub async fn admin_set_role_default_model(role: String, model: String) -> Result<(), AppError> {
    let (state, _, _) = crate::backend::auth::require_admin().await?;
    let role = ssr::role(&role)?;
    let model = match model.trim() {
        "" => None,
        text => Some(ssr::model_id(text)?),
    };
    ssr::change_access(&state, role, |mut access, _| {
        if let Some(m) = &model {
            if !access.allows(m) {
                return Err(AppError::Invalid(format!(
                    "{m} is withheld from this role; allow it first"
                )));
            }
        }
        access.default_model = model.clone();
        Ok(access)
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::BTreeMap;

    use crate::backend::db::{model_lists, model_settings};
    use crate::backend::AppState;
    use crate::error::AppError;
    use crate::model::catalog::{self, CATALOGUE_AS_OF, CATALOGUE_SOURCES, MODELS};
    use crate::model::model_access::RoleModelAccess;
    use crate::model::model_admin::{ModelAdmin, ModelAdminRow, ACCESS_ROLES};
    use crate::model::model_facts::ModelFacts;
    use crate::model::{ApiKeyProvider, UserRole};

    pub fn role(text: &str) -> Result<UserRole, AppError> {
        UserRole::parse(text.trim())
            .filter(|r| ACCESS_ROLES.contains(r))
            .ok_or_else(|| {
                AppError::Invalid("models are chosen for USER or ADMIN (guests cannot send)".into())
            })
    }

    pub fn model_id(text: &str) -> Result<String, AppError> {
        crate::model::model_facts::checked_id(text).map_err(AppError::Invalid)
    }

    /// Changes a role's rule under a row lock (two admins at once both keep
    /// their change); `change` gets the rule and every known model id.
    pub async fn change_access(
        state: &AppState,
        role: UserRole,
        change: impl FnOnce(RoleModelAccess, &[String]) -> Result<RoleModelAccess, AppError>,
    ) -> Result<(), AppError> {
        let rules = model_settings::all_access(&state.pool).await?;
        let known: Vec<String> = rows(state, &rules)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let mut tx = state.pool.begin().await?;
        model_settings::lock_access(&mut *tx, role).await?;
        let access = model_settings::access_of(&mut *tx, role).await?;
        let changed = change(access, &known)?;
        model_settings::set_access(&mut *tx, &changed).await?;
        tx.commit().await?;
        tracing::info!(
            role = role.as_str(),
            mode = changed.mode.as_str(),
            "model access set"
        );
        Ok(())
    }

    pub async fn page(state: &AppState) -> Result<ModelAdmin, AppError> {
        let all = model_settings::all_access(&state.pool).await?;
        Ok(ModelAdmin {
            catalogue_as_of: CATALOGUE_AS_OF.into(),
            catalogue_sources: CATALOGUE_SOURCES.into(),
            models: rows(state, &all).await?,
            access: ACCESS_ROLES
                .iter()
                .filter_map(|role| all.iter().find(|a| a.role == *role).cloned())
                .collect(),
        })
    }

    /// The catalogue's models, every model a key lists, and every model with
    /// an override or named in a rule, once each, by provider and id.
    async fn rows(
        state: &AppState,
        rules: &[RoleModelAccess],
    ) -> Result<Vec<ModelAdminRow>, AppError> {
        let listed = model_lists::everything_listed(&state.pool).await?;
        let overrides = model_settings::overrides(&state.pool).await?;
        let mut rows: BTreeMap<String, ModelAdminRow> = BTreeMap::new();
        let mut add = |id: &str, provider: ApiKeyProvider| {
            rows.entry(id.to_string()).or_insert_with(|| {
                let info = catalog::find(id);
                ModelAdminRow {
                    id: id.to_string(),
                    // The catalogue's, else the lister's, else by its id.
                    provider: ModelFacts::of(id, provider).provider,
                    catalogue_name: info.map(|m| m.name.to_string()),
                    catalogue_price: info.map(|m| m.price),
                    retired: info.is_some_and(|m| m.retired),
                    listed: false,
                    override_name: None,
                    override_price: None,
                }
            });
        };
        for m in MODELS {
            add(m.id, m.provider);
        }
        for (id, provider) in &listed {
            add(id, *provider);
        }
        for o in &overrides {
            add(&o.model, ApiKeyProvider::Openai);
        }
        for rule in rules {
            for id in rule.models.iter().chain(&rule.default_model) {
                add(id, ApiKeyProvider::Openai);
            }
        }
        for (id, _) in &listed {
            if let Some(row) = rows.get_mut(id) {
                row.listed = true;
            }
        }
        for o in overrides {
            if let Some(row) = rows.get_mut(&o.model) {
                row.override_price = o.price();
                row.override_name = o.display_name;
            }
        }
        let mut rows: Vec<ModelAdminRow> = rows.into_values().collect();
        rows.sort_by(|a, b| {
            (a.provider.as_str(), a.retired, &a.id).cmp(&(b.provider.as_str(), b.retired, &b.id))
        });
        Ok(rows)
    }
}
