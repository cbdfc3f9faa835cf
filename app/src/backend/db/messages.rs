//! Messages: storing questions and answers, reading a conversation's page
//! and its history, and an answer's life in the database (its chunks while
//! it is written, its final text, a stop, an interruption).

use chrono::{DateTime, Utc};
use sqlx::types::Json;
use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::answer::{AnswerMetadata, AnswerStatus};
use crate::model::conversation::MessageView;
use crate::model::MessageRole;

pub struct NewMessage<'a> {
    pub conversation_id: &'a str,
    /// The message it follows (`None`: a root).
    pub parent_id: Option<&'a str>,
    /// Set for the user's own messages; `None` for assistant and system turns.
    pub user_id: Option<&'a str>,
    pub role: MessageRole,
    pub content: &'a str,
    /// An answer's; `None` for the user's messages.
    pub metadata: Option<AnswerMetadata>,
}

/// A message as stored; its metadata is read leniently
/// ([`AnswerMetadata::from_stored`]).
struct MessageRow {
    id: String,
    role: MessageRole,
    content: String,
    metadata: Option<serde_json::Value>,
    created_at: DateTime<Utc>,
    siblings: Vec<String>,
}

impl From<MessageRow> for MessageView {
    fn from(row: MessageRow) -> Self {
        MessageView {
            id: row.id,
            role: row.role,
            content: row.content,
            metadata: row.metadata.map(AnswerMetadata::from_stored),
            created_at: row.created_at,
            siblings: row.siblings,
        }
    }
}

#[instrument(skip_all)]
pub async fn insert(
    db: impl PgExecutor<'_>,
    message: NewMessage<'_>,
) -> Result<String, sqlx::Error> {
    let id = super::new_id();
    sqlx::query!(
        "INSERT INTO messages (id, conversation_id, user_id, role, content, metadata, parent_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        id,
        message.conversation_id,
        message.user_id,
        message.role as MessageRole,
        message.content,
        message.metadata.map(Json) as _,
        message.parent_id,
    )
    .execute(db)
    .await?;
    Ok(id)
}

/// A page of a conversation's active path.
pub struct PathPage {
    /// Oldest first, each with its parent (`None`: the root).
    pub messages: Vec<(MessageView, Option<String>)>,
    /// The answer being written in the conversation, on whichever branch
    /// (`None` as well when the page is empty).
    pub being_written: Option<String>,
}

/// A page of the active path, oldest first: the `limit` messages above
/// message `before` (for older messages), or ending at the current leaf.
/// Answers being written come with their text so far; each message with its
/// siblings (see [`MessageView::siblings`]). The caller has checked that the
/// conversation is the user's.
#[instrument(skip_all)]
pub async fn path_page(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    before: Option<&str>,
    limit: i32,
) -> Result<PathPage, sqlx::Error> {
    // The sibling lists: the children of each message's parent, with the
    // roots apart (a one-time filter) so that both use the children index.
    let rows = sqlx::query!(
        r#"SELECT s.id AS "id!", s.role AS "role!: MessageRole", s.content AS "content!",
                  s.metadata, s.created_at AS "created_at!: DateTime<Utc>",
                  p.parent_id, sib.ids AS "siblings!",
                  (SELECT w.id FROM messages w
                   WHERE w.conversation_id = $1 AND w.role = 'ASSISTANT'
                     AND w.metadata->>'status' = 'streaming'
                   LIMIT 1) AS being_written
           FROM message_path($1, coalesce($2, current_leaf($1)),
                             $3 + CASE WHEN $2::text IS NULL THEN 0 ELSE 1 END) p
           JOIN messages_so_far s ON s.id = p.id
           CROSS JOIN LATERAL (
               SELECT CASE WHEN count(*) > 1
                           THEN array_agg(x.id ORDER BY x.created_at, x.id)
                           ELSE '{}' END AS ids
               FROM (SELECT c.id, c.created_at FROM messages c
                     WHERE c.conversation_id = $1 AND c.parent_id = p.parent_id
                     UNION ALL
                     SELECT c.id, c.created_at FROM messages c
                     WHERE p.parent_id IS NULL AND c.conversation_id = $1
                       AND c.parent_id IS NULL) x) sib
           WHERE p.id IS DISTINCT FROM $2
           ORDER BY p.distance DESC"#,
        conversation_id,
        before,
        limit,
    )
    .fetch_all(db)
    .await?;
    let being_written = rows.first().and_then(|r| r.being_written.clone());
    let messages = rows
        .into_iter()
        .map(|r| {
            let view = MessageView::from(MessageRow {
                id: r.id,
                role: r.role,
                content: r.content,
                metadata: r.metadata,
                created_at: r.created_at,
                siblings: r.siblings,
            });
            (view, r.parent_id)
        })
        .collect();
    Ok(PathPage {
        messages,
        being_written,
    })
}

