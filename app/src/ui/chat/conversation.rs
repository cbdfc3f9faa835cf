//! An open conversation: its header, settings, the messages of its active
//! path and the composer, around one piece of state (the messages on
//! screen) and two actions: a turn (send, regenerate, edit), and a change of
//! the branch shown (switch, delete).

use leptos::prelude::*;

use super::composer::Composer;
use super::conversation_header::ConversationHeader;
use super::live::follow;
use super::message::ShownMessage;
use super::message_actions::Branching;
use super::message_list::MessageList;
use super::settings_panel::SettingsPanel;
use super::SidebarVersion;
use crate::api::chat::{edit_message, regenerate, send_message, stop_generation};
use crate::api::conversations::update_conversation_settings;
use crate::api::messages::{branch_into_new, delete_message, show_branch};
use crate::api::models::available_models;
use crate::error::AppError;
use crate::model::conversation::{ConversationDetail, SentMessage};
use crate::ui::form::capitalize;
use crate::ui::toast::use_toasts;

/// A turn: each names the message it acts on.
#[derive(Clone)]
enum Ask {
    /// A new message after the last one shown.
    New(String),
    /// This answer's question, answered again beside it.
    Again { answer: String },
    /// This question, asked anew beside it.
    Edited { question: String, text: String },
}

/// A change of the branch shown.
#[derive(Clone)]
enum Change {
    /// The branch through this message.
    Show(String),
    /// This message, and everything below it, deleted.
    Delete(String),
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
    let earlier = RwSignal::new(detail.earlier_cursor);
    // The answer being written in this conversation, on whichever branch:
    // followed until it ends, whether it is shown or not.
    let being_written = RwSignal::new(None::<ShownMessage>);
    let error = RwSignal::new(None::<String>);
    let sidebar = use_context::<SidebarVersion>();
    let models = Resource::new(|| (), |_| available_models());

    // Messages made later (in effects) must belong to this component, not to
    // the effect's run, or they would be disposed when the effect runs again.
    let owner = StoredValue::new(Owner::current().expect("components run with an owner"));
    // Follows the answer `id` being written: the one shown if it is, else a
    // placeholder (its stream starts with everything written so far).
    let follow_written = move |id: Option<String>| {
        let Some(id) = id else { return };
        if being_written.with_untracked(|b| b.is_some_and(|b| b.id.get_value() == id)) {
            return;
        }
        let shown = messages.with_untracked(|m| m.iter().find(|m| m.id.get_value() == id).copied());
        let answer =
            shown.unwrap_or_else(|| owner.get_value().with(|| ShownMessage::being_written(id)));
        being_written.set(Some(answer));
        owner.get_value().with(|| follow(answer));
    };
    // An answer still being written when the page loaded: re-attach.
    let written_at_load = StoredValue::new(detail.being_written);
    Effect::new(move || follow_written(written_at_load.get_value()));
    let streaming = move || being_written.with(|b| b.is_some_and(|b| b.is_streaming()));

    let refocus = RwSignal::new(0u32);
    // A message the server refused goes back into the box, so nothing is lost.
    let refused = RwSignal::new(None::<String>);
    let send = Action::new(move |ask: &Ask| {
        let ask = ask.clone();
        let chosen = Some(model.get_untracked()).filter(|m| !m.is_empty());
        let conversation = id.get_value();
        // The message sent follows the last one shown: the server refuses
        // (409) when another tab has moved the conversation on since.
        let after = messages.with_untracked(|m| m.last().map(|m| m.id.get_value()));
        async move {
            let result: Result<SentMessage, AppError> = match &ask {
                Ask::New(text) => send_message(conversation, text.clone(), chosen, after).await,
                Ask::Again { answer } => regenerate(conversation, answer.clone(), chosen).await,
                Ask::Edited { question, text } => {
                    edit_message(conversation, question.clone(), text.clone(), chosen).await
                }
            };
            result.map(|sent| (ask.clone(), sent)).map_err(|e| (ask, e))
        }
    });
    Effect::new(move || match send.value().get() {
        Some(Ok((ask, sent))) => {
            error.set(None);
            refused.set(None);
            let (question, answer) = owner.get_value().with(|| {
                (
                    ShownMessage::from_view(sent.user_message),
                    ShownMessage::from_view(sent.assistant_message),
                )
            });
            let at = |m: &[ShownMessage], id: &str| m.iter().position(|m| m.id.get_value() == id);
            // The new version takes the place of the one acted on, with
            // what was below it: the view does not jump.
            messages.update(|m| match &ask {
                Ask::New(_) => m.extend([question, answer]),
                Ask::Again { answer: old } => {
                    if let Some(i) = at(m, old) {
                        m.truncate(i);
                    }
                    m.push(answer);
                }
                Ask::Edited { question: old, .. } => {
                    if let Some(i) = at(m, old) {
                        m.truncate(i);
                    }
                    m.extend([question, answer]);
                }
            });
            if title.get_untracked() != sent.title {
                title.set(sent.title);
            }
            // New activity moves the conversation to the top of the sidebar.
            if let Some(s) = sidebar {
                s.bump();
            }
            being_written.set(Some(answer));
            // The stream belongs to the page, not to this effect's run.
            owner.get_value().with(|| follow(answer));
            refocus.update(|n| *n += 1);
        }
        Some(Err((ask, e))) => {
            let mut said = capitalize(&e.to_string());
            match ask {
                Ask::New(text) => refused.set(Some(text)),
                Ask::Edited { text, .. } => {
                    said.push_str(" (your edited message is in the message box)");
                    refused.set(Some(text));
                }
                Ask::Again { .. } => {}
            }
            error.set(Some(said));
        }
        None => {}
    });

