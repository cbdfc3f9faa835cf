//! Sending messages and stopping answers. The answer itself streams from
//! `GET /api/messages/{id}/events` (see the server's router).

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::conversation::MessageView;

/// Both halves of a turn: the stored question and the answer being written.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SentMessage {
    pub user_message: MessageView,
    pub assistant_message: MessageView,
    /// The conversation's title, set from the first message.
    pub title: String,
}

/// The longest message accepted.
pub const MESSAGE_MAX_CHARS: usize = 100_000;

/// Stores the message, starts the answer and returns at once; the answer is
/// written in the background even if the browser goes away.
#[server(endpoint = "chat/send")]
pub async fn send_message(
    conversation_id: String,
    text: String,
    model: Option<String>,
) -> Result<SentMessage, AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    validate(&text)?;
    ssr::answer(
        &state,
        &account.id,
        &conversation_id,
        ssr::Ask::New(text),
        model,
    )
    .await
}

/// Replaces the last answer, `message_id`, with a new one (also: retry
/// after an error). Another answer or question since (another tab's) is a
/// conflict: nothing the user has not seen is replaced.
#[server(endpoint = "chat/regenerate")]
pub async fn regenerate(
    conversation_id: String,
    message_id: String,
    model: Option<String>,
) -> Result<SentMessage, AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    ssr::answer(
        &state,
        &account.id,
        &conversation_id,
        ssr::Ask::Again { answer: message_id },
        model,
    )
    .await
}

/// Rewrites the last question, `message_id`, and answers it anew. A newer
/// question (another tab's) is a conflict.
#[server(endpoint = "chat/edit")]
pub async fn edit_last_message(
    conversation_id: String,
    message_id: String,
    text: String,
    model: Option<String>,
) -> Result<SentMessage, AppError> {
    let (state, _, account) = crate::backend::auth::require_writer().await?;
    validate(&text)?;
    ssr::answer(
        &state,
        &account.id,
        &conversation_id,
        ssr::Ask::Edited {
            question: message_id,
            text,
        },
        model,
    )
    .await
}

/// What a stale tab is told when the message it acts on is no longer the last.
pub const CHANGED_ELSEWHERE: &str =
    "the conversation changed in another tab; reload to see it, then try again";

#[cfg(feature = "ssr")]
fn validate(text: &str) -> Result<(), AppError> {
    if text.trim().is_empty() {
        return Err(AppError::Invalid("write a message first".into()));
    }
    if text.chars().count() > MESSAGE_MAX_CHARS {
        return Err(AppError::Invalid(format!(
            "a message has at most {MESSAGE_MAX_CHARS} characters"
        )));
    }
    Ok(())
}

