//! The signed-in user's conversations: create, list, search, open, rename,
//! change model and system prompt, delete. Every query is scoped to the caller.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::conversation::{ConversationDetail, ConversationPage, ConversationSummary};
use crate::model::generation::GenerationSettings;

/// Starts an empty conversation, optionally with a model and system prompt,
/// or from a template (its model, system prompt and generation settings; a
/// model given here replaces the template's).
#[server(endpoint = "conversations/create")]
pub async fn create_conversation(
    model: Option<String>,
    system_prompt: Option<String>,
    template_id: Option<String>,
) -> Result<ConversationSummary, AppError> {
    use crate::backend::db::conversations;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let setup = ssr::Setup::read(&state, &account.id, model, system_prompt, template_id).await?;
    let id = conversations::insert(&state.pool, setup.new_conversation(&account.id)).await?;
    Ok(ssr::find(&state, &id, &account.id).await?.summary)
}

/// A page of my conversations, newest activity first. Pass the previous page's
/// `next_cursor` to continue.
#[server(endpoint = "conversations/list")]
pub async fn list_conversations(cursor: Option<String>) -> Result<ConversationPage, AppError> {
    use crate::backend::db::conversations::{decode_cursor, encode_cursor, list_page};
    use crate::model::conversation::PAGE_SIZE;

    let (state, _, account) = crate::backend::auth::require_account().await?;
    let cursor = match cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(text) => Some(
            decode_cursor(text).ok_or_else(|| AppError::Invalid("invalid page cursor".into()))?,
        ),
        None => None,
    };
    // One extra row tells whether another page exists.
    let mut items = list_page(
        &state.pool,
        &account.id,
        cursor.as_ref(),
        i64::from(PAGE_SIZE) + 1,
    )
    .await?;
    let next_cursor = if items.len() > PAGE_SIZE as usize {
        items.truncate(PAGE_SIZE as usize);
        items
            .last()
            .map(|c| encode_cursor(c.last_activity_at, &c.id))
    } else {
        None
    };
    let clock = crate::model::conversation::Clock {
        now: chrono::Utc::now(),
        utc_offset_minutes: crate::backend::cookies::utc_offset_minutes(),
    };
    Ok(ConversationPage {
        items,
        next_cursor,
        clock,
    })
}

/// My conversations whose title or messages contain `query`.
#[server(endpoint = "conversations/search")]
pub async fn search_conversations(query: String) -> Result<Vec<ConversationSummary>, AppError> {
    use crate::model::conversation::{PAGE_SIZE, SEARCH_MAX_CHARS};

    let (state, _, account) = crate::backend::auth::require_account().await?;
    let query = query.trim();
    if query.is_empty() {
        return Err(AppError::Invalid("type something to search for".into()));
    }
    if query.chars().count() > SEARCH_MAX_CHARS {
        return Err(AppError::Invalid(format!(
            "a search has at most {SEARCH_MAX_CHARS} characters"
        )));
    }
    crate::backend::limits::admit_search(
        &state.pool,
        &account.id,
        state.config.searches_per_minute,
    )
    .await?;
    Ok(crate::backend::db::conversations::search(
        &state.pool,
        &account.id,
        query,
        i64::from(PAGE_SIZE),
    )
    .await?)
}

/// Opens a conversation: its settings and the latest messages of its active
/// path (older ones with `before`, the `earlier_cursor` of the page after).
#[server(endpoint = "conversations/get")]
pub async fn get_conversation(
    id: String,
    before: Option<String>,
) -> Result<ConversationDetail, AppError> {
    let (state, _, account) = crate::backend::auth::require_account().await?;
    let conversation = ssr::find(&state, &id, &account.id).await?;
    let before = before.filter(|c| !c.is_empty());
    if let Some(before) = &before {
        crate::model::conversation::check_id(before, "page cursor").map_err(AppError::Invalid)?;
    }
    ssr::detail(&state, conversation, before.as_deref()).await
}

#[server(endpoint = "conversations/rename")]
pub async fn rename_conversation(
    id: String,
    title: String,
) -> Result<ConversationSummary, AppError> {
    use crate::model::conversation::normalize_title;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let title = normalize_title(&title).map_err(AppError::Invalid)?;
    if !crate::backend::db::conversations::rename(&state.pool, &id, &account.id, &title).await? {
        return Err(ssr::not_found());
    }
    Ok(ssr::find(&state, &id, &account.id).await?.summary)
}

/// Sets the model and system prompt that the next answer uses.
#[server(endpoint = "conversations/settings")]
pub async fn update_conversation_settings(
    id: String,
    model: Option<String>,
    system_prompt: Option<String>,
) -> Result<ConversationSummary, AppError> {
    use crate::model::conversation::normalize_system_prompt;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let model = ssr::checked_model(model.as_deref())?;
    let system_prompt =
        normalize_system_prompt(system_prompt.as_deref()).map_err(AppError::Invalid)?;
    ssr::check_allowed(&state, &account.id, model.as_deref()).await?;
    let updated = crate::backend::db::conversations::update_settings(
        &state.pool,
        &id,
        &account.id,
        model.as_deref(),
        system_prompt.as_deref(),
    )
    .await?;
    if !updated {
        return Err(ssr::not_found());
    }
    Ok(ssr::find(&state, &id, &account.id).await?.summary)
}

