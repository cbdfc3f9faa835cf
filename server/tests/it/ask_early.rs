//! A new question is asked of the provider while it is being stored (the
//! provider's time to first token hides the database's): the provider is
//! asked once per answer, a send that is refused asks nothing or has its
//! early request cancelled, and racing sends still get one answer.

use crate::common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::{answer_id, chat_user, stored};
use sqlx::PgPool;

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn each_answer_asks_the_provider_once(pool: PgPool) {
    let (served, base) = common::spawn_app_with_counted_provider(pool.clone(), &[]).await;
    let ada = chat_user(&base, "ada@example.com").await;
    let conversation = ada.new_conversation("claude-sonnet-4-5").await;
    for i in 1..=5 {
        let sent = ada.send(&conversation, &format!("question {i}")).await;
        assert_eq!(sent.status, 200, "{sent:?}");
        let (text, metadata) = stored(&pool, &answer_id(&sent)).await;
        assert_eq!(metadata["status"], "complete", "{metadata}");
        assert_eq!(text, format!("You said: question {i}"));
    }
    // Asked early and stored as asked: had the stored conversation differed
    // from what was read before it (history, limits), the early request
    // would have been cancelled and the question asked again.
    assert_eq!(served.asked.load(Ordering::SeqCst), 5);
    assert_eq!(served.finished.load(Ordering::SeqCst), 5);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_send_that_will_be_refused_asks_nothing(pool: PgPool) {
    let cap = [("VIBEBOT_MAX_ANSWERS_PER_USER", "2")];
    let (served, base) = common::spawn_app_with_counted_provider(pool.clone(), &cap).await;
    let ada = chat_user(&base, "ada@example.com").await;
    let mut long = Vec::new();
    let mut conversations = Vec::new();
    for _ in 0..3 {
        conversations.push(ada.new_conversation("claude-sonnet-4-5").await);
    }
    let sent = ada.send(&conversations[0], "[tokens=400] [delay=10]").await;
    assert_eq!(sent.status, 200, "{sent:?}");
    long.push(answer_id(&sent));

    // An answer is still being written in this conversation…
    let busy = ada.send(&conversations[0], "impatient").await;
    assert_eq!(busy.status, 409, "{busy:?}");
    assert_eq!(served.asked.load(Ordering::SeqCst), 1);
    // … and the user writes as many answers as the server allows at once.
    let sent = ada.send(&conversations[1], "[tokens=400] [delay=10]").await;
    assert_eq!(sent.status, 200, "{sent:?}");
    long.push(answer_id(&sent));
    let capped = ada.send(&conversations[2], "elsewhere").await;
    assert_eq!(capped.status, 429, "{capped:?}");
    assert_eq!(served.asked.load(Ordering::SeqCst), 2);

    for id in &long {
        ada.call("chat/stop", &[("message_id", id)]).await;
        stored(&pool, id).await;
    }
    assert_eq!(ada.send(&conversations[2], "now").await.status, 200);
    assert_eq!(served.asked.load(Ordering::SeqCst), 3);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn racing_sends_to_one_conversation_get_one_answer(pool: PgPool) {
    let (served, base) = common::spawn_app_with_counted_provider(pool.clone(), &[]).await;
    let ada = chat_user(&base, "ada@example.com").await;
    let conversation = ada.new_conversation("claude-sonnet-4-5").await;

    // Each may be asked early; only one is stored, the others are refused
    // and their early requests cancelled before the provider finishes them.
    let sends = (0..8).map(|i| {
        let (ada, conversation) = (ada.clone(), conversation.clone());
        async move {
            ada.send(&conversation, &format!("racer {i} [tokens=5] [delay=60]"))
                .await
        }
    });
    let answers = futures::future::join_all(sends).await;
    let won: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
    assert_eq!(won.len(), 1, "{answers:?}");
    assert!(
        answers.iter().all(|a| a.status == 200 || a.status == 409),
        "{answers:?}"
    );
    let (_, metadata) = stored(&pool, &answer_id(won[0])).await;
    assert_eq!(metadata["status"], "complete", "{metadata}");

    // Long enough for any early request left running to have finished.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT role::text FROM messages WHERE conversation_id = $1")
            .bind(&conversation)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2, "one question and one answer: {rows:?}");
    assert_eq!(served.finished.load(Ordering::SeqCst), 1);
    assert!(served.asked.load(Ordering::SeqCst) >= 1);
}

/// A send caught inside its transaction: the test holds the conversation's
/// row lock (as the send's transaction takes it), starts the send, and waits
/// until the provider has been asked — before the question is stored.
struct Caught {
    served: Arc<fake_provider::Served>,
    conversation: String,
    lock: sqlx::Transaction<'static, sqlx::Postgres>,
    sending: tokio::task::JoinHandle<common::Answer>,
}

async fn send_caught_in_its_transaction(pool: &PgPool, text: &'static str) -> Caught {
    let (served, base) = common::spawn_app_with_counted_provider(pool.clone(), &[]).await;
    let ada = chat_user(&base, "ada@example.com").await;
    let conversation = ada.new_conversation("claude-sonnet-4-5").await;
    let mut lock = pool.begin().await.unwrap();
    sqlx::query("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE")
        .bind(&conversation)
        .execute(&mut *lock)
        .await
        .unwrap();
    let sending = tokio::spawn({
        let conversation = conversation.clone();
        async move { ada.send(&conversation, text).await }
    });
    for _ in 0..200 {
        if served.asked.load(Ordering::SeqCst) >= 1 {
            return Caught {
                served,
                conversation,
                lock,
                sending,
            };
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the provider was not asked while the question was being stored");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_provider_is_asked_while_the_question_is_stored(pool: PgPool) {
    let Caught {
        served,
        lock,
        sending,
        ..
    } = send_caught_in_its_transaction(&pool, "hello early").await;
    // The send's transaction waits for the lock; the provider was asked anyway.
    assert!(!sending.is_finished());
    lock.rollback().await.unwrap();

    let sent = sending.await.unwrap();
    assert_eq!(sent.status, 200, "{sent:?}");
    let (text, metadata) = stored(&pool, &answer_id(&sent)).await;
    assert_eq!(text, "You said: hello early");
    assert_eq!(metadata["status"], "complete", "{metadata}");
    assert_eq!(served.asked.load(Ordering::SeqCst), 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_conversation_changed_while_the_question_is_stored_is_asked_again(pool: PgPool) {
    let Caught {
        served,
        conversation,
        mut lock,
        sending,
    } = send_caught_in_its_transaction(&pool, "[tokens=5] [delay=60] second").await;
    // Another tab's exchange lands first: the history the provider was asked
    // with is no longer the conversation's.
    let exchange = [
        ("USER", "from another tab", None),
        ("ASSISTANT", "its answer", Some("other-USER")),
    ];
    for (role, content, parent) in exchange {
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, role, content, metadata, created_at, \
                                   parent_id)
             VALUES ($1, $2, $3::message_role, $4, '{\"status\": \"complete\"}', now() - \
                                                       interval '1 second', $5)",
        )
        .bind(format!("other-{role}"))
        .bind(&conversation)
        .bind(role)
        .bind(content)
        .bind(parent)
        .execute(&mut *lock)
        .await
        .unwrap();
    }
    sqlx::query("UPDATE conversations SET current_leaf_id = 'other-ASSISTANT' WHERE id = $1")
        .bind(&conversation)
        .execute(&mut *lock)
        .await
        .unwrap();
    lock.commit().await.unwrap();

    let sent = sending.await.unwrap();
    assert_eq!(sent.status, 200, "{sent:?}");
    let (_, metadata) = stored(&pool, &answer_id(&sent)).await;
    assert_eq!(metadata["status"], "complete", "{metadata}");
    // The fake provider counts a word per input token: the other tab's two
    // messages (3 + 2 words) and this one (3) were all sent.
    assert_eq!(metadata["input_tokens"], 8, "{metadata}");
    // Asked again with the new history; the first request was cancelled
    // before the provider finished it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(served.asked.load(Ordering::SeqCst), 2);
    assert_eq!(served.finished.load(Ordering::SeqCst), 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_send_refused_while_it_is_stored_cancels_its_early_request(pool: PgPool) {
    let Caught {
        served,
        conversation,
        mut lock,
        sending,
    } = send_caught_in_its_transaction(&pool, "[tokens=5] [delay=60] too late").await;
    // Another instance starts an answer in this conversation first.
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, role, content, metadata)
         VALUES ('elsewhere', $1, 'ASSISTANT', '', '{\"status\": \"streaming\"}')",
    )
    .bind(&conversation)
    .execute(&mut *lock)
    .await
    .unwrap();
    lock.commit().await.unwrap();

    let refused = sending.await.unwrap();
    assert_eq!(refused.status, 409, "{refused:?}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        served.finished.load(Ordering::SeqCst),
        0,
        "the early request ran to its end"
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM messages WHERE conversation_id = $1")
        .bind(&conversation)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(rows, 1, "only the other instance's answer");
}
