//! What can be done with the last turn once its answer has ended:
//! Regenerate (Retry after an error) and Edit the last message.

use leptos::prelude::*;

use super::message::ShownMessage;
use crate::model::answer::AnswerStatus;
use crate::model::MessageRole;

#[component]
pub fn TurnActions(
    messages: RwSignal<Vec<ShownMessage>>,
    /// Set while the composer edits the last message.
    editing: RwSignal<bool>,
    /// A send (or regeneration) is on its way.
    #[prop(into)]
    sending: Signal<bool>,
    on_regenerate: Callback<()>,
) -> impl IntoView {
    let last = move || messages.with(|m| m.last().map(|m| (m.role, m.status.get())));
    view! {
        <div class="turn-actions">
            {move || match last() {
                Some((MessageRole::Assistant, status)) if status != AnswerStatus::Streaming => {
                    let label = if status == AnswerStatus::Error { "Retry" } else { "Regenerate" };
                    Some(
                        view! {
                            <button
                                class="button button--quiet"
                                disabled=sending
                                on:click=move |_| on_regenerate.run(())
                            >
                                {label}
                            </button>
                            <button
                                class="button button--quiet"
                                on:click=move |_| editing.set(true)
                            >
                                "Edit last message"
                            </button>
                        },
                    )
                }
                _ => None,
            }}
            {move || {
                editing
                    .get()
                    .then(|| {
                        view! {
                            <span class="muted">"Editing your last message · "</span>
                            <button
                                class="button button--quiet"
                                on:click=move |_| editing.set(false)
                            >
                                "Cancel"
                            </button>
                        }
                    })
            }}
        </div>
    }
}
