//! One message on screen: its bubble (markdown for answers; an editor
//! while a question is edited), the answer's footer or how it ended, and
//! its actions (`message_actions`).

use leptos::prelude::*;

use super::message_actions::{Branching, MessageActions, MessageEditor, Versions};
use crate::markdown;
use crate::model::answer::{AnswerMetadata, AnswerStatus};
use crate::model::conversation::MessageView;
use crate::model::MessageRole;
use crate::ui::clipboard;

/// One message on screen. Its text is its own signal, so a streaming answer
/// re-renders only itself, never the whole conversation.
#[derive(Clone, Copy)]
pub struct ShownMessage {
    pub id: StoredValue<String>,
    pub role: MessageRole,
    pub content: RwSignal<String>,
    pub status: RwSignal<AnswerStatus>,
    pub metadata: RwSignal<Option<AnswerMetadata>>,
    /// Its versions' ids, itself included (see `MessageView::siblings`).
    pub siblings: RwSignal<Vec<String>>,
}

impl ShownMessage {
    pub fn from_view(message: MessageView) -> Self {
        let status = message
            .metadata
            .as_ref()
            .map(|m| m.status)
            .unwrap_or_default();
        ShownMessage {
            id: StoredValue::new(message.id),
            role: message.role,
            content: RwSignal::new(message.content),
            status: RwSignal::new(status),
            metadata: RwSignal::new(message.metadata),
            siblings: RwSignal::new(message.siblings),
        }
    }

    /// The answer `id`, being written, before anything of it is known.
    pub fn being_written(id: String) -> Self {
        ShownMessage::from_view(MessageView {
            id,
            role: MessageRole::Assistant,
            content: String::new(),
            metadata: Some(AnswerMetadata {
                status: AnswerStatus::Streaming,
                ..AnswerMetadata::default()
            }),
            created_at: Default::default(),
            siblings: Vec::new(),
        })
    }

    /// Takes what the server says of this message now; an answer being
    /// written keeps what its stream has brought.
    pub fn refresh(&self, message: MessageView) {
        if self.siblings.with_untracked(|s| *s != message.siblings) {
            self.siblings.set(message.siblings);
        }
        if self.status.get_untracked() == AnswerStatus::Streaming {
            return;
        }
        let status = message
            .metadata
            .as_ref()
            .map(|m| m.status)
            .unwrap_or_default();
        if self.content.with_untracked(|c| *c != message.content) {
            self.content.set(message.content);
        }
        if self.status.get_untracked() != status {
            self.status.set(status);
        }
        if self.metadata.with_untracked(|m| *m != message.metadata) {
            self.metadata.set(message.metadata);
        }
    }

    pub fn is_streaming(&self) -> bool {
        self.status.get() == AnswerStatus::Streaming
    }

    /// `(n, m)`: version n of m; `None` without siblings.
    pub fn version(&self) -> Option<(usize, usize)> {
        let id = self.id.get_value();
        self.siblings.with(|s| {
            let at = s.iter().position(|s| *s == id)?;
            Some((at + 1, s.len()))
        })
    }
}

/// The answer's footer: model, tokens, cost, time, and whether the answer
/// hit its maximum output.
fn footer(metadata: &AnswerMetadata) -> Option<String> {
    let mut parts = vec![metadata.model.clone()?];
    if let (Some(i), Some(o)) = (metadata.input_tokens, metadata.output_tokens) {
        parts.push(format!("{i} → {o} tokens"));
    }
    if let Some(cost) = metadata.cost_usd {
        parts.push(format!("${cost:.4}"));
    } else if metadata.is_unpriced() && metadata.output_tokens.is_some() {
        // Answered by a model without a price (answers written before
        // prices were kept carry no `price` at all).
        parts.push("cost unknown".into());
    }
    if let Some(ms) = metadata.duration_ms {
        parts.push(format!("{:.1} s", ms as f64 / 1000.0));
    }
    if metadata.hit_max_output() {
        parts.push("cut at the maximum output".into());
    }
    Some(parts.join(" · "))
}

