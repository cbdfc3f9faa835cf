//! Conversations and messages as the browser sees them, and their input rules.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::answer::AnswerMetadata;
use super::generation::GenerationSettings;
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
    /// In a search's results: the newest message found, on whichever
    /// branch; the conversation opens on its branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
}

/// A page of the sidebar; pass `next_cursor` back for the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationPage {
    pub items: Vec<ConversationSummary>,
    pub next_cursor: Option<String>,
    /// The clock the groups are computed with: the server's time and the
    /// browser's UTC offset (from its `vibebot_tz` cookie), so that the page
    /// rendered on the server and the hydrated one group alike.
    pub clock: Clock,
}

/// "Now", where the user is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub now: DateTime<Utc>,
    /// Minutes east of UTC (Paris in winter: 60).
    pub utc_offset_minutes: i32,
}

/// The furthest real time zones are 14 hours from UTC.
pub const MAX_UTC_OFFSET_MINUTES: i32 = 14 * 60;

/// Sidebar groups, newest first.
pub const GROUPS: [&str; 5] = [
    "Today",
    "Yesterday",
    "Previous 7 days",
    "Previous 30 days",
    "Older",
];

impl Clock {
    /// The sidebar group of something last active `at`, by the user's calendar.
    pub fn group(&self, at: DateTime<Utc>) -> &'static str {
        let offset = chrono::Duration::minutes(i64::from(self.utc_offset_minutes));
        let today = (self.now + offset).date_naive();
        let day = (at + offset).date_naive();
        match (today - day).num_days() {
            i64::MIN..=0 => GROUPS[0],
            1 => GROUPS[1],
            2..=7 => GROUPS[2],
            8..=30 => GROUPS[3],
            _ => GROUPS[4],
        }
    }
}

#[cfg(test)]
mod clock_tests {
    use super::Clock;
    use chrono::{TimeZone, Utc};

    #[test]
    fn groups_by_the_users_calendar_day() {
        // 00:30 in Paris (UTC+1) is still 23:30 the day before in UTC.
        let clock = Clock {
            now: Utc.with_ymd_and_hms(2026, 3, 10, 23, 30, 0).unwrap(),
            utc_offset_minutes: 60,
        };
        let at = |d, h| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
        assert_eq!(clock.group(at(10, 23)), "Today");
        assert_eq!(clock.group(at(10, 22)), "Yesterday"); // 23:00 on the 10th in Paris
        assert_eq!(clock.group(at(10, 12)), "Yesterday");
        assert_eq!(clock.group(at(9, 12)), "Previous 7 days");
        assert_eq!(clock.group(at(4, 12)), "Previous 7 days");
        assert_eq!(clock.group(at(1, 12)), "Previous 30 days");
        assert_eq!(
            clock.group(Utc.with_ymd_and_hms(2025, 12, 1, 0, 0, 0).unwrap()),
            "Older"
        );
        // In UTC the same instant is a different day.
        let utc = Clock {
            utc_offset_minutes: 0,
            ..clock
        };
        assert_eq!(utc.group(at(10, 22)), "Today");
        // Clock skew: a moment "in the future" is today.
        assert_eq!(utc.group(at(11, 1)), "Today");
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub id: String,
    pub role: MessageRole,
    pub content: String,
    /// An answer's; `None` for the user's messages.
    pub metadata: Option<AnswerMetadata>,
    pub created_at: DateTime<Utc>,
    /// The ids of this message and its siblings (the other versions of it:
    /// edits of a question, regenerations of an answer), oldest first;
    /// empty when it has none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub siblings: Vec<String>,
}

/// Both halves of a turn (a question and its answer) as a send, a
/// regeneration or an edit stored them: the question and the answer being
/// written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentMessage {
    pub conversation_id: String,
    pub user_message: MessageView,
    pub assistant_message: MessageView,
    /// The conversation's title, set from the first message.
    pub title: String,
}

/// An open conversation: its settings and the latest messages of its active
/// path (root to current leaf), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub summary: ConversationSummary,
    pub system_prompt: Option<String>,
    pub settings: GenerationSettings,
    pub messages: Vec<MessageView>,
    /// Set when older messages exist: pass it back as `before`.
    pub earlier_cursor: Option<String>,
    /// The answer being written in this conversation, on whichever branch.
    pub being_written: Option<String>,
}

/// What deleting a message takes away, for its confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletedCount {
    /// The message and everything below it, on every branch.
    pub messages: u64,
    /// Of those, the ones on branches not shown.
    pub hidden: u64,
}

impl DeletedCount {
    /// "Delete this message and 4 after it (2 on other branches)?"
    pub fn question(&self) -> String {
        let after = self.messages.saturating_sub(1);
        let mut question = match after {
            0 => "Delete this message?".to_string(),
            1 => "Delete this message and 1 after it".to_string(),
            n => format!("Delete this message and {n} after it"),
        };
        if after > 0 {
            if self.hidden > 0 {
                question.push_str(&format!(" ({} on other branches)", self.hidden));
            }
            question.push('?');
        }
        question
    }
}

#[cfg(test)]
mod deleted_count_tests {
    use super::DeletedCount;

    #[test]
    fn the_question_says_how_many_go_and_how_many_are_hidden() {
        let ask = |messages, hidden| DeletedCount { messages, hidden }.question();
        assert_eq!(ask(1, 0), "Delete this message?");
        assert_eq!(ask(2, 0), "Delete this message and 1 after it?");
        assert_eq!(
            ask(4, 2),
            "Delete this message and 3 after it (2 on other branches)?"
        );
    }
}

/// Our ids are CUID2s (24 characters); a longer one is not ours.
const ID_MAX_CHARS: usize = 64;

/// `Err("invalid <what>")` for what cannot be one of our ids.
pub fn check_id(id: &str, what: &str) -> Result<(), String> {
    if id.is_empty()
        || id.len() > ID_MAX_CHARS
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!("invalid {what}"));
    }
    Ok(())
}

/// The longest message accepted.
pub const MESSAGE_MAX_CHARS: usize = 100_000;

/// A message to send: not blank, not too long.
pub fn check_message(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("write a message first".into());
    }
    if text.chars().count() > MESSAGE_MAX_CHARS {
        return Err(format!(
            "a message has at most {MESSAGE_MAX_CHARS} characters"
        ));
    }
    Ok(())
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
    super::text::refuse_hidden(&title, "a title")?;
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
    // Line ends and tabs separate words; other hidden characters go.
    let text: String = text
        .chars()
        .filter(|c| c.is_whitespace() || !super::text::is_hidden(*c))
        .collect();
    let text = text.as_str();
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
