//! Streaming chat completions from Anthropic (Messages API) and OpenAI (Chat
//! Completions and compatible servers), as one stream of [`StreamEvent`]s.

use std::collections::VecDeque;

use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{check_status, ProviderError};
use super::sse::{SseEvent, SseParser};
use super::{Endpoint, ProviderClient};
use crate::model::ApiKeyProvider;

/// Who said a message of the conversation sent to the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speaker {
    User,
    Assistant,
}

impl Speaker {
    /// The `role` both APIs name it with.
    fn role(self) -> &'static str {
        match self {
            Speaker::User => "user",
            Speaker::Assistant => "assistant",
        }
    }
}

/// One message of the conversation as the provider gets it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub speaker: Speaker,
    pub text: String,
}

/// One request for an answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub model: String,
    pub system: Option<String>,
    pub messages: Vec<ChatMessage>,
    pub max_tokens: u32,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
}

/// What a provider stream says, whichever provider it is.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// More answer text.
    Text(String),
    /// Token counts so far (each field replaces the previous value when present).
    Usage {
        input_tokens: Option<u32>,
        output_tokens: Option<u32>,
    },
    /// The answer is complete.
    Done { stop_reason: Option<String> },
}

impl ProviderClient {
    /// Starts a streamed answer. HTTP errors come back here; errors during the
    /// stream come back from [`ChatStream::next`] (whose caller takes the key
    /// out of them: [`ProviderError::without_key`]).
    pub async fn stream_chat(
        &self,
        endpoint: &Endpoint,
        key: &str,
        request: &ChatRequest,
    ) -> Result<ChatStream, ProviderError> {
        let (path, body) = match endpoint.provider {
            ApiKeyProvider::Claude => ("messages", anthropic_body(request)),
            ApiKeyProvider::Openai => ("chat/completions", openai_body(request)),
        };
        let response = self
            .request(endpoint, reqwest::Method::POST, path, key)
            .header("accept", "text/event-stream")
            .json(&body)
            .send()
            .await
            .map_err(|e| ProviderError::from_transport(&e, endpoint))?;
        let response = check_status(response)
            .await
            .map_err(|e| e.without_key(key))?;
        Ok(ChatStream {
            response,
            parser: SseParser::new(),
            decoder: match endpoint.provider {
                ApiKeyProvider::Claude => Decoder::Anthropic { stop_reason: None },
                ApiKeyProvider::Openai => Decoder::OpenAi {
                    finish_reason: None,
                },
            },
            pending: VecDeque::new(),
            failure: None,
            finished: false,
        })
    }
}

fn anthropic_body(request: &ChatRequest) -> Value {
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|t| {
            json!({
                "role": t.speaker.role(),
                "content": t.text,
            })
        })
        .collect();
    let mut body = json!({
        "model": request.model,
        "max_tokens": request.max_tokens,
        "messages": messages,
        "stream": true,
    });
    if let Some(system) = request.system.as_deref().filter(|s| !s.trim().is_empty()) {
        body["system"] = json!(system);
    }
    add_sampling(&mut body, request);
    body
}

fn openai_body(request: &ChatRequest) -> Value {
    let mut messages = Vec::with_capacity(request.messages.len() + 1);
    if let Some(system) = request.system.as_deref().filter(|s| !s.trim().is_empty()) {
        messages.push(json!({ "role": "system", "content": system }));
    }
    messages.extend(request.messages.iter().map(|t| {
        json!({
            "role": t.speaker.role(),
            "content": t.text,
        })
    }));
    let mut body = json!({
        "model": request.model,
        "messages": messages,
        "stream": true,
        "stream_options": { "include_usage": true },
        "max_completion_tokens": request.max_tokens,
    });
    add_sampling(&mut body, request);
    body
}

/// The optional sampling parameters, which both APIs name alike.
fn add_sampling(body: &mut Value, request: &ChatRequest) {
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    if let Some(p) = request.top_p {
        body["top_p"] = json!(p);
    }
}

/// An answer arriving. Call [`ChatStream::next`] until it returns `None`.
pub struct ChatStream {
    response: reqwest::Response,
    parser: SseParser,
    decoder: Decoder,
    pending: VecDeque<StreamEvent>,
    /// An error to report once the events before it are delivered.
    failure: Option<ProviderError>,
    finished: bool,
}

impl ChatStream {
    /// The next event; `None` after `Done` or an error.
    pub async fn next(&mut self) -> Option<Result<StreamEvent, ProviderError>> {
        loop {
            if let Some(event) = self.pending.pop_front() {
                if matches!(event, StreamEvent::Done { .. }) {
                    self.finished = true;
                }
                return Some(Ok(event));
            }
            if let Some(error) = self.failure.take() {
                self.finished = true;
                return Some(Err(error));
            }
            if self.finished {
                return None;
            }
            let chunk = match self.response.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => {
                    self.finished = true;
                    return Some(self.decoder.end_of_body());
                }
                Err(e) => {
                    self.finished = true;
                    return Some(Err(if e.is_timeout() {
                        ProviderError::Timeout
                    } else {
                        ProviderError::Interrupted
                    }));
                }
            };
            let events = match self.parser.feed(&chunk) {
                Ok(events) => events,
                Err(e) => {
                    self.finished = true;
                    return Some(Err(ProviderError::Unexpected(e.to_string())));
                }
            };
            for event in events {
                match self.decoder.decode(event) {
                    Ok(out) => self.pending.extend(out),
                    Err(e) => {
                        // Text that came before the error is still delivered first.
                        self.failure = Some(e);
                        break;
                    }
                }
            }
        }
    }
}

