//! Scenarios 2 and 3: how many answers can stream at once (opened in steps
//! until the first error or the last step), the server's memory when idle,
//! and what each active stream adds to it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use sqlx::postgres::PgPoolOptions;

use super::{conversations, each, rss_bytes, Ctx};
use crate::report::Report;

/// Long answers: a token every 200 ms for 10 minutes, longer than the ramp.
const PROMPT: &str = "[tokens=3000] [delay=200]";
/// A step that cannot open its streams in this time counts as failed.
const STEP_BUDGET: Duration = Duration::from_secs(120);

pub async fn run(ctx: &Ctx, report: &mut Report, steps: &[usize], rss_at: usize) -> Result<()> {
    let idle = rss_bytes(ctx.server_pid)?;
    report.add(
        "3",
        "server RSS, idle (after start and sign-in)",
        mb(idle),
        "< 50 MB",
        Some(idle < 50 * 1024 * 1024),
    );
    let first_error: Arc<Mutex<Option<String>>> = Arc::default();
    let mut holders = Vec::new();
    let mut answers = Vec::new();
    let mut reached = 0;
    for &step in steps {
        let opening = async {
            let ids = conversations(&ctx.vibebot, step - answers.len()).await?;
            Ok::<_, anyhow::Error>(
                each(
                    ids,
                    32,
                    |id| async move { ctx.vibebot.send(&id, PROMPT).await },
                )
                .await,
            )
        };
        let sent = match tokio::time::timeout(STEP_BUDGET, opening).await {
            Ok(Ok(sent)) => sent,
            Ok(Err(e)) => {
                first_error
                    .lock()
                    .unwrap()
                    .get_or_insert(format!("new conversation: {e:#}"));
                break;
            }
            Err(_) => {
                first_error.lock().unwrap().get_or_insert(format!(
                    "the step did not open its streams within {} s",
                    STEP_BUDGET.as_secs()
                ));
                break;
            }
        };
        for answer in sent {
            match answer {
                Ok(answer) => {
                    let (vibebot, error) = (ctx.vibebot.clone(), first_error.clone());
                    let id = answer.clone();
                    holders.push(tokio::spawn(async move {
                        if let Err(e) = vibebot.hold_open(&id, Duration::from_secs(3600)).await {
                            error
                                .lock()
                                .unwrap()
                                .get_or_insert(format!("stream: {e:#}"));
                        }
                    }));
                    answers.push(answer);
                }
                Err(e) => {
                    first_error
                        .lock()
                        .unwrap()
                        .get_or_insert(format!("send: {e:#}"));
                }
            }
        }
        // Let every stream deliver a few tokens before judging.
        tokio::time::sleep(Duration::from_secs(3)).await;
        if first_error.lock().unwrap().is_some() {
            break;
        }
        reached = step;
        if step == rss_at {
            let active = rss_bytes(ctx.server_pid)?;
            let per_stream = active.saturating_sub(idle) / step as u64;
            report.add(
                "3",
                format!("server RSS with {step} active streams (increase per stream)"),
                format!(
                    "{} ({:.1} KB per stream)",
                    mb(active),
                    per_stream as f64 / 1024.0
                ),
                "< 100 KB per stream",
                Some(per_stream < 100 * 1024),
            );
        }
    }
    let error = first_error.lock().unwrap().clone();
    report.add(
        "2",
        "concurrent open streams without an error (steps: up to the last one)",
        match &error {
            Some(e) => format!("{reached}; then at the next step: {e}"),
            None => format!("{reached} (no error)"),
        },
        "≥ 5,000",
        Some(reached >= 5000),
    );
    // Stop the answers so that the server is quiet for what comes next.
    each(answers, 32, |id| async move { ctx.vibebot.stop(&id).await }).await;
    for holder in holders {
        holder.abort();
    }
    stop_the_rest(ctx).await
}

/// A step that ran out of time leaves answers it sent but never collected,
/// streaming for minutes: stopped through the database, as another instance
/// would stop them (the server notices at its next save), and waited for.
/// One row per statement, as the product's stop does.
async fn stop_the_rest(ctx: &Ctx) -> Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&ctx.database_url)
        .await?;
    let streaming: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM messages WHERE role = 'ASSISTANT' AND metadata->>'status' = 'streaming'",
    )
    .fetch_all(&pool)
    .await?;
    for id in &streaming {
        sqlx::query(
            r#"UPDATE messages SET metadata = metadata || '{"status": "stopped"}'::jsonb
               WHERE id = $1 AND metadata->>'status' = 'streaming'"#,
        )
        .bind(id)
        .execute(&pool)
        .await?;
    }
    // Written by their tasks as they end: `duration_ms` is in the final metadata.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let left: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM messages
             WHERE role = 'ASSISTANT' AND metadata->>'status' = 'stopped' AND NOT metadata ? 'duration_ms'",
        )
        .fetch_one(&pool)
        .await?;
        if left == 0 || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok(())
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
}
