//! Short notices in a corner ("Conversation deleted", "Could not stop the
//! answer: …"), announced politely to screen readers, gone after a while.

use std::time::Duration;

use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    id: u64,
    text: String,
    error: bool,
}

/// The app's notices; `use_toasts()` anywhere under the router.
#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u64>,
}

const SHOWN_FOR: Duration = Duration::from_secs(5);

impl Toasts {
    pub fn provide() {
        provide_context(Toasts {
            list: RwSignal::new(Vec::new()),
            next: StoredValue::new(0),
        });
    }

    pub fn success(&self, text: impl Into<String>) {
        self.push(text.into(), false);
    }

    pub fn error(&self, text: impl Into<String>) {
        self.push(text.into(), true);
    }

    fn push(&self, text: String, error: bool) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.list.update(|l| l.push(Toast { id, text, error }));
        let list = self.list;
        set_timeout(move || list.update(|l| l.retain(|t| t.id != id)), SHOWN_FOR);
    }
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

/// Where notices appear.
#[component]
pub fn ToastRegion() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" aria-live="polite" data-testid="toasts">
            <For each=move || toasts.list.get() key=|t| t.id let:toast>
                <p class="toast" class:toast--error=toast.error>{toast.text}</p>
            </For>
        </div>
    }
}
