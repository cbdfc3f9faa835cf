//! Deleting asks once more: a group with the question, the confirming
//! button and Cancel ([`ConfirmGroup`]), and the usual way to reach it, a
//! Delete button that turns into that group ([`DeleteButton`]).

use leptos::prelude::*;

/// "Really?": the question (if any), the confirming button and Cancel, as
/// one group named "Confirm deletion".
#[component]
pub fn ConfirmGroup(
    /// Shown before the buttons ("Delete this key for good?").
    #[prop(into, default = None)]
    question: Option<Signal<String>>,
    /// The confirming button's label.
    confirm: &'static str,
    /// While the deletion runs, the confirming button is disabled.
    #[prop(into, default = Signal::stored(false))]
    pending: Signal<bool>,
    /// Smaller buttons, the question on a line of its own (narrow places).
    #[prop(optional)]
    compact: bool,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let size = if compact { " button--small" } else { "" };
    view! {
        <span class="confirm" class:confirm--compact=compact role="group" aria-label="Confirm deletion">
            {question.map(|q| view! { <span class="confirm__question">{move || q.get()}</span> })}
            <button
                type="button"
                class=format!("button button--danger{size}")
                disabled=move || pending.get()
                on:click=move |_| on_confirm.run(())
            >
                {confirm}
            </button>
            <button type="button" class=format!("button button--quiet{size}") on:click=move |_| on_cancel.run(())>
                "Cancel"
            </button>
        </span>
    }
}

/// A quiet "Delete" button that asks with a [`ConfirmGroup`] before
/// `on_confirm` runs.
#[component]
pub fn DeleteButton(
    #[prop(into, default = None)] question: Option<Signal<String>>,
    #[prop(default = "Delete for good")] confirm: &'static str,
    #[prop(into, default = Signal::stored(false))] pending: Signal<bool>,
    #[prop(optional)] small: bool,
    on_confirm: Callback<()>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let size = if small { " button--small" } else { "" };
    move || {
        if asking.get() {
            view! {
                <ConfirmGroup
                    question=question
                    confirm
                    pending
                    compact=small
                    on_confirm
                    on_cancel=Callback::new(move |_| asking.set(false))
                />
            }
            .into_any()
        } else {
            view! {
                <button
                    type="button"
                    class=format!("button button--quiet{size}")
                    on:click=move |_| asking.set(true)
                >
                    "Delete"
                </button>
            }
            .into_any()
        }
    }
}
