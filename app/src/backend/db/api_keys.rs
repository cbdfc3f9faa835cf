//! Stored provider keys. Every query on a user's key is scoped by the user's id
//! in SQL, so another user's key id simply does not exist for the caller.

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};
use tracing::instrument;

use crate::model::{ApiKeyProvider, ApiKeyView};

/// A key to store: already encrypted (for its id: [`super::new_id`]), with
/// its display hint.
#[derive(Clone, Copy)]
pub struct NewKey<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub provider: ApiKeyProvider,
    pub encrypted_key: &'a str,
    pub key_hint: &'a str,
    pub name: Option<&'a str>,
    pub base_url: Option<&'a str>,
}

/// Stores a key and returns its id. The user's first key of a provider becomes
/// that provider's default.
#[instrument(skip_all)]
pub async fn insert(db: impl PgExecutor<'_>, key: NewKey<'_>) -> Result<String, sqlx::Error> {
    let id = key.id.to_string();
    sqlx::query!(
        "INSERT INTO api_keys
             (id, user_id, provider, encrypted_key, key_hint, name, base_url, is_default)
         VALUES ($1, $2, $3, $4, $5, $6, $7,
                 NOT EXISTS (SELECT 1 FROM api_keys
                             WHERE user_id = $2 AND provider = $3 AND is_default))",
        id,
        key.user_id,
        key.provider as ApiKeyProvider,
        key.encrypted_key,
        key.key_hint,
        key.name,
        key.base_url,
    )
    .execute(db)
    .await?;
    Ok(id)
}

/// [`insert`] on the pool, for keys added at any moment: when two first keys
/// of a provider arrive at once, both try to become its default and the unique
/// index refuses one; that one is stored again, now as a second key.
pub async fn insert_concurrently(pool: &PgPool, key: NewKey<'_>) -> Result<String, sqlx::Error> {
    match insert(pool, key).await {
        Err(sqlx::Error::Database(e))
            if e.constraint() == Some("api_keys_one_default_per_provider") =>
        {
            insert(pool, key).await
        }
        other => other,
    }
}

#[instrument(skip_all)]
pub async fn exists_named(
    db: impl PgExecutor<'_>,
    user_id: &str,
    name: &str,
) -> Result<bool, sqlx::Error> {
    let found = sqlx::query_scalar!(
        "SELECT EXISTS (SELECT 1 FROM api_keys WHERE user_id = $1 AND name = $2)",
        user_id,
        name,
    )
    .fetch_one(db)
    .await?;
    Ok(found.unwrap_or(false))
}

struct KeyRow {
    id: String,
    provider: ApiKeyProvider,
    name: Option<String>,
    key_hint: String,
    base_url: Option<String>,
    is_default: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    listed_models: Option<i64>,
    listed_at: Option<DateTime<Utc>>,
    list_error: Option<String>,
}

impl From<KeyRow> for ApiKeyView {
    fn from(row: KeyRow) -> Self {
        ApiKeyView {
            id: row.id,
            provider: row.provider,
            name: row.name,
            hint: row.key_hint,
            base_url: row.base_url,
            is_default: row.is_default,
            created_at: row.created_at,
            updated_at: row.updated_at,
            listed_models: row.listed_models,
            listed_at: row.listed_at,
            list_error: row.list_error,
        }
    }
}

/// The user's keys, without secrets: provider, then default first, then oldest.
pub async fn list_views(
    db: impl PgExecutor<'_>,
    user_id: &str,
) -> Result<Vec<ApiKeyView>, sqlx::Error> {
    views(db, user_id, None).await
}

pub async fn find_view(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
) -> Result<Option<ApiKeyView>, sqlx::Error> {
    Ok(views(db, user_id, Some(id)).await?.pop())
}

