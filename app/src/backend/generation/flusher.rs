//! One task per process saves the text of every answer being written here,
//! all of them in one statement per [`FLUSH_EVERY`]. A generation task never
//! waits for the database while it reads the provider's stream, and a thousand
//! answers cost two statements a second, not two thousand.

use std::collections::HashSet;
use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::PgPool;
use tokio::time::MissedTickBehavior;

use super::Answers;
use crate::backend::db::health::DatabaseHealth;
use crate::backend::db::messages;

/// At most this much text is lost if the server dies mid-answer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Without new text, an answer is still saved this often, to tell the
/// watchdog its writer is alive (and to notice a stop from another instance).
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

/// Runs until the registry it saves is dropped. While the database is down
/// it waits (the text stays in memory, marked unsaved) instead of failing
/// twice a second.
pub(super) async fn run(answers: Weak<Answers>, pool: PgPool, database: Arc<DatabaseHealth>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if database.is_down() {
            continue;
        }
        let Some(answers) = answers.upgrade() else {
            return;
        };
        let live: Vec<_> = answers
            .lock()
            .expect("not poisoned")
            .iter()
            .map(|(id, live)| (id.clone(), live.clone()))
            .collect();
        drop(answers);
        flush(&pool, live).await;
    }
}

async fn flush(pool: &PgPool, mut live: Vec<(String, std::sync::Arc<super::Live>)>) {
    // In id order: with the usual plan (index lookups in the array's order)
    // two flushes lock rows in the same order. The planner may choose another
    // order; the other writers of streaming rows touch one row per statement,
    // and a tick that fails (a deadlock included) is retried at the next.
    live.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut due = Vec::new();
    let (mut ids, mut texts) = (Vec::new(), Vec::new());
    for (id, answer) in live {
        if let Some(text) = answer.take_unsaved(HEARTBEAT_EVERY) {
            ids.push(id);
            texts.push(text);
            due.push(answer);
        }
    }
    if ids.is_empty() {
        return;
    }
    match messages::flush_partials(pool, &ids, &texts).await {
        Ok(still_streaming) => {
            let still: HashSet<&str> = still_streaming.iter().map(String::as_str).collect();
            for (id, answer) in ids.iter().zip(&due) {
                // Stopped from another instance (or already stored as final,
                // where stopping changes nothing).
                if !still.contains(id.as_str()) {
                    answer.cancel.cancel();
                }
            }
        }
        Err(e) => {
            tracing::warn!(answers = ids.len(), error = %e, "saving answers in progress failed; will retry");
            for answer in &due {
                answer.mark_unsaved();
            }
        }
    }
}
