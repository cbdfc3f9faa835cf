//! `vibebot keys rotate`: re-encrypts every stored API key from the previous
//! master key to the current one, in one transaction.
//!
//! How an operator rotates: generate a new key (`openssl rand -base64 32`), set
//! `VIBEBOT_ENCRYPTION_KEY_PREVIOUS` to the old value and `VIBEBOT_ENCRYPTION_KEY`
//! to the new one, restart the servers (they now read both), run
//! `vibebot keys rotate`, then remove `VIBEBOT_ENCRYPTION_KEY_PREVIOUS`.

use std::fmt;

use app::backend::crypto::{KeyCipher, KeyOwner};
use app::backend::db::api_keys;
use sqlx::PgPool;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct RotationReport {
    /// Re-encrypted with the current master key.
    pub rotated: usize,
    /// Already encrypted with the current master key.
    pub already_current: usize,
}

impl fmt::Display for RotationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} key(s) re-encrypted with the current master key; {} already used it",
            self.rotated, self.already_current
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error(
        "{0} stored key(s) open with neither the current nor the previous master key; \
         nothing was changed"
    )]
    Undecryptable(usize),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// `cipher` must hold the current master key and, as previous, the old one.
pub async fn rotate(pool: &PgPool, cipher: &KeyCipher) -> Result<RotationReport, RotationError> {
    let mut report = RotationReport::default();
    let mut tx = pool.begin().await?;
    let keys = api_keys::all_for_rotation(&mut *tx).await?;
    let mut undecryptable = 0;
    for key in &keys {
        let owner = KeyOwner {
            user_id: &key.user_id,
            provider: key.provider,
        };
        if cipher.is_current(&key.encrypted_key, owner) {
            report.already_current += 1;
            continue;
        }
        match cipher.decrypt(&key.encrypted_key, owner) {
            Ok(plain) => {
                let fresh = cipher.encrypt(plain.expose(), owner);
                api_keys::set_ciphertext(&mut *tx, &key.id, &fresh).await?;
                report.rotated += 1;
            }
            Err(_) => undecryptable += 1,
        }
    }
    if undecryptable > 0 {
        // Dropping the transaction rolls it back: all or nothing.
        return Err(RotationError::Undecryptable(undecryptable));
    }
    tx.commit().await?;
    Ok(report)
}
