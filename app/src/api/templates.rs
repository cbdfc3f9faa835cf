//! Conversation templates: save a conversation's model, system prompt and
//! generation settings under a name; list, delete and (admins) publish them.
//! Starting a conversation from one is `create_conversation(template_id)`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::template::TemplateView;

/// My templates and the public ones, by name.
#[server(endpoint = "templates/list")]
pub async fn list_templates() -> Result<Vec<TemplateView>, AppError> {
    let (state, _, account) = crate::backend::auth::require_account().await?;
    Ok(crate::backend::db::templates::visible_to(&state.pool, &account.id).await?)
}

/// Saves a conversation's settings as a template. `public` (admins only)
/// offers it to everyone.
#[server(endpoint = "templates/save")]
pub async fn save_template(
    conversation_id: String,
    name: String,
    public: bool,
) -> Result<TemplateView, AppError> {
    use crate::backend::db::{conversations, templates};
    use crate::model::template::normalize_template_name;
    use crate::model::UserRole;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    if public && account.role != UserRole::Admin {
        return Err(AppError::Forbidden(
            "only administrators can publish templates".into(),
        ));
    }
    let name = normalize_template_name(&name).map_err(AppError::Invalid)?;
    let conversation = conversations::find(&state.pool, &conversation_id, &account.id)
        .await?
        .ok_or_else(|| AppError::NotFound("conversation".into()))?;
    let id = templates::insert(
        &state.pool,
        templates::NewTemplate {
            user_id: &account.id,
            name: &name,
            model: conversation.summary.model.as_deref(),
            system_prompt: conversation.system_prompt.as_deref(),
            settings: conversation.settings,
            is_public: public,
        },
    )
    .await?;
    templates::find_visible(&state.pool, &id, &account.id)
        .await?
        .ok_or(AppError::Internal)
}

/// Deletes one of my templates (admins: also any public one).
#[server(endpoint = "templates/delete")]
pub async fn delete_template(id: String) -> Result<(), AppError> {
    use crate::model::UserRole;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let admin = account.role == UserRole::Admin;
    if !crate::backend::db::templates::delete(&state.pool, &id, &account.id, admin).await? {
        return Err(AppError::NotFound("template".into()));
    }
    Ok(())
}

/// Publishes a template to everyone, or withdraws it (admins only).
#[server(endpoint = "templates/publish")]
pub async fn publish_template(id: String, public: bool) -> Result<(), AppError> {
    let (state, _, account) = crate::backend::auth::require_admin().await?;
    if !crate::backend::db::templates::set_public(&state.pool, &id, &account.id, public).await? {
        return Err(AppError::NotFound("template".into()));
    }
    Ok(())
}
