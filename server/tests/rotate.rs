//! Master key rotation: every stored key re-encrypted in one transaction.

mod common;

use app::backend::crypto::{KeyCipher, KeyOwner, MasterKey};
use app::model::ApiKeyProvider;
use sqlx::PgPool;

async fn store(pool: &PgPool, cipher: &KeyCipher, user: &str, secret: &str) {
    sqlx::query("INSERT INTO users (id, email, password) VALUES ($1, $1 || '@x.test', 'h') ON CONFLICT DO NOTHING")
        .bind(user)
        .execute(pool)
        .await
        .unwrap();
    let owner = KeyOwner {
        user_id: user,
        provider: ApiKeyProvider::Openai,
    };
    sqlx::query(
        "INSERT INTO api_keys (id, user_id, provider, encrypted_key) VALUES ($1, $2, 'OPENAI', $3)",
    )
    .bind(format!("k-{secret}"))
    .bind(user)
    .bind(cipher.encrypt(secret, owner))
    .execute(pool)
    .await
    .unwrap();
}

async fn decrypt_all(pool: &PgPool, cipher: &KeyCipher) -> Vec<Result<String, String>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT user_id, encrypted_key FROM api_keys ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    rows.iter()
        .map(|(user, stored)| {
            let owner = KeyOwner {
                user_id: user,
                provider: ApiKeyProvider::Openai,
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
