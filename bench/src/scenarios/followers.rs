//! Scenario 8, continued: an answer followed on another instance than the
//! one writing it (two servers on one database, as behind a load balancer).
//! The follower reads the answer from the database every 300 ms; what
//! reaches its browser is compared with the answer's length, and what
//! following costs is counted: the following instance's CPU and
//! PostgreSQL's time for all statements. A follower that sent the whole
//! text so far at each read would receive many times the answer.

use anyhow::{Context, Result};
use app::model::answer::AnswerStatus;
use futures::future::join_all;

use super::{conversations, prose_prompt, statements, Ctx};
use crate::cpu::CpuClock;
use crate::report::Report;

pub async fn run(ctx: &Ctx, report: &mut Report, at_once: usize, tokens: u32) -> Result<()> {
    let (elsewhere, pid) = ctx
        .second
        .as_ref()
        .context("the followers scenario needs a second server (--second-server)")?;
    let stats = statements::stats_pool(ctx).await?;
    let ids = conversations(&ctx.vibebot, at_once).await?;
    let prompt = prose_prompt(tokens);
    statements::reset(&stats).await?;
    let clock = CpuClock::start(*pid)?;
    let followed = join_all(ids.iter().map(|id| async {
        let answer = ctx.vibebot.send(id, &prompt).await?;
        elsewhere.follow_counting(&answer).await
    }))
    .await;
    let spent = clock.spent()?;
    let (_, postgres_ms) = statements::totals(&stats).await?;
    let (mut bytes, mut text, mut snapshots, mut deltas) = (0, 0, 0, 0);
    for one in followed {
        let one = one?;
        anyhow::ensure!(
            one.status == AnswerStatus::Complete,
            "an answer ended {}",
            one.status.as_str()
        );
        bytes += one.bytes;
        text += one.text;
        snapshots += one.snapshots;
        deltas += one.deltas;
    }
    let per = |n: usize| n as f64 / at_once as f64;
    let what = format!("{at_once} answers of {tokens} words followed on a second instance");
    report.add(
        "8",
        format!("{what}: bytes received ÷ the text's bytes; snapshots / deltas per answer"),
        format!(
            "{:.2} ({:.1} KB of {:.1} KB); {:.1} / {:.1}",
            bytes as f64 / text.max(1) as f64,
            per(bytes) / 1024.0,
            per(text) / 1024.0,
            per(snapshots),
            per(deltas)
        ),
        "",
        None,
    );
    report.add(
        "8",
        format!("{what}: CPU (server = the following instance); PostgreSQL time per answer"),
        format!(
            "{}; {:.1} ms",
            spent.per(at_once, "answer"),
            postgres_ms / at_once as f64
        ),
        "",
        None,
    );
    Ok(())
}
