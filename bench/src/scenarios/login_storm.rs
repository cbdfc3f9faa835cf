//! Scenario 5: 200 sign-ins at once (bcrypt, cost 10) while a signed-in
//! user keeps calling a cheap server function: how slow does the cheap call
//! get, and do the sign-ins succeed or get a clear "busy, retry"?

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Result;
use futures::future::join_all;

use super::Ctx;
use crate::client::VibeBot;
use crate::report::Report;
use crate::stats::Sample;

pub async fn run(ctx: &Ctx, report: &mut Report, logins: usize) -> Result<()> {
    let storming = AtomicBool::new(true);
    let probe = async {
        let mut times = Vec::new();
        while storming.load(Ordering::Relaxed) {
            let t = Instant::now();
            ctx.vibebot.call("account", &[]).await?;
            times.push(t.elapsed());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Ok::<_, anyhow::Error>(times)
    };
    let storm = async {
        let started = Instant::now();
        let results = join_all((0..logins).map(|_| async {
            let client = VibeBot::new(ctx.vibebot.base())?;
            let t = Instant::now();
            let outcome = client
                .call(
                    "login",
                    &[
                        ("email", crate::BENCH_EMAIL),
                        ("password", crate::BENCH_PASSWORD),
                    ],
                )
                .await;
            Ok::<_, anyhow::Error>((outcome, t.elapsed()))
        }))
        .await;
        storming.store(false, Ordering::Relaxed);
        (results, started.elapsed())
    };
    let (times, (results, took)) = tokio::join!(probe, storm);
    let cheap = Sample::new(times?);
    report.add(
        "5",
        format!("cheap call (`account`) during {logins} concurrent sign-ins: p50 / p99"),
        format!("{:.1} / {:.1} ms", cheap.ms(50.0), cheap.ms(99.0)),
        "p99 < 20 ms",
        Some(cheap.ms(99.0) < 20.0),
    );
    let (mut ok, mut busy, mut other) = (0, 0, Vec::new());
    let mut slowest = Duration::ZERO;
    for result in results {
        let (outcome, t) = result?;
        slowest = slowest.max(t);
        match outcome {
            Ok(_) => ok += 1,
            Err(e) if e.to_string().contains("503") => busy += 1,
            Err(e) => other.push(e.to_string()),
        }
    }
    report.add(
        "5",
        format!("{logins} sign-ins: succeeded / busy, retry / other (slowest; all done in)"),
        format!(
            "{ok} / {busy} / {} ({:.1} s; {:.1} s){}",
            other.len(),
            slowest.as_secs_f64(),
            took.as_secs_f64(),
            other
                .first()
                .map(|e| format!(" first other: {e}"))
                .unwrap_or_default()
        ),
        "queue or a clear busy, never a silent timeout",
        Some(other.is_empty()),
    );
    Ok(())
}
