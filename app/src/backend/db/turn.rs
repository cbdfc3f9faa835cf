//! What a turn (a question and its answer) reads before it stores anything,
//! in one statement: the conversation, the user's keys and limits, the
//! answers being written, and the history. The provider is asked right after
//! it (see `backend/turn.rs`), so each round trip saved here is time to first
//! token saved.

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::PgExecutor;
use tracing::instrument;

use super::api_keys::StoredKey;
use super::conversations::{ConversationColumns, ConversationRow};
use super::messages::BeingWritten;
use crate::model::limits::Limits;
use crate::model::MessageRole;

pub struct TurnContext {
    pub conversation: ConversationRow,
    /// The user's keys, each provider's default first, then the oldest.
    pub keys: Vec<StoredKey>,
    /// The limits in force for the user (read without locking: the
    /// transaction that stores the turn locks and judges again).
    pub limits: Limits,
    pub being_written: BeingWritten,
    /// The last `history` messages worth sending, oldest first.
    pub history: Vec<(MessageRole, String)>,
    /// The conversation's current leaf (`None`: no messages yet).
    pub leaf: Option<String>,
}

/// The context of a turn in the user's conversation; `None` when the
/// conversation is not the user's. `history` is how many messages of history
/// to read (0: none).
#[instrument(skip_all)]
pub async fn context(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    user_id: &str,
    history: i32,
) -> Result<Option<TurnContext>, sqlx::Error> {
    // The history is a CTE of its own, read along the active path from
    // the current leaf, at most `$3` messages up.
    let row = sqlx::query!(
        r#"WITH last AS MATERIALIZED (
               SELECT m.role, m.content, p.distance
               FROM message_path($1, current_leaf($1), $3) p JOIN messages m ON m.id = p.id
               WHERE m.content <> ''
                 AND NOT (m.role = 'ASSISTANT' AND m.metadata->>'status' IN ('error', 'streaming'))
           )
           SELECT c.id, c.title, c.model, c.system_prompt, c.temperature, c.max_output_tokens,
                  c.top_p,
                  c.created_at AS "created_at: DateTime<Utc>",
                  c.last_activity_at AS "last_activity_at: DateTime<Utc>",
                  (SELECT coalesce(json_agg(json_build_object(
                              'id', k.id, 'user_id', k.user_id, 'provider', k.provider,
                              'encrypted_key', k.encrypted_key, 'name', k.name,
                              'base_url', k.base_url)
                              ORDER BY k.is_default DESC, k.created_at, k.id), '[]')
                   FROM api_keys k WHERE k.user_id = c.user_id) AS "keys!: Json<Vec<StoredKey>>",
                  coalesce(o.messages_per_minute, r.messages_per_minute) AS messages_per_minute,
                  coalesce(o.messages_per_day, r.messages_per_day) AS messages_per_day,
                  coalesce(o.output_tokens_per_day, r.output_tokens_per_day)
                      AS output_tokens_per_day,
                  coalesce(o.monthly_spend_usd, r.monthly_spend_usd) AS monthly_spend_usd,
                  (SELECT id FROM messages m
                   WHERE m.conversation_id = c.id AND m.role = 'ASSISTANT'
                     AND m.metadata->>'status' = 'streaming'
                   LIMIT 1) AS streaming_here,
                  (SELECT count(*) FROM messages m
                   WHERE m.role = 'ASSISTANT' AND m.metadata->>'status' = 'streaming'
                     AND m.metadata->>'asked_by' = c.user_id) AS "streaming_for_user!",
                  (SELECT coalesce(array_agg(role ORDER BY distance DESC), '{}') FROM last)
                      AS "history_roles!: Vec<MessageRole>",
                  (SELECT coalesce(array_agg(content ORDER BY distance DESC), '{}') FROM last)
                      AS "history_contents!: Vec<String>",
                  current_leaf(c.id) AS leaf
           FROM conversations c
           JOIN users u ON u.id = c.user_id
           LEFT JOIN role_limits r ON r.role = u.role
           LEFT JOIN user_limits o ON o.user_id = u.id
           WHERE c.id = $1 AND c.user_id = $2"#,
        conversation_id,
        user_id,
        history,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| TurnContext {
        conversation: ConversationColumns {
            id: r.id,
            title: r.title,
            model: r.model,
            system_prompt: r.system_prompt,
            temperature: r.temperature,
            max_output_tokens: r.max_output_tokens,
            top_p: r.top_p,
            created_at: r.created_at,
            last_activity_at: r.last_activity_at,
        }
        .into(),
        keys: r.keys.0,
        limits: super::limits::Row {
            messages_per_minute: r.messages_per_minute,
            messages_per_day: r.messages_per_day,
            output_tokens_per_day: r.output_tokens_per_day,
            monthly_spend_usd: r.monthly_spend_usd,
        }
        .into(),
        being_written: BeingWritten {
            here: r.streaming_here,
            for_user: r.streaming_for_user.max(0) as u64,
        },
        history: r
            .history_roles
            .into_iter()
            .zip(r.history_contents)
            .collect(),
        leaf: r.leaf,
    }))
}
