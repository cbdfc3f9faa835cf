//! A private PostgreSQL cluster for when `DATABASE_URL` is unset.
//!
//! It uses the PostgreSQL server binaries installed on the machine, keeps its data
//! in a folder of ours (`initdb` on first use), listens only on a unix socket inside
//! that folder (no TCP port, no password, nobody else can connect), and is stopped
//! when we are done with it.

use std::path::{Path, PathBuf};
use std::process::Output;

use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use tokio::process::Command;

/// The database the app uses inside the private cluster.
pub const DATABASE: &str = "vibebot";
/// Only names the socket file; the cluster opens no TCP port.
const PORT: u16 = 5432;
/// The operating-system account PostgreSQL runs as when we are root
/// (PostgreSQL refuses to run as root).
const SERVICE_USER: &str = "postgres";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them with \
         `sudo apt-get install -y postgresql` on Debian/Ubuntu, or set VIBEBOT_PG_BIN_DIR to \
         the folder holding them, or set DATABASE_URL to an existing database"
    )]
    BinariesMissing,
    #[error("the data folder {0} cannot be used: {1}")]
    DataDir(PathBuf, String),
    #[error("{command} failed: {detail}")]
    Command { command: String, detail: String },
    #[error("cannot connect to the private PostgreSQL: {0}")]
    Connect(#[from] sqlx::Error),
}

/// A running private cluster. Stop it with [`EmbeddedPostgres::stop`];
/// dropping it also stops it (blocking) if we started it.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    cluster_dir: PathBuf,
    bin_dir: PathBuf,
    run_as_service_user: bool,
    /// False when the cluster was already running (another `vibebot` owns it).
    stop_when_done: bool,
}

impl EmbeddedPostgres {
    /// Starts (creating on first use) the cluster under `root`, and makes sure the
    /// app's database exists.
    pub async fn start(root: &Path) -> Result<Self, EmbeddedError> {
        let bin_dir = find_bin_dir().ok_or(EmbeddedError::BinariesMissing)?;
        let as_root = nix::unistd::geteuid().is_root();
        std::fs::create_dir_all(root)
            .map_err(|e| EmbeddedError::DataDir(root.to_owned(), e.to_string()))?;
        let root = root
            .canonicalize()
            .map_err(|e| EmbeddedError::DataDir(root.to_owned(), e.to_string()))?;
        let cluster_dir = root.join("cluster");
        let socket = cluster_dir.join(format!(".s.PGSQL.{PORT}"));
        // Unix socket paths are limited to 107 bytes.
        if socket.as_os_str().len() > 100 || cluster_dir.to_string_lossy().contains('\'') {
            return Err(EmbeddedError::DataDir(
                root,
                "the path is too long for a unix socket or contains a quote; \
                 set VIBEBOT_DATA_DIR to a shorter folder"
                    .into(),
            ));
        }

        let mut pg = EmbeddedPostgres {
            cluster_dir,
            bin_dir,
            run_as_service_user: as_root,
            stop_when_done: false,
        };
        if !pg.cluster_dir.join("PG_VERSION").exists() {
            pg.init().await?;
        }
        if pg.pg_ctl(&["status"]).await?.status.success() {
            tracing::info!(
                dir = %pg.cluster_dir.display(),
                "private PostgreSQL already running; reusing it"
            );
        } else {
            pg.start_server().await?;
            pg.stop_when_done = true;
        }
        pg.ensure_database().await?;
        Ok(pg)
    }

    /// How to connect to the app's database in this cluster.
    pub fn connect_options(&self) -> PgConnectOptions {
        self.connect_options_for(DATABASE)
    }

