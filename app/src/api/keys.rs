//! The signed-in user's provider API keys. Secrets go in and never come out:
//! every answer carries a masked hint only.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::ApiKeyView;

/// My keys, without secrets.
#[server(endpoint = "keys/list")]
pub async fn list_keys() -> Result<Vec<ApiKeyView>, AppError> {
    let (state, _, account) = crate::backend::auth::require_account().await?;
    Ok(crate::backend::db::api_keys::list_views(&state.pool, &account.id).await?)
}

/// Stores a new key, encrypted. `base_url` is for OpenAI-compatible servers.
#[server(endpoint = "keys/add")]
pub async fn add_key(
    provider: String,
    key: String,
    name: Option<String>,
    base_url: Option<String>,
) -> Result<ApiKeyView, AppError> {
    use crate::backend::auth::require_writer;
    use crate::backend::crypto::KeyOwner;
    use crate::backend::db::api_keys;
    use crate::model::keys::{key_hint, normalize_key, normalize_key_name};

    let (state, _, account) = require_writer().await?;
    let provider = ssr::parse_provider(&provider)?;
    let key = zeroize::Zeroizing::new(normalize_key(&key).map_err(AppError::Invalid)?);
    let name = normalize_key_name(name.as_deref()).map_err(AppError::Invalid)?;
    let base_url = ssr::checked_base_url(&state, provider, base_url.as_deref()).await?;

    let id = crate::backend::db::new_id();
    let owner = KeyOwner {
        key_id: &id,
        user_id: &account.id,
        provider,
        base_url: base_url.as_deref(),
    };
    let encrypted = state.cipher.encrypt(&key, owner);
    let id = api_keys::insert_concurrently(
        &state.pool,
        api_keys::NewKey {
            id: &id,
            user_id: &account.id,
            provider,
            encrypted_key: &encrypted,
            key_hint: &key_hint(&key),
            name: name.as_deref(),
            base_url: base_url.as_deref(),
        },
    )
    .await?;
    crate::backend::models::refresh::refresh_soon(&state, &account.id, &id);
    ssr::view(&state, &id, &account.id).await
}

/// Renames a key (empty clears the name).
#[server(endpoint = "keys/rename")]
pub async fn rename_key(id: String, name: String) -> Result<ApiKeyView, AppError> {
    use crate::model::keys::normalize_key_name;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let name = normalize_key_name(Some(&name)).map_err(AppError::Invalid)?;
    if !crate::backend::db::api_keys::rename(&state.pool, &id, &account.id, name.as_deref()).await?
    {
        return Err(ssr::not_found());
    }
    ssr::view(&state, &id, &account.id).await
}

/// Replaces a key's secret (after the provider issued a new one).
#[server(endpoint = "keys/replace")]
pub async fn replace_key(id: String, key: String) -> Result<ApiKeyView, AppError> {
    use crate::backend::crypto::KeyOwner;
    use crate::backend::db::api_keys;
    use crate::model::keys::{key_hint, normalize_key};

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let key = zeroize::Zeroizing::new(normalize_key(&key).map_err(AppError::Invalid)?);
    let current = ssr::view(&state, &id, &account.id).await?;
    let owner = KeyOwner {
        key_id: &current.id,
        user_id: &account.id,
        provider: current.provider,
        base_url: current.base_url.as_deref(),
    };
    let encrypted = state.cipher.encrypt(&key, owner);
    if !api_keys::replace_secret(&state.pool, &id, &account.id, &encrypted, &key_hint(&key)).await?
    {
        return Err(ssr::not_found());
    }
    crate::backend::models::refresh::refresh_soon(&state, &account.id, &id);
    ssr::view(&state, &id, &account.id).await
}

/// Makes a key the default for its provider.
#[server(endpoint = "keys/default")]
pub async fn set_default_key(id: String) -> Result<(), AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    if !crate::backend::db::api_keys::set_default(&state.pool, &id, &account.id).await? {
        return Err(ssr::not_found());
    }
    Ok(())
}

/// Deletes a key for good.
#[server(endpoint = "keys/delete")]
pub async fn delete_key(id: String) -> Result<(), AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let mut tx = state.pool.begin().await?;
    if !crate::backend::db::api_keys::delete(&mut tx, &id, &account.id).await? {
        return Err(ssr::not_found());
    }
    tx.commit().await?;
    Ok(())
}

/// Makes the cheapest authenticated call (list models) with the key and says
/// whether it works, or what the provider said, in plain words; the list
/// read is stored as the key's models.
#[server(endpoint = "keys/test")]
pub async fn test_key(id: String) -> Result<String, AppError> {
    use crate::backend::db::api_keys;
    use crate::backend::models::refresh;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let stored = api_keys::find_secret(&state.pool, &id, &account.id)
        .await?
        .ok_or_else(ssr::not_found)?;
    let (endpoint, secret) = refresh::prepared(&state, &stored).map_err(AppError::Invalid)?;
    match refresh::refresh_with(&state, &id, &endpoint, secret.expose()).await {
        Ok(models) => Ok(match models {
            0 => "works (the endpoint lists no chat models)".to_string(),
            1 => "works: 1 chat model available".to_string(),
            n => format!("works: {n} chat models available"),
        }),
        Err(e) => Err(AppError::Unavailable(format!("the key did not work: {e}"))),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::backend::providers::guard;
    use crate::backend::AppState;
    use crate::error::AppError;
    use crate::model::keys::BASE_URL_MAX_CHARS;
    use crate::model::{ApiKeyProvider, ApiKeyView};

    pub fn not_found() -> AppError {
        AppError::NotFound("API key".into())
    }

    pub async fn view(state: &AppState, id: &str, user_id: &str) -> Result<ApiKeyView, AppError> {
        crate::backend::db::api_keys::find_view(&state.pool, id, user_id)
            .await?
            .ok_or_else(not_found)
    }

    pub fn parse_provider(value: &str) -> Result<ApiKeyProvider, AppError> {
        ApiKeyProvider::parse(value.trim())
            .ok_or_else(|| AppError::Invalid("choose a provider: CLAUDE or OPENAI".into()))
    }

    /// An OpenAI key's optional base URL, checked against the SSRF guard.
    pub async fn checked_base_url(
        state: &AppState,
        provider: ApiKeyProvider,
        base_url: Option<&str>,
    ) -> Result<Option<String>, AppError> {
        let Some(text) = base_url.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if provider != ApiKeyProvider::Openai {
            return Err(AppError::Invalid(
                "a base URL is only for OpenAI-compatible keys".into(),
            ));
        }
        if text.chars().count() > BASE_URL_MAX_CHARS {
            return Err(AppError::Invalid(format!(
                "a base URL has at most {BASE_URL_MAX_CHARS} characters"
            )));
        }
        let allow = state.config.allow_private_endpoints;
        let url = guard::check_url_form(text, allow).map_err(AppError::Invalid)?;
        guard::check_url_resolves(&url, allow)
            .await
            .map_err(AppError::Invalid)?;
        Ok(Some(url.as_str().trim_end_matches('/').to_string()))
    }
}