/// Sets the temperature, maximum output tokens and top-p of the next answers
/// (empty: the defaults), checked against the conversation's model.
#[server(endpoint = "conversations/generation")]
pub async fn update_generation_settings(
    id: String,
    temperature: String,
    max_output_tokens: String,
    top_p: String,
) -> Result<GenerationSettings, AppError> {
    use crate::backend::models::serving;
    use crate::model::model_facts::ModelFacts;
    use crate::model::ApiKeyProvider;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    let settings = GenerationSettings::parse(&temperature, &max_output_tokens, &top_p)
        .map_err(AppError::Invalid)?;
    let conversation = ssr::find(&state, &id, &account.id).await?;
    let facts = match conversation.summary.model.as_deref() {
        Some(model) => serving::allowed(&state, &account.id, model).await?.facts,
        None => {
            let mut unknown = ModelFacts::of("", ApiKeyProvider::Openai);
            unknown.name = "this model".into();
            unknown
        }
    };
    settings.validate(&facts).map_err(AppError::Invalid)?;
    if !crate::backend::db::conversations::update_generation(
        &state.pool,
        &id,
        &account.id,
        &settings,
    )
    .await?
    {
        return Err(ssr::not_found());
    }
    Ok(settings)
}

/// Deletes a conversation and its messages for good.
#[server(endpoint = "conversations/delete")]
pub async fn delete_conversation(id: String) -> Result<(), AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    if !crate::backend::db::conversations::delete(&state.pool, &id, &account.id).await? {
        return Err(ssr::not_found());
    }
    Ok(())
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::backend::db::conversations::{self, ConversationRow, NewConversation};
    use crate::backend::db::templates;
    use crate::backend::AppState;
    use crate::error::AppError;
    use crate::model::conversation::{normalize_system_prompt, ConversationDetail, DEFAULT_TITLE};
    use crate::model::generation::GenerationSettings;

    /// A new conversation's model, system prompt and settings: as asked, or
    /// from a template (its model, system prompt and generation settings; a
    /// model or prompt asked for replaces the template's). The model, if
    /// any, is one the user's role may use.
    pub struct Setup {
        model: Option<String>,
        system_prompt: Option<String>,
        settings: GenerationSettings,
    }

    impl Setup {
        pub async fn read(
            state: &AppState,
            user_id: &str,
            model: Option<String>,
            system_prompt: Option<String>,
            template_id: Option<String>,
        ) -> Result<Self, AppError> {
            let model = checked_model(model.as_deref())?;
            let system_prompt =
                normalize_system_prompt(system_prompt.as_deref()).map_err(AppError::Invalid)?;
            let template = match template_id.as_deref().filter(|t| !t.is_empty()) {
                Some(template_id) => Some(
                    templates::find_visible(&state.pool, template_id, user_id)
                        .await?
                        .ok_or_else(|| AppError::NotFound("template".into()))?,
                ),
                None => None,
            };
            let model = model.or_else(|| template.as_ref().and_then(|t| t.model.clone()));
            check_allowed(state, user_id, model.as_deref()).await?;
            let system_prompt =
                system_prompt.or_else(|| template.as_ref().and_then(|t| t.system_prompt.clone()));
            Ok(Setup {
                model,
                system_prompt,
                settings: template.map(|t| t.settings).unwrap_or_default(),
            })
        }

        pub fn new_conversation<'a>(&'a self, user_id: &'a str) -> NewConversation<'a> {
            NewConversation {
                user_id,
                title: DEFAULT_TITLE,
                model: self.model.as_deref(),
                system_prompt: self.system_prompt.as_deref(),
                settings: self.settings,
            }
        }
    }

    /// The conversation as it opens: a page of its active path, ending
    /// at its current leaf or above message `before`.
    pub async fn detail(
        state: &AppState,
        conversation: ConversationRow,
        before: Option<&str>,
    ) -> Result<ConversationDetail, AppError> {
        use crate::backend::db::messages;
        use crate::model::conversation::MESSAGE_PAGE_SIZE;

        let page = messages::path_page(
            &state.pool,
            &conversation.summary.id,
            before,
            MESSAGE_PAGE_SIZE as i32,
        )
        .await?;
        let earlier_cursor = match page.messages.first() {
            Some((oldest, Some(_))) => Some(oldest.id.clone()),
            _ => None,
        };
        Ok(ConversationDetail {
            summary: conversation.summary,
            system_prompt: conversation.system_prompt,
            settings: conversation.settings,
            messages: page.messages.into_iter().map(|(m, _)| m).collect(),
            earlier_cursor,
            being_written: page.being_written,
        })
    }

    pub fn not_found() -> AppError {
        AppError::NotFound("conversation".into())
    }

    pub async fn find(
        state: &AppState,
        id: &str,
        user_id: &str,
    ) -> Result<ConversationRow, AppError> {
        conversations::find(&state.pool, id, user_id)
            .await?
            .ok_or_else(not_found)
    }

    /// A model id: any plausible id (a provider may list it later, or an
    /// OpenAI-compatible endpoint serve it unlisted); empty means "not chosen yet".
    pub fn checked_model(model: Option<&str>) -> Result<Option<String>, AppError> {
        match model.map(str::trim).filter(|m| !m.is_empty()) {
            Some(model) => crate::model::model_facts::checked_id(model)
                .map(Some)
                .map_err(AppError::Invalid),
            None => Ok(None),
        }
    }

    /// Refuses (403) a model the user's role may not use.
    pub async fn check_allowed(
        state: &AppState,
        user_id: &str,
        model: Option<&str>,
    ) -> Result<(), AppError> {
        if let Some(model) = model {
            crate::backend::models::serving::allowed(state, user_id, model).await?;
        }
        Ok(())
    }
}
