//! Encryption of users' provider API keys at rest: AES-256-GCM.
//!
//! Stored format: `v2:` + base64(nonce ‖ ciphertext ‖ tag), with a fresh random
//! 96-bit nonce per encryption. The associated data binds each ciphertext to
//! its row: the key's id, its owner's user id, its provider and its base URL.
//! A value copied into another row (even the same owner's) does not decrypt,
//! and a base URL changed behind the server's back (in SQL) makes the key
//! undecryptable instead of sending it to the new address.
//!
//! `v1:` values (bound to the owner and provider only) are read only by
//! [`KeyCipher::decrypt_legacy`], which `vibebot serve` and `vibebot keys
//! rotate` use to re-encrypt them as `v2:`; everything else refuses them.

use std::fmt;
use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use zeroize::Zeroizing;

use super::secret::Secret;
use crate::model::ApiKeyProvider;

const FORMAT_PREFIX: &str = "v2:";
const LEGACY_PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// The 32-byte master key. `Debug` never prints it; memory is wiped on drop.
#[derive(Clone)]
pub struct MasterKey(Zeroizing<[u8; 32]>);

impl MasterKey {
    /// Parses 32 bytes written in standard base64.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes =
            Zeroizing::new(BASE64.decode(text).map_err(|_| {
                "not valid base64 (expected 32 random bytes in base64)".to_string()
            })?);
        let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
            format!(
                "decodes to {} bytes; it must be exactly 32 bytes (e.g. `openssl rand -base64 32`)",
                bytes.len()
            )
        })?;
        Ok(MasterKey(Zeroizing::new(array)))
    }

    /// A fresh random key.
    pub fn generate() -> Self {
        let key = Aes256Gcm::generate_key(OsRng);
        MasterKey(Zeroizing::new(key.into()))
    }

    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE64.encode(self.0.as_slice()))
    }

    /// Reads the development key from `path`, creating it (mode 0600) on first use.
    /// Returns the key and whether it was just created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), String> {
        match fs::read_to_string(path) {
            Ok(text) => {
                let key = Self::from_base64(text.trim())
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                Ok((key, false))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir)
                        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
                let key = Self::generate();
                let mut file = fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(path)
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                file.write_all(key.to_base64().as_bytes())
                    .and_then(|_| file.write_all(b"\n"))
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                Ok((key, true))
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Where development keeps its generated key.
    pub fn dev_key_path(data_dir: &Path) -> PathBuf {
        data_dir.join("encryption.key")
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

/// Which key a ciphertext holds (its row); becomes the AEAD associated data.
#[derive(Debug, Clone, Copy)]
pub struct KeyOwner<'a> {
    /// The key's row id.
    pub key_id: &'a str,
    pub user_id: &'a str,
    pub provider: ApiKeyProvider,
    /// The OpenAI-compatible endpoint the key is sent to, if any.
    pub base_url: Option<&'a str>,
}

impl KeyOwner<'_> {
    /// Each part with its length first, so no two rows give the same bytes.
    fn associated_data(&self) -> Vec<u8> {
        let mut aad = b"vibebot/api_key/v2".to_vec();
        let parts = [
            Some(self.key_id),
            Some(self.user_id),
            Some(self.provider.as_str()),
            self.base_url,
        ];
        for part in parts {
            match part {
                Some(text) => {
                    aad.extend_from_slice(&(text.len() as u32).to_be_bytes());
                    aad.extend_from_slice(text.as_bytes());
                }
                None => aad.extend_from_slice(&u32::MAX.to_be_bytes()),
            }
        }
        aad
    }

    /// What `v1:` values were bound to.
    fn legacy_associated_data(&self) -> Vec<u8> {
        format!(
            "vibebot/api_key/{}/{}",
            self.user_id,
            self.provider.as_str()
        )
        .into_bytes()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CipherError {
    #[error("stored key has an unknown format")]
    UnknownFormat,
    #[error("stored key is in the old format (v1) and was not re-encrypted")]
    Legacy,
    #[error("stored key is damaged or belongs to another owner")]
    Undecryptable,
}

/// Encrypts and decrypts API keys with the master key. During a key rotation
/// it also holds the previous master key, used only to decrypt values that
/// `vibebot keys rotate` has not re-encrypted yet.
#[derive(Clone)]
pub struct KeyCipher {
    aead: Aes256Gcm,
    previous: Option<Aes256Gcm>,
}

impl fmt::Debug for KeyCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyCipher([redacted])")
    }
}

