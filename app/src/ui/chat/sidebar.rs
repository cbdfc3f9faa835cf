use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};

use super::SidebarVersion;
use crate::api::conversations::{create_conversation, list_conversations};
use crate::model::conversation::ConversationSummary;
use crate::ui::form::capitalize;

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
    Effect::new(move || {
        if let Some(Ok(page)) = load_more.value().get() {
            more.update(|m| m.extend(page.items));
            cursor.set(page.next_cursor);
        }
    });

    let navigate = use_navigate();
    let create = Action::new(|_: &()| create_conversation(None, None));
    let create_error = RwSignal::new(None::<String>);
    Effect::new(move || match create.value().get() {
        Some(Ok(conversation)) => {
            if let Some(v) = version {
                v.update(|n| *n += 1);
            }
            navigate(&format!("/c/{}", conversation.id), Default::default());
        }
        Some(Err(e)) => create_error.set(Some(capitalize(&e.to_string()))),
        None => {}
    });
    let location = use_location();
    let current = move || location.pathname.get();

    let item = move |c: ConversationSummary| {
        let href = format!("/c/{}", c.id);
        let active_href = href.clone();
        view! {
            <li>
                <a
                    href=href
                    class="sidebar__item"
                    class:sidebar__item--active=move || current() == active_href
                    data-testid="conversation-link"
                >
                    {c.title}
                </a>
            </li>
        }
    };

    view! {
        <nav class="sidebar" aria-label="Conversations">
            <button class="button sidebar__new" disabled=create.pending() on:click=move |_| { create.dispatch(()); }>
                "New chat"
            </button>
            {move || create_error.get().map(|e| view! { <p class="form__error" role="alert">{e}</p> })}
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || {
                    pages
                        .get()
                        .map(|result| match result {
                            Ok(page) if page.items.is_empty() => {
                                view! { <p class="muted sidebar__empty">"No conversations yet."</p> }.into_any()
                            }
                            Ok(page) => {
                                view! {
                                    <ul class="sidebar__list">
                                        {page.items.into_iter().map(item).collect_view()}
                                        {move || more.get().into_iter().map(item).collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p class="form__error">{capitalize(&e.to_string())}</p> }.into_any(),
                        })
                }}
            </Transition>
            {move || {
                cursor.get().map(|_| {
                    view! {
                        <button class="button button--quiet" disabled=load_more.pending() on:click=move |_| { load_more.dispatch(()); }>
                            "Load more"
                        </button>
                    }
                })
            }}
        </nav>
    }
}
