//! The chat: a sidebar of conversations and the open conversation.

mod composer;
mod conversation;
mod live;
mod message;
mod sidebar;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

pub use conversation::Conversation;
pub use sidebar::Sidebar;

use super::app_header::AppHeader;
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
    view! {
        <RequireSignedIn />
        <AppHeader />
        <div class="chat-shell">
            <Sidebar />
            <main class="chat-main">{children()}</main>
        </div>
    }
}

/// `/c/{id}`: one conversation; the address survives reloads.
#[component]
pub fn ChatPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = Resource::new(id, |id| get_conversation(id, None));
    view! {
        <ChatShell>
            <Transition fallback=|| view! { <p class="muted chat-loading">"Loading conversation…"</p> }>
                {move || {
                    detail
                        .get()
                        .map(|result| match result {
                            Ok(detail) => view! { <Conversation detail /> }.into_any(),
                            Err(e) => {
                                view! {
                                    <div class="chat-empty">
                                        <p class="form__error" role="alert">{capitalize(&e.to_string())}</p>
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