#[component]
pub fn MessageBubble(message: ShownMessage) -> impl IntoView {
    let is_user = message.role == MessageRole::User;
    // Set while a question is being edited in place.
    let editing = RwSignal::new(false);
    let branching = use_context::<Branching>();
    // A user's words are shown as written; an answer is markdown, rendered
    // by the one renderer that makes HTML safe (`crate::markdown`).
    let body = if is_user {
        view! {
            <Show
                when=move || editing.get() && branching.is_some()
                fallback=move || {
                    view! {
                        <div class="message__text message__text--plain" data-testid="message-text">
                            {move || message.content.get()}
                        </div>
                    }
                }
            >
                {branching.map(|branching| view! { <MessageEditor message editing branching /> })}
            </Show>
        }
        .into_any()
    } else {
        // While it streams, only the block being written is rendered again.
        let streaming = StoredValue::new(markdown::Incremental::default());
        let html = move || {
            let text = message.content.get();
            if message.is_streaming() {
                streaming
                    .try_update_value(|s| s.render(&text))
                    .unwrap_or_default()
            } else {
                streaming.update_value(|s| *s = markdown::Incremental::default());
                markdown::render(&text)
            }
        };
        view! {
            <div
                class="message__text markdown"
                data-testid="message-text"
                on:click=copy_code_block
                inner_html=html
            ></div>
        }
        .into_any()
    };
    view! {
        <article
            class="message"
            class:message--user=is_user
            class:message--assistant=!is_user
            class:message--streaming=move || message.is_streaming()
            data-testid=if is_user { "user-message" } else { "assistant-message" }
            data-status=move || message.status.get().as_str()
        >
            <div class="message__role">{if is_user { "You" } else { "Assistant" }}</div>
            {body}
            {move || {
                let metadata = message.metadata.get().unwrap_or_default();
                match message.status.get() {
                    AnswerStatus::Error => Some(view! {
                        <p class="message__error" role="alert">
                            {format!("The answer failed: {}", metadata.error.as_deref().unwrap_or("unknown error"))}
                        </p>
                    }.into_any()),
                    AnswerStatus::Stopped => Some(view! { <p class="message__meta">"Stopped."</p> }.into_any()),
                    AnswerStatus::Complete if !is_user => footer(&metadata).map(|f| view! { <p class="message__meta" data-testid="answer-footer">{f}</p> }.into_any()),
                    _ => None,
                }
            }}
            <Show when=move || !message.is_streaming() && !editing.get()>
                <div class="message__actions">
                    {branching.map(|branching| view! { <Versions message branching /> })}
                    <CopyButton
                        text=Signal::derive(move || message.content.get())
                        label="Copy message"
                    />
                    {branching.map(|branching| view! { <MessageActions message editing branching /> })}
                </div>
            </Show>
        </article>
    }
}

/// A button that copies `text` and says whether it worked.
#[component]
pub fn CopyButton(text: Signal<String>, label: &'static str) -> impl IntoView {
    let copy = Action::new_local(move |text: &String| clipboard::copy(text.clone()));
    let said = move || match copy.value().get() {
        _ if copy.pending().get() => "Copying…",
        Some(true) => "Copied",
        Some(false) => "Copy failed",
        None => "Copy",
    };
    view! {
        <button
            type="button"
            class="button button--quiet button--small message__copy"
            aria-label=label
            on:click=move |_| {
                copy.dispatch_local(text.get_untracked());
            }
        >
            {said}
        </button>
    }
}

/// The copy buttons inside rendered markdown are plain HTML: one listener on
/// the message handles them all.
fn copy_code_block(event: leptos::ev::MouseEvent) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(button) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest(".copy-code").ok().flatten())
        else {
            return;
        };
        let code = button
            .closest(".code-block")
            .ok()
            .flatten()
            .and_then(|block| block.query_selector("code").ok().flatten())
            .and_then(|code| code.text_content())
            .unwrap_or_default();
        leptos::task::spawn_local(async move {
            let copied = clipboard::copy(code).await;
            button.set_text_content(Some(if copied { "Copied" } else { "Copy failed" }));
            leptos::prelude::set_timeout(
                move || button.set_text_content(Some("Copy")),
                std::time::Duration::from_millis(1500),
            );
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = event;
}
