//! Conversations: create, list and search by keyset page, find, rename, change
//! settings, lock for a turn, delete. Every query is scoped to the owner.

use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::generation::GenerationSettings;

pub struct NewConversation<'a> {
    pub user_id: &'a str,
    pub title: &'a str,
    pub model: Option<&'a str>,
    pub system_prompt: Option<&'a str>,
    pub settings: GenerationSettings,
}

#[instrument(skip_all)]
pub async fn find_id_by_title(
    db: impl PgExecutor<'_>,
    user_id: &str,
    title: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM conversations WHERE user_id = $1 AND title = $2
         ORDER BY created_at LIMIT 1",
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
        "INSERT INTO conversations
             (id, user_id, title, model, system_prompt, temperature, max_output_tokens, top_p)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        id,
        conversation.user_id,
        conversation.title,
        conversation.model,
        conversation.system_prompt,
        conversation.settings.temperature,
        conversation.settings.max_output_tokens.map(|n| n as i32),
        conversation.settings.top_p,
    )
    .execute(db)
    .await?;
    Ok(id)
}

use chrono::{DateTime, Utc};

use crate::model::conversation::ConversationSummary;

/// Where a sidebar page starts: after this (activity, id), newest first.
pub type Cursor = (DateTime<Utc>, String);

/// Encodes a keyset position for the browser.
pub fn encode_cursor(at: DateTime<Utc>, id: &str) -> String {
    format!("{}_{id}", at.timestamp_micros())
}

/// Reads a cursor the browser sent back; `None` when it is not one of ours.
pub fn decode_cursor(text: &str) -> Option<Cursor> {
    let (micros, id) = text.split_once('_')?;
    let at = DateTime::from_timestamp_micros(micros.parse().ok()?)?;
    (!id.is_empty() && id.len() <= 64).then(|| (at, id.to_string()))
}

struct SummaryRow {
    id: String,
    title: String,
    model: Option<String>,
    created_at: DateTime<Utc>,
    last_activity_at: DateTime<Utc>,
    found: Option<String>,
}

impl From<SummaryRow> for ConversationSummary {
    fn from(r: SummaryRow) -> Self {
        ConversationSummary {
            id: r.id,
            title: r.title,
            model: r.model,
            created_at: r.created_at,
            last_activity_at: r.last_activity_at,
            found: r.found,
        }
    }
}

