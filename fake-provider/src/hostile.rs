//! A hostile endpoint: what a server a user controls could send to exhaust
//! VibeBot's memory or hold its tasks forever. Chosen by the key (errors and
//! model lists) or by a marker in the last user message (chat):
//!
//! | trigger | response |
//! |---|---|
//! | key containing `endless-error` | HTTP 400 whose body never ends |
//! | key containing `huge-error` | HTTP 500 with a 200 MB body |
//! | key containing `endless-models` | HTTP 200, a model list that never ends |
//! | `[flood=KB]` | HTTP 200, then `KB`-kilobyte text deltas, forever |
//! | `[comments-forever]` | HTTP 200, then an SSE comment line every 10 ms, forever, no text |
//!
//! Each body is produced as it is read and stops when the client goes away.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use futures::StreamExt;
use serde_json::json;

use crate::Api;

/// A response whose body is `head` and then `repeated` for ever (or `times` times).
fn repeating(
    status: StatusCode,
    content_type: &str,
    head: Bytes,
    repeated: Bytes,
    times: Option<usize>,
) -> Response {
    let tail = futures::stream::repeat(repeated);
    let tail = match times {
        Some(n) => tail.take(n).boxed(),
        None => tail.boxed(),
    };
    let body = futures::stream::once(async move { head })
        .chain(tail)
        .map(Ok::<_, std::io::Error>);
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Body::from_stream(body))
        .expect("static response parts")
}

/// An error body that never ends, starting like the provider's own.
pub(crate) fn endless_error(api: Api) -> Response {
    let head = match api {
        Api::Anthropic => r#"{"type":"error","error":{"type":"invalid_request_error","message":""#,
        Api::OpenAi => r#"{"error":{"type":"invalid_request_error","message":""#,
    };
    repeating(
        StatusCode::BAD_REQUEST,
        "application/json",
        Bytes::from_static(head.as_bytes()),
        Bytes::from(vec![b'x'; 64 * 1024]),
        None,
    )
}

/// A 200 MB error body.
pub(crate) fn huge_error() -> Response {
    repeating(
        StatusCode::INTERNAL_SERVER_ERROR,
        "text/plain",
        Bytes::new(),
        Bytes::from(vec![b'x'; 1024 * 1024]),
        Some(200),
    )
}

/// A model list that never ends.
pub(crate) fn endless_models() -> Response {
    repeating(
        StatusCode::OK,
        "application/json",
        Bytes::from_static(br#"{"object":"list","data":["#),
        Bytes::from_static(
            br#"{"id":"model-again-and-again","object":"model","owned_by":"nobody"},"#,
        ),
        None,
    )
}

/// A chat answer by a hostile marker in `last_user`, if it has one.
pub(crate) fn chat(api: Api, last_user: &str) -> Option<Response> {
    if let Some(kb) = crate::chat::marker_value(last_user, "flood") {
        let text = "x".repeat(kb as usize * 1024);
        let event = match api {
            Api::Anthropic => format!(
                "event: content_block_delta\ndata: {}\n\n",
                json!({ "type": "content_block_delta", "index": 0, "delta": { "type": "text_delta", "text": text } })
            ),
            Api::OpenAi => format!(
                "data: {}\n\n",
                json!({ "id": "chatcmpl-flood", "object": "chat.completion.chunk", "created": 1_700_000_000,
                        "model": "flood", "choices": [{ "index": 0, "delta": { "content": text }, "finish_reason": null }] })
            ),
        };
        let head = match api {
            Api::Anthropic => "event: message_start\ndata: \
                               {\"type\":\"message_start\",\"message\":{\"id\":\"msg_flood\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}\n\n",
            Api::OpenAi => "",
        };
        return Some(repeating(
            StatusCode::OK,
            "text/event-stream",
            Bytes::from_static(head.as_bytes()),
            Bytes::from(event),
            None,
        ));
    }
    if last_user.contains("[comments-forever]") {
        let comments = futures::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            Some((
                Ok::<_, std::io::Error>(Bytes::from_static(b": still thinking\n")),
                (),
            ))
        });
        return Some(
            Response::builder()
                .header("content-type", "text/event-stream")
                .body(Body::from_stream(comments))
                .expect("static response parts"),
        );
    }
    None
}
