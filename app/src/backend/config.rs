//! The server's configuration: read once at start-up from the environment,
//! validated, with errors that name the offending variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::crypto::MasterKey;
use super::secret::Secret;

/// Where the server runs. Production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

pub use crate::model::admin::Registration;

/// Connection pool settings (the spec's "connection pooling").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolConfig {
    pub max_connections: u32,
    pub min_connections: u32,
    pub acquire_timeout: Duration,
    /// `None`: idle connections are never closed.
    pub idle_timeout: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    /// `None`: use the private PostgreSQL cluster under `data_dir`.
    pub database_url: Option<Secret<String>>,
    pub pool: PoolConfig,
    /// `None`: development generates and keeps a key under `data_dir`.
    pub encryption_key: Option<MasterKey>,
    /// Where the private database and the development key live.
    pub data_dir: PathBuf,
    pub site_addr: SocketAddr,
    /// A `tracing` filter such as `info` or `info,sqlx=warn`.
    pub log_filter: String,
    pub log_format: LogFormat,
    /// The default until an admin chooses a mode (stored in `app_settings`).
    pub registration: Registration,
    /// The address users reach VibeBot at (e.g. `https://chat.example.com`):
    /// the only accepted `Origin` for writes, and `https` turns on Secure cookies.
    /// `None`: requests must come from the same host they were sent to.
    pub public_url: Option<url::Url>,
    /// Take the client address from `X-Forwarded-For`'s right-most entry
    /// (only behind a trusted proxy that appends it).
    pub trust_proxy: bool,
    /// Registrations accepted from one client address (IPv6: one /64) in 15 minutes.
    pub registrations_per_address: u32,
    /// Searches one user may make in a minute (all instances together).
    pub searches_per_minute: u32,
    /// How long an administrator's one-time password works, in days.
    pub one_time_password_days: u32,
    /// Answer event streams one user may have open at once (per instance).
    pub max_event_streams_per_user: u32,
    /// The master key being rotated away from: still accepted for decryption.
    pub previous_encryption_key: Option<MasterKey>,
    /// Let users point keys at loopback and private-network servers (Ollama on
    /// the same machine). Off by default: such URLs could reach internal services.
    pub allow_private_endpoints: bool,
    /// Where the Anthropic API is, e.g. `https://api.anthropic.com/v1`.
    pub anthropic_base_url: url::Url,
    /// Where the OpenAI API is, e.g. `https://api.openai.com/v1`.
    pub openai_base_url: url::Url,
    /// A provider that sends nothing for this long has failed ("stopped responding").
    pub provider_read_timeout: Duration,
    /// An answer whose writer has not saved for this long belonged to a server
    /// that died: it is marked `error: interrupted`. Writers save every 0.5 s.
    pub stale_answer_after: Duration,
    /// How many of one user's answers may be written at once (all instances).
    pub max_answers_per_user: u32,
    /// The longest answer kept, in bytes of text: a provider that sends more
    /// is cut there and the answer ends `error` (its text kept).
    pub max_answer_bytes: usize,
    /// The longest an answer may take from request to last token.
    pub max_answer_duration: Duration,
    /// The largest conversation sent to a provider, in bytes of text: the
    /// oldest messages are left out of a longer one.
    pub max_request_bytes: usize,
    /// A proxy for requests to the operator's provider endpoints (never for
    /// endpoints users typed in: the SSRF guard cannot judge where a proxy
    /// connects). The environment's `HTTP(S)_PROXY`/`ALL_PROXY` are ignored.
    pub provider_proxy: Option<url::Url>,
}

impl Config {
    /// Session cookies carry `Secure` when users reach us over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .as_ref()
            .is_some_and(|url| url.scheme() == "https")
    }
}

