//! A conversation's branches: show another one, copy one into a new
//! conversation, delete a message with everything below it. Sending,
//! regenerating and editing, which add branches, are turns (`backend::turn`).
//! Showing and deleting each hold the conversation's lock in their
//! transaction, so that each sees what a concurrent turn committed.

use sqlx::{Postgres, Transaction};

use crate::api::conversations::ssr::{detail, find};
use crate::backend::db::conversations::{self, ConversationRow, NewConversation};
use crate::backend::db::tree;
use crate::backend::AppState;
use crate::error::AppError;
use crate::model::conversation::{
    ConversationDetail, ConversationSummary, DeletedCount, TITLE_MAX_CHARS,
};

fn no_message() -> AppError {
    AppError::NotFound("message".into())
}

/// The user's conversation, and a transaction that holds its row's lock: a
/// turn of the same conversation waits for it, and it for a turn.
async fn locked(
    state: &AppState,
    user_id: &str,
    conversation_id: &str,
) -> Result<(ConversationRow, Transaction<'static, Postgres>), AppError> {
    let conversation = find(state, conversation_id, user_id).await?;
    let mut tx = state.pool.begin().await?;
    // Deleted since it was found: as if never found.
    conversations::lock(&mut tx, conversation_id)
        .await?
        .ok_or_else(|| AppError::NotFound("conversation".into()))?;
    Ok((conversation, tx))
}

/// Shows the branch through `message_id`: the conversation's current leaf
/// becomes the most recently active leaf under it (where the user was the
/// last time they were on that branch). Stored, so a reload, another tab or
/// another device shows the same branch. Returns the conversation as it
/// opens now.
pub async fn show(
    state: &AppState,
    user_id: &str,
    conversation_id: &str,
    message_id: &str,
) -> Result<ConversationDetail, AppError> {
    let (conversation, mut tx) = locked(state, user_id, conversation_id).await?;
    let leaf = tree::latest_leaf_under(&mut *tx, conversation_id, Some(message_id))
        .await?
        .ok_or_else(no_message)?;
    tree::set_current_leaf(&mut *tx, conversation_id, Some(&leaf), true).await?;
    tx.commit().await?;
    detail(state, conversation, None).await
}

/// A new conversation holding a copy of the path from the root down to
/// `message_id` (an answer still being written is left out), with the same
/// model, system prompt and generation settings.
pub async fn copy_into_new(
    state: &AppState,
    user_id: &str,
    conversation_id: &str,
    message_id: &str,
) -> Result<ConversationSummary, AppError> {
    let conversation = find(state, conversation_id, user_id).await?;
    let title = branch_title(&conversation.summary.title);
    let mut tx = state.pool.begin().await?;
    let new_id = conversations::insert(
        &mut *tx,
        NewConversation {
            user_id,
            title: &title,
            model: conversation.summary.model.as_deref(),
            system_prompt: conversation.system_prompt.as_deref(),
            settings: conversation.settings,
        },
    )
    .await?;
    let copied = tree::copy_path(&mut tx, conversation_id, message_id, &new_id).await?;
    if copied.count == 0 {
        return Err(no_message());
    }
    tree::set_current_leaf(&mut *tx, &new_id, copied.leaf.as_deref(), false).await?;
    tx.commit().await?;
    Ok(find(state, &new_id, user_id).await?.summary)
}

/// "Title (branch)", within the longest title allowed.
fn branch_title(title: &str) -> String {
    const SUFFIX: &str = " (branch)";
    let keep = TITLE_MAX_CHARS - SUFFIX.chars().count();
    let mut title: String = title.chars().take(keep).collect();
    title.push_str(SUFFIX);
    title
}

/// What deleting `message_id` would take away, for its confirmation.
pub async fn deleted_count(
    state: &AppState,
    user_id: &str,
    conversation_id: &str,
    message_id: &str,
) -> Result<DeletedCount, AppError> {
    find(state, conversation_id, user_id).await?;
    let subtree = tree::subtree(&state.pool, conversation_id, message_id)
        .await?
        .ok_or_else(no_message)?;
    Ok(DeletedCount {
        messages: subtree.messages.max(0) as u64,
        hidden: subtree.hidden.max(0) as u64,
    })
}

/// Deletes `message_id` and everything below it, on every branch. When the
/// current leaf went with it, the most recently active leaf under its parent
/// becomes current. Refused while an answer among them is being written.
/// Usage already counted stays counted. Returns the conversation as it
/// opens now.
pub async fn delete(
    state: &AppState,
    user_id: &str,
    conversation_id: &str,
    message_id: &str,
) -> Result<ConversationDetail, AppError> {
    let (conversation, mut tx) = locked(state, user_id, conversation_id).await?;
    let subtree = tree::subtree(&mut *tx, conversation_id, message_id)
        .await?
        .ok_or_else(no_message)?;
    if subtree.streaming {
        return Err(AppError::Conflict(
            "an answer is still being written below this message; stop it first".into(),
        ));
    }
    tree::delete_subtree(&mut *tx, conversation_id, message_id).await?;
    tree::repair_leaf(&mut *tx, conversation_id, subtree.parent_id.as_deref()).await?;
    tx.commit().await?;
    detail(state, conversation, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_branch_is_named_after_its_conversation_within_the_longest_title() {
        assert_eq!(branch_title("Paris trip"), "Paris trip (branch)");
        let long = "x".repeat(TITLE_MAX_CHARS);
        let title = branch_title(&long);
        assert_eq!(title.chars().count(), TITLE_MAX_CHARS);
        assert!(title.ends_with(" (branch)"));
    }
}
