//! Streaming chat in both wire formats, scripted by markers in the last user
//! message:
//!
//! | marker | effect |
//! |---|---|
//! | `[tokens=N]` | answer with N tokens (`tok1 tok2 …`) instead of echoing |
//! | `[prose]` | with `[tokens=N]`: N made-up words instead (letters and lengths of English text, few repeats: text that indexes like prose) |
//! | `[delay=MS]` | wait MS milliseconds before each token |
//! | `[echo-system]` | answer with the system prompt the request carried |
//! | `[markdown]` | answer with [`MARKDOWN_SAMPLE`]: code, a table, a list, a link, an image |
//! | `[error-event]` | after half the tokens, an error event (HTTP status stays 200) |
//! | `[cut]` | after half the tokens, drop the connection |
//! | `[stall]` | after half the tokens, send nothing more but keep the connection |
//! | `[too-long]` | refuse with the provider's "context too long" 400 |
//! | `[null-choices]` | (OpenAI) `choices: null` in the usage chunk, as some compatible servers send |
//! | `[no-usage]` | (OpenAI) no usage chunk |
//! | `[no-done]` | (OpenAI) no `data: [DONE]` |
//! | `[echo-history]` | answer with the conversation the request carried, one `role: text` line per message (markers left in) |
//! | `[echo-params]` | answer with the sampling parameters the request carried: `temperature=… top_p=… max_tokens=…` |
//! | `[raw]` | answer with the message itself minus `[raw]`, verbatim: whitespace and any other markers kept (the XSS corpus) |
//! | `[flood=KB]`, `[comments-forever]` | a hostile endpoint's answers: see [`crate::hostile`] |
//!
//! Without markers the answer is `You said: <the message>`, a word per token.
//! As the real APIs do, an answer stops at the request's `max_tokens`
//! (`max_completion_tokens` for OpenAI) with stop reason `max_tokens` / `length`.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use crate::{error, scenario, Api, Scenario};

/// The request's sampling parameters, as sent (`None`: absent).
struct Params {
    temperature: Option<f64>,
    top_p: Option<f64>,
    max_tokens: Option<u64>,
}

impl Params {
    fn read(body: &Value, max_tokens_field: &str) -> Params {
        Params {
            temperature: body["temperature"].as_f64(),
            top_p: body["top_p"].as_f64(),
            max_tokens: body[max_tokens_field].as_u64(),
        }
    }

    fn echo(&self) -> String {
        let show = |v: Option<String>| v.unwrap_or_else(|| "none".into());
        format!(
            "temperature={} top_p={} max_tokens={}",
            show(self.temperature.map(|t| format!("{t:.2}"))),
            show(self.top_p.map(|p| format!("{p:.2}"))),
            show(self.max_tokens.map(|n| n.to_string()))
        )
    }
}

/// What the request asked for, read from its messages.
struct Script {
    tokens: Vec<String>,
    /// The answer was cut at the request's `max_tokens`.
    truncated: bool,
    delay: Duration,
    input_tokens: usize,
    error_event: bool,
    cut: bool,
    stall: bool,
    null_choices: bool,
    no_usage: bool,
    no_done: bool,
}

pub(crate) fn marker_value(text: &str, name: &str) -> Option<u64> {
    let start = text.find(&format!("[{name}="))? + name.len() + 2;
    let end = text[start..].find(']')? + start;
    text[start..end].parse().ok()
}

