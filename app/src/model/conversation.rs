//! Conversations and messages as the browser sees them, and their input rules.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::MessageRole;

pub const DEFAULT_TITLE: &str = "New Conversation";
pub const TITLE_MAX_CHARS: usize = 200;
pub const SYSTEM_PROMPT_MAX_CHARS: usize = 20_000;
pub const SEARCH_MAX_CHARS: usize = 200;
/// Conversations per sidebar page.
pub const PAGE_SIZE: u32 = 50;
/// Messages loaded when a conversation opens (older ones on demand).
pub const MESSAGE_PAGE_SIZE: u32 = 100;
/// Length of a title made from the first message.
const AUTO_TITLE_CHARS: usize = 60;

/// One line of the sidebar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    pub id: String,
    pub title: String,
    pub model: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_activity_at: DateTime<Utc>,
}

/// A page of the sidebar; pass `next_cursor` back for the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationPage {
    pub items: Vec<ConversationSummary>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: String,
    pub role: MessageRole,
    pub content: String,
    pub metadata: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

/// An open conversation: its settings and its latest messages, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub summary: ConversationSummary,
    pub system_prompt: Option<String>,
    pub messages: Vec<MessageView>,
    /// Set when older messages exist.
    pub earlier_cursor: Option<String>,
}

/// Trims a title and checks its length.
pub fn normalize_title(input: &str) -> Result<String, String> {
    let title = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        return Err("a title cannot be empty".into());
    }
    if title.chars().count() > TITLE_MAX_CHARS {
        return Err(format!("a title has at most {TITLE_MAX_CHARS} characters"));
    }
    Ok(title)
}

/// An optional system prompt: empty means none.
pub fn normalize_system_prompt(input: Option<&str>) -> Result<Option<String>, String> {
    let Some(prompt) = input.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    if prompt.chars().count() > SYSTEM_PROMPT_MAX_CHARS {
        return Err(format!(
            "a system prompt has at most {SYSTEM_PROMPT_MAX_CHARS} characters"
        ));
    }
    Ok(Some(prompt.to_string()))
}

/// A title from the first message: its first words, cut at a word boundary.
pub fn title_from_message(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut title = String::new();
    for word in &words {
        let extra = if title.is_empty() { 0 } else { 1 } + word.chars().count();
        if title.chars().count() + extra > AUTO_TITLE_CHARS {
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    if title.is_empty() {
        // A single very long word: cut it.
        title = text
            .split_whitespace()
            .collect::<String>()
            .chars()
            .take(AUTO_TITLE_CHARS)
            .collect();
    }
    if title.is_empty() {
        return DEFAULT_TITLE.into();
    }
    if title.chars().count()
        < text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .count()
    {
        title.push('…');
    }
    title
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_from_messages_cut_at_a_word_boundary() {
        assert_eq!(
            title_from_message("  Explain   Rust ownership "),
            "Explain Rust ownership"
        );
        let long =
            "How do I configure a reverse proxy in front of a self-hosted chat server with TLS?";
        let title = title_from_message(long);
        assert!(title.ends_with('…'), "{title}");
        assert!(title.chars().count() <= 61);
        assert!(long.starts_with(title.trim_end_matches('…')));
        assert_eq!(title_from_message(&"x".repeat(100)).chars().count(), 61);
        assert_eq!(title_from_message("   "), DEFAULT_TITLE);
    }

    #[test]
    fn titles_and_prompts_are_validated() {
        assert_eq!(normalize_title("  My   chat ").unwrap(), "My chat");
        assert!(normalize_title("   ").is_err());
        assert!(normalize_title(&"t".repeat(201))
            .unwrap_err()
            .contains("200"));
        assert_eq!(normalize_system_prompt(Some("  ")).unwrap(), None);
        assert!(normalize_system_prompt(Some(&"p".repeat(20_001))).is_err());
    }
}
