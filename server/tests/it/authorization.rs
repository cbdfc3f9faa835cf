//! Who may call what: every server function, enumerated from the registered
//! list, called by a visitor, a guest, another user (with the owner's ids)
//! and an administrator; and every one of them called from another site.
//!
//! [`matrix`] is the one table of expected outcomes. A server function that
//! is registered but missing from it fails the test, so a new function gets a
//! row the day it is written.

use crate::common;

use std::collections::BTreeSet;

use common::endpoints::*;
use common::{Answer, Client, PASSWORD};
use sqlx::PgPool;

/// Each account signs up from its own address, as attackers would: sign-in
/// throttling counts per address, and one address would throttle them all.
async fn signed_up(base: &str, email: &str, address: &str) -> Client {
    let client = Client::from_address(base, address);
    let answer = client.register(email, PASSWORD).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    client
}

/// The owner with a conversation (a question, its answer, a title and a
/// system prompt), a named key and a private template; and the callers.
async fn world(pool: &PgPool) -> (Client, World, Vec<Client>) {
    let (_fake, base) =
        common::spawn_app_with_fake_provider(pool.clone(), &[("VIBEBOT_TRUST_PROXY", "true")])
            .await;
    let owner = signed_up(&base, OWNER_EMAIL, "10.0.0.1").await;
    owner.add_test_keys().await;
    let named = owner.call("profile/name", &[("name", OWNER_NAME)]).await;
    assert_eq!(named.status, 200, "{named:?}");
    let key = owner
        .call(
            "keys/add",
            &[
                ("provider", "CLAUDE"),
                ("key", KEY_PLAINTEXT),
                ("name", KEY_NAME),
            ],
        )
        .await;
    assert_eq!(key.status, 200, "{key:?}");
    let conversation = owner.new_conversation("claude-sonnet-4-5").await;
    let sent = owner.send(&conversation, QUESTION).await;
    assert_eq!(sent.status, 200, "{sent:?}");
    common::wait_finished(pool).await;
    for (endpoint, args) in [
        (
            "conversations/rename",
            vec![("id", conversation.as_str()), ("title", TITLE)],
        ),
        (
            "conversations/settings",
            vec![
                ("id", conversation.as_str()),
                ("system_prompt", SYSTEM_PROMPT),
            ],
        ),
        (
            "templates/save",
            vec![
                ("conversation_id", conversation.as_str()),
                ("name", TEMPLATE),
                ("public", "false"),
            ],
        ),
    ] {
        let answer = owner.call(endpoint, &args).await;
        assert_eq!(answer.status, 200, "{endpoint}: {answer:?}");
    }
    let template = sqlx::query_scalar("SELECT id FROM templates WHERE name = $1")
        .bind(TEMPLATE)
        .fetch_one(pool)
        .await
        .unwrap();
    let world = World {
        question: sent.body["user_message"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
        answer: sent.body["assistant_message"]["id"]
            .as_str()
            .unwrap()
            .to_string(),
        key: key.body["id"].as_str().unwrap().to_string(),
        conversation,
        template,
        victim: signed_up_id(pool, &base, "victim@matrix.test").await,
        doomed: signed_up_id(pool, &base, "doomed@matrix.test").await,
    };
    let visitor = Client::from_address(&base, "10.0.0.2");
    let guest = signed_up(&base, "guest@matrix.test", "10.0.0.3").await;
    common::set_role(pool, "guest@matrix.test", "GUEST").await;
    let other = signed_up(&base, "other@matrix.test", "10.0.0.4").await;
    other.add_test_keys().await;
    let admin = signed_up(&base, "admin@matrix.test", "10.0.0.5").await;
    admin.add_test_keys().await;
    common::set_role(pool, "admin@matrix.test", "ADMIN").await;
    (owner, world, vec![visitor, guest, other, admin])
}

async fn signed_up_id(pool: &PgPool, base: &str, email: &str) -> String {
    signed_up(base, email, "10.0.0.6").await;
    common::user_id(pool, email).await
}

/// Everything the owner has, as stored: must be the same after the attacks.
async fn owner_snapshot(pool: &PgPool) -> serde_json::Value {
    sqlx::query_scalar(
        "SELECT jsonb_build_object(
           'user', (SELECT to_jsonb(u) FROM users u WHERE u.id = o.id),
           'keys', (SELECT jsonb_agg(to_jsonb(k) ORDER BY k.id) FROM api_keys k WHERE k.user_id = o.id),
           'conversations', (SELECT jsonb_agg(to_jsonb(c) ORDER BY c.id) FROM conversations c WHERE c.user_id = o.id),
           'messages', (SELECT jsonb_agg(to_jsonb(m) ORDER BY m.id) FROM messages m
                        JOIN conversations c ON c.id = m.conversation_id WHERE c.user_id = o.id),
           'templates', (SELECT jsonb_agg(to_jsonb(t) ORDER BY t.id) FROM templates t WHERE t.user_id = o.id),
           'limits', (SELECT to_jsonb(l) FROM user_limits l WHERE l.user_id = o.id))
         FROM users o WHERE o.email = $1",
    )
    .bind(OWNER_EMAIL)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn call(client: &Client, row: &Row, world: &World) -> Answer {
    if row.get {
        client
            .get(&row.path.replace("{answer}", &world.answer))
            .await
    } else {
        let args = (row.args)(world);
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        client.call(row.path, &args).await
    }
}

/// The owner's words found in an answer to `caller`.
fn leaks(answer: &Answer, row: &Row, caller: usize) -> Vec<&'static str> {
    let text = answer.body.to_string();
    let content = [
        TITLE,
        QUESTION,
        SYSTEM_PROMPT,
        KEY_NAME,
        KEY_PLAINTEXT,
        TEMPLATE,
    ];
    let accounts = [OWNER_EMAIL, OWNER_NAME];
    let admin = caller == 3;
    content
        .into_iter()
        .chain(
            accounts
                .into_iter()
                .filter(|_| !(admin && row.shows_accounts)),
        )
        .filter(|word| text.contains(word))
        .collect()
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn every_server_function_answers_each_caller_as_the_table_says(pool: PgPool) {
    let (owner, world, callers) = world(&pool).await;
    let rows = matrix();

    let in_table: BTreeSet<&str> = rows.iter().filter(|r| !r.get).map(|r| r.path).collect();
    let registered = registered();
    let missing: Vec<_> = registered
        .iter()
        .filter(|(path, _)| !in_table.contains(path.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "server functions without a row in the matrix: {missing:?}"
    );
    let unknown: Vec<_> = in_table
        .iter()
        .filter(|path| !registered.iter().any(|(p, _)| p == *path))
        .collect();
    assert!(
        unknown.is_empty(),
        "rows for no registered function: {unknown:?}"
    );

    let before = owner_snapshot(&pool).await;
    let mut wrong = Vec::new();
    for row in &rows {
        for (i, caller) in callers.iter().enumerate() {
            let answer = call(caller, row, &world).await;
            if answer.status != row.expect[i] {
                wrong.push(format!(
                    "{} as {}: expected {}, got {} {}",
                    row.path, CALLERS[i], row.expect[i], answer.status, answer.body
                ));
            }
            let leaked = leaks(&answer, row, i);
            if !leaked.is_empty() {
                wrong.push(format!("{} as {}: LEAKED {leaked:?}", row.path, CALLERS[i]));
            }
            if answer.status == 200 || answer.status >= 500 {
                continue;
            }
            if !answer.explained() {
                wrong.push(format!(
                    "{} as {}: a refusal without a message",
                    row.path, CALLERS[i]
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    eprintln!(
        "authorization matrix: {} functions and routes × {} callers = {} cells",
        rows.len(),
        CALLERS.len(),
        rows.len() * CALLERS.len()
    );

    assert_eq!(
        owner_snapshot(&pool).await,
        before,
        "the owner's data changed"
    );
    assert_eq!(
        owner.whoami().await.as_deref(),
        Some(OWNER_EMAIL),
        "the owner is still signed in"
    );
    let doomed: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
        .bind(&world.doomed)
        .fetch_optional(&pool)
        .await
        .unwrap();
    assert_eq!(doomed, None, "the administrator's allowed delete happened");
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn every_state_change_from_another_site_is_refused(pool: PgPool) {
    let (owner, world, _) = world(&pool).await;
    let rows = matrix();
    let registered = registered();
    let not_post: Vec<_> = registered.iter().filter(|(_, m)| m != "POST").collect();
    assert!(
        not_post.is_empty(),
        "server functions that are not POST skip the cross-site check: {not_post:?}"
    );

    let before = owner_snapshot(&pool).await;
    let forged: [(&str, &[(&str, &str)]); 3] = [
        ("a foreign Origin", &[("origin", "https://evil.example")]),
        ("no Origin or Referer", &[]),
        // A form posted by another site's page, from a browser that sends no Origin.
        (
            "a form from another site",
            &[
                ("referer", "https://evil.example/form.html"),
                ("sec-fetch-site", "cross-site"),
            ],
        ),
    ];
    let mut wrong = Vec::new();
    let mut cells = 0;
    for row in rows.iter().filter(|r| !r.get) {
        let args = (row.args)(&world);
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for (how, headers) in &forged {
            cells += 1;
            let answer = owner.call_with(row.path, &args, headers).await;
            if answer.status != 403 || !answer.message().contains("cross-site request refused") {
                wrong.push(format!(
                    "{} with {how}: {} {}",
                    row.path, answer.status, answer.body
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "accepted from another site:\n{}",
        wrong.join("\n")
    );
    eprintln!("cross-site matrix: {cells} forged requests refused");
    assert_eq!(
        owner_snapshot(&pool).await,
        before,
        "the owner's data changed"
    );
    assert_eq!(owner.whoami().await.as_deref(), Some(OWNER_EMAIL));
}
