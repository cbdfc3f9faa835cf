//! Small pieces every form uses.

use leptos::prelude::*;

use crate::error::AppError;

/// The error of the last submission, announced to screen readers.
#[component]
pub fn FormError<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    move || {
        result.get().and_then(|r| r.err()).map(|e| {
            view! {
                <p class="form__error" role="alert">
                    {capitalize(&e.to_string())}
                </p>
            }
        })
    }
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

/// Messages are written in lower case for composing; sentences start upper case.
pub fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
