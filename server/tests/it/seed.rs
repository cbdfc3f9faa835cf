//! `vibebot db seed` loads the spec's sample data, correctly and only once.

use crate::common;

use app::backend::password::verify_password;
use app::model::ApiKeyProvider;
use server::seed::{self, ADMIN_EMAIL, PASSWORD, SAMPLE_KEYS, USER_EMAIL};
use sqlx::PgPool;

async fn counts(pool: &PgPool) -> Vec<i64> {
    let mut out = Vec::new();
    for table in ["users", "api_keys", "conversations", "messages"] {
        out.push(
            sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(pool)
                .await
                .unwrap(),
        );
    }
    out
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn seeded_users_sign_in_with_the_sample_password_and_have_their_roles(pool: PgPool) {
    seed::seed(&pool, &common::cipher()).await.unwrap();

    for (email, role) in [(ADMIN_EMAIL, "ADMIN"), (USER_EMAIL, "USER")] {
        let (hash, actual_role): (String, String) =
            sqlx::query_as("SELECT password, role::text FROM users WHERE email = $1")
                .bind(email)
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(actual_role, role, "{email}");
        assert!(hash.starts_with("$2b$10$"), "bcrypt cost 10, got {hash}");
        assert!(verify_password(PASSWORD.into(), hash.clone())
            .await
            .unwrap());
        assert!(!verify_password("password124".into(), hash).await.unwrap());
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn sample_keys_are_stored_encrypted_and_decrypt_to_the_sample_values(pool: PgPool) {
    seed::seed(&pool, &common::cipher()).await.unwrap();

    let user_id: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(USER_EMAIL)
        .fetch_one(&pool)
        .await
        .unwrap();
    let stored = app::backend::db::api_keys::list_for_user(&pool, &user_id)
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    for (provider, name, plaintext) in SAMPLE_KEYS {
        let key = stored
            .iter()
            .find(|k| k.provider == provider)
            .expect("one key per provider");
        assert_eq!(key.name.as_deref(), Some(name));
        assert!(key.encrypted_key.starts_with("v2:"));
        assert!(!key.encrypted_key.contains(plaintext));
        let decrypted = common::cipher()
            .decrypt(&key.encrypted_key, key.owner())
            .unwrap();
        assert_eq!(decrypted.expose(), plaintext);
    }
    let providers: Vec<ApiKeyProvider> = stored.iter().map(|k| k.provider).collect();
    assert!(
        providers.contains(&ApiKeyProvider::Claude) && providers.contains(&ApiKeyProvider::Openai)
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn conversations_have_turns_a_system_prompt_and_answer_metadata(pool: PgPool) {
    seed::seed(&pool, &common::cipher()).await.unwrap();

    let with_prompt: i64 =
        sqlx::query_scalar("SELECT count(*) FROM conversations WHERE system_prompt IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(with_prompt, 1);

    let per_conversation: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE role = 'USER'), count(*) FILTER (WHERE role = 'ASSISTANT')
         FROM messages GROUP BY conversation_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        per_conversation.len(),
        2,
        "the spec's two sample conversations"
    );
    assert!(per_conversation.iter().all(|&(u, a)| u >= 1 && a >= u));

    // Chains from a root to the current leaf, one with a regenerated answer
    // beside the one shown (a branch).
    let shape: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE m.parent_id IS NULL),
                (SELECT count(*) FROM message_path(c.id, c.current_leaf_id, 1000)),
                count(*)
         FROM conversations c JOIN messages m ON m.conversation_id = c.id
         GROUP BY c.id ORDER BY count(*)",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(shape, [(1, 2, 3), (1, 4, 4)], "(roots, shown, messages)");

    let bad_answers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM messages WHERE role = 'ASSISTANT' AND (user_id IS NOT NULL
           OR (metadata->>'input_tokens')::int IS NULL OR (metadata->>'output_tokens')::int IS NULL
           OR (metadata->>'cost_usd')::float8 IS NULL OR metadata->>'model' IS NULL)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        bad_answers, 0,
        "every answer has tokens, cost and model, and no user"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn seeding_twice_changes_nothing(pool: PgPool) {
    let first = seed::seed(&pool, &common::cipher()).await.unwrap();
    assert_eq!(
        (
            first.users,
            first.api_keys,
            first.conversations,
            first.messages
        ),
        (2, 2, 2, 7)
    );
    let after_first = counts(&pool).await;

    let second = seed::seed(&pool, &common::cipher()).await.unwrap();
    assert_eq!(second, seed::SeedReport::default());
    assert_eq!(counts(&pool).await, after_first);
}
