//! A turn: a question and its answer. A send, a regeneration and an edit
//! each take one ([`take`]; a new conversation's first: [`start`]), in these
//! steps:
//!
//! 1. [`plan`]: read everything the turn needs in one statement
//!    (`db::turn::context`, beside the named model's lists), judge the model
//!    and the key, and choose the answer's id.
//! 2. [`ask_early`]: for a new question, ask the provider now, while the
//!    question is being stored: the provider's time to first token hides
//!    the database's. Skipped when the send looks likely to be refused.
//! 3. [`store`]: in one transaction, admit the turn (limits), lock the
//!    conversation (one answer at a time), place the question (see
//!    [`question`]: nothing is replaced, an edit or a regeneration adds a
//!    branch), store the answer being written as the conversation's current
//!    leaf, name the conversation, read the history (the active path) as
//!    stored.
//! 4. Start the answer: the early request when it asks exactly what the
//!    stored conversation asks, else a new one (another tab's message or the
//!    allowance changed in between).

use crate::backend::db::conversations::{self, ConversationRow};
use crate::backend::db::{self, messages, model_views, tree, turn};
use crate::backend::generation::{Early, Job};
use crate::backend::limits;
use crate::backend::models::serving;
use crate::backend::providers::chat::{ChatMessage, ChatRequest, Speaker};
use crate::backend::providers::Endpoint;
use crate::backend::secret::Secret;
use crate::backend::AppState;
use crate::error::AppError;
use crate::model::answer::AnswerMetadata;
use crate::model::conversation::{title_from_message, MessageView, SentMessage, DEFAULT_TITLE};
use crate::model::generation::Applied;
use crate::model::limits::Limits;
use crate::model::model_facts::Price;
use crate::model::{ApiKeyProvider, MessageRole};

/// Messages of history sent with each request.
const HISTORY: i32 = 200;

/// What a stale tab is told when the message it acts on is no longer on the
/// conversation's active path (or, for a send, no longer its leaf).
pub const CHANGED_ELSEWHERE: &str =
    "the conversation changed in another tab; reload to see it, then try again";

/// What to answer. Each names the message it acts on: another tab may have
/// moved the conversation on since this one looked.
pub enum Ask {
    /// A new message after `after`, the leaf the user sees, which must still
    /// be the current leaf (`None`: whatever is current, for API clients).
    New { text: String, after: Option<String> },
    /// The question of `answer`, an answer on the active path, answered
    /// again: a new answer beside it (a regeneration, or a retry).
    Again { answer: String },
    /// `question`, a question on the active path, asked anew as `text`: a
    /// new question beside it, and its answer.
    Edited { question: String, text: String },
}

/// Takes a turn in the user's conversation with `model` (or the
/// conversation's own); returns once the question and the answer being
/// written are stored. The answer is written in the background.
pub async fn take(
    state: &AppState,
    user_id: &str,
    conversation_id: &str,
    ask: Ask,
    model: Option<String>,
) -> Result<SentMessage, AppError> {
    let plan = plan(state, user_id, conversation_id, &ask, model).await?;
    let early = match &ask {
        Ask::New { text, after } if after.is_none() || *after == plan.read_before.leaf => {
            ask_early(state, &plan, text).await
        }
        _ => None,
    };
    let mut tx = state.pool.begin().await?;
    let stored = store(&mut tx, state, &plan, &ask).await?;
    tx.commit().await?;
    let job = plan.job(
        provider_messages(stored.history, plan.budget),
        stored.tokens_left,
    );
    match early {
        Some(early) if early.asks(&job.request) => early.publish(),
        _ => state.generations.start(job),
    }
    Ok(stored.sent)
}

/// Starts a conversation with its first question, in one transaction: a
/// question refused (a limit, the model) leaves no empty conversation behind.
/// Not asked early: a new conversation's context is read inside the
/// transaction that stores it.
pub async fn start(
    state: &AppState,
    user_id: &str,
    conversation: conversations::NewConversation<'_>,
    text: String,
) -> Result<SentMessage, AppError> {
    let mut tx = state.pool.begin().await?;
    let conversation_id = conversations::insert(&mut *tx, conversation).await?;
    let (context, model) = {
        let context = turn::context(&mut *tx, &conversation_id, user_id, 0).await?;
        let context = context.ok_or(AppError::Internal)?;
        let model = context
            .conversation
            .summary
            .model
            .clone()
            .ok_or_else(|| AppError::Invalid("choose a model first".into()))?;
        (context, model)
    };
    let found = model_views::for_user(&mut *tx, user_id, &model).await?;
    let plan = decide(state, user_id, model, context, found)?;
    let ask = Ask::New { text, after: None };
    let stored = store(&mut tx, state, &plan, &ask).await?;
    tx.commit().await?;
    state.generations.start(plan.job(
        provider_messages(stored.history, plan.budget),
        stored.tokens_left,
    ));
    Ok(stored.sent)
}

