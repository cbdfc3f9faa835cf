//! Branching (issue #28): a conversation is a tree of messages. Edits and
//! regenerations add branches and keep what they would have replaced; only
//! the active path is shown and sent to the provider (checked with the fake
//! provider's `[echo-history]`, which answers with the conversation it was
//! sent); the branch shown is stored on the server.

use crate::common;

use common::{answer_id, follow, Client, Shown};
use sqlx::PgPool;

/// The app wired to a fake provider, a user with keys, one conversation.
async fn setup(pool: PgPool) -> (Client, String) {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool, &[]).await;
    let client = common::chat_user(&base, "ada@example.com").await;
    let conversation = client.new_conversation("claude-sonnet-4-5").await;
    (client, conversation)
}

/// A turn's (question id, answer id, answer text), awaited to its end.
async fn turn(client: &Client, sent: common::Answer) -> (String, String, String) {
    assert_eq!(sent.status, 200, "{sent:?}");
    let question = sent.body["user_message"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let answer = answer_id(&sent);
    let (text, _) = follow(client, &answer).await;
    (question, answer, text)
}

fn siblings(sent: &common::Answer, which: &str) -> Vec<String> {
    sent.body[which]["siblings"]
        .as_array()
        .map(|s| s.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

async fn messages_in(pool: &PgPool, conversation: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM messages WHERE conversation_id = $1")
        .bind(conversation)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn edits_and_regenerations_add_branches_and_only_the_active_path_is_sent(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let (q1, a1, _) = turn(
        &client,
        client.send(&conversation, "[echo-history] one").await,
    )
    .await;
    let (_, a2, echoed) = turn(
        &client,
        client
            .send_after(&conversation, "[echo-history] two", &a1)
            .await,
    )
    .await;
    assert!(
        echoed.starts_with("user: [echo-history] one\nassistant: user: "),
        "{echoed}"
    );
    assert!(echoed.ends_with("user: [echo-history] two\n"), "{echoed}");

    // Editing the first question: a new question beside it, answered from
    // the root alone; the old question and everything below it stay.
    let edited = client.edit(&conversation, &q1, "[echo-history] uno").await;
    let new_question = edited.body["user_message"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        siblings(&edited, "user_message"),
        [q1.clone(), new_question.clone()]
    );
    let (_, a1_edited, echoed) = turn(&client, edited).await;
    assert_eq!(echoed, "user: [echo-history] uno\n");
    let path = client.path(&conversation).await;
    assert_eq!(Shown::texts(&path), ["[echo-history] uno", echoed.as_str()]);
    assert_eq!(path[0].siblings, [q1.clone(), new_question.clone()]);
    assert!(path[1].siblings.is_empty());
    assert_eq!(messages_in(&pool, &conversation).await, 6);

    // Regenerating that answer: a second answer beside it, asked with the
    // same path (the old answer is not sent).
    let again = client.regenerate(&conversation, &a1_edited).await;
    assert_eq!(again.body["user_message"]["id"], new_question.as_str());
    let regenerated = answer_id(&again);
    assert_eq!(
        siblings(&again, "assistant_message"),
        [a1_edited.clone(), regenerated.clone()]
    );
    let (_, _, echoed_again) = turn(&client, again).await;
    assert_eq!(echoed_again, "user: [echo-history] uno\n");
    // Any answer on the path can be regenerated, not only the last: after a
    // send, the first answer again.
    let (_, a3, echoed) = turn(
        &client,
        client
            .send_after(&conversation, "[echo-history] tres", &regenerated)
            .await,
    )
    .await;
    assert_eq!(
        echoed,
        format!("user: [echo-history] uno\nassistant: {echoed_again}\nuser: [echo-history] tres\n")
    );
    let third = client.regenerate(&conversation, &a1_edited).await;
    assert_eq!(
        third.status, 409,
        "not on the active path any more: {third:?}"
    );
    let third = client.regenerate(&conversation, &regenerated).await;
    assert_eq!(siblings(&third, "assistant_message").len(), 3);
    turn(&client, third).await;
    let path = client.path(&conversation).await;
    assert_eq!(
        path.len(),
        2,
        "the regenerated answer ends the path: {path:?}"
    );
    assert_eq!(path[1].siblings.len(), 3);
    assert_eq!(path[1].siblings[2], path[1].id);

    // Nothing was lost: 2 + 2 + 2 + 1 + 2 + 1 messages.
    assert_eq!(messages_in(&pool, &conversation).await, 10);
    for id in [&a2, &a3] {
        let left: i64 = sqlx::query_scalar("SELECT count(*) FROM messages WHERE id = $1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(left, 1);
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn switching_returns_where_the_user_was_and_is_seen_by_every_instance(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let (q1, a1, _) = turn(&client, client.send(&conversation, "one").await).await;
    let (_, a2, _) = turn(&client, client.send_after(&conversation, "two", &a1).await).await;
    let (q1b, a1b, _) = turn(&client, client.edit(&conversation, &q1, "uno").await).await;
    let (_, a2b, _) = turn(&client, client.send_after(&conversation, "dos", &a1b).await).await;
    // A fork lower down the second branch: "dos" answered twice.
    let (_, a2c, _) = turn(&client, client.regenerate(&conversation, &a2b).await).await;

    // Back to the first question: its branch, all of it.
    let path = client.show(&conversation, &q1).await;
    let ids: Vec<&str> = path.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids[0], q1);
    assert_eq!(ids[1], a1);
    assert_eq!(ids[3], a2);
    assert_eq!(path[0].siblings, [q1.clone(), q1b.clone()]);
    // Back to the second: where the user was on it (the newest answer of the
    // lower fork), not its first leaf.
    let path = client.show(&conversation, &q1b).await;
    assert_eq!(path.last().unwrap().id, a2c);
    // At the lower fork, the older answer; then away and back again.
    let path = client.show(&conversation, &a2b).await;
    assert_eq!(path.last().unwrap().id, a2b);
    client.show(&conversation, &q1).await;
    let path = client.show(&conversation, &q1b).await;
    assert_eq!(
        path.last().unwrap().id,
        a2b,
        "the branch chosen at the lower fork is kept"
    );

    // Stored: a reload, and another instance, show the same branch.
    assert_eq!(client.path(&conversation).await, path);
    let (_fake, second) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    let elsewhere = Client {
        base: second,
        ..client.clone()
    };
    assert_eq!(elsewhere.path(&conversation).await, path);
    let switched = elsewhere.show(&conversation, &q1).await;
    assert_eq!(client.path(&conversation).await, switched);

    // A message of another conversation, or none, is not found.
    let other = client.new_conversation("claude-sonnet-4-5").await;
    let wrong = client.on_message("messages/show", &other, &a1).await;
    assert_eq!(wrong.status, 404, "{wrong:?}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_stale_tab_gets_409_and_nothing_is_lost(pool: PgPool) {
    let (first_tab, conversation) = setup(pool.clone()).await;
    let second_tab = first_tab.clone();
    let (q1, a1, _) = turn(&first_tab, first_tab.send(&conversation, "first").await).await;

    // The second tab asks something new; the first still ends at `a1`.
    let (q2, a2, _) = turn(
        &second_tab,
        second_tab.send_after(&conversation, "newer", &a1).await,
    )
    .await;
    let stale = first_tab
        .send_after(&conversation, "from the stale tab", &a1)
        .await;
    assert_eq!(stale.status, 409, "{stale:?}");
    assert_eq!(
        stale.message(),
        "the conversation changed in another tab; reload to see it, then try again"
    );

    // The second tab edits `q2`; the first, still showing `q2` and `a2`,
    // regenerates `a2` and edits `q2`: neither is on the active path now.
    turn(
        &second_tab,
        second_tab
            .edit(&conversation, &q2, "newer, rewritten")
            .await,
    )
    .await;
    let regenerate = first_tab.regenerate(&conversation, &a2).await;
    assert_eq!(regenerate.status, 409, "{regenerate:?}");
    let edit = first_tab.edit(&conversation, &q2, "rewritten twice").await;
    assert_eq!(edit.status, 409, "{edit:?}");
    // What is still on the path can be acted on from the stale tab.
    let again = first_tab.regenerate(&conversation, &a1).await;
    assert_eq!(again.status, 200, "{again:?}");
    turn(&first_tab, again).await;
    assert_eq!(messages_in(&pool, &conversation).await, 7);
    let _ = q1;
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_failed_regeneration_leaves_an_error_answer_as_the_leaf(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let (_, first, _) = turn(&client, client.send(&conversation, "[error-event]").await).await;
    let again = client.regenerate(&conversation, &first).await;
    let (_, retried, _) = turn(&client, again).await;
    let (_, metadata) = common::stored(&pool, &retried).await;
    assert_eq!(metadata["status"], "error");
    let path = client.path(&conversation).await;
    assert_eq!(path.last().unwrap().id, retried);
    assert_eq!(
        path.last().unwrap().siblings,
        [first.clone(), retried.clone()]
    );
    // The conversation goes on from the failed answer.
    let next = client
        .send_after(&conversation, "[echo-history] next", &retried)
        .await;
    let (_, _, echoed) = turn(&client, next).await;
    assert_eq!(echoed, "user: [error-event]\nuser: [echo-history] next\n");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn branching_into_a_new_conversation_copies_the_path_up_to_a_message(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let set = client
        .call(
            "conversations/settings",
            &[
                ("id", &conversation),
                ("model", "claude-sonnet-4-5"),
                ("system_prompt", "Be brief."),
            ],
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    let (q1, a1, _) = turn(&client, client.send(&conversation, "one").await).await;
    let (_, a2, _) = turn(&client, client.send_after(&conversation, "two", &a1).await).await;
    turn(&client, client.regenerate(&conversation, &a2).await).await;
    let before = client.path(&conversation).await;

    let branched = client
        .on_message("messages/branch", &conversation, &a1)
        .await;
    assert_eq!(branched.status, 200, "{branched:?}");
    assert_eq!(branched.body["title"], "one (branch)");
    assert_eq!(branched.body["model"], "claude-sonnet-4-5");
    let copy = branched.body["id"].as_str().unwrap().to_string();
    let path = client.path(&copy).await;
    assert_eq!(Shown::texts(&path), ["one", "You said: one"]);
    assert!(
        path.iter().all(|m| m.id != q1 && m.id != a1),
        "copies have ids of their own"
    );
    let opened = client.call("conversations/get", &[("id", &copy)]).await;
    assert_eq!(opened.body["system_prompt"], "Be brief.");
    assert_eq!(
        opened.body["messages"][1]["metadata"]["model"],
        "claude-sonnet-4-5"
    );
    // The copy goes on by itself; the original is unchanged.
    let (_, _, text) = turn(
        &client,
        client
            .send_after(&copy, "[echo-history] three", &path[1].id)
            .await,
    )
    .await;
    assert_eq!(
        text,
        "user: one\nassistant: You said: one\nuser: [echo-history] three\n"
    );
    assert_eq!(client.path(&conversation).await, before);

    // Not found: another user's message, a message of another conversation.
    let other = common::chat_user(&client.base, "bob@example.com").await;
    let refused = other
        .on_message("messages/branch", &conversation, &a1)
        .await;
    assert_eq!(refused.status, 404, "{refused:?}");
    let refused = client.on_message("messages/branch", &copy, &a1).await;
    assert_eq!(refused.status, 404, "{refused:?}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn deleting_a_message_takes_its_subtree_and_the_view_moves_to_a_branch_left(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let (q1, a1, _) = turn(&client, client.send(&conversation, "one").await).await;
    let (_, a2, _) = turn(&client, client.send_after(&conversation, "two", &a1).await).await;
    turn(
        &client,
        client.send_after(&conversation, "three", &a2).await,
    )
    .await;
    let (q1b, _, _) = turn(&client, client.edit(&conversation, &q1, "uno").await).await;
    client.show(&conversation, &q1).await;

    let count = |message| client.on_message("messages/count_deleted", &conversation, message);
    // `a1` and below: a1, two, its answer, three, its answer; none hidden.
    let counted = count(&a1).await;
    assert_eq!(counted.status, 200, "{counted:?}");
    assert_eq!(
        (
            counted.body["messages"].as_u64(),
            counted.body["hidden"].as_u64()
        ),
        (Some(5), Some(0))
    );
    // `q1b` is on the branch not shown: both of its messages are hidden.
    let counted = count(&q1b).await;
    assert_eq!(
        (
            counted.body["messages"].as_u64(),
            counted.body["hidden"].as_u64()
        ),
        (Some(2), Some(2))
    );

    // Deleting `q1`, shown: the view moves to the other branch.
    let deleted = client
        .on_message("messages/delete", &conversation, &q1)
        .await;
    assert_eq!(deleted.status, 200, "{deleted:?}");
    let path = Shown::all(&deleted.body);
    assert_eq!(Shown::texts(&path), ["uno", "You said: uno"]);
    assert!(path[0].siblings.is_empty(), "no sibling left");
    assert_eq!(messages_in(&pool, &conversation).await, 2);
    assert_eq!(client.path(&conversation).await, path);
    // Deleting the last answer: its question ends the path.
    let deleted = client
        .on_message("messages/delete", &conversation, &path[1].id)
        .await;
    assert_eq!(Shown::texts(&Shown::all(&deleted.body)), ["uno"]);
    // Usage already counted stays.
    let answers: i64 =
        sqlx::query_scalar("SELECT coalesce(sum(answers), 0)::int8 FROM usage_daily")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(answers, 4);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_long_chain_is_deleted_from_its_root_in_one_statement(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    // 3,000 messages in a chain (a cascade would nest 3,000 statements).
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, role, content, parent_id, created_at)
         SELECT 'm' || n, $1, CASE WHEN n % 2 = 0 THEN 'USER' ELSE 'ASSISTANT' END::message_role,
                'text ' || n, CASE WHEN n > 0 THEN 'm' || (n - 1) END,
                now() + make_interval(secs => n)
         FROM generate_series(0, 2999) AS n",
    )
    .bind(&conversation)
    .execute(&pool)
    .await
    .unwrap();
    let path = client.path(&conversation).await;
    assert_eq!(path.len(), 100, "a page of the path");
    assert_eq!(
        path.last().unwrap().id,
        "m2999",
        "the newest message when no leaf was set"
    );
    let deleted = client
        .on_message("messages/delete", &conversation, "m0")
        .await;
    assert_eq!(deleted.status, 200, "{deleted:?}");
    assert_eq!(messages_in(&pool, &conversation).await, 0);
    assert!(client.path(&conversation).await.is_empty());
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_answer_streams_on_while_another_branch_is_shown_and_stops_from_there(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let (q1, a1, _) = turn(&client, client.send(&conversation, "one").await).await;
    let (_, _, _) = turn(&client, client.edit(&conversation, &q1, "uno").await).await;
    let sent = client.send(&conversation, "[tokens=5000] [delay=5]").await;
    let writing = answer_id(&sent);
    // Away to the first branch: the answer is still being written, and
    // the conversation says so (the browser shows Stop).
    let shown = client.on_message("messages/show", &conversation, &a1).await;
    assert_eq!(shown.body["being_written"], writing.as_str());
    assert_eq!(Shown::all(&shown.body).last().unwrap().id, a1);
    // Another turn waits for it; a stop from this branch ends it.
    let refused = client.regenerate(&conversation, &a1).await;
    assert_eq!(refused.status, 409, "{refused:?}");
    let stopped = client.call("chat/stop", &[("message_id", &writing)]).await;
    assert_eq!(stopped.status, 200, "{stopped:?}");
    let (text, metadata) = follow(&client, &writing).await;
    assert_eq!(metadata.status, app::model::answer::AnswerStatus::Stopped);
    // Back on its branch: the answer with what it wrote.
    let path = client.show(&conversation, &writing).await;
    assert_eq!(path.last().unwrap().id, writing);
    assert_eq!(path.last().unwrap().text, text);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_concurrent_edit_and_send_give_one_turn_and_a_409_and_lose_nothing(pool: PgPool) {
    let (first, conversation) = setup(pool.clone()).await;
    let second = first.clone();
    let (q1, a1, _) = turn(&first, first.send(&conversation, "one").await).await;
    for round in 0..5 {
        let leaf = first.path(&conversation).await.last().unwrap().id.clone();
        // Answers of a few tokens 20 ms apart: the second turn to take the
        // conversation's lock finds the first's answer still being written.
        let (edited, sent) = (
            format!("edit {round} [delay=20]"),
            format!("send {round} [delay=20]"),
        );
        let (edit, send) = tokio::join!(
            first.edit(&conversation, &q1, &edited),
            second.send_after(&conversation, &sent, &leaf),
        );
        let statuses = [edit.status, send.status];
        assert!(
            statuses.contains(&200) && statuses.contains(&409),
            "{edit:?} {send:?}"
        );
        let winner = if edit.status == 200 { edit } else { send };
        turn(&first, winner).await;
    }
    // Every message is in one tree: each parent is in the conversation, and
    // the leaf is the last message of the path shown.
    let orphans: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM messages m WHERE m.conversation_id = $1 AND m.parent_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.id = m.parent_id
                           AND p.conversation_id = m.conversation_id)",
    )
    .bind(&conversation)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(orphans, 0);
    assert_eq!(messages_in(&pool, &conversation).await, 2 + 5 * 2);
    let leaf: Option<String> =
        sqlx::query_scalar("SELECT current_leaf_id FROM conversations WHERE id = $1")
            .bind(&conversation)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        leaf,
        Some(first.path(&conversation).await.last().unwrap().id.clone())
    );
    let _ = a1;
}

#[sqlx::test(migrations = false)]
async fn existing_conversations_become_chains_ending_at_their_newest_message(pool: PgPool) {
    use sqlx::migrate::Migrator;
    let all = &server::database::MIGRATOR;
    let before_branching = Migrator {
        migrations: all
            .migrations
            .iter()
            .filter(|m| m.version < 20261207000000)
            .cloned()
            .collect::<Vec<_>>()
            .into(),
        ..Migrator::DEFAULT
    };
    before_branching.run(&pool).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO users (id, email, password) VALUES ('u', 'u@example.com', 'x');
         INSERT INTO conversations (id, user_id) VALUES ('c', 'u'), ('empty', 'u');
         INSERT INTO messages (id, conversation_id, role, content, created_at) VALUES
             ('b', 'c', 'ASSISTANT', 'second', '2026-01-01 10:00:01'),
             ('a', 'c', 'USER', 'first', '2026-01-01 10:00:00'),
             ('d', 'c', 'ASSISTANT', 'fourth', '2026-01-01 10:00:02'),
             ('c', 'c', 'USER', 'third', '2026-01-01 10:00:02');",
    )
    .execute(&pool)
    .await
    .unwrap();
    all.run(&pool).await.unwrap();
    let parents: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, parent_id FROM messages ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    let chain = |id: &str, parent: Option<&str>| (id.to_string(), parent.map(str::to_string));
    assert_eq!(
        parents,
        [
            chain("a", None),
            chain("b", Some("a")),
            chain("c", Some("b")),
            chain("d", Some("c"))
        ]
    );
    let leaves: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT id, current_leaf_id FROM conversations ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(leaves, [chain("c", Some("d")), chain("empty", None)]);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn search_finds_text_on_a_hidden_branch_and_opens_the_conversation_there(pool: PgPool) {
    let (client, conversation) = setup(pool.clone()).await;
    let (q1, _, _) = turn(&client, client.send(&conversation, "about walruses").await).await;
    // Walruses twice, in a question and its answer; narwhals shown instead.
    turn(
        &client,
        client.edit(&conversation, &q1, "about narwhals").await,
    )
    .await;
    // "walruses" is on the branch not shown now; found with and without trigrams.
    for query in ["walruses", "ru"] {
        let found = client
            .call("conversations/search", &[("query", query)])
            .await;
        assert_eq!(found.status, 200, "{found:?}");
        let hit = &found.body[0];
        assert_eq!(hit["id"], conversation.as_str());
        // The newest message found: the answer "You said: about walruses".
        let message = hit["found"]
            .as_str()
            .expect("the message found")
            .to_string();
        let path = client.show(&conversation, &message).await;
        assert_eq!(
            Shown::texts(&path),
            ["about walruses", "You said: about walruses"]
        );
        client.show(&conversation, &path[0].siblings[1]).await;
    }
    // A title match without a message found opens as it is.
    let renamed = client
        .call(
            "conversations/rename",
            &[("id", &conversation), ("title", "Zoology")],
        )
        .await;
    assert_eq!(renamed.status, 200, "{renamed:?}");
    let found = client
        .call("conversations/search", &[("query", "zoolog")])
        .await;
    assert_eq!(found.body[0]["id"], conversation.as_str());
    assert!(found.body[0].get("found").is_none(), "{found:?}");
}