/// Inserts a message under `id` (from [`super::new_id`]) and returns it as
/// the browser sees it.
#[instrument(skip_all)]
pub async fn insert_returning(
    db: impl PgExecutor<'_>,
    id: &str,
    message: NewMessage<'_>,
) -> Result<MessageView, sqlx::Error> {
    sqlx::query_as!(
        MessageRow,
        r#"INSERT INTO messages (id, conversation_id, user_id, role, content, metadata, parent_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           RETURNING id, role AS "role: MessageRole", content, metadata,
                     created_at AS "created_at: DateTime<Utc>", '{}'::text[] AS "siblings!""#,
        id,
        message.conversation_id,
        message.user_id,
        message.role as MessageRole,
        message.content,
        message.metadata.map(Json) as _,
        message.parent_id,
    )
    .fetch_one(db)
    .await
    .map(MessageView::from)
}

/// Whether message `id` is in one of the user's conversations.
#[instrument(skip_all)]
pub async fn is_users(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
                          WHERE m.id = $1 AND c.user_id = $2) AS "is_users!""#,
        id,
        user_id,
    )
    .fetch_one(db)
    .await
}

/// What a read of an answer brings a follower (see [`progress`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Progress {
    pub metadata: AnswerMetadata,
    /// The stored text, when the reader asked for it: it did not know its
    /// length, that length changed, or the answer is no longer being written.
    pub stored: Option<String>,
    /// `(seq, text)` of the chunks read, in order.
    pub chunks: Vec<(i32, String)>,
}

impl Progress {
    /// The answer is still being written (its status is `streaming`).
    pub fn is_streaming(&self) -> bool {
        self.metadata.status == AnswerStatus::Streaming
    }
}

/// An answer of one of the user's conversations as a follower reads it,
/// without reading again what it has: while it is being written, the stored
/// text only when its byte length is not `stored_len` (-1: unknown) and the
/// chunks from number `from_seq` on (from 0 with the stored text); once
/// it has ended, all of it. `None`: no such message of the user's.
#[instrument(skip_all)]
pub async fn progress(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
    stored_len: i32,
    from_seq: i32,
) -> Result<Option<Progress>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT m.metadata, CASE WHEN w.whole THEN m.content END AS stored,
                  ch.seqs AS "seqs!", ch.texts AS "texts!"
           FROM messages m
           JOIN conversations c ON c.id = m.conversation_id
           CROSS JOIN LATERAL (
               SELECT m.metadata->>'status' IS DISTINCT FROM 'streaming'
                      OR octet_length(m.content) <> $3 AS whole) w
           CROSS JOIN LATERAL (
               SELECT coalesce(array_agg(a.seq ORDER BY a.seq), '{}') AS seqs,
                      coalesce(array_agg(a.content ORDER BY a.seq), '{}') AS texts
               FROM answer_chunks a
               WHERE a.message_id = m.id AND a.seq >= CASE WHEN w.whole THEN 0 ELSE $4 END) ch
           WHERE m.id = $1 AND c.user_id = $2"#,
        id,
        user_id,
        stored_len,
        from_seq,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| Progress {
        metadata: r
            .metadata
            .map(AnswerMetadata::from_stored)
            .unwrap_or_default(),
        stored: r.stored,
        chunks: r.seqs.into_iter().zip(r.texts).collect(),
    }))
}

/// Answers being written (status `streaming`), on any instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BeingWritten {
    /// The one in this conversation, if any.
    pub here: Option<String>,
    /// How many are being written for this user, in all their conversations.
    pub for_user: u64,
}

/// What is being written in a conversation and for its user. Both questions
/// a new answer must ask, in one statement: inside the transaction that
/// stores a turn it runs after the locks are held, so that it sees the
/// answers of a concurrent turn that committed while this one waited.
#[instrument(skip_all)]
pub async fn being_written(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    user_id: &str,
) -> Result<BeingWritten, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT (SELECT id FROM messages
                   WHERE conversation_id = $1 AND role = 'ASSISTANT'
                     AND metadata->>'status' = 'streaming'
                   LIMIT 1) AS here,
                  (SELECT count(*) FROM messages
                   WHERE role = 'ASSISTANT' AND metadata->>'status' = 'streaming'
                     AND metadata->>'asked_by' = $2) AS "for_user!""#,
        conversation_id,
        user_id,
    )
    .fetch_one(db)
    .await?;
    Ok(BeingWritten {
        here: row.here,
        for_user: row.for_user.max(0) as u64,
    })
}

/// What an answer being written adds to its saved text: the text since its
/// previous chunk (empty: a heartbeat, its writer is alive).
pub struct Chunk {
    pub message_id: String,
    /// 0, 1, 2… per answer. Saving a number again replaces that chunk: a save
    /// that failed is retried with the same number and all the text since.
    pub seq: i32,
    pub text: String,
}

