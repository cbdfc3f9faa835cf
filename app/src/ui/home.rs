use leptos::prelude::*;

use super::status_check::StatusCheck;

/// The landing page.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <main class="page page--centered home">
            <div class="brand">
                <span class="brand__mark" aria-hidden="true">"◆"</span>
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
            <StatusCheck />
        </main>
    }
}
