//! Talking to VibeBot as a browser does (server functions, the answer's event
//! stream) and to the fake provider directly, timing what arrives when.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use app::backend::providers::sse::{SseEvent, SseParser};
use app::model::answer::{AnswerEvent, AnswerStatus};
use serde_json::Value;

/// One signed-in browser session.
#[derive(Clone)]
pub struct VibeBot {
    http: reqwest::Client,
    base: String,
}

/// What following an answer brought.
#[derive(Debug, Default)]
pub struct Followed {
    /// How it ended.
    pub status: AnswerStatus,
    /// Bytes of the event stream.
    pub bytes: usize,
    pub snapshots: usize,
    pub deltas: usize,
    /// Bytes of the text the events add up to.
    pub text: usize,
}

/// When an answer's text arrived, measured from when it was asked for.
#[derive(Debug, Clone)]
pub struct Timing {
    pub first_text: Duration,
    /// Between successive pieces of text.
    pub gaps: Vec<Duration>,
}

impl VibeBot {
    pub fn new(base: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .pool_max_idle_per_host(usize::MAX)
            .build()?;
        Ok(VibeBot {
            http,
            base: base.trim_end_matches('/').to_string(),
        })
    }

    /// Calls `/api/<endpoint>` with form arguments; the JSON answer.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<Value> {
        Ok(self.call_timed(endpoint, form).await?.0)
    }

    /// A server function's answer and the server's own time for it (its
    /// `Server-Timing` header).
    pub async fn call_timed(
        &self,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Result<(Value, Duration)> {
        let response = self.post(endpoint, form).await?;
        let status = response.status();
        let server = server_time(response.headers())
            .with_context(|| format!("{endpoint}: no Server-Timing header"))?;
        let body = response.text().await?;
        if !status.is_success() {
            bail!("{endpoint}: HTTP {status}: {body}");
        }
        Ok((json_or_text(body), server))
    }

    /// Calls `/api/<endpoint>`; its status and body, whatever the status.
    pub async fn call_status(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<(u16, Value)> {
        let response = self.post(endpoint, form).await?;
        let status = response.status().as_u16();
        Ok((status, json_or_text(response.text().await?)))
    }

    /// Posts form arguments to `/api/<endpoint>` as the page would (same origin).
    async fn post(&self, endpoint: &str, form: &[(&str, &str)]) -> Result<reqwest::Response> {
        self.http
            .post(format!("{}/api/{endpoint}", self.base))
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .with_context(|| format!("calling {endpoint}"))
    }

    /// Opens an answer's event stream.
    async fn events(&self, answer: &str) -> Result<reqwest::Response> {
        let response = self
            .http
            .get(format!("{}/api/messages/{answer}/events", self.base))
            .send()
            .await?;
        if !response.status().is_success() {
            bail!("events: HTTP {}", response.status());
        }
        Ok(response)
    }

    /// Signs up (or, when the account exists, signs in).
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<()> {
        let registered = self
            .call(
                "register",
                &[("email", email), ("password", password), ("name", "")],
            )
            .await;
        if registered.is_err() {
            self.call("login", &[("email", email), ("password", password)])
                .await?;
        }
        Ok(())
    }

    /// Makes sure the account has a Claude key (answered by the fake provider).
    pub async fn ensure_claude_key(&self) -> Result<()> {
        let keys = self.call("keys/list", &[]).await?;
        if keys.as_array().is_some_and(|k| !k.is_empty()) {
            return Ok(());
        }
        self.call(
            "keys/add",
            &[("provider", "CLAUDE"), ("key", "sk-ant-bench-key-0000")],
        )
        .await
        .map(drop)
    }

    pub async fn new_conversation(&self, model: &str) -> Result<String> {
        let created = self
            .call("conversations/create", &[("model", model)])
            .await?;
        created["id"]
            .as_str()
            .map(str::to_string)
            .context("no conversation id")
    }

    /// Sends a message; the answer's id.
    pub async fn send(&self, conversation: &str, text: &str) -> Result<String> {
        Ok(self.send_timed(conversation, text).await?.0)
    }

    /// Sends a message: the answer's id, and the server's time for the send.
    pub async fn send_timed(&self, conversation: &str, text: &str) -> Result<(String, Duration)> {
        let (sent, server) = self
            .call_timed(
                "chat/send",
                &[("conversation_id", conversation), ("text", text)],
            )
            .await?;
        let id = sent["assistant_message"]["id"]
            .as_str()
            .map(str::to_string)
            .context("no answer id")?;
        Ok((id, server))
    }

    pub async fn stop(&self, answer: &str) -> Result<()> {
        self.call("chat/stop", &[("message_id", answer)])
            .await
            .map(drop)
    }

    /// Follows an answer's events to its end, timing the text from `asked`.
    pub async fn follow(&self, answer: &str, asked: Instant) -> Result<Timing> {
        let mut response = self.events(answer).await?;
        let mut clock = TextClock::new(asked);
        let mut parser = SseParser::new();
        while let Some(chunk) = response.chunk().await? {
            for event in parser.feed(&chunk)? {
                match answer_event(&event) {
                    Some(AnswerEvent::Snapshot { content }) if !content.is_empty() => clock.text(),
                    Some(AnswerEvent::Delta { .. }) => clock.text(),
                    Some(AnswerEvent::Done { metadata }) => {
                        if metadata.status != AnswerStatus::Complete {
                            bail!(
                                "answer ended {}: {}",
                                metadata.status.as_str(),
                                metadata.error.unwrap_or_default()
                            );
                        }
                        return clock.timing();
                    }
                    _ => {}
                }
            }
        }
        bail!("the event stream ended before the answer")
    }

    /// Follows an answer's events to its end; the status it ended with.
    pub async fn follow_to_end(&self, answer: &str) -> Result<AnswerStatus> {
        Ok(self.follow_counting(answer).await?.status)
    }

    /// Follows an answer's events to its end, counting what arrived.
    pub async fn follow_counting(&self, answer: &str) -> Result<Followed> {
        let mut response = self.events(answer).await?;
        let mut parser = SseParser::new();
        let mut followed = Followed::default();
        while let Some(chunk) = response.chunk().await? {
            followed.bytes += chunk.len();
            for event in parser.feed(&chunk)? {
                match answer_event(&event) {
                    Some(AnswerEvent::Snapshot { content }) => {
                        followed.snapshots += 1;
                        followed.text = content.len();
                    }
                    Some(AnswerEvent::Delta { text }) => {
                        followed.deltas += 1;
                        followed.text += text.len();
                    }
                    Some(AnswerEvent::Done { metadata }) => {
                        followed.status = metadata.status;
                        return Ok(followed);
                    }
                    None => {}
                }
            }
        }
        bail!("the event stream ended before the answer")
    }

    /// The same browser session (its cookies) talking to another instance.
    pub fn at(&self, base: &str) -> VibeBot {
        VibeBot {
            http: self.http.clone(),
            base: base.trim_end_matches('/').to_string(),
        }
    }

    /// Opens an answer's event stream and keeps it open until `hold` ends.
    pub async fn hold_open(&self, answer: &str, hold: Duration) -> Result<()> {
        let mut response = self.events(answer).await?;
        let until = tokio::time::Instant::now() + hold;
        loop {
            match tokio::time::timeout_at(until, response.chunk()).await {
                Err(_) => return Ok(()),
                Ok(Ok(Some(_))) => {}
                Ok(Ok(None)) => bail!("the event stream ended early"),
                Ok(Err(e)) => return Err(e.into()),
            }
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }
}

/// Streams `prompt` straight from the fake provider's Anthropic endpoint.
pub async fn direct(http: &reqwest::Client, provider: &str, prompt: &str) -> Result<Timing> {
    let asked = Instant::now();
    let body = serde_json::json!({
        "model": "claude-sonnet-4-5", "max_tokens": 8192, "stream": true,
        "messages": [{ "role": "user", "content": prompt }],
    });
    let mut response = http
        .post(format!("{provider}/anthropic/v1/messages"))
        .header("x-api-key", "sk-ant-bench-key-0000")
        .header("anthropic-version", "2023-06-01")
        .json(&body)
        .send()
        .await?;
    if !response.status().is_success() {
        bail!("provider: HTTP {}", response.status());
    }
    let mut clock = TextClock::new(asked);
    let mut parser = SseParser::new();
    while let Some(chunk) = response.chunk().await? {
        for event in parser.feed(&chunk)? {
            match event.event.as_deref() {
                Some("content_block_delta") => clock.text(),
                Some("message_stop") => return clock.timing(),
                _ => {}
            }
        }
    }
    bail!("the provider's stream ended early")
}

struct TextClock {
    asked: Instant,
    arrivals: Vec<Instant>,
}

impl TextClock {
    fn new(asked: Instant) -> Self {
        TextClock {
            asked,
            arrivals: Vec::new(),
        }
    }

    fn text(&mut self) {
        self.arrivals.push(Instant::now());
    }

    fn timing(self) -> Result<Timing> {
        let first = *self.arrivals.first().context("no text arrived")?;
        Ok(Timing {
            first_text: first - self.asked,
            gaps: self.arrivals.windows(2).map(|w| w[1] - w[0]).collect(),
        })
    }
}

/// A JSON body, or the text itself when it is not JSON.
fn json_or_text(body: String) -> Value {
    serde_json::from_str(&body).unwrap_or(Value::String(body))
}

/// `app;dur=1.23` → 1.23 ms.
fn server_time(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get("server-timing")?.to_str().ok()?;
    let ms: f64 = value
        .split("dur=")
        .nth(1)?
        .split([',', ';'])
        .next()?
        .parse()
        .ok()?;
    (ms.is_finite() && ms >= 0.0).then(|| Duration::from_nanos((ms * 1e6).round() as u64))
}

/// An event of an answer's stream; `None` for anything else.
fn answer_event(event: &SseEvent) -> Option<AnswerEvent> {
    AnswerEvent::parse(event.event.as_deref()?, &event.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_server_timing_header() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(server_time(&headers), None);
        headers.insert("server-timing", "app;dur=1.25".parse().unwrap());
        assert_eq!(server_time(&headers), Some(Duration::from_micros(1250)));
        headers.insert("server-timing", "app;dur=oops".parse().unwrap());
        assert_eq!(server_time(&headers), None);
    }
}