fn strip_markers(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        match rest[open..].find(']') {
            Some(close)
                if rest[open + 1..open + close]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '=') =>
            {
                out.push_str(&rest[..open]);
                rest = &rest[open + close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The answer to `[markdown]`: one of each thing the renderer must handle.
pub const MARKDOWN_SAMPLE: &str = "Here is **bold** text and `inline code`.\n\n\
```rust\nfn main() {\n    println!(\"hello\"); // greet\n}\n```\n\n\
| Model | Price |\n|---|---|\n| Sonnet | $3 |\n\n\
- one\n- two\n\n\
A [safe link](https://example.com) and an image ![tracker](https://tracker.example/p.png).\n";

fn script(system: Option<&str>, messages: &[(String, String)], params: &Params) -> Script {
    let last_user = messages
        .iter()
        .rev()
        .find(|(role, _)| role == "user")
        .map(|(_, text)| text.as_str())
        .unwrap_or("");
    let words = |t: &str| t.split_whitespace().count();
    let input_tokens =
        system.map_or(0, words) + messages.iter().map(|(_, t)| words(t)).sum::<usize>();
    let mut tokens: Vec<String> = if let Some(n) = marker_value(last_user, "tokens") {
        if last_user.contains("[prose]") {
            (1..=n).map(|i| format!("{} ", made_up_word(i))).collect()
        } else {
            (1..=n).map(|i| format!("tok{i} ")).collect()
        }
    } else {
        // `[raw]` first: the XSS corpus must come back byte for byte, even a
        // payload that happens to contain another marker's name.
        let text = if last_user.contains("[raw]") {
            last_user.replace("[raw]", "")
        } else if last_user.contains("[markdown]") {
            MARKDOWN_SAMPLE.to_string()
        } else if last_user.contains("[echo-system]") {
            format!("system: {}", system.unwrap_or("(none)"))
        } else if last_user.contains("[echo-params]") {
            params.echo()
        } else if last_user.contains("[echo-history]") {
            messages
                .iter()
                .map(|(role, text)| format!("{role}: {text}\n"))
                .collect()
        } else {
            format!("You said: {}", strip_markers(last_user))
        };
        text.split_inclusive(' ').map(str::to_string).collect()
    };
    let limit = params.max_tokens.map_or(usize::MAX, |n| n as usize);
    let truncated = tokens.len() > limit;
    tokens.truncate(limit);
    Script {
        tokens,
        truncated,
        delay: Duration::from_millis(marker_value(last_user, "delay").unwrap_or(0)),
        input_tokens,
        error_event: last_user.contains("[error-event]"),
        cut: last_user.contains("[cut]"),
        stall: last_user.contains("[stall]"),
        null_choices: last_user.contains("[null-choices]"),
        no_usage: last_user.contains("[no-usage]"),
        no_done: last_user.contains("[no-done]"),
    }
}

/// The `i`th word of `[prose]`: 2 to 9 letters, drawn by a hash of `i` (the
/// same answer every time) with English's most frequent letters most often.
fn made_up_word(i: u64) -> String {
    const LETTERS: &[u8] = b"eeeeettttaaaooiinnsshhrrddlcumwfgypbvkjxqz";
    // splitmix64: consecutive `i` give unrelated bits.
    let mut x = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    let len = 2 + (x % 8) as usize;
    (0..len)
        .map(|k| LETTERS[((x >> (8 + 6 * k)) % LETTERS.len() as u64) as usize] as char)
        .collect()
}

/// The text of a message's `content`: a string, or Anthropic's content blocks.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|b| b["text"].as_str())
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    }
}

type Chunk = Result<Bytes, std::io::Error>;

/// Streams what `produce` sends; an `Err` drops the connection.
fn sse_response(
    produce: impl FnOnce(mpsc::Sender<Chunk>) -> tokio::task::JoinHandle<()>,
) -> Response {
    let (tx, rx) = mpsc::channel::<Chunk>(16);
    produce(tx);
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_stream(stream))
        .expect("static response parts")
}

async fn send(tx: &mpsc::Sender<Chunk>, text: String) -> bool {
    tx.send(Ok(Bytes::from(text))).await.is_ok()
}

/// What happens at the halfway point, if anything; true means stop producing.
async fn interruption(tx: &mpsc::Sender<Chunk>, script: &Script, error_event: String) -> bool {
    if script.cut {
        // Let the server write out what it has, as a real network cut would
        // arrive after the bytes already sent.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let _ = tx
            .send(Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionReset,
                "cut",
            )))
            .await;
        return true;
    }
    if script.stall {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return true;
    }
    if script.error_event {
        send(tx, error_event).await;
        return true;
    }
    false
}