    // Another branch shown, or a message deleted: the server's page of the
    // active path replaces what is below the part both share.
    let change = Action::new(move |change: &Change| {
        let (conversation, change) = (id.get_value(), change.clone());
        async move {
            match change {
                Change::Show(message) => show_branch(conversation, message).await,
                Change::Delete(message) => delete_message(conversation, message).await,
            }
        }
    });
    Effect::new(move || match change.value().get() {
        Some(Ok(page)) => {
            error.set(None);
            let shown = messages.get_untracked();
            let written = being_written.get_untracked();
            let known = |id: &str| {
                shown
                    .iter()
                    .chain(written.iter())
                    .find(|m| m.id.get_value() == id)
                    .copied()
            };
            let fresh: Vec<ShownMessage> = owner.get_value().with(|| {
                page.messages
                    .into_iter()
                    .map(|view| match known(&view.id) {
                        Some(message) => {
                            message.refresh(view);
                            message
                        }
                        None => ShownMessage::from_view(view),
                    })
                    .collect()
            });
            let kept = fresh.first().and_then(|first| {
                shown
                    .iter()
                    .position(|m| m.id.get_value() == first.id.get_value())
            });
            match kept {
                // Older messages loaded above the page stay.
                Some(k) => messages.set(shown[..k].iter().copied().chain(fresh).collect()),
                None => {
                    earlier.set(page.earlier_cursor);
                    messages.set(fresh);
                }
            }
            follow_written(page.being_written);
        }
        Some(Err(e)) => error.set(Some(capitalize(&e.to_string()))),
        None => {}
    });

    let navigate = leptos_router::hooks::use_navigate();
    let branch = Action::new(move |message: &String| {
        let (conversation, message) = (id.get_value(), message.clone());
        async move { branch_into_new(conversation, message).await }
    });
    Effect::new(move || match branch.value().get() {
        Some(Ok(summary)) => {
            if let Some(s) = sidebar {
                s.bump();
            }
            navigate(&format!("/c/{}", summary.id), Default::default());
        }
        Some(Err(e)) => error.set(Some(capitalize(&e.to_string()))),
        None => {}
    });

    let busy =
        Signal::derive(move || streaming() || send.pending().get() || change.pending().get());
    provide_context(Branching {
        conversation: id,
        show: Callback::new(move |message| {
            change.dispatch(Change::Show(message));
        }),
        regenerate: Callback::new(move |answer| {
            send.dispatch(Ask::Again { answer });
        }),
        edit: Callback::new(move |(question, text)| {
            send.dispatch(Ask::Edited { question, text });
        }),
        branch: Callback::new(move |message| {
            branch.dispatch(message);
        }),
        delete: Callback::new(move |message| {
            change.dispatch(Change::Delete(message));
        }),
        busy,
    });

    let toasts = use_toasts();
    let stop = Action::new(move |_: &()| {
        let answer = being_written.with_untracked(|b| b.map(|b| b.id.get_value()));
        async move {
            if let Some(message_id) = answer {
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
    // The spend of the branch shown: the sum of its answers' costs.
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
            <MessageList id messages earlier error />
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
            <Composer
                on_send=Callback::new(move |text: String| {
                    send.dispatch(Ask::New(text));
                })
                prefill=refused.into()
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
