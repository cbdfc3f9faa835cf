//! Master key rotation: every stored key re-encrypted in one transaction.

use crate::common;

use app::backend::crypto::{KeyCipher, KeyOwner, MasterKey};
use app::model::ApiKeyProvider;
use sqlx::PgPool;

async fn store(pool: &PgPool, cipher: &KeyCipher, user: &str, secret: &str) {
    sqlx::query(
        "INSERT INTO users (id, email, password) VALUES ($1, $1 || '@x.test', 'h') ON \
                 CONFLICT DO NOTHING",
    )
    .bind(user)
    .execute(pool)
    .await
    .unwrap();
    let id = format!("k-{secret}");
    let owner = KeyOwner {
        key_id: &id,
        user_id: user,
        provider: ApiKeyProvider::Openai,
        base_url: None,
    };
    sqlx::query(
        "INSERT INTO api_keys (id, user_id, provider, encrypted_key) VALUES ($1, $2, 'OPENAI', $3)",
    )
    .bind(&id)
    .bind(user)
    .bind(cipher.encrypt(secret, owner))
    .execute(pool)
    .await
    .unwrap();
}

async fn decrypt_all(pool: &PgPool, cipher: &KeyCipher) -> Vec<Result<String, String>> {
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT id, user_id, encrypted_key FROM api_keys ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    rows.iter()
        .map(|(id, user, stored)| {
            let owner = KeyOwner {
                key_id: id,
                user_id: user,
                provider: ApiKeyProvider::Openai,
                base_url: None,
            };
            cipher
                .decrypt(stored, owner)
                .map(|p| p.expose().clone())
                .map_err(|e| e.to_string())
        })
        .collect()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn rotation_re_encrypts_every_key_and_reports_how_many(pool: PgPool) {
    let (old, new) = (MasterKey::generate(), MasterKey::generate());
    let old_cipher = KeyCipher::new(&old);
    store(&pool, &old_cipher, "alice", "sk-alice-1").await;
    store(&pool, &old_cipher, "alice", "sk-alice-2").await;
    store(&pool, &old_cipher, "bob", "sk-bob-1").await;

    let switching = KeyCipher::new(&new).with_previous(&old);
    let report = server::rotate::rotate(&pool, &switching).await.unwrap();
    assert_eq!(report.rotated, 3);
    assert_eq!(report.already_current, 0);

    let only_new = KeyCipher::new(&new);
    assert_eq!(
        decrypt_all(&pool, &only_new).await,
        vec![
            Ok("sk-alice-1".into()),
            Ok("sk-alice-2".into()),
            Ok("sk-bob-1".into())
        ]
    );
    // Running it again changes nothing.
    let again = server::rotate::rotate(&pool, &switching).await.unwrap();
    assert_eq!((again.rotated, again.already_current), (0, 3));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn rotation_is_all_or_nothing(pool: PgPool) {
    let (old, new, stranger) = (
        MasterKey::generate(),
        MasterKey::generate(),
        MasterKey::generate(),
    );
    store(&pool, &KeyCipher::new(&old), "alice", "sk-alice-1").await;
    store(
        &pool,
        &KeyCipher::new(&stranger),
        "alice",
        "sk-unknown-master",
    )
    .await;

    let switching = KeyCipher::new(&new).with_previous(&old);
    let err = server::rotate::rotate(&pool, &switching).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("1 stored key(s) open with neither"),
        "{err}"
    );
    // Nothing changed: the old key still opens what it opened.
    let results = decrypt_all(&pool, &KeyCipher::new(&old)).await;
    assert!(results.contains(&Ok("sk-alice-1".into())));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn old_format_keys_are_re_encrypted_bound_to_their_row(pool: PgPool) {
    use aes_gcm::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
    use base64::Engine;

    let master = MasterKey::from_base64(common::TEST_KEY).unwrap();
    let cipher = KeyCipher::new(&master);
    sqlx::query("INSERT INTO users (id, email, password) VALUES ('alice', 'alice@x.test', 'h')")
        .execute(&pool)
        .await
        .unwrap();
    // Two keys as the earlier format wrote them (bound to owner and provider
    // only), and one no master key opens.
    let aead = aes_gcm::Aes256Gcm::new_from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(common::TEST_KEY)
            .unwrap(),
    )
    .unwrap();
    let legacy = |secret: &str| {
        let nonce = aes_gcm::Aes256Gcm::generate_nonce(&mut OsRng);
        let sealed = aead
            .encrypt(
                &nonce,
                Payload {
                    msg: secret.as_bytes(),
                    aad: b"vibebot/api_key/alice/OPENAI",
                },
            )
            .unwrap();
        format!(
            "v1:{}",
            base64::engine::general_purpose::STANDARD.encode([nonce.as_slice(), &sealed].concat())
        )
    };
    for (id, stored) in [
        ("k1", legacy("sk-old-one")),
        ("k2", legacy("sk-old-two")),
        ("k3", "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_string()),
    ] {
        sqlx::query(
            "INSERT INTO api_keys (id, user_id, provider, encrypted_key) VALUES ($1, 'alice', \
             'OPENAI', $2)",
        )
        .bind(id)
        .bind(stored)
        .execute(&pool)
        .await
        .unwrap();
    }
    // Not usable as they are: only the upgrade reads the old format.
    assert_eq!(
        decrypt_all(&pool, &cipher).await[0],
        Err("stored key is in the old format (v1) and was not re-encrypted".into())
    );

    let report = server::rotate::upgrade_legacy(&pool, &cipher)
        .await
        .unwrap();
    assert_eq!(
        report,
        server::rotate::UpgradeReport {
            upgraded: 2,
            undecryptable: 1
        }
    );
    let opened = decrypt_all(&pool, &cipher).await;
    assert_eq!(opened[0], Ok("sk-old-one".into()));
    assert_eq!(opened[1], Ok("sk-old-two".into()));
    assert!(opened[2].is_err());
    // A second instance starting finds nothing left to do.
    let again = server::rotate::upgrade_legacy(&pool, &cipher)
        .await
        .unwrap();
    assert_eq!(again.upgraded, 0);
}
