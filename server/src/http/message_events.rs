//! `GET /api/messages/{id}/events`: an answer as Server-Sent Events.
//!
//! Events: [`AnswerEvent`] (a snapshot of the text so far, deltas, done with
//! the final metadata; the stream closes after done). Works for answers this
//! instance writes (live), answers another instance writes (followed through
//! the database, reading and sending only what was added), and finished
//! answers (snapshot + done at once).

use std::convert::Infallible;
use std::time::Duration;

use app::backend::auth::session::current_account;
use app::backend::db::messages;
use app::backend::generation::{Elsewhere, Following, ToClient, Update};
use app::backend::AppState;
use app::error::AppError;
use app::model::answer::AnswerEvent;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::{broadcast, mpsc};
use tower_sessions::Session;

/// How often an answer written elsewhere is read from the database (only
/// what the follower has not seen yet).
const POLL_EVERY: Duration = Duration::from_millis(300);
/// How long a follower waits after the database failed to answer.
const RETRY_AFTER: Duration = Duration::from_secs(1);

pub async fn message_events(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    let account = match current_account(&state.pool, &session).await {
        Ok(Some(account)) => account,
        Ok(None) => return AppError::Unauthenticated.into_response(),
        Err(e) => return e.into_response(),
    };
    match messages::is_users(&state.pool, &id, &account.id).await {
        Ok(true) => {}
        Ok(false) => return AppError::NotFound("message".into()).into_response(),
        Err(e) => return AppError::from(e).into_response(),
    }
    let Some(slot) = state.open_streams.open(&account.id) else {
        return AppError::RateLimited {
            message: format!(
                "you have {} answer streams open, the most this server allows; close some tabs",
                state.open_streams.max_per_user()
            ),
            retry_after_secs: 5,
        }
        .into_response();
    };
    let (tx, rx) = mpsc::channel::<Event>(64);
    tokio::spawn(async move {
        // Counted until the follower ends.
        let _slot = slot;
        follow(state, id, account.id, tx).await;
    });
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|event| (Ok::<_, Infallible>(event), rx))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn event(event: AnswerEvent) -> Event {
    Event::default().event(event.name()).data(event.data())
}

/// Feeds the client until the answer is done or the client leaves.
async fn follow(state: AppState, id: String, user_id: String, tx: mpsc::Sender<Event>) {
    let mut elsewhere = Elsewhere::new();
    loop {
        if let Some((text, next)) = state.generations.subscribe(&id) {
            if tx
                .send(event(AnswerEvent::Snapshot { content: text }))
                .await
                .is_err()
            {
                return;
            }
            let mut updates = match next {
                // Ended; its final write may be waiting for the database.
                Following::Ended(metadata) => {
                    let _ = tx.send(event(AnswerEvent::Done { metadata })).await;
                    return;
                }
                Following::Updates(updates) => updates,
            };
            loop {
                // A silent answer must not keep the follower of a client
                // that left: it ends as soon as the connection does.
                let update = tokio::select! {
                    update = updates.recv() => update,
                    () = tx.closed() => return,
                };
                match update {
                    Ok(Update::Text(delta)) => {
                        if tx
                            .send(event(AnswerEvent::Delta { text: delta }))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                    Ok(Update::Finished(metadata)) => {
                        let _ = tx.send(event(AnswerEvent::Done { metadata })).await;
                        return;
                    }
                    // Too far behind: start again from a fresh snapshot.
                    Err(broadcast::error::RecvError::Lagged(_)) => break,
                    // The writer is gone (finished between two looks): read the database.
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
            continue;
        }
        let (stored_len, from_seq) = elsewhere.next_read();
        let progress =
            match messages::progress(&state.pool, &id, &user_id, stored_len, from_seq).await {
                Ok(Some(progress)) => progress,
                // Deleted meanwhile (with its conversation).
                Ok(None) => return,
                // The database busy or away for a moment: ending the stream here
                // would leave the client without the answer's end.
                Err(e) => {
                    tracing::warn!(
                        error = %e,
                        message_id = %id,
                        "reading a followed answer failed; trying again"
                    );
                    tokio::select! {
                        () = tokio::time::sleep(RETRY_AFTER) => continue,
                        () = tx.closed() => return,
                    }
                }
            };
        let sent = match elsewhere.take(&progress) {
            Some(ToClient::Snapshot(content)) => {
                tx.send(event(AnswerEvent::Snapshot { content })).await
            }
            Some(ToClient::Delta(text)) => tx.send(event(AnswerEvent::Delta { text })).await,
            None => Ok(()),
        };
        if sent.is_err() {
            return;
        }
        if !progress.is_streaming() {
            let _ = tx
                .send(event(AnswerEvent::Done {
                    metadata: Box::new(progress.metadata),
                }))
                .await;
            return;
        }
        // Being written by another instance: follow its saves.
        tokio::select! {
            () = tokio::time::sleep(POLL_EVERY) => {}
            () = tx.closed() => return,
        }
    }
}
