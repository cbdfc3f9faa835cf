//! The API key vault over real HTTP: encrypted storage, masking, ownership,
//! the SSRF guard, rotation, and "test key" against the repo's fake provider.

use crate::common;

use common::{spawn_app_with, Answer, Client};
use sqlx::PgPool;

const CLAUDE_KEY: &str = "sk-ant-api03-live-secret-value-1234567890-wxyz";
const OPENAI_KEY: &str = "sk-proj-live-secret-value-0987654321-abcd";

/// The app, wired to a fake provider; and a signed-in user.
async fn app_and_user(pool: PgPool, extra: &[(&str, &str)]) -> (String, Client) {
    let (fake, base) = common::spawn_app_with_fake_provider(pool, extra).await;
    let client = Client::new(&base);
    assert_eq!(
        client
            .register("ada@example.com", "correct horse battery")
            .await
            .status,
        200
    );
    (fake, client)
}

async fn add(client: &Client, provider: &str, key: &str, name: &str, base_url: &str) -> Answer {
    client
        .call(
            "keys/add",
            &[
                ("provider", provider),
                ("key", key),
                ("name", name),
                ("base_url", base_url),
            ],
        )
        .await
}

fn assert_no_secret(answers: &[&Answer], secrets: &[&str]) {
    for answer in answers {
        let text = answer.body.to_string();
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "a response carried a plaintext key: {text}"
            );
            // Not even a long piece of it.
            assert!(
                !text.contains(&secret[..20]),
                "a response carried part of a key: {text}"
            );
        }
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn keys_are_stored_encrypted_and_shown_masked(pool: PgPool) {
    let (_fake, client) = app_and_user(pool.clone(), &[]).await;

    let added = add(&client, "CLAUDE", &format!("  {CLAUDE_KEY}\n"), "Work", "").await;
    assert_eq!(added.status, 200, "{added:?}");
    assert_eq!(added.body["hint"], "sk-ant-…wxyz");
    assert_eq!(added.body["name"], "Work");
    assert_eq!(added.body["is_default"], true);

    let stored: String = sqlx::query_scalar("SELECT encrypted_key FROM api_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(stored.starts_with("v2:"));
    assert!(!stored.contains("live-secret"));

    let list = client.call("keys/list", &[]).await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body.as_array().unwrap().len(), 1);
    assert_no_secret(&[&added, &list], &[CLAUDE_KEY]);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn rename_replace_default_and_delete(pool: PgPool) {
    let (_fake, client) = app_and_user(pool, &[]).await;
    let first = add(&client, "CLAUDE", CLAUDE_KEY, "first", "").await;
    let second = add(
        &client,
        "CLAUDE",
        "sk-ant-api03-second-secret-key-0000-zzzz",
        "second",
        "",
    )
    .await;
    let (first_id, second_id) = (
        first.body["id"].as_str().unwrap().to_string(),
        second.body["id"].as_str().unwrap().to_string(),
    );
    assert_eq!(second.body["is_default"], false, "one default per provider");

    let renamed = client
        .call("keys/rename", &[("id", &first_id), ("name", "  personal ")])
        .await;
    assert_eq!(renamed.body["name"], "personal");
    let replaced = client
        .call(
            "keys/replace",
            &[
                ("id", &first_id),
                ("key", "sk-ant-api03-rotated-by-user-9999-qrst"),
            ],
        )
        .await;
    assert_eq!(replaced.status, 200, "{replaced:?}");
    assert_eq!(replaced.body["hint"], "sk-ant-…qrst");

    assert_eq!(
        client
            .call("keys/default", &[("id", &second_id)])
            .await
            .status,
        200
    );
    let list = client.call("keys/list", &[]).await;
    let defaults: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["is_default"] == true)
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert_eq!(defaults, vec![second_id.as_str()]);

    // Deleting the default hands the role to the remaining key.
    assert_eq!(
        client
            .call("keys/delete", &[("id", &second_id)])
            .await
            .status,
        200
    );
    let list = client.call("keys/list", &[]).await;
    let keys = list.body.as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["id"], first_id.as_str());
    assert_eq!(keys[0]["is_default"], true);
    assert_no_secret(
        &[&first, &second, &renamed, &replaced, &list],
        &[CLAUDE_KEY],
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn another_user_cannot_touch_my_key(pool: PgPool) {
    let (_fake, alice) = app_and_user(pool, &[]).await;
    let key_id = add(&alice, "CLAUDE", CLAUDE_KEY, "mine", "").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();

    let mallory = Client::new(&alice.base);
    mallory
        .register("mallory@example.com", "correct horse battery")
        .await;
    let attempts = [
        mallory
            .call("keys/rename", &[("id", &key_id), ("name", "pwned")])
            .await,
        mallory
            .call(
                "keys/replace",
                &[("id", &key_id), ("key", "sk-ant-attacker-key-000000")],
            )
            .await,
        mallory.call("keys/default", &[("id", &key_id)]).await,
        mallory.call("keys/test", &[("id", &key_id)]).await,
        mallory.call("keys/delete", &[("id", &key_id)]).await,
    ];
    for attempt in &attempts {
        assert_eq!(attempt.status, 404, "{attempt:?}");
        assert_eq!(attempt.kind(), "not_found");
    }
    let theirs = mallory.call("keys/list", &[]).await;
    assert_eq!(theirs.body, serde_json::json!([]));

    let mine = alice.call("keys/list", &[]).await;
    assert_eq!(mine.body[0]["name"], "mine");
    assert_eq!(mine.body[0]["hint"], "sk-ant-…wxyz");
    let refs: Vec<&Answer> = attempts.iter().chain([&theirs, &mine]).collect();
    assert_no_secret(&refs, &[CLAUDE_KEY]);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn guests_cannot_store_keys(pool: PgPool) {
    let (_fake, client) = app_and_user(pool.clone(), &[]).await;
    sqlx::query("UPDATE users SET role = 'GUEST'")
        .execute(&pool)
        .await
        .unwrap();
    let answer = add(&client, "CLAUDE", CLAUDE_KEY, "", "").await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.message(), "guests have read-only access");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM api_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn input_is_validated(pool: PgPool) {
    let (_fake, client) = app_and_user(pool, &[]).await;
    let cases = [
        (
            add(&client, "GEMINI", CLAUDE_KEY, "", "").await,
            "choose a provider",
        ),
        (
            add(&client, "CLAUDE", "   ", "", "").await,
            "paste the API key",
        ),
        (add(&client, "CLAUDE", "sk a b", "", "").await, "spaces"),
        (
            add(&client, "CLAUDE", CLAUDE_KEY, "", "https://example.com/v1").await,
            "only for OpenAI-compatible",
        ),
        (
            add(&client, "OPENAI", OPENAI_KEY, "", "ftp://example.com").await,
            "http",
        ),
        (
            add(&client, "OPENAI", OPENAI_KEY, &"n".repeat(101), "").await,
            "at most 100",
        ),
    ];
    for (answer, fragment) in &cases {
        assert_eq!(answer.status, 400, "{answer:?}");
        assert!(
            answer.message().contains(fragment),
            "{} should mention {fragment}",
            answer.message()
        );
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn private_endpoints_are_refused_by_default(pool: PgPool) {
    let (_fake, client) = app_and_user(pool, &[]).await;
    for url in [
        "http://127.0.0.1:11434/v1",
        "http://169.254.169.254/latest",
        "http://10.0.0.1/v1",
        "http://localhost:8080/v1",
        "http://[::1]/v1",
    ] {
        let answer = add(&client, "OPENAI", OPENAI_KEY, "", url).await;
        assert_eq!(answer.status, 400, "{url}: {answer:?}");
        assert!(
            answer.message().contains("private or internal network"),
            "{url}: {}",
            answer.message()
        );
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_operator_can_allow_private_endpoints(pool: PgPool) {
    let (_fake, client) = app_and_user(pool, &[("VIBEBOT_ALLOW_PRIVATE_ENDPOINTS", "true")]).await;
    for url in [
        "http://127.0.0.1:11434/v1",
        "http://10.0.0.1/v1",
        "http://localhost:8080/v1",
    ] {
        let answer = add(&client, "OPENAI", OPENAI_KEY, "", url).await;
        assert_eq!(answer.status, 200, "{url}: {answer:?}");
        assert_eq!(answer.body["base_url"], url);
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn test_key_reports_success_and_each_error_in_plain_words(pool: PgPool) {
    let (fake, client) = app_and_user(pool, &[("VIBEBOT_ALLOW_PRIVATE_ENDPOINTS", "true")]).await;
    let compatible = format!("{fake}/openai/v1");
    let cases: [(&str, &str, &str, u16, &str); 9] = [
        (
            "CLAUDE",
            CLAUDE_KEY,
            "",
            200,
            "works: 4 chat models available",
        ),
        (
            "OPENAI",
            OPENAI_KEY,
            "",
            200,
            "works: 5 chat models available",
        ),
        (
            "OPENAI",
            "sk-compatible-endpoint-key-1",
            &compatible,
            200,
            "works: 5 chat models available",
        ),
        (
            "CLAUDE",
            "sk-ant-invalid-key-000000000",
            "",
            503,
            "rejected the API key",
        ),
        (
            "OPENAI",
            "sk-invalid-key-0000000000000",
            "",
            503,
            "rejected the API key",
        ),
        (
            "CLAUDE",
            "sk-ant-forbidden-key-0000000",
            "",
            503,
            "no permission",
        ),
        (
            "OPENAI",
            "sk-ratelimited-key-000000000",
            "",
            503,
            "rate limited by the provider; try again in 7 seconds",
        ),
        (
            "CLAUDE",
            "sk-ant-overloaded-key-000000",
            "",
            503,
            "overloaded",
        ),
        // A proxy that echoes the key it was sent: its words are passed on
        // without it.
        (
            "OPENAI",
            "sk-echo-key-0000000000000000",
            "",
            503,
            "upstream refused Authorization: Bearer [redacted] (key [redacted])",
        ),
    ];
    for (provider, key, base_url, status, fragment) in cases {
        let id = add(&client, provider, key, "", base_url).await.body["id"]
            .as_str()
            .unwrap()
            .to_string();
        let answer = client.call("keys/test", &[("id", &id)]).await;
        assert_eq!(answer.status, status, "{key}: {answer:?}");
        let text = if status == 200 {
            answer.body.as_str().unwrap().to_string()
        } else {
            answer.message()
        };
        assert!(
            text.contains(fragment),
            "{key}: {text:?} should mention {fragment}"
        );
        assert!(
            !text.contains(&key[..12]),
            "{key}: the key leaked into {text}"
        );
    }

    // A server that is not there.
    let id = add(&client, "OPENAI", OPENAI_KEY, "", "http://127.0.0.1:9/v1")
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let answer = client.call("keys/test", &[("id", &id)]).await;
    assert_eq!(answer.status, 503);
    assert!(
        answer.message().contains("cannot reach 127.0.0.1"),
        "{}",
        answer.message()
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_saved_endpoint_is_checked_again_at_request_time(pool: PgPool) {
    // Saved while the operator allowed private endpoints, used after they stopped.
    let (fake, allowed) =
        app_and_user(pool.clone(), &[("VIBEBOT_ALLOW_PRIVATE_ENDPOINTS", "true")]).await;
    let id = add(
        &allowed,
        "OPENAI",
        OPENAI_KEY,
        "",
        &format!("{fake}/openai/v1"),
    )
    .await
    .body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cookie = allowed.session_cookie().unwrap();

    let strict_base = spawn_app_with(pool, &[]).await;
    let strict = Client::new(&strict_base);
    strict.jar.add_cookie_str(
        &format!("vibebot_session={cookie}"),
        &strict_base.parse().unwrap(),
    );
    let answer = strict.call("keys/test", &[("id", &id)]).await;
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(
        answer.message().contains("private or internal network"),
        "{}",
        answer.message()
    );
}

/// Collects every log line written while it is the thread's default subscriber.
#[derive(Clone, Default)]
struct LogCapture(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn plaintext_keys_never_reach_the_logs(pool: PgPool) {
    // Global, because the server's tasks may run on any thread; every test of
    // this file then logs into the capture, which only strengthens the check.
    static CAPTURE: std::sync::OnceLock<LogCapture> = std::sync::OnceLock::new();
    let capture = CAPTURE
        .get_or_init(|| {
            let capture = LogCapture::default();
            let writer = capture.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber)
                .expect("no other global subscriber");
            capture
        })
        .clone();

    let (_fake, client) = app_and_user(pool, &[]).await;
    let bad = "sk-ant-invalid-but-secret-key-4242424242";
    let id = add(&client, "CLAUDE", CLAUDE_KEY, "logged", "").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bad_id = add(&client, "CLAUDE", bad, "bad", "").await.body["id"]
        .as_str()
        .unwrap()
        .to_string();
    client.call("keys/test", &[("id", &id)]).await;
    client.call("keys/test", &[("id", &bad_id)]).await;
    client
        .call("keys/replace", &[("id", &id), ("key", OPENAI_KEY)])
        .await;
    client.call("keys/list", &[]).await;
    client.call("keys/delete", &[("id", &id)]).await;

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/api/keys/add"),
        "the capture saw the requests:\n{logs}"
    );
    for secret in [CLAUDE_KEY, bad, OPENAI_KEY] {
        assert!(
            !logs.contains(&secret[..16]),
            "a key reached the logs:\n{logs}"
        );
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn first_keys_added_at_once_are_all_stored_and_one_is_the_default(pool: PgPool) {
    use app::backend::db::api_keys::{insert_concurrently, NewKey};
    sqlx::query("INSERT INTO users (id, email, password) VALUES ('u1', 'racer@x.test', 'h')")
        .execute(&pool)
        .await
        .unwrap();
    // Each of these is the first Claude key when it starts: all try to become
    // the default at once, in separate connections.
    let hints: Vec<String> = (0..8).map(|i| format!("sk-…{i:04}")).collect();
    let ids: Vec<String> = (0..8).map(|i| format!("key{i}")).collect();
    let adds = hints.iter().zip(&ids).map(|(hint, id)| {
        insert_concurrently(
            &pool,
            NewKey {
                id,
                user_id: "u1",
                provider: app::model::ApiKeyProvider::Claude,
                encrypted_key: "v2:not-a-real-ciphertext",
                key_hint: hint,
                name: Some(hint),
                base_url: None,
            },
        )
    });
    for added in futures::future::join_all(adds).await {
        added.expect("stored");
    }
    let (stored, defaults): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(*) FILTER (WHERE is_default) FROM api_keys WHERE provider = 'CLAUDE'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((stored, defaults), (8, 1));
}

// --- A ciphertext opens only in its own row, for its own base URL (issue #25).

async fn test_key(client: &Client, id: &str) -> Answer {
    client.call("keys/test", &[("id", id)]).await
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_key_opens_only_in_its_row_and_for_its_base_url(pool: PgPool) {
    let (fake, client) =
        app_and_user(pool.clone(), &[("VIBEBOT_ALLOW_PRIVATE_ENDPOINTS", "true")]).await;
    let id = |answer: Answer| answer.body["id"].as_str().unwrap().to_string();
    let first = id(add(&client, "CLAUDE", "sk-ant-first-key-00000000000", "A", "").await);
    let second = id(add(&client, "CLAUDE", "sk-ant-second-key-0000000000", "B", "").await);

    // Someone with write access to the database copies one ciphertext into
    // the same owner's other row.
    sqlx::query(
        "UPDATE api_keys SET encrypted_key = (SELECT encrypted_key FROM api_keys WHERE id = $1)
         WHERE id = $2",
    )
    .bind(&first)
    .bind(&second)
    .execute(&pool)
    .await
    .unwrap();
    let copied = test_key(&client, &second).await;
    assert_eq!(copied.status, 400, "{copied:?}");
    assert!(
        copied.message().contains("cannot be decrypted"),
        "{copied:?}"
    );
    assert_eq!(test_key(&client, &first).await.status, 200);

    // ... or points a key at an address they control: the key is not sent.
    let (elsewhere, served) = fake_provider::spawn_counting().await;
    let compatible = id(add(
        &client,
        "OPENAI",
        "sk-compatible-key-0000000000",
        "C",
        &format!("{fake}/openai/v1"),
    )
    .await);
    assert_eq!(test_key(&client, &compatible).await.status, 200);
    sqlx::query("UPDATE api_keys SET base_url = $2 WHERE id = $1")
        .bind(&compatible)
        .bind(format!("{elsewhere}/openai/v1"))
        .execute(&pool)
        .await
        .unwrap();
    let moved = test_key(&client, &compatible).await;
    assert_eq!(moved.status, 400, "{moved:?}");
    assert!(moved.message().contains("cannot be decrypted"), "{moved:?}");
    let chat = client
        .call(
            "conversations/create",
            &[("model", "some-compatible-model")],
        )
        .await;
    let conversation = chat.body["id"].as_str().unwrap();
    let sent = client
        .call(
            "chat/send",
            &[("conversation_id", conversation), ("text", "hello")],
        )
        .await;
    assert_eq!(sent.status, 400, "{sent:?}");
    assert!(sent.message().contains("cannot be decrypted"), "{sent:?}");
    assert_eq!(
        served.asked.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the key went to the new address"
    );
}
