//! The VibeBot logo.

use leptos::prelude::*;

/// The small VibeBot logo, linking home.
#[component]
pub fn BrandLink() -> impl IntoView {
    view! {
        <a href="/" class="brand brand--small">
            <span class="brand__mark" aria-hidden="true">
                "◆"
            </span>
            "VibeBot"
        </a>
    }
}
