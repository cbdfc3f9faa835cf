//! `vibebot-bench`: runs issue #7's scenarios against a running release
//! server and fake provider (`scripts/bench` starts them) and prints a table
//! of figures; `--out` also writes it as markdown.

mod client;
mod report;
mod scenarios;
mod stats;

use anyhow::Result;
use clap::Parser;

use client::VibeBot;
use report::Report;
use scenarios::Ctx;

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
    /// The folder the server serves `/pkg/` from.
    #[arg(long)]
    site_dir: String,
    /// A tiny run that only shows the harness works (CI's smoke test).
    #[arg(long)]
    quick: bool,
    /// Also write the table here, as markdown.
    #[arg(long)]
    out: Option<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let vibebot = VibeBot::new(&args.server)?;
    vibebot
        .sign_in("bench@vibebot.local", "bench password 123")
        .await?;
    vibebot.ensure_claude_key().await?;
    let ctx = Ctx {
        vibebot,
        provider: args.provider.trim_end_matches('/').to_string(),
        server_pid: args.server_pid,
        database_url: args.database_url,
        site_dir: args.site_dir,
    };
    let (levels, steps, rss_at, lengths): (&[usize], &[usize], usize, &[u32]) = if args.quick {
        (&[1, 3], &[5], 5, &[5, 50])
    } else {
        (
            &[1, 100, 1000],
            &[1000, 2000, 5000, 10000],
            1000,
            &[10, 200, 2000],
        )
    };
    let mut report = Report::default();
    println!("cores: {}", std::thread::available_parallelism()?.get());
    scenarios::capacity::run(&ctx, &mut report, steps, rss_at).await?;
    scenarios::latency::run(&ctx, &mut report, levels).await?;
    scenarios::statements::run(&ctx, &mut report, lengths).await?;
    scenarios::sizes::run(&ctx, &mut report).await?;
    let table = report.markdown();
    println!("\n{table}");
    if let Some(out) = args.out {
        std::fs::write(out, table)?;
    }
    Ok(())
}
