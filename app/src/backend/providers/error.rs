//! Provider failures, in plain words. Never includes a key: providers sometimes
//! echo part of it, so their text is only passed on where it cannot.

use serde::Deserialize;

use super::Endpoint;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("the provider rejected the API key (invalid or revoked)")]
    BadKey,
    #[error("this API key has no permission for that")]
    NoPermission,
    #[error("rate limited by the provider; try again {}", retry_hint(*.0))]
    RateLimited(Option<u64>),
    #[error("the provider is overloaded or unavailable; try again shortly")]
    Overloaded,
    #[error("the provider refused the request: {0}")]
    BadRequest(String),
    #[error("{0}")]
    Blocked(String),
    #[error("cannot reach {0}")]
    Unreachable(String),
    #[error("the provider did not answer in time")]
    Timeout,
    #[error(
        "the conversation is too long for this model's context window; \
         start a new conversation or pick a model with a larger one"
    )]
    ContextTooLong,
    #[error("the connection to the provider was cut before the answer was complete")]
    Interrupted,
    #[error("the provider reported an error: {0}")]
    Stream(String),
    #[error("unexpected answer from the provider: {0}")]
    Unexpected(String),
}

fn retry_hint(secs: Option<u64>) -> String {
    match secs {
        Some(s) => format!("in {s} seconds"),
        None => "in a moment".into(),
    }
}

impl ProviderError {
    pub fn from_transport(err: &reqwest::Error, endpoint: &Endpoint) -> Self {
        let host = endpoint
            .base_url
            .host_str()
            .unwrap_or("the provider")
            .to_string();
        if err.is_timeout() {
            return ProviderError::Timeout;
        }
        // The guard's refusal travels as the connect error's source.
        let mut source: Option<&dyn std::error::Error> = Some(err);
        while let Some(e) = source {
            let text = e.to_string();
            if text.contains("private or internal network") {
                return ProviderError::Blocked(text);
            }
            source = e.source();
        }
        ProviderError::Unreachable(host)
    }
}

/// How much of an error response is read: real error bodies are a few
/// hundred bytes of JSON.
pub const MAX_ERROR_BODY_BYTES: usize = 16 * 1024;
/// How long an error body may take to arrive.
const ERROR_BODY_WITHIN: std::time::Duration = std::time::Duration::from_secs(10);

impl ProviderError {
    /// The same error with the key that was sent taken out of the provider's
    /// words: a proxy or a careless server may echo it back (`Bearer sk-…`),
    /// and these words are shown to the user and stored with the answer.
    pub fn without_key(self, key: &str) -> Self {
        match self {
            ProviderError::BadRequest(text) => ProviderError::BadRequest(scrub_key(&text, key)),
            ProviderError::Stream(text) => ProviderError::Stream(scrub_key(&text, key)),
            ProviderError::Unexpected(text) => ProviderError::Unexpected(scrub_key(&text, key)),
            other => other,
        }
    }
}

/// The shortest piece of a key that is redacted where it appears.
const KEY_PIECE: usize = 8;

