//! One model for one user: whether their role may use it, its facts (with
//! the admins' overrides), and which of their keys serves it.

use crate::backend::db::api_keys::{pick_usable, StoredKey};
use crate::backend::db::model_lists::Listed;
use crate::backend::db::model_views::{self, ModelForUser};
use crate::backend::AppState;
use crate::error::AppError;
use crate::model::catalog;
use crate::model::model_facts::ModelFacts;
use crate::model::ApiKeyProvider;

/// A model the user may use, with what decides it.
pub struct Allowed {
    pub facts: ModelFacts,
    found: ModelForUser,
}

/// `model` for the user, refused (403, with the reason) when their role may
/// not use it.
pub async fn allowed(state: &AppState, user_id: &str, model: &str) -> Result<Allowed, AppError> {
    let found = model_views::for_user(&state.pool, user_id, model)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    Allowed::judge(model, found)
}

impl Allowed {
    /// [`allowed`] once what decides it was read.
    pub fn judge(model: &str, found: ModelForUser) -> Result<Allowed, AppError> {
        let maker = if found.listed_by_claude {
            ApiKeyProvider::Claude
        } else {
            ApiKeyProvider::Openai
        };
        let listed = Listed {
            id: model.to_string(),
            name: found.listed_name.clone(),
            context_window: found.listed_context_window,
        };
        let facts = super::facts(model, maker, Some(&listed), found.over.as_ref());
        if !found.access.allows(model) {
            return Err(AppError::Forbidden(found.access.refusal(&facts.name)));
        }
        Ok(Allowed { facts, found })
    }

    /// The key that serves the model among the user's `keys` (each
    /// provider's default first): one whose provider lists it; else, for a
    /// catalogue model, a key of its provider; else an OpenAI-compatible
    /// endpoint's (they may serve models they do not list).
    pub fn key<'k>(&self, keys: &'k [StoredKey]) -> Result<&'k StoredKey, AppError> {
        let model = self.facts.id.as_str();
        if let Some(key) = keys
            .iter()
            .find(|k| self.found.listing_keys.contains(&k.id))
        {
            return Ok(key);
        }
        match catalog::find(model) {
            Some(info) => pick_usable(keys, info.provider, false).ok_or_else(|| {
                AppError::Invalid(format!(
                    "add an API key for {} to use {}",
                    info.provider.label(),
                    self.facts.name
                ))
            }),
            None => pick_usable(keys, ApiKeyProvider::Openai, true).ok_or_else(|| {
                AppError::Invalid(format!(
                    "unknown model: {model} (none of your keys lists it; \
                     add an OpenAI-compatible endpoint that serves it)"
                ))
            }),
        }
    }
}
