//! Scenario 8, continued: what saving answers costs PostgreSQL while they
//! stream. Every 500 ms what each answer being written added is saved (one
//! statement for all of them), and its whole text once when it ends: this
//! counts the bytes PostgreSQL logs (WAL) and the time of the 500 ms save,
//! for prose-like answers at a real provider's pace. A save whose cost grew
//! with the text so far would show here as WAL growing faster than length.

use std::time::Duration;

use anyhow::Result;
use futures::future::join_all;
use sqlx::PgPool;

use super::{conversations, statements, Ctx};
use crate::cpu::CpuClock;
use crate::report::Report;

/// 100 tokens a second, a fast real provider's pace.
const DELAY_MS: u32 = 10;

pub async fn run(ctx: &Ctx, report: &mut Report, at_once: usize, lengths: &[u32]) -> Result<()> {
    let stats = statements::stats_pool(ctx).await?;
    for &tokens in lengths {
        let ids = conversations(&ctx.vibebot, at_once).await?;
        let prompt = format!("[tokens={tokens}] [prose] [delay={DELAY_MS}]");
        statements::reset(&stats).await?;
        let wal_before = wal_position(&stats).await?;
        let clock = CpuClock::start(ctx.server_pid)?;
        let ended = join_all(ids.iter().map(|id| async {
            let answer = ctx.vibebot.send(id, &prompt).await?;
            ctx.vibebot.follow_to_end(&answer).await
        }))
        .await;
        // The last answers' final writes land just after their `done`.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let spent = clock.spent()?;
        let wal = wal_since(&stats, &wal_before).await?;
        for status in ended {
            let status = status?;
            anyhow::ensure!(status == "complete", "an answer ended {status}");
        }
        let (flushes, mean_ms, max_ms) = flush_statement(&stats).await?;
        // An answer of a second or more sees at least one 500 ms save.
        anyhow::ensure!(
            flushes > 0 || tokens * DELAY_MS < 1000,
            "no execution of the 500 ms save found in pg_stat_statements: \
             was `messages::save_chunks` reworded? (see `flush_statement`)"
        );
        let what = format!(
            "{at_once} answers of {tokens} words at once, {} tokens/s",
            1000 / DELAY_MS
        );
        report.add(
            "8",
            format!("saving {what}: WAL per answer; CPU"),
            format!(
                "{:.0} KB; {}",
                wal as f64 / 1024.0 / at_once as f64,
                spent.per(at_once, "answer")
            ),
            "",
            None,
        );
        report.add(
            "8",
            format!("saving {what}: the 500 ms save of what was added, executions × mean / max"),
            format!("{flushes} × {mean_ms:.1} / {max_ms:.1} ms"),
            "",
            None,
        );
    }
    Ok(())
}

async fn wal_position(pool: &PgPool) -> Result<String> {
    Ok(sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
        .fetch_one(pool)
        .await?)
}

/// Bytes of WAL written since `start`, by every session.
async fn wal_since(pool: &PgPool, start: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::int8")
            .bind(start)
            .fetch_one(pool)
            .await?,
    )
}

/// Executions, mean and max time (ms) of `messages::save_chunks` since the
/// statistics were reset (found by its text, constants being `$n` there).
async fn flush_statement(pool: &PgPool) -> Result<(i64, f64, f64)> {
    Ok(sqlx::query_as(
        "SELECT coalesce(sum(calls), 0)::int8, coalesce(max(mean_exec_time), 0), coalesce(max(max_exec_time), 0)
         FROM pg_stat_statements
         WHERE query LIKE '%INSERT INTO answer_chunks (message_id, seq, content)%'",
    )
    .fetch_one(pool)
    .await?)
}
