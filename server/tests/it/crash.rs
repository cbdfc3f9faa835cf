//! The `vibebot` process killed with SIGKILL in the middle of an answer: after
//! a restart the answer shows its last saved text with status
//! `error: interrupted`, and nothing stays `streaming`.

use crate::common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::PgPool;

/// A `vibebot serve` process on `port`, against the test's database.
fn start(database_url: &str, port: u16, fake: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_vibebot"))
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("VIBEBOT_ENCRYPTION_KEY", common::TEST_KEY)
        .env("VIBEBOT_ANTHROPIC_BASE_URL", format!("{fake}/anthropic/v1"))
        .env("VIBEBOT_OPENAI_BASE_URL", format!("{fake}/openai/v1"))
        .env("VIBEBOT_STALE_ANSWER_SECS", "2")
        .env("VIBEBOT_LOG", "warn")
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("vibebot starts")
}

async fn wait_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("vibebot did not become ready at {base}");
}

/// The answer's text so far (its saved chunks while it is being written).
async fn stored(pool: &PgPool, id: &str) -> (String, Value) {
    sqlx::query_as("SELECT content, metadata FROM messages_so_far WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// This test's own database, as a URL the child process can use.
fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").expect("DATABASE_URL is set for tests");
    let name = pool
        .connect_options()
        .get_database()
        .expect("a test database")
        .to_string();
    let (server, _) = base.rsplit_once('/').expect("a URL with a database");
    format!("{server}/{name}")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_answer_cut_by_sigkill_keeps_its_saved_text_and_says_interrupted(pool: PgPool) {
    let fake = fake_provider::spawn().await;
    let url = database_url(&pool);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&url, port, &fake);
    wait_ready(&base).await;

    let client = common::chat_user(&base, "kill@example.com").await;
    let conversation = client
        .call("conversations/create", &[("model", "claude-sonnet-4-5")])
        .await;
    let conversation = conversation.body["id"].as_str().unwrap().to_string();
    // 400 tokens, 25 ms apart: ten seconds of answer.
    let sent = client
        .call(
            "chat/send",
            &[
                ("conversation_id", &conversation),
                ("text", "[tokens=400] [delay=25] go"),
            ],
        )
        .await;
    assert_eq!(sent.status, 200, "{sent:?}");
    let answer = sent.body["assistant_message"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    // Let some text reach the database, then kill the server outright.
    let deadline = Instant::now() + Duration::from_secs(10);
    while stored(&pool, &answer).await.0.len() < 40 {
        assert!(
            Instant::now() < deadline,
            "no text was saved while streaming"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let (saved, metadata) = stored(&pool, &answer).await;
    assert_eq!(metadata["status"], "streaming", "nobody finished it");

    // A new server on the same database notices the orphan.
    let mut restarted = start(&url, port, &fake);
    wait_ready(&base).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    let (content, metadata) = loop {
        let (content, metadata) = stored(&pool, &answer).await;
        if metadata["status"] != "streaming" {
            break (content, metadata);
        }
        assert!(Instant::now() < deadline, "the answer stayed streaming");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    restarted.kill().unwrap();
    restarted.wait().unwrap();

    assert_eq!(metadata["status"], "error");
    assert!(
        metadata["error"]
            .as_str()
            .unwrap_or_default()
            .contains("interrupted"),
        "{metadata}"
    );
    assert_eq!(content, saved, "the last saved text is kept as it was");
    assert!(content.starts_with("tok1 tok2 "), "{content}");
    assert!(!content.contains("tok400"), "the answer was cut: {content}");
    let question: (String,) =
        sqlx::query_as("SELECT content FROM messages WHERE conversation_id = $1 AND role = 'USER'")
            .bind(&conversation)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(question.0, "[tokens=400] [delay=25] go");
}