/// Saves chunks of answers being written. Returns the ids still `streaming`;
/// the others were stopped from elsewhere (or already stored as final) and
/// get no chunk. Only the added text is written: saving an answer costs the
/// same at its end as at its start.
#[instrument(skip_all)]
pub async fn save_chunks(
    db: impl PgExecutor<'_>,
    chunks: &[Chunk],
) -> Result<Vec<String>, sqlx::Error> {
    let ids: Vec<&str> = chunks.iter().map(|c| c.message_id.as_str()).collect();
    let seqs: Vec<i32> = chunks.iter().map(|c| c.seq).collect();
    let texts: Vec<&str> = chunks.iter().map(|c| c.text.as_str()).collect();
    sqlx::query_scalar!(
        r#"INSERT INTO answer_chunks (message_id, seq, content)
           SELECT f.id, f.seq, f.content
           FROM unnest($1::text[], $2::int4[], $3::text[]) AS f(id, seq, content)
           JOIN messages m ON m.id = f.id AND m.metadata->>'status' = 'streaming'
           ON CONFLICT (message_id, seq) DO UPDATE
               SET content = excluded.content, written_at = excluded.written_at
           RETURNING message_id"#,
        &ids as &[&str],
        &seqs,
        &texts as &[&str]
    )
    .fetch_all(db)
    .await
}

/// Writes the final text and metadata of answers that ended (`ids[i]` has
/// `contents[i]` and `metadata[i]`) and drops their chunks, in one statement.
#[instrument(skip_all)]
pub async fn finish_all(
    db: impl PgExecutor<'_>,
    ids: &[String],
    contents: &[String],
    metadata: &[AnswerMetadata],
) -> Result<(), sqlx::Error> {
    let metadata: Vec<Json<&AnswerMetadata>> = metadata.iter().map(Json).collect();
    sqlx::query!(
        r#"WITH stored AS (
               UPDATE messages m SET content = f.content, metadata = f.metadata
               FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS f(id, content, metadata)
               WHERE m.id = f.id)
           DELETE FROM answer_chunks WHERE message_id = ANY($1)"#,
        ids,
        contents,
        &metadata as _
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Asks whoever writes the answer to stop (it checks at its next save) and
/// stores its text so far, which stays if its writer has died meanwhile.
#[instrument(skip_all)]
pub async fn request_stop(db: impl PgExecutor<'_>, id: &str) -> Result<bool, sqlx::Error> {
    let stopped = sqlx::query_scalar!(
        r#"WITH stopped AS (
               UPDATE messages m
               SET metadata = m.metadata || '{"status": "stopped"}'::jsonb,
                   content = s.content
               FROM messages_so_far s
               WHERE m.id = $1 AND s.id = m.id AND m.metadata->>'status' = 'streaming'
               RETURNING m.id),
           folded AS (
               DELETE FROM answer_chunks WHERE message_id IN (SELECT id FROM stopped))
           SELECT count(*) AS "n!" FROM stopped"#,
        id
    )
    .fetch_one(db)
    .await?;
    Ok(stopped == 1)
}

/// Marks answers whose writer has saved nothing for `stale_secs` (its server
/// died) as interrupted, storing their text so far. Returns how many.
#[instrument(skip_all)]
pub async fn interrupt_stale(db: impl PgExecutor<'_>, stale_secs: f64) -> Result<u64, sqlx::Error> {
    // Its last chunk, else `flushed_at` (the heartbeat of the version before
    // chunks), else its start.
    let interrupted = sqlx::query_scalar!(
        r#"WITH stale AS (
               SELECT s.id, s.content FROM messages_so_far s
               WHERE s.role = 'ASSISTANT' AND s.metadata->>'status' = 'streaming'
                 AND COALESCE(
                       (SELECT c.written_at FROM answer_chunks c
                        WHERE c.message_id = s.id ORDER BY c.seq DESC LIMIT 1),
                       (s.metadata->>'flushed_at')::timestamptz,
                       s.created_at) < now() - make_interval(secs => $1)),
           interrupted AS (
               UPDATE messages m
               SET content = stale.content,
                   metadata = m.metadata || jsonb_build_object('status', 'error', 'error',
                       'interrupted: the server stopped while writing this answer')
               FROM stale
               WHERE m.id = stale.id AND m.metadata->>'status' = 'streaming'
               RETURNING m.id),
           folded AS (
               DELETE FROM answer_chunks WHERE message_id IN (SELECT id FROM interrupted))
           SELECT count(*) AS "n!" FROM interrupted"#,
        stale_secs
    )
    .fetch_one(db)
    .await?;
    Ok(interrupted.max(0) as u64)
}

/// The path up to message `last` (included), oldest first, for the
/// provider: at most `limit` messages of it, without answers that failed,
/// are being written or are empty.
#[instrument(skip_all)]
pub async fn history(
    db: impl PgExecutor<'_>,
    conversation_id: &str,
    last: &str,
    limit: i32,
) -> Result<Vec<(MessageRole, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT m.role AS "role: MessageRole", m.content
           FROM message_path($1, $2, $3) p JOIN messages m ON m.id = p.id
           WHERE m.content <> ''
             AND NOT (m.role = 'ASSISTANT' AND m.metadata->>'status' IN ('error', 'streaming'))
           ORDER BY p.distance DESC"#,
        conversation_id,
        last,
        limit
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.role, r.content)).collect())
}
