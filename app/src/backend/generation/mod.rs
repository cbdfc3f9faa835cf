//! Answers being written. A generation task runs to completion whether or not
//! anyone watches; browsers subscribe to its live text here, and everything is
//! saved to PostgreSQL by one flusher per process: what each answer added, at
//! short intervals (never per token), so that a reload, a second tab or
//! another server instance can pick it up from the database, and the final
//! text of the answers that ended, all of them in one transaction.

mod elsewhere;
mod flusher;
mod task;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::sync::{broadcast, Notify};
use tokio_util::sync::CancellationToken;

use crate::backend::db::health::DatabaseHealth;
use crate::backend::db::messages::Chunk;
use crate::backend::providers::ProviderClient;
use crate::model::answer::AnswerMetadata;

pub use elsewhere::{Elsewhere, ToClient};
pub use task::{Early, Job};

/// What subscribers receive after their snapshot.
#[derive(Debug, Clone)]
pub enum Update {
    Text(String),
    /// The answer ended; its final metadata (boxed: every slot of the
    /// channel is as large as the largest update).
    Finished(Box<AnswerMetadata>),
}

/// What a subscriber gets after the text so far.
pub enum Following {
    Updates(broadcast::Receiver<Update>),
    Ended(Box<AnswerMetadata>),
}

/// One answer being written in this process.
pub struct Live {
    draft: Mutex<Draft>,
    updates: broadcast::Sender<Update>,
    cancel: CancellationToken,
}

/// The text so far, how much of it the database has, and how it ended.
struct Draft {
    text: String,
    /// The length (in bytes) of the text's saved beginning.
    saved: usize,
    /// The number of the next chunk saved.
    next_chunk: i32,
    saved_at: Instant,
    /// The final metadata once the provider is done (the final write may
    /// still be pending: the database may be down).
    ended: Option<AnswerMetadata>,
}

/// Subscribers that fall this far behind get a fresh snapshot instead. The
/// channel allocates this many slots from the start, for every answer being
/// written (3.6 KB for 64, 14.1 KB for 256 with tokio 1.54:
/// `bench/experiments/broadcast_slots.sh`): 64 is 0.6 s of a fast provider's
/// tokens (a follower's own queue to its browser holds as many again).
const BACKLOG: usize = 64;

impl Live {
    fn new() -> Self {
        let (updates, _) = broadcast::channel(BACKLOG);
        Live {
            draft: Mutex::new(Draft {
                text: String::new(),
                saved: 0,
                next_chunk: 0,
                saved_at: Instant::now(),
                ended: None,
            }),
            updates,
            cancel: CancellationToken::new(),
        }
    }

    /// Appends `delta`, as much of it as keeps the text within `limit` bytes
    /// (cut at a character boundary); false when not all of it fitted.
    fn push(&self, delta: &str, limit: usize) -> bool {
        // PostgreSQL text cannot hold NUL: one from a provider would fail every
        // save of every answer saved with it.
        let delta = if delta.contains('\0') {
            std::borrow::Cow::Owned(delta.replace('\0', "\u{FFFD}"))
        } else {
            std::borrow::Cow::Borrowed(delta)
        };
        // Appending and sending under one lock: a subscriber's snapshot plus the
        // updates after it is exactly the text, no gap and no repeat.
        let mut draft = self.draft.lock().expect("not poisoned");
        let room = limit.saturating_sub(draft.text.len());
        let fits = delta.len() <= room;
        let kept = if fits {
            &delta[..]
        } else {
            &delta[..delta.floor_char_boundary(room)]
        };
        if !kept.is_empty() {
            draft.text.push_str(kept);
            let _ = self.updates.send(Update::Text(kept.to_string()));
        }
        fits
    }

    fn finish(&self, metadata: AnswerMetadata) {
        let mut draft = self.draft.lock().expect("not poisoned");
        draft.ended = Some(metadata.clone());
        let _ = self.updates.send(Update::Finished(Box::new(metadata)));
    }

    fn text(&self) -> String {
        self.draft.lock().expect("not poisoned").text.clone()
    }

    /// The chunk to save now: the text added since the last save, or an
    /// empty one once per `heartbeat`; `None` when there is nothing to say.
    /// Until [`Live::saved`] confirms it, the next call repeats its number
    /// with all the text since.
    fn unsaved(&self, message_id: &str, heartbeat: Duration) -> Option<(Chunk, usize)> {
        let draft = self.draft.lock().expect("not poisoned");
        if draft.saved == draft.text.len() && draft.saved_at.elapsed() < heartbeat {
            return None;
        }
        let chunk = Chunk {
            message_id: message_id.to_string(),
            seq: draft.next_chunk,
            text: draft.text[draft.saved..].to_string(),
        };
        Some((chunk, draft.text.len()))
    }

    /// The database has chunk `seq`, and with it the text up to `end`.
    fn saved(&self, seq: i32, end: usize) {
        let mut draft = self.draft.lock().expect("not poisoned");
        draft.saved = end;
        draft.next_chunk = seq + 1;
        draft.saved_at = Instant::now();
    }
}

type Answers = Mutex<HashMap<String, Arc<Live>>>;

/// An answer that ended and waits for its final write (the flusher's).
struct Ending {
    id: String,
    live: Arc<Live>,
    text: String,
    metadata: AnswerMetadata,
    usage: Usage,
    since: Instant,
    /// Followers were told the end before it was stored (the database was
    /// down or refused it).
    told: bool,
    failures: u32,
}

/// What an answer counts in `usage_daily`.
pub(crate) struct Usage {
    pub user_id: String,
    pub provider: crate::model::ApiKeyProvider,
    pub model: String,
    pub input_tokens: u32,
    pub output_tokens: u32,
    pub cost_usd: f64,
    /// The model had a price (without one, the cost is unknown, not $0).
    pub priced: bool,
}

