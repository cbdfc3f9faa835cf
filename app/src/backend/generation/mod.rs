//! Answers being written. A generation task runs to completion whether or not
//! anyone watches; browsers subscribe to its live text here, and everything is
//! saved to PostgreSQL at short intervals (never per token) by one flusher per
//! process, so that a reload, a second tab or another server instance can pick
//! it up from the database.

mod flusher;
mod task;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::sync::{broadcast, Semaphore};
use tokio_util::sync::CancellationToken;

use crate::backend::db::health::DatabaseHealth;

pub use task::{spawn, Job};

/// What subscribers receive after their snapshot.
#[derive(Debug, Clone)]
pub enum Update {
    Text(String),
    /// The answer ended; its final metadata.
    Finished(serde_json::Value),
}

/// What a subscriber gets after the text so far.
pub enum Following {
    Updates(broadcast::Receiver<Update>),
    Ended(serde_json::Value),
}

/// One answer being written in this process.
pub struct Live {
    draft: Mutex<Draft>,
    updates: broadcast::Sender<Update>,
    cancel: CancellationToken,
}

/// The text so far, whether the database has it, and how it ended.
struct Draft {
    text: String,
    unsaved: bool,
    saved_at: Instant,
    /// The final metadata once the provider is done (the final write may
    /// still be pending: the database may be down).
    ended: Option<serde_json::Value>,
}

/// Subscribers that fall this far behind get a fresh snapshot instead.
const BACKLOG: usize = 256;

impl Live {
    fn push(&self, delta: &str) {
        // Appending and sending under one lock: a subscriber's snapshot plus the
        // updates after it is exactly the text, no gap and no repeat.
        let mut draft = self.draft.lock().expect("not poisoned");
        draft.text.push_str(delta);
        draft.unsaved = true;
        let _ = self.updates.send(Update::Text(delta.to_string()));
    }

    fn finish(&self, metadata: serde_json::Value) {
        let mut draft = self.draft.lock().expect("not poisoned");
        draft.ended = Some(metadata.clone());
        let _ = self.updates.send(Update::Finished(metadata));
    }

    fn text(&self) -> String {
        self.draft.lock().expect("not poisoned").text.clone()
    }

    /// The text to save now: new text, or none for `heartbeat`. Counts as saved.
    fn take_unsaved(&self, heartbeat: Duration) -> Option<String> {
        let mut draft = self.draft.lock().expect("not poisoned");
        if !draft.unsaved && draft.saved_at.elapsed() < heartbeat {
            return None;
        }
        draft.unsaved = false;
        draft.saved_at = Instant::now();
        Some(draft.text.clone())
    }

    /// Saving failed: try again at the next flush.
    fn mark_unsaved(&self) {
        self.draft.lock().expect("not poisoned").unsaved = true;
    }
}

type Answers = Mutex<HashMap<String, Arc<Live>>>;

/// Final writes of answers at once, at most: the rest of the pool stays for requests.
const STORES_AT_ONCE: usize = 3;

/// The answers this process is writing, by message id.
#[derive(Clone)]
pub struct Registry {
    live: Arc<Answers>,
    stores: Arc<Semaphore>,
}

impl Registry {
    /// An empty registry, and the task that saves its answers to `pool`
    /// (it ends when the last clone of the registry is dropped).
    pub fn new(pool: PgPool, database: Arc<DatabaseHealth>) -> Self {
        let live = Arc::<Answers>::default();
        tokio::spawn(flusher::run(Arc::downgrade(&live), pool, database));
        Registry {
            live,
            stores: Arc::new(Semaphore::new(STORES_AT_ONCE)),
        }
    }

    /// A turn to write a finished answer (see [`STORES_AT_ONCE`]).
    async fn store_slot(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.stores.acquire().await.expect("never closed")
    }

    fn start(&self, message_id: &str) -> Arc<Live> {
        let (updates, _) = broadcast::channel(BACKLOG);
        let live = Arc::new(Live {
            draft: Mutex::new(Draft {
                text: String::new(),
                unsaved: false,
                saved_at: Instant::now(),
                ended: None,
            }),
            updates,
            cancel: CancellationToken::new(),
        });
        self.live
            .lock()
            .expect("not poisoned")
            .insert(message_id.to_string(), live.clone());
        live
    }

    fn remove(&self, message_id: &str) {
        self.live.lock().expect("not poisoned").remove(message_id);
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
            Some(metadata) => Following::Ended(metadata.clone()),
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
