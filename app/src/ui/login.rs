//! `/login`: signing in.

use leptos::prelude::*;

use super::brand::BrandLink;
use leptos_router::hooks::use_query_map;

use super::auth::use_auth;
use super::form::FormError;

/// Sign in. Signed-in visitors are sent on to the app.
#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    let pending = auth.login.pending();
    let result = Signal::derive(move || auth.login.value().get());
    let register_href = move || {
        format!(
            "/register?next={}",
            super::auth::encode_query_value(&next())
        )
    };

    view! {
        <main class="page page--centered auth-page">
            <RedirectWhenSignedIn />
            <BrandLink />
            <h1>"Sign in"</h1>
            <ActionForm action=auth.login attr:class="form">
                <input type="hidden" name="next" prop:value=next />
                <label class="form__field">
                    "Email"
                    <input type="email" name="email" autocomplete="username" required autofocus />
                </label>
                <label class="form__field">
                    "Password"
                    <input
                        type="password"
                        name="password"
                        autocomplete="current-password"
                        required
                    />
                </label>
                <FormError result />
                <button class="button" type="submit" disabled=pending>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="auth-page__alt">"New here? " <a href=register_href>"Create an account"</a></p>
        </main>
    }
}

/// On pages for visitors (sign in, sign up): go to the app when already signed in.
#[component]
pub fn RedirectWhenSignedIn() -> impl IntoView {
    let auth = use_auth();
    let query = use_query_map();
    view! {
        <Transition>
            {move || {
                (auth.signed_in() == Some(true))
                    .then(|| {
                        let next = crate::api::account::safe_next(
                            query.read().get("next").as_deref(),
                        );
                        view! { <leptos_router::components::Redirect path=next /> }
                    })
            }}
        </Transition>
    }
}
