//! `/register`: creating an account (when registration is open).

use leptos::prelude::*;

use super::brand::BrandLink;
use leptos_router::hooks::use_query_map;

use super::auth::use_auth;
use super::form::FormError;
use super::login::RedirectWhenSignedIn;
use crate::model::account::{PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARS};

/// Create an account.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let pending = auth.register.pending();
    let result = Signal::derive(move || auth.register.value().get());

    view! {
        <main class="page page--centered auth-page">
            <RedirectWhenSignedIn />
            <BrandLink />
            <h1>"Create your account"</h1>
            <ActionForm action=auth.register attr:class="form">
                <input type="hidden" name="next" prop:value=next />
                <label class="form__field">
                    "Email"
                    <input type="email" name="email" autocomplete="email" required autofocus />
                </label>
                <label class="form__field">
                    <span>"Name " <span class="form__optional">"(optional)"</span></span>
                    <input type="text" name="name" autocomplete="name" maxlength="100" />
                </label>
                <label class="form__field">
                    "Password"
                    <input
                        type="password"
                        name="password"
                        autocomplete="new-password"
                        required
                        minlength=PASSWORD_MIN_CHARS
                        aria-describedby="password-help"
                    /> <span id="password-help" class="form__help">
                        {format!(
                            "At least {PASSWORD_MIN_CHARS} characters, at most {PASSWORD_MAX_BYTES} bytes.",
                        )}
                    </span>
                </label>
                <FormError result />
                <button class="button" type="submit" disabled=pending>
                    {move || if pending.get() { "Creating account…" } else { "Create account" }}
                </button>
            </ActionForm>
            <p class="auth-page__alt">"Already have an account? " <a href="/login">"Sign in"</a></p>
        </main>
    }
}
