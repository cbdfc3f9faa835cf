//! The chat: a sidebar of conversations and the open conversation.

mod composer;
mod conversation;
mod conversation_header;
mod live;
mod message;
mod message_actions;
mod message_list;
mod model_picker;
mod settings_panel;
mod sidebar;
mod sidebar_item;
mod start;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub use conversation::Conversation;
pub use message::CopyButton;
pub use model_picker::ModelPicker;
pub use sidebar::Sidebar;
pub use start::StartChat;

use super::app_header::{AppHeader, Drawer};
use super::auth::RequireSignedIn;
use super::form::capitalize;
use crate::api::conversations::get_conversation;

/// Bumped when conversations change (new, renamed by a first message), so the
/// sidebar reloads.
#[derive(Clone, Copy)]
pub struct SidebarVersion(pub RwSignal<u32>);

impl SidebarVersion {
    pub fn bump(&self) {
        self.0.update(|v| *v += 1);
    }
}

/// The frame around chat pages.
#[component]
pub fn ChatShell(children: Children) -> impl IntoView {
    let version = SidebarVersion(RwSignal::new(0));
    provide_context(version);
    // On phones the sidebar is a drawer: closed by default, closed again
    // after going somewhere, by Escape and by a tap beside it.
    let open = RwSignal::new(false);
    provide_context(Drawer(open));
    let location = leptos_router::hooks::use_location();
    Effect::new(move || {
        location.pathname.track();
        open.set(false);
    });
    let escape = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.get_untracked() {
            open.set(false);
        }
    });
    on_cleanup(move || escape.remove());
    Effect::new(remember_utc_offset);
    view! {
        <RequireSignedIn />
        <AppHeader />
        <div class="chat-shell" class:chat-shell--drawer-open=move || open.get()>
            <Sidebar />
            <div class="chat-shell__backdrop" aria-hidden="true" on:click=move |_| open.set(false)></div>
            <main class="chat-main">{children()}</main>
        </div>
    }
}

/// Tells the server this browser's UTC offset (a cookie), so the sidebar's
/// Today / Yesterday follow the user's calendar from the next page on.
fn remember_utc_offset() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let offset = -(js_sys::Date::new_0().get_timezone_offset() as i32);
        let cookie = format!("vibebot_tz={offset}");
        let Some(document) = document().dyn_into::<web_sys::HtmlDocument>().ok() else {
            return;
        };
        let current = document.cookie().unwrap_or_default();
        if !current.split("; ").any(|c| c == cookie) {
            let _ =
                document.set_cookie(&format!("{cookie}; Path=/; Max-Age=31536000; SameSite=Lax"));
        }
    }
}

/// `/c/{id}`: one conversation; the address survives reloads.
#[component]
pub fn ChatPage() -> impl IntoView {
    let params = use_params_map();
    let query = leptos_router::hooks::use_query_map();
    // `?m=`: a message a search found, whose branch is shown.
    let opened = move || {
        let id = params.read().get("id").unwrap_or_default();
        (id, query.read().get("m").filter(|m| !m.is_empty()))
    };
    let detail = Resource::new(opened, |(id, message)| async move {
        match message {
            Some(message) => crate::api::messages::show_branch(id, message).await,
            None => get_conversation(id, None).await,
        }
    });
    view! {
        <ChatShell>
            <Transition fallback=|| {
                view! { <p class="muted chat-loading">"Loading conversation…"</p> }
            }>
                {move || {
                    detail
                        .get()
                        .map(|result| match result {
                            Ok(detail) => view! { <Conversation detail /> }.into_any(),
                            Err(e) => {
                                view! {
                                    <div class="chat-empty">
                                        <p class="form__error" role="alert">
                                            {capitalize(&e.to_string())}
                                        </p>
                                        <a href="/">"Back to your conversations"</a>
                                    </div>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </ChatShell>
    }
}
