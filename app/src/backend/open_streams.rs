//! The answer event streams each user has open on this instance, capped: a
//! stream holds a task and a connection for as long as its answer lasts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct OpenStreams {
    counts: Mutex<HashMap<String, u32>>,
    max_per_user: u32,
}

/// One open stream, counted until dropped.
pub struct StreamSlot {
    streams: Arc<OpenStreams>,
    user_id: String,
}

impl OpenStreams {
    pub fn new(max_per_user: u32) -> Arc<Self> {
        Arc::new(OpenStreams {
            counts: Mutex::default(),
            max_per_user,
        })
    }

    /// A slot for one more of the user's streams; `None` at the cap.
    pub fn open(self: &Arc<Self>, user_id: &str) -> Option<StreamSlot> {
        let mut counts = self.counts.lock().expect("not poisoned");
        let count = counts.entry(user_id.to_string()).or_insert(0);
        if *count >= self.max_per_user {
            return None;
        }
        *count += 1;
        Some(StreamSlot {
            streams: self.clone(),
            user_id: user_id.to_string(),
        })
    }

    pub fn max_per_user(&self) -> u32 {
        self.max_per_user
    }
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        let mut counts = self.streams.counts.lock().expect("not poisoned");
        if let Some(count) = counts.get_mut(&self.user_id) {
            *count -= 1;
            if *count == 0 {
                counts.remove(&self.user_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OpenStreams;

    #[test]
    fn streams_are_counted_per_user_until_dropped() {
        let streams = OpenStreams::new(2);
        let a = streams.open("ada").unwrap();
        let _b = streams.open("ada").unwrap();
        assert!(streams.open("ada").is_none());
        assert!(streams.open("bob").is_some(), "another user's own");
        drop(a);
        assert!(streams.open("ada").is_some());
    }
}
