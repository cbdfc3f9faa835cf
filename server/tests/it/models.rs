//! Models (issue #26) over real HTTP against the fake provider: lists read
//! from the providers, cached and refreshed in the background (never asked
//! while a page waits), unknown models chosen and answered at an unknown
//! cost, prices an admin sets, access per role held on the server.

use crate::common;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{answer_id, chat_user, set_role, stored, Client};
use serde_json::Value;
use sqlx::PgPool;

/// Waits until each of the user's keys has a list read after `since` (at most 10 s).
async fn lists_read(pool: &PgPool, email: &str, since: chrono::DateTime<chrono::Utc>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM api_keys k JOIN users u ON u.id = k.user_id
             LEFT JOIN key_model_lists l ON l.api_key_id = k.id
             WHERE u.email = $1
               AND NOT coalesce(l.listed_at >= $2 OR (l.error IS NOT NULL AND l.asked_at >= $2), false)",
        )
        .bind(email)
        .bind(since)
        .fetch_one(pool)
        .await
        .unwrap();
        if waiting == 0 {
            return;
        }
        assert!(Instant::now() < deadline, "the model lists were not read");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The user's menu: (model ids, the whole answer).
async fn menu(client: &Client) -> (Vec<String>, Value) {
    let answer = client.call("models/available", &[]).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    let ids = answer.body["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["facts"]["id"].as_str().unwrap().to_string())
        .collect();
    (ids, answer.body)
}

fn choice<'a>(menu: &'a Value, id: &str) -> &'a Value {
    menu["choices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["facts"]["id"] == id)
        .unwrap_or_else(|| panic!("{id} is offered"))
}

