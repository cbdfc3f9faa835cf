//! Answers being written. A generation task runs to completion whether or not
//! anyone watches; browsers subscribe to its live text here, and everything is
//! flushed to PostgreSQL at short intervals (never per token), so that a reload,
//! a second tab or another server instance can pick it up from the database.

mod task;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

pub use task::{spawn, Job};

/// What subscribers receive after their snapshot.
#[derive(Debug, Clone)]
pub enum Update {
    Text(String),
    /// The answer ended; its final metadata.
    Finished(serde_json::Value),
}

/// One answer being written in this process.
pub struct Live {
    text: Mutex<String>,
    updates: broadcast::Sender<Update>,
    cancel: CancellationToken,
}

/// Subscribers that fall this far behind get a fresh snapshot instead.
const BACKLOG: usize = 256;

impl Live {
    fn push(&self, delta: &str) {
        // Appending and sending under one lock: a subscriber's snapshot plus the
        // updates after it is exactly the text, no gap and no repeat.
        let mut text = self.text.lock().expect("not poisoned");
        text.push_str(delta);
        let _ = self.updates.send(Update::Text(delta.to_string()));
    }

    fn finish(&self, metadata: serde_json::Value) {
        let _guard = self.text.lock().expect("not poisoned");
        let _ = self.updates.send(Update::Finished(metadata));
    }

    fn text(&self) -> String {
        self.text.lock().expect("not poisoned").clone()
    }
}

/// The answers this process is writing, by message id.
#[derive(Clone, Default)]
pub struct Registry {
    live: Arc<Mutex<HashMap<String, Arc<Live>>>>,
}

impl Registry {
    fn start(&self, message_id: &str) -> Arc<Live> {
        let (updates, _) = broadcast::channel(BACKLOG);
        let live = Arc::new(Live {
            text: Mutex::new(String::new()),
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

    /// The text so far and a receiver for what follows; `None` when this
    /// process is not writing that answer.
    pub fn subscribe(&self, message_id: &str) -> Option<(String, broadcast::Receiver<Update>)> {
        let live = self
            .live
            .lock()
            .expect("not poisoned")
            .get(message_id)?
            .clone();
        let text = live.text.lock().expect("not poisoned");
        Some((text.clone(), live.updates.subscribe()))
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
