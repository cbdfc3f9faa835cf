//! Scenario 8: database statements per message sent and per answer streamed,
//! counted by PostgreSQL itself (pg_stat_statements), for answers of several
//! lengths. One statement per 500 ms saves every answer being written in the
//! process, so an answer alone pays for each tick of its duration; many at
//! once share them (scenario 1 counts statements per answer at each level).

use std::time::Instant;

use anyhow::{Context, Result};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use super::Ctx;
use crate::report::Report;

pub async fn run(ctx: &Ctx, report: &mut Report, lengths: &[u32]) -> Result<()> {
    let pool = stats_pool(ctx).await?;
    for &tokens in lengths {
        let conversation = ctx.vibebot.new_conversation("claude-sonnet-4-5").await?;
        let prompt = format!("[tokens={tokens}] [delay=1]");
        reset(&pool).await?;
        let asked = Instant::now();
        let answer = ctx.vibebot.send(&conversation, &prompt).await?;
        let per_send = count(&pool).await?;
        if tokens == lengths[0] {
            print_statements(&pool).await?;
        }
        reset(&pool).await?;
        ctx.vibebot.follow(&answer, asked).await?;
        // The final write happens just before `done` is sent.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let per_answer = count(&pool).await?;
        let seconds = asked.elapsed().as_secs_f64();
        report.add(
            "8",
            format!(
                "statements: sending one message / streaming its {tokens}-token answer \
                     ({seconds:.1} s)"
            ),
            format!("{per_send} / {per_answer}"),
            "a small constant, independent of length",
            None,
        );
    }
    Ok(())
}

/// A connection that reads pg_stat_statements.
pub(super) async fn stats_pool(ctx: &Ctx) -> Result<PgPool> {
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(&ctx.database_url)
        .await?;
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&pool)
        .await
        .context("pg_stat_statements must be in shared_preload_libraries")?;
    Ok(pool)
}

pub(super) async fn reset(pool: &PgPool) -> Result<()> {
    sqlx::query("SELECT pg_stat_statements_reset()")
        .execute(pool)
        .await?;
    Ok(())
}

/// Statements executed since the reset, ours excluded.
pub(super) async fn count(pool: &PgPool) -> Result<i64> {
    Ok(totals(pool).await?.0)
}

/// Statements executed since the reset and PostgreSQL's time for them
/// (ms), ours excluded.
pub(super) async fn totals(pool: &PgPool) -> Result<(i64, f64)> {
    Ok(sqlx::query_as(
        "SELECT coalesce(sum(calls), 0)::int8, coalesce(sum(total_exec_time), 0)::float8
         FROM pg_stat_statements
         WHERE query NOT ILIKE '%pg_stat_statements%'",
    )
    .fetch_one(pool)
    .await?)
}

/// Lists the statements since the reset, with PostgreSQL's own time for each.
async fn print_statements(pool: &PgPool) -> Result<()> {
    let rows: Vec<(i64, f64, String)> = sqlx::query_as(
        "SELECT calls, mean_exec_time, regexp_replace(left(query, 90), '\\s+', ' ', 'g')
         FROM pg_stat_statements
         WHERE query NOT ILIKE '%pg_stat_statements%'
         ORDER BY mean_exec_time DESC",
    )
    .fetch_all(pool)
    .await?;
    println!("  statements of one send (calls, mean time in PostgreSQL, query):");
    for (calls, ms, query) in rows {
        println!("    {calls} × {ms:.3} ms  {query}");
    }
    Ok(())
}