impl KeyCipher {
    pub fn new(master: &MasterKey) -> Self {
        KeyCipher {
            aead: aead(master),
            previous: None,
        }
    }

    /// Also accepts values encrypted with `previous` (while rotating).
    pub fn with_previous(mut self, previous: &MasterKey) -> Self {
        self.previous = Some(aead(previous));
        self
    }

    /// Encrypts `plaintext` for `owner`; every call uses a fresh nonce.
    pub fn encrypt(&self, plaintext: &str, owner: KeyOwner<'_>) -> String {
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = owner.associated_data();
        let sealed = self
            .aead
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            // AES-GCM fails only for inputs over 64 GiB, far beyond any API key.
            .expect("AES-GCM encryption of a short message cannot fail");
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        format!("{FORMAT_PREFIX}{}", BASE64.encode(blob))
    }

    /// Decrypts a stored value for `owner` with the current master key, else the
    /// previous one. The plaintext never shows in `Debug` and is wiped when dropped.
    pub fn decrypt(
        &self,
        stored: &str,
        owner: KeyOwner<'_>,
    ) -> Result<Secret<String>, CipherError> {
        if stored.starts_with(LEGACY_PREFIX) {
            return Err(CipherError::Legacy);
        }
        self.open_either(stored, FORMAT_PREFIX, &owner.associated_data())
    }

    /// Decrypts a `v1:` value (bound to the owner and provider only), to be
    /// re-encrypted as `v2:` at once.
    pub fn decrypt_legacy(
        &self,
        stored: &str,
        owner: KeyOwner<'_>,
    ) -> Result<Secret<String>, CipherError> {
        self.open_either(stored, LEGACY_PREFIX, &owner.legacy_associated_data())
    }

    /// Whether `stored` is in the old format.
    pub fn is_legacy(stored: &str) -> bool {
        stored.starts_with(LEGACY_PREFIX)
    }

    /// True when `stored` opens with the current master key (nothing to rotate).
    pub fn is_current(&self, stored: &str, owner: KeyOwner<'_>) -> bool {
        open(&self.aead, stored, FORMAT_PREFIX, &owner.associated_data()).is_ok()
    }

    fn open_either(
        &self,
        stored: &str,
        prefix: &str,
        aad: &[u8],
    ) -> Result<Secret<String>, CipherError> {
        match (open(&self.aead, stored, prefix, aad), &self.previous) {
            (Err(CipherError::Undecryptable), Some(previous)) => {
                open(previous, stored, prefix, aad)
            }
            (result, _) => result,
        }
    }
}

fn aead(master: &MasterKey) -> Aes256Gcm {
    Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(master.0.as_slice()))
}

