//! The migrations produce exactly the schema of spec/schema.md, read back from
//! PostgreSQL's catalogue rather than from the SQL files.

use sqlx::{PgPool, Row};

type Column = (String, String, String, String, Option<String>);

fn col(table: &str, name: &str, udt: &str, nullable: bool, default: Option<&str>) -> Column {
    (
        table.into(),
        name.into(),
        udt.into(),
        if nullable { "YES" } else { "NO" }.into(),
        default.map(Into::into),
    )
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn tables_have_exactly_the_specified_columns(pool: PgPool) {
    let now = Some("now()");
    let mut expected = vec![
        col("users", "id", "text", false, None),
        col("users", "email", "text", false, None),
        col("users", "password", "text", false, None),
        col("users", "name", "text", true, None),
        col(
            "users",
            "role",
            "user_role",
            false,
            Some("'USER'::user_role"),
        ),
        col("users", "created_at", "timestamptz", false, now),
        col("users", "updated_at", "timestamptz", false, now),
        // Added by the accounts migration: bumped to end all of a user's sessions.
        col("users", "session_epoch", "int4", false, Some("0")),
        // Added by the user theme migration: system, light or dark.
        col("users", "theme", "text", false, Some("'system'::text")),
        // Added by the admin migration: one-time passwords, last seen.
        col(
            "users",
            "must_change_password",
            "bool",
            false,
            Some("false"),
        ),
        col("users", "last_sign_in_at", "timestamptz", true, None),
        // A one-time password works until then.
        col(
            "users",
            "one_time_password_expires_at",
            "timestamptz",
            true,
            None,
        ),
        // The model new conversations start with (the models migration).
        col("users", "default_model", "text", true, None),
        col("api_keys", "id", "text", false, None),
        col("api_keys", "user_id", "text", false, None),
        col("api_keys", "provider", "api_key_provider", false, None),
        col("api_keys", "encrypted_key", "text", false, None),
        col("api_keys", "name", "text", true, None),
        col("api_keys", "created_at", "timestamptz", false, now),
        col("api_keys", "updated_at", "timestamptz", false, now),
        // Added by the key vault migration.
        col("api_keys", "is_default", "bool", false, Some("false")),
        col("api_keys", "base_url", "text", true, None),
        col("api_keys", "key_hint", "text", false, Some("''::text")),
        col("conversations", "id", "text", false, None),
        col("conversations", "user_id", "text", false, None),
        col(
            "conversations",
            "title",
            "text",
            false,
            Some("'New Conversation'::text"),
        ),
        col("conversations", "model", "text", true, None),
        col("conversations", "system_prompt", "text", true, None),
        col("conversations", "created_at", "timestamptz", false, now),
        col("conversations", "updated_at", "timestamptz", false, now),
        // Added for the sidebar's order: the latest message's time.
        col(
            "conversations",
            "last_activity_at",
            "timestamptz",
            false,
            now,
        ),
        // Generation settings (NULL: the provider's defaults).
        col("conversations", "temperature", "float8", true, None),
        col("conversations", "max_output_tokens", "int4", true, None),
        col("conversations", "top_p", "float8", true, None),
        col("messages", "id", "text", false, None),
        col("messages", "conversation_id", "text", false, None),
        col("messages", "user_id", "text", true, None),
        col("messages", "role", "message_role", false, None),
        col("messages", "content", "text", false, None),
        col("messages", "metadata", "jsonb", true, None),
        // clock_timestamp() since the message-order migration.
        col(
            "messages",
            "created_at",
            "timestamptz",
            false,
            Some("clock_timestamp()"),
        ),
        // The conversation's owner, set by a trigger: search reads by it.
        col("messages", "owner_id", "text", false, None),
        // Branching: a message's parent (NULL: a root), when its branch was
        // last chosen, and the leaf the conversation shows.
        col("messages", "parent_id", "text", true, None),
        col("messages", "chosen_at", "timestamptz", true, None),
        col("conversations", "current_leaf_id", "text", true, None),
    ];
    expected.sort();

    let mut actual: Vec<Column> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, udt_name::text, is_nullable::text, \
         column_default::text
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name IN ('users', 'api_keys', 'conversations', 'messages')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    actual.sort();
    assert_eq!(actual, expected);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn enums_have_the_specified_values_in_order(pool: PgPool) {
    let rows: Vec<(String, Vec<String>)> = sqlx::query_as(
        "SELECT t.typname::text, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
         GROUP BY t.typname ORDER BY t.typname",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        rows,
        vec![
            ("api_key_provider".into(), strings(&["CLAUDE", "OPENAI"])),
            (
                "message_role".into(),
                strings(&["USER", "ASSISTANT", "SYSTEM"])
            ),
            ("user_role".into(), strings(&["ADMIN", "USER", "GUEST"])),
        ]
    );
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn indexes_and_primary_keys_match_the_spec(pool: PgPool) {
    let mut defs: Vec<String> = sqlx::query_scalar(
        "SELECT indexdef FROM pg_indexes
         WHERE schemaname = 'public' AND tablename IN ('users', 'api_keys', 'conversations', 'messages')",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    defs.sort();
    let mut expected = vec![
        "CREATE UNIQUE INDEX users_pkey ON public.users USING btree (id)",
        "CREATE UNIQUE INDEX users_email_key ON public.users USING btree (email)",
        "CREATE UNIQUE INDEX api_keys_pkey ON public.api_keys USING btree (id)",
        "CREATE INDEX api_keys_user_id_idx ON public.api_keys USING btree (user_id)",
        "CREATE UNIQUE INDEX api_keys_one_default_per_provider ON public.api_keys USING btree \
         (user_id, provider) WHERE is_default",
        "CREATE UNIQUE INDEX conversations_pkey ON public.conversations USING btree (id)",
        "CREATE INDEX conversations_user_id_idx ON public.conversations USING btree (user_id)",
        "CREATE INDEX conversations_created_at_idx ON public.conversations USING btree (created_at)",
        "CREATE UNIQUE INDEX messages_pkey ON public.messages USING btree (id)",
        "CREATE INDEX messages_conversation_id_idx ON public.messages USING btree (conversation_id)",
        "CREATE INDEX messages_created_at_idx ON public.messages USING btree (created_at)",
        // Later migrations: keyset pagination and search.
        "CREATE INDEX conversations_user_activity_idx ON public.conversations USING btree \
         (user_id, last_activity_at DESC, id DESC)",
        "CREATE INDEX messages_conversation_order_idx ON public.messages USING btree \
         (conversation_id, created_at, id)",
        // Search reads only the caller's entries (the indexes lead with the
        // owner) and leaves out answers being written (saved every 500 ms).
        "CREATE INDEX conversations_user_title_trgm_idx ON public.conversations USING gin \
         (user_id, title gin_trgm_ops)",
        "CREATE INDEX messages_owner_content_trgm_idx ON public.messages USING gin (owner_id, \
         content gin_trgm_ops) WHERE ((metadata ->> 'status'::text) IS DISTINCT FROM 'streaming'::text)",
        "CREATE INDEX messages_streaming_idx ON public.messages USING btree (conversation_id) \
         WHERE ((role = 'ASSISTANT'::message_role) AND ((metadata ->> 'status'::text) = 'streaming'::text))",
        // Answers being written: by conversation, and a user's (counted on every send).
        "CREATE INDEX messages_streaming_asked_by_idx ON public.messages USING btree \
         (((metadata ->> 'asked_by'::text))) WHERE ((role = 'ASSISTANT'::message_role) AND ((metadata ->> 'status'::text) = 'streaming'::text))",
        // Branching: a parent names a message of the same conversation
        // (the key it references), and a message's children in order.
        "CREATE UNIQUE INDEX messages_conversation_id_id_key ON public.messages USING btree \
         (conversation_id, id)",
        "CREATE INDEX messages_children_idx ON public.messages USING btree \
         (conversation_id, parent_id, created_at, id)",
        // The admin's user list.
        "CREATE INDEX users_created_at_id_idx ON public.users USING btree (created_at DESC, id DESC)",
    ];
    expected.sort();
    assert_eq!(defs, expected);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn foreign_keys_cascade_from_owners(pool: PgPool) {
    let mut fks: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text,
                (SELECT string_agg(a.attname, ', ' ORDER BY k.n)
                 FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
                c.confrelid::regclass::text,
                CASE c.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'a' THEN 'NO ACTION'
                                   ELSE c.confdeltype::text END
         FROM pg_constraint c
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    fks.sort();
    let fk = |t: &str, c: &str, r: &str| (t.into(), c.into(), r.into(), "CASCADE".into());
    let mut expected: Vec<(String, String, String, String)> = vec![
        fk("api_keys", "user_id", "users"),
        fk("conversations", "user_id", "users"),
        fk("messages", "conversation_id", "conversations"),
        fk("messages", "user_id", "users"),
        // Later migrations: a deleted user's usage, limits, counted
        // requests and templates go with them.
        fk("answer_requests", "user_id", "users"),
        // An answer's chunks saved while it was written (dropped when it ends).
        fk("answer_chunks", "message_id", "messages"),
        fk("templates", "user_id", "users"),
        fk("usage_daily", "user_id", "users"),
        fk("user_limits", "user_id", "users"),
        // The addresses an account signed in from (sign-in throttling).
        fk("known_sign_in_addresses", "user_id", "users"),
        // The models each key lists go with the key; pins with their user.
        fk("key_models", "api_key_id", "api_keys"),
        fk("key_model_lists", "api_key_id", "api_keys"),
        fk("pinned_models", "user_id", "users"),
        // Branching: a message's parent is a message of its conversation
        // (deleting it deletes its subtree); the conversation's current
        // leaf too, cleared by a trigger when its message goes.
        fk("messages", "conversation_id, parent_id", "messages"),
        (
            "conversations".into(),
            "id, current_leaf_id".into(),
            "messages".into(),
            "NO ACTION".into(),
        ),
    ];
    expected.sort();
    assert_eq!(fks, expected);
}

async fn insert_owner_with_data(pool: &PgPool, user: &str) {
    let statements = [
        format!("INSERT INTO users (id, email, password) VALUES ('{user}', '{user}@x.test', 'h')"),
        format!(
            "INSERT INTO api_keys (id, user_id, provider, encrypted_key) VALUES \
                 ('k-{user}', '{user}', 'CLAUDE', 'v1:x')"
        ),
        format!(
            "INSERT INTO conversations (id, user_id) VALUES ('c1-{user}', '{user}'), \
                 ('c2-{user}', '{user}')"
        ),
        format!(
            "INSERT INTO messages (id, conversation_id, user_id, role, content) VALUES
             ('m1-{user}', 'c1-{user}', '{user}', 'USER', 'hi'),
             ('m2-{user}', 'c1-{user}', NULL, 'ASSISTANT', 'hello'),
             ('m3-{user}', 'c2-{user}', '{user}', 'USER', 'again')"
        ),
    ];
    for sql in statements {
        sqlx::query(&sql).execute(pool).await.unwrap();
    }
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(pool)
        .await
        .unwrap()
        .get(0)
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn deleting_a_conversation_removes_only_its_messages(pool: PgPool) {
    insert_owner_with_data(&pool, "alice").await;
    sqlx::query("DELETE FROM conversations WHERE id = 'c1-alice'")
        .execute(&pool)
        .await
        .unwrap();
    let left: Vec<String> = sqlx::query_scalar("SELECT id FROM messages ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(left, vec!["m3-alice".to_string()]);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn deleting_a_user_removes_everything_they_own_and_nothing_else(pool: PgPool) {
    insert_owner_with_data(&pool, "alice").await;
    insert_owner_with_data(&pool, "bob").await;
    sqlx::query("DELETE FROM users WHERE id = 'alice'")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(count(&pool, "users").await, 1);
    assert_eq!(count(&pool, "api_keys").await, 1);
    assert_eq!(count(&pool, "conversations").await, 2);
    assert_eq!(count(&pool, "messages").await, 3);
    let owners: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.user_id FROM messages m JOIN conversations c ON c.id = m.conversation_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(owners, vec!["bob".to_string()]);
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn updated_at_changes_on_every_update(pool: PgPool) {
    insert_owner_with_data(&pool, "alice").await;
    for table in ["users", "api_keys", "conversations"] {
        sqlx::query(&format!(
            "UPDATE {table} SET created_at = '2020-01-01Z', updated_at = '2020-01-01Z'"
        ))
        .execute(&pool)
        .await
        .unwrap();
    }
    let updates = [
        "UPDATE users SET name = 'Alice'",
        "UPDATE api_keys SET name = 'main'",
        "UPDATE conversations SET title = 'Renamed'",
    ];
    for sql in updates {
        sqlx::query(sql).execute(&pool).await.unwrap();
    }
    for table in ["users", "api_keys", "conversations"] {
        let stale: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {table} WHERE updated_at <= '2020-01-01Z' OR created_at <> \
             '2020-01-01Z'"
        ))
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(
            stale, 0,
            "{table}: updated_at must move, created_at must not"
        );
    }
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn emails_are_unique_and_roles_default_to_user(pool: PgPool) {
    sqlx::query("INSERT INTO users (id, email, password) VALUES ('a', 'same@x.test', 'h')")
        .execute(&pool)
        .await
        .unwrap();
    let role: String = sqlx::query_scalar("SELECT role::text FROM users WHERE id = 'a'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(role, "USER");
    let err =
        sqlx::query("INSERT INTO users (id, email, password) VALUES ('b', 'same@x.test', 'h')")
            .execute(&pool)
            .await
            .unwrap_err();
    let db_err = err.as_database_error().expect("a database error");
    assert_eq!(db_err.constraint(), Some("users_email_key"));
}

#[sqlx::test(migrator = "server::database::MIGRATOR")]
async fn reset_drops_all_data_and_leaves_a_migrated_schema(pool: PgPool) {
    insert_owner_with_data(&pool, "alice").await;
    server::database::reset(&pool).await.unwrap();
    for table in ["users", "api_keys", "conversations", "messages"] {
        assert_eq!(count(&pool, table).await, 0, "{table}");
    }
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(applied as usize, server::database::MIGRATOR.iter().count());
    // And the schema works again.
    insert_owner_with_data(&pool, "bob").await;
}