/// The user's keys (only the one with id `only`, if given), with what their
/// providers listed.
#[instrument(skip_all)]
async fn views(
    db: impl PgExecutor<'_>,
    user_id: &str,
    only: Option<&str>,
) -> Result<Vec<ApiKeyView>, sqlx::Error> {
    let rows = sqlx::query_as!(
        KeyRow,
        r#"SELECT k.id, k.provider AS "provider: ApiKeyProvider", k.name, k.key_hint, k.base_url,
                  k.is_default, k.created_at AS "created_at: DateTime<Utc>",
                  k.updated_at AS "updated_at: DateTime<Utc>",
                  CASE WHEN l.listed_at IS NOT NULL
                       THEN (SELECT count(*) FROM key_models m WHERE m.api_key_id = k.id) END
                      AS listed_models,
                  l.listed_at AS "listed_at?: DateTime<Utc>", l.error AS "list_error?"
           FROM api_keys k LEFT JOIN key_model_lists l ON l.api_key_id = k.id
           WHERE k.user_id = $1 AND ($2::text IS NULL OR k.id = $2)
           ORDER BY k.provider, k.is_default DESC, k.created_at, k.id"#,
        user_id,
        only,
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// A stored key as the server needs it to call a provider (still encrypted).
#[derive(serde::Deserialize)]
pub struct StoredKey {
    pub id: String,
    pub user_id: String,
    pub provider: ApiKeyProvider,
    pub encrypted_key: String,
    pub name: Option<String>,
    pub base_url: Option<String>,
}

impl StoredKey {
    /// What its ciphertext is bound to.
    pub fn owner(&self) -> crate::backend::crypto::KeyOwner<'_> {
        crate::backend::crypto::KeyOwner {
            key_id: &self.id,
            user_id: &self.user_id,
            provider: self.provider,
            base_url: self.base_url.as_deref(),
        }
    }
}

/// Without the ciphertext: logs never carry a key, even encrypted.
impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("id", &self.id)
            .field("provider", &self.provider)
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

#[instrument(skip_all)]
pub async fn find_secret(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
) -> Result<Option<StoredKey>, sqlx::Error> {
    sqlx::query_as!(
        StoredKey,
        r#"SELECT id, user_id, provider AS "provider: ApiKeyProvider", encrypted_key, name, base_url
           FROM api_keys WHERE id = $1 AND user_id = $2"#,
        id,
        user_id,
    )
    .fetch_optional(db)
    .await
}

#[instrument(skip_all)]
pub async fn list_for_user(
    db: impl PgExecutor<'_>,
    user_id: &str,
) -> Result<Vec<StoredKey>, sqlx::Error> {
    sqlx::query_as!(
        StoredKey,
        r#"SELECT id, user_id, provider AS "provider: ApiKeyProvider", encrypted_key, name, base_url
           FROM api_keys WHERE user_id = $1 ORDER BY created_at, id"#,
        user_id,
    )
    .fetch_all(db)
    .await
}

/// Every stored key, locked for re-encryption (master key rotation).
/// The keys still in the old ciphertext format, locked (the upgrade at start-up).
#[instrument(skip_all)]
pub async fn legacy_for_upgrade(db: impl PgExecutor<'_>) -> Result<Vec<StoredKey>, sqlx::Error> {
    sqlx::query_as!(
        StoredKey,
        r#"SELECT id, user_id, provider AS "provider: ApiKeyProvider", encrypted_key, name, base_url
           FROM api_keys WHERE encrypted_key LIKE 'v1:%' ORDER BY id FOR UPDATE"#,
    )
    .fetch_all(db)
    .await
}

#[instrument(skip_all)]
pub async fn all_for_rotation(db: impl PgExecutor<'_>) -> Result<Vec<StoredKey>, sqlx::Error> {
    sqlx::query_as!(
        StoredKey,
        r#"SELECT id, user_id, provider AS "provider: ApiKeyProvider", encrypted_key, name, base_url
           FROM api_keys ORDER BY id FOR UPDATE"#,
    )
    .fetch_all(db)
    .await
}

/// Replaces the ciphertext only (rotation: same secret, new master key).
#[instrument(skip_all)]
pub async fn set_ciphertext(
    db: impl PgExecutor<'_>,
    id: &str,
    encrypted_key: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE api_keys SET encrypted_key = $2 WHERE id = $1",
        id,
        encrypted_key
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Returns false when the key is not the user's.
#[instrument(skip_all)]
pub async fn rename(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
    name: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE api_keys SET name = $3 WHERE id = $1 AND user_id = $2",
        id,
        user_id,
        name
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Stores a new secret for an existing key. Returns false when not the user's.
#[instrument(skip_all)]
pub async fn replace_secret(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
    encrypted_key: &str,
    key_hint: &str,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE api_keys SET encrypted_key = $3, key_hint = $4 WHERE id = $1 AND user_id = $2",
        id,
        user_id,
        encrypted_key,
        key_hint
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Makes the key its provider's default (and no other). False when not the user's.
#[instrument(skip_all)]
pub async fn set_default(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    // One statement: the partial unique index sees the final state only.
    let result = sqlx::query!(
        "UPDATE api_keys k SET is_default = (k.id = $1)
         WHERE k.user_id = $2
           AND k.provider = (SELECT provider FROM api_keys WHERE id = $1 AND user_id = $2)",
        id,
        user_id
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() > 0)
}

/// Deletes the key; if it was the default, the provider's oldest remaining key
/// takes over. False when not the user's.
#[instrument(skip_all)]
pub async fn delete(
    db: &mut sqlx::PgConnection,
    id: &str,
    user_id: &str,
) -> Result<bool, sqlx::Error> {
    let deleted = sqlx::query!(
        r#"DELETE FROM api_keys WHERE id = $1 AND user_id = $2
           RETURNING provider AS "provider: ApiKeyProvider", is_default"#,
        id,
        user_id
    )
    .fetch_optional(&mut *db)
    .await?;
    let Some(deleted) = deleted else {
        return Ok(false);
    };
    if deleted.is_default {
        sqlx::query!(
            "UPDATE api_keys SET is_default = true
             WHERE id = (SELECT id FROM api_keys WHERE user_id = $1 AND provider = $2
                         ORDER BY created_at, id LIMIT 1)",
            user_id,
            deleted.provider as ApiKeyProvider
        )
        .execute(&mut *db)
        .await?;
    }
    Ok(true)
}

/// The key to use for a provider among the user's `keys` (ordered as
/// [`super::turn::TurnContext::keys`]): the default, else the oldest; with
/// `with_base_url`, only an OpenAI-compatible endpoint's.
pub fn pick_usable(
    keys: &[StoredKey],
    provider: ApiKeyProvider,
    with_base_url: bool,
) -> Option<&StoredKey> {
    keys.iter()
        .find(|k| k.provider == provider && (!with_base_url || k.base_url.is_some()))
}