pub async fn anthropic_messages(headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if headers.get("anthropic-version").is_none() {
        return error(
            Api::Anthropic,
            StatusCode::BAD_REQUEST,
            "anthropic-version: header is required",
        );
    }
    if let Scenario::Fail(response) = scenario(
        Api::Anthropic,
        headers.get("x-api-key").and_then(|v| v.to_str().ok()),
    ) {
        return response;
    }
    let model = body["model"].as_str().unwrap_or_default().to_string();
    if model.is_empty() || body["max_tokens"].as_u64().is_none() || !body["messages"].is_array() {
        return error(
            Api::Anthropic,
            StatusCode::BAD_REQUEST,
            "model, max_tokens and messages are required",
        );
    }
    let messages: Vec<(String, String)> = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["role"].as_str().unwrap_or_default().to_string(),
                content_text(&m["content"]),
            )
        })
        .collect();
    let system = body["system"].as_str().map(str::to_string);
    if let Some(response) = messages
        .last()
        .and_then(|(_, t)| crate::hostile::chat(Api::Anthropic, t))
    {
        return response;
    }
    if messages
        .last()
        .is_some_and(|(_, t)| t.contains("[too-long]"))
    {
        return error(
            Api::Anthropic,
            StatusCode::BAD_REQUEST,
            "prompt is too long: 250000 tokens > 200000 maximum",
        );
    }
    let script = script(
        system.as_deref(),
        &messages,
        &Params::read(&body, "max_tokens"),
    );
    let stop_reason = if script.truncated {
        "max_tokens"
    } else {
        "end_turn"
    };
    if body["stream"].as_bool() != Some(true) {
        let text: String = script.tokens.concat();
        return Json(json!({
            "id": "msg_fake", "type": "message", "role": "assistant", "model": model,
            "content": [{ "type": "text", "text": text }],
            "stop_reason": stop_reason, "stop_sequence": null,
            "usage": { "input_tokens": script.input_tokens, "output_tokens": script.tokens.len() }
        }))
        .into_response();
    }
    let event = |name: &str, data: Value| format!("event: {name}\ndata: {data}\n\n");
    sse_response(move |tx| {
        tokio::spawn(async move {
            let start = json!({ "type": "message_start", "message": {
                "id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": [],
                "stop_reason": null, "stop_sequence": null,
                "usage": { "input_tokens": script.input_tokens, "output_tokens": 1 } } });
            if !send(&tx, event("message_start", start)).await {
                return;
            }
            send(&tx, event("content_block_start", json!({ "type": "content_block_start", "index": 0, "content_block": { "type": "text", "text": "" } }))).await;
            send(&tx, event("ping", json!({ "type": "ping" }))).await;
            let half = script.tokens.len() / 2;
            for (i, token) in script.tokens.iter().enumerate() {
                if i == half {
                    let error_event = event(
                        "error",
                        json!({ "type": "error", "error": { "type": "overloaded_error", "message": "Overloaded" } }),
                    );
                    if interruption(&tx, &script, error_event).await {
                        return;
                    }
                }
                if !script.delay.is_zero() {
                    tokio::time::sleep(script.delay).await;
                }
                let delta = json!({ "type": "content_block_delta", "index": 0, "delta": { "type": "text_delta", "text": token } });
                if !send(&tx, event("content_block_delta", delta)).await {
                    return; // the client went away
                }
            }
            send(
                &tx,
                event(
                    "content_block_stop",
                    json!({ "type": "content_block_stop", "index": 0 }),
                ),
            )
            .await;
            send(
                &tx,
                event(
                    "message_delta",
                    json!({ "type": "message_delta",
                "delta": { "stop_reason": stop_reason, "stop_sequence": null },
                "usage": { "output_tokens": script.tokens.len() } }),
                ),
            )
            .await;
            send(
                &tx,
                event("message_stop", json!({ "type": "message_stop" })),
            )
            .await;
        })
    })
}

