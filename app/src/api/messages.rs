//! A conversation's branches, by message: show another branch, copy one into
//! a new conversation, delete a message with everything below it. Each
//! validates, authorizes and hands over to `backend::branches`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::conversation::{ConversationDetail, ConversationSummary, DeletedCount};

#[cfg(feature = "ssr")]
fn check_ids(conversation_id: &str, message_id: &str) -> Result<(), AppError> {
    use crate::model::conversation::check_id;

    check_id(conversation_id, "conversation id").map_err(AppError::Invalid)?;
    check_id(message_id, "message id").map_err(AppError::Invalid)
}

/// Shows the branch through `message_id` (a sibling chosen in the ‹ n / m ›
/// switcher, or a message found by a search): where the user was the last
/// time they were on it. Stored for every tab and device.
#[server(endpoint = "messages/show")]
pub async fn show_branch(
    conversation_id: String,
    message_id: String,
) -> Result<ConversationDetail, AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    check_ids(&conversation_id, &message_id)?;
    crate::backend::branches::show(&state, &account.id, &conversation_id, &message_id).await
}

/// A new conversation with a copy of the path up to `message_id`.
#[server(endpoint = "messages/branch")]
pub async fn branch_into_new(
    conversation_id: String,
    message_id: String,
) -> Result<ConversationSummary, AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    check_ids(&conversation_id, &message_id)?;
    crate::backend::branches::copy_into_new(&state, &account.id, &conversation_id, &message_id)
        .await
}

/// How many messages deleting `message_id` takes away (hidden branches
/// included), for its confirmation.
#[server(endpoint = "messages/count_deleted")]
pub async fn count_deleted(
    conversation_id: String,
    message_id: String,
) -> Result<DeletedCount, AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    check_ids(&conversation_id, &message_id)?;
    crate::backend::branches::deleted_count(&state, &account.id, &conversation_id, &message_id)
        .await
}

/// Deletes `message_id` and everything below it, on every branch.
#[server(endpoint = "messages/delete")]
pub async fn delete_message(
    conversation_id: String,
    message_id: String,
) -> Result<ConversationDetail, AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    check_ids(&conversation_id, &message_id)?;
    crate::backend::branches::delete(&state, &account.id, &conversation_id, &message_id).await
}