    fn connect_options_for(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.cluster_dir)
            .port(PORT)
            .username("postgres")
            .database(database)
    }

    /// Stops the cluster now, whoever started it, and waits until it has
    /// stopped (the fault tests take the database away from a running server).
    pub async fn shut_down(&self) -> Result<(), EmbeddedError> {
        let out = self.pg_ctl(&["stop", "-m", "fast", "-w"]).await?;
        if out.status.success() {
            Ok(())
        } else {
            Err(EmbeddedError::Command {
                command: "pg_ctl stop".into(),
                detail: describe(&out),
            })
        }
    }

    /// Stops the cluster if we started it.
    pub async fn stop(mut self) {
        if self.stop_when_done {
            self.stop_when_done = false;
            match self.pg_ctl(&["stop", "-m", "fast", "-w"]).await {
                Ok(out) if out.status.success() => tracing::info!("private PostgreSQL stopped"),
                Ok(out) => {
                    tracing::warn!(
                        detail = %describe(&out),
                        "private PostgreSQL did not stop cleanly"
                    )
                }
                Err(e) => tracing::warn!(error = %e, "cannot stop the private PostgreSQL"),
            }
        }
    }

    async fn init(&self) -> Result<(), EmbeddedError> {
        std::fs::create_dir_all(&self.cluster_dir)
            .map_err(|e| EmbeddedError::DataDir(self.cluster_dir.clone(), e.to_string()))?;
        if self.run_as_service_user {
            let user = nix::unistd::User::from_name(SERVICE_USER)
                .ok()
                .flatten()
                .ok_or_else(|| {
                    EmbeddedError::DataDir(
                        self.cluster_dir.clone(),
                        format!(
                            "running as root needs the `{SERVICE_USER}` system user, \
                             which the postgresql package creates"
                        ),
                    )
                })?;
            std::os::unix::fs::chown(
                &self.cluster_dir,
                Some(user.uid.as_raw()),
                Some(user.gid.as_raw()),
            )
            .map_err(|e| EmbeddedError::DataDir(self.cluster_dir.clone(), e.to_string()))?;
        }
        tracing::info!(
            dir = %self.cluster_dir.display(),
            "creating the private PostgreSQL cluster"
        );
        let dir = self.cluster_dir.to_string_lossy().into_owned();
        let out = self
            .run(
                "initdb",
                &[
                    "-D",
                    &dir,
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-instructions",
                ],
            )
            .await?;
        check("initdb", out)
    }

    async fn start_server(&self) -> Result<(), EmbeddedError> {
        let log = self.cluster_dir.join("server.log");
        let options = format!(
            "-k '{}' -c listen_addresses='' -p {PORT}",
            self.cluster_dir.display()
        );
        let out = self
            .pg_ctl(&[
                "start",
                "-w",
                "-t",
                "60",
                "-l",
                &log.to_string_lossy(),
                "-o",
                &options,
            ])
            .await?;
        check("pg_ctl start", out).map_err(|e| match e {
            EmbeddedError::Command { command, detail } => EmbeddedError::Command {
                command,
                detail: format!("{detail} (see {})", log.display()),
            },
            other => other,
        })?;
        tracing::info!(dir = %self.cluster_dir.display(), "private PostgreSQL started");
        Ok(())
    }

    async fn ensure_database(&self) -> Result<(), EmbeddedError> {
        let mut conn = self.connect_options_for("postgres").connect().await?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
                .bind(DATABASE)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            sqlx::query(&format!("CREATE DATABASE {DATABASE}"))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    async fn pg_ctl(&self, args: &[&str]) -> Result<Output, EmbeddedError> {
        let dir = self.cluster_dir.to_string_lossy().into_owned();
        let mut all = vec!["-D", dir.as_str()];
        all.extend_from_slice(args);
        self.run("pg_ctl", &all).await
    }

    /// A PostgreSQL binary's command line, as the service user when we are root.
    fn command(&self, program: &str, args: &[&str]) -> std::process::Command {
        let binary = self.bin_dir.join(program);
        let mut command = if self.run_as_service_user {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", SERVICE_USER, "--"]).arg(&binary);
            c
        } else {
            std::process::Command::new(&binary)
        };
        command.args(args);
        command
    }

    /// Runs a PostgreSQL binary and waits for it.
    async fn run(&self, program: &str, args: &[&str]) -> Result<Output, EmbeddedError> {
        let mut command = Command::from(self.command(program, args));
        command
            .stdin(std::process::Stdio::null())
            // pg_ctl's server keeps running after we exit; it must not hold our pipes.
            .kill_on_drop(false);
        if program == "pg_ctl" {
            command.stdout(std::process::Stdio::null());
        }
        command.output().await.map_err(|e| EmbeddedError::Command {
            command: program.to_string(),
            detail: e.to_string(),
        })
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        if self.stop_when_done {
            // Blocking is fine here: dropping means shutting down anyway.
            let dir = self.cluster_dir.to_string_lossy().into_owned();
            let _ = self
                .command("pg_ctl", &["-D", dir.as_str(), "stop", "-m", "fast", "-w"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// The folder with `initdb` and `pg_ctl`: `VIBEBOT_PG_BIN_DIR`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian/Ubuntu), else whatever is on `PATH`.
pub fn find_bin_dir() -> Option<PathBuf> {
    let has_tools = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("VIBEBOT_PG_BIN_DIR") {
        let dir = PathBuf::from(dir);
        return has_tools(&dir).then_some(dir);
    }
    let newest_debian = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let version: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            has_tools(&bin).then_some((version, bin))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin);
    newest_debian
        .or_else(|| std::env::split_paths(&std::env::var_os("PATH")?).find(|dir| has_tools(dir)))
}

fn check(command: &str, out: Output) -> Result<(), EmbeddedError> {
    if out.status.success() {
        Ok(())
    } else {
        Err(EmbeddedError::Command {
            command: command.to_string(),
            detail: describe(&out),
        })
    }
}

fn describe(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let text = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    format!("{} ({})", text.trim(), out.status)
}
