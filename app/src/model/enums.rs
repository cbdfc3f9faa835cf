//! The schema's enums. Each maps to a PostgreSQL enum type with the same values.

use serde::{Deserialize, Serialize};

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "user_role", rename_all = "UPPERCASE")
)]
pub enum UserRole {
    /// Full system access.
    Admin,
    /// Own conversations, messages and keys.
    User,
    /// Read-only.
    Guest,
}

impl UserRole {
    /// The name in the schema's `user_role` enum and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            UserRole::Admin => "ADMIN",
            UserRole::User => "USER",
            UserRole::Guest => "GUEST",
        }
    }

    pub fn parse(text: &str) -> Option<UserRole> {
        [UserRole::Admin, UserRole::User, UserRole::Guest]
            .into_iter()
            .find(|r| r.as_str() == text)
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "message_role", rename_all = "UPPERCASE")
)]
pub enum MessageRole {
    User,
    Assistant,
    System,
}

/// The AI provider an API key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(
    feature = "ssr",
    sqlx(type_name = "api_key_provider", rename_all = "UPPERCASE")
)]
pub enum ApiKeyProvider {
    /// Anthropic's Messages API.
    Claude,
    /// OpenAI's Chat Completions API, or any server that speaks it.
    Openai,
}

impl ApiKeyProvider {
    /// The value stored in PostgreSQL.
    pub fn as_str(self) -> &'static str {
        match self {
            ApiKeyProvider::Claude => "CLAUDE",
            ApiKeyProvider::Openai => "OPENAI",
        }
    }

    /// Parses the stored value (as forms send it).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "CLAUDE" => Some(ApiKeyProvider::Claude),
            "OPENAI" => Some(ApiKeyProvider::Openai),
            _ => None,
        }
    }

    /// The company, as users know it.
    pub fn label(self) -> &'static str {
        match self {
            ApiKeyProvider::Claude => "Anthropic (Claude)",
            ApiKeyProvider::Openai => "OpenAI or compatible",
        }
    }
}
