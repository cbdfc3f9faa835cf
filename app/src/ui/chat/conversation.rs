use leptos::prelude::*;

use super::composer::Composer;
use super::live::follow;
use super::message::{MessageBubble, ShownMessage};
use super::model_picker::ModelPicker;
use super::settings_panel::SettingsPanel;
use super::SidebarVersion;
use crate::api::chat::{edit_last_message, regenerate, send_message, stop_generation};
use crate::api::conversations::{
    delete_conversation, get_conversation, rename_conversation, update_conversation_settings,
};
use crate::api::models::available_models;
use crate::error::AppError;
use crate::model::answer::AnswerStatus;
use crate::model::conversation::{ConversationDetail, SentMessage};
use crate::model::model_menu::ModelMenu;
use crate::model::MessageRole;
use crate::ui::form::capitalize;
use crate::ui::toast::use_toasts;

/// An open conversation: header (title, model, system prompt), messages, composer.
#[component]
pub fn Conversation(detail: ConversationDetail) -> impl IntoView {
    let id = StoredValue::new(detail.summary.id.clone());
    let title = RwSignal::new(detail.summary.title.clone());
    let model = RwSignal::new(detail.summary.model.clone().unwrap_or_default());
    let system_prompt = RwSignal::new(detail.system_prompt.clone().unwrap_or_default());
    let settings = RwSignal::new(detail.settings);
    let turns = RwSignal::new(
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
        for turn in turns.get_untracked() {
            if turn.status.get_untracked() == AnswerStatus::Streaming {
                follow(turn);
            }
        }
    });

    let streaming = move || turns.with(|t| t.iter().any(|turn| turn.is_streaming()));

    // Turns made later (in effects) must belong to this component, not to the
    // effect's run, or they would be disposed when the effect runs again.
    let owner = Owner::current().expect("components run with an owner");
    let page_owner = owner.clone();
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
        let acted_on = turns.with_untracked(|t| {
            match &ask {
                Ask::New(_) => None,
                Ask::Again => t.last(),
                Ask::Edited(_) => t.iter().rev().find(|turn| turn.role == MessageRole::User),
            }
            .map(|turn| turn.id.get_value())
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
    Effect::new(move || {
        if let Some(result) = send.value().get() {
            match result {
                Ok((is_new, sent)) => {
                    error.set(None);
                    refused.set(None);
                    let (question, answer) = owner.with(|| {
                        (
                            ShownMessage::from_view(sent.user_message),
                            ShownMessage::from_view(sent.assistant_message),
                        )
                    });
                    turns.update(|t| {
                        if !is_new {
                            // The last question is replaced, with its old answers.
                            if let Some(last) =
                                t.iter().rposition(|turn| turn.role == MessageRole::User)
                            {
                                t.truncate(last);
                            }
                        }
                        t.push(question);
                        t.push(answer);
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
                Err((ask, e)) => {
                    error.set(Some(capitalize(&e.to_string())));
                    if let Ask::New(text) | Ask::Edited(text) = ask {
                        refused.set(Some(text));
                    }
                }
            }
        }
    });

    let toasts = use_toasts();
    let stop = Action::new(move |_: &()| {
        let last = turns.with_untracked(|t| {
            t.iter()
                .rev()
                .find(|turn| turn.is_streaming())
                .map(|turn| turn.id.get_value())
        });
        async move {
            if let Some(message_id) = last {
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
    let navigate = leptos_router::hooks::use_navigate();
    let renaming = RwSignal::new(false);
    let rename = Action::new(move |new_title: &String| {
        rename_conversation(id.get_value(), new_title.clone())
    });
    Effect::new(move || match rename.value().get() {
        Some(Ok(summary)) => {
            title.set(summary.title);
            renaming.set(false);
            toasts.success("Conversation renamed");
            if let Some(s) = sidebar {
                s.bump();
            }
        }
        Some(Err(e)) => error.set(Some(capitalize(&e.to_string()))),
        None => {}
    });
    let confirming_delete = RwSignal::new(false);
    let delete = Action::new(move |_: &()| delete_conversation(id.get_value()));
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => {
            if let Some(s) = sidebar {
                s.bump();
            }
            toasts.success("Conversation deleted");
            navigate("/", Default::default());
        }
        Some(Err(e)) => error.set(Some(capitalize(&e.to_string()))),
        None => {}
    });
    // The conversation's spend so far: the sum of its answers' costs.
    let total_cost = move || {
        turns.with(|t| {
            t.iter()
                .filter_map(|turn| turn.metadata.with(|m| m.as_ref().and_then(|m| m.cost_usd)))
                .sum::<f64>()
        })
    };
    // Following the stream: stay at the end unless the reader scrolled up.
    let list = NodeRef::<leptos::html::Div>::new();
    let pinned = RwSignal::new(true);
    Effect::new(move || {
        turns.with(|t| {
            t.len();
            if let Some(last) = t.last() {
                last.content.track();
            }
        });
        if pinned.get_untracked() {
            request_animation_frame(move || scroll_to_end(list));
        }
    });
    // Older messages, a page at a time, keeping what the reader looks at in place.
    let earlier = RwSignal::new(detail.earlier_cursor);
    let load_earlier = Action::new(move |_: &()| {
        let before = earlier.get_untracked();
        async move { get_conversation(id.get_value(), before).await }
    });
    Effect::new(move || match load_earlier.value().get() {
        Some(Ok(page)) => {
            let older: Vec<ShownMessage> = page_owner.with(|| {
                page.messages
                    .into_iter()
                    .map(ShownMessage::from_view)
                    .collect()
            });
            let height_before = list.get_untracked().map(|el| el.scroll_height());
            earlier.set(page.earlier_cursor);
            turns.update(|t| {
                t.splice(0..0, older);
            });
            request_animation_frame(move || {
                if let (Some(el), Some(before)) = (list.get_untracked(), height_before) {
                    el.set_scroll_top(el.scroll_top() + el.scroll_height() - before);
                }
            });
        }
        Some(Err(e)) => error.set(Some(capitalize(&e.to_string()))),
        None => {}
    });
    let last_role = move || turns.with(|t| t.last().map(|turn| (turn.role, turn.status.get())));

    Effect::new(move || {
        if let Some(Err(e)) = save_settings.value().get() {
            error.set(Some(capitalize(&e.to_string())));
        }
    });

    view! {
        <section class="conversation" aria-label="Conversation">
            <header class="conversation__header">
                {move || {
                    if renaming.get() {
                        view! {
                            <form
                                class="conversation__rename"
                                on:submit=move |ev| ev.prevent_default()
                            >
                                <input
                                    id="rename-input"
                                    aria-label="Title"
                                    maxlength="200"
                                    prop:value=move || title.get_untracked()
                                    on:keydown=move |ev| {
                                        if ev.key() == "Enter" {
                                            ev.prevent_default();
                                            rename.dispatch(event_target_value(&ev));
                                        } else if ev.key() == "Escape" {
                                            renaming.set(false);
                                        }
                                    }
                                />
                            </form>
                        }
                            .into_any()
                    } else {
                        view! {
                            <h1 class="conversation__title" data-testid="conversation-title">{move || title.get()}</h1>
                        }
                            .into_any()
                    }
                }}
                <span class="conversation__cost muted" data-testid="conversation-cost" title="Cost of the answers in this conversation">
                    {move || format!("${:.4}", total_cost())}
                </span>
                <div class="conversation__tools">
                    <button class="button button--quiet" on:click=move |_| renaming.set(true)>"Rename"</button>
                    {move || {
                        if confirming_delete.get() {
                            view! {
                                <span class="key__confirm" role="group" aria-label="Confirm deletion">
                                    <button class="button button--danger" on:click=move |_| { delete.dispatch(()); }>
                                        "Delete for good"
                                    </button>
                                    <button class="button button--quiet" on:click=move |_| confirming_delete.set(false)>"Cancel"</button>
                                </span>
                            }
                                .into_any()
                        } else {
                            view! {
                                <button class="button button--quiet" on:click=move |_| confirming_delete.set(true)>"Delete"</button>
                            }
                                .into_any()
                        }
                    }}
                </div>
                <div class="conversation__model">
                    <Transition fallback=|| view! { <button class="model-picker__button" disabled>"Loading models…"</button> }>
                        {move || {
                            models
                                .get()
                                .map(|result| {
                                    let menu = result.unwrap_or_default();
                                    if menu.choices.is_empty() {
                                        return view! {
                                            <a class="button button--quiet" href="/settings/keys">"Add an API key to choose a model"</a>
                                        }
                                            .into_any();
                                    }
                                    if model.get_untracked().is_empty() {
                                        model.set(menu.initial().unwrap_or_default().to_string());
                                    }
                                    view! {
                                        <ModelPicker
                                            menu
                                            model
                                            on_pick=Callback::new(move |_| { save_settings.dispatch(()); })
                                        />
                                    }
                                        .into_any()
                                })
                        }}
                    </Transition>
                </div>
            </header>
            <Transition>
                {move || models.get().and_then(Result::ok).map(|menu| view! {
                    <Withdrawn menu model on_use=Callback::new(move |_| { save_settings.dispatch(()); }) />
                })}
            </Transition>
            <SettingsPanel id model system_prompt settings />
            <div
                class="conversation__messages"
                node_ref=list
                aria-live="polite"
                aria-busy=move || streaming().to_string()
                data-testid="messages"
                on:scroll=move |_| {
                    if let Some(el) = list.get_untracked() {
                        pinned.set(el.scroll_height() - el.scroll_top() - el.client_height() < 80);
                        if el.scroll_top() < 200 && earlier.with_untracked(Option::is_some) && !load_earlier.pending().get_untracked() {
                            load_earlier.dispatch(());
                        }
                    }
                }
            >
                {move || earlier.with(Option::is_some).then(|| view! {
                    <button
                        class="button button--quiet conversation__earlier"
                        disabled=load_earlier.pending()
                        on:click=move |_| { load_earlier.dispatch(()); }
                    >
                        {move || if load_earlier.pending().get() { "Loading earlier messages…" } else { "Load earlier messages" }}
                    </button>
                })}
                <For each=move || turns.get() key=|turn| turn.id.get_value() let:turn>
                    <MessageBubble turn />
                </For>
                {move || turns.with(Vec::is_empty).then(|| view! {
                    <p class="muted chat-hint">"Ask anything. Enter sends, Shift+Enter adds a line, Esc stops an answer."</p>
                })}
            </div>
            <Show when=move || !pinned.get()>
                <button class="button jump-latest" on:click=move |_| scroll_to_end(list)>"↓ Jump to latest"</button>
            </Show>
            {move || error.get().map(|e| view! { <p class="form__error conversation__error" role="alert">{e}</p> })}
            <div class="turn-actions">
                {move || match last_role() {
                    Some((MessageRole::Assistant, status)) if status != AnswerStatus::Streaming => {
                        let label = if status == AnswerStatus::Error { "Retry" } else { "Regenerate" };
                        Some(view! {
                            <button class="button button--quiet" disabled=send.pending() on:click=move |_| { send.dispatch(Ask::Again); }>
                                {label}
                            </button>
                            <button class="button button--quiet" on:click=move |_| editing.set(true)>"Edit last message"</button>
                        })
                    }
                    _ => None,
                }}
                {move || editing.get().then(|| view! {
                    <span class="muted">"Editing your last message · "</span>
                    <button class="button button--quiet" on:click=move |_| editing.set(false)>"Cancel"</button>
                })}
            </div>
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
                    turns.with_untracked(|t| {
                        t.iter()
                            .rev()
                            .find(|turn| turn.role == MessageRole::User)
                            .map(|turn| turn.content.get_untracked())
                    })
                })
                on_stop=Callback::new(move |_| { stop.dispatch(()); })
                streaming=Signal::derive(streaming)
                sending=send.pending().into()
                focus=refocus.into()
            />
        </section>
    }
}

fn scroll_to_end(list: NodeRef<leptos::html::Div>) {
    if let Some(el) = list.get_untracked() {
        el.set_scroll_top(el.scroll_height());
    }
}

/// What the composer asks for.
#[derive(Clone)]
enum Ask {
    New(String),
    Again,
    Edited(String),
}

/// The conversation's model is no longer offered to the user (withdrawn for
/// their role, its key deleted, no longer listed): say so, and offer the
/// model new conversations start with.
#[component]
fn Withdrawn(menu: ModelMenu, model: RwSignal<String>, on_use: Callback<String>) -> impl IntoView {
    let menu = StoredValue::new(menu);
    move || {
        let current = model.get();
        let offered = menu.with_value(|m| m.find(&current).is_some());
        if current.is_empty() || offered {
            return None;
        }
        let replacement = menu.with_value(|m| {
            m.initial()
                .and_then(|id| m.find(id))
                .map(|c| (c.id().to_string(), c.facts.name.clone()))
        });
        Some(view! {
            <p class="conversation__withdrawn" role="status" data-testid="model-withdrawn">
                {format!("{current} is no longer available to you. ")}
                {replacement.map(|(id, name)| view! {
                    <button
                        type="button"
                        class="button button--quiet"
                        data-testid="use-default-model"
                        on:click=move |_| {
                            model.set(id.clone());
                            on_use.run(id.clone());
                        }
                    >
                        {format!("Use {name}")}
                    </button>
                })}
            </p>
        })
    }
}
