//! The message box: Enter sends, Shift+Enter adds a line, Esc stops an answer.

use leptos::prelude::*;

/// Where a message is written. Enter sends, Shift+Enter is a new line, Esc stops.
#[component]
pub fn Composer(
    on_send: Callback<String>,
    on_stop: Callback<()>,
    streaming: Signal<bool>,
    sending: Signal<bool>,
    /// Text to put in the box (editing the last message).
    prefill: Signal<Option<String>>,
    /// Focuses the box whenever it changes (and when the box appears).
    #[prop(optional)]
    focus: Signal<u32>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Textarea>::new();
    Effect::new(move || {
        focus.track();
        if let Some(input) = input.get() {
            if has_keyboard() {
                let _ = input.focus();
            }
        }
    });
    Effect::new(move || {
        if let Some(value) = prefill.get() {
            text.set(value);
        }
    });
    let submit = move || {
        let value = text.get_untracked();
        if value.trim().is_empty() || streaming.get_untracked() || sending.get_untracked() {
            return;
        }
        on_send.run(value);
        text.set(String::new());
    };
    view! {
        <form
            class="composer"
            on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }
        >
            <textarea
                node_ref=input
                class="composer__input"
                aria-label="Message"
                placeholder="Message VibeBot…"
                rows="1"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))
                on:keydown=move |ev| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        submit();
                    } else if ev.key() == "Escape" && streaming.get_untracked() {
                        on_stop.run(());
                    }
                }
            ></textarea>
            {move || {
                if streaming.get() {
                    view! {
                        <button
                            class="button button--danger"
                            type="button"
                            on:click=move |_| on_stop.run(())
                        >
                            "Stop"
                        </button>
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            class="button"
                            type="submit"
                            disabled=move || sending.get() || text.with(|t| t.trim().is_empty())
                        >
                            {move || if sending.get() { "Sending…" } else { "Send" }}
                        </button>
                    }
                        .into_any()
                }
            }}
        </form>
    }
}

/// Whether focusing the box is welcome: with a mouse or touchpad, yes; on a
/// touch screen it would pop up the keyboard over the page.
fn has_keyboard() -> bool {
    #[cfg(feature = "hydrate")]
    return window()
        .match_media("(pointer: fine)")
        .ok()
        .flatten()
        .is_some_and(|m| m.matches());
    #[cfg(not(feature = "hydrate"))]
    false
}