/// What the turn decided before storing anything.
struct Plan<'a> {
    user_id: &'a str,
    conversation: ConversationRow,
    model: String,
    provider: ApiKeyProvider,
    price: Option<Price>,
    applied: Applied,
    endpoint: Endpoint,
    secret: Secret<String>,
    /// The bytes of history a request may carry beside its system prompt.
    budget: usize,
    /// Chosen now: a new question is asked of the provider while it is
    /// being stored.
    answer_id: String,
    /// What only the early request uses.
    read_before: ReadBefore,
}

/// The parts of a [`turn::TurnContext`] that only [`ask_early`] uses.
struct ReadBefore {
    limits: Limits,
    being_written: messages::BeingWritten,
    history: Vec<(MessageRole, String)>,
    leaf: Option<String>,
}

/// Step 1: reads the turn's context and judges its model and key.
async fn plan<'a>(
    state: &AppState,
    user_id: &'a str,
    conversation_id: &str,
    ask: &Ask,
    model: Option<String>,
) -> Result<Plan<'a>, AppError> {
    // The history only for a new question (asked early).
    let history = match ask {
        Ask::New { .. } => HISTORY - 1,
        Ask::Again { .. } | Ask::Edited { .. } => 0,
    };
    // A model named by the request is looked up beside the turn's context
    // (no round trip added before the provider is asked); the
    // conversation's own model after it.
    let named = model
        .filter(|m| !m.trim().is_empty())
        .map(|m| crate::model::model_facts::checked_id(&m))
        .transpose()
        .map_err(AppError::Invalid)?;
    let reading = turn::context(&state.pool, conversation_id, user_id, history);
    let (context, found) = match &named {
        Some(m) => tokio::try_join!(reading, model_views::for_user(&state.pool, user_id, m))?,
        None => (reading.await?, None),
    };
    let context = context.ok_or_else(|| AppError::NotFound("conversation".into()))?;
    let model = named
        .or(context.conversation.summary.model.clone())
        .ok_or_else(|| AppError::Invalid("choose a model first".into()))?;
    let found = match found {
        Some(found) => Some(found),
        None => model_views::for_user(&state.pool, user_id, &model).await?,
    };
    decide(state, user_id, model, context, found)
}

/// Judges the model and the key from what was read: the role must allow
/// the model; a key that lists it serves it (see `models::serving`), and its
/// price now is the price it is charged at.
fn decide<'a>(
    state: &AppState,
    user_id: &'a str,
    model: String,
    context: turn::TurnContext,
    found: Option<model_views::ModelForUser>,
) -> Result<Plan<'a>, AppError> {
    let turn::TurnContext {
        conversation,
        keys,
        limits,
        being_written,
        history,
        leaf,
    } = context;
    let allowed = serving::Allowed::judge(&model, found.ok_or(AppError::Unauthenticated)?)?;
    let key = allowed.key(&keys)?;
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
        .endpoint(key.provider, key.base_url.as_deref())
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let budget = state
        .config
        .max_request_bytes
        .saturating_sub(conversation.system_prompt.as_deref().map_or(0, str::len));
    Ok(Plan {
        user_id,
        applied: conversation.settings.applied(&allowed.facts),
        conversation,
        model,
        provider: key.provider,
        price: allowed.facts.price,
        endpoint,
        secret,
        budget,
        answer_id: db::new_id(),
        read_before: ReadBefore {
            limits,
            being_written,
            history,
            leaf,
        },
    })
}

impl Plan<'_> {
    /// The user's question `text` after `parent_id`.
    fn question<'a>(
        &'a self,
        parent_id: Option<&'a str>,
        text: &'a str,
    ) -> messages::NewMessage<'a> {
        messages::NewMessage {
            conversation_id: &self.conversation.summary.id,
            parent_id,
            user_id: Some(self.user_id),
            role: MessageRole::User,
            content: text,
            metadata: None,
        }
    }

    /// The answer's job, asking the provider with `messages` and never for
    /// more than the day's output tokens left.
    fn job(&self, messages: Vec<ChatMessage>, tokens_left: Option<u64>) -> Job {
        let applied = &self.applied;
        Job {
            user_id: self.user_id.to_string(),
            message_id: self.answer_id.clone(),
            provider: self.provider,
            model: self.model.clone(),
            price: self.price,
            endpoint: self.endpoint.clone(),
            key: self.secret.clone(),
            request: ChatRequest {
                model: self.model.clone(),
                system: self.conversation.system_prompt.clone(),
                messages,
                max_tokens: tokens_left.map_or(applied.max_tokens, |left| {
                    applied
                        .max_tokens
                        .min(u32::try_from(left).unwrap_or(u32::MAX))
                }),
                temperature: applied.temperature,
                top_p: applied.top_p,
            },
        }
    }
}

