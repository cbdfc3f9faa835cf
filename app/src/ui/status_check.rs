//! The button that asks whether the server and its database are healthy.

use leptos::prelude::*;

use crate::api::status::get_server_status;

/// A button that asks the server whether it and its database are healthy.
#[component]
pub fn StatusCheck() -> impl IntoView {
    let check = Action::new(|_: &()| get_server_status());
    let pending = check.pending();

    view! {
        <section class="status-check" aria-live="polite">
            <button
                class="button"
                data-testid="status-check"
                on:click=move |_| {
                    check.dispatch(());
                }
                disabled=pending
            >
                {move || if pending.get() { "Checking…" } else { "Check server status" }}
            </button>
            <p class="status-check__result" data-testid="status-result">
                {move || match check.value().get() {
                    None => String::new(),
                    Some(Ok(status)) => {
                        format!(
                            "VibeBot {} · database {}{}",
                            status.version,
                            if status.database_ok { "connected" } else { "unreachable" },
                            status
                                .schema_version
                                .map(|v| format!(" · schema {v}"))
                                .unwrap_or_default(),
                        )
                    }
                    Some(Err(e)) => format!("Status check failed: {e}"),
                }}
            </p>
        </section>
    }
}
