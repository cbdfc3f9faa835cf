//! What can be done with a written message: switch between its versions
//! ([`Versions`], ‹ n / m ›), Edit it in place (a question) or Regenerate it
//! (an answer), and, in its menu, Branch into a new chat and Delete it with
//! everything below it ([`MessageActions`]). Each names the message it acts on; the conversation carries
//! them out (`conversation.rs`).

use leptos::prelude::*;

use super::message::ShownMessage;
use crate::api::messages::count_deleted;
use crate::model::answer::AnswerStatus;
use crate::model::MessageRole;
use crate::ui::confirm::ConfirmGroup;
use crate::ui::form::capitalize;

/// The conversation's handlers for its messages' actions, as context.
#[derive(Clone, Copy)]
pub struct Branching {
    pub conversation: StoredValue<String>,
    /// Shows the branch through this message (a sibling's id).
    pub show: Callback<String>,
    /// Answers this answer's question again.
    pub regenerate: Callback<String>,
    /// Asks this question anew: (its id, the new text).
    pub edit: Callback<(String, String)>,
    /// Copies the path up to this message into a new conversation.
    pub branch: Callback<String>,
    /// Deletes this message and everything below it (already confirmed).
    pub delete: Callback<String>,
    /// An answer is being written in the conversation, or a change is on
    /// its way: no new turn can start.
    pub busy: Signal<bool>,
}

#[component]
pub fn MessageActions(
    message: ShownMessage,
    editing: RwSignal<bool>,
    branching: Branching,
) -> impl IntoView {
    let id = message.id;
    let is_user = message.role == MessageRole::User;
    let again = if is_user {
        view! {
            <button
                type="button"
                class="button button--quiet button--small"
                disabled=move || branching.busy.get()
                on:click=move |_| editing.set(true)
            >
                "Edit"
            </button>
        }
        .into_any()
    } else {
        view! {
            <button
                type="button"
                class="button button--quiet button--small"
                disabled=move || branching.busy.get()
                on:click=move |_| branching.regenerate.run(id.get_value())
            >
                {move || {
                    if message.status.get() == AnswerStatus::Error { "Retry" } else { "Regenerate" }
                }}
            </button>
        }
        .into_any()
    };
    view! {
        {again}
        <MessageMenu message branching />
    }
}

/// ‹ n / m ›: the message's versions, shown when it has several.
#[component]
pub fn Versions(message: ShownMessage, branching: Branching) -> impl IntoView {
    let noun = if message.role == MessageRole::User {
        "question"
    } else {
        "answer"
    };
    // The version `by` places away from this one (clicked: read untracked).
    let step = move |by: isize| {
        let id = message.id.get_value();
        message.siblings.with_untracked(|s| {
            let at = s.iter().position(|s| *s == id)?.checked_add_signed(by)?;
            s.get(at).cloned()
        })
    };
    move || {
        message.version().map(|(n, m)| {
            view! {
                <span
                    class="versions"
                    role="group"
                    aria-label=format!("{} {n} of {m}", capitalize(noun))
                    data-testid="versions"
                >
                    <button
                        type="button"
                        class="button button--quiet button--small"
                        aria-label=format!("Previous {noun}")
                        disabled=n == 1
                        on:click=move |_| {
                            if let Some(id) = step(-1) {
                                branching.show.run(id);
                            }
                        }
                    >
                        "‹"
                    </button>
                    <span class="versions__count" aria-hidden="true">
                        {format!("{n} / {m}")}
                    </span>
                    <button
                        type="button"
                        class="button button--quiet button--small"
                        aria-label=format!("Next {noun}")
                        disabled=n == m
                        on:click=move |_| {
                            if let Some(id) = step(1) {
                                branching.show.run(id);
                            }
                        }
                    >
                        "›"
                    </button>
                </span>
            }
        })
    }
}

