//! An answer's life as the server, the browser and the tests share it: its
//! status, the metadata stored beside its text (`messages.metadata`), and the
//! events of `GET /api/messages/{id}/events`.

use serde::{Deserialize, Deserializer, Serialize};

use super::model_facts::Price;
use super::ApiKeyProvider;

/// Where an answer is in its life. Stored lowercase in `metadata.status`
/// (SQL reads `metadata->>'status'`); a message without one is complete.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerStatus {
    /// Being written (by this instance or another).
    Streaming,
    #[default]
    Complete,
    /// Stopped by the user; the text so far is kept.
    Stopped,
    /// Failed; `error` says why and the text so far is kept.
    Error,
}

impl AnswerStatus {
    /// The stored word (also the `data-status` of a message on the page).
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerStatus::Streaming => "streaming",
            AnswerStatus::Complete => "complete",
            AnswerStatus::Stopped => "stopped",
            AnswerStatus::Error => "error",
        }
    }
}

/// What is stored about an answer beside its text. Every field but the
/// status is optional: rows written by earlier versions lack some, and an
/// answer being written has only who asked and what.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AnswerMetadata {
    #[serde(default)]
    pub status: AnswerStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ApiKeyProvider>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Who asked, while the answer is being written: a user's answers in
    /// flight are counted by it (`metadata->>'asked_by'`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// The price the answer was charged at: `Some(None)` (stored `null`) when
    /// its model had none, so its cost is unknown; `None` (absent) for answers
    /// written before prices were kept.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub price: Option<Option<Price>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_to_first_token_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// The provider's own word: Anthropic `end_turn`/`max_tokens`, OpenAI
    /// `stop`/`length`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
}

/// A field that is present, even as `null`, is `Some`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

impl AnswerMetadata {
    /// What a new answer starts with.
    pub fn streaming(provider: ApiKeyProvider, model: &str, asked_by: &str) -> Self {
        AnswerMetadata {
            status: AnswerStatus::Streaming,
            provider: Some(provider),
            model: Some(model.to_string()),
            asked_by: Some(asked_by.to_string()),
            ..Self::default()
        }
    }

    /// Stored metadata as read from the database. A row this version cannot
    /// read whole (a field of an unexpected type) keeps its status and error,
    /// so the message still shows how it ended.
    pub fn from_stored(stored: serde_json::Value) -> Self {
        // Read from a reference: a page of messages reads one per answer,
        // and the fallback still needs the value.
        Self::deserialize(&stored).unwrap_or_else(|_| AnswerMetadata {
            status: serde_json::from_value(stored["status"].clone()).unwrap_or_default(),
            error: stored["error"].as_str().map(str::to_string),
            ..Self::default()
        })
    }

    /// The answer's model had no price: its cost is unknown, not $0.
    pub fn is_unpriced(&self) -> bool {
        self.price == Some(None)
    }

    /// The answer stopped at its maximum output (Anthropic says
    /// `max_tokens`, OpenAI `length`).
    pub fn hit_max_output(&self) -> bool {
        matches!(self.stop_reason.as_deref(), Some("max_tokens" | "length"))
    }
}

/// One event of an answer's stream. The event's name is the variant
/// (`snapshot`, `delta`, `done`) and its data the fields as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", content = "data", rename_all = "lowercase")]
pub enum AnswerEvent {
    /// The whole text so far; may come again, and then replaces what the
    /// client has.
    Snapshot { content: String },
    /// Text to append.
    Delta { text: String },
    /// The answer ended; the stream closes. (Boxed: the other events are
    /// small and many.)
    Done { metadata: Box<AnswerMetadata> },
}

impl AnswerEvent {
    /// Every event name, for listeners.
    pub const NAMES: [&'static str; 3] = ["snapshot", "delta", "done"];

    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            AnswerEvent::Snapshot { .. } => Self::NAMES[0],
            AnswerEvent::Delta { .. } => Self::NAMES[1],
            AnswerEvent::Done { .. } => Self::NAMES[2],
        }
    }

    /// The SSE data: the event's fields as a JSON object.
    pub fn data(&self) -> String {
        let mut tagged = serde_json::to_value(self).unwrap_or_default();
        tagged["data"].take().to_string()
    }

    /// An event from its SSE name and data; `None` for anything else.
    pub fn parse(name: &str, data: &str) -> Option<Self> {
        let name = serde_json::to_string(name).ok()?;
        serde_json::from_str(&format!(r#"{{"event":{name},"data":{data}}}"#)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stored_metadata_of_every_version_reads() {
        // Before prices were kept: no `price`, so the cost is not "unknown".
        let old = AnswerMetadata::from_stored(json!({
            "status": "complete", "model": "gpt-4o", "input_tokens": 3,
            "output_tokens": 5, "cost_usd": null, "flushed_at": "2026-01-01T00:00:00Z"
        }));
        assert_eq!(old.status, AnswerStatus::Complete);
        assert_eq!((old.input_tokens, old.output_tokens), (Some(3), Some(5)));
        assert!(!old.is_unpriced());
        // Without a price: unknown.
        let unpriced = AnswerMetadata::from_stored(json!({"status": "complete", "price": null}));
        assert!(unpriced.is_unpriced());
        // A field of another type keeps the status and the error.
        let odd = AnswerMetadata::from_stored(
            json!({"status": "error", "error": "boom", "input_tokens": "many"}),
        );
        assert_eq!(
            (odd.status, odd.error.as_deref()),
            (AnswerStatus::Error, Some("boom"))
        );
        // No status: complete.
        assert_eq!(
            AnswerMetadata::from_stored(json!({})).status,
            AnswerStatus::Complete
        );
    }

    #[test]
    fn metadata_round_trips_with_its_stored_names() {
        let mut metadata = AnswerMetadata::streaming(ApiKeyProvider::Openai, "gpt-4o", "u1");
        let stored = serde_json::to_value(&metadata).unwrap();
        assert_eq!(
            stored,
            json!({
                "status": "streaming", "provider": "OPENAI", "model": "gpt-4o", "asked_by": "u1"
            })
        );
        metadata.price = Some(None);
        let stored = serde_json::to_value(&metadata).unwrap();
        assert!(stored["price"].is_null() && stored.get("price").is_some());
        assert_eq!(AnswerMetadata::from_stored(stored), metadata);
    }

    #[test]
    fn events_travel_as_name_and_data() {
        let delta = AnswerEvent::Delta { text: "hi".into() };
        assert_eq!(
            (delta.name(), delta.data()),
            ("delta", r#"{"text":"hi"}"#.into())
        );
        assert_eq!(AnswerEvent::parse("delta", r#"{"text":"hi"}"#), Some(delta));
        let done = AnswerEvent::Done {
            metadata: Box::new(AnswerMetadata {
                status: AnswerStatus::Stopped,
                ..AnswerMetadata::default()
            }),
        };
        assert_eq!(AnswerEvent::parse(done.name(), &done.data()), Some(done));
        assert_eq!(AnswerEvent::parse("other", "{}"), None);
        assert_eq!(AnswerEvent::parse("delta", "not json"), None);
    }
}
