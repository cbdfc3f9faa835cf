//! A fake AI provider: a real HTTP server that answers like Anthropic
//! (`/anthropic/v1/...`) and OpenAI (`/openai/v1/...`), errors included.
//!
//! Behaviour is chosen by the API key, so tests need no set-up:
//! a key containing `invalid` gets the provider's 401 body, `forbidden` 403,
//! `ratelimited` 429 with `retry-after: 7`, `overloaded` 529 (Anthropic) or
//! 503 (OpenAI), `nomodels` an empty model list, `echo-key` a 400 whose
//! message repeats the key (as a careless proxy would), `endless-error`,
//! `huge-error` and `endless-models` what a hostile endpoint would send
//! ([`hostile`]), `many-models` a list of 300 models (as OpenRouter's); any
//! other key works.
//! Chat answers stream in each API's wire format and are scripted by markers in
//! the prompt: see [`chat`].

pub mod chat;
pub mod hostile;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures::StreamExt;
use serde_json::json;

/// Models each fake API lists: some VibeBot's catalogue knows, one it does
/// not (`…-test-1`, released "since"), and for OpenAI models that are not
/// chat models, as the real list has them.
pub const ANTHROPIC_MODELS: [(&str, &str); 4] = [
    ("claude-opus-4-1", "Claude Opus 4.1"),
    ("claude-sonnet-4-5", "Claude Sonnet 4.5"),
    ("claude-haiku-4-5", "Claude Haiku 4.5"),
    ("claude-test-1", "Claude Test 1"),
];
pub const OPENAI_MODELS: [&str; 10] = [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-5",
    "gpt-test-1",
    "text-embedding-3-small",
    "whisper-1",
    "dall-e-3",
    "gpt-4o-mini-tts",
    "omni-moderation-latest",
];
/// Of [`OPENAI_MODELS`], the chat models.
pub const OPENAI_CHAT_MODELS: [&str; 5] =
    ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-5", "gpt-test-1"];

pub fn router() -> Router {
    Router::new()
        .route("/anthropic/v1/models", get(anthropic_models))
        .route("/openai/v1/models", get(openai_models))
        .route("/anthropic/v1/messages", post(chat::anthropic_messages))
        .route("/openai/v1/chat/completions", post(chat::openai_chat))
}

/// What one fake provider has served: model lists, chat requests asked, and
/// chat answers sent to their last byte (a request the client dropped midway
/// is asked but never finished).
#[derive(Debug, Default)]
pub struct Served {
    pub asked: AtomicUsize,
    pub finished: AtomicUsize,
    /// The largest chat request body received, in bytes.
    pub largest_request: AtomicUsize,
    /// Model lists asked for.
    pub lists: AtomicUsize,
}

/// Serves on `127.0.0.1:0` in the background; returns the base URL.
pub async fn spawn() -> String {
    spawn_counting().await.0
}

/// [`spawn`], and what it serves as it serves it.
pub async fn spawn_counting() -> (String, Arc<Served>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    let addr = listener.local_addr().expect("local address");
    let served = Arc::new(Served::default());
    let app = router().layer(middleware::from_fn_with_state(served.clone(), count));
    tokio::spawn(async move {
        let _ = serve_app(listener, app).await;
    });
    (format!("http://{addr}"), served)
}

/// Counts chat requests, and chat answers whose body was sent to its end.
async fn count(State(served): State<Arc<Served>>, request: Request, next: Next) -> Response {
    if request.uri().path().ends_with("/models") {
        served.lists.fetch_add(1, Ordering::SeqCst);
    }
    let chat = request.uri().path().ends_with("/messages")
        || request.uri().path().ends_with("/chat/completions");
    if !chat {
        return next.run(request).await;
    }
    served.asked.fetch_add(1, Ordering::SeqCst);
    let length = request
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    served.largest_request.fetch_max(length, Ordering::SeqCst);
    let (parts, body) = next.run(request).await.into_parts();
    let at_end = futures::stream::once(async move {
        served.finished.fetch_add(1, Ordering::SeqCst);
    })
    .filter_map(|()| async { None::<Result<Bytes, axum::Error>> });
    Response::from_parts(
        parts,
        Body::from_stream(body.into_data_stream().chain(at_end)),
    )
}

/// Serves the fake APIs on `listener` until an I/O error. Like a real
/// provider's edge, it sends each streamed event at once (`TCP_NODELAY`).
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    serve_app(listener, router()).await
}

async fn serve_app(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await
}

#[derive(Clone, Copy)]
pub(crate) enum Api {
    Anthropic,
    OpenAi,
}

/// What the key asks for.
pub(crate) enum Scenario {
    Works,
    NoModels,
    /// As many models as OpenRouter lists.
    ManyModels,
    EndlessModels,
    Fail(Response),
}

