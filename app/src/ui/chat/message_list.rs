//! The conversation's messages: older ones a page at a time as the reader
//! scrolls up (keeping what they look at in place), and the view kept at the
//! end while an answer streams unless the reader scrolled away.

use leptos::prelude::*;

use super::message::{MessageBubble, ShownMessage};
use crate::api::conversations::get_conversation;
use crate::ui::form::capitalize;

#[component]
pub fn MessageList(
    id: StoredValue<String>,
    messages: RwSignal<Vec<ShownMessage>>,
    /// Where the older messages start (`None`: all are loaded).
    earlier: RwSignal<Option<String>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let streaming = move || messages.with(|m| m.iter().any(|m| m.is_streaming()));
    // Messages made later (in effects) must belong to the conversation, not
    // to the effect's run, or they would be disposed when it runs again.
    let owner = Owner::current().expect("components run with an owner");

    // Following the stream: stay at the end unless the reader scrolled up.
    let list = NodeRef::<leptos::html::Div>::new();
    let pinned = RwSignal::new(true);
    Effect::new(move || {
        messages.with(|m| {
            m.len();
            if let Some(last) = m.last() {
                last.content.track();
            }
        });
        if pinned.get_untracked() {
            request_animation_frame(move || scroll_to_end(list));
        }
    });

    let load_earlier = Action::new(move |_: &()| {
        let before = earlier.get_untracked();
        async move { get_conversation(id.get_value(), before).await }
    });
    Effect::new(move || match load_earlier.value().get() {
        Some(Ok(page)) => {
            let older: Vec<ShownMessage> = owner.with(|| {
                page.messages
                    .into_iter()
                    .map(ShownMessage::from_view)
                    .collect()
            });
            let height_before = list.get_untracked().map(|el| el.scroll_height());
            earlier.set(page.earlier_cursor);
            messages.update(|m| {
                m.splice(0..0, older);
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

    view! {
        <div
            class="conversation__messages"
            node_ref=list
            aria-live="polite"
            aria-busy=move || streaming().to_string()
            data-testid="messages"
            on:scroll=move |_| {
                if let Some(el) = list.get_untracked() {
                    pinned.set(el.scroll_height() - el.scroll_top() - el.client_height() < 80);
                    if el.scroll_top() < 200 && earlier.with_untracked(Option::is_some)
                        && !load_earlier.pending().get_untracked()
                    {
                        load_earlier.dispatch(());
                    }
                }
            }
        >
            {move || {
                earlier
                    .with(Option::is_some)
                    .then(|| {
                        view! {
                            <button
                                class="button button--quiet conversation__earlier"
                                disabled=load_earlier.pending()
                                on:click=move |_| {
                                    load_earlier.dispatch(());
                                }
                            >
                                {move || {
                                    if load_earlier.pending().get() {
                                        "Loading earlier messages…"
                                    } else {
                                        "Load earlier messages"
                                    }
                                }}
                            </button>
                        }
                    })
            }}
            <For each=move || messages.get() key=|message| message.id.get_value() let:message>
                <MessageBubble message />
            </For>
            {move || {
                messages
                    .with(Vec::is_empty)
                    .then(|| {
                        view! {
                            <p class="muted chat-hint">
                                "Ask anything. Enter sends, Shift+Enter adds a line, Esc stops an answer."
                            </p>
                        }
                    })
            }}
        </div>
        <Show when=move || !pinned.get()>
            <button class="button jump-latest" on:click=move |_| scroll_to_end(list)>
                "↓ Jump to latest"
            </button>
        </Show>
    }
}

fn scroll_to_end(list: NodeRef<leptos::html::Div>) {
    if let Some(el) = list.get_untracked() {
        el.set_scroll_top(el.scroll_height());
    }
}
