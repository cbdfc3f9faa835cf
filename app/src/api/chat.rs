//! Sending messages and stopping answers: each validates, authorizes and
//! hands the turn to `backend::turn`. The answer itself streams from
//! `GET /api/messages/{id}/events` (see the server's router).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::conversation::SentMessage;

/// Stores the message after `after` (the last message the user sees, which
/// must still be the conversation's current leaf; `None`: whatever is), starts
/// the answer and returns at once; the answer is written in the background
/// even if the browser goes away.
#[server(endpoint = "chat/send")]
pub async fn send_message(
    conversation_id: String,
    text: String,
    model: Option<String>,
    after: Option<String>,
) -> Result<SentMessage, AppError> {
    use crate::backend::turn::{self, Ask};

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    crate::model::conversation::check_message(&text).map_err(AppError::Invalid)?;
    let after = after.filter(|a| !a.is_empty());
    let ask = Ask::New { text, after };
    turn::take(&state, &account.id, &conversation_id, ask, model).await
}

/// Starts a conversation (with `model`, or from a template as
/// `conversations/create` does) with its first message, in one transaction:
/// a message refused (a limit, say) leaves no empty conversation behind.
#[server(endpoint = "chat/start")]
pub async fn start_conversation(
    model: Option<String>,
    template_id: Option<String>,
    text: String,
) -> Result<SentMessage, AppError> {
    use crate::api::conversations::ssr::Setup;
    use crate::backend::turn;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    crate::model::conversation::check_message(&text).map_err(AppError::Invalid)?;
    let setup = Setup::read(&state, &account.id, model, None, template_id).await?;
    turn::start(
        &state,
        &account.id,
        setup.new_conversation(&account.id),
        text,
    )
    .await
}

/// Answers the question of `message_id` (an answer on the active path)
/// again: a new answer beside it, which becomes the current branch; the old
/// one stays (also: retry after an error). A message no longer on the active
/// path (another tab moved on) is a conflict.
#[server(endpoint = "chat/regenerate")]
pub async fn regenerate(
    conversation_id: String,
    message_id: String,
    model: Option<String>,
) -> Result<SentMessage, AppError> {
    use crate::backend::turn::{self, Ask};

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let ask = Ask::Again { answer: message_id };
    turn::take(&state, &account.id, &conversation_id, ask, model).await
}

/// Asks `message_id` (a question on the active path) anew as `text`: a new
/// question beside it, and its answer, become the current branch; the old
/// question and everything below it stay. A message no longer on the active
/// path (another tab moved on) is a conflict.
#[server(endpoint = "chat/edit")]
pub async fn edit_message(
    conversation_id: String,
    message_id: String,
    text: String,
    model: Option<String>,
) -> Result<SentMessage, AppError> {
    use crate::backend::turn::{self, Ask};

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    crate::model::conversation::check_message(&text).map_err(AppError::Invalid)?;
    let ask = Ask::Edited {
        question: message_id,
        text,
    };
    turn::take(&state, &account.id, &conversation_id, ask, model).await
}

/// Stops an answer; the text written so far is kept (status `stopped`).
#[server(endpoint = "chat/stop")]
pub async fn stop_generation(message_id: String) -> Result<(), AppError> {
    use crate::backend::db::messages;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    if !messages::is_users(&state.pool, &message_id, &account.id).await? {
        return Err(AppError::NotFound("message".into()));
    }
    if !state.generations.cancel(&message_id) {
        // Written by another instance (it sees this at its next flush), or already over.
        messages::request_stop(&state.pool, &message_id).await?;
    }
    Ok(())
}
