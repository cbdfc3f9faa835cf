//! The soak test (`scripts/soak`): mixed traffic for a number of minutes,
//! with faults, while the server's memory, open files and database
//! connections are sampled; then every answer must have reached an end.
//! `scripts/soak` restarts PostgreSQL twice meanwhile.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use crate::client::VibeBot;
use crate::scenarios::{conversations, rss_bytes, Ctx};

/// Browsers sending, following, stopping, leaving, listing and signing in.
const WORKERS: usize = 16;
const SAMPLE_EVERY: Duration = Duration::from_secs(30);

/// What the answers are asked to do: plain, long, failing, cut, markdown.
const PROMPTS: [&str; 6] = [
    "[tokens=40] [delay=20] soak",
    "[tokens=300] [delay=5] a longer one",
    "[tokens=20] [error-event] the provider fails midway",
    "[tokens=30] [cut] the provider's connection drops",
    "[markdown] render this",
    "hello there",
];

/// Outcomes by (action, outcome).
type Tally = Arc<Mutex<BTreeMap<(&'static str, String), u64>>>;

fn count(tally: &Tally, action: &'static str, outcome: impl Into<String>) {
    *tally
        .lock()
        .unwrap()
        .entry((action, outcome.into()))
        .or_default() += 1;
}

fn outcome(result: &Result<(u16, serde_json::Value)>) -> String {
    match result {
        Ok((status, _)) => status.to_string(),
        Err(_) => "no answer".into(),
    }
}

struct Sample {
    at: Duration,
    rss_mb: f64,
    files: usize,
    connections: i64,
    streaming: i64,
}

async fn sample(ctx: &Ctx, db: &PgPool, started: Instant) -> Sample {
    let files = std::fs::read_dir(format!("/proc/{}/fd", ctx.server_pid))
        .map(|d| d.count())
        .unwrap_or(0);
    // During a PostgreSQL restart these read -1: the row says so.
    let connections = sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> \
         pg_backend_pid()",
    )
    .fetch_one(db)
    .await
    .unwrap_or(-1);
    let streaming = sqlx::query_scalar::<_, i64>(
        "SELECT count(*) FROM messages WHERE role = 'ASSISTANT' AND metadata->>'status' = \
         'streaming'",
    )
    .fetch_one(db)
    .await
    .unwrap_or(-1);
    Sample {
        at: started.elapsed(),
        rss_mb: rss_bytes(ctx.server_pid).unwrap_or(0) as f64 / (1024.0 * 1024.0),
        files,
        connections,
        streaming,
    }
}

fn print(s: &Sample) {
    println!(
        "{:>6.1} min  RSS {:>6.1} MB  open files {:>4}  db connections {:>3}  answers streaming \
         {:>3}",
        s.at.as_secs_f64() / 60.0,
        s.rss_mb,
        s.files,
        s.connections,
        s.streaming
    );
}