/// Step 2: asks the provider for a new question `text` before it is stored,
/// from what the plan read (the messages and the output tokens left), or
/// `None` when the send looks likely to be refused or the database does not
/// answer: then nothing is asked before the transaction that stores the
/// question decides. Its history is read by the rule of the transaction's
/// (`messages::history`), one message shorter.
async fn ask_early(state: &AppState, plan: &Plan<'_>, text: &str) -> Option<Early> {
    let read = &plan.read_before;
    if read.being_written.here.is_some() {
        return None;
    }
    limits::check_in_flight(
        read.being_written.for_user,
        state.config.max_answers_per_user,
    )
    .ok()?;
    let tokens_left = limits::judge_usage(&state.pool, plan.user_id, &read.limits)
        .await
        .ok()?;
    let mut history = read.history.clone();
    history.push((MessageRole::User, text.to_string()));
    let job = plan.job(provider_messages(history, plan.budget), tokens_left);
    Some(state.generations.ask_unpublished(job))
}

/// What [`store`] stored.
struct Stored {
    sent: SentMessage,
    /// The history as stored, oldest first, the question last.
    history: Vec<(MessageRole, String)>,
    /// The day's output tokens left (`None`: no such limit).
    tokens_left: Option<u64>,
}

/// Step 3: stores the turn in `tx`, or nothing (the caller commits).
async fn store(
    tx: &mut sqlx::PgConnection,
    state: &AppState,
    plan: &Plan<'_>,
    ask: &Ask,
) -> Result<Stored, AppError> {
    let (user_id, conversation_id) = (plan.user_id, plan.conversation.summary.id.as_str());
    // Limits first: a refused request stores nothing (the transaction
    // rolls back). The user's row stays locked until the commit.
    let tokens_left = limits::admit(&mut *tx, user_id).await?;
    let locked = conversations::lock(&mut *tx, conversation_id)
        .await?
        .ok_or_else(|| AppError::NotFound("conversation".into()))?;
    // Read after both locks: sees what a concurrent turn committed.
    let being_written = messages::being_written(&mut *tx, conversation_id, user_id).await?;
    if being_written.here.is_some() {
        return Err(AppError::Conflict(
            "an answer is still being written; stop it or wait".into(),
        ));
    }
    limits::check_in_flight(being_written.for_user, state.config.max_answers_per_user)?;
    let question = question(&mut *tx, plan, locked.leaf, ask).await?;
    let mut assistant_message = messages::insert_returning(
        &mut *tx,
        &plan.answer_id,
        messages::NewMessage {
            conversation_id,
            parent_id: Some(&question.id),
            user_id: None,
            role: MessageRole::Assistant,
            content: "",
            metadata: Some(AnswerMetadata::streaming(
                plan.provider,
                &plan.model,
                user_id,
            )),
        },
    )
    .await?;
    if let Ask::Again { .. } = ask {
        assistant_message.siblings =
            tree::siblings(&mut *tx, conversation_id, Some(&question.id)).await?;
    }
    tree::set_current_leaf(&mut *tx, conversation_id, Some(&plan.answer_id), false).await?;
    let user_message = question;
    let summary = &plan.conversation.summary;
    let title = if summary.title == DEFAULT_TITLE {
        let title = title_from_message(&user_message.content);
        conversations::rename(&mut *tx, conversation_id, user_id, &title).await?;
        title
    } else {
        summary.title.clone()
    };
    if summary.model.as_deref() != Some(plan.model.as_str()) {
        conversations::update_settings(
            &mut *tx,
            conversation_id,
            user_id,
            Some(&plan.model),
            plan.conversation.system_prompt.as_deref(),
        )
        .await?;
    }
    let history = messages::history(&mut *tx, conversation_id, &user_message.id, HISTORY).await?;
    Ok(Stored {
        sent: SentMessage {
            conversation_id: conversation_id.to_string(),
            user_message,
            assistant_message,
            title,
        },
        history,
        tokens_left,
    })
}