async fn admin(base: &str, pool: &PgPool) -> Client {
    let admin = Client::new(base);
    assert_eq!(
        admin
            .register("root@example.com", common::PASSWORD)
            .await
            .status,
        200
    );
    set_role(pool, "root@example.com", "ADMIN").await;
    admin
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn lists_are_read_on_add_cached_and_refreshed_in_the_background(pool: PgPool) {
    let (served, base) = common::spawn_app_with_counted_provider(pool.clone(), &[]).await;
    let start = chrono::Utc::now();
    let ada = chat_user(&base, "ada@example.com").await;
    lists_read(&pool, "ada@example.com", start).await;
    assert_eq!(
        served.lists.load(Ordering::SeqCst),
        2,
        "one list per key added"
    );

    // Chat models only, the catalogue's and those it does not know.
    let (ids, _) = menu(&ada).await;
    for id in ["claude-sonnet-4-5", "claude-test-1", "gpt-4o", "gpt-test-1"] {
        assert!(ids.contains(&id.to_string()), "{id} in {ids:?}");
    }
    for id in [
        "text-embedding-3-small",
        "whisper-1",
        "dall-e-3",
        "gpt-4o-mini-tts",
    ] {
        assert!(!ids.contains(&id.to_string()), "{id} is not a chat model");
    }

    // Pages and the menu read the cache: nobody asks a provider.
    for _ in 0..5 {
        menu(&ada).await;
        assert_eq!(ada.get("/").await.status, 200);
    }
    assert_eq!(served.lists.load(Ordering::SeqCst), 2);

    // An hour later the next use refreshes them, once, in the background.
    sqlx::query("UPDATE key_model_lists SET asked_at = now() - interval '61 minutes'")
        .execute(&pool)
        .await
        .unwrap();
    let stale = chrono::Utc::now();
    let (before, _) = menu(&ada).await;
    assert_eq!(before, ids, "the stale list still answers at once");
    for _ in 0..3 {
        menu(&ada).await;
    }
    lists_read(&pool, "ada@example.com", stale).await;
    assert_eq!(served.lists.load(Ordering::SeqCst), 4);

    // A provider that refuses the key now keeps the last list, and says why.
    let claude_key: String =
        sqlx::query_scalar("SELECT id FROM api_keys WHERE provider = 'CLAUDE'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let replaced = ada
        .call(
            "keys/replace",
            &[("id", &claude_key), ("key", "sk-ant-ratelimited-000000")],
        )
        .await;
    assert_eq!(replaced.status, 200, "{replaced:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let error: String = loop {
        let error: Option<String> =
            sqlx::query_scalar("SELECT error FROM key_model_lists WHERE api_key_id = $1")
                .bind(&claude_key)
                .fetch_one(&pool)
                .await
                .unwrap();
        if let Some(error) = error {
            break error;
        }
        assert!(Instant::now() < deadline, "the failed ask was not noted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!(error.contains("rate"), "{error}");
    let (after, _) = menu(&ada).await;
    assert_eq!(after, ids, "the last list stays");
    // The keys page says so.
    let keys = ada.call("keys/list", &[]).await;
    let claude = keys
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == claude_key.as_str())
        .unwrap();
    assert_eq!(claude["listed_models"], 4, "{claude}");
    assert!(
        claude["list_error"].as_str().unwrap().contains("rate"),
        "{claude}"
    );

    // "Test" reads the list again and says how many chat models it has.
    let openai_key: String =
        sqlx::query_scalar("SELECT id FROM api_keys WHERE provider = 'OPENAI'")
            .fetch_one(&pool)
            .await
            .unwrap();
    let tested = ada.call("keys/test", &[("id", &openai_key)]).await;
    assert_eq!(tested.body, "works: 5 chat models available", "{tested:?}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_model_the_catalogue_does_not_know_is_chosen_and_answered_at_an_unknown_cost(
    pool: PgPool,
) {
    let (_, base) = common::spawn_app_with_counted_provider(pool.clone(), &[]).await;
    let start = chrono::Utc::now();
    let ada = chat_user(&base, "ada@example.com").await;
    lists_read(&pool, "ada@example.com", start).await;
    let (_, offered) = menu(&ada).await;
    let listed = choice(&offered, "claude-test-1");
    assert_eq!(
        listed["facts"]["name"], "Claude Test 1",
        "the provider's name"
    );
    assert_eq!(listed["facts"]["price"], Value::Null);
    assert_eq!(listed["served_by"], "CLAUDE");

    for (model, provider) in [("claude-test-1", "CLAUDE"), ("gpt-test-1", "OPENAI")] {
        let conversation = ada.new_conversation(model).await;
        let sent = ada.send(&conversation, "hello there").await;
        assert_eq!(sent.status, 200, "{sent:?}");
        let (text, metadata) = stored(&pool, &answer_id(&sent)).await;
        assert_eq!(metadata["status"], "complete", "{metadata}");
        assert_eq!(text, "You said: hello there");
        assert_eq!(
            metadata["provider"], provider,
            "served by the key that lists it"
        );
        assert_eq!(metadata["model"], model);
        assert!(metadata["output_tokens"].as_u64().unwrap() > 0);
        assert_eq!(metadata["cost_usd"], Value::Null, "unknown, never $0");
        assert_eq!(metadata["price"], Value::Null);
    }
    let (answers, unpriced, cost): (i64, i64, f64) = sqlx::query_as(
        "SELECT sum(answers)::int8, sum(unpriced_answers)::int8, sum(cost_usd) FROM usage_daily",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((answers, unpriced, cost), (2, 2, 0.0));
    let usage = ada.call("usage/mine", &[]).await;
    assert_eq!(usage.body["this_month"]["unpriced_answers"], 2, "{usage:?}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_admins_price_applies_to_the_next_answer_on_every_instance(pool: PgPool) {
    let (_, base) = common::spawn_app_with_counted_provider(pool.clone(), &[]).await;
    // A second instance on the same database.
    let (_, second) = common::spawn_app_with_counted_provider(pool.clone(), &[]).await;
    let start = chrono::Utc::now();
    let ada = chat_user(&base, "ada@example.com").await;
    lists_read(&pool, "ada@example.com", start).await;
    let root = admin(&base, &pool).await;

    let conversation = ada.new_conversation("gpt-test-1").await;
    let first = ada.send(&conversation, "before the price").await;
    let (_, before) = stored(&pool, &answer_id(&first)).await;
    assert_eq!(before["cost_usd"], Value::Null);

    let set = root
        .call(
            "admin/models/override",
            &[
                ("model", "gpt-test-1"),
                ("name", "Test One"),
                ("input_usd_per_mtok", "1000"),
                ("output_usd_per_mtok", "2000"),
            ],
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");

    // Asked through the other instance: the price is read per answer.
    let on_second = Client::new(&second);
    assert_eq!(
        on_second
            .login("ada@example.com", common::PASSWORD)
            .await
            .status,
        200
    );
    let (_, offered) = menu(&on_second).await;
    assert_eq!(choice(&offered, "gpt-test-1")["facts"]["name"], "Test One");
    let next = on_second.send(&conversation, "after the price").await;
    assert_eq!(next.status, 200, "{next:?}");
    let (_, after) = stored(&pool, &answer_id(&next)).await;
    let (input, output) = (
        after["input_tokens"].as_f64().unwrap(),
        after["output_tokens"].as_f64().unwrap(),
    );
    let expected = (input * 1000.0 + output * 2000.0) / 1_000_000.0;
    let cost = after["cost_usd"].as_f64().unwrap();
    assert!((cost - expected).abs() < 1e-9, "{cost} vs {expected}");
    assert_eq!(after["price"]["input_usd_per_mtok"], 1000.0);

    // A catalogue model's price changes too; earlier answers keep theirs.
    let (_, first_again) = stored(&pool, &answer_id(&first)).await;
    assert_eq!(first_again["cost_usd"], Value::Null);
    let gpt4o = ada.new_conversation("gpt-4o").await;
    let catalogue_priced = ada.send(&gpt4o, "at the catalogue's price").await;
    let (_, catalogue) = stored(&pool, &answer_id(&catalogue_priced)).await;
    assert_eq!(catalogue["price"]["input_usd_per_mtok"], 2.5);
    root.call(
        "admin/models/override",
        &[
            ("model", "gpt-4o"),
            ("name", ""),
            ("input_usd_per_mtok", "5"),
            ("output_usd_per_mtok", "20"),
        ],
    )
    .await;
    let repriced = ada.send(&gpt4o, "at the admin's price").await;
    let (_, now) = stored(&pool, &answer_id(&repriced)).await;
    assert_eq!(now["price"]["input_usd_per_mtok"], 5.0);
    let (_, then) = stored(&pool, &answer_id(&catalogue_priced)).await;
    assert_eq!(then["price"]["input_usd_per_mtok"], 2.5, "kept as charged");

    // The admin's page shows both, and which models have no price.
    let page = root.call("admin/models", &[]).await;
    assert_eq!(page.status, 200, "{page:?}");
    let rows = page.body["models"].as_array().unwrap();
    let row = |id: &str| rows.iter().find(|r| r["id"] == id).unwrap().clone();
    assert_eq!(row("gpt-4o")["override_price"]["output_usd_per_mtok"], 20.0);
    assert_eq!(
        row("gpt-4o")["catalogue_price"]["output_usd_per_mtok"],
        10.0
    );
    assert_eq!(row("claude-test-1")["catalogue_price"], Value::Null);
    assert_eq!(row("claude-test-1")["listed"], true);
    assert_eq!(
        page.body["catalogue_as_of"],
        app::model::catalog::CATALOGUE_AS_OF
    );

    // An empty override goes back to the catalogue.
    root.call(
        "admin/models/override",
        &[
            ("model", "gpt-4o"),
            ("name", ""),
            ("input_usd_per_mtok", ""),
            ("output_usd_per_mtok", ""),
        ],
    )
    .await;
    let overrides: i64 =
        sqlx::query_scalar("SELECT count(*) FROM model_overrides WHERE model = 'gpt-4o'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(overrides, 0);
    let half = root
        .call(
            "admin/models/override",
            &[
                ("model", "gpt-4o"),
                ("name", ""),
                ("input_usd_per_mtok", "5"),
                ("output_usd_per_mtok", ""),
            ],
        )
        .await;
    assert_eq!(half.status, 400);
    assert!(half.message().contains("both prices"), "{half:?}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_model_withheld_from_a_role_is_refused_on_the_server(pool: PgPool) {
    let (_, base) = common::spawn_app_with_counted_provider(pool.clone(), &[]).await;
    let start = chrono::Utc::now();
    let ada = chat_user(&base, "ada@example.com").await;
    lists_read(&pool, "ada@example.com", start).await;
    let root = admin(&base, &pool).await;
    let kept = ada.new_conversation("gpt-4o").await;

    let withheld = root
        .call(
            "admin/models/access",
            &[("role", "USER"), ("model", "gpt-4o"), ("allowed", "false")],
        )
        .await;
    assert_eq!(withheld.status, 200, "{withheld:?}");
    let (ids, _) = menu(&ada).await;
    assert!(!ids.contains(&"gpt-4o".to_string()));
    assert!(ids.contains(&"gpt-4o-mini".to_string()));

    // Crafted requests are refused with the reason.
    let sent = ada.send(&kept, "still there?").await;
    assert_eq!(sent.status, 403, "{sent:?}");
    assert_eq!(
        sent.message(),
        "GPT-4o is not available to your account (user role); choose another model"
    );
    let created = ada
        .call("conversations/create", &[("model", "gpt-4o")])
        .await;
    assert_eq!(created.status, 403, "{created:?}");
    let switched = ada
        .call(
            "conversations/settings",
            &[("id", &kept), ("model", "gpt-4o")],
        )
        .await;
    assert_eq!(switched.status, 403, "{switched:?}");
    let pinned = ada
        .call("models/pin", &[("model", "gpt-4o"), ("pinned", "true")])
        .await;
    assert_eq!(pinned.status, 403, "{pinned:?}");

    // Switching the conversation to an allowed model answers again.
    let switched = ada
        .call(
            "conversations/settings",
            &[("id", &kept), ("model", "gpt-4o-mini")],
        )
        .await;
    assert_eq!(switched.status, 200, "{switched:?}");
    assert_eq!(ada.send(&kept, "and now?").await.status, 200);

    // Admins keep every model; a role's default is offered first.
    let (admin_ids, _) = menu(&root).await;
    assert!(admin_ids.is_empty(), "the admin has no keys: {admin_ids:?}");
    let default = root
        .call(
            "admin/models/default",
            &[("role", "USER"), ("model", "gpt-test-1")],
        )
        .await;
    assert_eq!(default.status, 200, "{default:?}");
    let refused_default = root
        .call(
            "admin/models/default",
            &[("role", "USER"), ("model", "gpt-4o")],
        )
        .await;
    assert_eq!(refused_default.status, 400, "{refused_default:?}");
    let (_, offered) = menu(&ada).await;
    assert_eq!(offered["default_model"], "gpt-test-1");

    // "Only": models listed later are not allowed; the allowed ones stay.
    let only = root
        .call("admin/models/mode", &[("role", "USER"), ("mode", "only")])
        .await;
    assert_eq!(only.status, 200, "{only:?}");
    let (only_ids, _) = menu(&ada).await;
    assert_eq!(only_ids, ids, "the same models as before");
    sqlx::query(
        "INSERT INTO key_models (api_key_id, model)
         SELECT id, 'gpt-released-later' FROM api_keys WHERE provider = 'OPENAI'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (later, _) = menu(&ada).await;
    assert!(!later.contains(&"gpt-released-later".to_string()));
    let other = root
        .call("admin/models/mode", &[("role", "USER"), ("mode", "except")])
        .await;
    assert_eq!(other.status, 200);
    let (later, _) = menu(&ada).await;
    assert!(
        !later.contains(&"gpt-released-later".to_string()),
        "the same models stay allowed when the mode changes"
    );
    assert!(!later.contains(&"gpt-4o".to_string()), "still withheld");
    sqlx::query(
        "INSERT INTO key_models (api_key_id, model)
         SELECT id, 'gpt-released-even-later' FROM api_keys WHERE provider = 'OPENAI'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let (later, _) = menu(&ada).await;
    assert!(later.contains(&"gpt-released-even-later".to_string()));

    // A guest's role is not chosen here (guests cannot send).
    let guest_rule = root
        .call("admin/models/mode", &[("role", "GUEST"), ("mode", "only")])
        .await;
    assert_eq!(guest_rule.status, 400);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn pins_and_a_personal_default_come_first(pool: PgPool) {
    let (_, base) = common::spawn_app_with_counted_provider(pool.clone(), &[]).await;
    let start = chrono::Utc::now();
    let ada = chat_user(&base, "ada@example.com").await;
    lists_read(&pool, "ada@example.com", start).await;
    for model in ["gpt-test-1", "claude-haiku-4-5"] {
        let pinned = ada
            .call("models/pin", &[("model", model), ("pinned", "true")])
            .await;
        assert_eq!(pinned.status, 200, "{pinned:?}");
    }
    // Pinning twice is still one pin.
    ada.call("models/pin", &[("model", "gpt-test-1"), ("pinned", "true")])
        .await;
    let (_, offered) = menu(&ada).await;
    assert_eq!(
        offered["pinned"],
        serde_json::json!(["gpt-test-1", "claude-haiku-4-5"])
    );
    ada.call(
        "models/pin",
        &[("model", "gpt-test-1"), ("pinned", "false")],
    )
    .await;
    let set = ada.call("models/default", &[("model", "gpt-4.1")]).await;
    assert_eq!(set.status, 200, "{set:?}");
    let conversation = ada.new_conversation("gpt-4o-mini").await;
    ada.send(&conversation, "recently").await;
    let (_, offered) = menu(&ada).await;
    assert_eq!(offered["pinned"], serde_json::json!(["claude-haiku-4-5"]));
    assert_eq!(offered["default_model"], "gpt-4.1");
    assert_eq!(offered["recent"], serde_json::json!(["gpt-4o-mini"]));

    // At most 50 pins.
    sqlx::query(
        "INSERT INTO pinned_models (user_id, model)
         SELECT u.id, 'pinned-' || n FROM users u, generate_series(1, 49) n",
    )
    .execute(&pool)
    .await
    .unwrap();
    let refused = ada
        .call("models/pin", &[("model", "gpt-4o"), ("pinned", "true")])
        .await;
    assert_eq!(refused.status, 400, "{refused:?}");
    assert!(refused.message().contains("at most 50"), "{refused:?}");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn an_endpoint_listing_300_models_offers_them_all_with_their_context_windows(pool: PgPool) {
    let (fake, base) = common::spawn_app_with_fake_provider(
        pool.clone(),
        &[("VIBEBOT_ALLOW_PRIVATE_ENDPOINTS", "true")],
    )
    .await;
    let start = chrono::Utc::now();
    let ada = Client::new(&base);
    assert_eq!(
        ada.register("ada@example.com", common::PASSWORD)
            .await
            .status,
        200
    );
    let endpoint = format!("{fake}/openai/v1");
    let added = ada
        .call(
            "keys/add",
            &[
                ("provider", "OPENAI"),
                ("key", "sk-or-many-models-000000"),
                ("base_url", &endpoint),
            ],
        )
        .await;
    assert_eq!(added.status, 200, "{added:?}");
    lists_read(&pool, "ada@example.com", start).await;
    let (ids, offered) = menu(&ada).await;
    assert_eq!(ids.len(), fake_provider::MANY_MODELS);
    let model = choice(&offered, "vendor-3/model-15");
    assert_eq!(model["facts"]["name"], "Vendor 3: Model 15");
    assert_eq!(
        model["facts"]["context_window"],
        32_768 * 8,
        "the list's context_length"
    );
    assert_eq!(
        model["endpoint"],
        endpoint
            .trim_start_matches("http://")
            .split('/')
            .next()
            .unwrap()
    );
    assert_eq!(model["facts"]["price"], Value::Null);
}
