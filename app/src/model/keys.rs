//! Provider API keys as the browser sees them: never the key, only a hint.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ApiKeyProvider;

/// One stored key, without its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyView {
    pub id: String,
    pub provider: ApiKeyProvider,
    pub name: Option<String>,
    /// e.g. `sk-ant-…a1b2`
    pub hint: String,
    /// An OpenAI-compatible server, for OPENAI keys.
    pub base_url: Option<String>,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The chat models its provider listed when last asked (`None`: not yet).
    pub listed_models: Option<i64>,
    pub listed_at: Option<DateTime<Utc>>,
    /// Why the last ask for the list failed (the last list is kept).
    pub list_error: Option<String>,
}

pub const KEY_MAX_CHARS: usize = 512;
pub const KEY_NAME_MAX_CHARS: usize = 100;
pub const BASE_URL_MAX_CHARS: usize = 2048;

/// What the user sees of a key: a known prefix and the last four characters.
pub fn key_hint(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "••••".into();
    }
    let prefix = ["sk-ant-", "sk-proj-", "sk-or-", "sk-"]
        .into_iter()
        .find(|p| key.starts_with(p))
        .unwrap_or("");
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{tail}")
}

/// Trims a pasted key and checks it looks like one.
pub fn normalize_key(input: &str) -> Result<String, String> {
    let key = input.trim();
    if key.is_empty() {
        return Err("paste the API key".into());
    }
    if key.chars().count() > KEY_MAX_CHARS {
        return Err(format!("an API key has at most {KEY_MAX_CHARS} characters"));
    }
    if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("an API key cannot contain spaces or line breaks".into());
    }
    Ok(key.to_string())
}

/// Trims a key's name; empty means none.
pub fn normalize_key_name(input: Option<&str>) -> Result<Option<String>, String> {
    let Some(name) = input.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    if name.chars().count() > KEY_NAME_MAX_CHARS {
        return Err(format!(
            "a key name has at most {KEY_NAME_MAX_CHARS} characters"
        ));
    }
    super::text::refuse_hidden(name, "a key name")?;
    Ok(Some(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_show_a_prefix_and_the_last_four() {
        assert_eq!(
            key_hint("sk-ant-api03-abcdefghijklmnop-a1b2"),
            "sk-ant-…a1b2"
        );
        assert_eq!(key_hint("sk-proj-abcdefghijklmnopq1234"), "sk-proj-…1234");
        assert_eq!(key_hint("gsk_abcdefghijklmnopqrstuvwx"), "…uvwx");
        assert_eq!(key_hint("short-key"), "••••");
    }

    #[test]
    fn keys_are_trimmed_and_checked() {
        assert_eq!(normalize_key("  sk-abc \n").unwrap(), "sk-abc");
        assert!(normalize_key("   ").is_err());
        assert!(normalize_key("sk-a b").is_err());
        assert!(normalize_key(&"x".repeat(513)).is_err());
        assert_eq!(
            normalize_key_name(Some("  work ")).unwrap().as_deref(),
            Some("work")
        );
        assert_eq!(normalize_key_name(Some("")).unwrap(), None);
        assert!(normalize_key_name(Some(&"n".repeat(101))).is_err());
    }
}
