//! An open conversation: its header, settings, messages, the last turn's
//! actions and the composer, around one piece of state (the messages on
//! screen) and one action that sends, regenerates or edits.

use leptos::prelude::*;

use super::composer::Composer;
use super::conversation_header::ConversationHeader;
use super::live::follow;
use super::message::ShownMessage;
use super::message_list::MessageList;
use super::settings_panel::SettingsPanel;
use super::turn_actions::TurnActions;
use super::SidebarVersion;
use crate::api::chat::{edit_last_message, regenerate, send_message, stop_generation};
use crate::api::conversations::update_conversation_settings;
use crate::api::models::available_models;
use crate::error::AppError;
use crate::model::answer::AnswerStatus;
use crate::model::conversation::{ConversationDetail, SentMessage};
use crate::model::MessageRole;
use crate::ui::form::capitalize;
use crate::ui::toast::use_toasts;

/// What the composer asks for.
#[derive(Clone)]
enum Ask {
    New(String),
    Again,
    Edited(String),
}

#[component]
pub fn Conversation(detail: ConversationDetail) -> impl IntoView {
    let id = StoredValue::new(detail.summary.id.clone());
    let title = RwSignal::new(detail.summary.title.clone());
    let model = RwSignal::new(detail.summary.model.clone().unwrap_or_default());
    let system_prompt = RwSignal::new(detail.system_prompt.clone().unwrap_or_default());
    let settings = RwSignal::new(detail.settings);
    let messages = RwSignal::new(
        detail
            .messages
            .into_iter()
            .map(ShownMessage::from_view)
            .collect::<Vec<_>>(),
    );
    let error = RwSignal::new(None::<String>);
    let sidebar = use_context::<SidebarVersion>();
    let models = Resource::new(|| (), |_| available_models());

    // Answers still being written when the page loaded: re-attach.
    Effect::new(move || {
        for message in messages.get_untracked() {
            if message.status.get_untracked() == AnswerStatus::Streaming {
                follow(message);
            }
        }
    });
    let streaming = move || messages.with(|m| m.iter().any(|m| m.is_streaming()));

    // Messages made later (in effects) must belong to this component, not to
    // the effect's run, or they would be disposed when the effect runs again.
    let owner = Owner::current().expect("components run with an owner");
    // Editing the last message: the composer resends it through `edit`.
    let editing = RwSignal::new(false);
    let refocus = RwSignal::new(0u32);
    // A message the server refused goes back into the box, so nothing is lost.
    let refused = RwSignal::new(None::<String>);
    let send = Action::new(move |ask: &Ask| {
        let ask = ask.clone();
        let chosen = Some(model.get_untracked()).filter(|m| !m.is_empty());
        let conversation = id.get_value();
        // The message acted on is the one shown: the server refuses (409)
        // when another tab has added to the conversation since.
        let acted_on = messages.with_untracked(|m| {
            match &ask {
                Ask::New(_) => None,
                Ask::Again => m.last(),
                Ask::Edited(_) => m.iter().rev().find(|m| m.role == MessageRole::User),
            }
            .map(|m| m.id.get_value())
            .unwrap_or_default()
        });
        async move {
            let result: Result<SentMessage, AppError> = match &ask {
                Ask::New(text) => send_message(conversation, text.clone(), chosen).await,
                Ask::Again => regenerate(conversation, acted_on, chosen).await,
                Ask::Edited(text) => {
                    edit_last_message(conversation, acted_on, text.clone(), chosen).await
                }
            };
            result
                .map(|sent| (matches!(ask, Ask::New(_)), sent))
                .map_err(|e| (ask, e))
        }
    });
    Effect::new(move || match send.value().get() {
        Some(Ok((is_new, sent))) => {
            error.set(None);
            refused.set(None);
            let (question, answer) = owner.with(|| {
                (
                    ShownMessage::from_view(sent.user_message),
                    ShownMessage::from_view(sent.assistant_message),
                )
            });
            messages.update(|m| {
                if !is_new {
                    // The last question is replaced, with its old answers.
                    if let Some(last) = m.iter().rposition(|m| m.role == MessageRole::User) {
                        m.truncate(last);
                    }
                }
                m.push(question);
                m.push(answer);
            });
            if title.get_untracked() != sent.title {
                title.set(sent.title);
            }
            // New activity moves the conversation to the top of the sidebar.
            if let Some(s) = sidebar {
                s.bump();
            }
            // The stream belongs to the page, not to this effect's run.
            owner.with(|| follow(answer));
            // Back to the message box (after Regenerate, Retry, Edit).
            refocus.update(|n| *n += 1);
        }
        Some(Err((ask, e))) => {
            error.set(Some(capitalize(&e.to_string())));
            if let Ask::New(text) | Ask::Edited(text) = ask {
                refused.set(Some(text));
            }
        }
        None => {}
    });

    let toasts = use_toasts();
    let stop = Action::new(move |_: &()| {
        let streaming = messages.with_untracked(|m| {
            m.iter()
                .rev()
                .find(|m| m.is_streaming())
                .map(|m| m.id.get_value())
        });
        async move {
            if let Some(message_id) = streaming {
                if let Err(e) = stop_generation(message_id).await {
                    toasts.error(format!("Could not stop the answer: {e}"));
                }
            }
        }
    });
    let save_settings = Action::new(move |_: &()| {
        let (chosen, prompt) = (model.get_untracked(), system_prompt.get_untracked());
        async move {
            update_conversation_settings(
                id.get_value(),
                Some(chosen).filter(|m| !m.is_empty()),
                Some(prompt),
            )
            .await
        }
    });
    Effect::new(move || {
        if let Some(Err(e)) = save_settings.value().get() {
            error.set(Some(capitalize(&e.to_string())));
        }
    });
    // The conversation's spend so far: the sum of its answers' costs.
    let cost = Signal::derive(move || {
        messages.with(|m| {
            m.iter()
                .filter_map(|m| m.metadata.with(|m| m.as_ref().and_then(|m| m.cost_usd)))
                .sum::<f64>()
        })
    });

    view! {
        <section class="conversation" aria-label="Conversation">
            <ConversationHeader
                id
                title
                model
                cost
                models
                error
                on_pick=Callback::new(move |_| {
                    save_settings.dispatch(());
                })
            />
            <SettingsPanel id model system_prompt settings />
            <MessageList id messages earlier=detail.earlier_cursor error />
            {move || {
                error
                    .get()
                    .map(|e| {
                        view! {
                            <p class="form__error conversation__error" role="alert">
                                {e}
                            </p>
                        }
                    })
            }}
            <TurnActions
                messages
                editing
                sending=send.pending()
                on_regenerate=Callback::new(move |_| {
                    send.dispatch(Ask::Again);
                })
            />
            <Composer
                on_send=Callback::new(move |text: String| {
                    if editing.get_untracked() {
                        editing.set(false);
                        send.dispatch(Ask::Edited(text));
                    } else {
                        send.dispatch(Ask::New(text));
                    }
                })
                prefill=Signal::derive(move || {
                    if !editing.get() {
                        return refused.get();
                    }
                    messages
                        .with_untracked(|m| {
                            m.iter()
                                .rev()
                                .find(|m| m.role == MessageRole::User)
                                .map(|m| m.content.get_untracked())
                        })
                })
                on_stop=Callback::new(move |_| {
                    stop.dispatch(());
                })
                streaming=Signal::derive(streaming)
                sending=send.pending().into()
                focus=refocus.into()
            />
        </section>
    }
}
