//! One task per process saves the answers written here: the final text and
//! usage of every answer that ended, in one transaction as soon as one ends,
//! and what every answer still being written added, in one statement per
//! [`FLUSH_EVERY`]. A generation task never waits for the database, and a
//! thousand answers cost a few statements a second, not thousands: answers
//! that end while a write is under way are stored together by the next.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::sync::Notify;
use tokio::time::MissedTickBehavior;

use super::{Answers, Ending};
use crate::backend::db::health::DatabaseHealth;
use crate::backend::db::{messages, usage};
use crate::model::answer::AnswerMetadata;

/// At most this much text is lost if the server dies mid-answer.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);
/// Without new text, an answer is still saved this often, to tell the
/// watchdog its writer is alive (and to notice a stop from another instance).
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);
/// How long an ended answer's final write is retried before giving up (its
/// last saved text stays).
const STORE_FOR_AT_MOST: Duration = Duration::from_secs(3600);

/// What the flusher watches of its registry (weakly: it ends with it).
pub(super) struct Watched {
    pub live: Weak<Answers>,
    pub ended: Weak<Mutex<Vec<Ending>>>,
    pub wake: Arc<Notify>,
}

/// Runs until the registry it saves is dropped. While the database is down
/// it only tells followers of answers that ended (the text stays in memory,
/// unsaved) instead of failing twice a second.
pub(super) async fn run(watched: Watched, pool: PgPool, database: Arc<DatabaseHealth>) {
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut flushed_at = Instant::now();
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = watched.wake.notified() => {}
        }
        let (Some(answers), Some(ended)) = (watched.live.upgrade(), watched.ended.upgrade()) else {
            return;
        };
        let ending = std::mem::take(&mut *ended.lock().expect("not poisoned"));
        let retry = if database.is_down() {
            ending.into_iter().map(unsaved).collect()
        } else {
            store(&pool, &answers, ending).await
        };
        ended.lock().expect("not poisoned").extend(retry);
        if database.is_down() || flushed_at.elapsed() < FLUSH_EVERY {
            continue;
        }
        flushed_at = Instant::now();
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

/// Stores answers that ended; returns those to try again. All in one
/// transaction; if that fails, each on its own, so that one the database
/// refuses cannot hold back the others.
async fn store(pool: &PgPool, answers: &Answers, ending: Vec<Ending>) -> Vec<Ending> {
    if ending.is_empty() {
        return ending;
    }
    let groups = match store_all(pool, &ending).await {
        Ok(()) => vec![(ending, Ok(()))],
        Err(_) if ending.len() > 1 => {
            let mut alone = Vec::with_capacity(ending.len());
            for one in ending {
                let stored = store_all(pool, std::slice::from_ref(&one)).await;
                alone.push((vec![one], stored));
            }
            alone
        }
        Err(e) => vec![(ending, Err(e))],
    };
    let mut retry = Vec::new();
    for (group, stored) in groups {
        for one in group {
            match &stored {
                Ok(()) => {
                    if !one.told {
                        one.live.finish(one.metadata.clone());
                    }
                    answers.lock().expect("not poisoned").remove(&one.id);
                }
                Err(e) => {
                    let mut one = unsaved(one);
                    one.failures += 1;
                    if one.failures == 1 {
                        tracing::warn!(
                            message_id = %one.id,
                            error = %e,
                            "storing the answer failed; retrying until the database takes it"
                        );
                    }
                    if one.since.elapsed() < STORE_FOR_AT_MOST {
                        retry.push(one);
                    } else {
                        tracing::error!(
                            message_id = %one.id,
                            error = %e,
                            "storing the answer failed for an hour; its last saved text stays"
                        );
                        answers.lock().expect("not poisoned").remove(&one.id);
                    }
                }
            }
        }
    }
    retry
}

/// Followers need not wait for the database: they learn the end now.
fn unsaved(mut one: Ending) -> Ending {
    if !one.told {
        one.live.finish(one.metadata.clone());
        one.told = true;
    }
    one
}

/// The final text, metadata and usage of `ending`, in one transaction.
async fn store_all(pool: &PgPool, ending: &[Ending]) -> Result<(), sqlx::Error> {
    let ids: Vec<String> = ending.iter().map(|e| e.id.clone()).collect();
    let texts: Vec<String> = ending.iter().map(|e| e.text.clone()).collect();
    let metadata: Vec<AnswerMetadata> = ending.iter().map(|e| e.metadata.clone()).collect();
    let counted: Vec<usage::Answer<'_>> = ending
        .iter()
        .map(|e| usage::Answer {
            user_id: &e.usage.user_id,
            provider: e.usage.provider,
            model: &e.usage.model,
            input_tokens: e.usage.input_tokens,
            output_tokens: e.usage.output_tokens,
            cost_usd: e.usage.cost_usd,
            priced: e.usage.priced,
        })
        .collect();
    let mut tx = pool.begin().await?;
    messages::finish_all(&mut *tx, &ids, &texts, &metadata).await?;
    usage::record_all(&mut *tx, &counted).await?;
    tx.commit().await
}

/// Saves what each answer being written added since its last save. A save
/// only key-share locks the answers' rows (its chunks' foreign keys), which
/// stops and final writes do not wait for. A tick that fails (a
/// deletion racing it included) is retried at the next.
async fn flush(pool: &PgPool, live: Vec<(String, Arc<super::Live>)>) {
    let mut due = Vec::new();
    let mut chunks = Vec::new();
    for (id, answer) in live {
        if let Some((chunk, end)) = answer.unsaved(&id, HEARTBEAT_EVERY) {
            due.push((answer, end));
            chunks.push(chunk);
        }
    }
    if chunks.is_empty() {
        return;
    }
    match messages::save_chunks(pool, &chunks).await {
        Ok(still_streaming) => {
            let still: HashSet<&str> = still_streaming.iter().map(String::as_str).collect();
            for (chunk, (answer, end)) in chunks.iter().zip(&due) {
                if still.contains(chunk.message_id.as_str()) {
                    answer.saved(chunk.seq, *end);
                } else {
                    // Stopped from another instance (or already stored as
                    // final, where stopping changes nothing).
                    answer.cancel.cancel();
                }
            }
        }
        // Nothing counts as saved: the next tick sends the same chunks again,
        // with what was added meanwhile.
        Err(e) => {
            tracing::warn!(
                answers = chunks.len(),
                error = %e,
                "saving answers in progress failed; will retry"
            );
        }
    }
}
