//! `vibebot-bench`: runs issue #7's scenarios against a running release
//! server and fake provider (`scripts/bench` starts them) and prints a table
//! of figures; `--out` also writes it as markdown.

mod client;
mod cpu;
mod report;
mod scenarios;
mod soak;
mod stats;

use anyhow::Result;
use clap::{Parser, ValueEnum};

use client::VibeBot;
use report::Report;
use scenarios::Ctx;

/// The account the load generator uses.
pub const BENCH_EMAIL: &str = "bench@vibebot.local";
pub const BENCH_PASSWORD: &str = "bench password 123";

#[derive(Parser)]
#[command(about = "VibeBot's benchmark harness (see scripts/bench)")]
struct Args {
    /// VibeBot's address, e.g. http://127.0.0.1:3000
    #[arg(long)]
    server: String,
    /// The fake provider's address.
    #[arg(long)]
    provider: String,
    /// The server's process id (for its memory).
    #[arg(long)]
    server_pid: u32,
    /// The server's database (for counting statements).
    #[arg(long)]
    database_url: String,
    /// A second instance of the server on the same database, for following
    /// answers written by the first (scenario `followers`).
    #[arg(long, requires = "second_server_pid")]
    second_server: Option<String>,
    /// The second instance's process id.
    #[arg(long)]
    second_server_pid: Option<u32>,
    /// The folder the server serves `/pkg/` from.
    #[arg(long)]
    site_dir: String,
    /// A tiny run that only shows the harness works (CI's smoke test).
    #[arg(long)]
    quick: bool,
    /// Also write the table here, as markdown.
    #[arg(long)]
    out: Option<String>,
    /// Only these scenarios, e.g. `latency,statements` (for comparing two
    /// builds).
    #[arg(long, value_delimiter = ',', value_enum)]
    only: Vec<Scenario>,
    /// Instead of the scenarios, the soak test for this many minutes (`scripts/soak`).
    #[arg(long)]
    soak_minutes: Option<u64>,
}

/// The scenario groups, in the order they run; `--only` names them in
/// kebab case (`big-account`).
#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Scenario {
    Capacity,
    Latency,
    Statements,
    Saving,
    Followers,
    Logins,
    BigAccount,
    Sizes,
    Models,
}

impl Scenario {
    async fn run(self, ctx: &Ctx, report: &mut Report, scale: &Scale) -> Result<()> {
        match self {
            Scenario::Capacity => {
                scenarios::capacity::run(ctx, report, scale.steps, scale.rss_at).await
            }
            Scenario::Latency => {
                scenarios::latency::run(ctx, report, scale.levels).await?;
                scenarios::latency::while_streaming(ctx, report, scale.background, scale.singles)
                    .await
            }
            Scenario::Statements => scenarios::statements::run(ctx, report, scale.lengths).await,
            Scenario::Saving => {
                scenarios::saving::run(ctx, report, scale.saving_at_once, scale.saving_lengths)
                    .await
            }
            Scenario::Followers => {
                scenarios::followers::run(ctx, report, scale.saving_at_once, scale.followed_length)
                    .await
            }
            Scenario::Logins => scenarios::login_storm::run(ctx, report, scale.logins).await,
            Scenario::BigAccount => {
                scenarios::big_account::run(
                    ctx,
                    report,
                    scale.conversations,
                    scale.messages,
                    scale.rounds,
                )
                .await
            }
            Scenario::Sizes => scenarios::sizes::run(ctx, report).await,
            Scenario::Models => scenarios::models::run(ctx, report, scale.model_menus).await,
        }
    }
}

/// How big each scenario runs.
struct Scale {
    /// Concurrent streams for the latency comparison.
    levels: &'static [usize],
    /// Answers streaming while single sends are timed, and how many sends.
    background: usize,
    singles: usize,
    /// Open streams, in steps, for the capacity ramp.
    steps: &'static [usize],
    /// The step at which memory per stream is measured.
    rss_at: usize,
    /// Answer lengths (tokens) for counting statements.
    lengths: &'static [u32],
    /// Answers saved while they stream, at once, and their lengths (words).
    saving_at_once: usize,
    saving_lengths: &'static [u32],
    /// The length (words) of the answers followed on a second instance, as
    /// many at once as are saved.
    followed_length: u32,
    logins: usize,
    conversations: i64,
    messages: i64,
    /// Requests per client per call in scenario 4.
    rounds: usize,
    /// Model menus timed in scenario 9.
    model_menus: usize,
}

impl Scale {
    const FULL: Scale = Scale {
        levels: &[1, 100, 1000],
        background: 100,
        singles: 200,
        steps: &[1000, 2000, 5000, 10000],
        rss_at: 1000,
        lengths: &[10, 200, 2000],
        saving_at_once: 100,
        saving_lengths: &[200, 2000],
        followed_length: 2000,
        logins: 200,
        conversations: 10_000,
        messages: 2_000,
        rounds: 20,
        model_menus: 200,
    };
    const QUICK: Scale = Scale {
        levels: &[1, 3],
        background: 3,
        singles: 3,
        steps: &[5],
        rss_at: 5,
        lengths: &[5, 50],
        saving_at_once: 3,
        // One second at 100 tokens/s: long enough for the 500 ms save to run.
        saving_lengths: &[100],
        followed_length: 100,
        logins: 4,
        conversations: 120,
        messages: 40,
        rounds: 2,
        model_menus: 5,
    };
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let vibebot = VibeBot::new(&args.server)?;
    vibebot
        .sign_in("bench@vibebot.local", "bench password 123")
        .await?;
    vibebot.ensure_claude_key().await?;
    let second = args
        .second_server
        .as_deref()
        .zip(args.second_server_pid)
        .map(|(base, pid)| (vibebot.at(base), pid));
    let ctx = Ctx {
        vibebot,
        provider: args.provider.trim_end_matches('/').to_string(),
        server_pid: args.server_pid,
        database_url: args.database_url,
        site_dir: args.site_dir,
        second,
    };
    if let Some(minutes) = args.soak_minutes {
        return soak::run(&ctx, minutes).await;
    }
    let scale = if args.quick {
        Scale::QUICK
    } else {
        Scale::FULL
    };
    let mut report = Report::default();
    println!("cores: {}", std::thread::available_parallelism()?.get());
    scenarios::warm_up(&ctx).await?;
    for &scenario in Scenario::value_variants() {
        if args.only.is_empty() || args.only.contains(&scenario) {
            scenarios::wait_until_quiet(&ctx).await?;
            scenario.run(&ctx, &mut report, &scale).await?;
        }
    }
    let table = report.markdown();
    println!("\n{table}");
    if let Some(out) = args.out {
        std::fs::write(out, table)?;
    }
    Ok(())
}