/// The question the new answer answers, under the conversation's lock: a
/// new one after the current `leaf` (a send); the question of the answer
/// named (a regeneration); a new one beside the question named (an edit).
/// The message named must be on the active path that `leaf` ends, else
/// another tab has moved the conversation on: nothing is done (409).
async fn question(
    tx: &mut sqlx::PgConnection,
    plan: &Plan<'_>,
    leaf: Option<String>,
    ask: &Ask,
) -> Result<MessageView, AppError> {
    let conversation_id = plan.conversation.summary.id.as_str();
    let changed = || AppError::Conflict(CHANGED_ELSEWHERE.into());
    match ask {
        Ask::New { text, after } => {
            if after.is_some() && *after != leaf {
                return Err(changed());
            }
            let new = plan.question(leaf.as_deref(), text);
            Ok(messages::insert_returning(&mut *tx, &db::new_id(), new).await?)
        }
        Ask::Again { answer } => {
            let leaf = leaf.ok_or_else(nothing_to_answer)?;
            let answer = tree::find_on_path(&mut *tx, conversation_id, &leaf, answer)
                .await?
                .ok_or_else(changed)?;
            if answer.role != MessageRole::Assistant {
                return Err(AppError::Invalid(
                    "only an answer can be regenerated".into(),
                ));
            }
            let question_id = answer.parent_id.ok_or_else(nothing_to_answer)?;
            let question = tree::find_on_path(&mut *tx, conversation_id, &leaf, &question_id)
                .await?
                .ok_or_else(changed)?;
            let parent = question.parent_id.as_deref();
            let siblings = tree::siblings(&mut *tx, conversation_id, parent).await?;
            Ok(question.into_view(siblings))
        }
        Ask::Edited { question, text } => {
            let leaf = leaf.ok_or_else(nothing_to_answer)?;
            let question = tree::find_on_path(&mut *tx, conversation_id, &leaf, question)
                .await?
                .ok_or_else(changed)?;
            if question.role != MessageRole::User {
                return Err(AppError::Invalid(
                    "only your own messages can be edited".into(),
                ));
            }
            let parent = question.parent_id.as_deref();
            let new = plan.question(parent, text);
            let mut edited = messages::insert_returning(&mut *tx, &db::new_id(), new).await?;
            edited.siblings = tree::siblings(&mut *tx, conversation_id, parent).await?;
            Ok(edited)
        }
    }
}

fn nothing_to_answer() -> AppError {
    AppError::Invalid("there is no message to answer again".into())
}

/// The conversation as the provider sees it (system messages are sent
/// apart): the newest messages whose text fits in `budget` bytes (the
/// history is also limited by count, but 200 long messages would make a
/// request of tens of megabytes). The question itself is always sent (a
/// message is at most 400 KB, the budget at least 512 KB), and a history
/// that was cut starts with a question, as Anthropic requires.
fn provider_messages(history: Vec<(MessageRole, String)>, budget: usize) -> Vec<ChatMessage> {
    let all: Vec<ChatMessage> = history
        .into_iter()
        .filter_map(|(role, text)| {
            let speaker = match role {
                MessageRole::User => Speaker::User,
                MessageRole::Assistant => Speaker::Assistant,
                MessageRole::System => return None,
            };
            Some(ChatMessage { speaker, text })
        })
        .collect();
    let count = all.len();
    let mut used = 0;
    let mut kept: Vec<ChatMessage> = all
        .into_iter()
        .rev()
        .enumerate()
        .take_while(|(i, message)| {
            used += message.text.len();
            *i == 0 || used <= budget
        })
        .map(|(_, message)| message)
        .collect();
    let cut = kept.len() < count;
    while cut && kept.len() > 1 && kept.last().is_some_and(|m| m.speaker == Speaker::Assistant) {
        kept.pop();
    }
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn said(role: MessageRole, bytes: usize) -> (MessageRole, String) {
        (role, "x".repeat(bytes))
    }

    #[test]
    fn a_long_history_is_cut_to_the_budget_and_starts_with_a_question() {
        use MessageRole::{Assistant, System, User};
        let history = vec![
            said(User, 10),
            said(Assistant, 10),
            said(System, 10),
            said(User, 10),
            said(Assistant, 10),
            said(User, 10),
        ];
        // Everything fits: all but the system message.
        assert_eq!(provider_messages(history.clone(), 100).len(), 5);
        // 25 bytes keep the last two; cut, the history may not open with an answer.
        let kept = provider_messages(history.clone(), 25);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].speaker, Speaker::User);
        // The question is sent whatever its size.
        assert_eq!(provider_messages(vec![said(User, 50)], 10).len(), 1);
    }
}
