use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::MessageRole;

pub struct NewMessage<'a> {
    pub conversation_id: &'a str,
    /// Set for the user's own messages; `None` for assistant and system turns.
    pub user_id: Option<&'a str>,
    pub role: MessageRole,
    pub content: &'a str,
    pub metadata: Option<serde_json::Value>,
}

#[instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    message: NewMessage<'_>,
) -> Result<String, sqlx::Error> {
    let id = super::new_id();
    sqlx::query!(
        "INSERT INTO messages (id, conversation_id, user_id, role, content, metadata)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        message.conversation_id,
        message.user_id,
        message.role as MessageRole,
        message.content,
        message.metadata,
    )
    .execute(db)
    .await?;
    Ok(id)
}
