//! Small pieces every form uses.

use leptos::prelude::*;

use crate::error::AppError;

/// The error of the last submission, announced to screen readers.
#[component]
pub fn FormError<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    move || result.get().and_then(|r| r.err()).map(|e| error_view(&e))
}

/// "Saved." after a successful submission.
#[component]
pub fn FormSuccess<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    message: &'static str,
) -> impl IntoView {
    move || {
        matches!(result.get(), Some(Ok(_))).then(|| {
            view! {
                <p class="form__success" role="status">
                    {message}
                </p>
            }
        })
    }
}

/// What a `Transition` shows while its resource loads.
pub fn loading() -> impl IntoView {
    view! { <p class="muted">"Loading…"</p> }
}

/// A loaded value as `shown` shows it, or its error ([`error_view`]).
pub fn or_error<T>(result: Result<T, AppError>, shown: impl FnOnce(T) -> AnyView) -> AnyView {
    match result {
        Ok(value) => shown(value),
        Err(e) => error_view(&e),
    }
}

/// An error in words, announced to screen readers.
pub fn error_view(error: &AppError) -> AnyView {
    view! {
        <p class="form__error" role="alert">
            {capitalize(&error.to_string())}
        </p>
    }
    .into_any()
}

/// Messages are written in lower case for composing; sentences start upper case.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
