//! One conversation in the sidebar, renamed and deleted in place.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use super::SidebarVersion;
use crate::api::conversations::{delete_conversation, rename_conversation};
use crate::model::conversation::ConversationSummary;
use crate::ui::confirm::ConfirmGroup;
use crate::ui::icons::{PencilIcon, TrashIcon};
use crate::ui::toast::use_toasts;

/// One conversation in the sidebar, with inline rename and delete (confirmed).
#[component]
pub fn SidebarItem(conversation: ConversationSummary) -> impl IntoView {
    let ConversationSummary {
        id, title, found, ..
    } = conversation;
    let path = format!("/c/{id}");
    // A search result opens on the branch of the message it found.
    let href = match found {
        Some(message) => format!("{path}?m={message}"),
        None => path.clone(),
    };
    let id = StoredValue::new(id);
    let title = RwSignal::new(title);
    let location = use_location();
    let active = Memo::new(move |_| location.pathname.get() == path);
    let mode = RwSignal::new(Mode::Link);
    let toasts = use_toasts();
    let sidebar = use_context::<SidebarVersion>();
    let navigate = use_navigate();

    let rename = Action::new(move |new_title: &String| {
        rename_conversation(id.get_value(), new_title.clone())
    });
    Effect::new(move || match rename.value().get() {
        Some(Ok(summary)) => {
            title.set(summary.title);
            mode.set(Mode::Link);
            toasts.success("Conversation renamed");
        }
        Some(Err(e)) => toasts.error(format!("Could not rename: {e}")),
        None => {}
    });
    let delete = Action::new(move |_: &()| delete_conversation(id.get_value()));
    Effect::new(move || match delete.value().get() {
        Some(Ok(())) => {
            toasts.success("Conversation deleted");
            if active.get_untracked() {
                navigate("/", Default::default());
            }
            if let Some(s) = sidebar {
                s.bump();
            }
        }
        Some(Err(e)) => toasts.error(format!("Could not delete: {e}")),
        None => {}
    });

    view! {
        <li class="sidebar__row" class:sidebar__row--active=active>
            {move || match mode.get() {
                Mode::Link => view! {
                    <a
                        href=href.clone()
                        class="sidebar__item"
                        aria-current=move || active.get().then_some("page")
                        data-testid="conversation-link"
                    >
                        {move || title.get()}
                    </a>
                    <span class="sidebar__actions">
                        <button
                            type="button"
                            class="icon-button"
                            aria-label=move || format!("Rename {}", title.get())
                            title="Rename"
                            on:click=move |_| mode.set(Mode::Renaming)
                        >
                            <PencilIcon />
                        </button>
                        <button
                            type="button"
                            class="icon-button"
                            aria-label=move || format!("Delete {}", title.get())
                            title="Delete"
                            on:click=move |_| mode.set(Mode::ConfirmingDelete)
                        >
                            <TrashIcon />
                        </button>
                    </span>
                }
                .into_any(),
                Mode::Renaming => view! {
                    <input
                        class="sidebar__rename"
                        aria-label="New title"
                        maxlength="200"
                        autofocus
                        prop:value=move || title.get_untracked()
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" {
                                ev.prevent_default();
                                rename.dispatch(event_target_value(&ev));
                            } else if ev.key() == "Escape" {
                                mode.set(Mode::Link);
                            }
                        }
                    />
                }
                .into_any(),
                Mode::ConfirmingDelete => view! {
                    <ConfirmGroup
                        question=Signal::derive(move || format!("Delete “{}”?", title.get()))
                        confirm="Delete"
                        pending=delete.pending()
                        compact=true
                        on_confirm=Callback::new(move |_| { delete.dispatch(()); })
                        on_cancel=Callback::new(move |_| mode.set(Mode::Link))
                    />
                }
                .into_any(),
            }}
        </li>
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Link,
    Renaming,
    ConfirmingDelete,
}