/// The user's conversations, newest activity first, after `cursor`.
#[instrument(skip_all)]
pub async fn list_page(
    db: impl PgExecutor<'_>,
    user_id: &str,
    cursor: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<ConversationSummary>, sqlx::Error> {
    let (at, id) = match cursor {
        Some((at, id)) => (Some(*at), Some(id.as_str())),
        None => (None, None),
    };
    let rows = sqlx::query_as!(
        SummaryRow,
        r#"SELECT id, title, model,
                  created_at AS "created_at: DateTime<Utc>",
                  last_activity_at AS "last_activity_at: DateTime<Utc>",
                  NULL::text AS found
           FROM conversations
           WHERE user_id = $1
             AND ($2::timestamptz IS NULL OR (last_activity_at, id) < ($2, $3))
           ORDER BY last_activity_at DESC, id DESC
           LIMIT $4"#,
        user_id,
        at as Option<DateTime<Utc>>,
        id,
        limit,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Conversations whose title or any message (on any branch) contains
/// `query` (case-insensitive), most recent first, each with the newest
/// message found; reads only the user's rows, whatever the query.
///
/// A query with trigrams (three letters or digits in a row) is looked up in
/// the trigram indexes, which lead with the owner; one without (`c#`, `...`)
/// walks the user's conversations. Answers still being written are not
/// searched: the content index leaves them out (it would index their whole
/// text at every save). The statements are files so that a test can
/// `EXPLAIN` exactly them.
#[instrument(skip_all)]
pub async fn search(
    db: impl PgExecutor<'_>,
    user_id: &str,
    query: &str,
    limit: i64,
) -> Result<Vec<ConversationSummary>, sqlx::Error> {
    let pattern = format!("%{}%", super::escape_like(query));
    let rows = if has_trigrams(query) {
        sqlx::query_file_as!(
            SummaryRow,
            "src/backend/db/sql/search_by_trigrams.sql",
            user_id,
            pattern,
            limit,
        )
        .fetch_all(db)
        .await?
    } else {
        sqlx::query_file_as!(
            SummaryRow,
            "src/backend/db/sql/search_by_walking.sql",
            user_id,
            pattern,
            limit,
        )
        .fetch_all(db)
        .await?
    };
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Whether pg_trgm finds a trigram in a `%query%` pattern: three word
/// characters in a row (it splits words at anything else).
pub fn has_trigrams(query: &str) -> bool {
    let mut run = 0;
    for c in query.chars() {
        run = if c.is_alphanumeric() { run + 1 } else { 0 };
        if run == 3 {
            return true;
        }
    }
    false
}

/// A conversation of the user's, with its system prompt and generation settings.
pub struct ConversationRow {
    pub summary: ConversationSummary,
    pub system_prompt: Option<String>,
    pub settings: GenerationSettings,
}

/// The columns a [`ConversationRow`] is made of, as selected by [`find`]
/// (and by the turn's context, `super::turn`).
pub(super) struct ConversationColumns {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) model: Option<String>,
    pub(super) system_prompt: Option<String>,
    pub(super) temperature: Option<f64>,
    pub(super) max_output_tokens: Option<i32>,
    pub(super) top_p: Option<f64>,
    pub(super) created_at: DateTime<Utc>,
    pub(super) last_activity_at: DateTime<Utc>,
}

impl From<ConversationColumns> for ConversationRow {
    fn from(c: ConversationColumns) -> Self {
        ConversationRow {
            summary: ConversationSummary {
                id: c.id,
                title: c.title,
                model: c.model,
                created_at: c.created_at,
                last_activity_at: c.last_activity_at,
                found: None,
            },
            system_prompt: c.system_prompt,
            settings: GenerationSettings {
                temperature: c.temperature,
                max_output_tokens: c.max_output_tokens.map(|n| n as u32),
                top_p: c.top_p,
            },
        }
    }
}

#[instrument(skip_all)]
pub async fn find(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
) -> Result<Option<ConversationRow>, sqlx::Error> {
    let row = sqlx::query_as!(
        ConversationColumns,
        r#"SELECT id, title, model, system_prompt, temperature, max_output_tokens, top_p,
                  created_at AS "created_at: DateTime<Utc>",
                  last_activity_at AS "last_activity_at: DateTime<Utc>"
           FROM conversations WHERE id = $1 AND user_id = $2"#,
        id,
        user_id,
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(ConversationRow::from))
}

/// False when the conversation is not the user's.
#[instrument(skip_all)]
pub async fn rename(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
    title: &str,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE conversations SET title = $3 WHERE id = $1 AND user_id = $2",
        id,
        user_id,
        title
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// A conversation's row, locked.
pub struct Locked {
    /// Its current leaf as the branching migration's `current_leaf` says
    /// (the leaf stored, else the newest message), read under the lock.
    pub leaf: Option<String>,
}

/// Locks the conversation's row until the transaction ends: turns and
/// branch changes of one conversation are stored one at a time, so that
/// each sees whether another answer is being written and which branch is
/// shown. `None` when there is no such conversation.
#[instrument(skip_all)]
pub async fn lock(db: &mut sqlx::PgConnection, id: &str) -> Result<Option<Locked>, sqlx::Error> {
    // The column, not `current_leaf(id)`: a row locked by another
    // transaction is read again in its committed version once that ends,
    // but a function's queries would still see the statement's snapshot,
    // taken before the wait.
    let Some(stored) = sqlx::query_scalar!(
        "SELECT current_leaf_id FROM conversations WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *db)
    .await?
    else {
        return Ok(None);
    };
    let leaf = match stored {
        Some(leaf) => Some(leaf),
        None => {
            sqlx::query_scalar!(r#"SELECT current_leaf($1) AS "leaf""#, id)
                .fetch_one(&mut *db)
                .await?
        }
    };
    Ok(Some(Locked { leaf }))
}

/// Sets the model and system prompt used for the next answer.
#[instrument(skip_all)]
pub async fn update_settings(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
    model: Option<&str>,
    system_prompt: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE conversations SET model = $3, system_prompt = $4 WHERE id = $1 AND user_id = $2",
        id,
        user_id,
        model,
        system_prompt
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Sets the generation settings used for the next answer.
#[instrument(skip_all)]
pub async fn update_generation(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
    settings: &GenerationSettings,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE conversations SET temperature = $3, max_output_tokens = $4, top_p = $5
         WHERE id = $1 AND user_id = $2",
        id,
        user_id,
        settings.temperature,
        settings.max_output_tokens.map(|n| n as i32),
        settings.top_p
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Deletes the conversation and its messages. False when not the user's.
#[instrument(skip_all)]
pub async fn delete(db: impl PgExecutor<'_>, id: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "DELETE FROM conversations WHERE id = $1 AND user_id = $2",
        id,
        user_id
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::has_trigrams;

    #[test]
    fn queries_with_three_word_characters_in_a_row_have_trigrams() {
        for yes in ["the", "paris", "c# code", "100%"] {
            assert!(has_trigrams(yes), "{yes}");
        }
        for no in ["ab", "...", "!!!", "c#", "a b c", "_", "1.5"] {
            assert!(!has_trigrams(no), "{no}");
        }
    }
}
