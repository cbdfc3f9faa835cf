//! Generation settings per conversation over real HTTP: checked against the
//! model, sent to the provider (the fake provider echoes what it received),
//! fitted when the model changes, and recorded in each answer's metadata.

use crate::common;

use common::{chat_user, last_answer, set_role, Answer, Client};
use sqlx::PgPool;

async fn set_generation(client: &Client, conversation: &str, values: [&str; 3]) -> Answer {
    client
        .call(
            "conversations/generation",
            &[
                ("id", conversation),
                ("temperature", values[0]),
                ("max_output_tokens", values[1]),
                ("top_p", values[2]),
            ],
        )
        .await
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn settings_reach_the_provider_and_the_answers_metadata(pool: PgPool) {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    let ada = chat_user(&base, "ada@example.com").await;
    let conversation = ada.new_conversation("claude-sonnet-4-5").await;

    // Defaults: no sampling parameters, VibeBot's default length.
    assert_eq!(ada.send(&conversation, "[echo-params]").await.status, 200);
    let (text, _) = last_answer(&pool, &conversation).await;
    assert_eq!(text, "temperature=none top_p=none max_tokens=8192");

    let set = set_generation(&ada, &conversation, ["0.3", "50", ""]).await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(set.body["temperature"], 0.3);
    let detail = ada
        .call("conversations/get", &[("id", &conversation)])
        .await;
    assert_eq!(detail.body["settings"]["max_output_tokens"], 50);
    assert_eq!(ada.send(&conversation, "[echo-params]").await.status, 200);
    let (text, metadata) = last_answer(&pool, &conversation).await;
    assert_eq!(text, "temperature=0.30 top_p=none max_tokens=50");
    assert_eq!(metadata["temperature"], 0.3);
    assert_eq!(metadata["max_tokens"], 50);
    assert_eq!(metadata["top_p"], serde_json::Value::Null);

    // The answer stops at the maximum, as the provider's does.
    assert_eq!(ada.send(&conversation, "[tokens=80]").await.status, 200);
    let (_, metadata) = last_answer(&pool, &conversation).await;
    assert_eq!(metadata["output_tokens"], 50);
    assert_eq!(metadata["stop_reason"], "max_tokens");

    // OpenAI takes temperature up to 2 and top-p together.
    let switched = ada
        .call(
            "conversations/settings",
            &[("id", &conversation), ("model", "gpt-4o")],
        )
        .await;
    assert_eq!(switched.status, 200, "{switched:?}");
    let set = set_generation(&ada, &conversation, ["1.5", "", "0.9"]).await;
    assert_eq!(set.status, 200, "{set:?}");
    assert_eq!(ada.send(&conversation, "[echo-params]").await.status, 200);
    let (text, metadata) = last_answer(&pool, &conversation).await;
    assert_eq!(text, "temperature=1.50 top_p=0.90 max_tokens=8192");
    assert_eq!(metadata["model"], "gpt-4o");
    assert_eq!(metadata["top_p"], 0.9);

    // Switching to a model that takes neither leaves them out instead of failing.
    let switched = ada
        .call(
            "conversations/settings",
            &[("id", &conversation), ("model", "gpt-5-mini")],
        )
        .await;
    assert_eq!(switched.status, 200);
    assert_eq!(ada.send(&conversation, "[echo-params]").await.status, 200);
    let (text, metadata) = last_answer(&pool, &conversation).await;
    assert_eq!(text, "temperature=none top_p=none max_tokens=8192");
    assert_eq!(metadata["status"], "complete");
    // And back to Claude: temperature capped at 1, top-p dropped (not both).
    ada.call(
        "conversations/settings",
        &[("id", &conversation), ("model", "claude-haiku-4-5")],
    )
    .await;
    assert_eq!(ada.send(&conversation, "[echo-params]").await.status, 200);
    let (text, _) = last_answer(&pool, &conversation).await;
    assert_eq!(text, "temperature=1.00 top_p=none max_tokens=8192");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn settings_are_checked_against_the_model_and_the_caller(pool: PgPool) {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    let ada = chat_user(&base, "ada@example.com").await;
    let claude = ada.new_conversation("claude-sonnet-4-5").await;
    let gpt5 = ada.new_conversation("gpt-5").await;
    for (conversation, values, says) in [
        (
            &claude,
            ["1.5", "", ""],
            "the temperature for Claude Sonnet 4.5 is between 0 and 1",
        ),
        (
            &claude,
            ["0.5", "", "0.9"],
            "takes a temperature or a top-p, not both",
        ),
        (&claude, ["", "64001", ""], "between 1 and 64000 tokens"),
        (&claude, ["", "0", ""], "between 1 and 64000 tokens"),
        (
            &claude,
            ["warm", "", ""],
            "the temperature must be a number",
        ),
        (
            &claude,
            ["", "12.5", ""],
            "the maximum output must be a whole number",
        ),
        (&claude, ["", "", "0"], "top-p is more than 0 and at most 1"),
        (&claude, ["NaN", "", ""], "between 0 and 1"),
        (&gpt5, ["0.2", "", ""], "GPT-5 does not take a temperature"),
        (&gpt5, ["", "", "0.5"], "GPT-5 does not take a top-p"),
    ] {
        let answer = set_generation(&ada, conversation, values).await;
        assert_eq!(answer.status, 400, "{values:?}: {answer:?}");
        assert!(answer.message().contains(says), "{values:?}: {answer:?}");
    }
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM conversations
         WHERE temperature IS NOT NULL OR max_output_tokens IS NOT NULL OR top_p IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(stored, 0, "nothing invalid was stored");
    assert_eq!(
        set_generation(&ada, &gpt5, ["", "128000", ""]).await.status,
        200
    );

    // Someone else's conversation does not exist for them; guests only read.
    let eve = chat_user(&base, "eve@example.com").await;
    assert_eq!(
        set_generation(&eve, &claude, ["0.5", "", ""]).await.status,
        404
    );
    set_role(&pool, "eve@example.com", "GUEST").await;
    assert_eq!(
        set_generation(&eve, &claude, ["0.5", "", ""]).await.status,
        403
    );
    assert_eq!(
        set_generation(&Client::new(&base), &claude, ["0.5", "", ""])
            .await
            .status,
        401
    );
}
