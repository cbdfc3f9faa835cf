use leptos::prelude::*;

use crate::model::conversation::MessageView;
use crate::model::MessageRole;

/// One message on screen. Its text is its own signal, so a streaming answer
/// re-renders only itself, never the whole conversation.
#[derive(Clone, Copy)]
pub struct Turn {
    pub id: StoredValue<String>,
    pub role: MessageRole,
    pub content: RwSignal<String>,
    /// `complete`, `streaming`, `stopped` or `error`.
    pub status: RwSignal<String>,
    pub metadata: RwSignal<Option<serde_json::Value>>,
}

impl Turn {
    pub fn from_view(message: MessageView) -> Self {
        let status = message
            .metadata
            .as_ref()
            .and_then(|m| m["status"].as_str())
            .unwrap_or("complete")
            .to_string();
        Turn {
            id: StoredValue::new(message.id),
            role: message.role,
            content: RwSignal::new(message.content),
            status: RwSignal::new(status),
            metadata: RwSignal::new(message.metadata),
        }
    }

    pub fn is_streaming(&self) -> bool {
        self.status.get() == "streaming"
    }
}

/// The answer's footer: model, tokens, cost, time.
fn footer(metadata: &serde_json::Value) -> Option<String> {
    let model = metadata["model"].as_str()?;
    let mut parts = vec![model.to_string()];
    if let (Some(i), Some(o)) = (
        metadata["input_tokens"].as_u64(),
        metadata["output_tokens"].as_u64(),
    ) {
        parts.push(format!("{i} → {o} tokens"));
    }
    if let Some(cost) = metadata["cost_usd"].as_f64() {
        parts.push(format!("${cost:.4}"));
    }
    if let Some(ms) = metadata["duration_ms"].as_u64() {
        parts.push(format!("{:.1} s", ms as f64 / 1000.0));
    }
    Some(parts.join(" · "))
}

#[component]
pub fn MessageBubble(turn: Turn) -> impl IntoView {
    let is_user = turn.role == MessageRole::User;
    view! {
        <article
            class="message"
            class:message--user=is_user
            class:message--assistant=!is_user
            data-testid=if is_user { "user-message" } else { "assistant-message" }
            data-status=move || turn.status.get()
        >
            <div class="message__role">{if is_user { "You" } else { "Assistant" }}</div>
            // Text, never HTML: whatever a user or a model writes stays inert.
            <div class="message__text" data-testid="message-text">
                {move || turn.content.get()}
                {move || turn.is_streaming().then(|| view! { <span class="cursor" aria-hidden="true">"▍"</span> })}
            </div>
            {move || {
                let status = turn.status.get();
                let metadata = turn.metadata.get().unwrap_or_default();
                match status.as_str() {
                    "error" => Some(view! {
                        <p class="message__error" role="alert">
                            {format!("The answer failed: {}", metadata["error"].as_str().unwrap_or("unknown error"))}
                        </p>
                    }.into_any()),
                    "stopped" => Some(view! { <p class="message__meta">"Stopped."</p> }.into_any()),
                    "complete" if !is_user => footer(&metadata).map(|f| view! { <p class="message__meta" data-testid="answer-footer">{f}</p> }.into_any()),
                    _ => None,
                }
            }}
        </article>
    }
}