fn open(
    aead: &Aes256Gcm,
    stored: &str,
    prefix: &str,
    aad: &[u8],
) -> Result<Secret<String>, CipherError> {
    let encoded = stored
        .strip_prefix(prefix)
        .ok_or(CipherError::UnknownFormat)?;
    let blob = BASE64
        .decode(encoded)
        .map_err(|_| CipherError::UnknownFormat)?;
    if blob.len() < NONCE_LEN + TAG_LEN {
        return Err(CipherError::UnknownFormat);
    }
    let (nonce, sealed) = blob.split_at(NONCE_LEN);
    let plain = aead
        .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
        .map_err(|_| CipherError::Undecryptable)?;
    String::from_utf8(plain)
        .map(Secret::new)
        .map_err(|_| CipherError::Undecryptable)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: KeyOwner<'static> = KeyOwner {
        key_id: "key1",
        user_id: "alice",
        provider: ApiKeyProvider::Claude,
        base_url: None,
    };

    fn cipher() -> KeyCipher {
        KeyCipher::new(&MasterKey::generate())
    }

    #[test]
    fn round_trips() {
        let c = cipher();
        let stored = c.encrypt("sk-ant-123", ALICE);
        assert!(stored.starts_with("v2:"));
        assert!(!stored.contains("sk-ant-123"));
        let plain = c.decrypt(&stored, ALICE).unwrap();
        assert_eq!(plain.expose(), "sk-ant-123");
        assert_eq!(format!("{plain:?}"), "[redacted]");
    }

    #[test]
    fn two_encryptions_differ() {
        let c = cipher();
        assert_ne!(c.encrypt("same", ALICE), c.encrypt("same", ALICE));
    }

    #[test]
    fn any_tampered_byte_is_refused() {
        let c = cipher();
        let stored = c.encrypt("sk-secret", ALICE);
        let blob = BASE64.decode(&stored[3..]).unwrap();
        for i in 0..blob.len() {
            let mut bad = blob.clone();
            bad[i] ^= 0x01;
            let tampered = format!("v2:{}", BASE64.encode(&bad));
            assert_eq!(
                c.decrypt(&tampered, ALICE),
                Err(CipherError::Undecryptable),
                "byte {i}"
            );
        }
    }

    #[test]
    fn another_owner_or_provider_cannot_decrypt() {
        let c = cipher();
        let stored = c.encrypt("sk-secret", ALICE);
        let bob = KeyOwner {
            user_id: "bob",
            ..ALICE
        };
        let openai = KeyOwner {
            provider: ApiKeyProvider::Openai,
            ..ALICE
        };
        assert_eq!(c.decrypt(&stored, bob), Err(CipherError::Undecryptable));
        assert_eq!(c.decrypt(&stored, openai), Err(CipherError::Undecryptable));
    }

    #[test]
    fn another_row_or_base_url_cannot_decrypt() {
        let c = cipher();
        let with_url = KeyOwner {
            provider: ApiKeyProvider::Openai,
            base_url: Some("https://llm.example.com/v1"),
            ..ALICE
        };
        let stored = c.encrypt("sk-secret", with_url);
        assert!(c.decrypt(&stored, with_url).is_ok());
        for other in [
            KeyOwner {
                key_id: "key2",
                ..with_url
            },
            KeyOwner {
                base_url: Some("https://attacker.example/v1"),
                ..with_url
            },
            KeyOwner {
                base_url: None,
                ..with_url
            },
        ] {
            assert_eq!(
                c.decrypt(&stored, other),
                Err(CipherError::Undecryptable),
                "{other:?}"
            );
        }
    }

    #[test]
    fn old_format_values_open_only_to_be_re_encrypted() {
        let key = MasterKey::generate();
        let c = KeyCipher::new(&key);
        // A v1 value, as the earlier format wrote it.
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = aead(&key)
            .encrypt(
                &nonce,
                Payload {
                    msg: b"sk-old".as_slice(),
                    aad: b"vibebot/api_key/alice/CLAUDE",
                },
            )
            .unwrap();
        let legacy = format!("v1:{}", BASE64.encode([nonce.as_slice(), &sealed].concat()));
        assert!(KeyCipher::is_legacy(&legacy));
        assert_eq!(c.decrypt(&legacy, ALICE), Err(CipherError::Legacy));
        assert_eq!(c.decrypt_legacy(&legacy, ALICE).unwrap().expose(), "sk-old");
        let bob = KeyOwner {
            user_id: "bob",
            ..ALICE
        };
        assert_eq!(
            c.decrypt_legacy(&legacy, bob),
            Err(CipherError::Undecryptable)
        );
    }

    #[test]
    fn another_master_key_cannot_decrypt() {
        let stored = cipher().encrypt("sk-secret", ALICE);
        assert_eq!(
            cipher().decrypt(&stored, ALICE),
            Err(CipherError::Undecryptable)
        );
    }

    #[test]
    fn rotation_round_trip() {
        let (old_key, new_key) = (MasterKey::generate(), MasterKey::generate());
        let old = KeyCipher::new(&old_key);
        let stored_old = old.encrypt("sk-rotate-me", ALICE);

        // During the switch the server accepts both keys.
        let switching = KeyCipher::new(&new_key).with_previous(&old_key);
        assert!(!switching.is_current(&stored_old, ALICE));
        let plain = switching.decrypt(&stored_old, ALICE).unwrap();
        let stored_new = switching.encrypt(plain.expose(), ALICE);
        assert!(switching.is_current(&stored_new, ALICE));

        // Afterwards only the new key is needed, and the old one no longer opens anything new.
        let after = KeyCipher::new(&new_key);
        assert_eq!(
            after.decrypt(&stored_new, ALICE).unwrap().expose(),
            "sk-rotate-me"
        );
        assert_eq!(
            after.decrypt(&stored_old, ALICE),
            Err(CipherError::Undecryptable)
        );
        assert_eq!(
            old.decrypt(&stored_new, ALICE),
            Err(CipherError::Undecryptable)
        );
    }

    #[test]
    fn malformed_values_are_refused_not_panicked_on() {
        let c = cipher();
        for bad in ["", "v2:", "v2:!!!", "v3:AAAA", "sk-plain", "v2:AAAA"] {
            assert_eq!(
                c.decrypt(bad, ALICE),
                Err(CipherError::UnknownFormat),
                "{bad}"
            );
        }
    }

    #[test]
    fn dev_key_file_is_created_once_with_owner_only_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = MasterKey::dev_key_path(dir.path());
        let (first, created) = MasterKey::load_or_create(&path).unwrap();
        assert!(created);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (second, created_again) = MasterKey::load_or_create(&path).unwrap();
        assert!(!created_again);
        assert_eq!(first.to_base64(), second.to_base64());
    }
}