/// Stops an answer; the text written so far is kept (status `stopped`).
#[server(endpoint = "chat/stop")]
pub async fn stop_generation(message_id: String) -> Result<(), AppError> {
    use crate::backend::db::messages;

    let (state, _, account) = crate::backend::auth::require_writer().await?;
    if !messages::is_users(&state.pool, &message_id, &account.id).await? {
        return Err(AppError::NotFound("message".into()));
    }
    if !state.generations.cancel(&message_id) {
        // Written by another instance (it sees this at its next flush), or already over.
        messages::request_stop(&state.pool, &message_id).await?;
    }
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use serde_json::json;

    use super::SentMessage;
    use crate::backend::db::{conversations, messages, model_views, turn};
    use crate::backend::generation::{self, Job};
    use crate::backend::limits;
    use crate::backend::models::serving;
    use crate::backend::providers::chat::{ChatRequest, ChatTurn, Speaker};
    use crate::backend::AppState;
    use crate::error::AppError;
    use crate::model::conversation::{title_from_message, DEFAULT_TITLE};
    use crate::model::MessageRole;

    /// Messages of history sent with each request.
    const HISTORY: i64 = 200;

    /// What the provider will be asked for a new question `text`, from what
    /// the turn read before storing it (the turns and the output tokens
    /// left), or `None` when the send looks likely to be refused or the
    /// database does not answer: then nothing is asked before the transaction
    /// that stores the question decides. Its history is read by the rule of
    /// the transaction's (`messages::history`), one message shorter.
    async fn ask_early(
        state: &AppState,
        user_id: &str,
        read: ReadBefore,
        text: &str,
    ) -> Option<(Vec<ChatTurn>, Option<u64>)> {
        if read.being_written.here.is_some() {
            return None;
        }
        limits::check_in_flight(
            read.being_written.for_user,
            state.config.max_answers_per_user,
        )
        .ok()?;
        let tokens_left = limits::judge_usage(&state.pool, user_id, &read.limits)
            .await
            .ok()?;
        let mut history = read.history;
        history.push((MessageRole::User, text.to_string()));
        Some((turns(history, read.budget), tokens_left))
    }

    /// The parts of a [`turn::TurnContext`] that only the early start uses.
    struct ReadBefore {
        limits: crate::model::limits::Limits,
        being_written: messages::BeingWritten,
        history: Vec<(MessageRole, String)>,
        budget: usize,
    }

    /// The conversation as the provider sees it (system turns are sent
    /// apart): the newest messages whose text fits in `budget` bytes (the
    /// history is also limited by count, but 200 long messages would make a
    /// request of tens of megabytes). The question itself is always sent (a
    /// message is at most 400 KB, the budget at least 512 KB), and a history
    /// that was cut starts with a question, as Anthropic requires.
    fn turns(history: Vec<(MessageRole, String)>, budget: usize) -> Vec<ChatTurn> {
        let turns: Vec<ChatTurn> = history
            .into_iter()
            .filter_map(|(role, text)| match role {
                MessageRole::User => Some(ChatTurn {
                    speaker: Speaker::User,
                    text,
                }),
                MessageRole::Assistant => Some(ChatTurn {
                    speaker: Speaker::Assistant,
                    text,
                }),
                MessageRole::System => None,
            })
            .collect();
        let all = turns.len();
        let mut used = 0;
        let mut kept: Vec<ChatTurn> = turns
            .into_iter()
            .rev()
            .enumerate()
            .take_while(|(i, turn)| {
                used += turn.text.len();
                *i == 0 || used <= budget
            })
            .map(|(_, turn)| turn)
            .collect();
        let cut = kept.len() < all;
        while cut && kept.len() > 1 && kept.last().is_some_and(|t| t.speaker == Speaker::Assistant)
        {
            kept.pop();
        }
        kept.reverse();
        kept
    }

    /// The bytes of history a request may carry beside its system prompt.
    fn history_budget(state: &AppState, system: Option<&str>) -> usize {
        state
            .config
            .max_request_bytes
            .saturating_sub(system.map_or(0, str::len))
    }

    /// What to answer.
    pub enum Ask {
        /// A new message.
        New(String),
        /// The last question again, replacing `answer`, which must be the
        /// conversation's last message.
        Again { answer: String },
        /// The last message, `question`, rewritten, replacing its answer.
        Edited { question: String, text: String },
    }

    pub async fn answer(
        state: &AppState,
        user_id: &str,
        conversation_id: &str,
        ask: Ask,
        model: Option<String>,
    ) -> Result<SentMessage, AppError> {
        // Everything the turn reads before it stores anything, in one statement;
        // the history only for a new question (asked early, below).
        let history = match ask {
            Ask::New(_) => HISTORY - 1,
            Ask::Again { .. } | Ask::Edited { .. } => 0,
        };
        // A model named by the request is looked up beside the turn's
        // context (no round trip added before the provider is asked); the
        // conversation's own model after it.
        let named = model
            .filter(|m| !m.trim().is_empty())
            .map(|m| crate::model::model_facts::checked_id(&m))
            .transpose()
            .map_err(AppError::Invalid)?;
        let reading = turn::context(&state.pool, conversation_id, user_id, history);
        let (context, found) = match &named {
            Some(m) => {
                let (context, found) =
                    tokio::try_join!(reading, model_views::for_user(&state.pool, user_id, m))?;
                (context, found)
            }
            None => (reading.await?, None),
        };
        let turn::TurnContext {
            conversation,
            keys,
            limits: user_limits,
            being_written,
            history,
        } = context.ok_or_else(|| AppError::NotFound("conversation".into()))?;
        let model = named
            .or(conversation.summary.model.clone())
            .ok_or_else(|| AppError::Invalid("choose a model first".into()))?;

        // The role must allow the model; a key that lists it serves it (see
        // `models::serving`), and its price now is the price it is charged at.
        let found = match found {
            Some(found) => found,
            None => model_views::for_user(&state.pool, user_id, &model)
                .await?
                .ok_or(AppError::Unauthenticated)?,
        };
        let allowed = serving::Allowed::judge(&model, found)?;
        let key = allowed.key(&keys)?;
        let provider = key.provider;
        let applied = conversation.settings.applied(&allowed.facts);
        let secret = state
            .cipher
            .decrypt(&key.encrypted_key, key.owner())
            .map_err(|_| {
                AppError::Invalid(
                    "your API key cannot be decrypted; replace it in Settings → API keys".into(),
                )
            })?;
        let endpoint = state
            .providers
            .endpoint(provider, key.base_url.as_deref())
            .map_err(|e| AppError::Invalid(e.to_string()))?;

        let budget = history_budget(state, conversation.system_prompt.as_deref());
        // The answer's id is chosen now: a new question is asked of the
        // provider while it is being stored (see `ask_early`).
        let answer_id = crate::backend::db::new_id();
        let job = |turns: Vec<ChatTurn>, tokens_left: Option<u64>| Job {
            user_id: user_id.to_string(),
            message_id: answer_id.clone(),
            provider,
            model: model.clone(),
            price: allowed.facts.price,
            endpoint: endpoint.clone(),
            key: secret.clone(),
            request: ChatRequest {
                model: model.clone(),
                system: conversation.system_prompt.clone(),
                turns,
                // Never more than the day's output-token allowance left.
                max_tokens: tokens_left.map_or(applied.max_tokens, |left| {
                    applied
                        .max_tokens
                        .min(u32::try_from(left).unwrap_or(u32::MAX))
                }),
                temperature: applied.temperature,
                top_p: applied.top_p,
            },
        };
        let early = match &ask {
            Ask::New(text) => {
                let read = ReadBefore {
                    limits: user_limits,
                    being_written,
                    history,
                    budget,
                };
                ask_early(state, user_id, read, text)
                    .await
                    .map(|(turns, tokens_left)| {
                        generation::ask_early(state.clone(), job(turns, tokens_left))
                    })
            }
            Ask::Again { .. } | Ask::Edited { .. } => None,
        };

        let mut tx = state.pool.begin().await?;
        // Limits first: a refused request stores nothing (the transaction
        // rolls back). The user's row stays locked until the commit.
        let tokens_left = limits::admit(&mut tx, user_id).await?;
        // One answer at a time per conversation (row lock on the conversation).
        sqlx::query("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE")
            .bind(conversation_id)
            .execute(&mut *tx)
            .await?;
        // Read after both locks: sees what a concurrent turn committed.
        let being_written = messages::being_written(&mut *tx, conversation_id, user_id).await?;
        if being_written.here.is_some() {
            return Err(AppError::Conflict(
                "an answer is still being written; stop it or wait".into(),
            ));
        }
        limits::check_in_flight(being_written.for_user, state.config.max_answers_per_user)?;
        let user_message = match &ask {
            Ask::New(text) => {
                messages::insert_returning(
                    &mut *tx,
                    &crate::backend::db::new_id(),
                    messages::NewMessage {
                        conversation_id,
                        user_id: Some(user_id),
                        role: MessageRole::User,
                        content: text,
                        metadata: None,
                    },
                )
                .await?
            }
            Ask::Again { .. } | Ask::Edited { .. } => {
                let mut last = messages::last_user_message(&mut *tx, conversation_id)
                    .await?
                    .ok_or_else(|| {
                        AppError::Invalid("there is no message to answer again".into())
                    })?;
                // Read under the conversation's lock: the message named is
                // still the one this would replace, or nothing is done.
                let current = match &ask {
                    Ask::Again { answer } => {
                        messages::latest_id(&mut *tx, conversation_id)
                            .await?
                            .as_ref()
                            == Some(answer)
                    }
                    Ask::Edited { question, .. } => last.id == *question,
                    Ask::New(_) => true,
                };
                if !current {
                    return Err(AppError::Conflict(super::CHANGED_ELSEWHERE.into()));
                }
                messages::delete_after(&mut *tx, conversation_id, &last).await?;
                if let Ask::Edited { text, .. } = &ask {
                    messages::set_content(&mut *tx, &last.id, text).await?;
                    last.content = text.clone();
                }
                last
            }
        };
        let assistant_message = messages::insert_returning(
            &mut *tx,
            &answer_id,
            messages::NewMessage {
                conversation_id,
                user_id: None,
                role: MessageRole::Assistant,
                content: "",
                metadata: Some(
                    // `asked_by`: a user's answers in flight are counted by it.
                    json!({ "status": "streaming", "provider": provider, "model": model, "asked_by": user_id }),
                ),
            },
        )
        .await?;
        let title = if conversation.summary.title == DEFAULT_TITLE {
            let title = title_from_message(&user_message.content);
            conversations::rename(&mut *tx, conversation_id, user_id, &title).await?;
            title
        } else {
            conversation.summary.title.clone()
        };
        if conversation.summary.model.as_deref() != Some(model.as_str()) {
            conversations::update_settings(
                &mut *tx,
                conversation_id,
                user_id,
                Some(&model),
                conversation.system_prompt.as_deref(),
            )
            .await?;
        }
        let history = messages::history(&mut *tx, conversation_id, HISTORY).await?;
        tx.commit().await?;

        let job = job(turns(history, budget), tokens_left);
        match early {
            Some(early) if early.asks(&job.request) => early.publish(),
            // Something changed while it was stored (another tab's message,
            // the allowance): the early request is cancelled, this one asked.
            _ => generation::spawn(state.clone(), job),
        }
        Ok(SentMessage {
            user_message,
            assistant_message,
            title,
        })
    }
}