pub(crate) fn scenario(api: Api, key: Option<&str>) -> Scenario {
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return Scenario::Fail(error(api, StatusCode::UNAUTHORIZED, "missing API key"));
    };
    if key.contains("invalid") {
        let message = match api {
            Api::Anthropic => "invalid x-api-key".to_string(),
            // OpenAI echoes a masked key; VibeBot must never pass it on.
            Api::OpenAi => format!(
                "Incorrect API key provided: {}***. You can find your API \
                                    key at https://platform.openai.com/account/api-keys.",
                &key[..key.len().min(6)]
            ),
        };
        Scenario::Fail(error(api, StatusCode::UNAUTHORIZED, &message))
    } else if key.contains("forbidden") {
        Scenario::Fail(error(
            api,
            StatusCode::FORBIDDEN,
            "Your API key does not have permission to use the specified resource.",
        ))
    } else if key.contains("ratelimited") {
        let mut response = error(
            api,
            StatusCode::TOO_MANY_REQUESTS,
            "Rate limit reached. Please try again later.",
        );
        response
            .headers_mut()
            .insert("retry-after", "7".parse().expect("static"));
        Scenario::Fail(response)
    } else if key.contains("overloaded") {
        let status = match api {
            Api::Anthropic => StatusCode::from_u16(529).expect("valid status"),
            Api::OpenAi => StatusCode::SERVICE_UNAVAILABLE,
        };
        Scenario::Fail(error(api, status, "Overloaded"))
    } else if key.contains("echo-key") {
        // A proxy that echoes what it was sent: VibeBot must not pass it on.
        Scenario::Fail(error(
            api,
            StatusCode::BAD_REQUEST,
            &format!("upstream refused Authorization: Bearer {key} (key {key})"),
        ))
    } else if key.contains("endless-error") {
        Scenario::Fail(hostile::endless_error(api))
    } else if key.contains("huge-error") {
        Scenario::Fail(hostile::huge_error())
    } else if key.contains("endless-models") {
        Scenario::EndlessModels
    } else if key.contains("nomodels") {
        Scenario::NoModels
    } else if key.contains("many-models") {
        Scenario::ManyModels
    } else {
        Scenario::Works
    }
}

/// An error body in the provider's own shape.
pub(crate) fn error(api: Api, status: StatusCode, message: &str) -> Response {
    let body = match api {
        Api::Anthropic => {
            let kind = match status.as_u16() {
                401 => "authentication_error",
                403 => "permission_error",
                429 => "rate_limit_error",
                529 => "overloaded_error",
                _ => "invalid_request_error",
            };
            json!({ "type": "error", "error": { "type": kind, "message": message } })
        }
        Api::OpenAi => {
            let (kind, code) = match status.as_u16() {
                401 => ("invalid_request_error", json!("invalid_api_key")),
                429 => ("requests", json!("rate_limit_exceeded")),
                _ => ("invalid_request_error", json!(null)),
            };
            json!({ "error": { "message": message, "type": kind, "param": null, "code": code } })
        }
    };
    (status, Json(body)).into_response()
}

/// Anthropic's list comes in pages: `limit` (default 20, at most 1000)
/// models after `after_id`.
#[derive(serde::Deserialize)]
struct Page {
    limit: Option<usize>,
    after_id: Option<String>,
}

async fn anthropic_models(headers: HeaderMap, Query(page): Query<Page>) -> Response {
    if headers.get("anthropic-version").is_none() {
        return error(
            Api::Anthropic,
            StatusCode::BAD_REQUEST,
            "anthropic-version: header is required",
        );
    }
    let key = headers.get("x-api-key").and_then(|v| v.to_str().ok());
    let models: Vec<_> = match scenario(Api::Anthropic, key) {
        Scenario::Fail(response) => return response,
        Scenario::EndlessModels => return hostile::endless_models(),
        Scenario::NoModels => vec![],
        Scenario::ManyModels => many_models(),
        Scenario::Works => ANTHROPIC_MODELS
            .iter()
            .map(|(id, name)| json!({ "type": "model", "id": id, "display_name": name, "created_at": "2025-09-29T00:00:00Z" }))
            .collect(),
    };
    let start = page
        .after_id
        .and_then(|after| models.iter().position(|m| m["id"] == after.as_str()))
        .map_or(0, |i| i + 1);
    let limit = page.limit.unwrap_or(20).clamp(1, 1000);
    let has_more = models.len() > start + limit;
    let models: Vec<_> = models.into_iter().skip(start).take(limit).collect();
    let first = models.first().map(|m| m["id"].clone());
    let last = models.last().map(|m| m["id"].clone());
    Json(json!({ "data": models, "has_more": has_more, "first_id": first, "last_id": last }))
        .into_response()
}

/// How many models a `many-models` key lists.
pub const MANY_MODELS: usize = 300;

/// [`MANY_MODELS`] models of 12 vendors, named, priced and described as
/// OpenRouter lists them (the prices and descriptions are read past).
fn many_models() -> Vec<serde_json::Value> {
    (1..=MANY_MODELS)
        .map(|n| {
            let vendor = n % 12;
            json!({
                "id": format!("vendor-{vendor}/model-{n}"),
                "name": format!("Vendor {vendor}: Model {n}"),
                "object": "model",
                "created": 1_730_000_000 + n,
                "owned_by": format!("vendor-{vendor}"),
                "context_length": 32_768 * (1 + n % 8),
                "pricing": { "prompt": "0.000001", "completion": "0.000002" },
                "description": "A model among many, listed to see that long lists stay quick to \
                                pick from.",
            })
        })
        .collect()
}

async fn openai_models(headers: HeaderMap) -> Response {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let models: Vec<_> = match scenario(Api::OpenAi, key) {
        Scenario::Fail(response) => return response,
        Scenario::EndlessModels => return hostile::endless_models(),
        Scenario::NoModels => vec![],
        Scenario::ManyModels => many_models(),
        Scenario::Works => OPENAI_MODELS
            .iter()
            .map(|id| json!({ "id": id, "object": "model", "created": 1715367049, "owned_by": "system" }))
            .collect(),
    };
    Json(json!({ "object": "list", "data": models })).into_response()
}