/// Random stored values and tampered ciphertexts (`PROPTEST_CASES` for longer runs).
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::ApiKeyProvider;

    fn cipher() -> KeyCipher {
        KeyCipher::new(
            &MasterKey::from_base64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap(),
        )
    }

    fn owner(user_id: &str) -> KeyOwner<'_> {
        KeyOwner {
            key_id: "key1",
            user_id,
            provider: ApiKeyProvider::Claude,
            base_url: None,
        }
    }

    proptest! {
        #[test]
        fn any_stored_text_is_refused_not_a_panic(stored in ".{0,200}") {
            prop_assert!(cipher().decrypt(&stored, owner("u1")).is_err());
        }

        #[test]
        fn any_prefixed_base64_is_refused(body in "[A-Za-z0-9+/=]{0,120}") {
            let stored = format!("{FORMAT_PREFIX}{body}");
            prop_assert!(cipher().decrypt(&stored, owner("u1")).is_err());
        }

        #[test]
        fn keys_round_trip_and_any_changed_byte_is_refused(
            key in ".{1,200}",
            flip in any::<prop::sample::Index>(),
            bit in 0u8..8,
        ) {
            let cipher = cipher();
            let stored = cipher.encrypt(&key, owner("u1"));
            let opened = cipher.decrypt(&stored, owner("u1")).unwrap();
            prop_assert_eq!(opened.expose().as_str(), key.as_str());
            // Another owner cannot open it.
            prop_assert!(cipher.decrypt(&stored, owner("u2")).is_err());
            let mut blob = BASE64.decode(stored.strip_prefix(FORMAT_PREFIX).unwrap()).unwrap();
            let i = flip.index(blob.len());
            blob[i] ^= 1 << bit;
            let tampered = format!("{FORMAT_PREFIX}{}", BASE64.encode(blob));
            prop_assert!(cipher.decrypt(&tampered, owner("u1")).is_err());
        }
    }
}
