//! Sending messages over real HTTP, answers streamed from the fake provider
//! through the product's provider client, followed over SSE, stored in PostgreSQL.

use crate::common;

use std::time::{Duration, Instant};

use app::model::answer::{AnswerEvent, AnswerMetadata, AnswerStatus};
use common::{answer_id, follow, stored, text_of, Answer, Client};
use serde_json::Value;
use sqlx::PgPool;

/// The app wired to a fake provider, a user with a Claude and an OpenAI key,
/// and one conversation.
async fn setup(pool: PgPool) -> (Client, String) {
    setup_with(pool, &[]).await
}

async fn setup_with(pool: PgPool, vars: &[(&str, &str)]) -> (Client, String) {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool, vars).await;
    let client = common::chat_user(&base, "ada@example.com").await;
    let conversation = client
        .call("conversations/create", &[("model", "claude-sonnet-4-5")])
        .await;
    let id = conversation.body["id"].as_str().unwrap().to_string();
    (client, id)
}

async fn send(client: &Client, conversation: &str, text: &str) -> Answer {
    client
        .call(
            "chat/send",
            &[("conversation_id", conversation), ("text", text)],
        )
        .await
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_answer_streams_and_is_stored_with_its_metadata(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let sent = send(&client, &conversation, "Plan a weekend in Lisbon please").await;
    assert_eq!(sent.status, 200, "{sent:?}");
    assert_eq!(
        sent.body["user_message"]["content"],
        "Plan a weekend in Lisbon please"
    );
    assert_eq!(
        sent.body["assistant_message"]["metadata"]["status"],
        "streaming"
    );
    assert_eq!(sent.body["title"], "Plan a weekend in Lisbon please");
    let id = answer_id(&sent);

    let (text, metadata) = follow(&client, &id).await;
    assert_eq!(text, "You said: Plan a weekend in Lisbon please");
    assert_eq!(metadata.status, AnswerStatus::Complete);

    let (content, metadata) = stored(&pool, &id).await;
    assert_eq!(content, text);
    assert_eq!(metadata["provider"], "CLAUDE");
    assert_eq!(metadata["model"], "claude-sonnet-4-5");
    assert_eq!(metadata["input_tokens"], 6);
    assert_eq!(metadata["output_tokens"], 8);
    let cost = metadata["cost_usd"].as_f64().unwrap();
    assert!(
        (cost - (6.0 * 3.0 + 8.0 * 15.0) / 1e6).abs() < 1e-12,
        "{cost}"
    );
    assert_eq!(metadata["stop_reason"], "end_turn");
    assert!(metadata["time_to_first_token_ms"].as_u64().is_some());
    assert!(metadata["duration_ms"].as_u64().is_some());

    // The question comes before its answer.
    let opened = client
        .call("conversations/get", &[("id", &conversation)])
        .await;
    let roles: Vec<&str> = opened.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, vec!["USER", "ASSISTANT"]);

    // Following a finished answer replays it at once.
    assert_eq!(follow(&client, &id).await.0, text);
    let title: String = sqlx::query_scalar("SELECT title FROM conversations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(title, "Plan a weekend in Lisbon please");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_answer_completes_when_nobody_watches(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let sent = send(&client, &conversation, "[tokens=40] [delay=5]").await;
    let (content, metadata) = stored(&pool, &answer_id(&sent)).await;
    assert_eq!(metadata["status"], "complete");
    assert!(content.ends_with("tok40 "), "{content}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn switching_model_mid_conversation_records_who_answered(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let first = send(&client, &conversation, "first").await;
    stored(&pool, &answer_id(&first)).await;
    let second = client
        .call(
            "chat/send",
            &[
                ("conversation_id", &conversation),
                ("text", "[echo-system]"),
                ("model", "gpt-4o"),
            ],
        )
        .await;
    assert_eq!(second.status, 200, "{second:?}");
    let (_, metadata) = stored(&pool, &answer_id(&second)).await;
    assert_eq!(metadata["provider"], "OPENAI");
    assert_eq!(metadata["model"], "gpt-4o");
    let model: String = sqlx::query_scalar("SELECT model FROM conversations")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(model, "gpt-4o");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_system_prompt_applies_to_the_next_answer(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    client
        .call(
            "conversations/settings",
            &[
                ("id", &conversation),
                ("model", "claude-sonnet-4-5"),
                ("system_prompt", "Talk like a pirate."),
            ],
        )
        .await;
    let sent = send(&client, &conversation, "[echo-system]").await;
    let (content, _) = stored(&pool, &answer_id(&sent)).await;
    assert_eq!(content, "system: Talk like a pirate.");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn stop_keeps_the_partial_text(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let sent = send(&client, &conversation, "[tokens=400] [delay=10]").await;
    let id = answer_id(&sent);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        client
            .call("chat/stop", &[("message_id", &id)])
            .await
            .status,
        200
    );
    let (content, metadata) = stored(&pool, &id).await;
    assert_eq!(metadata["status"], "stopped");
    assert!(content.starts_with("tok1 "), "{content}");
    assert!(!content.contains("tok400"), "stopped early");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_text_so_far_of_every_answer_is_saved_while_they_stream(pool: PgPool) {
    let (client, first) = setup(pool.clone()).await;
    let mut ids = Vec::new();
    for n in 0..3 {
        let conversation = if n == 0 {
            first.clone()
        } else {
            let created = client
                .call("conversations/create", &[("model", "claude-sonnet-4-5")])
                .await;
            created.body["id"].as_str().unwrap().to_string()
        };
        ids.push(answer_id(
            &send(&client, &conversation, "[tokens=300] [delay=10]").await,
        ));
    }
    // Well inside the 3 s answers, after a few flushes.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let saved: Vec<(String, Value, String, i64)> = sqlx::query_as(
        "SELECT s.content, s.metadata, m.content,
                (SELECT count(*) FROM answer_chunks c WHERE c.message_id = m.id)
         FROM messages_so_far s JOIN messages m ON m.id = s.id
         WHERE s.id = ANY($1) ORDER BY s.id",
    )
    .bind(&ids)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(saved.len(), 3);
    for (so_far, metadata, row, chunks) in &saved {
        assert_eq!(metadata["status"], "streaming");
        assert!(so_far.starts_with("tok1 tok2 "), "{so_far:?}");
        assert!(!so_far.contains("tok300"), "saved before the end");
        // Each save adds what was added; the answer's row waits for the end.
        assert_eq!(row, "", "the row is written once, at the end");
        assert!(*chunks >= 1, "{chunks} chunks");
    }
    for id in &ids {
        let (content, metadata) = stored(&pool, id).await;
        assert_eq!(metadata["status"], "complete");
        assert!(content.trim_end().ends_with("tok300"), "{content:?}");
    }
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM answer_chunks")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "an ended answer's chunks are dropped");
}

/// A stop from another instance stores the text so far at once: if the
/// answer's writer died meanwhile, nobody else would.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_stop_stores_the_text_so_far_of_an_answer_without_a_writer(pool: PgPool) {
    orphan_answers(
        &pool,
        &[("orphan", "", "now()")],
        &[
            ("orphan", 0, "half ", "now()"),
            ("orphan", 1, "an answer", "now()"),
        ],
    )
    .await;
    assert!(app::backend::db::messages::request_stop(&pool, "orphan")
        .await
        .unwrap());
    assert_eq!(
        answer_rows(&pool).await,
        vec![("orphan".into(), "half an answer".into(), "stopped".into())]
    );
    assert!(
        !app::backend::db::messages::request_stop(&pool, "orphan")
            .await
            .unwrap(),
        "stopped already"
    );
}

/// Answers being written (`(id, stored text, metadata->flushed_at)`) in a
/// conversation of a user nobody signs in as, and their saved chunks
/// (`(answer, seq, text, written_at)`), times as SQL.
async fn orphan_answers(
    pool: &PgPool,
    answers: &[(&str, &str, &str)],
    chunks: &[(&str, i32, &str, &str)],
) {
    sqlx::query("INSERT INTO users (id, email, password) VALUES ('u', 'u@x.test', 'h')")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO conversations (id, user_id) VALUES ('c', 'u')")
        .execute(pool)
        .await
        .unwrap();
    for (id, content, flushed_at) in answers {
        sqlx::query(&format!(
            "INSERT INTO messages (id, conversation_id, role, content, metadata)
             VALUES ($1, 'c', 'ASSISTANT', $2,
                     jsonb_build_object('status', 'streaming', 'flushed_at', {flushed_at}))"
        ))
        .bind(id)
        .bind(content)
        .execute(pool)
        .await
        .unwrap();
    }
    for (id, seq, text, written_at) in chunks {
        sqlx::query(&format!(
            "INSERT INTO answer_chunks (message_id, seq, content, written_at)
             VALUES ($1, $2, $3, {written_at})"
        ))
        .bind(id)
        .bind(seq)
        .bind(text)
        .execute(pool)
        .await
        .unwrap();
    }
}

/// Every answer's (id, stored text, status), by id; no chunk may be left
/// of an answer that is no longer being written.
async fn answer_rows(pool: &PgPool) -> Vec<(String, String, String)> {
    let orphaned: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM answer_chunks c JOIN messages m ON m.id = c.message_id
         WHERE m.metadata->>'status' <> 'streaming'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(orphaned, 0, "chunks of answers no longer being written");
    sqlx::query_as("SELECT id, content, metadata->>'status' FROM messages ORDER BY id")
        .fetch_all(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_stop_recorded_by_another_instance_stops_the_answer_written_here(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let id = answer_id(&send(&client, &conversation, "[tokens=2000] [delay=10]").await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // What `chat/stop` on another instance does: it cannot reach this
    // process's task, only the row.
    assert!(app::backend::db::messages::request_stop(&pool, &id)
        .await
        .unwrap());
    let asked = Instant::now();
    // The writer notices at its next flush, stops reading and stores what it had.
    let (followed, end) = follow(&client, &id).await;
    assert_eq!(end.status, AnswerStatus::Stopped);
    let (content, metadata) = stored(&pool, &id).await;
    assert_eq!(metadata["status"], "stopped");
    assert!(
        metadata["duration_ms"].is_u64(),
        "the writer's final metadata: {metadata}"
    );
    assert_eq!(content, followed);
    assert!(content.starts_with("tok1 "), "{content:?}");
    assert!(!content.contains("tok2000"), "stopped long before the end");
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "{:?}",
        asked.elapsed()
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn provider_failures_keep_the_text_and_the_question_and_allow_a_retry(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    for (marker, fragment) in [("[error-event]", "overloaded"), ("[cut]", "cut")] {
        let question = format!("[tokens=10] {marker}");
        let sent = send(&client, &conversation, &question).await;
        let (content, metadata) = stored(&pool, &answer_id(&sent)).await;
        assert_eq!(metadata["status"], "error", "{marker}");
        assert!(
            metadata["error"].as_str().unwrap().contains(fragment),
            "{marker}: {metadata}"
        );
        assert_eq!(content, "tok1 tok2 tok3 tok4 tok5 ", "{marker}");
        let kept: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM messages WHERE role = 'USER' AND content = $1",
        )
        .bind(&question)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(kept, 1);
    }
    // Nothing is left streaming, so the next message goes through.
    let retry = send(&client, &conversation, "again").await;
    assert_eq!(retry.status, 200);
    assert_eq!(
        stored(&pool, &answer_id(&retry)).await.1["status"],
        "complete"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_provider_that_goes_silent_times_out_and_keeps_the_text(pool: PgPool) {
    let (client, conversation) =
        setup_with(pool.clone(), &[("VIBEBOT_PROVIDER_READ_TIMEOUT_SECS", "1")]).await;
    let sent = send(&client, &conversation, "[tokens=10] [stall]").await;
    let (content, metadata) = stored(&pool, &answer_id(&sent)).await;
    assert_eq!(metadata["status"], "error");
    assert!(
        metadata["error"]
            .as_str()
            .unwrap()
            .contains("did not answer in time"),
        "{metadata}"
    );
    assert_eq!(content, "tok1 tok2 tok3 tok4 tok5 ");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn one_answer_at_a_time_per_conversation(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let first = send(&client, &conversation, "[tokens=200] [delay=10]").await;
    let second = send(&client, &conversation, "impatient").await;
    assert_eq!(second.status, 409, "{second:?}");
    client
        .call("chat/stop", &[("message_id", &answer_id(&first))])
        .await;
    stored(&pool, &answer_id(&first)).await;
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn bad_sends_get_clear_errors(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let huge = "x".repeat(100_001);
    let cases = [
        (
            send(&client, &conversation, "   ").await,
            400,
            "write a message",
        ),
        (
            send(&client, &conversation, &huge).await,
            400,
            "at most 100000",
        ),
        (
            client
                .call(
                    "chat/send",
                    &[
                        ("conversation_id", &conversation),
                        ("text", "hi"),
                        ("model", "mystery-model"),
                    ],
                )
                .await,
            400,
            "unknown model",
        ),
        (
            client
                .call("chat/send", &[("conversation_id", "nope"), ("text", "hi")])
                .await,
            404,
            "conversation",
        ),
    ];
    for (answer, status, fragment) in cases {
        assert_eq!(answer.status, status, "{answer:?}");
        assert!(
            answer.message().contains(fragment),
            "{} / {fragment}",
            answer.message()
        );
    }
    // A model whose provider has no key.
    client
        .call(
            "keys/delete",
            &[("id", &first_key(&client, "OPENAI").await)],
        )
        .await;
    let no_key = client
        .call(
            "chat/send",
            &[
                ("conversation_id", &conversation),
                ("text", "hi"),
                ("model", "gpt-4o"),
            ],
        )
        .await;
    assert_eq!(no_key.status, 400);
    assert!(
        no_key.message().contains("add an API key for OpenAI"),
        "{}",
        no_key.message()
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "refused sends store nothing");
}

async fn first_key(client: &Client, provider: &str) -> String {
    let list = client.call("keys/list", &[]).await;
    list.body
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["provider"] == provider)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn another_user_and_guests_cannot_send_stop_or_follow(pool: PgPool) {
    let (alice, conversation) = setup(pool.clone()).await;
    let sent = send(&alice, &conversation, "mine").await;
    let id = answer_id(&sent);
    stored(&pool, &id).await;

    let bob = Client::new(&alice.base);
    bob.register("bob@example.com", "correct horse battery")
        .await;
    assert_eq!(send(&bob, &conversation, "hijack").await.status, 404);
    assert_eq!(
        bob.call("chat/stop", &[("message_id", &id)]).await.status,
        404
    );
    let events = bob
        .http
        .get(format!("{}/api/messages/{id}/events", bob.base))
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 404);

    sqlx::query("UPDATE users SET role = 'GUEST' WHERE email = 'ada@example.com'")
        .execute(&pool)
        .await
        .unwrap();
    let guest = send(&alice, &conversation, "read only?").await;
    assert_eq!(guest.status, 403);
    assert_eq!(guest.message(), "guests have read-only access");
    // Guests still read their answers.
    assert_eq!(follow(&alice, &id).await.1.status, AnswerStatus::Complete);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn answers_left_streaming_by_a_dead_server_become_interrupted(pool: PgPool) {
    let minute_ago = "now() - interval '1 minute'";
    orphan_answers(
        &pool,
        &[
            ("alive", "", minute_ago),
            ("dead", "", minute_ago),
            // Saved whole by a server of the version before chunks.
            ("old", "half an old", minute_ago),
        ],
        &[
            ("alive", 0, "still ", minute_ago),
            ("alive", 1, "going", "now()"),
            ("dead", 0, "half ", minute_ago),
            ("dead", 1, "an ans", minute_ago),
        ],
    )
    .await;
    let n = app::backend::db::messages::interrupt_stale(&pool, 30.0)
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        answer_rows(&pool).await,
        vec![
            ("alive".into(), "".into(), "streaming".into()),
            ("dead".into(), "half an ans".into(), "error".into()),
            ("old".into(), "half an old".into(), "error".into()),
        ]
    );
    let alive: String =
        sqlx::query_scalar("SELECT content FROM messages_so_far WHERE id = 'alive'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(alive, "still going");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_second_instance_follows_and_stops_answers_written_by_the_first(pool: PgPool) {
    let (on_one, conversation) = setup(pool.clone()).await;
    let second = common::spawn_app_with_fake_provider(pool.clone(), &[])
        .await
        .1;
    // The same browser session, talking to the other instance.
    let on_two = Client {
        base: second,
        ..on_one.clone()
    };
    assert_eq!(on_two.whoami().await.as_deref(), Some("ada@example.com"));

    // Followed live from the other instance: the same text, the same end,
    // the whole text once and then only what was added.
    let id = answer_id(&send(&on_one, &conversation, "[tokens=40] [delay=20]").await);
    let events = common::events(&on_two, &id).await;
    assert_eq!(snapshots(&events), 1, "{events:?}");
    let Some(AnswerEvent::Done { metadata: end }) = events.last() else {
        panic!("ends with done: {events:?}");
    };
    assert_eq!(end.status, AnswerStatus::Complete);
    let (content, metadata) = stored(&pool, &id).await;
    assert_eq!(text_of(&events), content);
    assert_eq!(**end, AnswerMetadata::from_stored(metadata));
    assert!(content.trim_end().ends_with("tok40"), "{content:?}");

    // A stop sent to the other instance stops the writer here.
    let id = answer_id(&send(&on_one, &conversation, "[tokens=2000] [delay=10]").await);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopped = on_two.call("chat/stop", &[("message_id", &id)]).await;
    assert_eq!(stopped.status, 200, "{stopped:?}");
    let (followed, end) = follow(&on_one, &id).await;
    assert_eq!(end.status, AnswerStatus::Stopped);
    let (content, _) = stored(&pool, &id).await;
    assert_eq!(followed, content);
    assert!(!content.contains("tok2000"), "stopped long before the end");
}

fn snapshots(events: &[AnswerEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, AnswerEvent::Snapshot { .. }))
        .count()
}

/// An answer that another instance is writing, `elsewhere`, with `stored`
/// as its stored text.
async fn answer_written_elsewhere(pool: &PgPool, conversation: &str, stored: &str) {
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, role, content, metadata)
         VALUES ('elsewhere', $1, 'ASSISTANT', $2, '{\"status\": \"streaming\"}')",
    )
    .bind(conversation)
    .bind(stored)
    .execute(pool)
    .await
    .unwrap();
}

/// A follower of an answer written elsewhere reads only the chunks it has
/// not seen (and the last one again: a retried save may lengthen it) and
/// sends only what they add.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_follower_of_an_answer_written_elsewhere_gets_only_what_was_added(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    answer_written_elsewhere(&pool, &conversation, "").await;
    let following = {
        let client = client.clone();
        tokio::spawn(async move { common::events(&client, "elsewhere").await })
    };
    // What the other instance's saves write, a little more than two reads apart.
    let save = |seq: i32, text: &'static str| {
        sqlx::query(
            "INSERT INTO answer_chunks (message_id, seq, content) VALUES ('elsewhere', $1, $2)
             ON CONFLICT (message_id, seq) DO UPDATE SET content = excluded.content",
        )
        .bind(seq)
        .bind(text)
        .execute(&pool)
    };
    let apart = Duration::from_millis(700);
    for (seq, text) in [
        (0, "Hello"),
        (1, ", wor"),
        // A save retried with the same number and the text since.
        (1, ", world"),
        (2, ""),
        (3, "!"),
    ] {
        tokio::time::sleep(apart).await;
        save(seq, text).await.unwrap();
    }
    tokio::time::sleep(apart).await;
    sqlx::query(
        r#"WITH stored AS (
               UPDATE messages SET content = 'Hello, world!', metadata = '{"status": "complete"}'
               WHERE id = 'elsewhere')
           DELETE FROM answer_chunks WHERE message_id = 'elsewhere'"#,
    )
    .execute(&pool)
    .await
    .unwrap();

    let events = following.await.unwrap();
    assert!(
        matches!(events[0], AnswerEvent::Snapshot { .. }),
        "{events:?}"
    );
    assert_eq!(snapshots(&events), 1, "then only deltas: {events:?}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, AnswerEvent::Delta { .. })),
        "followed while written: {events:?}"
    );
    assert_eq!(text_of(&events), "Hello, world!");
    assert!(
        matches!(events.last(), Some(AnswerEvent::Done { metadata }) if metadata.status == AnswerStatus::Complete),
        "{events:?}"
    );
}

/// A follower of an answer written elsewhere reads it from the database every
/// 300 ms; a read that fails (the database busy or away for a moment) is
/// tried again while the client listens, not the end of the stream.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_follower_outlasts_reads_that_fail(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    // An answer another instance is writing.
    answer_written_elsewhere(&pool, &conversation, "so far").await;
    let following = {
        let client = client.clone();
        tokio::spawn(async move { follow(&client, "elsewhere").await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    // For a second and a half every read of the answer fails.
    let execute = |sql: &'static str| sqlx::query(sql).execute(&pool);
    execute("ALTER TABLE messages RENAME TO messages_away")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        !following.is_finished(),
        "the stream ended on a failed read"
    );
    execute("ALTER TABLE messages_away RENAME TO messages")
        .await
        .unwrap();
    execute(
        r#"UPDATE messages SET content = 'so far, and the rest', metadata = '{"status": "complete"}'
           WHERE id = 'elsewhere'"#,
    )
    .await
    .unwrap();

    let (text, end) = following.await.unwrap();
    assert_eq!(end.status, AnswerStatus::Complete, "{end:?}");
    assert_eq!(text, "so far, and the rest");
}

// --- A hostile endpoint (issue #25): an answer has a maximum size and a
// maximum duration, a request a maximum size, whatever the provider does.

/// This process's resident memory, in KB.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS in /proc/self/status")
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn flooding_and_silent_providers_are_cut_and_memory_stays_bounded(pool: PgPool) {
    let (client, _) = setup_with(
        pool.clone(),
        &[
            ("VIBEBOT_MAX_ANSWERS_PER_USER", "10"),
            ("VIBEBOT_MAX_ANSWER_KB", "1024"),
            ("VIBEBOT_MAX_ANSWER_SECS", "3"),
        ],
    )
    .await;
    // Endless 4 MB events (past the 2 MB an event may be), endless 512 KB
    // events (past the 1 MB an answer may be), comment lines for ever.
    let floods = ["[flood=4096]", "[flood=512]", "[comments-forever]"];
    let mut conversations = Vec::new();
    for i in 0..10 {
        conversations.push((client.new_conversation("gpt-4o").await, floods[i % 3]));
    }
    let before = rss_kb();
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = tokio::spawn({
        let sampling = sampling.clone();
        async move {
            let mut peak = 0;
            while sampling.load(std::sync::atomic::Ordering::SeqCst) {
                peak = peak.max(rss_kb());
                // Unbounded growth fails here, before it can hurt the machine.
                assert!(
                    peak < before + 1024 * 1024,
                    "RSS passed 1 GB more than before"
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            peak
        }
    });
    let mut answers = Vec::new();
    for (conversation, marker) in &conversations {
        let sent = send(&client, conversation, marker).await;
        assert_eq!(sent.status, 200, "{sent:?}");
        answers.push((answer_id(&sent), *marker));
    }
    let mut ended = Vec::new();
    let waiting = async {
        for (id, marker) in &answers {
            ended.push((stored(&pool, id).await, *marker));
        }
    };
    let mut sampler = sampler;
    tokio::select! {
        () = waiting => {}
        stopped = &mut sampler => panic!("the memory sampler stopped: {stopped:?}"),
    }
    for ((content, metadata), marker) in ended {
        assert_eq!(metadata["status"], "error", "{marker}: {metadata}");
        let error = metadata["error"].as_str().unwrap();
        match marker {
            "[flood=4096]" => {
                assert!(error.contains("event larger than"), "{error}");
                assert_eq!(content, "");
            }
            "[flood=512]" => {
                assert_eq!(
                    error,
                    "the answer reached 1 MB, the most this server keeps of one answer; it was \
                     cut there"
                );
                assert_eq!(
                    content.len(),
                    1024 * 1024,
                    "the text up to the limit is kept"
                );
                assert!(content.bytes().all(|b| b == b'x'));
            }
            _ => {
                assert_eq!(
                    error,
                    "the answer took longer than 3 seconds, the most this server allows for one \
                     answer; it was cut there"
                );
                assert_eq!(content, "");
            }
        }
    }
    sampling.store(false, std::sync::atomic::Ordering::SeqCst);
    let peak = sampler.await.unwrap();
    eprintln!(
        "ten hostile answers: RSS {} MB before, peak {} MB (+{} MB)",
        before / 1024,
        peak / 1024,
        peak.saturating_sub(before) / 1024
    );
    assert!(
        peak.saturating_sub(before) < 256 * 1024,
        "RSS grew by {} MB",
        peak.saturating_sub(before) / 1024
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_long_history_is_cut_to_the_request_size_limit_oldest_first(pool: PgPool) {
    let (served, base) = common::spawn_app_with_counted_provider(
        pool.clone(),
        &[("VIBEBOT_MAX_REQUEST_KB", "1024")],
    )
    .await;
    let client = common::chat_user(&base, "ada@example.com").await;
    let conversation = client.new_conversation("gpt-4o").await;
    let ada = common::user_id(&pool, "ada@example.com").await;
    // 30 messages of 100,000 characters: 3 MB of history.
    sqlx::query(
        "INSERT INTO messages
             (id, conversation_id, user_id, role, content, metadata, created_at, parent_id)
         SELECT 'old' || i, $1,
                CASE WHEN i % 2 = 0 THEN $2 END,
                (CASE WHEN i % 2 = 0 THEN 'USER' ELSE 'ASSISTANT' END)::message_role,
                repeat('long ', 20000),
                CASE WHEN i % 2 = 1 THEN '{\"status\": \"complete\"}'::jsonb END,
                now() - make_interval(secs => 100 - i),
                CASE WHEN i > 0 THEN 'old' || (i - 1) END
         FROM generate_series(0, 29) i",
    )
    .bind(&conversation)
    .bind(&ada)
    .execute(&pool)
    .await
    .unwrap();
    let sent = client.send(&conversation, "and now?").await;
    assert_eq!(sent.status, 200, "{sent:?}");
    let (text, metadata) = stored(&pool, &answer_id(&sent)).await;
    assert_eq!(metadata["status"], "complete", "{metadata}");
    assert_eq!(text, "You said: and now?");
    let largest = served
        .largest_request
        .load(std::sync::atomic::Ordering::SeqCst);
    // Ten of the 100 KB messages fit beside the question (JSON adds a little).
    assert!(
        (800 * 1024..1100 * 1024).contains(&largest),
        "the request was {largest} bytes"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn event_streams_are_capped_per_user_and_end_with_their_client(pool: PgPool) {
    let (client, conversation) =
        setup_with(pool.clone(), &[("VIBEBOT_MAX_EVENT_STREAMS_PER_USER", "2")]).await;
    // An answer that goes silent after two tokens and stays so.
    let sent = send(&client, &conversation, "[tokens=4] [stall]").await;
    let id = answer_id(&sent);
    let url = format!("{}/api/messages/{id}/events", client.base);
    let first = client.http.get(&url).send().await.unwrap();
    let second = client.http.get(&url).send().await.unwrap();
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = Answer::read(client.http.get(&url).send().await.unwrap()).await;
    assert_eq!(third.status, 429, "{third:?}");
    assert!(third.message().contains("answer streams open"), "{third:?}");

    // One tab goes away while the answer is silent: its follower ends with
    // it and frees its place.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let again = client.http.get(&url).send().await.unwrap();
        if again.status() == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the follower of a closed stream still counts"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(second);
    let stopped = client.call("chat/stop", &[("message_id", &id)]).await;
    assert_eq!(stopped.status, 200, "{stopped:?}");
}
