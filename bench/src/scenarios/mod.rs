//! The scenarios of issue #7, one module each (or two close ones together).

pub mod big_account;
pub mod capacity;
pub mod followers;
pub mod latency;
pub mod login_storm;
pub mod models;
pub mod saving;
pub mod sizes;
pub mod statements;

use app::model::answer::AnswerStatus;
use std::future::Future;
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::stream::{self, StreamExt};
use sqlx::postgres::PgPoolOptions;

use crate::client::VibeBot;

/// What every scenario needs: a signed-in session with a Claude key, and
/// where the other parts are.
pub struct Ctx {
    pub vibebot: VibeBot,
    pub provider: String,
    pub server_pid: u32,
    pub database_url: String,
    pub site_dir: String,
    /// The same session on a second server on the same database, and that
    /// server's process id (`--second-server`).
    pub second: Option<(VibeBot, u32)>,
}

/// A fast real provider's pace: 100 tokens a second.
pub const TOKEN_EVERY_MS: u32 = 10;

/// A prompt the fake provider answers with `tokens` prose-like words at
/// [`TOKEN_EVERY_MS`].
pub fn prose_prompt(tokens: u32) -> String {
    format!("[tokens={tokens}] [prose] [delay={TOKEN_EVERY_MS}]")
}

/// Runs `f` over `items`, `limit` at a time, keeping the order.
pub async fn each<T, R, F, Fut>(items: Vec<T>, limit: usize, f: F) -> Vec<R>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = R>,
{
    stream::iter(items.into_iter().map(f))
        .buffered(limit)
        .collect()
        .await
}

/// Sends a few messages at once and reads their answers, so the first
/// scenario does not time the server's cold start (pool connections opened,
/// statements prepared) whichever scenario runs first.
pub async fn warm_up(ctx: &Ctx) -> Result<()> {
    let ids = conversations(&ctx.vibebot, WARM_UP_SENDS).await?;
    let answers = futures::future::join_all(ids.iter().map(|id| async {
        let answer = ctx.vibebot.send(id, "[tokens=3]").await?;
        ctx.vibebot.follow_to_end(&answer).await
    }))
    .await;
    for status in answers {
        let status = status?;
        anyhow::ensure!(
            status == AnswerStatus::Complete,
            "a warm-up answer ended {}",
            status.as_str()
        );
    }
    Ok(())
}

/// Waits until the server writes no answer and has stored every stopped one
/// (a scenario that ran out of time leaves thousands), so that the next
/// scenario does not measure the last one's leftovers. Says how long it
/// waited, or that it gave up after [`QUIET_WITHIN`].
pub async fn wait_until_quiet(ctx: &Ctx) -> Result<()> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&ctx.database_url)
        .await?;
    let start = Instant::now();
    loop {
        let busy: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM messages
             WHERE role = 'ASSISTANT'
               AND (metadata->>'status' = 'streaming'
                    OR (metadata->>'status' = 'stopped' AND NOT metadata ? 'duration_ms'))",
        )
        .fetch_one(&pool)
        .await?;
        if busy == 0 {
            if start.elapsed() > Duration::from_secs(1) {
                println!(
                    "(waited {:.0} s for the answers left over to end)",
                    start.elapsed().as_secs_f64()
                );
            }
            return Ok(());
        }
        if start.elapsed() > QUIET_WITHIN {
            println!("(gave up waiting: {busy} answers are still being written or stopped)");
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

const QUIET_WITHIN: Duration = Duration::from_secs(300);

/// As many as the server's pool holds connections by default.
const WARM_UP_SENDS: usize = 10;

/// `n` new conversations of the bench user.
pub async fn conversations(vibebot: &VibeBot, n: usize) -> Result<Vec<String>> {
    each((0..n).collect(), 16, |_| {
        vibebot.new_conversation("claude-sonnet-4-5")
    })
    .await
    .into_iter()
    .collect()
}

/// The server's resident memory in bytes (Linux `/proc`).
pub fn rss_bytes(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmRSS for {pid}"))?;
    Ok(kb * 1024)
}
