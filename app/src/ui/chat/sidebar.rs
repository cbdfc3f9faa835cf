//! The sidebar: conversations grouped by day, a page at a time, and search.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::sidebar_item::SidebarItem;
use super::SidebarVersion;
use crate::api::conversations::{list_conversations, search_conversations};
use crate::model::conversation::ConversationSummary;
use crate::ui::app_header::Drawer;
use crate::ui::form::{capitalize, error_view, loading};
use crate::ui::toast::use_toasts;

/// The conversation list: newest activity first, a page at a time.
#[component]
pub fn Sidebar() -> impl IntoView {
    let version = use_context::<SidebarVersion>().map(|v| v.0);
    let pages = Resource::new(
        move || version.map(|v| v.get()),
        |_| list_conversations(None),
    );
    let more = RwSignal::new(Vec::<ConversationSummary>::new());
    let cursor = RwSignal::new(None::<String>);
    Effect::new(move || {
        if let Some(Ok(page)) = pages.get() {
            more.set(Vec::new());
            cursor.set(page.next_cursor);
        }
    });
    let load_more = Action::new(move |_: &()| {
        let next = cursor.get_untracked();
        async move { list_conversations(next).await }
    });
    let toasts = use_toasts();
    Effect::new(move || match load_more.value().get() {
        Some(Ok(page)) => {
            more.update(|m| m.extend(page.items));
            cursor.set(page.next_cursor);
        }
        Some(Err(e)) => toasts.error(format!("Could not load more conversations: {e}")),
        None => {}
    });

    let navigate = use_navigate();

    // Search: what is typed, and what is searched once typing pauses.
    let typed = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let results = Resource::new(
        move || query.get(),
        |q| async move {
            if q.trim().is_empty() {
                Ok(None)
            } else {
                search_conversations(q).await.map(Some)
            }
        },
    );
    let on_type = move |text: String| {
        typed.set(text.clone());
        set_timeout(
            move || {
                if typed.get_untracked() == text {
                    query.set(text);
                }
            },
            std::time::Duration::from_millis(250),
        );
    };
    let searching = move || !typed.with(|t| t.trim().is_empty());

    // Ctrl/Cmd+K searches, Ctrl/Cmd+Shift+O starts a new chat.
    let search_box = NodeRef::<leptos::html::Input>::new();
    let drawer = use_context::<Drawer>();
    let shortcuts = window_event_listener(leptos::ev::keydown, move |ev| {
        if !(ev.ctrl_key() || ev.meta_key()) {
            return;
        }
        let key = ev.key().to_ascii_lowercase();
        if key == "k" && !ev.shift_key() {
            ev.prevent_default();
            // On a phone the search box is in the drawer: open it first.
            if let Some(Drawer(open)) = drawer {
                open.set(true);
            }
            request_animation_frame(move || {
                if let Some(input) = search_box.get_untracked() {
                    let _ = input.focus();
                }
            });
        } else if key == "o" && ev.shift_key() {
            ev.prevent_default();
            navigate("/", Default::default());
        }
    });
    on_cleanup(move || shortcuts.remove());

    let item = |c: ConversationSummary| view! { <SidebarItem conversation=c /> };

    view! {
        <nav
            class="sidebar"
            id="sidebar"
            aria-label="Conversations"
            on:scroll=move |ev| {
                if near_bottom(&ev) && cursor.get_untracked().is_some()
                    && !load_more.pending().get_untracked()
                {
                    load_more.dispatch(());
                }
            }
        >
            // A conversation is made by its first message, on the start page.
            <a
                class="button sidebar__new"
                href="/"
                aria-keyshortcuts="Control+Shift+O"
                on:click=move |_| {
                    if let Some(Drawer(open)) = drawer {
                        open.set(false);
                    }
                }
            >
                "New chat"
            </a>
            <input
                type="search"
                node_ref=search_box
                class="sidebar__search"
                placeholder="Search (Ctrl+K)"
                aria-label="Search conversations"
                data-testid="conversation-search"
                prop:value=move || typed.get()
                on:input=move |ev| on_type(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Escape" {
                        typed.set(String::new());
                        query.set(String::new());
                    }
                }
            />
            <Show when=searching>
                <Transition fallback=|| {
                    view! { <p class="muted">"Searching…"</p> }
                }>
                    {move || {
                        results
                            .get()
                            .map(|result| match result {
                                Ok(Some(found)) if found.is_empty() => {
                                    view! {
                                        <p class="muted" role="status">
                                            "No conversation matches."
                                        </p>
                                    }
                                        .into_any()
                                }
                                Ok(Some(found)) => {
                                    view! {
                                        <ul
                                            class="sidebar__list"
                                            aria-label="Search results"
                                            data-testid="search-results"
                                        >
                                            {found.into_iter().map(item).collect_view()}
                                        </ul>
                                    }
                                        .into_any()
                                }
                                Ok(None) => ().into_any(),
                                Err(e) => error_view(&e),
                            })
                    }}
                </Transition>
            </Show>
            <div class="sidebar__all" class:hidden=searching>
                <Transition fallback=loading>
                    {move || {
                        pages
                            .get()
                            .map(|result| match result {
                                Ok(page) if page.items.is_empty() => {
                                    view! {
                                        <p class="muted sidebar__empty">"No conversations yet."</p>
                                    }
                                        .into_any()
                                }
                                Ok(page) => {
                                    let (clock, first) = (page.clock, page.items);
                                    let rows = move || {
                                        let mut rows = Vec::new();
                                        let mut group = "";
                                        for c in first.iter().cloned().chain(more.get()) {
                                            let g = clock.group(c.last_activity_at);
                                            if g != group {
                                                rows.push(Row::Group(g));
                                                group = g;
                                            }
                                            rows.push(Row::Conversation(c));
                                        }
                                        rows
                                    };
                                    // Group headings between the conversations, by last activity.
                                    view! {
                                        <ul class="sidebar__list">
                                            <For each=rows key=Row::key let:row>
                                                {match row {
                                                    Row::Group(g) => {
                                                        view! {
                                                            <li class="sidebar__group">
                                                                <h2>{g}</h2>
                                                            </li>
                                                        }
                                                            .into_any()
                                                    }
                                                    Row::Conversation(c) => item(c).into_any(),
                                                }}
                                            </For>
                                        </ul>
                                    }
                                        .into_any()
                                }
                                Err(e) => {
                                    view! {
                                        <p class="form__error">{capitalize(&e.to_string())}</p>
                                    }
                                        .into_any()
                                }
                            })
                    }}
                </Transition>
                {move || {
                    cursor
                        .get()
                        .map(|_| {
                            view! {
                                <button
                                    class="button button--quiet"
                                    disabled=load_more.pending()
                                    on:click=move |_| {
                                        load_more.dispatch(());
                                    }
                                >
                                    "Load more"
                                </button>
                            }
                        })
                }}
            </div>
        </nav>
    }
}

/// A line of the sidebar's list.
#[derive(Clone)]
enum Row {
    Group(&'static str),
    Conversation(ConversationSummary),
}

impl Row {
    fn key(&self) -> String {
        match self {
            Row::Group(g) => format!("group:{g}"),
            Row::Conversation(c) => c.id.clone(),
        }
    }
}

/// Whether a scrolled element is within a screen of its end: time to load
/// the next page.
fn near_bottom(event: &leptos::ev::Event) -> bool {
    #[cfg(feature = "hydrate")]
    {
        let element: web_sys::Element = event_target(event);
        element.scroll_top() + 2 * element.client_height() >= element.scroll_height()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = event;
        false
    }
}