/// `text` with `[redacted]` in place of the key, of any piece of it of
/// [`KEY_PIECE`] characters or more, and of anything shaped like a key: a
/// token after `Bearer `, or starting with `sk-`.
pub fn scrub_key(text: &str, key: &str) -> String {
    let bytes = text.as_bytes();
    let mut hidden = vec![false; bytes.len()];
    let mut hide = |from: usize, to: usize| hidden[from..to].iter_mut().for_each(|h| *h = true);
    let key = key.trim();
    if key.len() >= KEY_PIECE {
        // Every window of the text that is a piece of the key: overlapping
        // windows hide any longer run of it whole.
        for at in (0..text.len()).filter(|&i| text.is_char_boundary(i)) {
            let rest = &text[at..];
            if rest.len() >= KEY_PIECE
                && rest.is_char_boundary(KEY_PIECE)
                && key.contains(&rest[..KEY_PIECE])
            {
                hide(at, at + KEY_PIECE);
            }
        }
    }
    let token_end = |from: usize| {
        bytes[from..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
            .map_or(bytes.len(), |n| from + n)
    };
    for (marker, min) in [("Bearer ", KEY_PIECE), ("sk-", KEY_PIECE)] {
        for (at, _) in text.match_indices(marker) {
            let from = if marker == "sk-" {
                at
            } else {
                at + marker.len()
            };
            let end = token_end(at + marker.len());
            if end - (at + marker.len()) >= min {
                hide(from, end);
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < bytes.len() {
        if hidden[at] {
            while at < bytes.len() && hidden[at] {
                at += 1;
            }
            out.push_str("[redacted]");
        } else {
            let next = (at + 1..=bytes.len())
                .find(|&i| i == bytes.len() || hidden[i])
                .unwrap_or(bytes.len());
            // Redacted runs are whole characters: `at..next` is on char boundaries.
            out.push_str(&text[at..next]);
            at = next;
        }
    }
    out
}

/// Passes a successful response through; turns an error status into its meaning.
pub async fn check_status(response: reqwest::Response) -> Result<reqwest::Response, ProviderError> {
    let status = response.status().as_u16();
    if response.status().is_success() {
        return Ok(response);
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    // An endpoint a user controls may send an endless error body: only its
    // beginning is read, and the connection dropped.
    let body = super::body::read_prefix(response, MAX_ERROR_BODY_BYTES, ERROR_BODY_WITHIN).await;
    let body = String::from_utf8_lossy(&body);
    Err(match status {
        401 => ProviderError::BadKey,
        403 => ProviderError::NoPermission,
        429 => ProviderError::RateLimited(retry_after),
        500 | 502 | 503 | 504 | 529 => ProviderError::Overloaded,
        400 | 413 if is_context_too_long(&body) => ProviderError::ContextTooLong,
        400 | 404 | 413 | 422 => ProviderError::BadRequest(provider_message(&body)),
        other => ProviderError::Unexpected(format!("HTTP {other}")),
    })
}

/// Anthropic says "prompt is too long"; OpenAI uses the code `context_length_exceeded`.
fn is_context_too_long(body: &str) -> bool {
    body.contains("context_length_exceeded") || body.contains("prompt is too long")
}

/// The human message inside an Anthropic or OpenAI error body.
pub fn provider_message(body: &str) -> String {
    #[derive(Deserialize)]
    struct Inner {
        message: Option<String>,
    }
    #[derive(Deserialize)]
    struct Outer {
        error: Option<Inner>,
    }
    serde_json::from_str::<Outer>(body)
        .ok()
        .and_then(|o| o.error)
        .and_then(|e| e.message)
        .map(|m| m.chars().take(300).collect())
        .unwrap_or_else(|| "no details given".into())
}

#[cfg(test)]
mod tests {
    use super::scrub_key;

    const KEY: &str = "sk-proj-Abc123Def456Ghi789";

    #[test]
    fn the_key_and_anything_like_it_is_redacted() {
        for (text, expected) in [
            (
                "Authorization: Bearer sk-proj-Abc123Def456Ghi789 is not allowed",
                "Authorization: Bearer [redacted] is not allowed",
            ),
            ("key Abc123Def456 unknown", "key [redacted] unknown"),
            (
                "the token was ghp_aaaaaaaaaaaa",
                "the token was ghp_aaaaaaaaaaaa",
            ),
            (
                "Bearer eyJhbGciOi.x.y rejected",
                "Bearer [redacted] rejected",
            ),
            (
                "try sk-other-key-00000000 instead",
                "try [redacted] instead",
            ),
            (
                "Incorrect API key provided: sk-pro***",
                "Incorrect API key provided: sk-pro***",
            ),
            (
                "naïve café: sk-proj-Abc123Def456Ghi789!",
                "naïve café: [redacted]!",
            ),
            ("nothing to hide", "nothing to hide"),
        ] {
            assert_eq!(scrub_key(text, KEY), expected, "{text}");
        }
    }

    #[test]
    fn a_short_or_odd_key_breaks_nothing() {
        assert_eq!(scrub_key("abc é", "é"), "abc é");
        assert_eq!(scrub_key("", KEY), "");
        assert_eq!(scrub_key("ééééééééé", "éééééééééé"), "[redacted]");
    }
}
