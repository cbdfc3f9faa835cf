//! The pages that refuse: nothing at this address (404), and a page the
//! signed-in account may not see (403). Each sets its HTTP status on the
//! server, so that a reader without JavaScript and a script both learn it.

use leptos::prelude::*;

use super::app_header::AppHeader;

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <main class="page page--centered">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address."</p>
            <a class="button" href="/">
                "Go to VibeBot"
            </a>
        </main>
    }
}

/// For a signed-in account whose role may not see the page.
#[component]
pub fn Forbidden(what: &'static str) -> impl IntoView {
    set_status(403);
    view! {
        <AppHeader />
        <main class="page page--centered" data-testid="forbidden">
            <h1>"Not for your account"</h1>
            <p>{format!("Only administrators can see {what}.")}</p>
            <a class="button" href="/">
                "Go to your conversations"
            </a>
        </main>
    }
}

/// The response's status, on the server (the browser has none to set).
fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::StatusCode::from_u16(code),
    ) {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}