/// A variable held a value the server cannot use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl Config {
    /// Reads the process environment (after `.env`, if the caller loaded one).
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let environment = match var("VIBEBOT_ENV").as_deref().map(str::trim) {
            None | Some("development") | Some("dev") => Environment::Development,
            Some("production") | Some("prod") => Environment::Production,
            Some(other) => {
                return Err(err(
                    "VIBEBOT_ENV",
                    format!("expected `development` or `production`, got `{other}`"),
                ))
            }
        };

        let database_url = match var("DATABASE_URL") {
            None => None,
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Some(Secret::new(url))
            }
            Some(_) => {
                return Err(err(
                    "DATABASE_URL",
                    "expected a PostgreSQL URL starting with postgres:// or postgresql://".into(),
                ))
            }
        };

        let max_connections = number(&var, "VIBEBOT_DB_MAX_CONNECTIONS", 10, 1, 1000)?;
        let min_connections = number(&var, "VIBEBOT_DB_MIN_CONNECTIONS", 0, 0, 1000)?;
        if min_connections > max_connections {
            return Err(err(
                "VIBEBOT_DB_MIN_CONNECTIONS",
                format!(
                    "{min_connections} is more than VIBEBOT_DB_MAX_CONNECTIONS ({max_connections})"
                ),
            ));
        }
        let acquire_timeout = number(&var, "VIBEBOT_DB_ACQUIRE_TIMEOUT_SECS", 5, 1, 300)?;
        let idle_timeout = number(&var, "VIBEBOT_DB_IDLE_TIMEOUT_SECS", 600, 0, 86_400)?;
        let pool = PoolConfig {
            max_connections,
            min_connections,
            acquire_timeout: Duration::from_secs(acquire_timeout.into()),
            idle_timeout: (idle_timeout > 0).then(|| Duration::from_secs(idle_timeout.into())),
        };

        let encryption_key = match var("VIBEBOT_ENCRYPTION_KEY") {
            Some(text) => Some(
                MasterKey::from_base64(text.trim())
                    .map_err(|problem| err("VIBEBOT_ENCRYPTION_KEY", problem))?,
            ),
            None if environment == Environment::Production => {
                return Err(err(
                    "VIBEBOT_ENCRYPTION_KEY",
                    "required in production: 32 random bytes in base64, e.g. from \
                     `openssl rand -base64 32`"
                        .into(),
                ))
            }
            None => None,
        };

        let data_dir = PathBuf::from(var("VIBEBOT_DATA_DIR").unwrap_or_else(|| "data".into()));

        let site_addr = var("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .trim()
            .parse()
            .map_err(|_| {
                err(
                    "LEPTOS_SITE_ADDR",
                    "expected an address and port such as 127.0.0.1:3000".into(),
                )
            })?;

        let (log_variable, log_filter) = match var("VIBEBOT_LOG") {
            Some(filter) => ("VIBEBOT_LOG", filter),
            None => ("RUST_LOG", var("RUST_LOG").unwrap_or_else(|| "info".into())),
        };
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&log_filter) {
            return Err(err(log_variable, format!("not a valid log filter: {e}")));
        }

        let log_format = match var("VIBEBOT_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(err(
                    "VIBEBOT_LOG_FORMAT",
                    format!("expected `text` or `json`, got `{other}`"),
                ))
            }
        };

        let registration = match var("VIBEBOT_REGISTRATION").as_deref().map(str::trim) {
            None => Registration::Open,
            Some(text) => Registration::parse(text).ok_or_else(|| {
                err(
                    "VIBEBOT_REGISTRATION",
                    format!("expected `open`, `invite` or `closed`, got `{text}`"),
                )
            })?,
        };

        let public_url = match var("VIBEBOT_PUBLIC_URL") {
            None => None,
            Some(text) => match url::Url::parse(text.trim()) {
                Ok(url)
                    if matches!(url.scheme(), "http" | "https")
                        && url.host().is_some()
                        && url.path() == "/" =>
                {
                    Some(url)
                }
                _ => {
                    return Err(err(
                        "VIBEBOT_PUBLIC_URL",
                        format!(
                            "expected an http(s) address without a path, \
                             such as https://chat.example.com, got `{text}`"
                        ),
                    ))
                }
            },
        };

        let trust_proxy = flag(&var, "VIBEBOT_TRUST_PROXY")?;
        let registrations_per_address =
            number(&var, "VIBEBOT_REGISTRATIONS_PER_ADDRESS", 10, 1, 1_000_000)?;
        let searches_per_minute = number(&var, "VIBEBOT_SEARCHES_PER_MINUTE", 120, 1, 1_000_000)?;
        let one_time_password_days = number(&var, "VIBEBOT_ONE_TIME_PASSWORD_DAYS", 7, 1, 365)?;
        let max_event_streams_per_user =
            number(&var, "VIBEBOT_MAX_EVENT_STREAMS_PER_USER", 30, 1, 1_000_000)?;
        let allow_private_endpoints = flag(&var, "VIBEBOT_ALLOW_PRIVATE_ENDPOINTS")?;
        let previous_encryption_key = match var("VIBEBOT_ENCRYPTION_KEY_PREVIOUS") {
            Some(text) => Some(
                MasterKey::from_base64(text.trim())
                    .map_err(|problem| err("VIBEBOT_ENCRYPTION_KEY_PREVIOUS", problem))?,
            ),
            None => None,
        };
        let anthropic_base_url = api_url(
            &var,
            "VIBEBOT_ANTHROPIC_BASE_URL",
            "https://api.anthropic.com/v1",
        )?;
        let openai_base_url =
            api_url(&var, "VIBEBOT_OPENAI_BASE_URL", "https://api.openai.com/v1")?;
        let provider_read_timeout = Duration::from_secs(
            number(&var, "VIBEBOT_PROVIDER_READ_TIMEOUT_SECS", 120, 1, 3600)?.into(),
        );
        let stale_answer_after =
            Duration::from_secs(number(&var, "VIBEBOT_STALE_ANSWER_SECS", 30, 2, 3600)?.into());
        let max_answers_per_user = number(&var, "VIBEBOT_MAX_ANSWERS_PER_USER", 6, 1, 1_000_000)?;
        let max_answer_bytes =
            number(&var, "VIBEBOT_MAX_ANSWER_KB", 1024, 1, 1024 * 1024)? as usize * 1024;
        let max_answer_duration =
            Duration::from_secs(number(&var, "VIBEBOT_MAX_ANSWER_SECS", 900, 1, 86_400)?.into());
        let max_request_bytes =
            number(&var, "VIBEBOT_MAX_REQUEST_KB", 4096, 512, 1024 * 1024)? as usize * 1024;
        let provider_proxy = match var("VIBEBOT_PROVIDER_PROXY") {
            None => None,
            Some(text) => match url::Url::parse(text.trim()) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
                    Some(url)
                }
                _ => {
                    return Err(err(
                        "VIBEBOT_PROVIDER_PROXY",
                        format!(
                            "expected a proxy URL such as http://proxy.internal:3128, got `{text}`"
                        ),
                    ))
                }
            },
        };

        Ok(Config {
            max_event_streams_per_user,
            one_time_password_days,
            registrations_per_address,
            searches_per_minute,
            max_answers_per_user,
            max_answer_bytes,
            max_answer_duration,
            max_request_bytes,
            provider_proxy,
            provider_read_timeout,
            stale_answer_after,
            previous_encryption_key,
            allow_private_endpoints,
            anthropic_base_url,
            openai_base_url,
            registration,
            public_url,
            trust_proxy,
            environment,
            database_url,
            pool,
            encryption_key,
            data_dir,
            site_addr,
            log_filter,
            log_format,
        })
    }
}

