use sqlx::PgExecutor;
use tracing::instrument;

pub struct NewConversation<'a> {
    pub user_id: &'a str,
    pub title: &'a str,
    pub model: Option<&'a str>,
    pub system_prompt: Option<&'a str>,
}

#[instrument(skip_all)]
pub async fn find_id_by_title(
    db: impl PgExecutor<'_>,
    user_id: &str,
    title: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM conversations WHERE user_id = $1 AND title = $2 ORDER BY created_at LIMIT 1",
        user_id,
        title,
    )
    .fetch_optional(db)
    .await
}

#[instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    conversation: NewConversation<'_>,
) -> Result<String, sqlx::Error> {
    let id = super::new_id();
    sqlx::query!(
        "INSERT INTO conversations (id, user_id, title, model, system_prompt) VALUES ($1, $2, $3, $4, $5)",
        id,
        conversation.user_id,
        conversation.title,
        conversation.model,
        conversation.system_prompt,
    )
    .execute(db)
    .await?;
    Ok(id)
}
