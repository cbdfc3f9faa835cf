//! Scenario 4: a user with 10,000 conversations, one of them 2,000 messages
//! long (written straight into PostgreSQL), read by 50 concurrent clients:
//! the sidebar's first and next page, opening the long conversation (its
//! latest page), opening the same conversation with 50 branch points
//! (issue #28: every 40th message has another version, three messages
//! deep) and searching a word. Timed by the server (its `Server-Timing`
//! header: from the request's arrival to the response's head) and at the
//! client (adding HTTP on loopback and the client's own share of the cores).

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures::future::join_all;
use sqlx::postgres::PgPoolOptions;

use super::Ctx;
use crate::report::Report;
use crate::stats::Sample;

const CLIENTS: usize = 50;

pub async fn run(
    ctx: &Ctx,
    report: &mut Report,
    conversations: i64,
    messages: i64,
    rounds: usize,
) -> Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&ctx.database_url)
        .await?;
    let user: String = sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
        .bind(crate::BENCH_EMAIL)
        .fetch_one(&pool)
        .await?;
    let started = Instant::now();
    sqlx::query(
        "INSERT INTO conversations (id, user_id, title, model, created_at, last_activity_at)
         SELECT 'bench-c-' || i, $1, 'Bench conversation ' || i || ' about topic ' || (i % 97),
                'claude-sonnet-4-5', now() - make_interval(mins => i::int), now() - make_interval(mins => i::int)
         FROM generate_series(1, $2) AS i",
    )
    .bind(&user)
    .bind(conversations)
    .execute(&pool)
    .await?;
    // The long conversation as a chain, twice: alone, and with branches.
    sqlx::query(
        "INSERT INTO conversations (id, user_id, title, model)
         VALUES ('bench-c-branched', $1, 'Bench conversation with branches', 'claude-sonnet-4-5')",
    )
    .bind(&user)
    .execute(&pool)
    .await?;
    for (conversation, prefix) in [("bench-c-1", "bench-m-"), ("bench-c-branched", "bench-bm-")] {
        sqlx::query(
            "INSERT INTO messages
                 (id, conversation_id, user_id, role, content, created_at, parent_id)
             SELECT $3 || i, $4, CASE WHEN i % 2 = 1 THEN $1 END,
                    CASE WHEN i % 2 = 1 THEN 'USER'::message_role ELSE 'ASSISTANT'::message_role END,
                    'Message ' || i || ' of the long conversation, about rivers, bridges and '
                        || CASE WHEN i % 500 = 0 THEN 'zebrafish' ELSE 'trains' END || '.',
                    now() - make_interval(secs => ($2 - i)::float8),
                    CASE WHEN i > 1 THEN $3 || (i - 1) END
             FROM generate_series(1, $2) AS i",
        )
        .bind(&user)
        .bind(messages)
        .bind(prefix)
        .bind(conversation)
        .execute(&pool)
        .await?;
        sqlx::query("UPDATE conversations SET current_leaf_id = $2 || $3 WHERE id = $1")
            .bind(conversation)
            .bind(prefix)
            .bind(messages.to_string())
            .execute(&pool)
            .await?;
    }
    // 50 branch points: beside every 40th message, another version of it
    // with three messages below, on a branch not shown.
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, user_id, role, content, created_at, parent_id)
         SELECT 'bench-b-' || k || '-' || j, 'bench-c-branched',
                CASE WHEN j % 2 = 1 THEN $1 END,
                CASE WHEN j % 2 = 1 THEN 'USER'::message_role ELSE 'ASSISTANT'::message_role END,
                'Another version ' || j || ' at branch point ' || k || ', about canals.',
                now() - make_interval(secs => ($2 - 40 * k)::float8) + make_interval(secs => j),
                CASE WHEN j = 0 THEN 'bench-bm-' || (40 * k - 1)
                     ELSE 'bench-b-' || k || '-' || (j - 1) END
         FROM generate_series(1, $2 / 40) AS k, generate_series(0, 3) AS j",
    )
    .bind(&user)
    .bind(messages)
    .execute(&pool)
    .await?;
    // Scenario 7's conversation (opened in chromium by end2end/bench/):
    // 200 messages of markdown with code, as a real technical chat has.
    sqlx::query(
        "INSERT INTO conversations (id, user_id, title, model)
         VALUES ('bench-long-200', $1, 'Two hundred messages', 'claude-sonnet-4-5')",
    )
    .bind(&user)
    .execute(&pool)
    .await?;
    sqlx::query(
        "INSERT INTO messages
             (id, conversation_id, user_id, role, content, metadata, created_at, parent_id)
         SELECT 'bench-long-m-' || i, 'bench-long-200', CASE WHEN i % 2 = 1 THEN $1 END,
                CASE WHEN i % 2 = 1 THEN 'USER'::message_role ELSE 'ASSISTANT'::message_role END,
                CASE WHEN i % 2 = 1 THEN 'Question ' || i || ': how do I read a file line by line?'
                     ELSE E'Answer ' || i || E' with **bold**, `code` and a list:\n\n- open the file\n- wrap it in a `BufReader`\n\n```rust\nuse std::io::BufRead;\nfor line in std::io::BufReader::new(file).lines() {\n    println!(\"{}\", line?);\n}\n```\n' END,
                CASE WHEN i % 2 = 0 THEN '{\"status\": \"complete\", \"model\": \
                                             \"claude-sonnet-4-5\", \"output_tokens\": 120, \
                                               \"cost_usd\": 0.0018}'::jsonb END,
                now() - make_interval(secs => (200 - i)::float8),
                CASE WHEN i > 1 THEN 'bench-long-m-' || (i - 1) END
         FROM generate_series(1, 200) AS i",
    )
    .bind(&user)
    .execute(&pool)
    .await?;
    sqlx::query(
        "UPDATE conversations SET current_leaf_id = 'bench-long-m-200' WHERE id = 'bench-long-200'",
    )
    .execute(&pool)
    .await?;
    // What autovacuum does soon after such a bulk insert on a live database:
    // statistics, and the trigram indexes' pending lists merged (unmerged,
    // every search scans them linearly).
    for table in ["conversations", "messages"] {
        sqlx::raw_sql(&format!("VACUUM ANALYZE {table}"))
            .execute(&pool)
            .await?;
    }
    println!(
        "  (generated {conversations} conversations and {messages} messages in {:.1} s)",
        started.elapsed().as_secs_f64()
    );

    let first = ctx.vibebot.call("conversations/list", &[]).await?;
    let cursor = first["next_cursor"]
        .as_str()
        .context("a second page")?
        .to_string();
    // (what, the server function, its arguments)
    type Call<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);
    let calls: [Call; 5] = [
        ("sidebar, first page", "conversations/list", vec![]),
        (
            "sidebar, next page",
            "conversations/list",
            vec![("cursor", cursor.as_str())],
        ),
        (
            "open the 2,000-message conversation",
            "conversations/get",
            vec![("id", "bench-c-1")],
        ),
        (
            "open it with 50 branch points",
            "conversations/get",
            vec![("id", "bench-c-branched")],
        ),
        (
            "search a word",
            "conversations/search",
            vec![("query", "zebrafish")],
        ),
    ];
    for (what, endpoint, args) in &calls {
        // Alone: the call's own cost, without waiting for the cores.
        let mut alone = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            alone.push(ctx.vibebot.call_timed(endpoint, args).await?.1);
        }
        let alone = Sample::new(alone);
        let started = Instant::now();
        let times = join_all((0..CLIENTS).map(|_| async {
            let mut times = Vec::with_capacity(rounds);
            for _ in 0..rounds {
                let t = Instant::now();
                let (_, server) = ctx.vibebot.call_timed(endpoint, args).await?;
                times.push((server, t.elapsed()));
            }
            Ok::<_, anyhow::Error>(times)
        }))
        .await;
        let elapsed = started.elapsed();
        let (server, client): (Vec<Duration>, Vec<Duration>) = times
            .into_iter()
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .unzip();
        let rate = client.len() as f64 / elapsed.as_secs_f64();
        let (server, client) = (Sample::new(server), Sample::new(client));
        report.add(
            "4",
            format!("{what}, 1 client: server p50 / p99"),
            format!("{:.2} / {:.2} ms", alone.ms(50.0), alone.ms(99.0)),
            "",
            None,
        );
        report.add(
            "4",
            format!("{what}, {CLIENTS} clients: server p50 / p99 (client p50 / p99, calls/s)"),
            format!(
                "{:.1} / {:.1} ms ({:.1} / {:.1} ms, {rate:.0}/s)",
                server.ms(50.0),
                server.ms(99.0),
                client.ms(50.0),
                client.ms(99.0)
            ),
            "p99 < 10 ms",
            Some(server.ms(99.0) < 10.0),
        );
    }
    Ok(())
}
