//! Asking providers for their model lists: on a key's add and "Test", and
//! at most hourly while the key is used, never while a page waits.

use crate::backend::db::api_keys::{self, StoredKey};
use crate::backend::db::model_lists::{self, Listed};
use crate::backend::providers::{Endpoint, ProviderError};
use crate::backend::secret::Secret;
use crate::backend::AppState;
use crate::model::chat_filter::is_chat_model;
use crate::model::model_facts::{is_plausible_id, MAX_NAME_CHARS};
use crate::model::text::excerpt;

/// Asks `endpoint` for the key's models now and stores its chat models; on
/// failure the last list stays and the error is noted. Returns how many
/// chat models it lists.
pub async fn refresh_with(
    state: &AppState,
    key_id: &str,
    endpoint: &Endpoint,
    secret: &str,
) -> Result<usize, ProviderError> {
    match state.providers.list_models(endpoint, secret).await {
        Ok(models) => {
            let first_party = !endpoint.user_supplied;
            let chat: Vec<Listed> = models
                .into_iter()
                .filter(|m| is_plausible_id(&m.id))
                .filter(|m| is_chat_model(endpoint.provider, first_party, &m.id))
                .map(|m| Listed {
                    context_window: m.context_window.and_then(|n| i32::try_from(n).ok()),
                    name: m
                        .name
                        .map(|n| excerpt(n.trim(), MAX_NAME_CHARS))
                        .filter(|n| !n.is_empty() && n != &m.id),
                    id: m.id,
                })
                .collect();
            if let Err(e) = model_lists::store(&state.pool, key_id, &chat).await {
                tracing::warn!(key_id, error = %e, "storing a model list failed");
            }
            Ok(chat.len())
        }
        Err(e) => {
            if let Err(db) = model_lists::store_error(&state.pool, key_id, &e.to_string()).await {
                tracing::warn!(key_id, error = %db, "noting a model list's failure failed");
            }
            Err(e)
        }
    }
}

/// Refreshes, in the background, the lists of those of the user's keys
/// that are due (never asked, or asked over an hour ago; five minutes after
/// a failure). Each due key is claimed in the database first, so that of
/// several requests or instances only one asks.
pub fn refresh_due(state: &AppState, user_id: &str, key_ids: Vec<String>) {
    if key_ids.is_empty() {
        return;
    }
    let (state, user_id) = (state.clone(), user_id.to_string());
    tokio::spawn(async move {
        for key_id in key_ids {
            if let Err(e) = refresh_one(&state, &user_id, &key_id).await {
                tracing::warn!(key_id, error = %e, "refreshing a model list failed");
            }
        }
    });
}

/// Refreshes one key's list in the background now, due or not (a key added
/// or given a new secret).
pub fn refresh_soon(state: &AppState, user_id: &str, key_id: &str) {
    let (state, user_id, key_id) = (state.clone(), user_id.to_string(), key_id.to_string());
    tokio::spawn(async move {
        let result = async {
            model_lists::make_due(&state.pool, &key_id).await?;
            refresh_one(&state, &user_id, &key_id).await
        }
        .await;
        if let Err(e) = result {
            tracing::warn!(key_id, error = %e, "refreshing a model list failed");
        }
    });
}

async fn refresh_one(state: &AppState, user_id: &str, key_id: &str) -> Result<(), sqlx::Error> {
    let claimed =
        model_lists::claim(&state.pool, key_id, super::FRESH_SECS, super::RETRY_SECS).await?;
    if !claimed {
        return Ok(());
    }
    let Some(key) = api_keys::find_secret(&state.pool, key_id, user_id).await? else {
        return Ok(());
    };
    let problem = match prepared(state, &key) {
        Ok((endpoint, secret)) => {
            // A failure is noted with the list (and shown on the keys page).
            let _ = refresh_with(state, key_id, &endpoint, secret.expose()).await;
            return Ok(());
        }
        Err(problem) => problem,
    };
    model_lists::store_error(&state.pool, key_id, &problem).await
}

/// The key's endpoint and secret, or why it cannot be used.
pub fn prepared(state: &AppState, key: &StoredKey) -> Result<(Endpoint, Secret<String>), String> {
    let secret = state
        .cipher
        .decrypt(&key.encrypted_key, key.owner())
        .map_err(|e| {
            tracing::error!(key_id = %key.id, error = %e, "stored key cannot be decrypted");
            "this key cannot be decrypted (was the master key changed?); replace it".to_string()
        })?;
    let endpoint = state
        .providers
        .endpoint(key.provider, key.base_url.as_deref())
        .map_err(|e| e.to_string())?;
    Ok((endpoint, secret))
}
