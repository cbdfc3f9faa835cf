//! Scenario 1: time to first token and the gap between tokens through
//! VibeBot, against the same prompt straight from the fake provider, at
//! several numbers of concurrent streams; then the added time to first token
//! of single sends while other answers stream. Both sides run in the same run.

use app::model::answer::AnswerStatus;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::future::join_all;

use super::{conversations, each, statements, Ctx};
use crate::client::{direct, Timing};
use crate::cpu::CpuClock;
use crate::report::Report;
use crate::stats::{versus, Sample};

/// 20 tokens, 25 ms apart.
const PROMPT: &str = "[tokens=20] [delay=25]";

pub async fn run(ctx: &Ctx, report: &mut Report, levels: &[usize]) -> Result<()> {
    let stats = statements::stats_pool(ctx).await?;
    for &n in levels {
        let ids = conversations(&ctx.vibebot, n).await?;
        let straight =
            join_all((0..n).map(|_| direct(ctx.vibebot.http(), &ctx.provider, PROMPT))).await;
        statements::reset(&stats).await?;
        // The CPU spent until the last of the `n` sends was answered.
        let clock = CpuClock::start(ctx.server_pid)?;
        let (answered, burst) = (AtomicUsize::new(0), OnceLock::new());
        let through = join_all(ids.iter().map(|id| async {
            let asked = Instant::now();
            let (answer, send) = ctx.vibebot.send_timed(id, PROMPT).await?;
            if answered.fetch_add(1, Ordering::SeqCst) + 1 == n {
                let _ = burst.set(clock.spent());
            }
            Ok::<_, anyhow::Error>((ctx.vibebot.follow(&answer, asked).await?, send))
        }))
        .await;
        // The last answers' final writes land just after their `done`.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let per_answer = statements::count(&stats).await? as f64 / n as f64;
        let (straight, straight_errors) = split(straight);
        let (through, through_errors) = split(through);
        let sends = Sample::new(through.iter().map(|(_, send)| *send).collect());
        let through: Vec<Timing> = through.into_iter().map(|(timing, _)| timing).collect();
        let ttft = |t: &[Timing]| Sample::new(t.iter().map(|t| t.first_text).collect());
        let gaps = |t: &[Timing]| Sample::new(t.iter().flat_map(|t| t.gaps.clone()).collect());
        let (d, v) = (ttft(&straight), ttft(&through));
        let added_p99 = v.ms(99.0) - d.ms(99.0);
        report.add(
            "1",
            format!("TTFT, {n} streams: provider p50/p99 → VibeBot p50/p99"),
            versus(&d, &v),
            "",
            None,
        );
        report.add(
            "1",
            format!("added TTFT, {n} streams, p50 / p99"),
            format!("{:.2} / {:.2} ms", v.ms(50.0) - d.ms(50.0), added_p99),
            "p99 < 1 ms at 100 streams",
            (n == 100).then_some(added_p99 < 1.0),
        );
        report.add(
            "1",
            format!("of which the send, server time, {n} streams, p50 / p99"),
            format!("{:.2} / {:.2} ms", sends.ms(50.0), sends.ms(99.0)),
            "",
            None,
        );
        if let Some(spent) = burst.into_inner() {
            report.add(
                "1",
                format!(
                    "CPU while the {n} sends were answered (all processes: server, \
                         PostgreSQL, provider, this client)"
                ),
                spent?.per(n, "send"),
                "",
                None,
            );
        }
        let (dg, vg) = (gaps(&straight), gaps(&through));
        report.add(
            "1",
            format!("inter-token gap, {n} streams: provider p50/p99 → VibeBot p50/p99"),
            versus(&dg, &vg),
            "",
            None,
        );
        report.add(
            "8",
            format!("statements per answer (send + stream) with {n} at once"),
            format!("{per_answer:.1}"),
            "a small constant",
            None,
        );
        let errors = straight_errors.len() + through_errors.len();
        report.add(
            "1",
            format!("errors, {n} streams"),
            match through_errors.first().or(straight_errors.first()) {
                Some(e) => format!("{errors} (first: {e:#})"),
                None => "0".into(),
            },
            "0 at 1,000 streams",
            (n >= 1000).then_some(errors == 0),
        );
        // Let the server settle before the next level.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(())
}

/// Answers that keep streaming while single sends are timed: 40 tokens a
/// second for 75 s, the pace of `PROMPT`.
const BACKGROUND: &str = "[tokens=3000] [delay=25]";
/// A single send's answer: its first token is what is timed.
const SINGLE: &str = "[tokens=3] [delay=25]";

/// Added time to first token of one send at a time while `open` answers
/// stream to their followers: `sends` pairs, each the same prompt straight
/// from the provider and then through VibeBot, one after the other, so that
/// both sides see the same load.
pub async fn while_streaming(
    ctx: &Ctx,
    report: &mut Report,
    open: usize,
    sends: usize,
) -> Result<()> {
    let background = conversations(&ctx.vibebot, open).await?;
    let answers: Vec<String> = each(background, 32, |id| async move {
        ctx.vibebot.send(&id, BACKGROUND).await
    })
    .await
    .into_iter()
    .collect::<Result<_>>()?;
    let followers: Vec<_> = answers
        .iter()
        .map(|id| {
            let (vibebot, id) = (ctx.vibebot.clone(), id.clone());
            tokio::spawn(async move { vibebot.follow_to_end(&id).await })
        })
        .collect();
    // Every background answer is streaming before the first send is timed.
    tokio::time::sleep(Duration::from_secs(1)).await;

    let singles = conversations(&ctx.vibebot, sends).await?;
    let (mut straight, mut through, mut server) = (Vec::new(), Vec::new(), Vec::new());
    for id in &singles {
        straight.push(
            direct(ctx.vibebot.http(), &ctx.provider, SINGLE)
                .await?
                .first_text,
        );
        let asked = Instant::now();
        let (answer, send) = ctx.vibebot.send_timed(id, SINGLE).await?;
        through.push(ctx.vibebot.follow(&answer, asked).await?.first_text);
        server.push(send);
    }

    each(answers, 32, |id| async move { ctx.vibebot.stop(&id).await })
        .await
        .into_iter()
        .collect::<Result<Vec<()>>>()?;
    let mut errors = 0;
    for follower in followers {
        match follower.await? {
            Ok(AnswerStatus::Stopped) => {}
            _ => errors += 1,
        }
    }

    let (d, v, s) = (
        Sample::new(straight),
        Sample::new(through),
        Sample::new(server),
    );
    let added_p99 = v.ms(99.0) - d.ms(99.0);
    report.add(
        "1",
        format!(
            "TTFT of {sends} single sends while {open} answers stream: provider p50/p99 → \
                 VibeBot p50/p99"
        ),
        versus(&d, &v),
        "",
        None,
    );
    report.add(
        "1",
        format!(
            "added TTFT of single sends while {open} answers stream, p50 / p99 (the send's \
                 server time p50 / p99)"
        ),
        format!(
            "{:.2} / {:.2} ms ({:.2} / {:.2} ms)",
            v.ms(50.0) - d.ms(50.0),
            added_p99,
            s.ms(50.0),
            s.ms(99.0)
        ),
        "p99 < 1 ms at 100 streams",
        Some(added_p99 < 1.0),
    );
    report.add(
        "1",
        format!("background answers that did not end `stopped` ({open} streaming)"),
        errors.to_string(),
        "0",
        Some(errors == 0),
    );
    Ok(())
}

fn split<T>(results: Vec<Result<T>>) -> (Vec<T>, Vec<anyhow::Error>) {
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(t) => ok.push(t),
            Err(e) => errors.push(e),
        }
    }
    (ok, errors)
}