fn err(variable: &'static str, problem: String) -> ConfigError {
    ConfigError { variable, problem }
}

fn flag(
    var: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
) -> Result<bool, ConfigError> {
    match var(variable).as_deref().map(str::trim) {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(err(
            variable,
            format!("expected `true` or `false`, got `{other}`"),
        )),
    }
}

/// An http(s) base URL, without a trailing slash in its path.
fn api_url(
    var: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: &str,
) -> Result<url::Url, ConfigError> {
    let text = var(variable).unwrap_or_else(|| default.to_string());
    match url::Url::parse(text.trim().trim_end_matches('/')) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url),
        _ => Err(err(
            variable,
            format!("expected an http(s) URL such as {default}, got `{text}`"),
        )),
    }
}

fn number(
    var: &impl Fn(&str) -> Option<String>,
    variable: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    let Some(text) = var(variable) else {
        return Ok(default);
    };
    match text.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(err(
            variable,
            format!("expected a whole number from {min} to {max}, got `{text}`"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    fn failing_variable(vars: &[(&str, &str)]) -> (&'static str, String) {
        let e = config(vars).expect_err("configuration should be refused");
        (e.variable, e.to_string())
    }

    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn defaults_work_for_development() {
        let c = config(&[]).unwrap();
        assert_eq!(c.environment, Environment::Development);
        assert!(c.database_url.is_none());
        assert_eq!(c.pool.max_connections, 10);
        assert_eq!(c.pool.min_connections, 0);
        assert_eq!(c.pool.acquire_timeout, Duration::from_secs(5));
        assert_eq!(c.pool.idle_timeout, Some(Duration::from_secs(600)));
        assert!(c.encryption_key.is_none());
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.registration, Registration::Open);
        assert!(c.public_url.is_none());
        assert!(!c.secure_cookies());
        assert!(!c.trust_proxy);
        assert!(!c.allow_private_endpoints);
        assert!(c.previous_encryption_key.is_none());
        assert_eq!(
            c.anthropic_base_url.as_str(),
            "https://api.anthropic.com/v1"
        );
        assert_eq!(c.openai_base_url.as_str(), "https://api.openai.com/v1");
    }

    #[test]
    fn reads_every_variable() {
        let c = config(&[
            ("VIBEBOT_ENV", "production"),
            ("DATABASE_URL", "postgres://u:p@db/vibebot"),
            ("VIBEBOT_DB_MAX_CONNECTIONS", "20"),
            ("VIBEBOT_DB_MIN_CONNECTIONS", "2"),
            ("VIBEBOT_DB_ACQUIRE_TIMEOUT_SECS", "3"),
            ("VIBEBOT_DB_IDLE_TIMEOUT_SECS", "0"),
            ("VIBEBOT_ENCRYPTION_KEY", KEY),
            ("VIBEBOT_DATA_DIR", "/var/lib/vibebot"),
            ("LEPTOS_SITE_ADDR", "0.0.0.0:8080"),
            ("VIBEBOT_LOG", "debug,sqlx=warn"),
            ("VIBEBOT_LOG_FORMAT", "json"),
            ("VIBEBOT_REGISTRATION", "closed"),
            ("VIBEBOT_PUBLIC_URL", "https://chat.example.com"),
            ("VIBEBOT_TRUST_PROXY", "true"),
        ])
        .unwrap();
        assert_eq!(c.environment, Environment::Production);
        assert_eq!(
            c.database_url.as_ref().unwrap().expose(),
            "postgres://u:p@db/vibebot"
        );
        assert_eq!(c.pool.max_connections, 20);
        assert_eq!(c.pool.min_connections, 2);
        assert_eq!(c.pool.acquire_timeout, Duration::from_secs(3));
        assert_eq!(c.pool.idle_timeout, None);
        assert!(c.encryption_key.is_some());
        assert_eq!(c.data_dir, PathBuf::from("/var/lib/vibebot"));
        assert_eq!(c.site_addr.port(), 8080);
        assert_eq!(c.log_filter, "debug,sqlx=warn");
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.registration, Registration::Closed);
        assert_eq!(
            c.public_url.as_ref().unwrap().as_str(),
            "https://chat.example.com/"
        );
        assert!(c.secure_cookies());
        assert!(c.trust_proxy);
    }

    #[test]
    fn each_bad_variable_is_named_with_its_problem() {
        // (variables, the one named, a word of its message)
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (&[("VIBEBOT_ENV", "staging")], "VIBEBOT_ENV", "`staging`"),
            (
                &[("DATABASE_URL", "mysql://x")],
                "DATABASE_URL",
                "postgres://",
            ),
            (
                &[("VIBEBOT_DB_MAX_CONNECTIONS", "lots")],
                "VIBEBOT_DB_MAX_CONNECTIONS",
                "`lots`",
            ),
            (
                &[("VIBEBOT_DB_MAX_CONNECTIONS", "0")],
                "VIBEBOT_DB_MAX_CONNECTIONS",
                "from 1 to 1000",
            ),
            (
                &[
                    ("VIBEBOT_DB_MAX_CONNECTIONS", "4"),
                    ("VIBEBOT_DB_MIN_CONNECTIONS", "5"),
                ],
                "VIBEBOT_DB_MIN_CONNECTIONS",
                "more than VIBEBOT_DB_MAX_CONNECTIONS",
            ),
            (
                &[("VIBEBOT_DB_ACQUIRE_TIMEOUT_SECS", "-1")],
                "VIBEBOT_DB_ACQUIRE_TIMEOUT_SECS",
                "`-1`",
            ),
            (
                &[("VIBEBOT_DB_IDLE_TIMEOUT_SECS", "1.5")],
                "VIBEBOT_DB_IDLE_TIMEOUT_SECS",
                "`1.5`",
            ),
            (
                &[("VIBEBOT_ENCRYPTION_KEY", "not base64!")],
                "VIBEBOT_ENCRYPTION_KEY",
                "base64",
            ),
            (
                &[("VIBEBOT_ENCRYPTION_KEY", "c2hvcnQ=")],
                "VIBEBOT_ENCRYPTION_KEY",
                "32 bytes",
            ),
            (
                &[("VIBEBOT_ENV", "production")],
                "VIBEBOT_ENCRYPTION_KEY",
                "required in production",
            ),
            (
                &[("LEPTOS_SITE_ADDR", "localhost")],
                "LEPTOS_SITE_ADDR",
                "address and port",
            ),
            (&[("VIBEBOT_LOG", "info,[=")], "VIBEBOT_LOG", "log filter"),
            (&[("RUST_LOG", "info,[=")], "RUST_LOG", "log filter"),
            (
                &[("VIBEBOT_LOG_FORMAT", "xml")],
                "VIBEBOT_LOG_FORMAT",
                "`xml`",
            ),
        ];
        for (vars, variable, fragment) in cases {
            let (named, message) = failing_variable(vars);
            assert_eq!(named, *variable, "for {vars:?}");
            assert!(message.starts_with(variable), "{message}");
            assert!(
                message.contains(fragment),
                "{message} should mention {fragment}"
            );
        }
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let c = config(&[
            ("DATABASE_URL", "postgres://u:hunter2@db/vibebot"),
            ("VIBEBOT_ENCRYPTION_KEY", KEY),
        ])
        .unwrap();
        let printed = format!("{c:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains(KEY), "{printed}");
    }
}
