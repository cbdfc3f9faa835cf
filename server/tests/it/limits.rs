//! Usage limits over real HTTP: refused at the exact boundary with a message
//! that says which limit and when it resets, reset when due, shared by two
//! server instances on one database, and managed by admins only.
//!
//! Time passing is simulated by moving the counted rows back in time.

use crate::common;

use common::{chat_user, last_answer, set_role, user_id, wait_finished, Answer, Client};
use sqlx::PgPool;

const ADMIN: &str = "root@example.com";
const ADA: &str = "ada@example.com";

/// The app with the fake provider, a signed-in admin and a user with keys.
async fn setup(pool: &PgPool) -> (String, Client, Client) {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    let admin = chat_user(&base, ADMIN).await;
    set_role(pool, ADMIN, "ADMIN").await;
    let ada = chat_user(&base, ADA).await;
    (base, admin, ada)
}

/// Sets a user's overrides: per minute, per day, output tokens per day, USD per month.
async fn set_user_limits(admin: &Client, user: &str, limits: [&str; 4]) -> Answer {
    admin
        .call(
            "admin/limits/user/set",
            &[
                ("user_id", user),
                ("messages_per_minute", limits[0]),
                ("messages_per_day", limits[1]),
                ("output_tokens_per_day", limits[2]),
                ("monthly_spend_usd", limits[3]),
            ],
        )
        .await
}

async fn messages_stored(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM messages")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Moves every counted request back by `secs` seconds.
async fn requests_age(pool: &PgPool, secs: i64) {
    sqlx::query(
        "UPDATE answer_requests SET requested_at = requested_at - make_interval(secs => $1)",
    )
    .bind(secs as f64)
    .execute(pool)
    .await
    .unwrap();
}

fn assert_refused(answer: &Answer, says: &str) {
    assert_eq!(answer.status, 429, "{answer:?}");
    assert_eq!(answer.kind(), "rate_limited", "{answer:?}");
    assert!(answer.message().contains(says), "{answer:?}");
    let retry: u64 = answer.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1, "{answer:?}");
}

