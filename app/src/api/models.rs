//! Which models the signed-in user can chat with, and their picks.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::model_menu::ModelMenu;

/// The models the user's keys open and their role allows, from the lists
/// stored for their keys (never asked of a provider while the page waits),
/// with their pins, recent models and default.
#[server(endpoint = "models/available")]
pub async fn available_models() -> Result<ModelMenu, AppError> {
    let (state, _, account) = crate::backend::auth::require_account().await?;
    crate::backend::models::menu::for_user(&state, &account.id).await
}

/// Pins a model to the top of the picker, or unpins it.
#[server(endpoint = "models/pin")]
pub async fn pin_model(model: String, pinned: bool) -> Result<(), AppError> {
    use crate::model::model_menu::MAX_PINNED;

    let (state, _, account) = crate::backend::auth::require_account().await?;
    let model = crate::model::model_facts::checked_id(&model).map_err(AppError::Invalid)?;
    if pinned {
        crate::backend::models::serving::allowed(&state, &account.id, &model).await?;
    }
    if !crate::backend::db::model_settings::set_pinned(&state.pool, &account.id, &model, pinned)
        .await?
    {
        return Err(AppError::Invalid(format!(
            "you can pin at most {MAX_PINNED} models; unpin one first"
        )));
    }
    Ok(())
}

/// Makes a model the one new conversations start with (empty: the role's default).
#[server(endpoint = "models/default")]
pub async fn set_default_model(model: String) -> Result<(), AppError> {
    let (state, _, account) = crate::backend::auth::require_account().await?;
    let model = match model.trim() {
        "" => None,
        text => {
            let model = crate::model::model_facts::checked_id(text).map_err(AppError::Invalid)?;
            crate::backend::models::serving::allowed(&state, &account.id, &model).await?;
            Some(model)
        }
    };
    crate::backend::db::model_settings::set_user_default(
        &state.pool,
        &account.id,
        model.as_deref(),
    )
    .await?;
    Ok(())
}
