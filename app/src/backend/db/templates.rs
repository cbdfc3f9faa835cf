//! `templates`: a model, a system prompt and generation settings under a name.
//! A user sees their own templates and the public ones.

use sqlx::PgExecutor;
use tracing::instrument;

use crate::model::generation::GenerationSettings;
use crate::model::template::TemplateView;

pub struct NewTemplate<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub model: Option<&'a str>,
    pub system_prompt: Option<&'a str>,
    pub settings: GenerationSettings,
    pub is_public: bool,
}

struct Row {
    id: String,
    user_id: String,
    name: String,
    model: Option<String>,
    system_prompt: Option<String>,
    temperature: Option<f64>,
    max_output_tokens: Option<i32>,
    top_p: Option<f64>,
    is_public: bool,
}

impl Row {
    fn view(self, caller: &str) -> TemplateView {
        TemplateView {
            mine: self.user_id == caller,
            id: self.id,
            name: self.name,
            model: self.model,
            system_prompt: self.system_prompt,
            settings: GenerationSettings {
                temperature: self.temperature,
                max_output_tokens: self.max_output_tokens.map(|n| n as u32),
                top_p: self.top_p,
            },
            is_public: self.is_public,
        }
    }
}

#[instrument(skip_all)]
pub async fn insert(db: impl PgExecutor<'_>, t: NewTemplate<'_>) -> Result<String, sqlx::Error> {
    let id = super::new_id();
    sqlx::query!(
        "INSERT INTO templates (id, user_id, name, model, system_prompt, temperature,
                                max_output_tokens, top_p, is_public)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        id,
        t.user_id,
        t.name,
        t.model,
        t.system_prompt,
        t.settings.temperature,
        t.settings.max_output_tokens.map(|n| n as i32),
        t.settings.top_p,
        t.is_public
    )
    .execute(db)
    .await?;
    Ok(id)
}

/// The caller's templates and the public ones, by name.
#[instrument(skip_all)]
pub async fn visible_to(
    db: impl PgExecutor<'_>,
    user_id: &str,
) -> Result<Vec<TemplateView>, sqlx::Error> {
    let rows = sqlx::query_as!(
        Row,
        "SELECT id, user_id, name, model, system_prompt, temperature, max_output_tokens, top_p,
                is_public
         FROM templates WHERE user_id = $1 OR is_public
         ORDER BY lower(name), id
         LIMIT 500",
        user_id
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.view(user_id)).collect())
}

/// One template the caller may use (their own or a public one).
#[instrument(skip_all)]
pub async fn find_visible(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
) -> Result<Option<TemplateView>, sqlx::Error> {
    let row = sqlx::query_as!(
        Row,
        "SELECT id, user_id, name, model, system_prompt, temperature, max_output_tokens, top_p,
                is_public
         FROM templates WHERE id = $1 AND (user_id = $2 OR is_public)",
        id,
        user_id
    )
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| r.view(user_id)))
}

/// Deletes a template: the owner's, or any public one when `admin`. False when
/// there is none the caller may delete.
#[instrument(skip_all)]
pub async fn delete(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
    admin: bool,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "DELETE FROM templates WHERE id = $1 AND (user_id = $2 OR ($3 AND is_public))",
        id,
        user_id,
        admin
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// Publishes or withdraws a template (admins only; checked by the caller).
#[instrument(skip_all)]
pub async fn set_public(
    db: impl PgExecutor<'_>,
    id: &str,
    user_id: &str,
    is_public: bool,
) -> Result<bool, sqlx::Error> {
    let result = sqlx::query!(
        "UPDATE templates SET is_public = $3 WHERE id = $1 AND (user_id = $2 OR is_public)",
        id,
        user_id,
        is_public
    )
    .execute(db)
    .await?;
    Ok(result.rows_affected() == 1)
}
