//! The shape of a conversation's messages: a tree whose active path runs
//! from a root down to the conversation's current leaf (see the branching
//! migration and its SQL functions `current_leaf`, `message_path` and
//! `latest_leaf_under`). Every function is scoped to one conversation; the
//! caller has checked that it is the user's.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::answer::AnswerMetadata;
use crate::model::conversation::MessageView;
use crate::model::MessageRole;

/// Makes `leaf` the conversation's current leaf. `chosen`: the user chose
/// its branch (a switch), which is remembered so that switching back to a
/// message above it returns here; a new message needs no such mark (its
/// creation counts).
#[instrument(skip_all)]
pub async fn set_current_leaf(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    leaf: Option<&str>,
    chosen: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"WITH chosen AS (
               UPDATE messages SET chosen_at = clock_timestamp()
               WHERE $3 AND conversation_id = $1 AND id = $2)
           UPDATE conversations SET current_leaf_id = $2 WHERE id = $1"#,
        conversation_id,
        leaf,
        chosen,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A message of the active path, as an action on it needs it.
#[derive(Debug, Clone)]
pub struct OnPath {
    pub id: String,
    pub role: MessageRole,
    pub parent_id: Option<String>,
    pub content: String,
    pub metadata: Option<serde_json::Value>,
    pub created_at: DateTime<Utc>,
}

impl OnPath {
    /// As the browser sees it, with its `siblings` (see [`siblings`]).
    pub fn into_view(self, siblings: Vec<String>) -> MessageView {
        MessageView {
            id: self.id,
            role: self.role,
            content: self.content,
            metadata: self.metadata.map(AnswerMetadata::from_stored),
            created_at: self.created_at,
            siblings,
        }
    }
}

/// Message `id` if it is on the path from `leaf` up to its root; `None`
/// when it is not (another tab switched branches or replaced it) or does
/// not exist.
#[instrument(skip_all)]
pub async fn find_on_path(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    leaf: &str,
    id: &str,
) -> Result<Option<OnPath>, sqlx::Error> {
    sqlx::query_as!(
        OnPath,
        r#"SELECT m.id, m.role AS "role: MessageRole", m.parent_id, m.content, m.metadata,
                  m.created_at AS "created_at: DateTime<Utc>"
           FROM message_path($1, $2, 2147483647) p
           JOIN messages m ON m.id = p.id
           WHERE p.id = $3"#,
        conversation_id,
        leaf,
        id,
    )
    .fetch_optional(db)
    .await
}

/// The ids of the children of `parent` (the roots for `None`), oldest
/// first, when there are two or more (one message alone has no switcher).
#[instrument(skip_all)]
pub async fn siblings(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    parent: Option<&str>,
) -> Result<Vec<String>, sqlx::Error> {
    let ids = sqlx::query_scalar!(
        r#"SELECT id FROM messages
           WHERE conversation_id = $1
             AND (parent_id = $2 OR ($2::text IS NULL AND parent_id IS NULL))
           ORDER BY created_at, id"#,
        conversation_id,
        parent,
    )
    .fetch_all(db)
    .await?;
    Ok(if ids.len() > 1 { ids } else { Vec::new() })
}

/// The most recently active leaf under message `top` (itself when it has
/// no children; under the whole conversation for `None`). `None`: `top` is
/// not a message of the conversation, or the conversation is empty.
#[instrument(skip_all)]
pub async fn latest_leaf_under(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    top: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT latest_leaf_under($1, $2) AS "leaf""#,
        conversation_id,
        top,
    )
    .fetch_one(db)
    .await
}

/// What deleting a message would take away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subtree {
    /// The message and everything below it, on every branch.
    pub messages: i64,
    /// Of those, the ones on branches not shown.
    pub hidden: i64,
    /// An answer among them is being written.
    pub streaming: bool,
    /// The message's parent (`None`: a root).
    pub parent_id: Option<String>,
}