/// "More": Branch into new chat, Delete (asking how much goes first).
#[component]
fn MessageMenu(message: ShownMessage, branching: Branching) -> impl IntoView {
    let id = message.id;
    let menu = NodeRef::<leptos::html::Div>::new();
    let open = RwSignal::new(false);
    let close = move || open.set(false);
    let counting = Action::new(move |_: &()| {
        let (conversation, id) = (branching.conversation.get_value(), id.get_value());
        async move { count_deleted(conversation, id).await }
    });
    let question = Signal::derive(move || match counting.value().get() {
        Some(Ok(count)) => count.question(),
        Some(Err(e)) => capitalize(&e.to_string()),
        None => String::new(),
    });
    let asking = RwSignal::new(false);
    view! {
        <div
            class="message-menu"
            node_ref=menu
            on:keydown=move |e| {
                if e.key() == "Escape" {
                    close();
                }
            }
            on:focusout=move |e| {
                if !focus_stays_in(&e, menu) {
                    asking.set(false);
                    close();
                }
            }
        >
            <button
                type="button"
                class="button button--quiet button--small"
                aria-label="More actions"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "⋯"
            </button>
            <div class="message-menu__items" hidden=move || !open.get()>
                <button
                    type="button"
                    class="button button--quiet button--small"
                    on:click=move |_| {
                        close();
                        branching.branch.run(id.get_value());
                    }
                >
                    "Branch into new chat"
                </button>
                // Never disabled while it counts: a focused button that is
                // disabled loses the focus, which would close the menu.
                <button
                    type="button"
                    class="button button--quiet button--small"
                    aria-expanded=move || asking.get().to_string()
                    on:click=move |_| {
                        if !counting.pending().get_untracked() {
                            asking.set(true);
                            counting.dispatch(());
                        }
                    }
                >
                    "Delete…"
                </button>
                // Below the button, not in its place: the focus stays where
                // it is, and the menu open.
                <Show when=move || {
                    asking.get() && !counting.pending().get()
                        && counting.value().with(Option::is_some)
                }>
                    <ConfirmGroup
                        question=Some(question)
                        confirm="Delete"
                        compact=true
                        on_confirm=Callback::new(move |_| {
                            asking.set(false);
                            close();
                            branching.delete.run(id.get_value());
                        })
                        on_cancel=Callback::new(move |_| asking.set(false))
                    />
                </Show>
            </div>
        </div>
    }
}

/// Whether focus, leaving an element of `menu`, goes to another of its
/// elements (clicking elsewhere closes the menu).
fn focus_stays_in(event: &leptos::ev::FocusEvent, menu: NodeRef<leptos::html::Div>) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let to = event
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        match (to, menu.get_untracked()) {
            (Some(to), Some(menu)) => menu.contains(Some(&to)),
            _ => false,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (event, menu);
        true
    }
}

/// A question being edited in place: Enter (or Save) asks it anew beside
/// the old one, Shift+Enter adds a line, Esc (or Cancel) leaves it as it was.
#[component]
pub fn MessageEditor(
    message: ShownMessage,
    editing: RwSignal<bool>,
    branching: Branching,
) -> impl IntoView {
    let text = RwSignal::new(message.content.get_untracked());
    let field = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move || {
        if let Some(field) = field.get() {
            let _ = field.focus();
        }
    });
    let save = move || {
        let new = text.get_untracked();
        if new.trim().is_empty() || branching.busy.get_untracked() {
            return;
        }
        editing.set(false);
        branching.edit.run((message.id.get_value(), new));
    };
    view! {
        <div class="message-editor">
            <textarea
                class="message-editor__field"
                aria-label="Edit your message"
                node_ref=field
                prop:value=move || text.get()
                on:input=move |e| text.set(event_target_value(&e))
                on:keydown=move |e| {
                    if e.key() == "Escape" {
                        e.prevent_default();
                        editing.set(false);
                    } else if e.key() == "Enter" && !e.shift_key() && !e.is_composing() {
                        e.prevent_default();
                        save();
                    }
                }
            ></textarea>
            <div class="message-editor__buttons">
                <button
                    type="button"
                    class="button button--small"
                    disabled=move || branching.busy.get() || text.with(|t| t.trim().is_empty())
                    on:click=move |_| save()
                >
                    "Save and ask"
                </button>
                <button
                    type="button"
                    class="button button--quiet button--small"
                    on:click=move |_| editing.set(false)
                >
                    "Cancel"
                </button>
            </div>
        </div>
    }
}
