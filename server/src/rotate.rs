//! `vibebot keys rotate`: re-encrypts every stored API key from the previous
//! master key to the current one, in one transaction. It also re-encrypts keys
//! still in the old ciphertext format (`v1:`, bound to the owner and provider
//! only) in the current one, which binds the key's row and base URL; `vibebot
//! serve` does that part by itself at start-up ([`upgrade_legacy`]).
//!
//! How an operator rotates: generate a new key (`openssl rand -base64 32`), set
//! `VIBEBOT_ENCRYPTION_KEY_PREVIOUS` to the old value and `VIBEBOT_ENCRYPTION_KEY`
//! to the new one, restart the servers (they now read both), run
//! `vibebot keys rotate`, then remove `VIBEBOT_ENCRYPTION_KEY_PREVIOUS`.

use std::fmt;

use app::backend::crypto::KeyCipher;
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
        let owner = key.owner();
        if cipher.is_current(&key.encrypted_key, owner) {
            report.already_current += 1;
            continue;
        }
        let opened = if KeyCipher::is_legacy(&key.encrypted_key) {
            cipher.decrypt_legacy(&key.encrypted_key, owner)
        } else {
            cipher.decrypt(&key.encrypted_key, owner)
        };
        match opened {
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

/// What the start-up upgrade of old-format keys did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct UpgradeReport {
    /// Re-encrypted in the current format.
    pub upgraded: usize,
    /// Opening with neither master key: left as they are (they could not be
    /// used before either; their owners are told to replace them).
    pub undecryptable: usize,
}

/// Re-encrypts every key still in the old format in the current one, in one
/// transaction with those rows locked (instances starting together take
/// turns; the second finds nothing left).
pub async fn upgrade_legacy(
    pool: &PgPool,
    cipher: &KeyCipher,
) -> Result<UpgradeReport, sqlx::Error> {
    let mut report = UpgradeReport::default();
    let mut tx = pool.begin().await?;
    for key in api_keys::legacy_for_upgrade(&mut *tx).await? {
        match cipher.decrypt_legacy(&key.encrypted_key, key.owner()) {
            Ok(plain) => {
                let fresh = cipher.encrypt(plain.expose(), key.owner());
                api_keys::set_ciphertext(&mut *tx, &key.id, &fresh).await?;
                report.upgraded += 1;
            }
            Err(_) => report.undecryptable += 1,
        }
    }
    tx.commit().await?;
    Ok(report)
}