/// Message `id` and its descendants; `None` when it is not a message of
/// the conversation.
#[instrument(skip_all)]
pub async fn subtree(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    id: &str,
) -> Result<Option<Subtree>, sqlx::Error> {
    let row = sqlx::query!(
        r#"WITH RECURSIVE down AS (
               SELECT m.id, m.metadata FROM messages m
               WHERE m.conversation_id = $1 AND m.id = $2
               UNION ALL
               SELECT m.id, m.metadata FROM down
               JOIN messages m ON m.conversation_id = $1 AND m.parent_id = down.id
           ),
           shown AS (SELECT p.id FROM message_path($1, current_leaf($1), 2147483647) p)
           SELECT count(*) AS "messages!",
                  count(*) FILTER (WHERE down.id NOT IN (SELECT shown.id FROM shown))
                      AS "hidden!",
                  coalesce(bool_or(down.metadata->>'status' = 'streaming'), false)
                      AS "streaming!",
                  (SELECT m.parent_id FROM messages m WHERE m.conversation_id = $1 AND m.id = $2)
                      AS parent_id
           FROM down"#,
        conversation_id,
        id,
    )
    .fetch_one(db)
    .await?;
    Ok((row.messages > 0).then_some(Subtree {
        messages: row.messages,
        hidden: row.hidden,
        streaming: row.streaming,
        parent_id: row.parent_id,
    }))
}

/// Deletes message `id` and its descendants in one statement (a cascade
/// down a long chain would nest a statement per generation). Returns how
/// many went.
#[instrument(skip_all)]
pub async fn delete_subtree(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    id: &str,
) -> Result<u64, sqlx::Error> {
    let result = sqlx::query!(
        r#"WITH RECURSIVE down AS (
               SELECT m.id FROM messages m WHERE m.conversation_id = $1 AND m.id = $2
               UNION ALL
               SELECT m.id FROM down
               JOIN messages m ON m.conversation_id = $1 AND m.parent_id = down.id
           )
           DELETE FROM messages WHERE conversation_id = $1 AND id IN (SELECT down.id FROM down)"#,
        conversation_id,
        id,
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected())
}

/// After a deletion took the current leaf away: the most recently active
/// leaf under `parent`, the deleted message's parent (the whole
/// conversation's for a root), becomes current.
#[instrument(skip_all)]
pub async fn repair_leaf(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    parent: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE conversations SET current_leaf_id = latest_leaf_under($1, $2)
         WHERE id = $1 AND current_leaf_id IS NULL",
        conversation_id,
        parent,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// A message copied into another conversation.
pub struct Copied {
    pub count: u64,
    /// The copy of the last message (the new conversation's leaf).
    pub leaf: Option<String>,
}

/// Copies the path from the root down to message `id` of conversation
/// `from` into conversation `to` (new ids; same order, texts, metadata and
/// times). An answer still being written is not copied: its text is not
/// final.
#[instrument(skip_all)]
pub async fn copy_path(
    db: &mut sqlx::PgConnection,
    from: &str,
    id: &str,
    to: &str,
) -> Result<Copied, sqlx::Error> {
    let path = sqlx::query!(
        r#"SELECT p.id AS "id!", m.created_at AS "created_at!: DateTime<Utc>"
           FROM message_path($1, $2, 2147483647) p JOIN messages m ON m.id = p.id
           WHERE m.metadata->>'status' IS DISTINCT FROM 'streaming'
           ORDER BY p.distance DESC"#,
        from,
        id,
    )
    .fetch_all(&mut *db)
    .await?;
    let old: Vec<String> = path.into_iter().map(|r| r.id).collect();
    let new: Vec<String> = old.iter().map(|_| super::new_id()).collect();
    let parents: Vec<Option<String>> = std::iter::once(None)
        .chain(new.iter().cloned().map(Some))
        .take(new.len())
        .collect();
    let result = sqlx::query!(
        r#"INSERT INTO messages
               (id, conversation_id, user_id, role, content, metadata, created_at, parent_id)
           SELECT f.new_id, $4, m.user_id, m.role, m.content, m.metadata, m.created_at,
                  f.parent_id
           FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY
                AS f(old_id, new_id, parent_id, n)
           JOIN messages_so_far m ON m.id = f.old_id AND m.conversation_id = $5
           ORDER BY f.n"#,
        &old,
        &new,
        &parents as &[Option<String>],
        to,
        from,
    )
    .execute(&mut *db)
    .await?;
    Ok(Copied {
        count: result.rows_affected(),
        leaf: new.last().cloned(),
    })
}
