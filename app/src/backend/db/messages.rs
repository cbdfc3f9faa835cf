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

use chrono::{DateTime, Utc};

use crate::model::conversation::MessageView;

/// The latest `limit` messages before `before` (or the newest), oldest first.
/// The caller has checked that the conversation is the user's.
#[instrument(skip_all)]
pub async fn latest_page(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    before: Option<&(DateTime<Utc>, String)>,
    limit: i64,
) -> Result<Vec<MessageView>, sqlx::Error> {
    let (at, id) = match before {
        Some((at, id)) => (Some(*at), Some(id.as_str())),
        None => (None, None),
    };
    let mut rows = sqlx::query_as!(
        MessageView,
        r#"SELECT id, role AS "role: MessageRole", content, metadata,
                  created_at AS "created_at: DateTime<Utc>"
           FROM messages
           WHERE conversation_id = $1
             AND ($2::timestamptz IS NULL OR (created_at, id) < ($2, $3))
           ORDER BY created_at DESC, id DESC
           LIMIT $4"#,
        conversation_id,
        at as Option<DateTime<Utc>>,
        id,
        limit,
    )
    .fetch_all(db)
    .await?;
    rows.reverse();
    Ok(rows)
}
