use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http_status_not_found());
    }

    view! {
        <main class="page page--centered">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <a class="button" href="/">"Go to VibeBot"</a>
        </main>
    }
}

#[cfg(feature = "ssr")]
fn http_status_not_found() -> axum::http::StatusCode {
    axum::http::StatusCode::NOT_FOUND
}
