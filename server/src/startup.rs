//! Start-up steps shared by every subcommand.

use anyhow::Context;
use app::backend::config::Config;
use app::backend::crypto::{KeyCipher, MasterKey};

/// Loads `.env` if present, then reads and validates the configuration.
pub fn load_config() -> anyhow::Result<Config> {
    if let Err(e) = dotenvy::dotenv() {
        if !e.not_found() {
            anyhow::bail!(".env: {e}");
        }
    }
    Ok(Config::from_env()?)
}

/// The cipher for stored API keys. Without `VIBEBOT_ENCRYPTION_KEY` (allowed only
/// in development) a key is generated once into the data folder.
pub fn key_cipher(config: &Config) -> anyhow::Result<KeyCipher> {
    let master = match &config.encryption_key {
        Some(key) => key.clone(),
        None => {
            let path = MasterKey::dev_key_path(&config.data_dir);
            let (key, created) = MasterKey::load_or_create(&path)
                .map_err(anyhow::Error::msg)
                .context("VIBEBOT_ENCRYPTION_KEY is unset and the development key is unusable")?;
            if created {
                tracing::warn!(
                    path = %path.display(),
                    "generated a development encryption key; \
                     set VIBEBOT_ENCRYPTION_KEY in production"
                );
            } else {
                tracing::info!(path = %path.display(), "using the development encryption key");
            }
            key
        }
    };
    let cipher = KeyCipher::new(&master);
    Ok(match &config.previous_encryption_key {
        Some(previous) => cipher.with_previous(previous),
        None => cipher,
    })
}