pub async fn openai_chat(headers: HeaderMap, Json(body): Json<Value>) -> Response {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Scenario::Fail(response) = scenario(Api::OpenAi, key) {
        return response;
    }
    let model = body["model"].as_str().unwrap_or_default().to_string();
    let all: Vec<(String, String)> = body["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["role"].as_str().unwrap_or_default().to_string(),
                content_text(&m["content"]),
            )
        })
        .collect();
    if model.is_empty() || all.is_empty() {
        return error(
            Api::OpenAi,
            StatusCode::BAD_REQUEST,
            "model and messages are required",
        );
    }
    let system = all
        .iter()
        .find(|(r, _)| r == "system")
        .map(|(_, t)| t.clone());
    let messages: Vec<(String, String)> = all.into_iter().filter(|(r, _)| r != "system").collect();
    if let Some(response) = messages
        .last()
        .and_then(|(_, t)| crate::hostile::chat(Api::OpenAi, t))
    {
        return response;
    }
    if messages
        .last()
        .is_some_and(|(_, t)| t.contains("[too-long]"))
    {
        let body = json!({ "error": { "message": "This model's maximum context length is 128000 \
                                                  tokens.", "type": "invalid_request_error", "param": "messages", "code": "context_length_exceeded" } });
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    // `max_tokens` is the older name some compatible servers still use.
    let max_field = if body["max_completion_tokens"].is_null() {
        "max_tokens"
    } else {
        "max_completion_tokens"
    };
    let script = script(
        system.as_deref(),
        &messages,
        &Params::read(&body, max_field),
    );
    let finish_reason = if script.truncated { "length" } else { "stop" };
    if body["stream"].as_bool() != Some(true) {
        let text: String = script.tokens.concat();
        return Json(json!({
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000, "model": model,
            "choices": [{ "index": 0, "message": { "role": "assistant", "content": text }, "finish_reason": finish_reason }],
            "usage": { "prompt_tokens": script.input_tokens, "completion_tokens": script.tokens.len(), "total_tokens": script.input_tokens + script.tokens.len() }
        }))
        .into_response();
    }
    let include_usage =
        body["stream_options"]["include_usage"].as_bool() == Some(true) && !script.no_usage;
    let chunk = move |choices: Value, usage: Value| {
        format!(
            "data: {}\n\n",
            json!({ "id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000,
                    "model": model, "choices": choices, "usage": usage })
        )
    };
    sse_response(move |tx| {
        tokio::spawn(async move {
            let first = chunk(
                json!([{ "index": 0, "delta": { "role": "assistant", "content": "" }, "finish_reason": null }]),
                Value::Null,
            );
            if !send(&tx, first).await {
                return;
            }
            let half = script.tokens.len() / 2;
            for (i, token) in script.tokens.iter().enumerate() {
                if i == half {
                    let error_event = format!(
                        "data: {}\n\n",
                        json!({ "error": { "message": "The server had an error while processing \
                                                       your request.", "type": "server_error", "code": null } })
                    );
                    if interruption(&tx, &script, error_event).await {
                        return;
                    }
                }
                if !script.delay.is_zero() {
                    tokio::time::sleep(script.delay).await;
                }
                let delta = chunk(
                    json!([{ "index": 0, "delta": { "content": token }, "finish_reason": null }]),
                    Value::Null,
                );
                if !send(&tx, delta).await {
                    return;
                }
            }
            send(
                &tx,
                chunk(
                    json!([{ "index": 0, "delta": {}, "finish_reason": finish_reason }]),
                    Value::Null,
                ),
            )
            .await;
            if include_usage {
                let usage = json!({ "prompt_tokens": script.input_tokens, "completion_tokens": script.tokens.len(),
                                    "total_tokens": script.input_tokens + script.tokens.len() });
                let choices = if script.null_choices {
                    Value::Null
                } else {
                    json!([])
                };
                send(&tx, chunk(choices, usage)).await;
            }
            if !script.no_done {
                send(&tx, "data: [DONE]\n\n".to_string()).await;
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_varied_words_the_same_every_time() {
        let words: Vec<String> = (1..=2000).map(made_up_word).collect();
        assert!(words
            .iter()
            .all(|w| (2..=9).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_lowercase())));
        let distinct: std::collections::HashSet<&String> = words.iter().collect();
        assert!(distinct.len() > 1500, "{} distinct words", distinct.len());
        assert_eq!(made_up_word(7), made_up_word(7));
    }

    #[test]
    fn markers_are_read_and_stripped() {
        assert_eq!(marker_value("hi [tokens=12] [delay=5]", "tokens"), Some(12));
        assert_eq!(marker_value("hi [delay=5]", "delay"), Some(5));
        assert_eq!(strip_markers("hello [tokens=3] world [cut]"), "hello world");
        assert_eq!(
            strip_markers("keep [this one] please"),
            "keep [this one] please"
        );
    }

    #[test]
    fn raw_answers_keep_the_message_verbatim() {
        let messages = vec![(
            "user".to_string(),
            "[raw]<img src=x onerror=alert(1)>\n\n  [x](javascript:alert(2))  [delay=1]"
                .to_string(),
        )];
        let params = Params {
            temperature: None,
            top_p: None,
            max_tokens: None,
        };
        let script = script(None, &messages, &params);
        assert_eq!(
            script.tokens.concat(),
            "<img src=x onerror=alert(1)>\n\n  [x](javascript:alert(2))  [delay=1]"
        );
        assert!(script.tokens.len() > 1, "streamed in several tokens");
        assert_eq!(script.delay, Duration::from_millis(1));
    }
}
