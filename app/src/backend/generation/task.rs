//! The task that writes one answer: stream from the provider, publish deltas
//! (the flusher saves them), then store the final text and metadata (status
//! `complete`, `stopped` or `error`).

use std::time::{Duration, Instant};

use serde_json::json;

use super::Live;
use crate::backend::db::{messages, usage};
use crate::backend::providers::chat::{ChatRequest, StreamEvent};
use crate::backend::providers::Endpoint;
use crate::backend::secret::Secret;
use crate::backend::AppState;
use crate::model::{catalog, ApiKeyProvider};

/// How long a finished answer's final write is retried before giving up.
const STORE_FOR_AT_MOST: Duration = Duration::from_secs(3600);

/// Everything the task needs; built by `send_message`.
pub struct Job {
    /// Who asked: the answer's usage and cost are counted for them.
    pub user_id: String,
    pub message_id: String,
    pub provider: ApiKeyProvider,
    pub model: String,
    pub endpoint: Endpoint,
    pub key: Secret<String>,
    pub request: ChatRequest,
}

enum End {
    Complete(Option<String>),
    Stopped,
    Failed(String),
}

#[derive(Default)]
struct Measures {
    input_tokens: Option<u32>,
    output_tokens: Option<u32>,
    first_token: Option<Duration>,
}

/// Starts writing the answer in the background. The answer is registered
/// before this returns, so that a browser following it right after the send
/// gets the live stream, not the database's slower view.
pub fn spawn(state: AppState, job: Job) {
    let live = state.generations.start(&job.message_id);
    tokio::spawn(run(state, job, live));
}

/// Writes the answer; returns when it is stored.
async fn run(state: AppState, job: Job, live: std::sync::Arc<Live>) {
    let started = Instant::now();
    let mut measures = Measures::default();
    let end = stream(&state, &job, &live, started, &mut measures).await;
    let text = live.text();

    let (status, stop_reason, error) = match &end {
        End::Complete(reason) => ("complete", reason.clone(), None),
        End::Stopped => ("stopped", None, None),
        End::Failed(message) => ("error", None, Some(message.clone())),
    };
    let cost = match (
        catalog::find(&job.model),
        measures.input_tokens,
        measures.output_tokens,
    ) {
        (Some(model), Some(input), Some(output)) => Some(model.cost_usd(input, output)),
        _ => None,
    };
    let metadata = json!({
        "status": status,
        "error": error,
        "provider": job.provider,
        "model": job.model,
        "input_tokens": measures.input_tokens,
        "output_tokens": measures.output_tokens,
        "cost_usd": cost,
        "time_to_first_token_ms": measures.first_token.map(|d| d.as_millis() as u64),
        "duration_ms": started.elapsed().as_millis() as u64,
        "stop_reason": stop_reason,
        "temperature": job.request.temperature,
        "top_p": job.request.top_p,
        "max_tokens": job.request.max_tokens,
    });
    let usage = usage::Answer {
        user_id: &job.user_id,
        provider: job.provider,
        model: &job.model,
        input_tokens: measures.input_tokens.unwrap_or(0),
        output_tokens: measures.output_tokens.unwrap_or(0),
        cost_usd: cost.unwrap_or(0.0),
    };
    // The answer must not stay `streaming`, and its text must not be lost:
    // retry until the database takes it (it may be down or saturated). Until
    // then the answer stays registered, so followers and the flusher still see it.
    let mut delay = Duration::from_millis(200);
    let give_up = Instant::now() + STORE_FOR_AT_MOST;
    let mut followers_told = false;
    loop {
        let stored = store(&state, &job.message_id, &text, &metadata, &usage).await;
        // Followers learn the end once it is stored, or, if the database is
        // not taking it, at once: they need not wait for the database.
        if !followers_told {
            live.finish(metadata.clone());
            followers_told = true;
        }
        match stored {
            Ok(()) => break,
            Err(e) if Instant::now() < give_up => {
                if delay == Duration::from_millis(200) {
                    tracing::warn!(message_id = %job.message_id, error = %e, "storing the answer failed; retrying until the database takes it");
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => {
                tracing::error!(message_id = %job.message_id, error = %e, "storing the answer failed for an hour; its last saved text stays");
                break;
            }
        }
    }
    state.generations.remove(&job.message_id);
}

/// The answer's final text and metadata, and its usage, in one transaction.
/// Answers that end together (a thousand stopped at once) queue here for a
/// few connections instead of taking the whole pool from requests.
async fn store(
    state: &AppState,
    message_id: &str,
    text: &str,
    metadata: &serde_json::Value,
    answer: &usage::Answer<'_>,
) -> Result<(), sqlx::Error> {
    let _slot = state.generations.store_slot().await;
    let mut tx = state.pool.begin().await?;
    messages::finish(&mut *tx, message_id, text, metadata).await?;
    usage::record(&mut *tx, answer).await?;
    tx.commit().await
}

async fn stream(
    state: &AppState,
    job: &Job,
    live: &Live,
    started: Instant,
    measures: &mut Measures,
) -> End {
    let opening = state
        .providers
        .stream_chat(&job.endpoint, job.key.expose(), &job.request);
    let mut stream = tokio::select! {
        _ = live.cancel.cancelled() => return End::Stopped,
        opened = opening => match opened {
            Ok(stream) => stream,
            Err(e) => return End::Failed(e.to_string()),
        },
    };
    loop {
        tokio::select! {
            _ = live.cancel.cancelled() => return End::Stopped,
            event = stream.next() => match event {
                Some(Ok(StreamEvent::Text(delta))) => {
                    measures.first_token.get_or_insert_with(|| started.elapsed());
                    live.push(&delta);
                }
                Some(Ok(StreamEvent::Usage { input_tokens, output_tokens })) => {
                    measures.input_tokens = input_tokens.or(measures.input_tokens);
                    measures.output_tokens = output_tokens.or(measures.output_tokens);
                }
                Some(Ok(StreamEvent::Done { stop_reason })) => return End::Complete(stop_reason),
                Some(Err(e)) => return End::Failed(e.to_string()),
                None => return End::Failed("the provider ended the answer early".into()),
            },
        }
    }
}
