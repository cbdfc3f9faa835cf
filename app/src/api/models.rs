//! Which models the signed-in user can chat with.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::model::ApiKeyProvider;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelChoice {
    pub id: String,
    pub name: String,
    pub provider: ApiKeyProvider,
}

/// The catalogue's models of each provider the user has a key for, plus the
/// models that the user's OpenAI-compatible endpoints list.
#[server(endpoint = "models/available")]
pub async fn available_models() -> Result<Vec<ModelChoice>, AppError> {
    use crate::backend::db::api_keys;
    use crate::model::catalog::MODELS;

    let (state, _, account) = crate::backend::auth::require_account().await?;
    let keys = api_keys::list_for_user(&state.pool, &account.id).await?;
    let mut choices: Vec<ModelChoice> = Vec::new();
    for provider in [ApiKeyProvider::Claude, ApiKeyProvider::Openai] {
        if keys
            .iter()
            .any(|k| k.provider == provider && k.base_url.is_none())
        {
            choices.extend(
                MODELS
                    .iter()
                    .filter(|m| m.provider == provider)
                    .map(|m| ModelChoice {
                        id: m.id.to_string(),
                        name: m.name.to_string(),
                        provider,
                    }),
            );
        }
    }
    for key in keys.iter().filter(|k| k.base_url.is_some()) {
        let (Ok(secret), Ok(endpoint)) = (
            state.cipher.decrypt(&key.encrypted_key, key.owner()),
            state
                .providers
                .endpoint(key.provider, key.base_url.as_deref()),
        ) else {
            continue;
        };
        // An endpoint that is down just offers nothing for now.
        if let Ok(ids) = state
            .providers
            .list_models(&endpoint, secret.expose())
            .await
        {
            for id in ids.into_iter().take(200) {
                if !choices.iter().any(|c| c.id == id) {
                    choices.push(ModelChoice {
                        name: id.clone(),
                        id,
                        provider: key.provider,
                    });
                }
            }
        }
    }
    Ok(choices)
}
