//! `/`: the chat for signed-in users, the introduction for visitors.

use leptos::prelude::*;

use super::auth::use_auth;
use super::chat::{ChatShell, StartChat};
use super::status_check::StatusCheck;

/// `/`: the app for signed-in users, the introduction for visitors.
#[component]
pub fn HomePage() -> impl IntoView {
    let auth = use_auth();
    view! {
        <Transition fallback=|| {
            view! {
                <main class="page page--centered">
                    <p class="muted">"Loading…"</p>
                </main>
            }
        }>
            {move || {
                auth.account
                    .get()
                    .map(|account| match account {
                        Ok(Some(account)) => {
                            view! {
                                <ChatShell>
                                    <StartChat name=account.display_name().to_string() />
                                </ChatShell>
                            }
                                .into_any()
                        }
                        _ => view! { <Landing /> }.into_any(),
                    })
            }}
        </Transition>
    }
}

/// What a visitor sees.
#[component]
fn Landing() -> impl IntoView {
    view! {
        <main class="page page--centered home">
            <div class="brand">
                <span class="brand__mark" aria-hidden="true">
                    "◆"
                </span>
                <h1>"VibeBot"</h1>
            </div>
            <p class="home__lead">
                "Chat with Claude, GPT and any OpenAI-compatible model, on your own server, "
                "with your own API keys."
            </p>
            <ul class="home__points">
                <li>"Your keys stay encrypted on this server and never reach the browser."</li>
                <li>"Switch models mid-conversation and keep custom system prompts."</li>
                <li>"Every answer records its tokens, cost and latency."</li>
            </ul>
            <div class="home__actions">
                <a class="button" href="/login">
                    "Sign in"
                </a>
                <a class="button button--quiet" href="/register">
                    "Create an account"
                </a>
            </div>
            <StatusCheck />
        </main>
    }
}
