//! Conversation templates over real HTTP: saved from a conversation, used to
//! start new ones with the same model, system prompt and generation settings,
//! shared with everyone by admins only.

use crate::common;

use common::{chat_user, last_answer, set_role, Client};
use sqlx::PgPool;

/// A conversation of `client` with a model, a system prompt and settings set.
async fn configured_conversation(client: &Client) -> String {
    let id = client.new_conversation("gpt-4o").await;
    let set = client
        .call(
            "conversations/settings",
            &[
                ("id", &id),
                ("model", "gpt-4o"),
                ("system_prompt", "You review code."),
            ],
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    let set = client
        .call(
            "conversations/generation",
            &[
                ("id", &id),
                ("temperature", "0.4"),
                ("max_output_tokens", "300"),
                ("top_p", ""),
            ],
        )
        .await;
    assert_eq!(set.status, 200, "{set:?}");
    id
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn a_template_starts_conversations_with_its_settings(pool: PgPool) {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    let ada = chat_user(&base, "ada@example.com").await;
    let source = configured_conversation(&ada).await;

    let saved = ada
        .call(
            "templates/save",
            &[
                ("conversation_id", &source),
                ("name", "  Code   reviewer "),
                ("public", "false"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{saved:?}");
    assert_eq!(saved.body["name"], "Code reviewer");
    assert_eq!(saved.body["mine"], true);
    let template = saved.body["id"].as_str().unwrap().to_string();
    let list = ada.call("templates/list", &[]).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1);

    let created = ada
        .call("conversations/create", &[("template_id", &template)])
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    assert_eq!(created.body["model"], "gpt-4o");
    let id = created.body["id"].as_str().unwrap().to_string();
    let detail = ada.call("conversations/get", &[("id", &id)]).await;
    assert_eq!(detail.body["system_prompt"], "You review code.");
    assert_eq!(detail.body["settings"]["temperature"], 0.4);
    assert_eq!(detail.body["settings"]["max_output_tokens"], 300);

    // What reaches the provider.
    assert_eq!(ada.send(&id, "[echo-params]").await.status, 200);
    let (text, metadata) = last_answer(&pool, &id).await;
    assert_eq!(text, "temperature=0.40 top_p=none max_tokens=300");
    assert_eq!(metadata["temperature"], 0.4);
    assert_eq!(ada.send(&id, "[echo-system]").await.status, 200);
    let (text, _) = last_answer(&pool, &id).await;
    assert_eq!(text, "system: You review code.");

    // A model chosen at the start replaces the template's.
    let other = ada
        .call(
            "conversations/create",
            &[("template_id", &template), ("model", "claude-haiku-4-5")],
        )
        .await;
    assert_eq!(other.body["model"], "claude-haiku-4-5");

    // Names are unique per user (case-insensitive); bad input is explained.
    let again = ada
        .call(
            "templates/save",
            &[
                ("conversation_id", &source),
                ("name", "code REVIEWER"),
                ("public", "false"),
            ],
        )
        .await;
    assert_eq!(again.status, 409, "{again:?}");
    assert!(again.message().contains("already have a template"));
    let empty = ada
        .call(
            "templates/save",
            &[
                ("conversation_id", &source),
                ("name", "   "),
                ("public", "false"),
            ],
        )
        .await;
    assert_eq!(empty.status, 400);
    assert!(empty.message().contains("give the template a name"));

    // Deleting it leaves the conversations made from it alone.
    assert_eq!(
        ada.call("templates/delete", &[("id", &template)])
            .await
            .status,
        200
    );
    assert_eq!(
        ada.call("conversations/get", &[("id", &id)]).await.status,
        200
    );
    let gone = ada
        .call("conversations/create", &[("template_id", &template)])
        .await;
    assert_eq!(gone.status, 404);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn only_admins_share_templates_and_private_ones_stay_private(pool: PgPool) {
    let (_fake, base) = common::spawn_app_with_fake_provider(pool.clone(), &[]).await;
    let admin = chat_user(&base, "root@example.com").await;
    set_role(&pool, "root@example.com", "ADMIN").await;
    let ada = chat_user(&base, "ada@example.com").await;
    let eve = chat_user(&base, "eve@example.com").await;

    let ada_source = configured_conversation(&ada).await;
    let refused = ada
        .call(
            "templates/save",
            &[
                ("conversation_id", &ada_source),
                ("name", "Mine for all"),
                ("public", "true"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403, "{refused:?}");
    let private = ada
        .call(
            "templates/save",
            &[
                ("conversation_id", &ada_source),
                ("name", "Private"),
                ("public", "false"),
            ],
        )
        .await;
    let private = private.body["id"].as_str().unwrap().to_string();
    // Eve cannot save from Ada's conversation, see, use, delete or publish Ada's template.
    let stolen = eve
        .call(
            "templates/save",
            &[
                ("conversation_id", &ada_source),
                ("name", "Stolen"),
                ("public", "false"),
            ],
        )
        .await;
    assert_eq!(stolen.status, 404);
    assert_eq!(
        eve.call("templates/list", &[]).await.body,
        serde_json::json!([])
    );
    for (endpoint, args) in [
        (
            "conversations/create",
            vec![("template_id", private.as_str())],
        ),
        ("templates/delete", vec![("id", private.as_str())]),
    ] {
        assert_eq!(eve.call(endpoint, &args).await.status, 404, "{endpoint}");
    }
    let publish = [("id", private.as_str()), ("public", "true")];
    assert_eq!(eve.call("templates/publish", &publish).await.status, 403);
    // Not even an admin can publish someone else's private template.
    assert_eq!(admin.call("templates/publish", &publish).await.status, 404);

    // An admin shares one: everyone sees it, uses it, and cannot delete it.
    let admin_source = configured_conversation(&admin).await;
    let shared = admin
        .call(
            "templates/save",
            &[
                ("conversation_id", &admin_source),
                ("name", "Team reviewer"),
                ("public", "true"),
            ],
        )
        .await;
    assert_eq!(shared.status, 200, "{shared:?}");
    let shared = shared.body["id"].as_str().unwrap().to_string();
    let seen = eve.call("templates/list", &[]).await;
    assert_eq!(seen.body[0]["name"], "Team reviewer");
    assert_eq!(seen.body[0]["mine"], false);
    assert_eq!(seen.body[0]["is_public"], true);
    let created = eve
        .call("conversations/create", &[("template_id", &shared)])
        .await;
    assert_eq!(created.status, 200, "{created:?}");
    assert_eq!(created.body["model"], "gpt-4o");
    assert_eq!(
        eve.call("templates/delete", &[("id", &shared)])
            .await
            .status,
        404
    );
    // Withdrawn, it is the admin's alone again.
    assert_eq!(
        admin
            .call("templates/publish", &[("id", &shared), ("public", "false")])
            .await
            .status,
        200
    );
    assert_eq!(
        eve.call("templates/list", &[]).await.body,
        serde_json::json!([])
    );
    assert_eq!(
        Client::new(&base).call("templates/list", &[]).await.status,
        401
    );
}