/// The most of one answer this server writes, whatever a provider sends
/// (an endpoint a user controls may send forever).
#[derive(Debug, Clone, Copy)]
pub struct AnswerLimits {
    pub max_bytes: usize,
    pub max_duration: Duration,
}

/// The answers this process is writing, by message id, and those that ended
/// and wait for their final write; and what writing one needs (the provider
/// client and the limits).
#[derive(Clone)]
pub struct Registry {
    live: Arc<Answers>,
    ended: Arc<Mutex<Vec<Ending>>>,
    /// Wakes the flusher when an answer ends.
    wake: Arc<Notify>,
    providers: ProviderClient,
    limits: AnswerLimits,
}

impl Registry {
    /// An empty registry whose answers ask `providers`, and the task that
    /// saves them to `pool` (it ends when the last clone of the registry is
    /// dropped).
    pub fn new(
        pool: PgPool,
        database: Arc<DatabaseHealth>,
        providers: ProviderClient,
        limits: AnswerLimits,
    ) -> Self {
        let registry = Registry {
            live: Arc::default(),
            ended: Arc::default(),
            wake: Arc::default(),
            providers,
            limits,
        };
        tokio::spawn(flusher::run(
            flusher::Watched {
                live: Arc::downgrade(&registry.live),
                ended: Arc::downgrade(&registry.ended),
                wake: registry.wake.clone(),
            },
            pool,
            database,
        ));
        registry
    }

    /// Hands an answer that ended to the flusher, which stores it, tells its
    /// followers and forgets it.
    fn end(&self, id: String, live: Arc<Live>, metadata: AnswerMetadata, usage: Usage) {
        let text = live.text();
        self.ended.lock().expect("not poisoned").push(Ending {
            id,
            live,
            text,
            metadata,
            usage,
            since: Instant::now(),
            told: false,
            failures: 0,
        });
        self.wake.notify_one();
    }

    /// Makes an answer visible to followers, stops and the flusher.
    fn register(&self, message_id: &str, live: Arc<Live>) {
        self.live
            .lock()
            .expect("not poisoned")
            .insert(message_id.to_string(), live);
    }

    /// The text so far and what follows: further updates, or the final
    /// metadata when the answer has ended (its final write may be pending).
    /// `None` when this process is not writing that answer.
    pub fn subscribe(&self, message_id: &str) -> Option<(String, Following)> {
        let live = self
            .live
            .lock()
            .expect("not poisoned")
            .get(message_id)?
            .clone();
        let draft = live.draft.lock().expect("not poisoned");
        let next = match &draft.ended {
            Some(metadata) => Following::Ended(Box::new(metadata.clone())),
            None => Following::Updates(live.updates.subscribe()),
        };
        Some((draft.text.clone(), next))
    }

    /// Stops an answer written here; false when it is not.
    pub fn cancel(&self, message_id: &str) -> bool {
        match self.live.lock().expect("not poisoned").get(message_id) {
            Some(live) => {
                live.cancel.cancel();
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_carries_what_was_added_and_an_unconfirmed_one_is_sent_again() {
        let live = Live::new();
        let idle = Duration::from_secs(60);
        assert!(live.unsaved("m1", idle).is_none(), "nothing to say yet");
        live.push("Hello", usize::MAX);
        let (first, end) = live.unsaved("m1", idle).unwrap();
        assert_eq!((first.seq, first.text.as_str(), end), (0, "Hello", 5));
        live.saved(first.seq, end);
        assert!(live.unsaved("m1", idle).is_none(), "nothing added");
        live.push(", wor", usize::MAX);
        // This save fails: nothing confirms it.
        let (lost, _) = live.unsaved("m1", idle).unwrap();
        assert_eq!((lost.seq, lost.text.as_str()), (1, ", wor"));
        live.push("ld", usize::MAX);
        let (again, end) = live.unsaved("m1", idle).unwrap();
        assert_eq!((again.seq, again.text.as_str()), (1, ", world"));
        live.saved(again.seq, end);
        // Without new text, an empty chunk once per heartbeat.
        let (beat, _) = live.unsaved("m1", Duration::ZERO).unwrap();
        assert_eq!((beat.seq, beat.text.as_str()), (2, ""));
    }

    #[test]
    fn an_answer_is_cut_at_its_limit_on_a_character_boundary() {
        let live = Live::new();
        assert!(live.push("abcd", 6));
        // "é" is two bytes: with two left, "x" fits and "é" does not.
        assert!(!live.push("xé", 6));
        assert_eq!(live.text(), "abcdx");
        assert!(!live.push("y", 5));
        assert_eq!(live.text(), "abcdx");
    }

    #[tokio::test]
    async fn nul_characters_from_a_provider_never_reach_the_text() {
        let config = crate::backend::config::Config::from_lookup(|_| None).unwrap();
        let registry = Registry {
            live: Arc::default(),
            ended: Arc::default(),
            wake: Arc::default(),
            providers: ProviderClient::new(Arc::new(config)),
            limits: AnswerLimits {
                max_bytes: usize::MAX,
                max_duration: Duration::MAX,
            },
        };
        let live = Arc::new(Live::new());
        registry.register("m1", live.clone());
        let (_, following) = registry.subscribe("m1").unwrap();
        let Following::Updates(mut updates) = following else {
            panic!("not ended yet");
        };
        live.push("a\0b", usize::MAX);
        assert_eq!(live.text(), "a\u{FFFD}b");
        match updates.recv().await.unwrap() {
            Update::Text(delta) => assert_eq!(delta, "a\u{FFFD}b"),
            other => panic!("{other:?}"),
        }
    }
}
