//! Scenario 9 (issue #26): the server time of `models/available` (the
//! picker's list) for a user whose keys open 300 models and more (a Claude
//! key, an OpenAI key and an OpenAI-compatible endpoint listing 300, as
//! OpenRouter's does), and, beside it, the time to read that list straight
//! from the endpoint: what every call cost when the list was asked for on
//! each call (before issue #26; run with `VIBEBOT_SERVER_BIN` set to such a
//! build to time it through the server).

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};

use super::Ctx;
use crate::client::VibeBot;
use crate::report::Report;
use crate::stats::Sample;

const EMAIL: &str = "models-bench@vibebot.local";
const MANY_MODELS_KEY: &str = "sk-bench-many-models-0000";

pub async fn run(ctx: &Ctx, report: &mut Report, calls: usize) -> Result<()> {
    let user = VibeBot::new(ctx.vibebot.base())?;
    user.sign_in(EMAIL, "bench password 123").await?;
    let endpoint = format!("{}/openai/v1", ctx.provider);
    let keys = user.call("keys/list", &[]).await?;
    if keys.as_array().is_some_and(|k| k.is_empty()) {
        for form in [
            vec![("provider", "CLAUDE"), ("key", "sk-ant-bench-models-0000")],
            vec![("provider", "OPENAI"), ("key", "sk-bench-openai-0000")],
            vec![
                ("provider", "OPENAI"),
                ("key", MANY_MODELS_KEY),
                ("base_url", endpoint.as_str()),
            ],
        ] {
            user.call("keys/add", &form).await?;
        }
    }
    // The lists are read in the background once the keys are added.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let menu = user.call("models/available", &[]).await?.to_string();
        // (A build before issue #26 offered at most 200 of one endpoint's list.)
        if menu.matches("vendor-").count() >= 200 {
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "the 300 models were never offered"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut server = Vec::with_capacity(calls);
    for _ in 0..calls {
        server.push(user.call_timed("models/available", &[]).await?.1);
    }
    let server = Sample::new(server);
    report.add(
        "9",
        "models/available, 300+ models, server time p50 / p99",
        format!("{} / {} ms", server.shown(50.0), server.shown(99.0)),
        "",
        None,
    );

    let mut straight = Vec::with_capacity(calls);
    for _ in 0..calls {
        let asked = Instant::now();
        let response = ctx
            .vibebot
            .http()
            .get(format!("{endpoint}/models"))
            .bearer_auth(MANY_MODELS_KEY)
            .send()
            .await?;
        ensure!(
            response.status().is_success(),
            "the list: {}",
            response.status()
        );
        response.bytes().await?;
        straight.push(asked.elapsed());
    }
    let straight = Sample::new(straight);
    report.add(
        "9",
        "the 300-model list straight from the endpoint (a local fake; a remote one adds its \
         round trip), p50 / p99",
        format!("{} / {} ms", straight.shown(50.0), straight.shown(99.0)),
        "",
        None,
    );
    Ok(())
}