enum Decoder {
    Anthropic { stop_reason: Option<String> },
    OpenAi { finish_reason: Option<String> },
}

impl Decoder {
    fn decode(&mut self, event: SseEvent) -> Result<Vec<StreamEvent>, ProviderError> {
        match self {
            Decoder::Anthropic { stop_reason } => decode_anthropic(event, stop_reason),
            Decoder::OpenAi { finish_reason } => decode_openai(event, finish_reason),
        }
    }

    /// The body ended: complete if the provider said it was done, else cut.
    fn end_of_body(&mut self) -> Result<StreamEvent, ProviderError> {
        match self {
            // Anthropic always ends with message_stop, which yields Done first.
            Decoder::Anthropic { .. } => Err(ProviderError::Interrupted),
            // Some compatible servers omit `[DONE]`; a finish reason is enough.
            Decoder::OpenAi { finish_reason } => match finish_reason.take() {
                Some(reason) => Ok(StreamEvent::Done {
                    stop_reason: Some(reason),
                }),
                None => Err(ProviderError::Interrupted),
            },
        }
    }
}

fn parse(data: &str) -> Result<Value, ProviderError> {
    serde_json::from_str(data)
        .map_err(|_| ProviderError::Unexpected("the provider sent an unreadable event".into()))
}

fn decode_anthropic(
    event: SseEvent,
    stop_reason: &mut Option<String>,
) -> Result<Vec<StreamEvent>, ProviderError> {
    let kind = event.event.as_deref().unwrap_or("message");
    let out = match kind {
        "ping" | "content_block_start" | "content_block_stop" => vec![],
        "message_start" => {
            let v = parse(&event.data)?;
            let usage = &v["message"]["usage"];
            vec![StreamEvent::Usage {
                input_tokens: as_u32(&usage["input_tokens"]),
                output_tokens: as_u32(&usage["output_tokens"]),
            }]
        }
        "content_block_delta" => {
            let v = parse(&event.data)?;
            match (v["delta"]["type"].as_str(), v["delta"]["text"].as_str()) {
                (Some("text_delta"), Some(text)) if !text.is_empty() => {
                    vec![StreamEvent::Text(text.to_string())]
                }
                _ => vec![], // thinking, tool input: not shown
            }
        }
        "message_delta" => {
            let v = parse(&event.data)?;
            if let Some(reason) = v["delta"]["stop_reason"].as_str() {
                *stop_reason = Some(reason.to_string());
            }
            let usage = &v["usage"];
            vec![StreamEvent::Usage {
                input_tokens: as_u32(&usage["input_tokens"]),
                output_tokens: as_u32(&usage["output_tokens"]),
            }]
        }
        "message_stop" => vec![StreamEvent::Done {
            stop_reason: stop_reason.take(),
        }],
        "error" => {
            let v = parse(&event.data).unwrap_or(Value::Null);
            return Err(stream_error(&v["error"]));
        }
        _ => vec![],
    };
    Ok(out)
}

fn decode_openai(
    event: SseEvent,
    finish_reason: &mut Option<String>,
) -> Result<Vec<StreamEvent>, ProviderError> {
    let data = event.data.trim();
    if data == "[DONE]" {
        return Ok(vec![StreamEvent::Done {
            stop_reason: finish_reason.take().or_else(|| Some("stop".into())),
        }]);
    }
    let v = parse(data)?;
    if v.get("error").is_some_and(|e| !e.is_null()) {
        return Err(stream_error(&v["error"]));
    }
    let mut out = Vec::new();
    // `choices` may be missing, null or empty (the final usage chunk).
    if let Some(choice) = v["choices"].as_array().and_then(|c| c.first()) {
        if let Some(text) = choice["delta"]["content"]
            .as_str()
            .filter(|t| !t.is_empty())
        {
            out.push(StreamEvent::Text(text.to_string()));
        }
        if let Some(reason) = choice["finish_reason"].as_str() {
            *finish_reason = Some(reason.to_string());
        }
    }
    if let Some(usage) = v.get("usage").filter(|u| u.is_object()) {
        out.push(StreamEvent::Usage {
            input_tokens: as_u32(&usage["prompt_tokens"]),
            output_tokens: as_u32(&usage["completion_tokens"]),
        });
    }
    Ok(out)
}

fn as_u32(v: &Value) -> Option<u32> {
    v.as_u64().and_then(|n| u32::try_from(n).ok())
}

/// An error reported inside a stream (after HTTP 200).
fn stream_error(error: &Value) -> ProviderError {
    #[derive(Deserialize)]
    struct E {
        #[serde(rename = "type")]
        kind: Option<String>,
        code: Option<Value>,
        message: Option<String>,
    }
    let e: E = serde_json::from_value(error.clone()).unwrap_or(E {
        kind: None,
        code: None,
        message: None,
    });
    let code = e.code.as_ref().and_then(Value::as_str).unwrap_or_default();
    match e.kind.as_deref().unwrap_or_default() {
        "overloaded_error" | "api_error" => ProviderError::Overloaded,
        "rate_limit_error" => ProviderError::RateLimited(None),
        "authentication_error" => ProviderError::BadKey,
        "permission_error" => ProviderError::NoPermission,
        _ if code == "rate_limit_exceeded" => ProviderError::RateLimited(None),
        _ => ProviderError::Stream(
            e.message
                .map(|m| m.chars().take(300).collect())
                .unwrap_or_else(|| "the provider reported an error".into()),
        ),
    }
}
