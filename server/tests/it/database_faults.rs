//! PostgreSQL taken away from a running server (a private cluster, stopped
//! and started again): requests fail at once with a clear message, an answer
//! streaming meanwhile keeps streaming and is stored when the database is
//! back, the server recovers without a restart, and no message is lost.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use server::embedded_pg::EmbeddedPostgres;

async fn user_messages(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM messages WHERE role = 'USER'")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A server on a private cluster, and an answer of `prompt` it is writing
/// to a follower (the task returns the text it streamed).
struct Answering {
    _dir: tempfile::TempDir,
    cluster: std::path::PathBuf,
    config: app::backend::config::Config,
    db: server::database::Database,
    ada: common::Client,
    conversation: String,
    follower: tokio::task::JoinHandle<String>,
}

impl Answering {
    async fn start(prompt: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let config = common::config(&[("VIBEBOT_DATA_DIR", dir.path().to_str().unwrap())]);
        let db = server::database::open(&config)
            .await
            .expect("private database starts");
        server::database::migrate(&db.pool).await.unwrap();
        let (_fake, base) = common::spawn_app_with_fake_provider(db.pool.clone(), &[]).await;
        let ada = common::chat_user(&base, "ada@example.com").await;
        let conversation = ada.new_conversation("claude-sonnet-4-5").await;
        let sent = ada.send(&conversation, prompt).await;
        assert_eq!(sent.status, 200, "{sent:?}");
        let answer = common::answer_id(&sent);
        let follower = {
            let (ada, answer) = (ada.clone(), answer.clone());
            tokio::spawn(async move { common::follow(&ada, &answer).await.0 })
        };
        Answering {
            cluster: dir.path().join("postgres"),
            _dir: dir,
            config,
            db,
            ada,
            conversation,
            follower,
        }
    }

    async fn stop_database(&self) {
        EmbeddedPostgres::start(&self.cluster)
            .await
            .unwrap()
            .shut_down()
            .await
            .expect("PostgreSQL stops");
    }
}

#[tokio::test]
async fn a_database_outage_fails_fast_keeps_the_answer_and_recovers() {
    let answering = Answering::start("[tokens=60][delay=100] a long answer").await;
    let (ada, conversation, config) = (&answering.ada, &answering.conversation, &answering.config);
    tokio::time::sleep(Duration::from_millis(300)).await;

    // The database goes away mid-answer.
    answering.stop_database().await;

    // Within a few seconds every request is refused at once, saying why.
    let deadline = Instant::now() + Duration::from_secs(5);
    let refused = loop {
        let answer = ada.call("account", &[]).await;
        if answer.status == 503 && answer.headers.contains_key("retry-after") {
            break answer;
        }
        assert!(Instant::now() < deadline, "still not refused: {answer:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(
        refused.message().contains("temporarily unavailable"),
        "{refused:?}"
    );
    let started = Instant::now();
    let send = ada
        .send(conversation, "sent while the database is down")
        .await;
    assert_eq!(send.status, 503, "{send:?}");
    assert!(
        send.message().contains("temporarily unavailable"),
        "{send:?}"
    );
    assert!(
        started.elapsed() < config.pool.acquire_timeout,
        "refused without waiting for a pool connection"
    );
    let page = ada.get("/").await;
    assert_eq!(page.status, 503);
    let html = page.body.as_str().unwrap_or_default();
    assert!(html.contains("temporarily unavailable"), "{html}");
    // In the app's own style, which is still served.
    assert!(html.contains("href=\"/pkg/vibebot.css\""), "{html}");
    assert_eq!(ada.get("/healthz").await.status, 200);
    assert_eq!(ada.get("/readyz").await.status, 503);

    // The answer kept streaming from memory to its follower.
    let streamed = tokio::time::timeout(Duration::from_secs(30), answering.follower)
        .await
        .expect("the answer ends")
        .unwrap();
    assert_eq!(streamed.split_whitespace().count(), 60, "{streamed:?}");

    // The database comes back: served again within 5 s, without a restart.
    let restarted = EmbeddedPostgres::start(&answering.cluster)
        .await
        .expect("PostgreSQL starts");
    let back = Instant::now();
    loop {
        let answer = ada.call("account", &[]).await;
        if answer.status == 200 {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "not recovered: {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "recovered {} ms after PostgreSQL accepted connections",
        back.elapsed().as_millis()
    );

    // The answer was stored with all its text; the question sent during the
    // outage was refused (the browser keeps it in the box), nothing half-stored.
    let (text, metadata) = common::last_answer(&answering.db.pool, conversation).await;
    assert_eq!(text, streamed);
    assert_eq!(metadata["status"], "complete", "{metadata}");
    assert_eq!(user_messages(&answering.db.pool).await, 1);
    let again = ada.send(conversation, "sent after it came back").await;
    assert_eq!(again.status, 200, "{again:?}");
    common::wait_finished(&answering.db.pool).await;
    assert_eq!(user_messages(&answering.db.pool).await, 2);

    answering.db.close().await;
    drop(restarted);
}

/// An outage longer than the watchdog's `stale_after` (the answer could not
/// be saved all that time): the answer, still being written, is not marked
/// interrupted when the database returns, and ends complete.
#[tokio::test]
async fn an_outage_longer_than_the_watchdogs_patience_interrupts_nothing() {
    let stale_after = Duration::from_secs(2);
    let answering = Answering::start("[tokens=100][delay=100] a long answer").await;
    let watchdog = tokio::spawn(server::maintenance::run(
        answering.db.pool.clone(),
        app::backend::db::health::DatabaseHealth::watch(&answering.db.pool),
        stale_after,
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;

    answering.stop_database().await;
    tokio::time::sleep(stale_after + Duration::from_secs(1)).await;
    let restarted = EmbeddedPostgres::start(&answering.cluster)
        .await
        .expect("PostgreSQL starts");

    let streamed = tokio::time::timeout(Duration::from_secs(30), answering.follower)
        .await
        .expect("the answer ends")
        .unwrap();
    assert_eq!(streamed.split_whitespace().count(), 100, "{streamed:?}");
    let (text, metadata) = common::last_answer(&answering.db.pool, &answering.conversation).await;
    assert_eq!(metadata["status"], "complete", "{metadata}");
    assert_eq!(text, streamed);

    watchdog.abort();
    answering.db.close().await;
    drop(restarted);
}
