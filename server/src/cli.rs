//! `vibebot` subcommands. `serve` is the default.

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use crate::{database, rotate, seed, serve, startup};

#[derive(Debug, Parser)]
#[command(
    name = "vibebot",
    version,
    about = "Self-hosted chat with Claude, GPT and OpenAI-compatible models"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default). Applies pending migrations first.
    Serve,
    /// Manage the database.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// Manage the encryption of stored API keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-encrypt every stored API key from VIBEBOT_ENCRYPTION_KEY_PREVIOUS to
    /// VIBEBOT_ENCRYPTION_KEY, in one transaction.
    Rotate,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Apply pending migrations.
    Migrate,
    /// Drop everything and migrate again.
    Reset {
        /// Required unless the database is the private development one.
        #[arg(long)]
        yes: bool,
    },
    /// Load the sample users, keys and conversations (idempotent).
    Seed,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = startup::load_config()?;
    crate::telemetry::init(&config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve::run(config).await,
        Command::Keys {
            command: KeysCommand::Rotate,
        } => {
            if config.previous_encryption_key.is_none() || config.encryption_key.is_none() {
                bail!(
                    "set VIBEBOT_ENCRYPTION_KEY to the new master key and \
                     VIBEBOT_ENCRYPTION_KEY_PREVIOUS to the old one, then run this again"
                );
            }
            let cipher = startup::key_cipher(&config)?;
            let db = database::open(&config).await?;
            let outcome = async {
                database::migrate(&db.pool).await?;
                let report = rotate::rotate(&db.pool, &cipher).await?;
                println!("{report}");
                anyhow::Ok(())
            }
            .await;
            db.close().await;
            outcome
        }
        Command::Db { command } => {
            if matches!(command, DbCommand::Reset { yes: false }) && config.database_url.is_some() {
                bail!(
                    "refusing to reset the database given by DATABASE_URL without --yes; \
                     this deletes all of its data"
                );
            }
            let db = database::open(&config).await?;
            let outcome = run_db_command(command, &db, &config).await;
            db.close().await;
            outcome
        }
    }
}

async fn run_db_command(
    command: DbCommand,
    db: &database::Database,
    config: &app::backend::config::Config,
) -> anyhow::Result<()> {
    match command {
        DbCommand::Migrate => {
            let applied = database::migrate(&db.pool).await?;
            println!("{applied} migration(s) applied; the schema is up to date");
        }
        DbCommand::Reset { .. } => {
            database::reset(&db.pool).await?;
            println!("database reset: all data dropped and migrations applied");
        }
        DbCommand::Seed => {
            database::migrate(&db.pool).await?;
            let cipher = startup::key_cipher(config)?;
            let report = seed::seed(&db.pool, &cipher)
                .await
                .context("seeding failed")?;
            println!("{report}");
        }
    }
    Ok(())
}
