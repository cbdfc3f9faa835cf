//! The task that writes one answer: stream from the provider, publish deltas
//! (the flusher saves them), then hand the final text and metadata (status
//! `complete`, `stopped` or `error`) to the flusher, which stores it.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::{Live, Registry, Usage};
use crate::backend::providers::chat::{ChatRequest, StreamEvent};
use crate::backend::providers::Endpoint;
use crate::backend::secret::Secret;
use crate::model::answer::{AnswerMetadata, AnswerStatus};
use crate::model::model_facts::Price;
use crate::model::ApiKeyProvider;

/// Everything the task needs; built by `backend::turn`.
pub struct Job {
    /// Who asked: the answer's usage and cost are counted for them.
    pub user_id: String,
    pub message_id: String,
    pub provider: ApiKeyProvider,
    pub model: String,
    /// What the model costs as the answer is asked for (`None`: unknown);
    /// the answer keeps it whatever prices change later.
    pub price: Option<Price>,
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

impl Registry {
    /// Starts writing the answer in the background. The answer is
    /// registered before this returns, so that a browser following it right
    /// after the send gets the live stream, not the database's slower view.
    pub fn start(&self, job: Job) {
        self.ask_unpublished(job).publish();
    }

    /// Asks the provider now, before the answer's rows are stored; see [`Early`].
    pub fn ask_unpublished(&self, job: Job) -> Early {
        let live = Arc::new(Live::new());
        let (stored, until_stored) = oneshot::channel();
        let early = Early {
            registry: self.clone(),
            message_id: job.message_id.clone(),
            request: job.request.clone(),
            live: live.clone(),
            stored: Some(stored),
        };
        tokio::spawn(run(self.clone(), job, live, until_stored));
        early
    }
}

/// An answer asked of its provider while its rows are still being stored:
/// the provider's time to first token hides the database's time to store
/// the question. Nobody sees it and nothing of it is saved until
/// [`Early::publish`]; dropped unpublished (the rows were never stored), its
/// provider request is cancelled and it is forgotten.
pub struct Early {
    registry: Registry,
    message_id: String,
    request: ChatRequest,
    live: Arc<Live>,
    stored: Option<oneshot::Sender<()>>,
}

impl Early {
    /// Whether this is the request the stored conversation asks for.
    pub fn asks(&self, request: &ChatRequest) -> bool {
        self.request == *request
    }

    /// The rows are stored: followers may subscribe, the flusher saves it.
    pub fn publish(mut self) {
        self.registry.register(&self.message_id, self.live.clone());
        if let Some(stored) = self.stored.take() {
            let _ = stored.send(());
        }
    }
}

impl Drop for Early {
    fn drop(&mut self) {
        if self.stored.is_some() {
            self.live.cancel.cancel();
        }
    }
}

/// Writes the answer, then, once its rows are stored, hands it to the
/// flusher to be stored as well.
async fn run(registry: Registry, job: Job, live: Arc<Live>, stored: oneshot::Receiver<()>) {
    let started = Instant::now();
    let mut measures = Measures::default();
    let end = stream(&registry, &job, &live, started, &mut measures).await;
    if stored.await.is_err() {
        // Never published: its rows were not stored (the send was refused).
        return;
    }

    let (status, stop_reason, error) = match end {
        End::Complete(reason) => (AnswerStatus::Complete, reason, None),
        End::Stopped => (AnswerStatus::Stopped, None, None),
        End::Failed(message) => (AnswerStatus::Error, None, Some(message)),
    };
    let cost = match (job.price, measures.input_tokens, measures.output_tokens) {
        (Some(price), Some(input), Some(output)) => Some(price.cost_usd(input, output)),
        _ => None,
    };
    let metadata = AnswerMetadata {
        status,
        error,
        provider: Some(job.provider),
        model: Some(job.model.clone()),
        asked_by: None,
        input_tokens: measures.input_tokens,
        output_tokens: measures.output_tokens,
        cost_usd: cost,
        price: Some(job.price),
        time_to_first_token_ms: measures.first_token.map(|d| d.as_millis() as u64),
        duration_ms: Some(started.elapsed().as_millis() as u64),
        stop_reason,
        temperature: job.request.temperature,
        top_p: job.request.top_p,
        max_tokens: Some(job.request.max_tokens),
    };
    let usage = Usage {
        user_id: job.user_id,
        provider: job.provider,
        model: job.model,
        input_tokens: measures.input_tokens.unwrap_or(0),
        output_tokens: measures.output_tokens.unwrap_or(0),
        cost_usd: cost.unwrap_or(0.0),
        priced: job.price.is_some(),
    };
    registry.end(job.message_id, live, metadata, usage);
}

async fn stream(
    registry: &Registry,
    job: &Job,
    live: &Live,
    started: Instant,
    measures: &mut Measures,
) -> End {
    // A provider (or an endpoint a user controls) may send forever: an answer
    // has a maximum size and a maximum duration, whatever arrives.
    let limits = registry.limits;
    let deadline = tokio::time::Instant::from_std(started) + limits.max_duration;
    let too_slow = || End::Failed(limits_text::too_slow(limits.max_duration));
    let opening = registry
        .providers
        .stream_chat(&job.endpoint, job.key.expose(), &job.request);
    let mut stream = tokio::select! {
        _ = live.cancel.cancelled() => return End::Stopped,
        _ = tokio::time::sleep_until(deadline) => return too_slow(),
        opened = opening => match opened {
            Ok(stream) => stream,
            Err(e) => return End::Failed(e.to_string()),
        },
    };
    loop {
        tokio::select! {
            _ = live.cancel.cancelled() => return End::Stopped,
            _ = tokio::time::sleep_until(deadline) => return too_slow(),
            event = stream.next() => match event {
                Some(Ok(StreamEvent::Text(delta))) => {
                    measures.first_token.get_or_insert_with(|| started.elapsed());
                    if !live.push(&delta, limits.max_bytes) {
                        return End::Failed(limits_text::too_long(limits.max_bytes));
                    }
                }
                Some(Ok(StreamEvent::Usage { input_tokens, output_tokens })) => {
                    measures.input_tokens = input_tokens.or(measures.input_tokens);
                    measures.output_tokens = output_tokens.or(measures.output_tokens);
                }
                Some(Ok(StreamEvent::Done { stop_reason })) => return End::Complete(stop_reason),
                Some(Err(e)) => return End::Failed(e.without_key(job.key.expose()).to_string()),
                None => return End::Failed("the provider ended the answer early".into()),
            },
        }
    }
}

/// Why an answer was cut by the server's own limits.
mod limits_text {
    use std::time::Duration;

    pub fn too_long(max_bytes: usize) -> String {
        format!(
            "the answer reached {}, the most this server keeps of one answer; it was cut there",
            size(max_bytes)
        )
    }

    pub fn too_slow(max: Duration) -> String {
        let secs = max.as_secs();
        let plural = |n: u64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
        let took = if secs.is_multiple_of(60) {
            plural(secs / 60, "minute")
        } else {
            plural(secs, "second")
        };
        format!(
            "the answer took longer than {took}, the most this server allows for one answer; \
             it was cut there"
        )
    }

    fn size(bytes: usize) -> String {
        const MB: usize = 1024 * 1024;
        if bytes.is_multiple_of(MB) {
            format!("{} MB", bytes / MB)
        } else {
            format!("{} KB", bytes.div_ceil(1024))
        }
    }
}