/// A conversation started with its first message is stored with it or not
/// at all: a refused first message leaves no empty conversation behind.
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_refused_first_message_leaves_no_conversation(pool: PgPool) {
    let (_, admin, ada) = setup(&pool).await;
    let ada_id = user_id(&pool, ADA).await;
    let set = set_user_limits(&admin, &ada_id, ["1", "", "", ""]).await;
    assert_eq!(set.status, 200, "{set:?}");
    let start = |text: &'static str| {
        let ada = ada.clone();
        async move {
            ada.call(
                "chat/start",
                &[("model", "claude-sonnet-4-5"), ("text", text)],
            )
            .await
        }
    };
    let conversations = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM conversations")
            .fetch_one(&pool)
            .await
            .unwrap()
    };

    let first = start("Plan a trip").await;
    assert_eq!(first.status, 200, "{first:?}");
    let conversation = first.body["conversation_id"].as_str().unwrap().to_string();
    assert_eq!(first.body["title"], "Plan a trip");
    wait_finished(&pool).await;
    let (text, metadata) = last_answer(&pool, &conversation).await;
    assert_eq!(text, "You said: Plan a trip");
    assert_eq!(metadata["status"], "complete");

    let refused = start("And another").await;
    assert_refused(&refused, "limit of 1 message per minute");
    assert_eq!(
        conversations().await,
        1,
        "nothing stored for the refused one"
    );
    assert_eq!(messages_stored(&pool).await, 2);

    // A model the role may not use: refused before anything is stored.
    let withhold = admin
        .call(
            "admin/models/access",
            &[
                ("role", "USER"),
                ("model", "claude-sonnet-4-5"),
                ("allowed", "false"),
            ],
        )
        .await;
    assert_eq!(withhold.status, 200, "{withhold:?}");
    requests_age(&pool, 120).await;
    let withheld = start("Once more").await;
    assert_eq!(withheld.status, 403, "{withheld:?}");
    assert_eq!(conversations().await, 1);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn messages_per_minute_refuse_at_the_boundary_and_reset(pool: PgPool) {
    let (_, admin, ada) = setup(&pool).await;
    let ada_id = user_id(&pool, ADA).await;
    let set = set_user_limits(&admin, &ada_id, ["2", "", "", ""]).await;
    assert_eq!(set.status, 200, "{set:?}");
    let conversation = ada.new_conversation("claude-sonnet-4-5").await;

    let mut latest_answer = String::new();
    for text in ["one", "two"] {
        let sent = ada.send(&conversation, text).await;
        assert_eq!(sent.status, 200);
        latest_answer = common::answer_id(&sent);
        wait_finished(&pool).await;
    }
    let stored = messages_stored(&pool).await;
    let third = ada.send(&conversation, "three").await;
    assert_refused(&third, "limit of 2 messages per minute; try again in");
    let retry: u64 = third.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry <= 60, "{third:?}");
    // A refused message stores nothing and calls no provider.
    assert_eq!(messages_stored(&pool).await, stored);
    // Regenerating is asking for an answer too.
    let again = ada.regenerate(&conversation, &latest_answer).await;
    assert_refused(&again, "per minute");

    // A minute later the window has moved on.
    requests_age(&pool, 61).await;
    assert_eq!(ada.send(&conversation, "three").await.status, 200);
    wait_finished(&pool).await;
    let (text, _) = last_answer(&pool, &conversation).await;
    assert_eq!(text, "You said: three");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn daily_messages_tokens_and_monthly_spend_refuse_and_reset(pool: PgPool) {
    let (_, admin, ada) = setup(&pool).await;
    let ada_id = user_id(&pool, ADA).await;
    let conversation = ada.new_conversation("gpt-4o").await;

    // Messages per day: the third of three is the last one allowed.
    assert_eq!(
        set_user_limits(&admin, &ada_id, ["", "3", "", ""])
            .await
            .status,
        200
    );
    for text in ["a", "b", "c"] {
        assert_eq!(ada.send(&conversation, text).await.status, 200);
        wait_finished(&pool).await;
    }
    let refused = ada.send(&conversation, "d").await;
    assert_refused(
        &refused,
        "limit of 3 messages per day; it resets at midnight UTC, in",
    );
    // Yesterday's messages do not count today.
    sqlx::query(
        "UPDATE answer_requests SET requested_at =
             (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') - interval '1 second'",
    )
    .execute(&pool)
    .await
    .unwrap();
    assert_eq!(ada.send(&conversation, "d").await.status, 200);
    wait_finished(&pool).await;

    // Output tokens per day: the answer is capped to what is left, then refused.
    let used: i64 =
        sqlx::query_scalar("SELECT sum(output_tokens)::int8 FROM usage_daily WHERE user_id = $1")
            .bind(&ada_id)
            .fetch_one(&pool)
            .await
            .unwrap();
    let limit = (used + 7).to_string();
    assert_eq!(
        set_user_limits(&admin, &ada_id, ["", "", &limit, ""])
            .await
            .status,
        200
    );
    assert_eq!(ada.send(&conversation, "[echo-params]").await.status, 200);
    let (text, metadata) = last_answer(&pool, &conversation).await;
    assert!(text.ends_with("max_tokens=7"), "{text}");
    assert_eq!(metadata["max_tokens"], 7);
    // The echo was 3 tokens; the next answer gets the 4 left and stops there.
    assert_eq!(metadata["output_tokens"], 3);
    assert_eq!(ada.send(&conversation, "[tokens=20]").await.status, 200);
    let (text, metadata) = last_answer(&pool, &conversation).await;
    assert_eq!(text, "tok1 tok2 tok3 tok4 ");
    assert_eq!(metadata["stop_reason"], "length");
    let refused = ada.send(&conversation, "more").await;
    assert_refused(
        &refused,
        &format!("your {} output tokens for today", used + 7),
    );

    // Monthly spend: at the cap, refused until the next month.
    let spent: f64 = sqlx::query_scalar("SELECT sum(cost_usd) FROM usage_daily WHERE user_id = $1")
        .bind(&ada_id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(spent > 0.0);
    let cap = format!("{:.6}", spent / 2.0);
    let set = set_user_limits(&admin, &ada_id, ["", "", "", &cap]).await;
    assert_eq!(set.status, 200, "{set:?}");
    let refused = ada.send(&conversation, "more").await;
    assert_refused(&refused, "monthly spending cap");
    assert!(refused.message().contains("(UTC)"), "{refused:?}");
    sqlx::query("UPDATE usage_daily SET day = day - interval '1 month'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(ada.send(&conversation, "more").await.status, 200);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn role_limits_apply_and_a_users_override_wins(pool: PgPool) {
    let (_, admin, ada) = setup(&pool).await;
    let set = admin
        .call(
            "admin/limits/role",
            &[
                ("role", "USER"),
                ("messages_per_minute", "1"),
                ("messages_per_day", ""),
                ("output_tokens_per_day", ""),
                ("monthly_spend_usd", ""),
            ],
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.body["limits"]["messages_per_minute"], 1);
    let roles = admin.call("admin/limits", &[]).await;
    assert_eq!(roles.body[0]["role"], "USER");
    assert_eq!(roles.body[0]["limits"]["messages_per_minute"], 1);

    let conversation = ada.new_conversation("claude-sonnet-4-5").await;
    assert_eq!(ada.send(&conversation, "one").await.status, 200);
    wait_finished(&pool).await;
    assert_refused(
        &ada.send(&conversation, "two").await,
        "limit of 1 message per minute",
    );
    // The admin's own role has no limit.
    let mine = admin.new_conversation("claude-sonnet-4-5").await;
    for text in ["x", "y"] {
        assert_eq!(admin.send(&mine, text).await.status, 200);
        wait_finished(&pool).await;
    }

    // Ada's own limit replaces her role's; the others stay the role's.
    let ada_id = user_id(&pool, ADA).await;
    let set = set_user_limits(&admin, &ada_id, ["3", "", "", ""]).await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.body["overrides"]["messages_per_minute"], 3);
    assert_eq!(set.body["role_limits"]["messages_per_minute"], 1);
    assert_eq!(ada.send(&conversation, "two").await.status, 200);
    wait_finished(&pool).await;

    // Ada sees her limits and what she used.
    let status = ada.call("limits/mine", &[]).await;
    assert_eq!(status.status, 200, "{status:?}");
    assert_eq!(status.body["limits"]["messages_per_minute"], 3);
    assert_eq!(status.body["used"]["messages_last_minute"], 2);
    assert_eq!(status.body["used"]["messages_today"], 2);

    // Clearing the override falls back on the role.
    assert_eq!(
        set_user_limits(&admin, &ada_id, ["", "", "", ""])
            .await
            .status,
        200
    );
    assert_refused(
        &ada.send(&conversation, "three").await,
        "limit of 1 message per minute",
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn two_instances_share_the_limits(pool: PgPool) {
    let (_, admin, ada_on_one) = setup(&pool).await;
    let second = common::spawn_app_with_fake_provider(pool.clone(), &[])
        .await
        .1;
    let ada_on_two = Client::new(&second);
    assert_eq!(ada_on_two.login(ADA, common::PASSWORD).await.status, 200);
    let ada_id = user_id(&pool, ADA).await;
    assert_eq!(
        set_user_limits(&admin, &ada_id, ["3", "", "", ""])
            .await
            .status,
        200
    );
    let one = ada_on_one.new_conversation("claude-sonnet-4-5").await;
    assert_eq!(ada_on_one.send(&one, "first").await.status, 200);

    // Eight requests at once, four per instance, each in its own
    // conversation: exactly the two left are admitted.
    let mut conversations = Vec::new();
    for i in 0..8 {
        let client = if i % 2 == 0 { &ada_on_one } else { &ada_on_two };
        conversations.push((client, client.new_conversation("gpt-4o").await));
    }
    let sends = conversations
        .iter()
        .map(|(client, id)| client.send(id, "at once"));
    let answers = futures::future::join_all(sends).await;
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        6,
        "{statuses:?}"
    );
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM answer_requests")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(counted, 3);
    wait_finished(&pool).await;
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn only_admins_manage_limits_and_bad_values_are_explained(pool: PgPool) {
    let (base, admin, ada) = setup(&pool).await;
    let guest = chat_user(&base, "guest@example.com").await;
    set_role(&pool, "guest@example.com", "GUEST").await;
    let ada_id = user_id(&pool, ADA).await;
    let limits = [
        ("messages_per_minute", "1"),
        ("messages_per_day", ""),
        ("output_tokens_per_day", ""),
        ("monthly_spend_usd", ""),
    ];
    fn with<'a>(
        first: (&'a str, &'a str),
        limits: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a str)> {
        let mut args = vec![first];
        args.extend_from_slice(limits);
        args
    }
    let calls: [(&str, Vec<(&str, &str)>); 4] = [
        ("admin/limits", vec![]),
        ("admin/limits/role", with(("role", "USER"), &limits)),
        ("admin/limits/user", vec![("user_id", &ada_id)]),
        ("admin/limits/user/set", with(("user_id", &ada_id), &limits)),
    ];
    let visitor = Client::new(&base);
    for (endpoint, args) in &calls {
        assert_eq!(visitor.call(endpoint, args).await.status, 401, "{endpoint}");
        for (who, client) in [("user", &ada), ("guest", &guest)] {
            let answer = client.call(endpoint, args).await;
            assert_eq!(answer.status, 403, "{who} on {endpoint}: {answer:?}");
        }
    }
    assert_eq!(visitor.call("limits/mine", &[]).await.status, 401);
    let none: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM role_limits) + (SELECT count(*) FROM user_limits)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(none, 0, "nothing was set by a non-admin");

    for (value, says) in [
        ("-1", "messages per minute must be a whole number"),
        ("1.5", "messages per minute must be a whole number"),
        ("ten", "messages per minute must be a whole number"),
        ("99999999999", "messages per minute must be a whole number"),
        ("2000000000", "a limit is at most 1,000,000,000"),
    ] {
        let answer = set_user_limits(&admin, &ada_id, [value, "", "", ""]).await;
        assert_eq!(answer.status, 400, "{value}: {answer:?}");
        assert!(answer.message().contains(says), "{value}: {answer:?}");
    }
    for (value, says) in [
        ("NaN", "between $0 and $1,000,000"),
        ("-5", "between $0 and $1,000,000"),
        ("lots", "an amount in dollars"),
    ] {
        let answer = set_user_limits(&admin, &ada_id, ["", "", "", value]).await;
        assert_eq!(answer.status, 400, "{value}: {answer:?}");
        assert!(answer.message().contains(says), "{value}: {answer:?}");
    }
    // "$5" and "1,000" are what people type.
    let set = set_user_limits(&admin, &ada_id, ["1,000", "", "", "$5"]).await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.body["overrides"]["monthly_spend_usd"], 5.0);
    assert_eq!(
        set_user_limits(&admin, "no-such-user", ["1", "", "", ""])
            .await
            .status,
        404
    );
    let guests = admin
        .call("admin/limits/role", &with(("role", "GUEST"), &limits))
        .await;
    assert_eq!(guests.status, 400, "{guests:?}");
    assert!(guests.message().contains("guests cannot send"));

    // Zero blocks sending, with a message that says so.
    assert_eq!(
        set_user_limits(&admin, &ada_id, ["", "0", "", ""])
            .await
            .status,
        200
    );
    let conversation = ada.new_conversation("claude-sonnet-4-5").await;
    assert_refused(
        &ada.send(&conversation, "hello").await,
        "set your limit to 0 messages per day",
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn answers_written_at_once_are_capped_per_user_across_instances(pool: PgPool) {
    let cap = [("VIBEBOT_MAX_ANSWERS_PER_USER", "2")];
    let one = common::spawn_app_with_fake_provider(pool.clone(), &cap)
        .await
        .1;
    let two = common::spawn_app_with_fake_provider(pool.clone(), &cap)
        .await
        .1;
    let ada_on_one = chat_user(&one, ADA).await;
    let ada_on_two = Client::new(&two);
    assert_eq!(ada_on_two.login(ADA, common::PASSWORD).await.status, 200);
    let bob = chat_user(&one, "bob@example.com").await;

    // Two slow answers, one on each instance.
    let slow = "[tokens=200][delay=50] slow";
    let first = ada_on_one.new_conversation("claude-sonnet-4-5").await;
    let second = ada_on_two.new_conversation("claude-sonnet-4-5").await;
    let third = ada_on_one.new_conversation("claude-sonnet-4-5").await;
    let sent = ada_on_one.send(&first, slow).await;
    assert_eq!(sent.status, 200, "{sent:?}");
    let first_answer = sent.body["assistant_message"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(ada_on_two.send(&second, slow).await.status, 200);

    // A third is refused, says why, and stores nothing.
    let refused = ada_on_one.send(&third, "one more").await;
    assert_refused(&refused, "you have 2 answers being written");
    assert!(
        refused
            .message()
            .contains("wait for one to finish or stop one"),
        "{refused:?}"
    );
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM messages WHERE conversation_id = $1")
            .bind(&third)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, 0);
    // The cap is per user: another user is not affected.
    let bobs = bob.new_conversation("claude-sonnet-4-5").await;
    assert_eq!(bob.send(&bobs, "hello").await.status, 200);

    // Once one ends, the next is admitted.
    let stopped = ada_on_one
        .call("chat/stop", &[("message_id", &first_answer)])
        .await;
    assert_eq!(stopped.status, 200, "{stopped:?}");
    common::stored(&pool, &first_answer).await;
    let admitted = ada_on_one.send(&third, "one more").await;
    assert_eq!(admitted.status, 200, "{admitted:?}");

    sqlx::query(
        r#"UPDATE messages SET metadata = metadata || '{"status": "stopped"}'::jsonb
           WHERE metadata->>'status' = 'streaming'"#,
    )
    .execute(&pool)
    .await
    .unwrap();
    wait_finished(&pool).await;
}

/// Two turns of one user stored at once: the second waits for the first's
/// lock on the user, then counts the answer the first stored, so the two
/// cannot both take the last answer allowed. (Counted by the statement that
/// takes the lock, it would see the database as it was before the wait.)
#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_turn_that_waited_for_another_counts_its_answer(pool: PgPool) {
    use app::backend::db::messages::{self, NewMessage};
    use app::backend::limits::admit;

    let (_fake, base) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    let ada = chat_user(&base, ADA).await;
    let first_conversation = ada.new_conversation("claude-sonnet-4-5").await;
    let second_conversation = ada.new_conversation("claude-sonnet-4-5").await;
    let ada_id = user_id(&pool, ADA).await;

    // The first turn is admitted and stores its answer, not yet committed.
    let mut first = pool.begin().await.unwrap();
    admit(&mut first, &ada_id).await.unwrap();
    let answer = NewMessage {
        conversation_id: &first_conversation,
        parent_id: None,
        user_id: None,
        role: app::model::MessageRole::Assistant,
        content: "",
        metadata: Some(app::model::answer::AnswerMetadata::streaming(
            app::model::ApiKeyProvider::Openai,
            "gpt-4o",
            &ada_id,
        )),
    };
    messages::insert(&mut *first, answer).await.unwrap();

    // The second waits for the first's lock…
    let second = tokio::spawn({
        let (pool, ada_id) = (pool.clone(), ada_id.clone());
        async move {
            let mut second = pool.begin().await.unwrap();
            admit(&mut second, &ada_id).await.unwrap();
            messages::being_written(&mut *second, &second_conversation, &ada_id)
                .await
                .unwrap()
        }
    });
    let waiting_for_a_lock = "SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'";
    for _ in 0..500 {
        let waiting: i64 = sqlx::query_scalar(waiting_for_a_lock)
            .fetch_one(&pool)
            .await
            .unwrap();
        if waiting == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(!second.is_finished(), "the second turn did not wait");

    // … and once the first commits, sees its answer.
    first.commit().await.unwrap();
    let seen = second.await.unwrap();
    assert_eq!(seen.for_user, 1, "{seen:?}");
    assert_eq!(seen.here, None, "{seen:?}");
}
