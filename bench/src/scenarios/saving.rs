//! Scenario 8, continued: what saving answers costs PostgreSQL while they
//! stream. Every 500 ms what each answer being written added is saved (one
//! statement for all of them), and its whole text once when it ends: this
//! counts the bytes PostgreSQL logs (WAL) and the time of the 500 ms save,
//! for prose-like answers at a real provider's pace. A save whose cost grew
//! with the text so far would show here as WAL growing faster than length.

use app::model::answer::AnswerStatus;
use std::time::Duration;

use anyhow::Result;
use futures::future::join_all;
use sqlx::PgPool;

use super::{conversations, prose_prompt, statements, Ctx, TOKEN_EVERY_MS};
use crate::cpu::CpuClock;
use crate::report::Report;

pub async fn run(ctx: &Ctx, report: &mut Report, at_once: usize, lengths: &[u32]) -> Result<()> {
    let stats = statements::stats_pool(ctx).await?;
    let inspect = sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
        .execute(&stats)
        .await
        .is_ok();
    for &tokens in lengths {
        let ids = conversations(&ctx.vibebot, at_once).await?;
        let prompt = prose_prompt(tokens);
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
        let (wal, images) = wal_since(&stats, &wal_before, inspect).await?;
        for status in ended {
            let status = status?;
            anyhow::ensure!(
                status == AnswerStatus::Complete,
                "an answer ended {}",
                status.as_str()
            );
        }
        let (flushes, mean_ms, max_ms) = flush_statement(&stats).await?;
        // An answer of a second or more sees at least one 500 ms save.
        anyhow::ensure!(
            flushes > 0 || tokens * TOKEN_EVERY_MS < 1000,
            "no execution of the 500 ms save found in pg_stat_statements: \
             was `messages::save_chunks` reworded? (see `flush_statement`)"
        );
        let what = format!(
            "{at_once} answers of {tokens} words at once, {} tokens/s",
            1000 / TOKEN_EVERY_MS
        );
        report.add(
            "8",
            format!("saving {what}: WAL per answer (of which full-page images); CPU"),
            format!(
                "{:.0} KB ({}); {}",
                kb_per(wal, at_once),
                images.map_or("n/a".to_string(), |i| format!(
                    "{:.0} KB",
                    kb_per(i, at_once)
                )),
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

fn kb_per(bytes: i64, answers: usize) -> f64 {
    bytes as f64 / 1024.0 / answers as f64
}

async fn wal_position(pool: &PgPool) -> Result<String> {
    Ok(sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
        .fetch_one(pool)
        .await?)
}

/// Bytes of WAL written (and flushed) since `start`, by every session, and
/// how many of them are full-page images (the first change of a page after
/// a checkpoint logs the whole page; `None` without pg_walinspect).
async fn wal_since(pool: &PgPool, start: &str, inspect: bool) -> Result<(i64, Option<i64>)> {
    let end: String = sqlx::query_scalar("SELECT pg_current_wal_flush_lsn()::text")
        .fetch_one(pool)
        .await?;
    let bytes = sqlx::query_scalar("SELECT pg_wal_lsn_diff($1::pg_lsn, $2::pg_lsn)::int8")
        .bind(&end)
        .bind(start)
        .fetch_one(pool)
        .await?;
    if !inspect {
        return Ok((bytes, None));
    }
    // By kind of record, largest first: what the figure is made of.
    let kinds: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        r#"SELECT "resource_manager/record_type", count, record_size, fpi_size
           FROM pg_get_wal_stats($1::pg_lsn, $2::pg_lsn, true)
           ORDER BY combined_size DESC"#,
    )
    .bind(start)
    .bind(&end)
    .fetch_all(pool)
    .await?;
    println!("  WAL by kind of record (count, record bytes, full-page image bytes):");
    for (kind, count, records, images) in kinds.iter().take(8) {
        println!("    {kind}: {count}, {records}, {images}");
    }
    Ok((bytes, Some(kinds.iter().map(|k| k.3).sum())))
}

/// Executions, mean and max time (ms) of `messages::save_chunks` since the
/// statistics were reset (found by its text, constants being `$n` there).
async fn flush_statement(pool: &PgPool) -> Result<(i64, f64, f64)> {
    Ok(sqlx::query_as(
        "SELECT coalesce(sum(calls), 0)::int8, coalesce(max(mean_exec_time), 0), \
         coalesce(max(max_exec_time), 0)
         FROM pg_stat_statements
         WHERE query LIKE '%INSERT INTO answer_chunks (message_id, seq, content)%'",
    )
    .fetch_one(pool)
    .await?)
}
