//! Scenario 1: time to first token and the gap between tokens through
//! VibeBot, against the same prompt straight from the fake provider, at
//! several numbers of concurrent streams. Both sides run in the same run.

use std::time::{Duration, Instant};

use anyhow::Result;
use futures::future::join_all;

use super::{conversations, statements, Ctx};
use crate::client::{direct, Timing};
use crate::report::Report;
use crate::stats::Sample;

/// 20 tokens, 25 ms apart.
const PROMPT: &str = "[tokens=20] [delay=25]";

pub async fn run(ctx: &Ctx, report: &mut Report, levels: &[usize]) -> Result<()> {
    let stats = statements::stats_pool(ctx).await?;
    for &n in levels {
        let ids = conversations(&ctx.vibebot, n).await?;
        let straight =
            join_all((0..n).map(|_| direct(ctx.vibebot.http(), &ctx.provider, PROMPT))).await;
        statements::reset(&stats).await?;
        let through = join_all(ids.iter().map(|id| async move {
            let asked = Instant::now();
            let (answer, send) = ctx.vibebot.send_timed(id, PROMPT).await?;
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
            format!(
                "{:.1}/{:.1} → {:.1}/{:.1} ms",
                d.ms(50.0),
                d.ms(99.0),
                v.ms(50.0),
                v.ms(99.0)
            ),
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
        let (dg, vg) = (gaps(&straight), gaps(&through));
        report.add(
            "1",
            format!("inter-token gap, {n} streams: provider p50/p99 → VibeBot p50/p99"),
            format!(
                "{}/{} → {}/{} ms",
                dg.shown(50.0),
                dg.shown(99.0),
                vg.shown(50.0),
                vg.shown(99.0)
            ),
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
