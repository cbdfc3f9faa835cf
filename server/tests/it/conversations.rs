//! Conversations over real HTTP: create, page through, search, open, rename,
//! settings, delete; scoped to their owner; guests read only.

use crate::common;

use common::{spawn_app, spawn_app_with, Client};
use sqlx::PgPool;

async fn signed_in(base: &str, email: &str) -> Client {
    let client = Client::new(base);
    assert_eq!(
        client.register(email, "correct horse battery").await.status,
        200
    );
    client
}

fn user_id_of(answer: &common::Answer) -> String {
    answer.body["id"].as_str().unwrap().to_string()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn create_open_rename_set_up_and_delete(pool: PgPool) {
    let base = spawn_app(pool).await;
    let client = signed_in(&base, "ada@example.com").await;

    let created = client
        .call(
            "conversations/create",
            &[
                ("model", "claude-sonnet-4-5"),
                ("system_prompt", "  Be brief. "),
            ],
        )
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    assert_eq!(created.body["title"], "New Conversation");
    assert_eq!(created.body["model"], "claude-sonnet-4-5");
    let id = user_id_of(&created);

    let opened = client.call("conversations/get", &[("id", &id)]).await;
    assert_eq!(opened.status, 200, "{opened:?}");
    assert_eq!(opened.body["system_prompt"], "Be brief.");
    assert_eq!(opened.body["messages"], serde_json::json!([]));

    let renamed = client
        .call(
            "conversations/rename",
            &[("id", &id), ("title", " Trip   plans ")],
        )
        .await;
    assert_eq!(renamed.body["title"], "Trip plans");

    let switched = client
        .call(
            "conversations/settings",
            &[("id", &id), ("model", "gpt-4o"), ("system_prompt", "")],
        )
        .await;
    assert_eq!(switched.body["model"], "gpt-4o");
    let opened = client.call("conversations/get", &[("id", &id)]).await;
    assert_eq!(opened.body["system_prompt"], serde_json::Value::Null);

    assert_eq!(
        client
            .call("conversations/delete", &[("id", &id)])
            .await
            .status,
        200
    );
    let gone = client.call("conversations/get", &[("id", &id)]).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.message(), "conversation");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn the_list_pages_by_latest_activity_without_gaps_or_repeats(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let client = signed_in(&base, "ada@example.com").await;
    let user: String = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    // 120 conversations, some sharing a timestamp (the keyset must break ties by id).
    sqlx::query(
        "INSERT INTO conversations (id, user_id, title, last_activity_at)
         SELECT 'c' || lpad(n::text, 3, '0'), $1, 'Chat ' || n, timestamptz '2026-01-01' + (n / 2) * interval '1 minute'
         FROM generate_series(1, 120) n",
    )
    .bind(&user)
    .execute(&pool)
    .await
    .unwrap();
    // A message makes an old conversation the newest.
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, user_id, role, content) VALUES \
                 ('m1', 'c001', $1, 'USER', 'hello again')",
    )
    .bind(&user)
    .execute(&pool)
    .await
    .unwrap();

    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page = client
            .call("conversations/list", &[("cursor", &cursor)])
            .await;
        assert_eq!(page.status, 200, "{page:?}");
        pages += 1;
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_string());
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = next.to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 3, "50 + 50 + 20");
    assert_eq!(seen.len(), 120);
    assert_eq!(
        seen[0], "c001",
        "the conversation with the new message comes first"
    );
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 120, "no conversation twice");
    // After the first, strictly by activity then id, newest first.
    let expected_rest: Vec<String> = {
        let mut v: Vec<(u32, String)> = (2..=120).map(|n| (n / 2, format!("c{n:03}"))).collect();
        v.sort_by(|a, b| b.cmp(a));
        v.into_iter().map(|(_, id)| id).collect()
    };
    assert_eq!(&seen[1..], &expected_rest[..]);

    let bad = client
        .call("conversations/list", &[("cursor", "garbage")])
        .await;
    assert_eq!(bad.status, 400);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn search_finds_titles_and_message_text(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let client = signed_in(&base, "ada@example.com").await;
    let user: String = sqlx::query_scalar("SELECT id FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO conversations (id, user_id, title) VALUES
           ('a', $1, 'Paris itinerary'), ('b', $1, 'Cooking'), ('c', $1, '100% legit_title')",
    )
    .bind(&user)
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO messages (id, conversation_id, user_id, role, content) VALUES \
                 ('m', 'b', $1, 'USER', 'a recipe from PARIS'), ('n', 'a', $1, 'USER', 'tips for C# code')")
        .bind(&user)
        .execute(&pool)
        .await
        .unwrap();

    let ids = |answer: common::Answer| -> Vec<String> {
        let mut v: Vec<String> = answer
            .body
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        ids(client
            .call("conversations/search", &[("query", "paris")])
            .await),
        vec!["a", "b"]
    );
    assert_eq!(
        ids(client
            .call("conversations/search", &[("query", "100%")])
            .await),
        vec!["c"]
    );
    assert_eq!(
        ids(client.call("conversations/search", &[("query", "_")]).await),
        vec!["c"],
        "_ is literal"
    );
    assert_eq!(
        ids(client
            .call("conversations/search", &[("query", "c#")])
            .await),
        vec!["a"],
        "a query too short for the trigram index still finds message text"
    );
    assert_eq!(
        client
            .call("conversations/search", &[("query", "  ")])
            .await
            .status,
        400
    );

    // An answer being written is found once it has ended, by either kind of query.
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, role, content, metadata) VALUES \
                 ('s', 'c', 'ASSISTANT', 'Lyon or Paris? Vé', '{\"status\": \"streaming\"}')",
    )
    .execute(&pool)
    .await
    .unwrap();
    for (query, ended) in [("paris", vec!["a", "b", "c"]), ("vé", vec!["c"])] {
        assert_eq!(
            ids(client
                .call("conversations/search", &[("query", query)])
                .await),
            ended
                .iter()
                .filter(|id| **id != "c")
                .copied()
                .collect::<Vec<_>>(),
            "{query}: not while streaming"
        );
        sqlx::query("UPDATE messages SET metadata = $1 WHERE id = 's'")
            .bind(serde_json::json!({"status": "complete"}))
            .execute(&pool)
            .await
            .unwrap();
        assert_eq!(
            ids(client
                .call("conversations/search", &[("query", query)])
                .await),
            ended,
            "{query}: once ended"
        );
        sqlx::query("UPDATE messages SET metadata = '{\"status\": \"streaming\"}' WHERE id = 's'")
            .execute(&pool)
            .await
            .unwrap();
    }

    // Another user finds nothing of mine.
    let other = signed_in(&base, "bob@example.com").await;
    assert_eq!(
        ids(other
            .call("conversations/search", &[("query", "paris")])
            .await),
        Vec::<String>::new()
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn another_users_conversation_does_not_exist_for_me(pool: PgPool) {
    let base = spawn_app(pool).await;
    let alice = signed_in(&base, "alice@example.com").await;
    let id = user_id_of(&alice.call("conversations/create", &[]).await);

    let bob = signed_in(&base, "bob@example.com").await;
    let attempts = [
        bob.call("conversations/get", &[("id", &id)]).await,
        bob.call(
            "conversations/rename",
            &[("id", &id), ("title", "mine now")],
        )
        .await,
        bob.call(
            "conversations/settings",
            &[("id", &id), ("model", "gpt-4o")],
        )
        .await,
        bob.call("conversations/delete", &[("id", &id)]).await,
    ];
    for attempt in attempts {
        assert_eq!(attempt.status, 404, "{attempt:?}");
    }
    let listed = bob.call("conversations/list", &[]).await;
    assert_eq!(listed.body["items"], serde_json::json!([]));
    assert_eq!(
        alice.call("conversations/get", &[("id", &id)]).await.body["summary"]["title"],
        "New Conversation"
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn guests_read_but_cannot_write(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let guest = signed_in(&base, "guest@example.com").await;
    let id = user_id_of(&guest.call("conversations/create", &[]).await);
    sqlx::query("UPDATE users SET role = 'GUEST'")
        .execute(&pool)
        .await
        .unwrap();

    assert_eq!(guest.call("conversations/list", &[]).await.status, 200);
    assert_eq!(
        guest.call("conversations/get", &[("id", &id)]).await.status,
        200
    );
    for (endpoint, args) in [
        ("conversations/create", vec![]),
        (
            "conversations/rename",
            vec![("id", id.as_str()), ("title", "x")],
        ),
        (
            "conversations/settings",
            vec![("id", id.as_str()), ("model", "gpt-4o")],
        ),
        ("conversations/delete", vec![("id", id.as_str())]),
    ] {
        let answer = guest.call(endpoint, &args).await;
        assert_eq!(answer.status, 403, "{endpoint}: {answer:?}");
        assert_eq!(answer.message(), "guests have read-only access");
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn input_limits_give_clear_errors(pool: PgPool) {
    let base = spawn_app(pool).await;
    let client = signed_in(&base, "ada@example.com").await;
    let id = user_id_of(&client.call("conversations/create", &[]).await);
    let long_title = "t".repeat(201);
    let long_prompt = "p".repeat(20_001);
    let cases = [
        (
            client
                .call(
                    "conversations/rename",
                    &[("id", &id), ("title", &long_title)],
                )
                .await,
            "at most 200",
        ),
        (
            client
                .call("conversations/rename", &[("id", &id), ("title", "   ")])
                .await,
            "cannot be empty",
        ),
        (
            client
                .call(
                    "conversations/settings",
                    &[("id", &id), ("system_prompt", &long_prompt)],
                )
                .await,
            "at most 20000",
        ),
        (
            client
                .call("conversations/create", &[("model", "<script>")])
                .await,
            "unknown model",
        ),
    ];
    for (answer, fragment) in cases {
        assert_eq!(answer.status, 400, "{answer:?}");
        assert!(
            answer.message().contains(fragment),
            "{} / {fragment}",
            answer.message()
        );
    }
}

// --- A search costs what the caller's own data costs (issue #25).

/// The most rows any node of an `EXPLAIN (ANALYZE, FORMAT JSON)` plan
/// produced or threw away, over all its loops.
fn most_rows_handled(node: &serde_json::Value) -> f64 {
    let field = |name: &str| node[name].as_f64().unwrap_or(0.0);
    let loops = field("Actual Loops").max(1.0);
    let own = (field("Actual Rows")
        + field("Rows Removed by Filter")
        + field("Rows Removed by Index Recheck")
        + field("Rows Removed by Join Filter"))
        * loops;
    node["Plans"]
        .as_array()
        .into_iter()
        .flatten()
        .map(most_rows_handled)
        .fold(own, f64::max)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_search_reads_only_the_callers_rows_however_many_others_have(pool: PgPool) {
    let base = spawn_app(pool.clone()).await;
    let ada = signed_in(&base, "ada@example.com").await;
    let crowd = signed_in(&base, "crowd@example.com").await;
    let ada_id = user_id_of(&ada.call("account", &[]).await);
    let crowd_id = user_id_of(&crowd.call("account", &[]).await);
    // Another user with 200,000 messages in 100 conversations, full of the
    // words Ada searches for; Ada with 40 messages in 20 conversations.
    for (user, prefix, conversations) in [(&crowd_id, "crowd", 100), (&ada_id, "ada", 20)] {
        sqlx::query(
            "INSERT INTO conversations (id, user_id, title)
             SELECT $2 || i, $1, 'the notes ' || i FROM generate_series(1, $3) i",
        )
        .bind(user)
        .bind(prefix)
        .bind(conversations)
        .execute(&pool)
        .await
        .unwrap();
    }
    // The crowd's rows are scenery: written with triggers off (each would
    // touch its conversation: minutes instead of seconds), owner set here.
    let mut seeding = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *seeding)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, owner_id, role, content)
         SELECT 'crowd-m' || i, 'crowd' || (1 + i % 100), $1, 'USER',
                'the weather in paris... is fine!!! number ' || i || ' c# zz'
         FROM generate_series(1, 200000) i",
    )
    .bind(&crowd_id)
    .execute(&mut *seeding)
    .await
    .unwrap();
    seeding.commit().await.unwrap();
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, role, content)
         SELECT 'ada-m' || i, 'ada' || (1 + i % 20), 'USER',
                CASE WHEN i = 7 THEN 'the trip to paris' ELSE 'the plan for lyon ' || i END
         FROM generate_series(1, 40) i",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("ANALYZE").execute(&pool).await.unwrap();

    for query in ["the", "paris", "number", "...", "!!!", "c#", "zz", "ly"] {
        let sql = if app::backend::db::conversations::has_trigrams(query) {
            include_str!("../../../app/src/backend/db/sql/search_by_trigrams.sql")
        } else {
            include_str!("../../../app/src/backend/db/sql/search_by_walking.sql")
        };
        let pattern = format!("%{}%", app::backend::db::escape_like(query));
        let plan: serde_json::Value =
            sqlx::query_scalar(&format!("EXPLAIN (ANALYZE, FORMAT JSON) {sql}"))
                .bind(&ada_id)
                .bind(&pattern)
                .bind(50_i64)
                .fetch_one(&pool)
                .await
                .unwrap();
        let most = most_rows_handled(&plan[0]["Plan"]);
        // Ada has 60 rows (a node looping over them may count some many
        // times); the crowd has 200,100, which must stay unread.
        assert!(
            most <= 1000.0,
            "{query:?}: a plan node handled {most} rows:\n{plan:#}"
        );
    }
    let found = ada
        .call("conversations/search", &[("query", "paris")])
        .await;
    let ids: Vec<&str> = found
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["ada8"]);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn searches_are_limited_per_user_and_minute(pool: PgPool) {
    let base = spawn_app_with(pool.clone(), &[("VIBEBOT_SEARCHES_PER_MINUTE", "3")]).await;
    let ada = signed_in(&base, "ada@example.com").await;
    let bob = signed_in(&base, "bob@example.com").await;
    let minute = || async {
        let at: chrono::DateTime<chrono::Utc> =
            sqlx::query_scalar("SELECT date_trunc('minute', now())")
                .fetch_one(&pool)
                .await
                .unwrap();
        at
    };
    // Counted per minute of the clock: a run that straddles one is repeated.
    for _ in 0..2 {
        sqlx::query("DELETE FROM rate_counts")
            .execute(&pool)
            .await
            .unwrap();
        let started = minute().await;
        let mut statuses = Vec::new();
        for _ in 0..4 {
            statuses.push(ada.call("conversations/search", &[("query", "x")]).await);
        }
        let others = bob.call("conversations/search", &[("query", "x")]).await;
        if minute().await != started {
            continue;
        }
        let codes: Vec<u16> = statuses.iter().map(|a| a.status).collect();
        assert_eq!(codes, [200, 200, 200, 429]);
        let refused = &statuses[3];
        assert!(
            refused.message().starts_with(
                "you have searched 3 times this minute, the most this server allows; try again in "
            ),
            "{refused:?}"
        );
        let retry: u64 = refused.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        assert_eq!(others.status, 200, "another user's searches are their own");
        return;
    }
    panic!("two runs straddled a minute each");
}
