//! Usage and cost: counted per user, model and day as answers finish, and
//! always equal to the sum of the answers' own metadata.

use crate::common;

use common::{wait_finished, Client};
use serde_json::Value;
use sqlx::PgPool;

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn usage_equals_the_sum_of_the_answers_metadata(pool: PgPool) {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    let client = common::chat_user(&base, "spender@example.com").await;
    // Two models, several answers, one that fails half-way.
    for (model, prompts) in [
        (
            "claude-sonnet-4-5",
            vec!["[tokens=30]", "[tokens=12]", "[tokens=8] [error-event]"],
        ),
        ("gpt-4o", vec!["[tokens=50]"]),
    ] {
        let conversation = client
            .call("conversations/create", &[("model", model)])
            .await;
        let id = conversation.body["id"].as_str().unwrap().to_string();
        for prompt in prompts {
            let sent = client
                .call("chat/send", &[("conversation_id", &id), ("text", prompt)])
                .await;
            assert_eq!(sent.status, 200, "{sent:?}");
            wait_finished(&pool).await;
        }
    }

    let (answers, input, output, cost): (i64, i64, i64, f64) = sqlx::query_as(
        "SELECT count(*), coalesce(sum((metadata->>'input_tokens')::int8), 0)::int8,
                coalesce(sum((metadata->>'output_tokens')::int8), 0)::int8,
                coalesce(sum((metadata->>'cost_usd')::float8), 0)
         FROM messages WHERE role = 'ASSISTANT'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(answers, 4);
    assert!(output >= 30 + 12 + 50, "{output}");

    let report = client.call("usage/mine", &[]).await;
    assert_eq!(report.status, 200, "{report:?}");
    for period in ["this_month", "last_30_days"] {
        let totals = &report.body[period];
        assert_eq!(totals["answers"], answers, "{period}");
        assert_eq!(totals["input_tokens"], input, "{period}");
        assert_eq!(totals["output_tokens"], output, "{period}");
        let reported = totals["cost_usd"].as_f64().unwrap();
        assert!(
            (reported - cost).abs() < 1e-9,
            "{period}: {reported} vs {cost}"
        );
    }
    let by_model = report.body["by_model"].as_array().unwrap();
    assert_eq!(by_model.len(), 2);
    let sonnet = by_model
        .iter()
        .find(|m| m["model"] == "claude-sonnet-4-5")
        .unwrap();
    assert_eq!(sonnet["totals"]["answers"], 3);
    let by_day = report.body["by_day"].as_array().unwrap();
    assert_eq!(by_day.len(), 30);
    let today: Vec<&Value> = by_day
        .iter()
        .filter(|d| d["totals"]["answers"] != 0)
        .collect();
    assert_eq!(today.len(), 1, "all answers fell on one day");
    assert_eq!(today[0]["totals"]["output_tokens"], output);

    // Another user sees only their own (nothing).
    let other = Client::new(&base);
    assert_eq!(
        other
            .register("frugal@example.com", "correct horse battery")
            .await
            .status,
        200
    );
    let theirs = other.call("usage/mine", &[]).await;
    assert_eq!(theirs.body["this_month"]["answers"], 0);
    assert_eq!(Client::new(&base).call("usage/mine", &[]).await.status, 401);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn answers_that_end_together_are_each_counted_once(pool: PgPool) {
    let (_fake, base) = common::spawn_app_with_fake_provider(
        pool.clone(),
        &[("VIBEBOT_MAX_ANSWERS_PER_USER", "20")],
    )
    .await;
    let client = common::chat_user(&base, "crowd@example.com").await;
    // Twelve answers on two models, sent at once: they end together and are
    // stored in few transactions, each answer counted once.
    let mut conversations = Vec::new();
    for i in 0..12 {
        let model = if i % 3 == 0 {
            "gpt-4o"
        } else {
            "claude-sonnet-4-5"
        };
        conversations.push(client.new_conversation(model).await);
    }
    let sends = conversations.iter().map(|c| client.send(c, "[tokens=25]"));
    for sent in futures::future::join_all(sends).await {
        assert_eq!(sent.status, 200, "{sent:?}");
    }
    wait_finished(&pool).await;

    let rows: Vec<(String, i32, i64)> =
        sqlx::query_as("SELECT model, answers, output_tokens FROM usage_daily ORDER BY model")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        vec![
            ("claude-sonnet-4-5".to_string(), 8, 8 * 25),
            ("gpt-4o".to_string(), 4, 4 * 25)
        ]
    );
    let complete: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM messages WHERE role = 'ASSISTANT' AND metadata->>'status' = 'complete'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(complete, 12);
}