/// One browser's loop until `until`.
async fn worker(vibebot: VibeBot, conversation: String, n: usize, until: Instant, tally: Tally) {
    let mut i = n;
    while Instant::now() < until {
        i += 1;
        match i % 10 {
            0..=4 => {
                let prompt = PROMPTS[i % PROMPTS.len()];
                let sent = vibebot
                    .call_status(
                        "chat/send",
                        &[("conversation_id", &conversation), ("text", prompt)],
                    )
                    .await;
                count(&tally, "send", outcome(&sent));
                let Ok((200, body)) = sent else {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    continue;
                };
                let answer = body["assistant_message"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if i.is_multiple_of(7) {
                    // The browser leaves mid-answer (unless it ended first).
                    let left = tokio::time::timeout(
                        Duration::from_millis(200),
                        vibebot.follow_to_end(&answer),
                    )
                    .await;
                    count(
                        &tally,
                        "leave mid-answer",
                        match left {
                            Err(_) => "left".to_string(),
                            Ok(Ok(status)) => format!("ended first: {}", status.as_str()),
                            Ok(Err(_)) => "no end".to_string(),
                        },
                    );
                } else if i.is_multiple_of(11) {
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    let stopped = vibebot
                        .call_status("chat/stop", &[("message_id", &answer)])
                        .await;
                    count(&tally, "stop", outcome(&stopped));
                }
                // Follow to the end, whatever it is (complete, error, stopped).
                let followed = vibebot.follow_to_end(&answer).await;
                count(
                    &tally,
                    "follow",
                    match followed {
                        Ok(status) => status.as_str().to_string(),
                        Err(_) => "no end".into(),
                    },
                );
            }
            5 | 6 => {
                let listed = vibebot.call_status("conversations/list", &[]).await;
                count(&tally, "list", outcome(&listed));
                let found = vibebot
                    .call_status("conversations/search", &[("query", "soak")])
                    .await;
                count(&tally, "search", outcome(&found));
            }
            7 => {
                let opened = vibebot
                    .call_status("conversations/get", &[("id", &conversation)])
                    .await;
                count(&tally, "open", outcome(&opened));
            }
            8 => {
                let fresh = match VibeBot::new(vibebot.base()) {
                    Ok(fresh) => fresh,
                    Err(_) => continue,
                };
                let signed = fresh
                    .call_status(
                        "login",
                        &[
                            ("email", crate::BENCH_EMAIL),
                            ("password", crate::BENCH_PASSWORD),
                        ],
                    )
                    .await;
                count(&tally, "sign in", outcome(&signed));
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

pub async fn run(ctx: &Ctx, minutes: u64) -> Result<()> {
    let db = PgPoolOptions::new()
        .max_connections(2)
        .acquire_timeout(Duration::from_secs(2))
        .connect(&ctx.database_url)
        .await?;
    let started = Instant::now();
    let until = started + Duration::from_secs(minutes * 60);
    let tally: Tally = Arc::default();
    let rooms = conversations(&ctx.vibebot, WORKERS).await?;
    let mut samples = vec![sample(ctx, &db, started).await];
    print(&samples[0]);
    let workers: Vec<_> = rooms
        .into_iter()
        .enumerate()
        .map(|(n, room)| tokio::spawn(worker(ctx.vibebot.clone(), room, n, until, tally.clone())))
        .collect();
    while Instant::now() < until {
        tokio::time::sleep(SAMPLE_EVERY.min(until.saturating_duration_since(Instant::now()))).await;
        let s = sample(ctx, &db, started).await;
        print(&s);
        samples.push(s);
    }
    for worker in workers {
        let _ = worker.await;
    }
    // Quiet: every answer must reach an end, and the server settle.
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut last = sample(ctx, &db, started).await;
    while last.streaming != 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(2)).await;
        last = sample(ctx, &db, started).await;
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    let last = sample(ctx, &db, started).await;
    print(&last);

    println!("\nrequests (action: outcome × count)");
    for ((action, outcome), n) in tally.lock().unwrap().iter() {
        println!("  {action}: {outcome} × {n}");
    }
    let statuses: Vec<(String, i64)> = sqlx::query_as(
        "SELECT coalesce(metadata->>'status', '?'), count(*) FROM messages
         WHERE role = 'ASSISTANT' GROUP BY 1 ORDER BY 1",
    )
    .fetch_all(&db)
    .await?;
    println!("answers by final status: {statuses:?}");
    // Memory after warm-up (the first sample a minute or more in) against the end.
    let warm = samples
        .iter()
        .find(|s| s.at >= Duration::from_secs(60))
        .unwrap_or(&samples[0]);
    println!(
        "RSS after warm-up {:.1} MB, at the end {:.1} MB (peak {:.1} MB); open files after \
         warm-up {}, at the end {}; db connections at the end {} (the pool's, the watcher's \
         and one of this tool's); answers left streaming {}",
        warm.rss_mb,
        last.rss_mb,
        samples.iter().map(|s| s.rss_mb).fold(0.0, f64::max),
        warm.files,
        last.files,
        last.connections,
        last.streaming
    );

    let server_errors: u64 = tally
        .lock()
        .unwrap()
        .iter()
        .filter(|((_, outcome), _)| outcome.starts_with('5') && outcome != "503")
        .map(|(_, n)| n)
        .sum();
    anyhow::ensure!(
        last.streaming == 0,
        "{} answers never reached an end",
        last.streaming
    );
    anyhow::ensure!(
        server_errors == 0,
        "{server_errors} requests failed with a server error other than 503"
    );
    Ok(())
}
